/**
 * The HTTP side: routes authenticate, parse and delegate; nothing else lives
 * here. Every route declares the access it needs (`needs(...)`); errors leave
 * as { error: { code, message } } with a fitting status.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { CameraDirectory } from '../app/camera-directory.js';
import type { CameraManager } from '../app/camera-manager.js';
import type { ClusterNodeState } from '../cluster/cluster-node.js';
import type { LiveCalibration } from '../calibration/live-calibration.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { Logger } from '../shared/logger.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { PipelineStats, ServerInfo } from '../shared/socket-events.js';
import type { AccessGuard } from './access/access-guard.js';
import { judgeHealth } from './health-status.js';
import { installHttpAccess, needs, needsFor, UNROUTED, type RouteAccess } from './access/http-access.js';
import { parseCameraPatch } from './request-schemas.js';
import { clientErrorHandler, frameworkErrors, installRequestParsing, MAX_PATH_PARAM, refuseWithoutHost, REQUEST_CHECK_MS, REQUEST_TIMEOUT_MS, sendNoRoute } from './request-parsing.js';
import { registerCalibrationRoutes, type CalibrationRoutesCluster } from './calibration-routes.js';
import { registerReportRoutes } from './report-routes.js';
import { registerShotRoutes, type ShotRouteOptions } from './shot-routes.js';
import { registerWhipRoutes } from './whip-routes.js';

/** Where a server without tokens lets its page be framed: its own origin and this machine's pages (local-page.ts). */
const LOCAL_FRAMES_ONLY = "frame-ancestors 'self' http://localhost:* http://127.0.0.1:* https://localhost:* https://127.0.0.1:*";

export interface HttpAppDeps {
  guard: AccessGuard;
  /** PEM certificate and key: serve HTTPS. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** The cameras this process runs (WHIP, calibration). */
  cameras: CameraManager;
  /** What the camera routes list and change: this process's cameras, or (once the node has joined) the cluster's. */
  directory: () => CameraDirectory;
  /** In a cluster, this node's URL as the other nodes reach it (null until it listens). */
  selfUrl?: () => string | null;
  /** In a cluster: the other nodes, for the calibration routes. */
  calibrationCluster?: CalibrationRoutesCluster | null;
  /** In a cluster: the nodes, their cameras and leases; null on a single node. */
  cluster: (() => ClusterNodeState) | null;
  metrics: PipelineMetrics;
  info: () => ServerInfo;
  startedAt: number;
  webRoot: string;
  shotLog: ShotLog | null;
  /** In a cluster: the cluster's shots, and takes that act on every node. */
  shotRoutes?: Omit<ShotRouteOptions, 'onScaleCorrected'>;
  /** Operators' corrections and fitted heads (with the shot log). */
  calibration: LiveCalibration | null;
  stats: () => PipelineStats;
  log: Logger;
  /** Origins whose browser pages may publish over WHIP (supervisor.whip.allowedOrigins). */
  whipOrigins?: readonly string[];
}

export interface HttpApp {
  app: FastifyInstance;
  /** Every route with the access it declares (complete once the app is ready). */
  routes: RouteAccess[];
}

/** The page's paths; anything under these prefixes is API, never a file. */
const API_PREFIXES = ['api/', 'whip/', 'metrics'];

const underApi = (file: string): boolean => API_PREFIXES.some((prefix) => file.startsWith(prefix));

export { REQUEST_CHECK_MS, REQUEST_TIMEOUT_MS };

