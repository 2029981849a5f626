/**
 * Alerts for the vision mixer and the script supervisor: cameras doubling up
 * on the same framing, a camera stuck on one framing, a feed with no picture,
 * a take that ended with planned framings missing, a take a server restart
 * cut into, a shot log that cannot be written.
 *
 * Pure and clock-free: the server feeds it camera statuses, readouts and take
 * ends with their times and calls tick(now) every second; every rule is
 * decided from those times alone, so a test can script any sequence. An alert
 * is announced through onAlert when it becomes active and once more, with
 * resolvedAt set, when it clears.
 */
import { z } from 'zod';
import { cameraIdSchema } from '../config/camera-id.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';
import type { Alert, AlertKind, PlanItemStatus } from '../shared/shots.js';
import type { CameraState, CameraStatus, NoPicture, PictureState } from '../shared/socket-events.js';

export const alertSettingsSchema = z.strictObject({
  doublingS: z.number().min(0).default(10).describe('Two or more live cameras on the same scale for longer than this raise a doubling alert'),
  doublingIgnore: z
    .array(z.enum(CANONICAL_SCALES))
    .default([])
    .describe('Scales that never count as doubling (e.g. [EWS] when two wides are normal)'),
  doublingCameras: z
    .array(cameraIdSchema)
    .nullable()
    .default(null)
    .describe('Cameras checked for doubling; null: all (leave out a clean feed or a locked-off wide)'),
  stuckS: z
    .number()
    .positive()
    .nullable()
    .default(300)
    .describe('A camera on one scale for longer than this raises an info alert; null: never'),
  stalledS: z
    .number()
    .min(0)
    .default(3)
    .describe('A camera stalled, restarting or failed for longer than this raises a critical alert'),
  noPictureS: z
    .number()
    .min(0)
    .nullable()
    .default(5)
    .describe('A live camera sending one flat colour (black, white, a plain colour: no signal or a capped lens) for longer than this raises a warning; null: never'),
  frozenS: z
    .number()
    .min(0)
    .nullable()
    .default(10)
    .describe('A live camera whose picture has not changed (but for what a lossy encoder alters) for longer than this raises a warning (a capture card or decoder holding its last frame, or a still picture such as bars); null: never'),
});

export type AlertSettings = z.infer<typeof alertSettingsSchema>;
export type AlertSettingsInput = z.input<typeof alertSettingsSchema>;
export type AlertListener = (alert: Alert) => void;

/** States with no picture. 'starting' is not one (a fresh camera), but does not end an outage either. */
const DOWN_STATES: readonly CameraState[] = ['stalled', 'restarting', 'failed', 'gone'];

const SEVERITY_ORDER: Record<Alert['severity'], number> = { critical: 0, warning: 1, info: 2 };

interface CameraTrack {
  name: string;
  /** null: no status seen yet; such a camera counts as live while it sends readouts. */
  state: CameraState | null;
  /** Start of the current outage, kept through 'starting' until it is live again. */
  downSince: number | null;
  /** Cleared whenever the camera leaves 'live', so the label's age never spans an outage. */
  label: CanonicalScale | null;
  labelSince: number;
  /** Since when its frames have had no picture (one flat colour), and what they show; null while they have one. */
  blank: { since: number; kind: NoPicture } | null;
  /** Since when its picture has not changed (a frozen feed or a still picture); null while they change. */
  stillSince: number | null;
  /** When it last went live (null: no status seen): a still picture's age starts no earlier, so it never spans an outage. */
  liveSince: number | null;
  /** Why it is down, in words (its status's lastError), while it is not live. */
  lastError: string | null;
}

type Condition = Omit<Alert, 'resolvedAt'>;

/** One storage alert: there is one shot log (in a cluster, one per node: the key ends with @NODE). */
export const STORAGE_ALERT_KEY = 'storage:shot-log';
/** One cluster alert per node (its key ends with @NODE): its Redis or PostgreSQL cannot be reached. */
export const CLUSTER_ALERT_KEY = 'cluster:engines';

