/**
 * The cameras at runtime: add, change and remove one without touching the
 * others. Each camera is a supervisor (ingest) plus a ring in the scheduler,
 * a smoother and its metric series.
 */
import { upcomingSourceSession } from '../shared/source-sessions.js';
import type { CameraConfig, CameraInput, Config } from '../config/schema.js';
import { cameraSchema } from '../config/schema.js';
import { describeIssue, formatKeyPath, resolveConfigPath } from '../config/load-config.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { CameraSupervisor } from '../ingest/camera-supervisor.js';
import type { CameraSource } from '../ingest/camera-source.js';
import { WebRtcCamera } from '../ingest/webrtc/webrtc-camera.js';
import type { ArgsContext } from '../ingest/ffmpeg-args.js';
import { publicSource, restoreSecrets } from '../ingest/source-secrets.js';
import type { ReadoutBuilder } from '../analysis/readout-builder.js';
import type { CameraModelProfile, ModelSet } from '../inference/model-set.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { BatchScheduler } from '../scheduling/batch-scheduler.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { CameraStatus } from '../shared/socket-events.js';
import type { Frame } from '../shared/frame.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { ShotTracker } from '../shots/shot-tracker.js';
import { probeMedia } from '../ingest/media-probe.js';
import { checkSourceFile } from '../ingest/source-file.js';

export interface CameraManagerDeps {
  ffmpegPath: string;
  argsContext: ArgsContext;
  models: ModelSet;
  supervisorSettings: Config['supervisor'];
  baseDir: string;
  scheduler: BatchScheduler;
  readouts: ReadoutBuilder;
  metrics: PipelineMetrics;
  clock: Clock;
  log: Logger;
  onStatus: (status: CameraStatus) => void;
  /** The camera is gone from this node: removed, or (`moved`) stopped here for another node to run. */
  onRemoved: (cameraId: string, why: 'removed' | 'moved') => void;
  /** Cuts feeds into shots; null when shots are off. */
  shotLog: ShotLog | null;
  /** In a cluster: this node's id, carried in every status. */
  nodeId?: string;
}

/** Fields of a camera that PATCH may change (id is the key, so it cannot). */
export type CameraPatch = Partial<Omit<CameraInput, 'id'>>;

/** A camera with everything that could refuse it resolved: it can start. */
interface PreparedCamera {
  /** Paths resolved against the config's folder. */
  camera: CameraConfig;
  profile: CameraModelProfile;
}

