/**
 * The shot log at runtime: a shot tracker per camera writing to the database,
 * takes marked by operators, coverage against plans, and alerts. Everything
 * users read about shots goes through here (HTTP, Socket.IO, exports).
 *
 * On open it recovers from a crash: shots still open are closed at the last
 * frame written; a take still running runs on (nobody ended it, the cameras
 * are still rolling), its record noting the gap, unless the server was down
 * longer than shots.resumeTakeWithinS (then it ends at its last frame); either
 * way a take-interrupted alert says so. Alerts about past events (a take that
 * ended short) stay active; those about conditions are closed (the new
 * process sees again what still holds).
 *
 * When the database cannot be written (a full or failing disk), shots and
 * alert records are held in memory and retried (ShotWriter, WriteBehind)
 * under a critical storage alert; requests that write answer STORAGE_FULL.
 * Reads come from the database, so shots held are missing from lists,
 * coverage and exports until they are written (the `shot` events carry them
 * live all along).
 */
import path from 'node:path';
import type { CameraConfig, Config } from '../config/schema.js';
import { AlertMonitor, EVENT_ALERT_KINDS, formatDuration } from '../coverage/alert-monitor.js';
import { coverageReport, evaluatePlan, missingItems, sceneCoverage, type CoverageReport } from '../coverage/coverage-plan.js';
import { coverageByCamera } from '../coverage/coverage-stats.js';
import { ScenePlans } from '../coverage/scene-plans.js';
import { slateMark, takeMarkIndex, withTakeMarks } from '../coverage/take-marks.js';
import { ShotscaleError, errorMessage } from '../errors.js';
import type { Clock } from '../shared/clock.js';
import { slateText } from '../shared/input-limits.js';
import type { Logger } from '../shared/logger.js';
import type { CanonicalScale } from '../shared/scale.js';
import { describeTakeMark, type Alert, type CoverageShot, type AlertKind, type CoveragePlan, type CoverageUpdate, type PlanRecord, type ShotRecord, type SlateMark, type Take, type TakeMark, type TimecodeRateName } from '../shared/shots.js';
import type { CameraStatus, PictureState } from '../shared/socket-events.js';
import { AlertStore } from '../store/alert-store.js';
import { lockDataDir, type DataDirLock } from '../store/data-dir-lock.js';
import { DATABASE_FILE, openDatabase, type Db } from '../store/database.js';
import { PlanStore } from '../store/plan-store.js';
import { ShotStore, type ShotFilter, type ShotPatch, type StoredShot } from '../store/shot-store.js';
import { describeFault, guardWrite, isStorageFault } from '../store/storage-fault.js';
import { TakeStore, type AbandonedTake } from '../store/take-store.js';
import { WriteBehind, type HeldState } from '../store/write-behind.js';
import type { ThumbnailFrame } from './shot-accumulator.js';
import { ShotTracker, type ShotSink, type TakeRef } from './shot-tracker.js';
import { ShotWriter } from './shot-writer.js';
import { logSpelling, type KnownSlate, type SlateSpelling } from './slate-spelling.js';
import { OpenShotPush } from './open-shot-push.js';
import { clockTime, RestartGaps, type RunOnElsewhere } from './restart-gaps.js';
import { encodeThumbnail } from './thumbnail.js';
import { TimecodeClock, type LoggedEnd } from './timecode-clock.js';
import { UsedTakes } from './used-takes.js';
import { isTimecodeRateName, timecodeAtRate, timecodeRate, timecodeToFrames } from './timecode.js';

export type ShotsSettings = Config['shots'];

export interface ShotLogEvents {
  shot(shot: ShotRecord): void;
  takes(running: Take[]): void;
  coverage(update: CoverageUpdate): void;
  alert(alert: Alert): void;
  /** A take ended (in a cluster, the node judging plans checks it against every node's shots). */
  takeEnded?(take: Take): void;
  /** An operator circled a take, marked it NG or cleared its mark here (in a cluster, every node marks it too). */
  takeMarked?(take: Take): void;
  /** The same mark as the shots of its scene and take number now carry it (the dashboards' `take:mark`). */
  slateMarked?(change: SlateMark): void;
  /** A scene's plan was stored or removed here (open editors learn that theirs may be stale). */
  planChanged?(scene: string): void;
}

export interface ShotLogOptions {
  /**
   * In a cluster, this node's id: cameras and plans are judged once for the
   * whole cluster (cluster-alerts.ts), so this log's monitor keeps only the
   * node's own conditions (its storage, its engines), under keys that name it.
   */
  clusterNode?: string;
}

export interface TakeRequest {
  scene: string;
  /** Default: the scene's next take number. */
  take?: string;
  /** Default: every camera. */
  cameras?: string[] | null;
  /**
   * Slate a take number the scene has used before (a take repeated on
   * purpose); without it such a number is refused (TAKE_EXISTS).
   */
  again?: boolean;
  /** A take on every camera that has already left these (a running take joined from the cluster). */
  exceptCameras?: string[];
}

export { clockTime };

/** Whether a running take is the one `cameraId` is in (the newest such wins, see takeFor). */
function takeCovers(take: Take, cameraId: string): boolean {
  return take.cameras ? take.cameras.includes(cameraId) : !take.exceptCameras.includes(cameraId);
}

