/**
 * The hole a restart leaves in a take that runs on (shot-log.ts, recovery):
 * from the take's last frame written before the stop to its first shot after
 * the restart. Not to the restart itself: the log opens seconds before the
 * model is loaded and ffmpeg gives its first frames (a kill -9 at 21:18:54,
 * the log open at 21:19:19.9, the first shots at 21:19:27-28), and a gap and
 * alert ending at 21:19:19 said there were shots where there were none.
 *
 * So the gap is stored up to the restart at once (what is known; a cluster
 * reads it when the node joins) and its end is moved to the take's first
 * shot when that comes, or to the take's end if the take ends first. The
 * take-interrupted alert is raised at once ("no shots since 21:18:54; the
 * take runs on"), as the script supervisor needs to know now, and says the
 * gap's end once it is known. It is keyed by the gap, not the restart
 * (interruptedKey): a second restart before any shot widens the same gap
 * and keeps its one alert.
 *
 * In a cluster the node's cameras do not wait for it: another node takes
 * them over within the lease (seconds) and runs on in the take. A node
 * killed at 11:39:40 and back at 11:39:53 with none of its cameras (the
 * other node kept them) said "no shots since 11:39:40; the take runs on",
 * then "no shots from 11:39:40 to 11:40:10; the take ended then": the
 * whole take missing, where the footage had resumed on the other node at
 * 11:39:44. So the cameras the gap cut that ran on elsewhere
 * (runOnElsewhere, from the cluster's shot log: cluster-shot-sync.ts) are
 * named in the alert, and once every one of them has, the gap ends at the
 * last of them to resume.
 *
 * When the take then ends, its alerts that still say "the take runs on" say
 * when it ended instead, however long after and across later restarts (the
 * alert is kept across them, its message as stored). They stay active: the
 * gap is in the take's footage however it ended, and the supervisor must
 * still learn of it.
 */
import type { AlertMonitor } from '../coverage/alert-monitor.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { Alert, Take } from '../shared/shots.js';
import type { TakeStore } from '../store/take-store.js';

/** Wall-clock time of day on this server, "14:02:11": what a script supervisor's notes carry. */
export function clockTime(ms: number): string {
  const at = new Date(ms);
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * The take-interrupted alert's key: one per gap in a take's footage, named by
 * the take and the gap's start, its last frame written before the stop (and
 * the node, in a cluster). Two restarts with no shot of the take between
 * them (a start that failed with CLUSTER_UNREACHABLE after its shot log
 * opened, then one that succeeded) leave one gap from the same frame, so one
 * alert; a crash after shots since is another gap, another alert.
 */
export function interruptedKey(take: Pick<Take, 'scene' | 'take'>, gapFrom: number, clusterNode: string | null): string {
  return `take-interrupted:${take.scene}:${take.take}:${Math.round(gapFrom)}${clusterNode === null ? '' : `@${clusterNode}`}`;
}

/**
 * The key an earlier version gave the alert: by the restart that raised it
 * (its `since`), not the gap. Such an alert, kept active across the upgrade,
 * is still its gap's alert: found by its take and restart (alertKey, saysRunsOn).
 */
function restartKey(take: Pick<Take, 'scene' | 'take'>, restartAt: number, clusterNode: string | null): string {
  return interruptedKey(take, restartAt, clusterNode);
}

/** How an alert of a take still running ends; the take's end replaces it. */
const RUNS_ON = '; the take runs on';

interface OpenGap {
  take: Take;
  from: number;
  restartAt: number;
  /** Its alert's key: interruptedKey, or that of an alert an earlier version raised for the gap. */
  key: string;
  /** Which of its cameras ran on on other nodes, as the alert says it (runOnElsewhere); '' for none. */
  runOn: string;
}

/** A camera the gap cut that another node ran on in the take (it took the camera over): that node, and its first shot's start there. */
export interface RunOnElsewhere {
  cameraId: string;
  node: string;
  at: number;
}

