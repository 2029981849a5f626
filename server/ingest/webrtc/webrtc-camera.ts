/**
 * A camera whose picture is published over WebRTC (WHIP) instead of read by
 * ffmpeg: a phone, a browser, OBS. To the rest of the server it is a camera
 * like any other: the same frames at the analysis rate (model size, RGB), the
 * same tiny grey frames at the timecode rate for cut detection, the same
 * status. States: waiting (for a publisher), live, stalled (connected, no
 * picture), gone (the publisher vanished), stopped (disabled or removed).
 *
 * One publisher at a time: a second one is refused until the first ends
 * (DELETE) or is gone, so a camera id cannot be taken over mid-shoot. So a
 * publisher that holds the camera without ever sending a picture must not
 * hold it for long: one that has not connected (ICE and DTLS) within
 * supervisor.whip.connectTimeoutS of its answer, or that sends no picture for
 * silentTimeoutS, is dropped and the camera freed. (A review found an offer
 * stripped of its candidates answered 201 and held its camera for good, every
 * real publisher then refused 409; one with unreachable candidates held it
 * ~2.5 minutes.)
 */
import { nextSourceSession } from '../../shared/source-sessions.js';
import { randomUUID } from 'node:crypto';
import wrtc from '@roamhq/wrtc';
import type { CameraConfig, Config } from '../../config/schema.js';
import { ShotscaleError, errorMessage, type ErrorCode } from '../../errors.js';
import type { CameraState, CameraStatus } from '../../shared/socket-events.js';
import type { CameraSourceDeps } from '../camera-source.js';
import { FrameRateMeter } from '../frame-rate-meter.js';
import { LoopBlockAllowance } from '../loop-block-allowance.js';
import { i420ToCutFrame, i420ToRgb, type I420Frame } from './i420.js';
import { releaseNativeSoon } from './release-native.js';
import { checkOffer, codecRefusal, sdpVideoCodecs } from './sdp-codecs.js';

const { RTCPeerConnection, nonstandard } = wrtc;

export type WebRtcCameraDeps = CameraSourceDeps<WebRtcCamera>;

/** How long ICE gathering may take before the answer goes out with what it has. */
const ICE_GATHERING_TIMEOUT_MS = 3000;
/** A publisher disconnected this long (network change that did not recover) is gone. */
const DISCONNECTED_GRACE_MS = 5000;

export type WhipSettings = Config['supervisor']['whip'];

interface Publisher {
  id: string;
  pc: InstanceType<typeof RTCPeerConnection>;
  sink: InstanceType<typeof nonstandard.RTCVideoSink> | null;
  session: number;
  /** When the answer went out, and when the connection came up (null: not yet). */
  answeredAt: number;
  connectedAt: number | null;
  /** Wall time of the session's first frame. */
  startedAt: number | null;
  nextAnalysis: number;
  lastCutIndex: number;
  disconnectedTimer: NodeJS.Timeout | null;
  /** The address the offer came from (for the log), or null when not known. */
  peer: string | null;
}

export interface PublishOptions {
  /** The publisher's address as the HTTP request gave it: for the log only. */
  peer?: string;
}

export interface PublishResult {
  sessionId: string;
  answer: string;
}

export class WebRtcCamera {
  private state: CameraState = 'stopped';
  private since: number;
  private publisher: Publisher | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** The time the event loop was blocked since the last frame: not held against the publisher (loop-block-allowance.ts). */
  private loopBlock: LoopBlockAllowance | null = null;
  private lastFrameAt = 0;
  private readonly rate = new FrameRateMeter();
  private lastError: string | null = null;
  /** The stable code of lastError's failure (ERROR_CODES); null while live or waiting with nothing gone wrong. */
  private errorCode: ErrorCode | null = null;
  private readonly events: string[] = [];
  private counters = { framesIn: 0, framesDropped: 0, reconnects: 0, stalls: 0 };
  private source: { width: number; height: number } | null = null;
  /** Set for a camera WHIP made: how it is removed once its publisher has left. */
  private removal: { remove: () => Promise<void>; timer: NodeJS.Timeout | null; dueAt: number } | null = null;

  constructor(
    private config: CameraConfig,
    private readonly deps: WebRtcCameraDeps,
  ) {
    this.since = deps.clock();
  }

  get camera(): CameraConfig {
    return this.config;
  }

  /**
   * A new display name from a publisher (?name=), for a camera WHIP made:
   * nobody else defined it, so its publisher names it. Said at once.
   */
  rename(name: string): void {
    if (!name || name === (this.config.name ?? this.config.id)) return;
    this.config = { ...this.config, name };
    this.deps.onStateChange(this);
  }

