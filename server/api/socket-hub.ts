/**
 * The Socket.IO adapter. Every client gets every camera unless it narrows its
 * subscription. Readouts are volatile: a client that cannot keep up misses
 * readouts instead of slowing the pipeline or growing a queue.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Logger } from '../shared/logger.js';
import type { CameraStatus, ClientToServerEvents, Readout, ServerInfo, ServerToClientEvents } from '../shared/socket-events.js';
import { tokenMatches } from './access-token.js';

const ALL_ROOM = 'all';
const cameraRoom = (cameraId: string) => `camera:${cameraId}`;

export interface SocketHubOptions {
  accessToken: string | null;
  info: () => ServerInfo;
  cameras: () => CameraStatus[];
  onClientCount: (count: number) => void;
  log: Logger;
}

export class SocketHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;

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
      options.onClientCount(this.io.engine.clientsCount);
      void socket.join(ALL_ROOM);
      socket.emit('hello', options.info(), options.cameras());
      socket.on('subscribe', (cameraIds, ack) => {
        // Malformed messages are answered with the subscription in force, never thrown.
        const valid = cameraIds === null || (Array.isArray(cameraIds) && cameraIds.every((id) => typeof id === 'string'));
        if (valid) {
          for (const room of socket.rooms) if (room !== socket.id) void socket.leave(room);
          if (cameraIds === null) void socket.join(ALL_ROOM);
          else for (const id of cameraIds) void socket.join(cameraRoom(id));
        } else {
          log.warn(`client ${socket.id}: ignored malformed subscribe (${JSON.stringify(cameraIds)?.slice(0, 100)})`);
        }
        if (typeof ack === 'function') {
          const rooms = [...socket.rooms].filter((r) => r !== socket.id);
          ack(rooms.includes(ALL_ROOM) ? null : rooms.map((r) => r.slice('camera:'.length)));
        }
      });
      socket.on('disconnect', () => options.onClientCount(this.io.engine.clientsCount));
    });
  }

  readout(readout: Readout): void {
    this.io.to([ALL_ROOM, cameraRoom(readout.cameraId)]).volatile.emit('readout', readout);
  }

  status(status: CameraStatus): void {
    this.io.emit('camera:status', status);
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