export interface CoverageQuery extends ShotFilter {
  scene?: string;
  take?: string;
}

export type { CoverageReport };

const COVERAGE_PUSH_MIN_MS = 1000;
/**
 * Coverage is counted again no sooner than this many times the last count
 * took: it runs on the main thread, over every shot since the start and
 * every scene's shots, and readouts and requests wait while it runs. On a
 * long day's log (tens of thousands of shots), pushes come further apart
 * rather than taking more than about a twentieth of the main thread.
 */
const COVERAGE_COST_SPACING = 20;

/**
 * Between retries of held writes. A retry that still fails costs one
 * statement, so 2 s is cheap, and once space is freed shots land in the log
 * (and the alert clears) before an operator has turned back to the dashboard.
 */
const HELD_RETRY_MS = 2000;

/**
 * The timecode a camera uses: its own settings over the shared ones. With
 * `loggedEnd` (where the camera's log ends), a frame count goes on after it
 * rather than from the start, unless it is the source's own start timecode.
 */
export function cameraTimecode(camera: Pick<CameraConfig, 'id' | 'timecode'>, shared: ShotsSettings['timecode'], sourceStart: string | null = null, loggedEnd: LoggedEnd | null = null): TimecodeClock {
  const settings = { ...shared, ...camera.timecode };
  const rate = timecodeRate(settings.rate);
  const start = settings.fromSource && sourceStart ? sourceStart : settings.start;
  let startFrame: number;
  try {
    startFrame = timecodeToFrames(start, rate);
  } catch (error) {
    throw new ShotscaleError('CONFIG_INVALID', `camera "${camera.id}": timecode start: ${errorMessage(error)}`);
  }
  const clock = new TimecodeClock(rate, settings.mode, startFrame, settings.fromSource && !sourceStart);
  if (loggedEnd && !(settings.fromSource && sourceStart)) clock.resumeAfter(loggedEnd);
  return clock;
}

export class ShotLog {
  readonly shots: ShotStore;
  readonly takeStore: TakeStore;
  private readonly plans: PlanStore;
  private readonly scenePlans: ScenePlans;
  private readonly alertStore: AlertStore;
  readonly alerts: AlertMonitor;
  private readonly trackers = new Map<string, ShotTracker>();
  /** Each camera's timecode clock and the settings it was made from, kept across an edit of the camera. */
  private readonly timecodes = new Map<string, { key: string; clock: TimecodeClock }>();
  /** Scenes and takes as this log spells them (every way in resolves through it). */
  readonly spelling: SlateSpelling;
  /** Which take numbers each scene has used, here and in the cluster's record. */
  private readonly usedTakes: UsedTakes;
  private readonly startedAt: number;
  private coverageTimer: NodeJS.Timeout | null = null;
  private lastCoveragePush = 0;
  /** How long the last coverage push took to count (ms of the main thread). */
  private lastCoverageCostMs = 0;
  private lastEndedTake: Take | null = null;
  private readonly tickTimer: NodeJS.Timeout;
  private readonly held: WriteBehind;
  /** Held while the log is open: one server per data directory. */
  private dirLock: DataDirLock | null = null;
  private readonly writer: ShotWriter;
  /** Takes resumed after a restart, until their first shot since (or their end) closes the gap. */
  private readonly restartGaps: RestartGaps;
  /** When a running shot is told again: its scale changed (at most once a second per camera). */
  private readonly openPush = new OpenShotPush();
  /** The outage last logged, so that one outage is logged once, not per shot. */
  private heldLoggedSince: number | null = null;
  /**
   * Events of the recovery at open (a take-interrupted alert, a take ended),
   * told once open() has returned: the listeners may use the log they are given.
   */
  private opening: (() => void)[] | null = [];
  /**
   * Every camera there is (in a cluster, the cluster's), set by the server
   * once its cameras are known: a take on every camera that has left each
   * of them ends, as a take on named cameras ends with its last one.
   */
  private everyCamera: () => readonly string[] = () => [];
  /** Told when a resumed take's gap gets its end (in a cluster, the cluster's record of the take is corrected). */
  private restartGapClosed: (takeId: number) => void = () => undefined;
  /** Told when an edit moves a shot to a scene or take (see onShotSlated). */
  private shotSlated: (slate: KnownSlate) => void = () => undefined;

