/**
 * The Socket.IO adapter. Every client gets every camera unless it narrows its
 * subscription. Each client has a bounded queue of readouts: a client that
 * cannot keep up misses readouts (counted) instead of slowing the pipeline or
 * growing memory. Socket.IO's volatile emit is not used because it drops
 * every packet emitted while the previous one is still being written, which
 * loses most readouts of a batch even on a fast client.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Logger } from '../shared/logger.js';
import { errorMessage, isShotscaleError } from '../errors.js';
import type { Alert, CoverageUpdate, ShotRecord, Take } from '../shared/shots.js';
import type { CameraStatus, ClientToServerEvents, PipelineStats, Preview, Readout, ServerInfo, ServerToClientEvents, TakeAck, TakeStartRequest } from '../shared/socket-events.js';
import { tokenMatches } from './access-token.js';

/** About 4 s of 16 cameras at 5 fps; past that the client is not keeping up. */
export const MAX_PENDING_READOUTS = 320;

export interface SocketHubOptions {
  accessToken: string | null;
  info: () => ServerInfo;
  cameras: () => CameraStatus[];
  onClientCount: (count: number) => void;
  onReadoutDropped: () => void;
  log: Logger;
  /** The shot log's side; absent when shots are off. */
  shots?: {
    snapshot: () => { takes: Take[]; alerts: Alert[]; coverage: CoverageUpdate };
    startTake: (request: TakeStartRequest) => Take;
    endTake: (cameras: string[] | null) => Take[];
  };
}

/** Runs a take command for a client: a bad request is answered, never thrown. */
function answer(run: () => Take[]): TakeAck {
  try {
    return { ok: true, takes: run() };
  } catch (error) {
    return { ok: false, error: { code: isShotscaleError(error) ? error.code : 'BAD_REQUEST', message: errorMessage(error) } };
  }
}

interface Client {
  socket: Socket<ClientToServerEvents, ServerToClientEvents>;
  /** null: every camera. */
  cameras: Set<string> | null;
  /** Packets handed to engine.io since its last flush to the transport. */
  pending: number;
  /** Cameras whose previews this client wants; null: all. None by default. */
  previews: Set<string> | null;
}

export class SocketHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly clients = new Map<string, Client>();

  constructor(httpServer: HttpServer, private readonly options: SocketHubOptions) {
    this.io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
      serveClient: false,
      // A readout is about 300 bytes; nothing legitimate sends more than this.
      maxHttpBufferSize: 64 * 1024,
    });
    const { accessToken, log } = options;
    if (accessToken) {
      this.io.use((socket, next) => {
        const auth = socket.handshake.auth as { token?: unknown } | undefined;
        if (tokenMatches(accessToken, auth?.token ?? socket.handshake.query.token)) return next();
        next(new Error('unauthorized'));
      });
    }
    this.io.on('connection', (socket) => {
      const client: Client = { socket, cameras: null, pending: 0, previews: new Set() };
      this.clients.set(socket.id, client);
      // engine.io flushes its whole buffer to the transport whenever the transport can take it.
      socket.conn.on('drain', () => {
        client.pending = 0;
      });
      options.onClientCount(this.clients.size);
      socket.emit('hello', options.info(), options.cameras());
      if (options.shots) {
        const { takes, alerts, coverage } = options.shots.snapshot();
        socket.emit('takes', takes);
        socket.emit('coverage', coverage);
        for (const alert of alerts) socket.emit('alert', alert);
      }
      const shots = options.shots;
      socket.on('take:start', (request, ack) => {
        const result: TakeAck = shots
          ? answer(() => {
              if (!request || typeof request !== 'object') throw new Error('take:start needs { scene, take?, cameras? }');
              return [shots.startTake(request)];
            })
          : { ok: false, error: { code: 'BAD_REQUEST', message: 'the shot log is off (shots.enabled: false)' } };
        if (result.ok === false) log.warn(`client ${socket.id}: take:start refused: ${result.error.message}`);
        if (typeof ack === 'function') ack(result);
      });
      socket.on('take:end', (request, ack) => {
        const cameras = request && typeof request === 'object' && Array.isArray(request.cameras) ? request.cameras.filter((c) => typeof c === 'string') : null;
        const result: TakeAck = shots ? answer(() => shots.endTake(cameras)) : { ok: false, error: { code: 'BAD_REQUEST', message: 'the shot log is off (shots.enabled: false)' } };
        if (typeof ack === 'function') ack(result);
      });
      socket.on('subscribe', (cameraIds, ack) => {
        // Malformed messages are answered with the subscription in force, never thrown.
        if (cameraIds === null) client.cameras = null;
        else if (Array.isArray(cameraIds) && cameraIds.every((id) => typeof id === 'string')) client.cameras = new Set(cameraIds);
        else log.warn(`client ${socket.id}: ignored malformed subscribe (${String(JSON.stringify(cameraIds)).slice(0, 100)})`);
        if (typeof ack === 'function') ack(client.cameras ? [...client.cameras] : null);
      });
      socket.on('preview:subscribe', (cameraIds, ack) => {
        if (cameraIds === null) client.previews = null;
        else if (Array.isArray(cameraIds) && cameraIds.every((id) => typeof id === 'string')) client.previews = new Set(cameraIds);
        else log.warn(`client ${socket.id}: ignored malformed preview:subscribe (${String(JSON.stringify(cameraIds)).slice(0, 100)})`);
        if (typeof ack === 'function') ack(client.previews ? [...client.previews] : null);
      });
      socket.on('disconnect', () => {
        this.clients.delete(socket.id);
        options.onClientCount(this.clients.size);
      });
    });
  }

  readout(readout: Readout): void {
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

  /** Whether any client wants this camera's previews (so the server need not encode them). */
  wantsPreview(cameraId: string): boolean {
    for (const client of this.clients.values()) if (!client.previews || client.previews.has(cameraId)) return true;
    return false;
  }

  /** Previews share the readouts' budget per client: a slow client misses previews first. */
  preview(preview: Preview): void {
    for (const client of this.clients.values()) {
      if (client.previews && !client.previews.has(preview.cameraId)) continue;
      if (client.pending >= MAX_PENDING_READOUTS / 2) continue;
      client.pending += 1;
      client.socket.emit('preview', preview);
    }
  }

  stats(stats: PipelineStats): void {
    this.io.emit('stats', stats);
  }

  status(status: CameraStatus): void {
    this.io.emit('camera:status', status);
  }

  shot(shot: ShotRecord): void {
    this.io.emit('shot', shot);
  }

  takes(running: Take[]): void {
    this.io.emit('takes', running);
  }

  coverage(update: CoverageUpdate): void {
    this.io.emit('coverage', update);
  }

  alert(alert: Alert): void {
    this.io.emit('alert', alert);
  }

  removed(cameraId: string): void {
    this.io.emit('camera:removed', { cameraId });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      void this.io.close(() => resolve());
    });
  }
}
