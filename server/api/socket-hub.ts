/**
 * The Socket.IO adapter. Every client gets every camera unless it narrows its
 * subscription. Each client has a bounded queue of readouts: a client that
 * cannot keep up misses readouts (counted) instead of slowing the pipeline or
 * growing memory. Socket.IO's volatile emit is not used because it drops
 * every packet emitted while the previous one is still being written, which
 * loses most readouts of a batch even on a fast client.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { Logger } from '../shared/logger.js';
import { errorMessage, isShotscaleError } from '../errors.js';
import { grants, rolesFor, withArticle, type Access, type Principal } from '../shared/access-roles.js';
import type { Alert, CoverageUpdate, ShotRecord, SlateMark, Take, TakeMark } from '../shared/shots.js';
import { CONNECT_REFUSAL, type CameraStatus, type ClientToServerEvents, type SubscribeAck, type PipelineStats, type Preview, type Readout, type ServerInfo, type ServerToClientEvents, type TakeAck } from '../shared/socket-events.js';
import type { TakeRequest } from '../shots/shot-log.js';
import type { KnownSlate } from '../shots/slate-spelling.js';
import type { FitState } from '../calibration/live-calibration.js';
import type { AccessGuard, RefusalReason } from './access/access-guard.js';
import { cameraSelectionSchema, parseRequest, takeEndSchema, takeRequest, takeStartSchema } from './request-schemas.js';
import { lacksHost, NO_HOST } from './request-parsing.js';
import { visibleText } from '../shared/input-limits.js';
import { RefusalLog } from './refusal-log.js';

/** About 4 s of 16 cameras at 5 fps; past that the client is not keeping up. */
export const MAX_PENDING_READOUTS = 320;

/** What each client-to-server event needs; an event not listed here is never handled. */
export const SOCKET_EVENT_ACCESS = {
  subscribe: 'viewer',
  'preview:subscribe': 'viewer',
  'take:start': 'operator',
  'take:end': 'operator',
} as const satisfies Record<keyof ClientToServerEvents, Access>;

/**
 * Between the nodes of a cluster (through the Socket.IO Redis adapter):
 * events each node's hub hands to its own clients with their per-client
 * budget, rather than broadcasts that would bypass it.
 */
export interface InterServerEvents {
  readout: (readout: Readout) => void;
  /** A preview with its JPEG in base64 (the adapter's requests are JSON). */
  preview: (preview: Omit<Preview, 'jpeg'> & { jpeg: string }) => void;
  /** The cameras whose previews a node's clients want now (null: all); repeated every 2 s while any does. */
  'preview:want': (want: { node: string; cameras: string[] | null }) => void;
  /** A take started or ended on one node: every node splits its own cameras' shots too. */
  'take:start': (request: { scene: string; take: string; cameras: string[] | null; startedAt: number }) => void;
  'take:end': (request: { cameras: string[] | null }) => void;
  /** A camera deleted from the cluster: every node's takes leave it (a take left with none ends). */
  'take:camera-removed': (request: { cameraId: string }) => void;
  /** A take circled, marked NG or cleared (null) on one node: every node marks its own record of it. */
  'take:mark': (request: { scene: string; take: string; mark: TakeMark | null }) => void;
  /** An edit put a shot in a scene and take (take null: the scene alone): every node counts that number as used, and spells the scene so. */
  'take:slated': (slate: KnownSlate) => void;
  /** The cluster's coverage, from the node holding the coverage duty. */
  coverage: (update: CoverageUpdate) => void;
  /** A coverage plan set (or removed: null) on one node: every node sets it too. */
  plan: (change: { scene: string; plan: unknown }) => void;
  /** An alert raised or resolved: the cluster's (by the node judging them) or a node's own (its storage, its engines). */
  alert: (relay: { alert: Alert; from: string; scope: 'cluster' | 'node' }) => void;
  /** An operator dismissed an alert on another node: the node that raised it dismisses it. */
  'alert:dismiss': (request: { key: string }) => void;
  /** A calibration head applied or cleared on one node: every node reads what is applied where. */
  'calibration:applied': () => void;
  /** A calibration fit started or finished on one node: every node's Calibration view shows it. */
  'calibration:fit': (state: FitState) => void;
}