  private constructor(
    /** The connection; public for maintenance and for tests that provoke faults (PRAGMA max_page_count). */
    readonly db: Db,
    readonly file: string,
    private readonly settings: ShotsSettings,
    coverage: Config['coverage'],
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly events: ShotLogEvents,
    private readonly clusterNode: string | null,
  ) {
    this.shots = new ShotStore(db, timecodeAtRate);
    this.takeStore = new TakeStore(db);
    this.plans = new PlanStore(db);
    this.alertStore = new AlertStore(db);
    this.startedAt = clock();
    this.usedTakes = new UsedTakes(this.takeStore, this.shots);
    this.scenePlans = new ScenePlans(this.plans, clock, (scene, changed) => {
      this.scheduleCoverage();
      if (changed) this.events.planChanged?.(scene);
    });
    this.spelling = logSpelling(this.takeStore, this.plans, this.shots, { slates: () => this.usedTakes.slates, configScenes: () => this.scenePlans.configuredScenes() });
    this.scenePlans.configure(coverage.plans, (scene) => this.spelling.scene(scene));
    this.held = new WriteBehind({
      retryMs: HELD_RETRY_MS,
      clock,
      isFault: isStorageFault,
      describe: describeFault,
      transaction: (work) => this.db.transaction(work)(),
      onState: (state) => this.onHeld(state),
      onDropped: (error) => log.error(`shot log ${file}: a held write failed and is dropped: ${errorMessage(error)}`),
    });
    this.writer = new ShotWriter(this.shots, this.held);
    this.alerts = new AlertMonitor((alert) => this.onAlert(alert), coverage.alerts, clusterNode === null ? {} : { node: clusterNode });
    this.restartGaps = new RestartGaps({ takes: this.takeStore, alerts: this.alerts, log, file, clusterNode, onClosed: (takeId) => this.restartGapClosed(takeId) });
    this.tickTimer = setInterval(() => this.alerts.tick(this.clock()), 1000);
    this.tickTimer.unref();
  }

  /** Opens (or creates) the log in `dataDir` and recovers what a crash left open. */
  static open(dataDir: string, config: Pick<Config, 'shots' | 'coverage'>, clock: Clock, log: Logger, events: ShotLogEvents, options: ShotLogOptions = {}): ShotLog {
    const file = dataDir === ':memory:' ? dataDir : path.join(dataDir, DATABASE_FILE);
    const dirLock = dataDir === ':memory:' ? null : lockDataDir(dataDir);
    let db: Db;
    try {
      db = openDatabase(file);
    } catch (error) {
      dirLock?.release();
      throw error;
    }
    const shotLog = new ShotLog(db, file, config.shots, config.coverage, clock, log, events, options.clusterNode ?? null);
    shotLog.dirLock = dirLock;
    const restartAt = clock();
    // In a cluster, plan alerts are the cluster's (cluster-alerts.ts): this node's log keeps only its own.
    const kept: readonly AlertKind[] = shotLog.clusterNode === null ? EVENT_ALERT_KINDS : ['take-interrupted'];
    let recovered: { closed: number; takes: AbandonedTake[] };
    try {
      recovered = guardWrite(db, () =>
        db.transaction(() => {
          const closed = shotLog.shots.closeAbandoned();
          const takes = shotLog.takeStore.abandoned();
          shotLog.alertStore.resolveAbandoned(restartAt, kept);
          return { closed, takes };
        })(),
      );
      shotLog.alerts.restore(shotLog.alertStore.active(kept));
      if (recovered.closed) log.warn(`shot log ${file}: closed ${recovered.closed} shot(s) left open by an unclean stop, at their last written frame`);
      for (const abandoned of recovered.takes) shotLog.recoverTake(abandoned, restartAt);
      // Alerts kept that say their take runs on though it ended (stored before takes' ends were told to them).
      shotLog.restartGaps.settleRestored();
      // The last take is the coverage's current one across a restart too: dashboards keep its take line and mark its scene as the last slated.
      shotLog.lastEndedTake ??= shotLog.takeStore.lastEnded();
    } catch (error) {
      shotLog.opening = null;
      shotLog.close();
      throw error;
    }
    log.info(`shot log: ${file}`);
    const told = shotLog.opening ?? [];
    shotLog.opening = null;
    if (told.length) queueMicrotask(() => told.forEach((tell) => tell()));
    return shotLog;
  }

  /**
   * A take the last process left running (it crashed: nobody ended the take,
   * and the cameras most likely rolled on). It runs on, its record noting the
   * gap, when the server was down no longer than shots.resumeTakeWithinS: the
   * gap runs to the take's first shot after the restart, and a take-interrupted
   * alert names it once that comes (restart-gaps.ts). After a longer outage
   * the take is surely over, so it ends at its last frame written and its
   * plan is checked, and the alert says so at once.
   */
  private recoverTake({ take, lastFrameAt }: AbandonedTake, restartAt: number): void {
    const down = Math.max(0, restartAt - lastFrameAt);
    if (down <= this.settings.resumeTakeWithinS * 1000) {
      this.restartGaps.opened(take, lastFrameAt, restartAt);
      return;
    }
    const node = this.clusterNode === null ? '' : `Node ${this.clusterNode}: `;
    const ended = this.takeStore.end(take.id, lastFrameAt);
    const message = `${node}The server restarted during scene ${take.scene} take ${take.take} after ${formatDuration(down)} down (longer than ${formatDuration(this.settings.resumeTakeWithinS * 1000)}): the take was ended at its last frame, ${clockTime(lastFrameAt)}; no shots from ${clockTime(lastFrameAt)} to ${clockTime(restartAt)}`;
    this.takeEnded(ended, restartAt);
    this.log.warn(`shot log ${this.file}: ${message}`);
    // Keyed by the gap: one an earlier start raised for it (a start that failed, no shot since) is the same alert, and says so now.
    const key = this.restartGaps.alertKey(take, lastFrameAt);
    this.alerts.takeInterrupted(key, take.scene, message, restartAt);
    this.alerts.takeInterruptedSaysMore(key, message);
  }