  start(): void {
    this.setState(this.camera.enabled ? 'waiting' : 'stopped');
  }

  async stop(): Promise<void> {
    this.cancelRemoval();
    this.endPublisher('restart', 'stopped', 'the camera stopped (disabled, changed or removed, or the server stopping)');
  }

  countDropped(n: number): void {
    this.counters.framesDropped += n;
  }

  get hasPublisher(): boolean {
    return this.publisher !== null && this.state !== 'gone';
  }

  /** The WHIP limits this camera runs under (the same for every camera of a server). */
  get whip(): WhipSettings {
    return this.deps.settings.whip;
  }

  /** Whether this camera was made by WHIP and goes once its publisher has left. */
  get madeByPublisher(): boolean {
    return this.removal !== null;
  }

  /**
   * For a camera WHIP made: in how many ms it is due to be removed if nothing changes, for the
   * Retry-After of a refusal for want of room (whip-publishers.ts; it said removeAfterS, 300 s, to
   * publishers whose room came free in 10 s). Its removal's time once its publisher has left; with a
   * publisher that has sent no picture yet, when that one is dropped (connectTimeoutS after its answer,
   * or silentTimeoutS after it connected), plus removeAfterS if the camera ever showed a picture.
   * null: not made, or a publisher is sending pictures (no end in sight).
   */
  removalDueInMs(): number | null {
    const removal = this.removal;
    if (!removal) return null;
    const now = this.deps.clock();
    if (removal.timer) return Math.max(0, removal.dueAt - now);
    const publisher = this.publisher;
    if (!publisher || publisher.startedAt !== null || publisher.answeredAt === 0) return null;
    const { connectTimeoutS, silentTimeoutS, removeAfterS } = this.whip;
    const dropAt = publisher.connectedAt === null ? publisher.answeredAt + connectTimeoutS * 1000 : publisher.connectedAt + silentTimeoutS * 1000;
    return Math.max(0, dropAt + (this.source !== null ? removeAfterS * 1000 : 0) - now);
  }

  /**
   * For a camera WHIP made for an id nobody defined: `remove` is called
   * supervisor.whip.removeAfterS after its publisher leaves (at once when it
   * never showed a picture), unless a publisher comes back first; so the
   * cameras of phones that came and went do not pile up.
   */
  removeWhenIdle(remove: () => Promise<void>): void {
    this.removal = { remove, timer: null, dueAt: 0 };
    if (!this.publisher && this.state !== 'stopped') this.armRemoval();
  }

  /**
   * The refusal of an offer while another publisher has the camera, in words
   * for the person at the phone (it read "end it first (DELETE its
   * session)", which nobody at a phone can do). `publisher` tells a client
   * this refusal from the other CAMERA_BUSY ones (a disabled camera) without
   * reading the words; the publisher that holds the camera ends its own
   * session with DELETE on its Location (README, WHIP).
   */
  private busyRefusal(publisher: Publisher): ShotscaleError {
    const id = this.camera.id;
    if (publisher.connectedAt === null) {
      const afterS = this.whip.connectTimeoutS;
      return new ShotscaleError('CAMERA_BUSY', `camera "${id}" already has a publisher, still connecting: another device is starting to publish to it. If it does not connect within ${afterS} s it is dropped; publish again then`, {
        details: { publisher: 'connecting', droppedAfterS: afterS },
      });
    }
    return new ShotscaleError('CAMERA_BUSY', `camera "${id}" already has a publisher: another device (a phone, a browser tab or an encoder) is publishing to it. Stop it there first, then publish again`, {
      details: { publisher: 'connected' },
    });
  }