/** Alerts about cameras and plans, which a cluster judges once for every node (the others are each node's own). */
export const CAMERA_ALERT_KINDS: readonly AlertKind[] = ['doubling', 'stuck', 'stalled', 'no-picture', 'frozen', 'plan-missing'];

/**
 * Alerts about something that happened, not a condition that holds: active
 * until an operator dismisses them (a plan-missing one also until the plan is
 * met), and kept active across a restart of the server (restore).
 */
export const EVENT_ALERT_KINDS: readonly AlertKind[] = ['plan-missing', 'take-interrupted'];

export class AlertMonitor {
  private readonly settings: AlertSettings;
  private readonly cameras = new Map<string, CameraTrack>();
  private readonly alerts = new Map<string, Alert>();
  /** Keys dismissed while their condition still holds: not raised again until it clears. */
  private readonly dismissed = new Set<string>();
  /** Scene of each active plan-missing alert (a scene name may contain ":", so not parsed from the key). */
  private readonly planAlertScene = new Map<string, string>();
  /** Removed cameras, so that a readout still in flight does not bring one back. */
  private readonly removed = new Set<string>();
  /** The shot log's write fault while it lasts (told by the shot log, not derived from times). */
  /** Conditions of the system, not of a camera: the shot log's storage, the cluster's engines. Their message may change while they hold. */
  private readonly system = new Map<string, Condition>();
  /**
   * The latest time judged so far: judging never goes back from it. Readouts come
   * with their frame's capture time, 0.1-0.8 s behind the clock, and from every
   * camera: a review saw camB's stalled alert raised by a tick, resolved by camA's
   * next readout (a "now" still under stalledS) and raised again a second later.
   */
  private judgedAt = -Infinity;

  /** Keys of this monitor's system conditions: node-qualified in a cluster, where every node has its own. */
  private readonly storageKey: string;
  private readonly clusterKey: string;

  constructor(
    private readonly onAlert: AlertListener,
    settings: AlertSettingsInput = {},
    options: { node?: string } = {},
  ) {
    this.settings = alertSettingsSchema.parse(settings);
    const at = options.node === undefined ? '' : `@${options.node}`;
    this.storageKey = STORAGE_ALERT_KEY + at;
    this.clusterKey = CLUSTER_ALERT_KEY + at;
  }

  cameraStatus(status: CameraStatus, now: number): void {
    this.removed.delete(status.cameraId);
    const track = this.track(status.cameraId, now);
    track.name = status.name || status.cameraId;
    track.lastError = status.state === 'live' ? null : status.lastError;
    const previous = track.state;
    // status.since is when the supervisor saw the change; never later than now.
    const changedAt = Math.min(Number.isFinite(status.since) ? status.since : now, now);
    if (status.state !== previous) {
      if (status.state === 'live') {
        track.downSince = null;
        track.liveSince = changedAt;
      } else {
        // Off the air: the label it showed is stale, and a label after recovery starts afresh.
        track.label = null;
        track.blank = null;
        track.stillSince = null;
        if (DOWN_STATES.includes(status.state)) track.downSince ??= changedAt;
        // A WebRTC camera waiting with no fault (its publisher stopped on purpose: DELETE) is no outage either. A
        // listener waiting again after its sender went (a restart, then 'waiting') still is: nobody said it ended.
        else if (status.state === 'stopped' || (status.state === 'waiting' && status.sourceKind === 'webrtc' && status.errorCode === null)) track.downSince = null;
      }
      track.state = status.state;
    }
    this.evaluate(now);
  }

  cameraRemoved(cameraId: string, now: number): void {
    this.cameras.delete(cameraId);
    this.removed.add(cameraId);
    this.evaluate(now);
  }

