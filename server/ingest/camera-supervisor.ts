/**
 * One supervisor per camera: runs its ffmpeg child, turns stdout into frames,
 * restarts it with capped exponential backoff, and watches for stalls. It
 * tells "failed to spawn" from "died later" and logs pid, exit code and signal.
 * Nothing that happens here can throw into the rest of the server.
 */
import { nextSourceSession } from '../shared/source-sessions.js';
import { spawn, type ChildProcess } from 'node:child_process';
import type { CameraConfig, Config } from '../config/schema.js';
import { errorMessage, isShotscaleError, type ErrorCode } from '../errors.js';
import type { CameraState, CameraStatus } from '../shared/socket-events.js';
import { CUT_FRAME_BYTES } from '../cuts/cut-frames.js';
import { buildFfmpegArgs, CUT_FRAMES_FD, describeSource, type ArgsContext } from './ffmpeg-args.js';
import { scrubCredentials } from './source-secrets.js';
import { explainFfmpegExit } from './ffmpeg-failure.js';
import { FrameReader } from './frame-reader.js';
import { FrameRateMeter } from './frame-rate-meter.js';
import { SourcePace } from './source-pace.js';
import { LoopBlockAllowance } from './loop-block-allowance.js';
import { listensForSender } from './listener-source.js';
import { sourceFileProblem } from './source-file.js';
import type { CameraSourceDeps } from './camera-source.js';

export type SupervisorSettings = Config['supervisor'];

export interface SupervisorDeps extends CameraSourceDeps<CameraSupervisor> {
  ffmpegPath: string;
  argsContext: ArgsContext;
}

const KILL_GRACE_MS = 2000;
/** stderr lines of the running ffmpeg kept to explain its exit (its first lines say most: the input failed to open). */
const SESSION_STDERR_LINES = 200;

/** Frame intervals a camera may go without a frame before it counts as stalled. */
const STALL_INTERVALS = 2.5;

/**
 * How long the watchdog waits for the first frame after a start, and for the
 * next frame once live: the configured timeouts, but never under 2.5 frame
 * intervals at the camera's analysis rate (0.1 fps is a frame every 10 s; a
 * 5 s stall timeout would restart it forever).
 */
export function watchdogLimitsMs(settings: Pick<SupervisorSettings, 'stallTimeoutS' | 'firstFrameTimeoutS'>, analysisFps: number): { firstFrameMs: number; stallMs: number } {
  const intervalsS = analysisFps > 0 ? STALL_INTERVALS / analysisFps : 0;
  return {
    firstFrameMs: Math.max(settings.firstFrameTimeoutS, intervalsS) * 1000,
    stallMs: Math.max(settings.stallTimeoutS, intervalsS) * 1000,
  };
}

export class CameraSupervisor {
  private child: ChildProcess | null = null;
  private state: CameraState = 'stopped';
  private since: number;
  private restartTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** The time the event loop was blocked since the last frame: not held against the source (loop-block-allowance.ts). */
  private loopBlock: LoopBlockAllowance | null = null;
  private attempt = 0;
  private startedAt = 0;
  private liveAt = 0;
  private lastFrameAt = 0;
  private seq = 0;
  /** ffmpeg's repeats of a picture to fill analysisFps, and whether the source is slower than it (source-pace.ts). */
  private readonly pace = new SourcePace(() => this.camera.analysisFps);
  private stopping = false;
  private stderrTail: string[] = [];
  private stderrPartial = '';
  /** This ffmpeg's own stderr lines: an exit is explained by its own words, not an earlier attempt's. */
  private sessionStderr: string[] = [];
  private readonly rate = new FrameRateMeter();
  private lastError: string | null = null;
  /** The stable code of lastError's failure (ERROR_CODES); null while live, and for a listener waiting for its sender. */
  private errorCode: ErrorCode | null = null;
  /** The source is a port a sender pushes to (see listener-source.ts). */
  private readonly listener: boolean;
  private counters = { framesIn: 0, framesDropped: 0, reconnects: 0, stalls: 0 };

