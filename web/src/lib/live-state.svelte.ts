/**
 * Reactive live state of the dashboard: the server's info; per camera its
 * status, latest readout, preview and recent shots; the running takes,
 * coverage, alerts and pipeline figures. Plain methods apply the server's
 * events, so the transport (./connection.ts) stays separate and every method
 * is unit-tested under node.
 */
import { SvelteMap } from 'svelte/reactivity';
import { grants, type Access } from '../../../server/shared/access-roles.js';
import type { Alert, CoverageUpdate, ShotRecord, SlateMark, Take } from '../../../server/shared/shots.js';
import type { CameraState, CameraStatus, PipelineStats, Preview, Readout, ServerInfo } from '../../../server/shared/socket-events.js';

export type ConnectionState =
  /** First attempt under way. */
  | 'connecting'
  | 'connected'
  /** Lost or refused; Socket.IO is retrying. */
  | 'reconnecting'
  /** The server refused the token (or none was given): waiting for one. */
  | 'unauthorized'
  /** The server, which has no token, refuses this page (connectionError says why): nothing here can change that. */
  | 'refused'
  /** The token may only publish (a publish token): no status feed; the page offers the Publish view alone. */
  | 'publishOnly';

/** A readout older than this (ms, by local receive time) is shown as stale. */
export const STALE_READOUT_MS = 3000;

/** How much shot history each camera keeps for its timeline. */
export const TIMELINE_WINDOW_MS = 10 * 60 * 1000;

/** Most shots kept per camera (a cut every frame would otherwise grow it). */
export const MAX_SHOTS_PER_CAMERA = 400;

/** Most take marks kept in `takeMarks.recent`: a view that missed more lists its shots again. */
export const MAX_RECENT_TAKE_MARKS = 50;

/** The take marks heard (`take:mark`): how many since the page opened, and the latest, oldest first. */
export interface TakeMarksHeard {
  count: number;
  recent: readonly SlateMark[];
}

/**
 * The marks heard since a view had heard `seen` of them, oldest first; null
 * when more came than are kept (the view lists its shots again instead).
 */
export function marksSince(heard: TakeMarksHeard, seen: number): readonly SlateMark[] | null {
  const missed = heard.count - seen;
  if (missed <= 0) return [];
  return missed > heard.recent.length ? null : heard.recent.slice(-missed);
}

/** The views of the dashboard, in tab order. */
export const VIEWS = ['wall', 'shots', 'coverage', 'calibration', 'health', 'cameras', 'publish'] as const;
export type View = (typeof VIEWS)[number];

/** A camera preview ready for an <img>: an object URL the state revokes when replaced. */
export interface PreviewImage {
  url: string;
  captureTime: number;
  width: number;
  height: number;
}

/**
 * States in which the camera's last readout still stands for its scale: live,
 * and stalled (often a moment; its readout ages into the stale look, greyed,
 * and the wall does not flicker). Every other state has no picture now
 * (restarting, failed, stopped, waiting, gone, starting).
 */
export const SCALE_SHOWN_STATES: readonly CameraState[] = ['live', 'stalled'];

/** What a tile shows in place of the scale when the camera has none now. */
export interface HiddenScale {
  /** In the scale's place: "disabled", or "—". */
  text: string;
  /** Why, in words ("no scale: the camera is failed"). */
  why: string;
  /** Why, and the last label read (for a title or tooltip). */
  title: string;
}

/**
 * Null while the last readout is the camera's scale; otherwise what to draw
 * instead: a dead or disabled camera keeps no label nor confidence on the wall.
 * `lastLabel` is the last label read, if any, named in the title.
 */
export function hiddenScale(status: Pick<CameraStatus, 'enabled' | 'state'>, lastLabel: string | null = null): HiddenScale | null {
  if (status.enabled && SCALE_SHOWN_STATES.includes(status.state)) return null;
  const why = status.enabled ? `no scale: the camera is ${status.state}` : 'no scale: the camera is disabled';
  return { text: status.enabled ? '—' : 'disabled', why, title: lastLabel ? `${why} (last read: ${lastLabel})` : why };
}

export class CameraEntry {
  /** Latest status; replaced wholesale on every `camera:status`. */
  status: CameraStatus;
  /** Latest readout, or null until the first arrives. */
  readout: Readout | null = $state.raw(null);
  /** Local epoch ms at which `readout` arrived. */
  readoutAt = $state(0);
  /** Latest preview, or null (none asked for, or none yet). */
  preview: PreviewImage | null = $state.raw(null);
  /** Recent shots, oldest first, the open one last; replaced on every change. */
  shots: ShotRecord[] = $state.raw([]);

  constructor(status: CameraStatus) {
    this.status = $state.raw(status);
  }