  /**
   * A WHIP offer: answers it (non-trickle: every ICE candidate in the
   * answer) and attaches the publisher. Refused while another one publishes.
   */
  async publish(offer: string, options: PublishOptions = {}): Promise<PublishResult> {
    if (!this.camera.enabled) throw new ShotscaleError('CAMERA_BUSY', `camera "${this.camera.id}" is disabled`);
    if (this.publisher) throw this.busyRefusal(this.publisher);
    // H.264 alone (OBS's default) would be answered with its video rejected (m=video 0): 201, "connected", and never
    // a picture until silentTimeoutS. Refused here, with what would do; so is an offer that cannot bring a picture at all.
    const offered = checkOffer(offer);
    const pc = new RTCPeerConnection({ iceServers: [] });
    const publisher: Publisher = { id: randomUUID(), pc, sink: null, session: nextSourceSession(this.camera.id), answeredAt: 0, connectedAt: null, startedAt: null, nextAnalysis: 0, lastCutIndex: -1, disconnectedTimer: null, peer: options.peer ?? null };
    this.publisher = publisher;
    this.cancelRemoval();
    try {
      pc.ontrack = (event) => {
        if (event.track.kind !== 'video' || publisher.sink) return;
        const sink = new nonstandard.RTCVideoSink(event.track);
        publisher.sink = sink;
        sink.onframe = (event: { frame: I420Frame }) => this.handleFrame(publisher, event.frame);
      };
      pc.onconnectionstatechange = () => this.handleConnectionState(publisher);
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await iceGatheringComplete(pc, ICE_GATHERING_TIMEOUT_MS);
      const sdp = pc.localDescription?.sdp;
      if (!sdp) throw new Error('no local description after ICE gathering');
      // Shared codec names and yet no video accepted (a profile or a packetization it does not take).
      if (sdpVideoCodecs(sdp, true).length === 0) throw codecRefusal(offered);
      // Stopped, removed or changed while the answer was made: the session is already closed.
      if (this.publisher !== publisher) throw new ShotscaleError('CAMERA_BUSY', `camera "${this.camera.id}" stopped while the offer was answered`);
      // Answered is not connected: that is said only once ICE and DTLS are up (handleConnectionState).
      publisher.answeredAt = this.deps.clock();
      this.note(`publisher ${publisher.id.slice(0, 8)} answered, connecting (session ${publisher.session})`);
      this.deps.log.info(`WHIP session ${publisher.id.slice(0, 8)} started${publisher.peer ? ` from ${publisher.peer}` : ''} (video ${sdpVideoCodecs(sdp, true)[0] ?? '?'}, its first choice): answered, connecting`);
      // A new publisher connecting: the camera is waiting for its picture, no longer 'gone' (README: a
      // publisher still connecting reads 'waiting'); the last one's failure is over.
      this.clearError();
      this.setState('waiting', true);
      this.armWatchdog();
      return { sessionId: publisher.id, answer: sdp };
    } catch (error) {
      this.closePublisher(publisher);
      if (this.publisher === publisher) {
        this.publisher = null;
        if (this.removal) this.armRemoval();
      }
      throw error instanceof ShotscaleError ? error : new ShotscaleError('BAD_REQUEST', `the offer could not be answered: ${errorMessage(error)}`);
    }
  }

  /** DELETE of the WHIP session: the publisher ends; the camera waits for the next. */
  unpublish(sessionId: string): void {
    if (!this.publisher || this.publisher.id !== sessionId) throw new ShotscaleError('NOT_FOUND', `camera "${this.camera.id}" has no session ${sessionId}`);
    this.note(`publisher ${sessionId.slice(0, 8)} ended the session`);
    // Ended on purpose: nothing is wrong with the camera any more (a stall before it is over, and its alert with it).
    this.clearError();
    this.endPublisher('restart', 'waiting', 'the publisher ended it (DELETE)');
  }

  /** Whether `sessionId` is this camera's publisher now. */
  hasSession(sessionId: string): boolean {
    return this.publisher?.id === sessionId;
  }

  status(): CameraStatus {
    const now = this.deps.clock();
    return {
      cameraId: this.camera.id,
      name: this.camera.name ?? this.camera.id,
      enabled: this.camera.enabled,
      sourceKind: 'webrtc',
      source: this.source ? `WebRTC (WHIP) ${this.source.width}x${this.source.height}` : 'WebRTC (WHIP)',
      state: this.state,
      since: this.since,
      analysisFps: this.camera.analysisFps,
      measuredFps: this.state === 'live' ? this.rate.fps(now) : 0,
      ...this.counters,
      lastError: this.lastError,
      errorCode: this.errorCode,
      lastStderr: [...this.events],
    };
  }

