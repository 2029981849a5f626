/**
 * The HTTP side: routes authenticate, parse and delegate; nothing else lives
 * here. Errors leave as { error: { code, message } } with a fitting status.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isShotscaleError, type ErrorCode } from '../errors.js';
import type { CameraManager, CameraPatch } from '../app/camera-manager.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { ShotLog } from '../shots/shot-log.js';
import { registerShotRoutes } from './shot-routes.js';
import { registerWhipRoutes } from './whip-routes.js';
import type { PipelineStats, ServerInfo } from '../shared/socket-events.js';
import { tokenFromHttp, tokenMatches } from './access-token.js';

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  CAMERA_NOT_FOUND: 404,
  CAMERA_EXISTS: 409,
  CAMERA_INVALID: 400,
  SOURCE_UNSUPPORTED: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PLAN_INVALID: 400,
  CAMERA_BUSY: 409,
};

export interface HttpAppDeps {
  accessToken: string | null;
  /** Tokens that may only publish over WHIP. */
  publishTokens: readonly string[];
  /** PEM certificate and key: serve HTTPS. */
  tls: { cert: Buffer; key: Buffer } | null;
  cameras: CameraManager;
  metrics: PipelineMetrics;
  info: () => ServerInfo;
  startedAt: number;
  webRoot: string;
  shotLog: ShotLog | null;
  stats: () => PipelineStats;
}

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

export async function createHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const app = (deps.tls ? Fastify({ logger: false, bodyLimit: 256 * 1024, https: deps.tls }) : Fastify({ logger: false, bodyLimit: 256 * 1024 })) as unknown as FastifyInstance;

  app.setErrorHandler((error, _request, reply) => {
    if (isShotscaleError(error)) return sendError(reply, STATUS_BY_CODE[error.code] ?? 500, error.code, error.message);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return sendError(reply, status, status < 500 ? 'BAD_REQUEST' : 'INTERNAL', (error as Error).message);
  });

  if (deps.accessToken) {
    const token = deps.accessToken;
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      // The page itself loads without a token so that it can ask for one.
      const protectedPath = request.url.startsWith('/api/') || request.url.startsWith('/metrics');
      if (protectedPath && !tokenMatches(token, tokenFromHttp(request.headers, request.query))) {
        return sendError(reply, 401, 'UNAUTHORIZED', 'a valid access token is required (Authorization: Bearer TOKEN)');
      }
    });
  }

  app.get('/api/health', async () => {
    const cameras = deps.cameras.list();
    const info = deps.info();
    return {
      status: 'ok',
      version: info.version,
      uptimeS: Math.round((Date.now() - deps.startedAt) / 1000),
      model: info.model,
      executionProvider: info.executionProvider,
      cameras: { total: cameras.length, live: cameras.filter((c) => c.state === 'live').length },
      shotLog: deps.shotLog ? { database: deps.shotLog.file, runningTakes: deps.shotLog.runningTakes().length, activeAlerts: deps.shotLog.alerts.active().length } : null,
    };
  });

  app.get('/api/cameras', async () => deps.cameras.list());

  /** The health view's figures over the last ~30 s. */
  app.get('/api/stats', async () => deps.stats());

  app.get<{ Params: { id: string } }>('/api/cameras/:id', async (request) => ({
    status: deps.cameras.get(request.params.id).status(),
    config: deps.cameras.publicConfig(request.params.id),
  }));

  app.post('/api/cameras', async (request, reply) => reply.code(201).send(deps.cameras.add(request.body)));

  app.patch<{ Params: { id: string } }>('/api/cameras/:id', async (request) => {
    if (!request.body || typeof request.body !== 'object' || Array.isArray(request.body)) {
      return Promise.reject(Object.assign(new Error('body must be a JSON object of camera fields'), { statusCode: 400 }));
    }
    return deps.cameras.update(request.params.id, request.body as CameraPatch);
  });

  app.delete<{ Params: { id: string } }>('/api/cameras/:id', async (request, reply) => {
    await deps.cameras.remove(request.params.id);
    return reply.code(204).send();
  });

  if (deps.shotLog) registerShotRoutes(app, deps.shotLog);
  registerWhipRoutes(app, deps.cameras, { accessToken: deps.accessToken, publishTokens: deps.publishTokens });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  if (existsSync(deps.webRoot)) {
    await app.register(fastifyStatic, { root: deps.webRoot, index: ['index.html'] });
  } else {
    app.get('/', async (_request, reply) => reply.type('text/plain').send(`The web page is not built (${deps.webRoot} missing): run npm run build:web`));
  }
  return app;
}