/** "cam-1, cam-2 run on by node a since 11:39:44", by node and time, for the alert. */
function describeRunOn(runOn: readonly RunOnElsewhere[]): string {
  const groups = new Map<string, string[]>();
  for (const { cameraId, node, at } of [...runOn].sort((x, y) => x.at - y.at || x.cameraId.localeCompare(y.cameraId))) {
    const said = `run on by node ${node} since ${clockTime(at)}`;
    groups.set(said, [...(groups.get(said) ?? []), cameraId]);
  }
  return [...groups].map(([said, cameras]) => `${cameras.join(', ')} ${said}`).join(', ');
}

export interface RestartGapsDeps {
  takes: TakeStore;
  alerts: AlertMonitor;
  log: Logger;
  /** The shot log's file, as its log lines name it. */
  file: string;
  clusterNode: string | null;
  /** A gap's end was stored (in a cluster, the cluster's record of the take gets it too: cluster-shot-sync.ts). */
  onClosed: (takeId: number) => void;
}

export class RestartGaps {
  /** By take id: the takes resumed whose first shot since the restart has not come yet. */
  private readonly open = new Map<number, OpenGap>();

  constructor(private readonly deps: RestartGapsDeps) {}

  /** `take` runs on after the restart at `restartAt`; its last frame written was at `from`. Inside the recovery's transaction. */
  opened(take: Take, from: number, restartAt: number): void {
    this.deps.takes.setGap(take.id, { from, to: restartAt });
    const key = this.alertKey(take, from);
    this.open.set(take.id, { take, from, restartAt, key, runOn: '' });
    const message = `${this.prefix()}The server restarted during scene ${take.scene} take ${take.take}: no shots since ${clockTime(from)}${RUNS_ON}`;
    this.deps.log.warn(`shot log ${this.deps.file}: ${message}`);
    // An earlier restart's alert for this gap (no shot since) is kept as it stands: the same hole, one alert.
    this.deps.alerts.takeInterrupted(key, take.scene, message, restartAt);
  }

  /**
   * The key of the alert for `take`'s gap from `from`: interruptedKey, or
   * the key of one an earlier version raised for that gap and kept active
   * across the restarts since (keyed by its restart): one raised after the
   * gap's start, as no shot of the take came between it and this restart
   * (a shot would have started a later gap).
   */
  alertKey(take: Take, from: number): string {
    const key = interruptedKey(take, from, this.deps.clusterNode);
    const active = this.deps.alerts.active();
    if (active.some((alert) => alert.key === key)) return key;
    const restored = active.find((alert) => this.isRestartKeyed(alert, take) && Math.round(from) < alert.since);
    return restored?.key ?? key;
  }

  /**
   * A shot of take `takeId` opened at `at` (`ended`: the take ended at `at`):
   * a gap still open ends there, stored and alerted. Returns whether one did.
   */
  close(takeId: number | null, at: number, ended = false): boolean {
    const gap = takeId === null ? undefined : this.open.get(takeId);
    if (!gap) return false;
    // A shot opens after the restart; a take may have ended before it (in a cluster, another node ended it while
    // this one was down: "no shots from 07:40:36 to 07:40:55" said it ran on 15 s past its end at 07:40:39.9).
    this.end(gap, ended ? Math.max(gap.from, at) : Math.max(gap.restartAt, at), ended);
    return true;
  }

  /**
   * In a cluster: of the cameras the gap from `from` in take `takeId` cut
   * (`cut`), those in `runOn` ran on on other nodes since. The alert names
   * them; once all of them have, the footage is whole again from the last
   * of them to resume, which may be before this node's restart, and the gap
   * ends there (stored and alerted, as close). Those not run on elsewhere
   * keep the gap open until this node's first shot or the take's end, as
   * on a single server. Returns whether the gap is still open.
   */
  runOnElsewhere(takeId: number, from: number, cut: readonly string[], runOn: readonly RunOnElsewhere[]): boolean {
    const gap = this.open.get(takeId);
    // Only the gap the caller read (the take's last): any other is left as on a single server.
    if (!gap || Math.round(gap.from) !== Math.round(from)) return false;
    const elsewhere = runOn.filter((r) => cut.includes(r.cameraId) && r.at > gap.from);
    const said = describeRunOn(elsewhere);
    if (!elsewhere.length || said === gap.runOn) return true;
    gap.runOn = said;
    if (cut.every((camera) => elsewhere.some((r) => r.cameraId === camera))) {
      this.end(gap, Math.max(...elsewhere.map((r) => r.at)), false);
      return false;
    }
    const message = `${this.prefix()}The server restarted during scene ${gap.take.scene} take ${gap.take.take}: no shots since ${clockTime(gap.from)} (${said})${RUNS_ON}`;
    this.deps.log.warn(`shot log ${this.deps.file}: ${message}`);
    this.deps.alerts.takeInterruptedSaysMore(gap.key, message);
    return true;
  }