  /**
   * The camera's hysteresis-stable label at `time` (called for every
   * readout), and what the readout says of the picture: none (a camera with
   * no picture holds no scale, so it neither doubles up nor is stuck), or
   * unchanged since a time.
   */
  readout(cameraId: string, label: CanonicalScale, time: number, picture: PictureState = {}): void {
    if (this.removed.has(cameraId)) return;
    const track = this.track(cameraId, time);
    const { noPicture } = picture;
    // A black feed is unchanged too; it is told as no picture, not as frozen.
    // A readout's stillSince (from another node too) is kept between the camera's return to live and the readout's own time.
    track.stillSince =
      noPicture || picture.stillSince === undefined
        ? null
        : Math.max(Math.min(picture.stillSince, time, track.stillSince ?? Infinity), track.liveSince ?? -Infinity);
    if (noPicture) {
      if (track.blank?.kind !== noPicture) track.blank = { since: track.blank?.since ?? time, kind: noPicture };
      track.label = null;
      this.evaluate(time);
      return;
    }
    track.blank = null;
    if (track.label !== label) {
      track.label = label;
      track.labelSince = time;
    }
    this.evaluate(time);
  }

  tick(now: number): void {
    this.evaluate(now);
  }

  /**
   * A take ended; `missing` are its unmet plan items. One plan-missing alert per
   * scene: a later take's replaces an earlier one's, and a take with nothing
   * missing clears the scene's alert (the plan has been met).
   */
  takeEnded(scene: string, take: string, missing: readonly PlanItemStatus[], now: number): void {
    const key = `plan-missing:${scene}:${take}`;
    // "; " between items: labels hold commas ("CU or tighter, single, Anna"), so ", " could not tell one item from several.
    const message = `Scene ${scene} take ${take} ended without ${missing.map(describeMissing).join('; ')}`;
    const current = this.alerts.get(key);
    if (current && missing.length > 0 && current.message === message) return;
    this.resolvePlanAlerts(scene, now);
    if (missing.length === 0) return;
    this.planAlertScene.set(key, scene);
    this.raise({ key, kind: 'plan-missing', severity: 'warning', cameraIds: [], scene, message, since: now });
  }

  /**
   * The server restarted during a take (found when the shot log opened after
   * a crash): a warning that stays until an operator dismisses it. `key`
   * names the take and the gap in its footage (restart-gaps.ts), so two
   * crashes in one take with shots between are two alerts, and two restarts
   * with no shot between (one hole) the one alert: an active alert of the key
   * is kept as it stands, whatever its message says by now.
   */
  takeInterrupted(key: string, scene: string, message: string, since: number): void {
    if (this.alerts.has(key)) return;
    this.raise({ key, kind: 'take-interrupted', severity: 'warning', cameraIds: [], scene, message, since });
  }

  /**
   * The take-interrupted alert `key`, still active, says more now (the gap's
   * end, once the take's first shot after the restart came; the take's end,
   * once it ended): told again with its new message, the same alert (its
   * record updated, not another). One dismissed meanwhile stays dismissed.
   */
  takeInterruptedSaysMore(key: string, message: string): void {
    const alert = this.alerts.get(key);
    if (!alert || alert.message === message) return;
    const { resolvedAt: _open, ...condition } = alert;
    this.raise({ ...condition, cameraIds: [...condition.cameraIds], message });
  }

  /**
   * Alerts about past events (EVENT_ALERT_KINDS) still active when the
   * server stopped: active again as they were, not announced again (their
   * records are there already).
   */
  restore(alerts: readonly Alert[]): void {
    for (const alert of alerts) {
      if (alert.resolvedAt !== null || this.alerts.has(alert.key) || !EVENT_ALERT_KINDS.includes(alert.kind)) continue;
      if (alert.kind === 'plan-missing') {
        if (alert.scene === undefined) continue;
        this.planAlertScene.set(alert.key, alert.scene);
      }
      this.alerts.set(alert.key, { ...alert, cameraIds: [...alert.cameraIds] });
    }
  }

  /**
   * The shot log cannot be written (`fault`: since when, and a message that
   * says why and how many shots are held), or null: it can again. Critical,
   * since a shot log that is never written loses everything at a restart. An
   * active alert is announced again when its message changes (the count of
   * shots held), so the dashboard shows what is at stake.
   */
  storageFault(fault: { since: number; message: string } | null, now: number): void {
    this.systemFault(this.storageKey, 'storage', fault, now);
  }

  /** In a cluster: Redis or PostgreSQL unreachable from this node (null: both answer again). */
  clusterFault(fault: { since: number; message: string } | null, now: number): void {
    this.systemFault(this.clusterKey, 'cluster', fault, now);
  }

