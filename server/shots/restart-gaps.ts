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
 * gap's end once it is known.
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

/** The take-interrupted alert's key: one per take and restart (and node, in a cluster). */
export function interruptedKey(take: Pick<Take, 'scene' | 'take'>, restartAt: number, clusterNode: string | null): string {
  return `take-interrupted:${take.scene}:${take.take}:${Math.round(restartAt)}${clusterNode === null ? '' : `@${clusterNode}`}`;
}

/** How an alert of a take still running ends; the take's end replaces it. */
const RUNS_ON = '; the take runs on';

interface OpenGap {
  take: Take;
  from: number;
  restartAt: number;
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
    this.open.set(take.id, { take, from, restartAt });
    const message = `${this.prefix()}The server restarted during scene ${take.scene} take ${take.take}: no shots since ${clockTime(from)}${RUNS_ON}`;
    this.deps.log.warn(`shot log ${this.deps.file}: ${message}`);
    this.deps.alerts.takeInterrupted(interruptedKey(take, restartAt, this.deps.clusterNode), take.scene, message, restartAt);
  }

  /**
   * A shot of take `takeId` opened at `at` (`ended`: the take ended at `at`):
   * a gap still open ends there, stored and alerted. Returns whether one did.
   */
  close(takeId: number | null, at: number, ended = false): boolean {
    const gap = takeId === null ? undefined : this.open.get(takeId);
    if (!gap) return false;
    this.open.delete(gap.take.id);
    const to = Math.max(gap.restartAt, at);
    try {
      this.deps.takes.setGap(gap.take.id, { from: gap.from, to });
      this.deps.onClosed(gap.take.id);
    } catch (error) {
      // A full disk: the record keeps the restart as the gap's end; the alert below still names the whole gap.
      this.deps.log.error(`shot log ${this.deps.file}: the gap in scene ${gap.take.scene} take ${gap.take.take} could not be stored: ${errorMessage(error)}`);
    }
    const slate = `scene ${gap.take.scene} take ${gap.take.take}`;
    const message = `${this.prefix()}The server restarted during ${slate}: no shots from ${clockTime(gap.from)} to ${clockTime(to)}${ended ? '; the take ended then' : RUNS_ON}`;
    this.deps.log.warn(`shot log ${this.deps.file}: ${message}`);
    this.deps.alerts.takeInterruptedSaysMore(interruptedKey(gap.take, gap.restartAt, this.deps.clusterNode), message);
    return true;
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
   * scene, take number and restart; the restart falls within the take, as a
   * number slated again (`again`) is another take with the same key prefix.
   */
  private saysRunsOn(alert: Alert, take: Take): boolean {
    return (
      alert.kind === 'take-interrupted' &&
      alert.scene === take.scene &&
      alert.key === interruptedKey(take, alert.since, this.deps.clusterNode) &&
      take.startedAt <= alert.since &&
      (take.endedAt === null || alert.since <= take.endedAt) &&
      alert.message.endsWith(RUNS_ON)
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
