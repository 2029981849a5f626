/**
 * One connected Socket.IO client that sends fuzz packets verbatim through its
 * engine and watches what comes back. After every case it sends a probe
 * (`preview:subscribe([])` with an ack): socket.io handles a connection's
 * packets in order, so once the probe's ack is in, every ack the case was
 * owed is in too, and a case that broke the connection shows as a
 * disconnect before it. The probe also turns previews off again, so a
 * fuzzed `preview:subscribe(null)` does not leave the server encoding JPEGs.
 */
import { io, type Socket } from 'socket.io-client';
import type { Frame, LaneRole } from './socket-cases.js';

/** socket.io's ACK packet types: ACK and BINARY_ACK. */
const ACK_TYPES = new Set([3, 6]);

export interface LaneResult {
  /** Ack id -> the ack's arguments. */
  acks: Map<number, unknown[]>;
  disconnected: string | null;
  /** The probe found no answer in time on a connection still open. */
  timedOut: boolean;
}

interface EngineWithTransport {
  send(data: string | Buffer): void;
  transport?: { ws?: { send(data: string | Buffer): void } };
}

export class SocketLane {
  private acks = new Map<number, unknown[]>();
  private disconnected: string | null = null;
  private wake: (() => void) | null = null;

  private constructor(
    readonly role: LaneRole,
    private readonly client: Socket,
    private readonly nextAckId: () => number,
  ) {
    client.io.on('packet', (packet: { type: number; id?: number; data?: unknown }) => {
      if (!ACK_TYPES.has(packet.type) || packet.id === undefined) return;
      this.acks.set(packet.id, Array.isArray(packet.data) ? packet.data : [packet.data]);
      this.wake?.();
    });
    client.on('disconnect', (reason) => {
      this.disconnected = String(reason);
      this.wake?.();
    });
  }

  /** Connects with `token` and waits for the hello. */
  static open(url: string, role: LaneRole, token: string, nextAckId: () => number, timeoutMs: number): Promise<SocketLane> {
    const client = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token }, timeout: timeoutMs });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`${role} lane: no hello within ${timeoutMs} ms`));
      }, timeoutMs);
      client.once('hello', () => {
        clearTimeout(timer);
        resolve(new SocketLane(role, client, nextAckId));
      });
      client.once('connect_error', (error) => {
        clearTimeout(timer);
        client.close();
        reject(new Error(`${role} lane: ${error.message}`));
      });
    });
  }

  get open(): boolean {
    return this.disconnected === null;
  }

  /** Sends the frames, then the probe; resolves once the probe is answered, the connection drops, or `timeoutMs` passes. */
  async run(frames: Frame[], timeoutMs: number): Promise<LaneResult> {
    this.acks = new Map();
    const engine = this.client.io.engine as unknown as EngineWithTransport;
    for (const frame of frames) {
      if (!this.open) break;
      if (frame.via === 'engine') engine.send(frame.data);
      else engine.transport?.ws?.send(frame.data);
    }
    const probe = this.nextAckId();
    if (this.open) engine.send(`2${probe}["preview:subscribe",[]]`);
    const deadline = Date.now() + timeoutMs;
    while (this.open && !this.acks.has(probe) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      this.wake = null;
    }
    const timedOut = this.open && !this.acks.has(probe);
    this.acks.delete(probe);
    return { acks: this.acks, disconnected: this.disconnected, timedOut };
  }

  /** Closes the connection; the lane counts as disconnected from now on. */
  close(): void {
    this.disconnected ??= 'closed by the fuzzer';
    this.client.close();
  }
}