  /**
   * A camera's tracker. `sourceStart`: the source's own start timecode when
   * known now. `offline` (file mode): nothing is ever given up on for being
   * late, since no frame is dropped.
   */
  attachCamera(camera: Pick<CameraConfig, 'id' | 'timecode'>, options: { sourceStart?: string | null; offline?: boolean; firstSession?: number } = {}): ShotTracker {
    this.detachCamera(camera.id);
    // An edited camera (a new source, the same timecode settings) counts on where it was; any other
    // (after a restart, a removal, new settings) counts on after its last shot in the log: its
    // timecode never starts again at the start and repeats what its log already has. A file's
    // frames (offline) are its own media time.
    const key = JSON.stringify([this.settings.timecode, camera.timecode ?? null, options.sourceStart ?? null]);
    const kept = this.timecodes.get(camera.id);
    const timecode =
      kept?.key === key ? kept.clock : cameraTimecode(camera, this.settings.timecode, options.sourceStart ?? null, options.offline ? null : this.loggedEnd(camera.id));
    this.timecodes.set(camera.id, { key, clock: timecode });
    const tracker = new ShotTracker({
      cameraId: camera.id,
      timecode,
      cutSettings: this.settings.cuts,
      maxWaitFrames: options.offline ? Infinity : this.settings.analysisWaitS * timecode.rate.fps,
      maxPendingReadouts: options.offline ? Infinity : 64,
      persistEveryS: 0.25,
      sink: this.sink(),
      ...(options.firstSession ? { firstSession: options.firstSession } : {}),
    });
    tracker.setTake(this.takeFor(camera.id));
    this.trackers.set(camera.id, tracker);
    return tracker;
  }

  /** Where `cameraId`'s log ends, or null: no shots (or none readable now: the count then starts at the start). */
  private loggedEnd(cameraId: string): LoggedEnd | null {
    try {
      const end = this.shots.loggedEnd(cameraId);
      return end && isTimecodeRateName(end.rate) ? { frame: end.outFrame, wallMs: end.outTime, rate: timecodeRate(end.rate) } : null;
    } catch (error) {
      this.log.warn(`shot log ${this.file}: camera "${cameraId}": its last shot could not be read (${errorMessage(error)}); its timecode starts at the configured start`);
      return null;
    }
  }

  /** The project's timecode rate (shots.timecode.rate): the rate of an export of no shots, or of shots at several rates. */
  get projectRate(): TimecodeRateName {
    return this.settings.timecode.rate;
  }

  /** The timecode clock `camera` would get, attaching nothing: a camera's timecode checked before it (re)starts. */
  timecodeFor(camera: Pick<CameraConfig, 'id' | 'timecode'>): TimecodeClock {
    return cameraTimecode(camera, this.settings.timecode);
  }

  tracker(cameraId: string): ShotTracker | undefined {
    return this.trackers.get(cameraId);
  }

  /** The camera is gone or changed: its open shot closes at its last frame (cut out by `restart`, or by `end` for a camera removed). */
  detachCamera(cameraId: string, cutOut: 'restart' | 'end' = 'restart'): void {
    const tracker = this.trackers.get(cameraId);
    if (!tracker) return;
    tracker.endSession(cutOut);
    this.trackers.delete(cameraId);
  }

  readout(cameraId: string, label: CanonicalScale, time: number, picture: PictureState = {}): void {
    if (this.clusterNode === null) this.alerts.readout(cameraId, label, time, picture);
  }

  cameraStatus(status: CameraStatus): void {
    if (this.clusterNode === null) this.alerts.cameraStatus(status, this.clock());
  }

  /**
   * The camera is removed for good: its last shot is cut out by `end`, and
   * it leaves the takes running on it (see takesLeaveRemoved).
   */
  cameraRemoved(cameraId: string): void {
    this.detachCamera(cameraId, 'end');
    this.timecodes.delete(cameraId);
    // In a cluster the node where the camera was deleted makes every node's takes leave it, and records
    // that in the cluster's record (cluster-shot-sync.ts): the node running it may be another, or none.
    if (this.clusterNode !== null) return;
    this.takesLeaveRemoved(cameraId);
    this.alerts.cameraRemoved(cameraId, this.clock());
  }

  /**
   * A removed camera leaves the running takes that name it, and a take left
   * with no camera ends, its plan checked as at any take's end: it ran on,
   * "shooting now", on a camera that was gone, and only `{}` or naming the
   * deleted camera ended it. A take on every camera ends when every camera
   * there is now has left it, or none is left (the last camera removed). A
   * full disk leaves the takes as they were (logged): the camera is removed
   * all the same. Returns the takes that ended.
   */
  takesLeaveRemoved(cameraId: string): Take[] {
    const now = this.clock();
    const others = this.everyCamera().filter((id) => id !== cameraId);
    let ended: Take[];
    try {
      ended = guardWrite(this.db, () =>
        this.db.transaction(() => {
          const done: Take[] = [];
          // With no camera left, every one there is has left a take on every camera: it would run on nothing.
          for (const running of this.takeStore.running()) {
            if (running.cameras?.includes(cameraId)) {
              if (this.takeStore.leave(running.id, [cameraId]).cameras!.length === 0) done.push(this.takeStore.end(running.id, now));
            } else if (running.cameras === null && others.every((id) => running.exceptCameras.includes(id))) done.push(this.takeStore.end(running.id, now));
          }
          return done;
        })(),
      );
    } catch (error) {
      this.log.error(`camera "${cameraId}" removed, but the takes running on it could not leave it: ${errorMessage(error)}`);
      return [];
    }
    for (const take of ended) this.takeEnded(take, now);
    this.retake();
    return ended;
  }