/** A node's preview wants are forgotten this long after its last announcement (it repeats them every 2 s). */
const REMOTE_WANT_TTL_MS = 5000;

export interface SocketHubOptions {
  guard: AccessGuard;
  info: () => ServerInfo;
  cameras: () => CameraStatus[];
  onClientCount: (count: number) => void;
  onReadoutDropped: () => void;
  log: Logger;
  /** In a cluster: the Socket.IO Redis adapter, and this node's id. */
  cluster?: { adapter: ServerOptions['adapter']; nodeId: string };
  /** The shot log's side; absent when shots are off. */
  shots?: {
    snapshot: () => { takes: Take[]; alerts: Alert[]; coverage: CoverageUpdate };
    startTake: (request: TakeRequest) => Take;
    endTake: (cameras: string[] | null) => Take[];
  };
}

interface Client {
  socket: Socket<ClientToServerEvents, ServerToClientEvents>;
  principal: Principal;
  /** null: every camera. */
  cameras: Set<string> | null;
  /** Packets handed to engine.io since its last flush to the transport. */
  pending: number;
  /** Cameras whose previews this client wants; null: all. None by default. */
  previews: Set<string> | null;
}

/**
 * A refusal's code and message, and what the error adds for a client to act
 * on (TAKE_EXISTS: scene, take, next, when): beside code and message, as an
 * HTTP answer has them (README), and in `details` too, which the dashboard reads.
 */
type Refusal = { code: string; message: string; details?: Record<string, unknown>; [detail: string]: unknown };

/** The token of a handshake: auth.token, else ?token= (a repeated one is none). */
function handshakeToken(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  const given = auth?.token ?? socket.handshake.query.token;
  return typeof given === 'string' ? given : undefined;
}

/** The connect_error message of a refusal (CONNECT_REFUSAL). */
function refusalMessage(reason: RefusalReason): string {
  if (reason === 'blocked') return CONNECT_REFUSAL.blocked;
  // Only a publish token is a valid token that may not connect (every other role watches).
  if (reason === 'forbidden') return CONNECT_REFUSAL.publishOnly;
  return reason === 'foreign-page' ? CONNECT_REFUSAL.foreignPage : CONNECT_REFUSAL.unauthorized;
}

const SHOTS_OFF: Refusal = { code: 'BAD_REQUEST', message: 'the shot log is off (shots.enabled: false)' };