  private handleFrame(publisher: Publisher, frame: I420Frame): void {
    if (this.publisher !== publisher) return;
    const now = this.deps.clock();
    this.lastFrameAt = now;
    this.loopBlock?.reset();
    if (publisher.startedAt === null) publisher.startedAt = now;
    if (!this.source || this.source.width !== frame.width || this.source.height !== frame.height) {
      if (this.source) this.note(`resolution changed to ${frame.width}x${frame.height}`);
      this.source = { width: frame.width, height: frame.height };
    }
    if (this.state !== 'live') {
      this.clearError();
      this.setState('live');
    }
    const elapsedS = (now - publisher.startedAt) / 1000;
    try {
      if (this.deps.cuts) {
        // One cut frame per timecode frame: the frame shown at that instant.
        const index = Math.floor(elapsedS * this.deps.cuts.fps);
        if (index > publisher.lastCutIndex) {
          publisher.lastCutIndex = index;
          this.deps.onCutFrame(publisher.session, index, i420ToCutFrame(frame), now);
        }
      }
      // The analysis rate, as ffmpeg's fps filter would sample it.
      if (elapsedS + 1e-6 < publisher.nextAnalysis / this.camera.analysisFps) return;
      const seq = publisher.nextAnalysis;
      publisher.nextAnalysis = Math.floor(elapsedS * this.camera.analysisFps) + 1;
      const { width, height, resize } = this.deps.output;
      const data = i420ToRgb(frame, { width, height, resize });
      this.counters.framesIn += 1;
      this.rate.frame(now);
      this.deps.onFrame({ cameraId: this.camera.id, seq, session: publisher.session, timeS: seq / this.camera.analysisFps, captureTime: now, width, height, data });
    } catch (error) {
      // A malformed frame is dropped, never thrown into wrtc's callback.
      this.lastError = `frame dropped: ${errorMessage(error)}`;
      this.errorCode = 'SOURCE_FAILED';
    }
  }

  private handleConnectionState(publisher: Publisher): void {
    if (this.publisher !== publisher) return;
    const state = publisher.pc.connectionState;
    if (state === 'connected') {
      if (publisher.disconnectedTimer) clearTimeout(publisher.disconnectedTimer);
      publisher.disconnectedTimer = null;
      if (publisher.connectedAt === null) {
        publisher.connectedAt = this.deps.clock();
        // Its silence counts from here: a block before it excuses none of it.
        this.loopBlock?.reset();
        this.note(`publisher ${publisher.id.slice(0, 8)} connected (session ${publisher.session})`);
      }
      return;
    }
    if (state === 'disconnected') {
      // ICE may recover by itself (a network change); give it a moment.
      publisher.disconnectedTimer ??= setTimeout(() => this.publisherGone(publisher, 'the connection was lost', 'SOURCE_ENDED'), DISCONNECTED_GRACE_MS);
      return;
    }
    if (state !== 'failed' && state !== 'closed') return;
    // One that never connected was never a picture on the wall: the camera waits on, nothing was lost.
    if (publisher.connectedAt === null) this.dropPublisher(`publisher ${publisher.id.slice(0, 8)} could not connect (the connection ${state}): dropped`, 'waiting', 'SOURCE_UNREACHABLE');
    else this.publisherGone(publisher, `the connection ${state}`, 'SOURCE_ENDED');
  }

  private publisherGone(publisher: Publisher, why: string, code: ErrorCode): void {
    if (this.publisher !== publisher) return;
    this.counters.reconnects += 1;
    this.dropPublisher(`publisher gone: ${why}`, 'gone', code);
  }

  /** The publisher is let go and its session closed; the camera takes the next one. */
  private dropPublisher(why: string, next: 'gone' | 'waiting', code: ErrorCode): void {
    this.lastError = why;
    this.errorCode = code;
    this.note(why);
    this.endPublisher('restart', next, why, true);
  }

  /** The publisher (if any) is let go; one log line says which session ended, and why. */
  private endPublisher(reason: 'end' | 'restart', next: CameraState, why: string, dropped = false): void {
    this.clearWatchdog();
    const publisher = this.publisher;
    this.publisher = null;
    if (publisher) {
      // An offer stopped while it was answered never started: its refusal is logged where it was answered.
      if (publisher.answeredAt !== 0) {
        const line = `WHIP session ${publisher.id.slice(0, 8)}${publisher.peer ? ` from ${publisher.peer}` : ''} ended after ${((this.deps.clock() - publisher.answeredAt) / 1000).toFixed(0)} s: ${why}`;
        if (dropped) this.deps.log.warn(line);
        else this.deps.log.info(line);
      }
      this.closePublisher(publisher);
      if (publisher.startedAt !== null) this.deps.onSessionEnd(publisher.session, reason);
    }
    this.setState(next);
    if (this.removal && next !== 'stopped') this.armRemoval();
  }

  private armRemoval(): void {
    const removal = this.removal!;
    if (removal.timer) return;
    // A camera that never showed a picture goes at once: nobody watches it, and an offer that never
    // connects must not leave a camera behind. One that did stays a while as 'gone' on the wall, for
    // the same phone to come back to.
    // `source` is set by the first frame any publisher sent, and kept.
    const delayMs = this.source !== null ? this.whip.removeAfterS * 1000 : 0;
    if (delayMs > 0) this.note(`made for a publisher: removed in ${this.whip.removeAfterS} s unless one publishes again`);
    removal.dueAt = this.deps.clock() + delayMs;
    removal.timer = setTimeout(() => {
      removal.timer = null;
      this.deps.log.info(`removed: made for a WHIP publisher, ${delayMs > 0 ? `and none has published for ${this.whip.removeAfterS} s` : 'which never showed a picture'}`);
      removal.remove().catch((error: unknown) => this.deps.log.warn(`removing the camera: ${errorMessage(error)}`));
    }, delayMs);
    removal.timer.unref();
  }