  private systemFault(key: string, kind: 'storage' | 'cluster', fault: { since: number; message: string } | null, now: number): void {
    if (fault) this.system.set(key, { key, kind, severity: 'critical', cameraIds: [], message: fault.message, since: fault.since });
    else this.system.delete(key);
    this.evaluate(now);
  }

  /**
   * Alerts about cameras and plans that another monitor raised (in a
   * cluster: the node that judged before this one), taken over as they
   * stand. Each stays active under its key and start for as long as what
   * this monitor then sees still holds it: a camera on the same scale keeps
   * its doubling or stuck alert, a camera with no picture its stalled one.
   * So a change of judge neither repeats an alert nor drops one that holds.
   * Cameras are known from their statuses first: an alert about a camera
   * this monitor has not been told of is resolved.
   */
  adopt(alerts: readonly Alert[], now: number): void {
    for (const alert of alerts) {
      if (alert.resolvedAt !== null || this.alerts.has(alert.key) || !CAMERA_ALERT_KINDS.includes(alert.kind)) continue;
      if (alert.kind === 'plan-missing') {
        if (alert.scene === undefined) continue;
        this.planAlertScene.set(alert.key, alert.scene);
      } else if (alert.kind === 'stalled') {
        for (const id of alert.cameraIds) {
          const track = this.cameras.get(id);
          if (track && track.state !== 'live') track.downSince ??= alert.since;
        }
      } else if (alert.kind === 'frozen') {
        for (const id of alert.cameraIds) {
          const track = this.cameras.get(id);
          if (track?.stillSince != null) track.stillSince = Math.min(track.stillSince, alert.since);
          // No readout of it seen yet: taken as it stands until one says otherwise (as a doubling's scale is).
          else if (track && isLive(track) && unread(track)) track.stillSince = alert.since;
        }
      } else if (alert.kind === 'no-picture') {
        for (const id of alert.cameraIds) {
          const track = this.cameras.get(id);
          if (track?.blank) track.blank.since = Math.min(track.blank.since, alert.since);
          // The kind only words a new alert's message; this one keeps the message it was raised with.
          else if (track && isLive(track) && unread(track)) track.blank = { since: alert.since, kind: 'plain' };
        }
      } else {
        if (alert.scale === undefined) continue;
        for (const id of alert.cameraIds) {
          const track = this.cameras.get(id);
          if (!track || (track.label !== null && track.label !== alert.scale)) continue;
          track.labelSince = track.label === alert.scale ? Math.min(track.labelSince, alert.since) : alert.since;
          track.label = alert.scale;
        }
      }
      this.alerts.set(alert.key, { ...alert, cameraIds: [...alert.cameraIds] });
    }
    this.evaluate(now);
  }

  /** The scene's plan is now met (e.g. a pickup shot covered the gap). */
  /** The take was marked NG: the alert its end raised is resolved (its shots were never to count). */
  resolvePlanAlert(scene: string, take: string, now: number): void {
    const key = `plan-missing:${scene}:${take}`;
    if (this.planAlertScene.get(key) === scene) this.resolve(key, now);
  }

  planSatisfied(scene: string, now: number): void {
    this.resolvePlanAlerts(scene, now);
  }

  /**
   * An operator cleared the alert. A condition that still holds (doubling,
   * stuck, stalled) stays quiet until it clears and comes back. False: no such active alert.
   */
  dismiss(key: string, now: number): boolean {
    const alert = this.alerts.get(key);
    if (!alert) return false;
    if (!EVENT_ALERT_KINDS.includes(alert.kind)) this.dismissed.add(key);
    this.resolve(key, now);
    return true;
  }

  /** Active alerts, most severe first, then oldest first. */
  active(): Alert[] {
    return [...this.alerts.values()]
      .sort(byUrgency)
      .map((alert) => ({ ...alert, cameraIds: [...alert.cameraIds] }));
  }