export class SocketHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents>;
  private readonly clients = new Map<string, Client>();
  /** In a cluster: the cluster's coverage as last computed by the node with the duty. */
  private clusterCoverage: CoverageUpdate | null = null;
  /** Other nodes' preview wants, by node: cameras (null: all) and when last announced. */
  private readonly remoteWants = new Map<string, { cameras: Set<string> | null; at: number }>();
  private readonly refusals: RefusalLog;
  /** Handshakes refused, per address (there is no token's name to go by): a wall failing to connect, or tokens guessed. */
  private readonly refusedConnections: RefusalLog;

  constructor(httpServer: HttpServer, private readonly options: SocketHubOptions) {
    this.refusals = new RefusalLog(options.log);
    this.refusedConnections = new RefusalLog(options.log, 'connection');
    this.io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents>(httpServer, {
      serveClient: false,
      // A readout is about 300 bytes; nothing legitimate sends more than this.
      maxHttpBufferSize: 64 * 1024,
      // Node is told to let an HTTP/1.1 request without Host through so the API can refuse it in its own shape
      // (refuseWithoutHost); Socket.IO's requests never reach the API, so they are refused here.
      allowRequest: (request, answer) => (lacksHost(request) ? answer(NO_HOST, false) : answer(null, true)),
      ...(options.cluster ? { adapter: options.cluster.adapter } : {}),
    });
    if (options.cluster) this.listenToNodes(options.cluster.nodeId);
    const { guard } = options;
    // Connecting at all needs a viewer; each event then checks its own access.
    this.io.use((socket, next) => {
      const { host, origin } = socket.handshake.headers;
      const address = socket.handshake.address;
      const decision = guard.decide('viewer', handshakeToken(socket), address, 'socket', { host, origin });
      if (!decision.ok) {
        // As HTTP's refusals are logged (http-access.ts), never the token itself.
        if (decision.blockedS !== undefined) options.log.warn(`${address} blocked for ${decision.blockedS} s: too many wrong tokens (every request and connection from it that needs a token is refused TOO_MANY_ATTEMPTS meanwhile)`);
        this.refusedConnections.refused(address, `Socket.IO connection from ${address} refused: ${decision.code} (${decision.reason}): ${decision.message}`);
        return next(Object.assign(new Error(refusalMessage(decision.reason)), { data: { code: decision.code, message: decision.message } }));
      }
      (socket.data as { principal?: Principal }).principal = decision.principal;
      next();
    });
    this.io.on('connection', (socket) => this.connect(socket));
  }

  private connect(socket: Socket<ClientToServerEvents, ServerToClientEvents>): void {
    const { options } = this;
    const principal = (socket.data as { principal: Principal }).principal;
    const client: Client = { socket, principal, cameras: null, pending: 0, previews: new Set() };
    this.clients.set(socket.id, client);
    // engine.io flushes its whole buffer to the transport whenever the transport can take it.
    socket.conn.on('drain', () => {
      client.pending = 0;
    });
    options.onClientCount(this.clients.size);
    socket.emit('hello', { ...options.info(), role: principal.role }, options.cameras());
    const shots = options.shots;
    if (shots) {
      const { takes, alerts, coverage } = shots.snapshot();
      socket.emit('takes', takes);
      // In a cluster the coverage is the cluster's (none yet: nothing is sent until the node with the duty computes it).
      const shown = options.cluster ? this.clusterCoverage : coverage;
      if (shown) socket.emit('coverage', shown);
      for (const alert of alerts) socket.emit('alert', alert);
    }
    const takeAck = (refusal: Refusal): TakeAck => ({ ok: false, error: refusal });
    this.handle(client, 'take:start', takeStartSchema, 'take:start { scene, take?, cameras?, again? }', takeAck, (request) => {
      if (!shots) return takeAck(SHOTS_OFF);
      return { ok: true, takes: [shots.startTake(takeRequest(request))] };
    });
    this.handle(client, 'take:end', takeEndSchema, 'take:end { cameras? }', takeAck, (request) => {
      if (!shots) return takeAck(SHOTS_OFF);
      return { ok: true, takes: shots.endTake(request?.cameras ?? null) };
    });
    // A refused subscription says why, and leaves the one in force (which it names).
    const subscribed = (set: Set<string> | null) => (set ? [...set] : null);
    this.handle(client, 'subscribe', cameraSelectionSchema, 'subscribe (camera ids or null)', (error): SubscribeAck => ({ ok: false, error, subscribed: subscribed(client.cameras) }), (ids): SubscribeAck => {
      client.cameras = ids === null ? null : new Set(ids);
      return { ok: true, subscribed: subscribed(client.cameras) };
    });
    this.handle(client, 'preview:subscribe', cameraSelectionSchema, 'preview:subscribe (camera ids or null)', (error): SubscribeAck => ({ ok: false, error, subscribed: subscribed(client.previews) }), (ids): SubscribeAck => {
      client.previews = ids === null ? null : new Set(ids);
      return { ok: true, subscribed: subscribed(client.previews) };
    });
    // An event no client may send is answered too, so a client waiting on its ack is not left waiting.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && Object.hasOwn(SOCKET_EVENT_ACCESS, event)) return;
      // Direction overrides and other invisible characters written as \uXXXX, in the ack and in the log line.
      const name = visibleText(JSON.stringify(String(event).slice(0, 40)));
      this.refusals.refused(this.clientName(client), `client ${socket.id} (${client.principal.name}): unknown event ${name} refused`);
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ ok: false, error: { code: 'BAD_REQUEST', message: `no event ${name}; a client sends ${Object.keys(SOCKET_EVENT_ACCESS).join(', ')}` } });
    });
    socket.on('disconnect', () => {
      this.clients.delete(socket.id);
      options.onClientCount(this.clients.size);
    });
  }

  /**
   * One client-to-server event: the role first, then the payload against the
   * same schema HTTP uses, then the work; the ack says what happened. Nothing
   * a client sends can throw out of here (an unexpected error is logged and
   * answered INTERNAL), and the payload itself is never written to the log.
   */
  private handle<E extends keyof ClientToServerEvents, S extends z.ZodType, A>(
    client: Client,
    event: E,
    schema: S,
    what: string,
    refused: (refusal: Refusal) => A,
    run: (payload: z.output<S>) => A,
  ): void {
    const { log } = this.options;
    const access = SOCKET_EVENT_ACCESS[event];
    const listener = (...args: unknown[]) => {
      // emit(event, ack) with no payload: socket.io hands the ack over first.
      const ack = args.at(-1);
      const payload = args.length > 1 || typeof ack !== 'function' ? args[0] : undefined;
      let answer: A;
      if (!grants(client.principal.role, access)) {
        answer = refused({ code: 'FORBIDDEN', message: `${event} needs the ${rolesFor(access).join(' or ')} role; this connection is ${withArticle(client.principal.role)}` });
        this.options.guard.countRefusal('socket', 'forbidden');
        this.refusals.refused(this.clientName(client), `client ${client.socket.id} (${client.principal.name}): ${event} refused: role ${client.principal.role}`);
      } else {
        try {
          answer = run(parseRequest(schema, payload, what));
        } catch (error) {
          const known = isShotscaleError(error);
          if (known) this.refusals.refused(this.clientName(client), `client ${client.socket.id} (${client.principal.name}): ${event} refused: ${visibleText(error.message)}`);
          else log.error(`client ${client.socket.id}: ${event} failed: ${error instanceof Error ? (error.stack ?? error.message) : errorMessage(error)}`);
          // Details never replace the code or the message (as in error-reply.ts).
          answer = refused(known ? { ...error.details, code: error.code, message: visibleText(error.message), ...(error.details ? { details: error.details } : {}) } : { code: 'INTERNAL', message: 'an unexpected error; the server log has the details' });
        }
      }
      if (typeof ack === 'function') (ack as (a: A) => void)(answer);
    };
    client.socket.on(event, listener as never);
  }

  /** Who a client is in the refusal log: its token's name and address, the same across its reconnections. */
  private clientName(client: Client): string {
    return `client ${client.principal.name} at ${client.socket.handshake.address}`;
  }

  /** Readouts, previews and preview wants from the other nodes of the cluster. */
  private listenToNodes(nodeId: string): void {
    this.io.on('readout', (readout) => this.deliverReadout(readout));
    this.io.on('preview', (preview) => this.deliverPreview({ ...preview, jpeg: Buffer.from(preview.jpeg, 'base64') }));
    this.io.on('coverage', (update) => this.deliverClusterCoverage(update));
    this.io.on('preview:want', (want) => {
      if (want.node === nodeId) return;
      this.remoteWants.set(want.node, { cameras: want.cameras ? new Set(want.cameras) : null, at: Date.now() });
    });
  }

  /** In a cluster: tells the other nodes which previews this node's clients want (called every 2 s). */
  announcePreviewWants(): void {
    const { cluster } = this.options;
    if (!cluster) return;
    let all = false;
    const cameras = new Set<string>();
    for (const client of this.clients.values()) {
      if (!client.previews) all = true;
      else for (const id of client.previews) cameras.add(id);
    }
    if (!all && !cameras.size) return;
    this.io.serverSideEmit('preview:want', { node: cluster.nodeId, cameras: all ? null : [...cameras] });
  }

  /** In a cluster, on the node with the coverage duty: the cluster's coverage to every client of every node. */
  clusterCoverageUpdate(update: CoverageUpdate): void {
    this.deliverClusterCoverage(update);
    this.io.serverSideEmit('coverage', update);
  }

  private deliverClusterCoverage(update: CoverageUpdate): void {
    this.clusterCoverage = update;
    this.io.local.emit('coverage', update);
  }

  /** The cluster's coverage as last received (null before the first, or on a single node). */
  latestClusterCoverage(): CoverageUpdate | null {
    return this.clusterCoverage;
  }

  readout(readout: Readout): void {
    this.deliverReadout(readout);
    if (this.options.cluster) this.io.serverSideEmit('readout', readout);
  }

  private deliverReadout(readout: Readout): void {
    for (const client of this.clients.values()) {
      if (client.cameras && !client.cameras.has(readout.cameraId)) continue;
      if (client.pending >= MAX_PENDING_READOUTS) {
        this.options.onReadoutDropped();
        continue;
      }
      client.pending += 1;
      client.socket.emit('readout', readout);
    }
  }

  /** Whether any client, on this node or another, wants this camera's previews (so the server need not encode them). */
  wantsPreview(cameraId: string): boolean {
    for (const client of this.clients.values()) if (!client.previews || client.previews.has(cameraId)) return true;
    const now = Date.now();
    for (const [node, want] of this.remoteWants) {
      if (now - want.at > REMOTE_WANT_TTL_MS) this.remoteWants.delete(node);
      else if (!want.cameras || want.cameras.has(cameraId)) return true;
    }
    return false;
  }

  preview(preview: Preview): void {
    this.deliverPreview(preview);
    if (this.options.cluster && this.remoteWants.size) this.io.serverSideEmit('preview', { ...preview, jpeg: Buffer.from(preview.jpeg as Uint8Array).toString('base64') });
  }

  /** Previews share the readouts' budget per client: a slow client misses previews first. */
  private deliverPreview(preview: Preview): void {
    for (const client of this.clients.values()) {
      if (client.previews && !client.previews.has(preview.cameraId)) continue;
      if (client.pending >= MAX_PENDING_READOUTS / 2) continue;
      client.pending += 1;
      client.socket.emit('preview', preview);
    }
  }

  // Camera statuses, removals and shots reach every client of the cluster
  // (io.emit goes through the Redis adapter; shot ids are unique over the
  // cluster). Takes (started on every node alike) and stats are each node's
  // own (the Health view lists the nodes from /api/health); in a cluster the
  // coverage and the alerts are relayed by ClusterShotSync and ClusterAlerts.

  /** Each node's own figures. */
  stats(stats: PipelineStats): void {
    this.io.local.emit('stats', stats);
  }

  status(status: CameraStatus): void {
    this.io.emit('camera:status', status);
  }

  shot(shot: ShotRecord): void {
    this.io.emit('shot', shot);
  }

  takes(running: Take[]): void {
    this.io.local.emit('takes', running);
  }

  /** Each node tells its own clients: in a cluster every node marks its own record of the take, and says so then. */
  takeMark(change: SlateMark): void {
    this.io.local.emit('take:mark', change);
  }

  coverage(update: CoverageUpdate): void {
    this.io.local.emit('coverage', update);
  }

  alert(alert: Alert): void {
    this.io.local.emit('alert', alert);
  }

  /** Each node tells its own clients: in a cluster every node applies the change to its log, and says so then. */
  planChanged(scene: string): void {
    this.io.local.emit('plan:changed', { scene });
  }

  removed(cameraId: string): void {
    this.io.emit('camera:removed', { cameraId });
  }

  async close(): Promise<void> {
    this.refusals.closeAll();
    this.refusedConnections.closeAll();
    await new Promise<void>((resolve) => {
      void this.io.close(() => resolve());
    });
  }
}