export async function createHttpApp(deps: HttpAppDeps): Promise<HttpApp> {
  // requestTimeout: a request whose headers and body have not all arrived in this time is answered 408 and
  // closed (Node's default is none: a client that sends its headers and then a trickle of body held the
  // socket for good). The largest body the API takes is 256 KB, seconds even on a slow link. Node reads
  // the timeout only when it makes the server (set afterwards, as Fastify's own option does, it is
  // ignored and the 60 s headers timeout was all there was), and looks for such requests every
  // connectionsCheckingInterval (30 s by default).
  // requireHostHeader: off so that a request without Host is refused in the API's shape (refuseWithoutHost).
  const checking = { requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: REQUEST_CHECK_MS, requireHostHeader: false };
  const options = { logger: false, bodyLimit: 256 * 1024, requestTimeout: REQUEST_TIMEOUT_MS, routerOptions: { maxParamLength: MAX_PATH_PARAM }, frameworkErrors, clientErrorHandler } as const;
  const app = (deps.tls ? Fastify({ ...options, https: { ...deps.tls, ...checking } }) : Fastify({ ...options, http: checking })) as unknown as FastifyInstance;
  refuseWithoutHost(app);
  const routes = installHttpAccess(app, deps.guard, deps.log);
  installRequestParsing(app, deps.log, routes, deps.guard);

  /** The health body; its HTTP status stays 200 whatever `status` says, so the dashboard and scripts reading it go on working. */
  const health = (request: FastifyRequest) => {
    const cameras = deps.directory().list();
    const info = deps.info();
    const capacity = deps.stats().capacity;
    const held = deps.shotLog?.heldWrites();
    const judged = judgeHealth({ cameras, overCapacity: capacity?.overCapacity ?? false, held, alerts: deps.shotLog?.alerts.active() ?? [] });
    return {
      status: judged.status,
      ready: judged.ready,
      problems: judged.problems,
      // Over capacity the server still runs: every camera is analysed at its fair share (capacity.cameras).
      overCapacity: capacity?.overCapacity ?? false,
      capacity,
      version: info.version,
      uptimeS: Math.round((Date.now() - deps.startedAt) / 1000),
      model: info.model,
      executionProvider: info.executionProvider,
      cameras: { total: cameras.length, live: cameras.filter((c) => c.state === 'live').length },
      shotLog: deps.shotLog
        ? {
            // Where the server's files are is for whoever runs it (an admin); a wall's viewer gets the name alone.
            database: request.principal?.role === 'admin' ? deps.shotLog.file : path.basename(deps.shotLog.file),
            runningTakes: deps.shotLog.runningTakes().length,
            activeAlerts: deps.shotLog.alerts.active().length,
            // Writes held in memory while the database cannot take them (a full disk), or null.
            held: held ?? null,
          }
        : null,
      cluster: deps.cluster?.() ?? null,
    };
  };
  app.get('/api/health', needs('viewer'), async (request) => health(request));
  /**
   * For a load balancer or a readiness probe: 503 while this server cannot
   * record shots (health-status.ts, ready). Public, as many balancers' health
   * checks cannot send a token (one that needed it took every node out), so it
   * says that one word and nothing of cameras or problems: /api/health does.
   */
  app.get('/api/health/ready', needs('public'), async (request, reply) => {
    const { ready } = health(request);
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  /** Who the token speaks for, so the page can offer only what the role may do. */
  // Whether the API needs a token: publish tokens alone close publishing only, and the API lets requests in without one.
  app.get('/api/session', needs('viewer'), async (request) => ({ ...request.principal!, tokensRequired: deps.guard.apiNeedsToken }));

  app.get('/api/cameras', needs('viewer'), async () => deps.directory().list());

  /** The health view's figures over the last ~30 s. */
  app.get('/api/stats', needs('viewer'), async () => deps.stats());

  app.get<{ Params: { id: string } }>('/api/cameras/:id', needs('viewer'), async (request) => deps.directory().describe(request.params.id));

  app.post('/api/cameras', needs('admin'), async (request, reply) => reply.code(201).send(await deps.directory().add(request.body)));

  app.patch<{ Params: { id: string } }>('/api/cameras/:id', needs('admin'), async (request) => deps.directory().update(request.params.id, parseCameraPatch(request.body)));

  app.delete<{ Params: { id: string } }>('/api/cameras/:id', needs('admin'), async (request, reply) => {
    await deps.directory().remove(request.params.id);
    return reply.code(204).send();
  });

  if (deps.shotLog) {
    const cameraIds = () => deps.directory().list().map((camera) => camera.cameraId);
    registerShotRoutes(app, deps.shotLog, {
      onScaleCorrected: async (shot) => { await deps.calibration?.shotCorrected(shot, deps.shotLog!.shots); },
      cameraIds,
      ...deps.shotRoutes,
    });
    registerReportRoutes(app, deps.shotLog, deps.shotRoutes?.cluster ?? null, cameraIds);
  }
  if (deps.calibration) registerCalibrationRoutes(app, deps.calibration, deps.cameras, deps.directory, deps.calibrationCluster ?? null);
  registerWhipRoutes(app, deps.cameras, {
    log: deps.log.child('whip'),
    directory: deps.directory,
    ...(deps.selfUrl ? { selfUrl: deps.selfUrl } : {}),
    ...(deps.calibrationCluster ? { nodeId: deps.calibrationCluster.nodeId } : {}),
    ...(deps.whipOrigins ? { allowedOrigins: deps.whipOrigins } : {}),
  });

  app.get('/metrics', needs('viewer'), async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  if (existsSync(deps.webRoot)) {
    // Files are sent by the one public route below, so the page's access is declared like any other route's.
    await app.register(fastifyStatic, { root: deps.webRoot, serve: false });
    // A path under the API that matches no route lands here too: it needs a valid token (any role) before it
    // learns that it does not exist, as any unmatched path does, so a caller without one cannot map the API.
    const pageAccess = needsFor((params) => (underApi(params['*'] ?? '') ? UNROUTED : 'public'), 'public');
    app.get<{ Params: { '*': string } }>('/*', pageAccess, async (request, reply) => {
      const file = request.params['*'] || 'index.html';
      if (underApi(file)) return sendNoRoute(request, reply);
      // Without a token the page can do anything, so another site must not frame it under a decoy (clickjacking);
      // with tokens, a control room's own page may embed the wall.
      if (!deps.guard.apiNeedsToken) reply.header('content-security-policy', LOCAL_FRAMES_ONLY);
      return reply.sendFile(file);
    });
  } else {
    app.get('/', needs('public'), async (_request, reply) => reply.type('text/plain').send(`The web page is not built (${deps.webRoot} missing): run npm run build:web`));
  }
  return { app, routes };
}