  private track(cameraId: string, now: number): CameraTrack {
    let track = this.cameras.get(cameraId);
    if (!track) {
      track = { name: cameraId, state: null, downSince: null, label: null, labelSince: now, blank: null, stillSince: null, liveSince: null, lastError: null };
      this.cameras.set(cameraId, track);
    }
    return track;
  }

  /** Raises what now holds and resolves what no longer does (alerts about events are not decided here). */
  private evaluate(time: number): void {
    const now = Math.max(time, this.judgedAt);
    this.judgedAt = now;
    const holding = new Map<string, Condition>();
    for (const condition of [...this.doublings(now), ...this.stuck(now), ...this.stalled(now), ...this.noPicture(now), ...this.frozen(now)]) holding.set(condition.key, condition);
    for (const condition of this.system.values()) holding.set(condition.key, condition);

    for (const key of [...this.dismissed]) if (!holding.has(key)) this.dismissed.delete(key);
    const stale = [...this.alerts.values()].filter((alert) => !EVENT_ALERT_KINDS.includes(alert.kind) && !holding.has(alert.key));
    for (const alert of stale.sort(byKey)) this.resolve(alert.key, now);
    for (const condition of [...holding.values()].sort(byKey)) {
      if (!this.alerts.has(condition.key) && !this.dismissed.has(condition.key)) this.raise(condition);
    }
    // Other kinds keep the message they were raised with (theirs count seconds, which would announce every tick).
    for (const condition of this.system.values()) {
      const raised = this.alerts.get(condition.key);
      if (raised && raised.message !== condition.message) this.raise({ ...condition, since: raised.since });
    }
  }

  /**
   * Per label, the live cameras that have all shown it for longer than doublingS
   * form one group. A camera that has only just joined waits its own doublingS,
   * so "both on WS for 10 s" is true of every camera named.
   */
  private doublings(now: number): Condition[] {
    const { doublingS, doublingIgnore, doublingCameras } = this.settings;
    const settled = new Map<CanonicalScale, { id: string; since: number }[]>();
    for (const [id, track] of this.cameras) {
      if (!isLive(track) || track.label === null) continue;
      if (doublingIgnore.includes(track.label)) continue;
      if (doublingCameras !== null && !doublingCameras.includes(id)) continue;
      const since = track.labelSince;
      if (now - since <= doublingS * 1000) continue;
      const members = settled.get(track.label) ?? [];
      members.push({ id, since });
      settled.set(track.label, members);
    }
    const conditions: Condition[] = [];
    for (const [label, members] of settled) {
      if (members.length < 2) continue;
      const ids = members.map((m) => m.id).sort();
      const since = Math.max(...members.map((m) => m.since));
      const names = ids.map((id) => this.nameOf(id));
      conditions.push({
        key: `doubling:${label}:${ids.join('+')}`,
        kind: 'doubling',
        scale: label,
        severity: 'warning',
        cameraIds: ids,
        message: `${listNames(names)} ${names.length === 2 ? 'both' : 'all'} on ${label} for ${formatDuration(now - since)}`,
        since,
      });
    }
    return conditions;
  }

  private stuck(now: number): Condition[] {
    const { stuckS } = this.settings;
    if (stuckS === null) return [];
    const conditions: Condition[] = [];
    for (const [id, track] of this.cameras) {
      if (!isLive(track) || track.label === null || now - track.labelSince <= stuckS * 1000) continue;
      conditions.push({
        key: `stuck:${id}`,
        kind: 'stuck',
        scale: track.label,
        severity: 'info',
        cameraIds: [id],
        message: `${track.name} has been on ${track.label} for ${formatDuration(now - track.labelSince)}`,
        since: track.labelSince,
      });
    }
    return conditions;
  }

  private stalled(now: number): Condition[] {
    const conditions: Condition[] = [];
    for (const [id, track] of this.cameras) {
      const down = track.downSince;
      if (down === null || track.state === 'live' || track.state === 'stopped') continue;
      if (now - down <= this.settings.stalledS * 1000) continue;
      conditions.push({
        key: `stalled:${id}`,
        kind: 'stalled',
        severity: 'critical',
        cameraIds: [id],
        // No duration (the message is kept as raised, and a count of seconds would go stale: the
        // alert's since says how long), but the reason the camera gives.
        message: `${track.name} has no picture (${track.state})${track.lastError ? `: ${track.lastError}` : ''}`,
        since: down,
      });
    }
    return conditions;
  }