  private cancelRemoval(): void {
    if (this.removal?.timer) clearTimeout(this.removal.timer);
    if (this.removal) this.removal.timer = null;
  }

  private closePublisher(publisher: Publisher): void {
    if (publisher.disconnectedTimer) clearTimeout(publisher.disconnectedTimer);
    try {
      publisher.sink?.stop();
      publisher.pc.ontrack = null;
      publisher.pc.onconnectionstatechange = null;
      publisher.pc.close();
    } catch (error) {
      this.deps.log.warn(`closing a peer connection: ${errorMessage(error)}`);
    }
    releaseNativeSoon();
  }

  /** While a publisher is attached: its connection deadline, its silence, and the stall. */
  private armWatchdog(): void {
    this.clearWatchdog();
    const { settings } = this.deps;
    const checkEveryMs = Math.max(100, Math.min(1000, (Math.min(settings.stallTimeoutS, settings.whip.connectTimeoutS) * 1000) / 4));
    const loopBlock = new LoopBlockAllowance(checkEveryMs);
    this.loopBlock = loopBlock;
    this.watchdog = setInterval(() => this.checkPublisher(loopBlock.tick()), checkEveryMs);
    this.watchdog.unref();
  }

  /**
   * `blockedMs`: how long the event loop was blocked since the last frame. The frames
   * sent meanwhile wait, unread, behind this late tick: not the publisher's silence.
   */
  private checkPublisher(blockedMs: number): void {
    const publisher = this.publisher;
    if (!publisher) return;
    const now = this.deps.clock();
    const { stallTimeoutS, whip } = this.deps.settings;
    if (publisher.connectedAt === null) {
      // An offer without candidates, or with unreachable ones, never connects: it must not hold the camera.
      if (now - publisher.answeredAt >= whip.connectTimeoutS * 1000) {
        this.dropPublisher(`publisher ${publisher.id.slice(0, 8)} did not connect within ${whip.connectTimeoutS} s of its answer (no reachable ICE candidate in its offer?): dropped`, 'waiting', 'SOURCE_UNREACHABLE');
      }
      return;
    }
    const silentMs = now - Math.max(this.lastFrameAt, publisher.connectedAt) - blockedMs;
    if (silentMs >= whip.silentTimeoutS * 1000) {
      // Connected, yet no picture for long: the camera goes to whoever publishes one.
      this.publisherGone(publisher, `no picture for ${(silentMs / 1000).toFixed(0)} s`, 'SOURCE_STALLED');
      return;
    }
    // Connected but no picture (a paused or covered camera, or one that never sent any): stalled until frames
    // come, and dropped after silentTimeoutS (above). It read 'waiting' for the whole of silentTimeoutS (60 s) when
    // no picture ever came, while it held the camera and others were refused 409 CAMERA_BUSY.
    if (this.state === 'stalled' || silentMs < stallTimeoutS * 1000) return;
    this.counters.stalls += 1;
    // The state says "stalled" already (the log line and the tile show both).
    this.lastError = publisher.startedAt === null ? `connected, but no picture in ${(silentMs / 1000).toFixed(1)} s` : `no frame for ${(silentMs / 1000).toFixed(1)} s`;
    this.errorCode = 'SOURCE_STALLED';
    this.note(this.lastError);
    this.setState('stalled');
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.loopBlock = null;
  }

  /** A failure is over: the status reads clean again (said with the next state change). */
  private clearError(): void {
    this.lastError = null;
    this.errorCode = null;
  }

  /** `announce`: said even when the state stays (its error was cleared). */
  private setState(state: CameraState, announce = false): void {
    if (state === this.state) {
      if (announce) this.deps.onStateChange(this);
      return;
    }
    this.state = state;
    this.since = this.deps.clock();
    this.deps.onStateChange(this);
  }

  /** Publisher events, kept like ffmpeg's stderr lines for the health view. */
  private note(line: string): void {
    this.events.push(`${new Date(this.deps.clock()).toISOString()} ${line}`);
    const limit = Math.max(1, this.deps.settings.stderrLines);
    if (this.events.length > limit) this.events.splice(0, this.events.length - limit);
  }


}

async function iceGatheringComplete(pc: InstanceType<typeof RTCPeerConnection>, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    };
  });
}