export function parseCamera(input: unknown, where: string): CameraConfig {
  const parsed = cameraSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${formatKeyPath(issue.path)}: ${describeIssue(issue)}`);
  throw new ShotscaleError('CAMERA_INVALID', `${where}: ${lines.join('; ')}`);
}

export class CameraManager {
  private readonly supervisors = new Map<string, CameraSource>();
  private readonly profiles = new Map<string, CameraModelProfile>();
  /**
   * Per camera id, the last of its changes (update, remove, detach, replace,
   * a publisher's camera): each waits for the one before. A camera stays
   * listed until a change of it is done (an edited one until its
   * replacement has started), so add(), which does not wait, refuses its id
   * meanwhile, and no change ever finds it missing half-way.
   */
  private readonly changes = new Map<string, Promise<void>>();

  constructor(private readonly deps: CameraManagerDeps) {}

  list(): CameraStatus[] {
    return [...this.supervisors.values()].map((s) => this.statusOf(s));
  }

  /**
   * A camera's status with the rate it is analysed at now (its fair share
   * while over capacity). Only a live camera has one: a stalled or waiting
   * camera delivers nothing to share out, and its last share read as
   * "2.2 fps of 0.0 fps" on the wall.
   */
  statusOf(source: CameraSource): CameraStatus {
    const status = source.status();
    const share = status.state === 'live' ? this.deps.scheduler.capacity()?.cameras[status.cameraId] : undefined;
    return { ...status, analysisRate: share && share.allowedFps < share.arrivingFps ? share.allowedFps : null, ...(this.deps.nodeId ? { node: this.deps.nodeId } : {}) };
  }

  has(cameraId: string): boolean {
    return this.supervisors.has(cameraId);
  }

  get(cameraId: string): CameraSource {
    const supervisor = this.supervisors.get(cameraId);
    if (!supervisor) throw new ShotscaleError('CAMERA_NOT_FOUND', `no camera "${cameraId}"`);
    return supervisor;
  }

  /** The camera's config as the API shows it: credentials scrubbed. */
  publicConfig(cameraId: string): CameraConfig {
    const camera = this.get(cameraId).camera;
    return { ...camera, source: publicSource(camera.source) };
  }

  /** A camera definition checked as add() would check it (schema, models, head, timecode), without starting it. */
  validate(input: unknown): CameraConfig {
    const camera = parseCamera(input, 'camera');
    this.prepare(camera);
    return camera;
  }

  /**
   * Starts a new camera; refused (nothing of it left behind) when any part of
   * it is wrong or it cannot start. A file camera's file must exist, unless
   * `fileMayBeMissing`: a config's cameras at start, where one missing file
   * (a drive mounted late) must not keep the others off the wall; that camera
   * is failed with the reason and looks for its file again (CameraSupervisor).
   */
  add(input: unknown, { fileMayBeMissing = false }: { fileMayBeMissing?: boolean } = {}): CameraStatus {
    const camera = parseCamera(input, 'camera');
    if (this.supervisors.has(camera.id)) throw new ShotscaleError('CAMERA_EXISTS', `camera "${camera.id}" already exists`);
    const prepared = this.prepare(camera);
    // Here, not in prepare(): in a cluster a camera is defined once and its file need only exist on the nodes that run it.
    if (!fileMayBeMissing) checkSourceFile(prepared.camera);
    try {
      this.startCamera(prepared);
    } catch (error) {
      // Listed already, its first status may have gone out: the dashboards drop it again.
      if (this.discardCamera(camera.id)) this.deps.onRemoved(camera.id, 'removed');
      this.deps.metrics.forgetCamera(camera.id);
      throw this.startFailure(camera.id, error, 'it was not added');
    }
    return this.statusOf(this.get(camera.id));
  }

  /**
   * Restarts the camera with changed fields. Everything that can refuse the
   * change is checked while the old camera still runs, so a refused edit
   * leaves it running as it was; should the new one still fail to start,
   * the old settings start again.
   */
  update(cameraId: string, patch: CameraPatch): Promise<CameraStatus> {
    return this.serialised(cameraId, () => this.updateNow(cameraId, patch));
  }

  private async updateNow(cameraId: string, patch: CameraPatch): Promise<CameraStatus> {
    const current = this.get(cameraId).camera;
    if ('id' in (patch as object) && (patch as { id?: unknown }).id !== cameraId) {
      throw new ShotscaleError('CAMERA_INVALID', `camera "${cameraId}": the id cannot be changed (remove and add instead)`);
    }
    const parsed = parseCamera({ ...current, ...patch, id: cameraId }, `camera "${cameraId}"`);
    const next = { ...parsed, source: restoreSecrets(parsed.source, current.source) };
    const prepared = this.prepare(next);
    // Only a changed path: a rename of a camera whose file went away is no reason to refuse.
    const samePath = current.source.kind === 'file' && prepared.camera.source.kind === 'file' && prepared.camera.source.path === current.source.path;
    if (!samePath) checkSourceFile(prepared.camera);
    const old = await this.stopCamera(cameraId, false, true);
    try {
      this.startCamera(prepared);
    } catch (error) {
      this.dropStopped(cameraId, old);
      this.discardCamera(cameraId);
      const restored = this.restart(current);
      throw this.startFailure(cameraId, error, restored ? 'it runs on with its previous settings' : 'nor could it start again with its previous settings: it is removed');
    }
    return this.statusOf(this.get(cameraId));
  }

  remove(cameraId: string): Promise<void> {
    return this.serialised(cameraId, () => this.removeNow(cameraId));
  }

  private async removeNow(cameraId: string): Promise<void> {
    this.get(cameraId);
    await this.stopCamera(cameraId, true);
    this.deps.metrics.forgetCamera(cameraId);
    this.deps.onRemoved(cameraId, 'removed');
  }

  /**
   * In a cluster: the camera stops here because another node takes it over
   * (or its lease was lost). Its open shot closes at its last frame; its
   * shots stay in the log, unlike remove().
   */
  detach(cameraId: string): Promise<void> {
    return this.serialised(cameraId, async () => {
      if (!this.supervisors.has(cameraId)) return;
      await this.stopCamera(cameraId, false);
      this.deps.metrics.forgetCamera(cameraId);
      this.deps.onRemoved(cameraId, 'moved');
    });
  }

  /** In a cluster: a camera whose definition changed restarts with the new one (or starts, when not running here). */
  async replace(input: unknown): Promise<CameraStatus> {
    const camera = parseCamera(input, 'camera');
    return this.serialised(camera.id, async () => {
      const prepared = this.prepare(camera);
      const old = await this.stopCamera(camera.id, false, true);
      try {
        this.startCamera(prepared);
      } catch (error) {
        this.dropStopped(camera.id, old);
        this.discardCamera(camera.id);
        throw error;
      }
      return this.statusOf(this.get(camera.id));
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.supervisors.keys()].map((id) => this.serialised(id, () => this.stopCamera(id, false))));
  }

  /** For a process about to exit: every ffmpeg child is told to stop now; nothing is awaited. */
  killAll(): void {
    for (const source of this.supervisors.values()) {
      if (source.pid === undefined) continue;
      try {
        process.kill(source.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }

  /** The WebRTC camera `cameraId`; refused when the camera is fed by ffmpeg. */
  webrtc(cameraId: string): WebRtcCamera {
    const source = this.get(cameraId);
    if (!(source instanceof WebRtcCamera)) throw new ShotscaleError('CAMERA_BUSY', `camera "${cameraId}" is a ${source.camera.source.kind} camera; WHIP publishes only to WebRTC cameras`);
    return source;
  }

  /**
   * A WHIP publisher's offer for `cameraId`, answered. A camera created for
   * it is removed again when the offer is refused, so rejected requests
   * leave no cameras (and no metric series) behind.
   */
  async publish(cameraId: string, offer: string, name?: string, peer?: string): Promise<{ sessionId: string; answer: string }> {
    // The camera is found (or made) after any change of it in progress; the offer is answered outside the queue.
    let created = false;
    const camera = await this.serialised(cameraId, () => {
      created = !this.supervisors.has(cameraId);
      if (created) this.add({ id: cameraId, ...(name ? { name } : {}), source: { kind: 'webrtc' } });
      try {
        return this.webrtc(cameraId);
      } catch (error) {
        if (created && this.discardCamera(cameraId)) this.deps.onRemoved(cameraId, 'removed');
        throw error;
      }
    });
    // A camera a publisher made is the publishers' to name: one coming back with ?name= renames it (a camera from
    // the config or the API keeps the name it was given there). The name is checked as the first publish checks it,
    // before anything changes: unchecked, a 600-character name or one with a line break or a bidi override went
    // onto every wall, and every later edit of the camera was refused for it.
    const rename = !created && name && camera.madeByPublisher ? parseCamera({ id: cameraId, name, source: { kind: 'webrtc' } }, 'camera').name : undefined;
    let result: { sessionId: string; answer: string };
    try {
      result = await camera.publish(offer, peer ? { peer } : {});
      if (rename) camera.rename(rename);
    } catch (error) {
      // Removed only while it is still the camera made here (one an admin changed meanwhile is theirs now).
      if (created) await this.serialised(cameraId, () => (this.supervisors.get(cameraId) === camera ? this.removeNow(cameraId) : undefined));
      throw error;
    }
    return result;
  }

  /** The models, weights and calibration a camera's frames go through. */
  profile(cameraId: string): CameraModelProfile {
    const profile = this.profiles.get(cameraId);
    if (!profile) throw new ShotscaleError('CAMERA_NOT_FOUND', `no camera "${cameraId}"`);
    return profile;
  }

  /** Counts frames dropped by the scheduler against the camera's status. */
  countDropped(cameraId: string, count: number): void {
    this.supervisors.get(cameraId)?.countDropped(count);
  }

  /**
   * Resolves all that can refuse a camera (its models, its calibration head,
   * its timecode) without touching any running camera. What the camera's
   * own fields get wrong is CAMERA_INVALID naming the field: the request's
   * mistake (400), whatever the file or the clock said.
   */
  private prepare(given: CameraConfig): PreparedCamera {
    const { deps } = this;
    // File paths in cameras are relative to the config file, like every path.
    const camera: CameraConfig = given.source.kind === 'file' ? { ...given, source: { ...given.source, path: resolveConfigPath({ baseDir: deps.baseDir }, given.source.path) } } : given;
    if (typeof camera.calibration === 'string') {
      try {
        deps.models.head(camera.calibration);
      } catch (error) {
        if (!isShotscaleError(error)) throw error;
        throw new ShotscaleError('CAMERA_INVALID', `camera "${camera.id}": calibration: ${error.message}`, { cause: error, ...(error.hint ? { hint: error.hint } : {}) });
      }
    }
    let profile: CameraModelProfile;
    try {
      profile = deps.models.profile(camera);
    } catch (error) {
      // The head is loaded (and kept) by now, so what profile() can still refuse is a model name.
      if (!isShotscaleError(error)) throw error;
      throw new ShotscaleError('CAMERA_INVALID', `camera "${camera.id}": models: ${error.message}`, { cause: error });
    }
    this.checkTimecode(camera);
    return { camera, profile };
  }

  /** A camera's own timecode that no clock can count (a frame past the rate, 25:00:00:00) refuses it; shots off, no clock is made. */
  private checkTimecode(camera: CameraConfig): void {
    const shotLog = this.deps.shotLog;
    if (!shotLog || !camera.timecode) return;
    try {
      shotLog.timecodeFor(camera);
    } catch (error) {
      if (!isShotscaleError(error)) throw error;
      // When the server's own shots.timecode fails as well, the config is wrong, not the request: that error stands.
      shotLog.timecodeFor({ id: camera.id });
      throw new ShotscaleError('CAMERA_INVALID', error.message, { cause: error });
    }
  }

  /** The camera that failed to start with new settings starts with `previous` again (they ran until just now); false when even that fails. */
  private restart(previous: CameraConfig): boolean {
    try {
      this.startCamera(this.prepare(previous));
      return true;
    } catch (error) {
      this.discardCamera(previous.id);
      this.deps.metrics.forgetCamera(previous.id);
      this.deps.log.error(`camera "${previous.id}" could not start again with its previous settings: ${errorMessage(error)}; it is removed`);
      this.deps.onRemoved(previous.id, 'removed');
      return false;
    }
  }

  /**
   * A start that failed past every check is not the request's fault as far
   * as anyone can tell, so the log has the details; the answer is still a
   * coded refusal that says what became of the camera.
   */
  private startFailure(cameraId: string, error: unknown, outcome: string): ShotscaleError {
    if (isShotscaleError(error, 'CAMERA_INVALID')) return error;
    this.deps.log.error(`camera "${cameraId}" could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return new ShotscaleError('CAMERA_INVALID', `camera "${cameraId}" could not start (${errorMessage(error)}); ${outcome}`, { cause: error });
  }

  /** Takes back whatever a failed startCamera() had set up; nothing of it may run or be listed. True when it was listed. */
  private discardCamera(cameraId: string): boolean {
    const supervisor = this.unlist(cameraId);
    this.deps.shotLog?.detachCamera(cameraId);
    this.deps.readouts.forget(cameraId);
    supervisor?.stop().catch((error: unknown) => this.deps.log.warn(`camera "${cameraId}": stopping a camera that failed to start: ${errorMessage(error)}`));
    return supervisor !== undefined;
  }

  private startCamera({ camera, profile }: PreparedCamera): void {
    const { deps } = this;
    const log = deps.log.child(`camera:${camera.id}`);
    // Frames of this camera's earlier source (before an edit) still in inference belong to no shot of the new one.
    const tracker = deps.shotLog?.attachCamera(camera, { firstSession: upcomingSourceSession(camera.id) }) ?? null;
    if (tracker && camera.source.kind === 'file') this.useFileTimecode(camera.source.path, tracker, log);
    const common = {
      // The source delivers frames for the camera's first model; others are resized from them.
      output: profile.models[0]!.model.input,
      settings: deps.supervisorSettings,
      clock: deps.clock,
      log,
      onFrame: (frame: Frame) => {
        deps.metrics.framesIn.inc({ camera: camera.id });
        deps.scheduler.push(frame);
      },
      cuts: tracker ? { fps: tracker.fps } : null,
      onCutFrame: (session: number, index: number, data: Uint8Array, completedAt: number) => tracker?.cutFrame(session, index, data, completedAt),
      onSessionEnd: (session: number, reason: 'end' | 'restart') => tracker?.endSession(reason, session),
      onStateChange: (s: CameraSource) => {
        const status = this.statusOf(s);
        deps.metrics.cameraUp.set({ camera: camera.id }, status.state === 'live' ? 1 : 0);
        if (status.state === 'stalled') deps.metrics.stalls.inc({ camera: camera.id });
        // A restarted source is a new shot as far as smoothing knows.
        if (status.state === 'live') deps.readouts.reset(camera.id);
        // The code too, so a log search finds every camera refused its credentials, whatever the words.
        log.info(`state ${status.state}${status.errorCode && status.state !== 'live' ? ` [${status.errorCode}]` : ''}${status.lastError && status.state !== 'live' ? `: ${status.lastError}` : ''}`);
        deps.shotLog?.cameraStatus(status);
        deps.onStatus(status);
      },
    };
    const supervisor: CameraSource =
      camera.source.kind === 'webrtc' ? new WebRtcCamera(camera, common) : new CameraSupervisor(camera, { ...common, ffmpegPath: deps.ffmpegPath, argsContext: deps.argsContext });
    this.supervisors.set(camera.id, supervisor);
    this.profiles.set(camera.id, profile);
    deps.scheduler.addCamera(camera.id);
    deps.metrics.cameraUp.set({ camera: camera.id }, 0);
    supervisor.start();
    deps.onStatus(this.statusOf(supervisor));
  }

  /** Takes the camera out of the lists and the scheduler (it gets no more frames analysed); its supervisor, if it had one. */
  private unlist(cameraId: string): CameraSource | undefined {
    const supervisor = this.supervisors.get(cameraId);
    this.supervisors.delete(cameraId);
    this.profiles.delete(cameraId);
    this.deps.scheduler.removeCamera(cameraId);
    return supervisor;
  }

  /**
   * Stops the camera (no more of its frames are analysed from the start).
   * It stays listed while its source stops, so that add() refuses its id;
   * then it is unlisted, or with `keepListed` (an edit: its replacement
   * takes its place) left listed, stopped, for the caller to replace.
   * Returns the stopped source.
   */
  private async stopCamera(cameraId: string, forget: boolean, keepListed = false): Promise<CameraSource | undefined> {
    const supervisor = this.supervisors.get(cameraId);
    if (!supervisor) return undefined;
    this.profiles.delete(cameraId);
    this.deps.scheduler.removeCamera(cameraId);
    // Removed: the session the stop ends is the camera's last, its shot cut out by `end`, not `restart`.
    if (forget) this.deps.shotLog?.tracker(cameraId)?.stopForGood();
    let stopped = false;
    try {
      await supervisor.stop();
      stopped = true;
    } finally {
      if (!keepListed || !stopped) this.dropStopped(cameraId, supervisor);
    }
    if (forget) this.deps.shotLog?.cameraRemoved(cameraId);
    else this.deps.shotLog?.detachCamera(cameraId);
    this.deps.readouts.forget(cameraId);
    return supervisor;
  }

  /** Unlists `stopped` (a source stopCamera() stopped), unless another source has taken its place. */
  private dropStopped(cameraId: string, stopped: CameraSource | undefined): void {
    if (stopped && this.supervisors.get(cameraId) === stopped) this.unlist(cameraId);
  }

  /** Runs `change` once every change of `cameraId` before it has ended (whether it succeeded or not). */
  private serialised<T>(cameraId: string, change: () => T | Promise<T>): Promise<T> {
    const run = (this.changes.get(cameraId) ?? Promise.resolve()).then(change);
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.changes.set(cameraId, done);
    void done.then(() => {
      if (this.changes.get(cameraId) === done) this.changes.delete(cameraId);
    });
    return run;
  }

  /** A file with its own timecode track starts the camera's timecode there (when the camera allows). */
  private useFileTimecode(file: string, tracker: ShotTracker, log: Logger): void {
    probeMedia(this.deps.ffmpegPath, file, { fieldOrder: false }).then(
      (info) => {
        if (info.timecode && tracker.useSourceTimecode(info.timecode)) log.info(`timecode from the file: starts at ${info.timecode}`);
      },
      // The supervisor reports an unreadable file; the timecode falls back to the configured start.
      () => undefined,
    );
  }
}