  private noPicture(now: number): Condition[] {
    const { noPictureS } = this.settings;
    if (noPictureS === null) return [];
    const conditions: Condition[] = [];
    for (const [id, track] of this.cameras) {
      const blank = track.blank;
      if (!blank || !isLive(track) || now - blank.since <= noPictureS * 1000) continue;
      conditions.push({
        key: `no-picture:${id}`,
        kind: 'no-picture',
        severity: 'warning',
        cameraIds: [id],
        message: `${track.name} has sent ${blank.kind === 'plain' ? 'one plain colour' : `a ${blank.kind} picture`} for ${formatDuration(now - blank.since)}: no signal, or a capped lens?`,
        since: blank.since,
      });
    }
    return conditions;
  }

  private frozen(now: number): Condition[] {
    const { frozenS } = this.settings;
    if (frozenS === null) return [];
    const conditions: Condition[] = [];
    for (const [id, track] of this.cameras) {
      const since = track.stillSince;
      if (since === null || !isLive(track) || now - since <= frozenS * 1000) continue;
      conditions.push({
        key: `frozen:${id}`,
        kind: 'frozen',
        severity: 'warning',
        cameraIds: [id],
        // Not "NAME's picture": a name ending in s ("Colour bars") would read "Colour bars's".
        message: `The picture of ${track.name} has not changed for ${formatDuration(now - since)}: a frozen feed, or a still picture (bars, a slate)?`,
        since,
      });
    }
    return conditions;
  }

  private resolvePlanAlerts(scene: string, now: number): void {
    for (const [key, alertScene] of [...this.planAlertScene].sort(([a], [b]) => a.localeCompare(b))) {
      if (alertScene === scene) this.resolve(key, now);
    }
  }

  private raise(condition: Condition): void {
    const alert: Alert = { ...condition, resolvedAt: null };
    this.alerts.set(alert.key, alert);
    this.onAlert({ ...alert, cameraIds: [...alert.cameraIds] });
  }

  private resolve(key: string, now: number): void {
    const alert = this.alerts.get(key);
    if (!alert) return;
    this.alerts.delete(key);
    this.planAlertScene.delete(key);
    this.onAlert({ ...alert, cameraIds: [...alert.cameraIds], resolvedAt: Math.max(now, alert.since) });
  }

  private nameOf(cameraId: string): string {
    return this.cameras.get(cameraId)?.name ?? cameraId;
  }
}

function isLive(track: CameraTrack): boolean {
  return track.state === 'live' || track.state === null;
}

/** No readout since it went live: every readout sets a label, no picture or a still picture. */
function unread(track: CameraTrack): boolean {
  return track.label === null && track.blank === null && track.stillSince === null;
}

/** Most severe first, then oldest first: the order alerts are listed in. */
export function byUrgency(a: Alert, b: Alert): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.since - b.since || a.key.localeCompare(b.key);
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key.localeCompare(b.key);
}

/** "Master (WS or wider)", or "Singles (1 of 2)" when some but not enough were shot. */
function describeMissing(status: PlanItemStatus): string {
  return status.needed > 1 ? `${status.label} (${status.shotIds.length} of ${status.needed})` : status.label;
}

/** "cam-1 and cam-2", "cam-1, cam-2 and cam-3". */
function listNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "12 s", "5 min", "1 min 30 s", "2 h 5 min": what a mixer reads at a glance. */
export function formatDuration(ms: number): string {
  const totalS = Math.max(0, Math.round(ms / 1000));
  if (totalS < 60) return `${totalS} s`;
  const totalMin = Math.floor(totalS / 60);
  if (totalMin < 60) return totalS % 60 === 0 ? `${totalMin} min` : `${totalMin} min ${totalS % 60} s`;
  const minutes = totalMin % 60;
  return minutes === 0 ? `${Math.floor(totalMin / 60)} h` : `${Math.floor(totalMin / 60)} h ${minutes} min`;
}