  // ---- takes ----

  runningTakes(): Take[] {
    return this.takeStore.running();
  }

  /** Who is told that a resumed take's gap has its end, stored (see restart-gaps.ts). */
  onRestartGapClosed(listener: (takeId: number) => void): void {
    this.restartGapClosed = listener;
  }

  /**
   * In a cluster: cameras the restart's gap from `from` in take `takeId` cut
   * (`cut`) ran on on other nodes since (`runOn`), as the cluster's shot log
   * says; the gap ends once all have (restart-gaps.ts), and dashboards see
   * it as it is then. Returns whether the gap is still open.
   */
  restartGapRunOnElsewhere(takeId: number, from: number, cut: readonly string[], runOn: readonly RunOnElsewhere[]): boolean {
    const open = this.restartGaps.runOnElsewhere(takeId, from, cut, runOn);
    if (!open) this.events.takes(this.takeStore.running());
    return open;
  }

  /** Who is told that an edit put a shot in a scene and take (in a cluster, every other node learns the slate). */
  onShotSlated(listener: (slate: KnownSlate) => void): void {
    this.shotSlated = listener;
  }

  /**
   * The scenes and takes of a cluster's record, oldest first: a node started
   * after a scene's takes spells the scene as the cluster does ("kitchen"
   * slated here is the cluster's "Kitchen"), though its own log has none of them.
   */
  knowClusterSlates(slates: readonly KnownSlate[]): void {
    this.usedTakes.knowCluster(slates);
  }

  /**
   * A scene and take another node's edit put a shot in, after this node
   * joined: spelled as that node spelled it, and its number used here too.
   */
  knowClusterSlate(slate: KnownSlate): void {
    this.usedTakes.knowClusterSlate(slate);
  }

  /** Where the list of every camera comes from (see everyCamera). */
  knowCameras(everyCamera: () => readonly string[]): void {
    this.everyCamera = everyCamera;
  }

  /**
   * Starts a take. A running take on any of the same cameras leaves them
   * first: it runs on on its other cameras, and ends when it has none left
   * (a take on every camera ends only for a take on every camera). Both or
   * neither, on a full disk. A take number the scene has used before is
   * refused (TAKE_EXISTS, naming the next free number) unless `again`.
   */
  startTake(request: TakeRequest): Take {
    // One spelling per scene and take, whichever way it came (HTTP, Socket.IO, another node): "Ku\u0308che" is "Küche", take "01" is take 1.
    const scene = this.spelling.scene(String(request.scene ?? ''));
    if (!scene) throw new ShotscaleError('BAD_REQUEST', 'a take needs a scene, e.g. { "scene": "12", "take": "3" }');
    const given = request.take === undefined || request.take === null || String(request.take).trim() === '' ? null : this.spelling.take(scene, String(request.take));
    const take = given ?? this.usedTakes.next(scene);
    if (given !== null && request.again !== true) this.usedTakes.refuseUsed(scene, given);
    const cameras = request.cameras?.length ? [...new Set(request.cameras)] : null;
    const exceptCameras = cameras ? [] : [...new Set(request.exceptCameras ?? [])];
    const now = this.clock();
    const { ended, started } = guardWrite(this.db, () =>
      this.db.transaction(() => ({ ended: this.leaveCameras(cameras, now), started: this.takeStore.start(scene, take, cameras, now, exceptCameras) }))(),
    );
    for (const done of ended) this.takeEnded(done, now);
    this.log.info(`take started: scene ${scene} take ${take}${cameras ? ` on ${cameras.join(', ')}` : ''}`);
    this.retake();
    return started;
  }

  /**
   * Ends the running take(s): all, or on the given cameras only (a take runs
   * on on its other cameras, see startTake). Returns the takes that ended on
   * every camera.
   */
  endTake(cameras: string[] | null = null): Take[] {
    const now = this.clock();
    const done = guardWrite(this.db, () => this.db.transaction(() => this.leaveCameras(cameras?.length ? [...new Set(cameras)] : null, now))());
    for (const take of done) this.takeEnded(take, now);
    this.retake();
    return done;
  }

  /**
   * Ends one running take everywhere, at `at` (in a cluster: it ended while
   * this node was down, at the cluster's end of it, which a gap since the
   * restart then ends at too). Null: no such running take.
   */
  endRunningTake(id: number, at: number = this.clock()): Take | null {
    if (!this.takeStore.running().some((t) => t.id === id)) return null;
    const ended = guardWrite(this.db, () => this.takeStore.end(id, at));
    this.takeEnded(ended, this.clock());
    this.retake();
    return ended;
  }

