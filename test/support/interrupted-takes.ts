/**
 * A real SQLite shot log in a data directory, opened, crashed and opened
 * again, for the take-interrupted tests: what both of them set up the same
 * way (a clock to move, the alerts pushed, one shot per take from a flat
 * feed, a process that dies without closing its log).
 */
import { validateConfig } from '../../server/config/load-config.js';
import { CUT_FRAME_BYTES } from '../../server/cuts/cut-detector.js';
import { silentLogger } from '../../server/shared/logger.js';
import type { Alert } from '../../server/shared/shots.js';
import { ShotLog, type ShotLogEvents } from '../../server/shots/shot-log.js';

export const T0 = Date.UTC(2025, 8, 9, 4, 0, 0);
const CONFIG = validateConfig({ shots: { timecode: { rate: '25', start: '01:00:00:00' } } }, '(test)');

/** No cut in a flat grey feed: one shot per take. */
const FLAT = new Uint8Array(CUT_FRAME_BYTES).fill(128);

/** The log in `dir` opened at `now` (`clusterNode`: as that node of a cluster); `told`: the alerts pushed to dashboards. */
export function openLog(dir: string, now: number, clusterNode?: string) {
  const clock = { now };
  const told: Alert[] = [];
  const events: ShotLogEvents = { shot: () => undefined, takes: () => undefined, coverage: () => undefined, alert: (a) => told.push(a) };
  const log = ShotLog.open(dir, CONFIG, () => clock.now, silentLogger, events, clusterNode === undefined ? {} : { clusterNode });
  return { log, clock, told };
}

/** The process dies: its log is never closed, and the operating system lets go of its lock on the data directory. */
export function crash(log: ShotLog): void {
  (log as unknown as { dirLock: { release(): void } }).dirLock.release();
}

/** One second of `camera`'s frames from `at`: a shot of the take it is in. */
export function roll(log: ShotLog, camera: string, at: number): void {
  const tracker = log.tracker(camera) ?? log.attachCamera({ id: camera });
  for (let i = 0; i < 25; i++) tracker.cutFrame(1, i, FLAT, at + i * 40);
}

/** The log's active take-interrupted alerts. */
export const interrupted = (log: ShotLog): Alert[] => log.alerts.active().filter((a) => a.kind === 'take-interrupted');

/** The log's records of take-interrupted alerts, newest first. */
export const interruptedHistory = (log: ShotLog): Alert[] => log.alertHistory().filter((a) => a.kind === 'take-interrupted');