  /** The open gap ends at `to`: stored, told to the cluster's record, and its alert says so. */
  private end(gap: OpenGap, to: number, ended: boolean): void {
    this.open.delete(gap.take.id);
    try {
      this.deps.takes.setGap(gap.take.id, { from: gap.from, to });
      this.deps.onClosed(gap.take.id);
    } catch (error) {
      // A full disk: the record keeps the restart as the gap's end; the alert below still names the whole gap.
      this.deps.log.error(`shot log ${this.deps.file}: the gap in scene ${gap.take.scene} take ${gap.take.take} could not be stored: ${errorMessage(error)}`);
    }
    const slate = `scene ${gap.take.scene} take ${gap.take.take}`;
    const runOn = gap.runOn ? ` (${gap.runOn})` : '';
    const message = `${this.prefix()}The server restarted during ${slate}: no shots from ${clockTime(gap.from)} to ${clockTime(to)}${runOn}${ended ? '; the take ended then' : RUNS_ON}`;
    this.deps.log.warn(`shot log ${this.deps.file}: ${message}`);
    this.deps.alerts.takeInterruptedSaysMore(gap.key, message);
  }

  /**
   * `take` has ended: its take-interrupted alerts still active that say "the
   * take runs on" (a gap a shot closed, in this process or before a restart)
   * say when it ended. One dismissed stays dismissed.
   */
  takeEnded(take: Take): void {
    if (take.endedAt === null) return;
    for (const alert of this.deps.alerts.active()) if (this.saysRunsOn(alert, take)) this.sayEnded(alert, take.endedAt);
  }

  /**
   * At open, after the alerts kept across the restart are restored: those
   * that say their take runs on though it has ended (it ended before the
   * alert was told, or a crash lost the record of that) say so now.
   */
  settleRestored(): void {
    for (const alert of this.deps.alerts.active()) {
      if (alert.kind !== 'take-interrupted' || alert.scene === undefined) continue;
      const take = this.deps.takes.list(alert.scene).find((t) => t.endedAt !== null && this.saysRunsOn(alert, t));
      if (take) this.sayEnded(alert, take.endedAt!);
    }
  }

  /**
   * Whether `alert` is one of `take`'s that says it runs on. Its key names the
   * scene, take number and one of the take's gaps, as a number slated again
   * (`again`) is another take with the same key prefix and gaps of its own.
   */
  private saysRunsOn(alert: Alert, take: Take): boolean {
    if (alert.kind !== 'take-interrupted' || alert.scene !== take.scene || !alert.message.endsWith(RUNS_ON)) return false;
    return take.gaps.some((gap) => alert.key === interruptedKey(take, gap.from, this.deps.clusterNode)) || this.isRestartKeyed(alert, take);
  }

  /** Whether `alert` is one of `take`'s that an earlier version keyed by its restart: the restart falls within the take. */
  private isRestartKeyed(alert: Alert, take: Take): boolean {
    return (
      alert.kind === 'take-interrupted' &&
      alert.scene === take.scene &&
      alert.key === restartKey(take, alert.since, this.deps.clusterNode) &&
      take.startedAt <= alert.since &&
      (take.endedAt === null || alert.since <= take.endedAt)
    );
  }

  private sayEnded(alert: Alert, endedAt: number): void {
    const message = `${alert.message.slice(0, -RUNS_ON.length)}; the take ended at ${clockTime(endedAt)}`;
    this.deps.log.info(`shot log ${this.deps.file}: ${message}`);
    this.deps.alerts.takeInterruptedSaysMore(alert.key, message);
  }

  private prefix(): string {
    return this.deps.clusterNode === null ? '' : `Node ${this.deps.clusterNode}: `;
  }
}