  /** Running takes leave `cameras` (null: every camera); returns those that ended, having no camera left. Inside a transaction. */
  private leaveCameras(cameras: string[] | null, at: number): Take[] {
    const ended: Take[] = [];
    const everyCamera = cameras === null ? [] : this.everyCamera();
    for (const running of this.takeStore.running()) {
      if (cameras === null || (running.cameras !== null && running.cameras.every((c) => cameras.includes(c)))) ended.push(this.takeStore.end(running.id, at));
      else if (running.cameras === null || running.cameras.some((c) => cameras.includes(c))) {
        const left = this.takeStore.leave(running.id, cameras);
        if (left.cameras === null && everyCamera.length && everyCamera.every((c) => left.exceptCameras.includes(c))) ended.push(this.takeStore.end(running.id, at));
      }
    }
    return ended;
  }

  // ---- plans and coverage ----

  plan(scene: string): CoveragePlan | null {
    return this.scenePlans.plan(scene);
  }

  allPlans(): CoveragePlan[] {
    return this.scenePlans.all();
  }

  /** The config's plans, each of its scene as this log spells it (a cluster's coverage reads these). */
  configuredPlans(): CoveragePlan[] {
    return this.scenePlans.configured();
  }

  /** Every plan with its revision and source, as the plans API answers. */
  planRecords(): PlanRecord[] {
    return this.scenePlans.records();
  }

  planRecord(scene: string): PlanRecord | null {
    return this.scenePlans.record(scene);
  }

  /** Stores the scene's plan; `expected`: the revision the client loaded (PLAN_CONFLICT when it changed since). */
  setPlan(scene: string, input: unknown, expected?: number): PlanRecord {
    return this.scenePlans.set(scene, input, expected);
  }

  /** Removes the scene's stored plan (`expected` as in setPlan); whether there was one. */
  removePlan(scene: string, expected?: number): boolean {
    return this.scenePlans.remove(scene, expected);
  }

  /** Shots matching a filter, the open ones as they stand now, each with its take's mark. */
  listShots(filter: ShotFilter): StoredShot[] {
    return withTakeMarks(
      this.shots.list(filter).map((shot) => (shot.status === 'open' ? this.liveOpen(shot) : shot)),
      takeMarkIndex(this.takeStore.list()),
    );
  }

  shot(id: number): StoredShot {
    const shot = this.shots.get(id);
    return withTakeMarks([shot.status === 'open' ? this.liveOpen(shot) : shot], takeMarkIndex(this.takeStore.list()))[0]!;
  }

  /**
   * Circles a take, marks it NG or clears its mark (null); a running take
   * too. Marking a take NG resolves the plan alert its end raised: its
   * shots are not counted, and the next take's end checks the scene again.
   */
  markTake(id: number, mark: TakeMark | null): Take {
    const take = this.takeStore.setMark(id, mark);
    this.log.info(`take ${mark ? describeTakeMark(mark) : 'unmarked'}: scene ${take.scene} take ${take.take}`);
    if (mark === 'ng') this.alerts.resolvePlanAlert(take.scene, take.take, this.clock());
    this.tell(() => this.events.takeMarked?.(take));
    const shown = slateMark(takeMarkIndex(this.takeStore.list()), take.scene, take.take);
    this.tell(() => this.events.slateMarked?.({ scene: take.scene, take: take.take, mark: shown }));
    this.events.takes(this.takeStore.running());
    this.scheduleCoverage();
    return take;
  }

  alertHistory(): Alert[] {
    return this.alertStore.list();
  }

  dismissAlert(key: string): boolean {
    return this.alerts.dismiss(key, this.clock());
  }

  patchShot(id: number, patch: ShotPatch): StoredShot {
    // The shot as it is, read once, where the edit moves it (its scene or take): both steps below use it.
    const before = patch.scene === undefined && patch.take === undefined ? null : this.shots.get(id);
    const { scale, ...rest } = this.slatedPatch(patch, before);
    const takeId = before ? this.takeIdOfMove(before, rest) : undefined;
    // The scale first: an open shot refuses it before anything else changes.
    if (scale !== undefined) this.shots.setScale(id, scale);
    const shot = this.shot(this.shots.patch(id, rest, takeId).id);
    if (takeId !== undefined && shot.scene !== null) this.shotSlated({ scene: shot.scene, take: shot.take, shot: { from: shot.inTime, to: shot.outTime } });
    this.events.shot(shot);
    this.scheduleCoverage();
    return shot;
  }

  /**
   * An edit's scene, take and tags as takes store them (SlateSpelling,
   * slateText): an edited shot joins its take, not a look-alike. A take
   * given alone is of the scene the shot is in.
   */
  private slatedPatch(patch: ShotPatch, before: StoredShot | null): ShotPatch {
    const slated = this.spelling.slated(patch, before?.scene ?? null);
    if (patch.tags) slated.tags = [...new Set(patch.tags.map(slateText))];
    // A take is a take of a scene: "take 1" of no scene means nothing to an editor (an EDL's "take 1", an ALE's empty Scene).
    if (slated.scene === null && slated.take === undefined && before?.take) slated.take = null;
    const scene = slated.scene === undefined ? (before?.scene ?? null) : slated.scene;
    if (scene === null && slated.take) {
      throw new ShotscaleError('BAD_REQUEST', `a take is of a scene: shot ${before?.id ?? ''} ${slated.scene === null ? 'would have' : 'has'} none; send the scene with it, e.g. { "scene": "12", "take": "${slated.take}" }`, {
        hint: 'send a scene with the take, or clear both',
      });
    }
    return slated;
  }