  get id(): string {
    return this.status.cameraId;
  }

  /**
   * The preview as the camera's live picture: null when it is older than the
   * latest readout by more than PREVIEW_BEHIND_MS. Previews come only while a
   * view shows the camera, readouts always: back on the wall after another
   * view, the last preview is minutes old until the next one comes, and a
   * correction would name that picture, long gone from the server.
   */
  get livePreview(): PreviewImage | null {
    const preview = this.preview;
    if (!preview || !this.readout) return preview;
    return preview.captureTime >= this.readout.captureTime - PREVIEW_BEHIND_MS ? preview : null;
  }
}

/** How far a preview may lag the camera's latest readout and still be shown as its live picture (previews come at 2 a second by default). */
export const PREVIEW_BEHIND_MS = 3000;

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

function bySeverity(a: Alert, b: Alert): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.since - b.since;
}

export class LiveState {
  connection: ConnectionState = $state('connecting');
  /** Last connection error in words, cleared on connect. */
  connectionError: string | null = $state(null);
  /**
   * When the page last heard the server (epoch ms, any event), or null before
   * anything: not reactive, it moves with every readout; `lost` keeps it.
   */
  heardAt: number | null = null;
  /**
   * While not connected, when the page last heard the server (null before
   * anything, and while connected): what it shows is as of then. Kept from
   * the last word, not the moment the loss was noticed: a network drop is
   * noticed only when the pings time out, seconds later.
   */
  lastHeardAt: number | null = $state(null);
  /** From `hello`; null until the first one. */
  server: ServerInfo | null = $state.raw(null);
  /** Every known camera, by id. */
  readonly cameras = new SvelteMap<string, CameraEntry>();
  /** Local clock, ticked by the connection so ages and staleness update. */
  now = $state(Date.now());
  /** Readouts dropped because their camera was unknown (not rendered). */
  droppedReadouts = 0;
  /** Takes running now. */
  takes: Take[] = $state.raw([]);
  /** Latest coverage, or null before the first. */
  coverage: CoverageUpdate | null = $state.raw(null);
  /**
   * Counts the coverage plan changes the server announced (any client's
   * save or delete), and a reconnection, after which plans may have changed
   * unseen: whoever shows plans reads them again when it moves.
   */
  planChanges = $state(0);
  /**
   * Takes circled, marked NG or cleared (`take:mark`): a view that lists
   * shots puts each on its shots of that scene and take (marksSince).
   */
  takeMarks: TakeMarksHeard = $state.raw({ count: 0, recent: [] });
  /** Counts the server's hellos (connects and reconnects): a view may have missed changes while away. */
  connections = $state(0);
  /** Active alerts by key. */
  readonly alerts = new SvelteMap<string, Alert>();
  /** Alerts resolved lately, newest first (a short history for the list). */
  resolvedAlerts: Alert[] = $state.raw([]);
  /** Latest pipeline figures, or null before the first. */
  stats: PipelineStats | null = $state.raw(null);
  /** When the latest figures came (epoch ms), or null before the first: figures kept past a lost connection are not live. */
  statsAt: number | null = $state(null);
  /** The camera shown large, or null for the whole wall. */
  focused: string | null = $state(null);
  view: View = $state('wall');
  /** Taxonomy the scales are shown in: canonical, six, movieshots (5) or three. */
  taxonomy = $state('canonical');
  /** Makes object URLs for previews; replaced in tests (no URL.createObjectURL in node). */
  makeUrl: (bytes: ArrayBuffer | Uint8Array) => string = (bytes) => URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/jpeg' }));
  revokeUrl: (url: string) => void = (url) => URL.revokeObjectURL(url);

  /**
   * Camera ids in the order the server lists them (its config file's; a
   * camera added since goes last). Never by name: a vision mixer works by
   * position, and sorted by name a rename moved every tile on the wall and
   * gave the 1-9 keys to other cameras mid-show.
   */
  private order: string[] = $state.raw([]);
  /** Every known camera, in the server's order (see `order`). */
  readonly list: CameraEntry[] = $derived(this.order.flatMap((id) => this.cameras.get(id) ?? []));
  readonly liveCount: number = $derived(this.list.filter((c) => c.status.state === 'live').length);


  /**
   * Whether this connection's role may do what needs `access` (the server
   * refuses it anyway; the page just does not offer it). A server that does
   * not say is an older one, without roles.
   */
  may(access: Access): boolean {
    return grants(this.server?.role ?? 'admin', access);
  }

  /** Any event from the server. */
  heard(at = Date.now()): void {
    this.heardAt = at;
  }

  /** The connection is lost (or a reconnection failed): what the page holds is as of the last word heard. */
  lost(): void {
    this.lastHeardAt = this.heardAt;
  }

