/**
 * Reactive live state of the status page: the server's info and, per camera,
 * its latest status and readout. Plain methods apply the server's events, so
 * the transport (./connection.ts) stays separate and this can grow into the
 * full dashboard's store.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { CameraStatus, Readout, ServerInfo } from '../../../server/shared/socket-events.js';

export type ConnectionState =
  /** First attempt under way. */
  | 'connecting'
  | 'connected'
  /** Lost or refused; Socket.IO is retrying. */
  | 'reconnecting'
  /** The server refused the token (or none was given): waiting for one. */
  | 'unauthorized';

/** A readout older than this (ms, by local receive time) is shown as stale. */
export const STALE_READOUT_MS = 3000;

export class CameraEntry {
  /** Latest status; replaced wholesale on every `camera:status`. */
  status: CameraStatus;
  /** Latest readout, or null until the first arrives. */
  readout: Readout | null = $state.raw(null);
  /** Local epoch ms at which `readout` arrived. */
  readoutAt = $state(0);

  constructor(status: CameraStatus) {
    this.status = $state.raw(status);
  }

  get id(): string {
    return this.status.cameraId;
  }
}

function byName(a: CameraEntry, b: CameraEntry): number {
  return a.status.name.localeCompare(b.status.name) || a.id.localeCompare(b.id);
}

export class LiveState {
  connection: ConnectionState = $state('connecting');
  /** Last connection error in words, cleared on connect. */
  connectionError: string | null = $state(null);
  /** From `hello`; null until the first one. */
  server: ServerInfo | null = $state.raw(null);
  /** Every known camera, by id. */
  readonly cameras = new SvelteMap<string, CameraEntry>();
  /** Local clock, ticked by the connection so ages and staleness update. */
  now = $state(Date.now());
  /** Readouts dropped because their camera was unknown (not rendered). */
  droppedReadouts = 0;

  /** Cameras sorted by name, then id. */
  readonly list: CameraEntry[] = $derived([...this.cameras.values()].sort(byName));
  readonly liveCount: number = $derived(this.list.filter((c) => c.status.state === 'live').length);

  /** `hello`: the server's info and the full camera set (also after a reconnect). */
  hello(info: ServerInfo, cameras: readonly CameraStatus[]): void {
    this.server = info;
    const seen = new Set<string>();
    for (const status of cameras) {
      seen.add(status.cameraId);
      this.status(status);
    }
    for (const id of [...this.cameras.keys()]) {
      if (!seen.has(id)) this.cameras.delete(id);
    }
  }

  /** `camera:status`: updates a camera, adding it if new. */
  status(status: CameraStatus): void {
    const entry = this.cameras.get(status.cameraId);
    if (entry) entry.status = status;
    else this.cameras.set(status.cameraId, new CameraEntry(status));
  }

  /**
   * `readout`: stores it as its camera's latest. A readout for a camera not
   * (yet) known is dropped; returns whether it was kept.
   */
  readout(readout: Readout, receivedAt = Date.now()): boolean {
    const entry = this.cameras.get(readout.cameraId);
    if (!entry) {
      this.droppedReadouts++;
      return false;
    }
    entry.readout = readout;
    entry.readoutAt = receivedAt;
    return true;
  }

  /** `camera:removed`. */
  removed(cameraId: string): void {
    this.cameras.delete(cameraId);
  }

  /** Whether a camera's latest readout is missing or older than STALE_READOUT_MS. */
  isStale(entry: CameraEntry): boolean {
    return !entry.readout || this.now - entry.readoutAt > STALE_READOUT_MS;
  }
}