  /**
   * The take record a shot moved to another scene or take belongs to: that
   * slate's take (its latest, as marks read it) where one was slated, else
   * none. Undefined: the edit moves it nowhere (the same scene and take as
   * `before`), and it keeps its take (a number slated again keeps the shot
   * in the take it was shot in).
   */
  private takeIdOfMove(before: StoredShot, patch: ShotPatch): number | null | undefined {
    const scene = patch.scene === undefined ? before.scene : patch.scene;
    const take = patch.take === undefined ? before.take : patch.take;
    if (scene === before.scene && take === before.take) return undefined;
    return scene === null || take === null ? null : (this.takeStore.find(scene, take)?.id ?? null);
  }

  coverage(query: CoverageQuery): CoverageReport {
    return coverageReport(query, this.listShots(query), query.scene === undefined ? null : this.plan(query.scene));
  }

  /** What the `coverage` event carries. */
  coverageUpdate(): CoverageUpdate {
    // Every shot since the start, as coverage reads them; an open one as its tracker has it now (listShots' liveOpen).
    const run = this.shots.coverageList({ from: this.startedAt }).map((shot) => (shot.status === 'open' ? this.liveCoverageShot(shot) : shot));
    const ofTake = (take: Take) => sceneCoverage(take.scene, take.take, this.listShots({ scene: take.scene, take: take.take }), this.plan(take.scene));
    // Newest first: two scenes shot at once each have their take's line, and the newest is `current`.
    const running = this.takeStore.running().reverse().map(ofTake);
    const current = running[0] ?? (this.lastEndedTake ? ofTake(this.lastEndedTake) : null);
    const sceneNames = new Set([...this.allPlans().map((p) => p.scene), ...(this.db.prepare('SELECT DISTINCT scene FROM shots WHERE scene IS NOT NULL').pluck().all() as string[])]);
    const scenes = [...sceneNames]
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .map((scene) => sceneCoverage(scene, null, this.listShots({ scene }), this.plan(scene)));
    return { perCamera: coverageByCamera(run), current, running, scenes };
  }

  /** Writes held in memory because the database cannot take them now, or null. */
  heldWrites(): HeldState | null {
    return this.held.state;
  }

  /**
   * Ends every camera's session (shots close at their last frame), writes
   * what is held if the database takes it now, and closes the database.
   */
  close(): void {
    clearInterval(this.tickTimer);
    for (const id of [...this.trackers.keys()]) this.detachCamera(id);
    if (!this.held.flush()) {
      const state = this.held.state!;
      this.log.error(`shot log ${this.file}: closing with ${state.writes} write(s) of ${state.shots} shot(s) not written (${state.reason}); they are lost`);
    }
    this.held.dispose();
    // After the flush: a flush that succeeds schedules a coverage push.
    if (this.coverageTimer) clearTimeout(this.coverageTimer);
    this.db.close();
    this.dirLock?.release();
  }

  // ---- internals ----

  private sink(): ShotSink {
    return {
      open: (shot, takeId) => {
        const id = this.writer.open(shot, takeId);
        this.openPush.told({ ...shot, id }, this.clock());
        this.events.shot({ ...shot, id });
        // The take's first shot since a restart: its gap ends here, and dashboards see the gap as it is now.
        if (this.restartGaps.close(takeId, shot.inTime)) this.events.takes(this.takeStore.running());
        return id;
      },
      relabel: (shot, takeId) => {
        this.writer.relabel(shot, takeId);
        this.openPush.told(shot, this.clock());
        this.events.shot(shot);
      },
      update: (shot) => {
        this.writer.extend(shot);
        // The dashboards show the running shot's scale from its events: tell them when it is no longer the one told.
        if (this.openPush.due(shot, this.clock())) this.events.shot(this.asListed(shot));
      },
      close: (shot, thumbnail) => {
        this.openPush.closed(shot.cameraId);
        const jpeg = this.settings.thumbnails && thumbnail ? this.thumbnailBytes(thumbnail) : null;
        this.writer.finish(shot, jpeg, thumbnail?.analysis ?? null);
        this.events.shot({ ...shot, hasThumbnail: jpeg !== null });
        this.scheduleCoverage();
      },
    };
  }

  private thumbnailBytes(frame: ThumbnailFrame): Uint8Array | null {
    try {
      return encodeThumbnail(frame);
    } catch (error) {
      this.log.warn(`thumbnail not encoded: ${errorMessage(error)}`);
      return null;
    }
  }

  /** The running take a camera is in: the newest that names it or covers every camera. */
  private takeFor(cameraId: string): TakeRef | null {
    const take = this.takeStore
      .running()
      .filter((t) => takeCovers(t, cameraId))
      .at(-1);
    return take ? { id: take.id, scene: take.scene, take: take.take } : null;
  }