  /** Connected (again): live. */
  found(): void {
    this.lastHeardAt = null;
  }

  /**
   * `hello`: the server's info and the full camera set (also after a
   * reconnect). The active alerts are dropped too: the server sends each of
   * its own right after (socket-hub.ts emits `hello`, then `takes`,
   * `coverage` and every active `alert`). Kept, a restarted server's page
   * went on showing the old process's alerts ("has no picture", its since
   * counting), which Dismiss then could not find ("no active alert").
   */
  hello(info: ServerInfo, cameras: readonly CameraStatus[]): void {
    this.server = info;
    this.connections += 1;
    this.alerts.clear();
    const seen = new Set<string>();
    for (const status of cameras) {
      seen.add(status.cameraId);
      this.status(status);
    }
    for (const id of [...this.cameras.keys()]) {
      if (!seen.has(id)) this.cameras.delete(id);
    }
    // The server's order again: cameras removed and added while the page was away take their places.
    this.order = [...seen];
  }

  /** `camera:status`: updates a camera, adding it if new. */
  status(status: CameraStatus): void {
    const entry = this.cameras.get(status.cameraId);
    if (entry) {
      entry.status = status;
      return;
    }
    this.cameras.set(status.cameraId, new CameraEntry(status));
    this.order = [...this.order, status.cameraId];
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

  /** Active alerts, most severe first, then oldest (reactive: reads the alert map). */
  get activeAlerts(): Alert[] {
    return [...this.alerts.values()].sort(bySeverity);
  }

  /** `camera:removed`. */
  removed(cameraId: string): void {
    const entry = this.cameras.get(cameraId);
    if (entry?.preview) this.revokeUrl(entry.preview.url);
    this.cameras.delete(cameraId);
    this.order = this.order.filter((id) => id !== cameraId);
    if (this.focused === cameraId) this.focused = null;
  }

  /** `preview`: the camera's new picture; the previous object URL is released. */
  previewed(preview: Preview): void {
    const entry = this.cameras.get(preview.cameraId);
    if (!entry) return;
    const old = entry.preview;
    entry.preview = { url: this.makeUrl(preview.jpeg), captureTime: preview.captureTime, width: preview.width, height: preview.height };
    if (old) this.revokeUrl(old.url);
  }

  /**
   * `shot` (or a shot from GET /api/shots): replaces the camera's shot with
   * that id, or adds it in time order; keeps TIMELINE_WINDOW_MS of history.
   */
  shot(shot: ShotRecord, now = Date.now()): void {
    const entry = this.cameras.get(shot.cameraId);
    if (!entry) return;
    const shots = entry.shots.filter((s) => s.id !== shot.id && s.outTime > now - TIMELINE_WINDOW_MS);
    let at = shots.length;
    while (at > 0 && shots[at - 1]!.inTime > shot.inTime) at--;
    shots.splice(at, 0, shot);
    entry.shots = shots.slice(-MAX_SHOTS_PER_CAMERA);
  }

  /** `takes`. */
  setTakes(running: Take[]): void {
    this.takes = running;
  }

  /** `take:mark`. */
  takeMarked(change: SlateMark): void {
    this.takeMarks = { count: this.takeMarks.count + 1, recent: [...this.takeMarks.recent, change].slice(-MAX_RECENT_TAKE_MARKS) };
  }

  /** `coverage`. */
  setCoverage(update: CoverageUpdate): void {
    this.coverage = update;
  }

  /** `plan:changed`, or a new connection (`hello`). */
  plansChanged(): void {
    this.planChanges += 1;
  }

  /** `alert`: raised (active) or resolved (moved to the short history). */
  alert(alert: Alert): void {
    if (alert.resolvedAt === null) {
      this.alerts.set(alert.key, alert);
      return;
    }
    this.alerts.delete(alert.key);
    this.resolvedAlerts = [alert, ...this.resolvedAlerts.filter((a) => !(a.key === alert.key && a.since === alert.since))].slice(0, 50);
  }

  /** `stats`. */
  setStats(stats: PipelineStats, receivedAt = Date.now()): void {
    this.stats = stats;
    this.statsAt = receivedAt;
  }

  /** The take a camera is in now, if any. */
  takeOf(cameraId: string): Take | null {
    // A take on every camera runs on none it has left (a take was started or ended there alone).
    return this.takes.filter((t) => (t.cameras ? t.cameras.includes(cameraId) : !t.exceptCameras.includes(cameraId))).at(-1) ?? null;
  }

  /** Whether a camera's latest readout is missing or older than STALE_READOUT_MS. */
  isStale(entry: CameraEntry): boolean {
    return !entry.readout || this.now - entry.readoutAt > STALE_READOUT_MS;
  }
}