  constructor(
    readonly camera: CameraConfig,
    private readonly deps: SupervisorDeps,
  ) {
    this.since = deps.clock();
    this.listener = listensForSender(camera.source);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    if (!this.camera.enabled) return this.setState('stopped');
    this.spawnChild();
  }

  /** Stops the child for good (camera removed, disabled or server shutting down). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        child.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    this.child = null;
    this.setState('stopped');
  }

  countDropped(n: number): void {
    this.counters.framesDropped += n;
  }

  status(): CameraStatus {
    const now = this.deps.clock();
    return {
      cameraId: this.camera.id,
      name: this.camera.name ?? this.camera.id,
      enabled: this.camera.enabled,
      sourceKind: this.camera.source.kind,
      source: describeSource(this.camera.source),
      state: this.state,
      since: this.since,
      analysisFps: this.camera.analysisFps,
      measuredFps: this.state === 'live' ? this.rate.fps(now) : 0,
      ...(this.state === 'live' && this.pace.sourceSlower ? { sourceSlower: true } : {}),
      ...this.counters,
      lastError: this.lastError,
      errorCode: this.errorCode,
      lastStderr: [...this.stderrTail],
    };
  }

  private setState(state: CameraState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = this.deps.clock();
    this.deps.onStateChange(this);
  }

  private spawnChild(): void {
    const { deps, camera } = this;
    const fileProblem = sourceFileProblem(camera.source);
    if (fileProblem) return this.waitForFile(fileProblem);
    let args: string[];
    try {
      args = buildFfmpegArgs(camera.source, { ...deps.output, fps: camera.analysisFps }, deps.argsContext, deps.cuts);
    } catch (error) {
      // A source this machine cannot read (NDI without libndi): retrying cannot help.
      this.lastError = isShotscaleError(error) ? `${error.message}${error.hint ? ` (${error.hint})` : ''}` : errorMessage(error);
      this.errorCode = isShotscaleError(error) ? error.code : 'SOURCE_FAILED';
      deps.log.error(this.lastError);
      return this.setState('failed');
    }
    this.setState(this.attempt === 0 ? 'starting' : 'restarting');
    this.startedAt = deps.clock();
    this.seq = 0;
    this.pace.restart();
    this.sessionStderr = [];
    this.stderrPartial = '';
    const session = nextSourceSession(this.camera.id);
    const frameBytes = deps.output.width * deps.output.height * 3;
    const reader = new FrameReader(frameBytes, (data, completedAt) => this.handleFrame(session, data, completedAt), deps.clock);
    // fd 3 carries the cut frames when asked for (see buildFfmpegArgs).
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe'];
    if (deps.cuts) stdio[CUT_FRAMES_FD] = 'pipe';
    const child = spawn(deps.ffmpegPath, args, { stdio });
    this.child = child;
    let spawned = false;

    child.once('spawn', () => {
      spawned = true;
      deps.log.info(`ffmpeg started (pid ${child.pid}) for ${describeSource(camera.source)}`);
    });
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return;
      finished = true;
      if (this.child === child) this.child = null;
      const endOfFile = this.camera.source.kind === 'file' && !this.camera.source.loop && code === 0;
      if (spawned) deps.onSessionEnd(session, endOfFile ? 'end' : 'restart');
      this.handleExit(spawned, child.pid, code, signal);
    };
    child.once('error', (error) => {
      // 'error' without 'spawn' means the binary could not be started at all,
      // and 'close' may never follow.
      this.lastError = spawned ? `ffmpeg error: ${error.message}` : `failed to spawn ffmpeg (${deps.ffmpegPath}): ${error.message}`;
      // Not started at all: the binary is missing, or not one this user may run.
      this.errorCode = spawned ? 'SOURCE_FAILED' : 'FFMPEG_NOT_FOUND';
      deps.log.error(this.lastError);
      if (!spawned) finish(null, null);
    });
    child.stdout?.on('data', (chunk: Buffer) => reader.push(chunk));
    if (deps.cuts) {
      let index = 0;
      const cutReader = new FrameReader(CUT_FRAME_BYTES, (data, completedAt) => deps.onCutFrame(session, index++, data, completedAt), deps.clock);
      const cutPipe = child.stdio[CUT_FRAMES_FD] as NodeJS.ReadableStream | null;
      cutPipe?.on('data', (chunk: Buffer) => cutReader.push(chunk));
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => this.keepStderr(text));
    child.once('close', (code, signal) => finish(code, signal));
    this.armWatchdog();
  }

  private handleFrame(session: number, data: Uint8Array, completedAt: number): void {
    this.lastFrameAt = completedAt;
    this.loopBlock?.reset();
    // Its place on the analysis grid whether or not it is passed on: times stay frame index / rate.
    const seq = this.seq++;
    // A repeat ffmpeg made to fill the rate: not received, not dropped, not analysed.
    if (!this.pace.frame(data, completedAt)) return;
    this.counters.framesIn += 1;
    this.rate.frame(completedAt);
    if (this.state !== 'live') {
      this.liveAt = completedAt;
      this.lastError = null;
      this.errorCode = null;
      this.setState('live');
    }
    this.pace.counted(this.rate, completedAt, this.liveAt);
    if (completedAt - this.liveAt > this.deps.settings.healthyAfterS * 1000) this.attempt = 0;
    const { width, height } = this.deps.output;
    this.deps.onFrame({ cameraId: this.camera.id, seq, session, timeS: seq / this.camera.analysisFps, captureTime: completedAt, width, height, data });
  }

  private handleExit(spawned: boolean, pid: number | undefined, code: number | null, signal: NodeJS.Signals | null): void {
    this.clearWatchdog();
    if (this.stopping) return;
    let failure: ReturnType<typeof explainFfmpegExit> = null;
    if (spawned) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      // ffmpeg's last line is often the least telling ("At least one output file must
      // be specified" for an audio-only source): say what its lines show, where.
      if (this.stderrPartial.trim()) this.keepStderr('\n');
      const session = { ranMs: this.deps.clock() - this.startedAt, frames: this.seq };
      failure = signal ? null : explainFfmpegExit(this.sessionStderr, code, this.camera.source, describeSource(this.camera.source), session);
      // The reason first, in words (a tile cuts the line short): pid and exit code
      // stay in the log line below and in the kept stderr.
      const lastLine = this.sessionStderr.at(-1);
      const shown = failure ? failure.reason : lastLine ? `${lastLine} (ffmpeg ${how})` : `ffmpeg ${how}`;
      // After a stall the SIGKILL is ours: the stall stays the reason shown.
      if (this.state !== 'stalled') {
        this.lastError = shown;
        // ffmpeg's last line alone (no known failure in its lines) is told apart from nothing else.
        this.errorCode = failure?.code ?? 'SOURCE_FAILED';
      }
      this.deps.log.warn(`ffmpeg (pid ${pid}) ${how}${failure ? `: ${failure.reason}` : ''}`);
    }
    // A file that gave no picture at all (failure.permanent) is that fault, not an end of file.
    if (this.camera.source.kind === 'file' && !this.camera.source.loop && code === 0 && !failure?.permanent) {
      this.lastError = 'end of file';
      this.errorCode = 'SOURCE_ENDED';
      return this.setState('stopped');
    }
    // This ffmpeg cannot read the source at all (a protocol it was built without, a file
    // with no picture): retrying cannot help. Editing the camera (or disabling and
    // enabling it) starts it afresh.
    if (failure?.permanent) return this.setState('failed');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const { settings } = this.deps;
    const delayS = Math.min(settings.backoffMaxS, settings.backoffInitialS * 2 ** this.attempt);
    this.attempt += 1;
    this.counters.reconnects += 1;
    this.setState('restarting');
    this.deps.log.info(`restarting in ${delayS.toFixed(1)} s (attempt ${this.attempt})`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.spawnChild();
    }, delayS * 1000);
  }

  /**
   * The file is not there (deleted, or a drive unmounted, since the camera
   * was added), or a folder stands at its path: failed, with that reason, and looked for again at the
   * slowest restart pace (supervisor.backoffMaxS) without spawning ffmpeg;
   * it starts once the file is back. Not counted as a reconnect: nothing was
   * connected.
   */
  private waitForFile(problem: string): void {
    const everyS = this.deps.settings.backoffMaxS;
    const reason = `${describeSource(this.camera.source)}: ${problem} (looked for again every ${everyS} s)`;
    if (this.lastError !== reason) this.deps.log.error(reason);
    this.lastError = reason;
    this.errorCode = 'SOURCE_NOT_FOUND';
    this.setState('failed');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.spawnChild();
    }, everyS * 1000);
  }

  /**
   * A listener with no sender yet: its ffmpeg holds the port open and is left
   * alone. Restarting it for want of a picture (the first-frame timeout) would
   * close the port every 20 s, and a sender starting in that gap is refused or
   * loses its first packets. Once a sender has delivered frames the stall
   * watchdog applies as for any camera; when it goes, the restarted ffmpeg
   * waits here again.
   */
  private waitForSender(): void {
    if (this.state === 'waiting') return;
    this.lastError = `waiting for a sender on ${describeSource(this.camera.source)}`;
    // No code: a listener without a sender is how it starts, not a fault (the state, waiting, says it).
    // A script alerting on errorCode must not page anyone for a port nobody has pushed to yet.
    this.errorCode = null;
    this.deps.log.info(this.lastError);
    this.setState('waiting');
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    const { settings, clock } = this.deps;
    const checkEveryMs = Math.max(100, Math.min(1000, (settings.stallTimeoutS * 1000) / 4));
    const loopBlock = new LoopBlockAllowance(checkEveryMs);
    this.loopBlock = loopBlock;
    this.watchdog = setInterval(() => {
      const now = clock();
      // A tick late because the loop was blocked runs before the poll phase that reads
      // the frames ffmpeg wrote meanwhile: that time is not the source's silence.
      const blockedMs = loopBlock.tick();
      const waitingForFirst = this.state !== 'live';
      // Said at the first check (about a second in), once a port ffmpeg could not bind has had time to end it.
      if (waitingForFirst && this.listener && this.child) return this.waitForSender();
      const limits = watchdogLimitsMs(settings, this.camera.analysisFps);
      const limitMs = waitingForFirst ? limits.firstFrameMs : limits.stallMs;
      const since = waitingForFirst ? this.startedAt : this.lastFrameAt;
      if (now - since - blockedMs < limitMs || !this.child) return;
      this.counters.stalls += 1;
      // Never live since this start: the source opened (or is still being probed) but
      // gave no picture: a port that accepts and sends something that is not video, or
      // a source so slow (a time-lapse) that ffmpeg's decoder and fps filter, which hand
      // a frame on once the next ones arrive, have not let one out yet.
      // No "stalled:" prefix: the state says it, and the log line and the tile show
      // both ("state stalled: stalled: ..." before).
      this.lastError = waitingForFirst
        ? `no picture within ${((now - since) / 1000).toFixed(1)} s of starting ffmpeg: the source sent no video ffmpeg could decode, or sends it slower than that (supervisor.firstFrameTimeoutS)`
        : `no frame for ${((now - since) / 1000).toFixed(1)} s`;
      this.errorCode = 'SOURCE_STALLED';
      this.deps.log.warn(`stalled: ${this.lastError}`);
      this.setState('stalled');
      this.clearWatchdog();
      this.child.kill('SIGKILL'); // its 'close' schedules the restart
    }, checkEveryMs);
  }

  private keepStderr(text: string): void {
    const limit = this.deps.settings.stderrLines;
    const lines = (this.stderrPartial + text).split(/\r?\n|\r/);
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const scrubbed = scrubCredentials(line.trim());
      this.stderrTail.push(scrubbed);
      this.sessionStderr.push(scrubbed);
    }
    if (this.sessionStderr.length > SESSION_STDERR_LINES) this.sessionStderr.splice(0, this.sessionStderr.length - SESSION_STDERR_LINES);
    if (this.stderrTail.length > limit) this.stderrTail.splice(0, this.stderrTail.length - limit);
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.loopBlock = null;
  }

  private clearTimers(): void {
    this.clearWatchdog();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }
}