  /** Tells every tracker its take, splitting shots where it changed. */
  private retake(): void {
    for (const [cameraId, tracker] of this.trackers) {
      const next = this.takeFor(cameraId);
      if (tracker.currentTake?.id !== next?.id) tracker.setTake(next);
    }
    this.events.takes(this.takeStore.running());
    this.scheduleCoverage();
  }

  /** After a take's end is stored: the plan check. */
  private takeEnded(endedTake: Take, now: number): void {
    // Ended before any shot came since a restart: the gap ran to its end.
    const ended = this.restartGaps.close(endedTake.id, endedTake.endedAt ?? now, true) ? this.takeStore.get(endedTake.id) : endedTake;
    // Its alerts of earlier restarts that still say "the take runs on" say when it ended.
    this.restartGaps.takeEnded(ended);
    this.lastEndedTake = ended;
    this.log.info(`take ended: scene ${ended.scene} take ${ended.take}`);
    this.tell(() => this.events.takeEnded?.(ended));
    // A take marked NG while it ran raises no plan alert: nothing it lacks matters, and the next take's end checks the scene.
    const plan = this.clusterNode === null && ended.mark !== 'ng' ? this.plan(ended.scene) : null;
    if (plan) {
      // The whole scene so far: a CU shot in take 2 still covers the scene in take 5.
      const statuses = evaluatePlan(plan, this.listShots({ scene: ended.scene }));
      this.alerts.takeEnded(ended.scene, ended.take, missingItems(statuses), now);
    }
  }

  /** The open shot as GET /api/shots lists it (with the operator's edits), or as the tracker has it while the database cannot say. */
  private asListed(shot: ShotRecord): ShotRecord {
    try {
      return this.shot(shot.id);
    } catch {
      return shot;
    }
  }

  /** An open shot in the database is up to a quarter second behind its tracker. */
  private liveOpen(shot: StoredShot): StoredShot {
    const live = this.trackedOpen(shot);
    // The tracker knows the frames; the database knows the operator's edits (tags, note, scene, take).
    if (!live) return shot;
    const edited = { ...live, takeId: shot.takeId, tags: shot.tags, note: shot.note, scene: shot.scene, take: shot.take };
    return shot.operatorFraming ? { ...edited, operatorFraming: shot.operatorFraming } : edited;
  }

  /** An open shot's coverage fields as its tracker has them (the database's are up to a quarter second behind). */
  private liveCoverageShot(shot: CoverageShot): CoverageShot {
    return this.trackedOpen(shot) ?? shot;
  }

  /** The open shot as its camera's tracker has it now, or null when the tracker's open shot is another (or none). */
  private trackedOpen(shot: Pick<ShotRecord, 'id' | 'cameraId'>): ShotRecord | null {
    const live = this.trackers.get(shot.cameraId)?.openRecord();
    return live && live.id === shot.id ? live : null;
  }

  /** An alert goes out at once; its record is held like shots on a full disk (a raise and its resolve coalesce). */
  private onAlert(alert: Alert): void {
    try {
      this.held.write({ coalesce: `alert:${alert.key}:${Math.round(alert.since)}`, run: () => this.alertStore.record(alert) });
    } catch (error) {
      this.log.error(`alert not stored: ${errorMessage(error)}`);
    }
    this.tell(() => this.events.alert(alert));
  }

  /** Tells a listener now, or once open() has returned. */
  private tell(event: () => void): void {
    if (this.opening) this.opening.push(event);
    else event();
  }

  /** Writes are held (or, null, all written): the storage alert says so, with what is at stake. */
  private onHeld(state: HeldState | null): void {
    const now = this.clock();
    if (!state) {
      this.log.info(`shot log ${this.file}: writable again; every held write is written`);
      this.alerts.storageFault(null, now);
      // Lists and coverage read the database: they have the held shots only now.
      this.scheduleCoverage();
      return;
    }
    const message = `${this.clusterNode === null ? '' : `Node ${this.clusterNode}: `}The shot log at ${this.file} cannot be written (${state.reason}); ${state.shots} shot${state.shots === 1 ? ' is' : 's are'} held in memory and retried every ${HELD_RETRY_MS / 1000} s`;
    if (this.heldLoggedSince !== state.since) this.log.error(message);
    this.heldLoggedSince = state.since;
    this.alerts.storageFault({ since: state.since, message }, now);
  }

  /** Coverage is pushed at most once a second, after the latest change. */
  private scheduleCoverage(): void {
    if (this.coverageTimer) return;
    const spacing = Math.max(COVERAGE_PUSH_MIN_MS, COVERAGE_COST_SPACING * this.lastCoverageCostMs);
    const wait = Math.max(0, this.lastCoveragePush + spacing - this.clock());
    this.coverageTimer = setTimeout(() => {
      this.coverageTimer = null;
      this.lastCoveragePush = this.clock();
      const started = performance.now();
      try {
        const update = this.coverageUpdate();
        this.lastCoverageCostMs = performance.now() - started;
        for (const scene of update.scenes) if (scene.plan && scene.missing.length === 0) this.alerts.planSatisfied(scene.scene, this.lastCoveragePush);
        this.events.coverage(update);
      } catch (error) {
        this.log.error(`coverage not computed: ${errorMessage(error)}`);
      }
    }, wait);
    this.coverageTimer.unref();
  }
}
