/**
 * Cuts one camera's feed into shots. Two streams meet here, both timed in
 * frames of the source session: tiny frames at the timecode rate (every frame,
 * for the cut detector) and readouts of the analysed frames (a few a second,
 * later, after inference). A readout is assigned to a shot only once no cut
 * before it can still be reported, and a cut closes its shot only once the
 * readouts before it are in, so each shot gets exactly its own frames
 * whichever stream runs ahead (the cut stream live, either one in file mode).
 * The readouts are smoothed before that, as they come: those of a new shot
 * read before its cut was found are smoothed again from the cut once it is
 * (takeSmoothingReset), in the shot and on the camera's smoother alike.
 *
 * Shots open, update and close through a sink (the shot log); the open shot
 * is written as it grows, so a crash loses at most its last fraction of a
 * second.
 */
import type { FrameReading } from '../analysis/readout-builder.js';
import type { SmoothedScale } from '../analysis/scale-smoother.js';
import { CutDetector, type CutDetectorSettings, type CutEvent } from '../cuts/cut-detector.js';
import type { ShotBoundary, ShotRecord } from '../shared/shots.js';
import { ShotAccumulator, type ReadoutSample, type ThumbnailFrame } from './shot-accumulator.js';
import type { TimecodeClock } from './timecode-clock.js';
import { framesToTimecode } from './timecode.js';

/**
 * The most readouts kept to be smoothed again after a cut found late (a feed
 * whose smoothing is never reset must not keep them all): 256 readouts are
 * 51 s at 5 analysed frames a second, against a dissolve reported at most
 * about 2 s after it began.
 */
const MAX_RECENT_READOUTS = 256;

/**
 * Starts the camera's smoothing again at a cut and smooths the readings of
 * the frames read since (in frame order; none: a plain reset); returns their
 * labels, one for each (ReadoutBuilder.restart).
 */
export type SmoothingRestart = (readings: FrameReading[]) => SmoothedScale[];

/** The scene and take new shots attach to. */
export interface TakeRef {
  id: number;
  scene: string;
  take: string;
}

export interface ShotSink {
  /** A shot opened, in the take with this id (or none); returns its id. */
  open(shot: ShotRecord, takeId: number | null): number;
  /** The open shot moved to another take (a take mark on its first frame). */
  relabel(shot: ShotRecord, takeId: number | null): void;
  /** The open shot grew (throttled). */
  update(shot: ShotRecord): void;
  close(shot: ShotRecord, thumbnail: ThumbnailFrame | null): void;
}

export interface ShotTrackerOptions {
  cameraId: string;
  timecode: TimecodeClock;
  cutSettings: Partial<CutDetectorSettings>;
  /**
   * How many frames a cut waits for the analysis to catch up before it closes
   * its shot anyway (live: inference may drop frames). Infinity offline.
   */
  maxWaitFrames: number;
  /** Readouts held while the cut detector decides, at most. */
  maxPendingReadouts: number;
  /** Seconds between writes of the open shot. */
  persistEveryS: number;
  sink: ShotSink;
  /**
   * The first session number this tracker's source will send (default 1).
   * A lower one is a late frame of the source this camera had before an
   * edit, and belongs to no shot of this tracker (source-sessions.ts).
   */
  firstSession?: number;
}

interface Boundary {
  frame: number;
  kind: ShotBoundary;
  /** Take boundaries: the take new shots attach to (a cut keeps the take of its shot). */
  take?: TakeRef | null;
}

interface PendingReadout {
  frame: number;
  timeS: number;
  captureMs: number;
  readout: ReadoutSample;
  thumbnail: ThumbnailFrame | null;
  /** Where it went once assigned to a shot with a picture: the shot and its place there. */
  placed?: { shot: OpenShot; index: number };
}

interface OpenShot {
  id: number;
  inIndex: number;
  cutIn: ShotBoundary;
  take: TakeRef | null;
  acc: ShotAccumulator;
}

interface Session {
  number: number;
  /** Wall time of frame 0 of the session: the earliest its frames' arrivals allow (enterSession). */
  anchorMs: number;
  /**
   * Timecode frame of frame 0, taken when the session's first shot opens,
   * from the anchor as settled by then (see cutFrame); null before.
   */
  tcStart: number | null;
  /** Latest tiny frame seen. */
  lastIndex: number;
  /** When the first tiny frame came, and the latest. */
  firstCutMs: number;
  lastCutMs: number;
  /**
   * The first burst is over (cutFrame): the anchor is settled, and the first
   * shot may open. Before, no shot of the session is timed.
   */
  settled: boolean;
  /** Latest analysed frame seen (in frames at the timecode rate). */
  analysedThrough: number;
  lastPersistIndex: number;
}

/**
 * The longest a session's first shot waits for its first burst of cut frames
 * to end (cutFrame): ffmpeg decodes what it held while probing a stream (half
 * a second or so) well within it, and a source read faster than real time
 * never pauses.
 */
const SETTLE_AFTER_MS = 1000;

export class ShotTracker {
  private readonly detector: CutDetector;
  /** Frames per second of the cut frames and the timecode. */
  readonly fps: number;
  private session: Session | null = null;
  private boundaries: Boundary[] = [];
  private readouts: PendingReadout[] = [];
  private open: OpenShot | null = null;
  private take: TakeRef | null = null;
  /** Cut frames the smoother has not been reset for yet. */
  private unresetCuts: number[] = [];
  /** Readouts, in frame order, that a cut not reset for yet may come before (found or still to be). */
  private recent: PendingReadout[] = [];
  private lastProbabilities: number[] | null = null;
  private closedCount = 0;
  /** How the next session's first shot is cut in: 'start', or 'restart' once a session of this feed has ended by a restart. */
  private nextSessionCut: ShotBoundary = 'start';
  /** The camera is being removed: the session its source's stop ends is its last (see stopForGood). */
  private forGood = false;

  constructor(private readonly options: ShotTrackerOptions) {
    this.fps = options.timecode.rate.fps;
    this.detector = new CutDetector(this.fps, options.cutSettings);
  }

  /** The take new shots attach to. */
  get currentTake(): TakeRef | null {
    return this.take;
  }

  get shotsClosed(): number {
    return this.closedCount;
  }

  /** One tiny frame; index counts from 0 in each session. */
  cutFrame(session: number, index: number, data: Uint8Array, wallMs: number): void {
    const s = this.enterSession(session, wallMs - (index * 1000) / this.fps);
    if (!s || index <= s.lastIndex) return;
    const gapMs = s.lastIndex < 0 ? 0 : wallMs - s.lastCutMs;
    if (s.lastIndex < 0) s.firstCutMs = wallMs;
    s.lastIndex = index;
    s.lastCutMs = wallMs;
    for (const cut of this.detector.push(data, index)) this.addCut(cut);
    // The first burst is over at the first frame that comes half a frame or more after the one before it: a 1 fps
    // source's first 25 cut frames come at once, a second late, and an RTSP stream's first second, held while ffmpeg
    // probed it, is decoded in a run of frames a few ms apart; the earliest of them would anchor the session that
    // late. A source read faster than real time has no such gap: SETTLE_AFTER_MS bounds the wait.
    if (!s.settled && (gapMs >= 500 / this.fps || wallMs - s.firstCutMs >= SETTLE_AFTER_MS)) s.settled = true;
    if (!this.open && !s.settled) return;
    this.openFirst(s);
    this.drain(false);
    this.persistOpen();
  }

  /** A readout of the analysed frame at `timeS` into the session. */
  readout(session: number, timeS: number, captureMs: number, readout: PendingReadout['readout'], thumbnail: ThumbnailFrame | null): void {
    const s = this.enterSession(session, captureMs - timeS * 1000);
    if (!s) return;
    this.openFirst(s);
    const frame = Math.round(timeS * this.fps);
    s.analysedThrough = Math.max(s.analysedThrough, frame);
    const pending: PendingReadout = { frame, timeS, captureMs, readout, thumbnail };
    this.readouts.push(pending);
    this.recent.push(pending);
    this.pruneRecent();
    this.drain(false);
  }

  /**
   * Called before the analysed frame at `timeS` is smoothed: where a cut at
   * or before it has not been reset for yet, `restart` starts the camera's
   * smoothing again at the cut with the frames read since, which take the
   * labels it gives them (the cut detector decides a few frames after a hard
   * cut, up to about 2 s after a dissolve starts: frames of the new shot read
   * in between were smoothed with the shot before, and held its label).
   * True when it did, once for each cut.
   */
  takeSmoothingReset(session: number, timeS: number, restart: SmoothingRestart): boolean {
    if (!this.session || this.session.number !== session) return false;
    const frame = Math.round(timeS * this.fps);
    const due = this.unresetCuts.filter((f) => f <= frame);
    if (!due.length) return false;
    this.unresetCuts = this.unresetCuts.filter((f) => f > frame);
    // Each shot from its own cut (two cuts before one analysed frame: the frames between are a shot of their own).
    due.forEach((cut, i) => {
      const next = due[i + 1] ?? Infinity;
      const since = this.recent.filter((p) => p.frame >= cut && p.frame < next && p.frame < frame);
      const labels = restart(since.map((p) => readingOf(p)));
      since.forEach((p, k) => {
        const smoothed = labels[k];
        if (smoothed) this.smoothedAgain(p, smoothed);
      });
    });
    this.pruneRecent();
    return true;
  }

  /** An operator started or ended a take: the shot on air splits here. */
  setTake(take: TakeRef | null): void {
    this.take = take;
    const s = this.session;
    if (!s || !this.open) return;
    this.insertBoundary({ frame: s.lastIndex + 1, kind: 'take', take });
    this.drain(false);
  }

  /**
   * The camera is removed for good: the session that ends next (its source
   * is stopped, which reads as a restart) is its last, so its shot is cut
   * out by `end`, as a camera that stops for good, not by `restart`.
   */
  stopForGood(): void {
    this.forGood = true;
  }

  /** The source stopped (exit, stall, removal, end of file): close the shot at its last frame. */
  endSession(given: ShotBoundary, session?: number): void {
    const s = this.session;
    if (!s || (session !== undefined && session !== s.number)) return;
    const reason = this.forGood ? 'end' : given;
    this.openFirst(s, true);
    for (const cut of this.detector.flush()) this.addCut(cut);
    this.drain(true);
    if (this.open) this.closeShot(s.lastIndex + 1, reason);
    this.nextSessionCut = reason === 'restart' ? 'restart' : 'start';
    this.session = null;
    this.boundaries = [];
    this.readouts = [];
    this.unresetCuts = [];
    this.recent = [];
    this.detector.reset();
  }

  /** The source's own start timecode, learnt after start; false when not used. */
  useSourceTimecode(timecode: string): boolean {
    try {
      return this.options.timecode.useSourceStart(timecode);
    } catch {
      return false; // a timecode that does not exist at this rate: keep the configured start
    }
  }

  /** The open shot as it stands, or null. */
  openRecord(): ShotRecord | null {
    if (!this.open || !this.session) return null;
    return this.record(this.open, this.openOutIndex(), null, 'open');
  }

  /**
   * The session whose frame 0 left the source at `anchorMs` at the latest, by
   * this frame's arrival. The anchor is the earliest such time of any frame so
   * far: a frame can arrive late (ffmpeg's fps filter hands a frame on only
   * once the next source frame is in, and a stream's first frames come in a
   * burst after probing), never early, so no frame is timed after it arrived.
   * Anchored on the first frame alone, a 1 fps camera's shots ran 1.1-1.5 s
   * ahead of the clock and a 15 fps RTSP camera's last shot closed 0.5 s after
   * its ffmpeg exited. The session's first shot opens, and its timecode is
   * taken, once the first burst is in (cutFrame): the log keeps a shot's in
   * time and in frame as it was opened, and frames are counted on from there.
   */
  private enterSession(number: number, anchorMs: number): Session | null {
    if (this.session?.number === number) {
      // A millisecond or less is rounding (a file's frames are timed on the grid exactly). Settled with the first
      // burst (cutFrame), before any shot of the session is timed: a source read faster than real time (a file
      // camera with realtime false) has every frame "early", and an anchor moved after that gave its shots outs
      // before their ins.
      if (!this.session.settled && anchorMs < this.session.anchorMs - 1) this.session.anchorMs = anchorMs;
      return this.session;
    }
    if (number < (this.options.firstSession ?? 1)) return null;
    // Late readouts of a session that has ended are of no shot any more.
    if (this.session && number < this.session.number) return null;
    if (this.session) this.endSession('restart');
    this.session = {
      number,
      anchorMs,
      tcStart: null,
      lastIndex: -1,
      firstCutMs: 0,
      lastCutMs: 0,
      settled: false,
      analysedThrough: -1,
      lastPersistIndex: 0,
    };
    return this.session;
  }

  /** The session's first shot, once its first burst of cut frames is in (see cutFrame), or as the session ends (`now`). */
  private openFirst(s: Session, now = false): void {
    // After a reconnect the first shot says so, as the shot before it was cut out by it.
    if (!this.open && s.lastIndex >= 0 && (s.settled || now)) this.openShot(0, this.nextSessionCut, this.take);
  }

  private addCut(cut: CutEvent): void {
    this.insertBoundary({ frame: cut.frame, kind: cut.kind });
    this.unresetCuts.push(cut.frame);
  }

  private insertBoundary(boundary: Boundary): void {
    let i = this.boundaries.length;
    while (i > 0 && this.boundaries[i - 1]!.frame > boundary.frame) i--;
    this.boundaries.splice(i, 0, boundary);
  }

  /** Applies readouts and boundaries in frame order while it is safe to (always when `force`). */
  private drain(force: boolean): void {
    const s = this.session;
    // Before the first shot opens (its first burst), readouts and cuts wait for it: applied, they would be of no shot.
    if (!s || (!this.open && !s.settled && !force)) return;
    const { maxWaitFrames, maxPendingReadouts } = this.options;
    for (;;) {
      const boundary = this.boundaries[0];
      const readout = this.readouts[0];
      if (readout && (!boundary || readout.frame < boundary.frame)) {
        // No cut at or before this frame can still be reported? (A pending cut after
        // it says so, as cuts come in order; a take mark does not.)
        const decided = readout.frame <= this.detector.decidedThrough || this.boundaries.some((b) => b.kind !== 'take');
        if (!decided && !force && this.readouts.length <= maxPendingReadouts) return;
        this.readouts.shift();
        this.attribute(readout);
        continue;
      }
      if (boundary) {
        // Every analysed frame before the boundary is in (and, for a take mark, every
        // cut before it is known), or the analysis fell too far behind.
        const cutsKnown = boundary.kind !== 'take' || this.detector.decidedThrough >= boundary.frame - 1;
        const ready = (s.analysedThrough >= boundary.frame && cutsKnown) || s.lastIndex - boundary.frame > maxWaitFrames;
        if (!ready && !force) return;
        this.boundaries.shift();
        this.applyBoundary(boundary);
        continue;
      }
      return;
    }
  }

  private attribute(pending: PendingReadout): void {
    // A readout that arrived after its shot was closed (analysis far behind) is left out.
    if (!this.open || pending.frame < this.open.inIndex) return;
    const index = this.open.acc.add(pending.readout, pending.timeS, pending.thumbnail);
    if (index !== null) pending.placed = { shot: this.open, index };
  }

  /** A readout smoothed again from its shot's cut: in the shot where it is assigned already, otherwise before it is. */
  private smoothedAgain(pending: PendingReadout, smoothed: SmoothedScale): void {
    const readout = { ...pending.readout, label: smoothed.label, smoothed: smoothed.smoothed };
    pending.readout = readout;
    // A shot closed before the cut after it was reset for is written: it stays as it was.
    if (pending.placed && pending.placed.shot === this.open) pending.placed.shot.acc.relabel(pending.placed.index, readout);
  }

  /** Keeps the readouts a cut not reset for yet may come before: one found and not reset for, or one still to be found. */
  private pruneRecent(): void {
    const decided = this.detector.decidedThrough;
    // Cuts come in frame order: the first not reset for is the earliest.
    const earliestCut = this.unresetCuts[0] ?? Infinity;
    this.recent = this.recent.filter((p) => p.frame > decided || p.frame >= earliestCut);
    if (this.recent.length > MAX_RECENT_READOUTS) this.recent.splice(0, this.recent.length - MAX_RECENT_READOUTS);
  }

  private applyBoundary(boundary: Boundary): void {
    // A cut keeps its shot's take, even when a take mark has arrived since.
    const take = boundary.kind === 'take' ? (boundary.take ?? null) : this.open ? this.open.take : this.take;
    if (this.open) {
      // A boundary at the open shot's first frame (a take mark on a fresh cut) only re-labels it.
      if (boundary.frame <= this.open.inIndex) {
        if (boundary.kind === 'take') {
          this.open.take = take;
          this.options.sink.relabel(this.record(this.open, this.openOutIndex(), null, 'open'), take?.id ?? null);
        }
        return;
      }
      this.closeShot(boundary.frame, boundary.kind);
    }
    this.openShot(boundary.frame, boundary.kind, take);
  }

  private openShot(inIndex: number, cutIn: ShotBoundary, take: TakeRef | null): void {
    const acc = new ShotAccumulator(this.lastProbabilities);
    const shot: OpenShot = { id: 0, inIndex, cutIn, take, acc };
    this.open = shot;
    shot.id = this.options.sink.open(this.record(shot, inIndex, null, 'open'), take?.id ?? null);
    if (this.session) this.session.lastPersistIndex = inIndex;
  }

  private closeShot(outIndex: number, cutOut: ShotBoundary): void {
    const shot = this.open!;
    this.open = null;
    const end = Math.max(outIndex, shot.inIndex + 1);
    const record = this.record(shot, end, cutOut, 'closed');
    const midS = (shot.inIndex + end) / 2 / this.fps;
    this.lastProbabilities = shot.acc.probabilities();
    this.closedCount += 1;
    this.options.sink.close(record, shot.acc.thumbnail(midS));
  }

  /** Where the open shot ends for now: the latest frame, or the next pending boundary. */
  private openOutIndex(): number {
    const s = this.session!;
    const next = this.boundaries[0]?.frame ?? Infinity;
    return Math.max(this.open!.inIndex + 1, Math.min(s.lastIndex + 1, next));
  }

  private persistOpen(): void {
    const s = this.session;
    if (!s || !this.open) return;
    if (s.lastIndex - s.lastPersistIndex < this.options.persistEveryS * this.fps) return;
    s.lastPersistIndex = s.lastIndex;
    this.options.sink.update(this.record(this.open, this.openOutIndex(), null, 'open'));
  }

  private record(shot: OpenShot, outIndex: number, cutOut: ShotBoundary | null, status: ShotRecord['status']): ShotRecord {
    const s = this.session!;
    const rate = this.options.timecode.rate;
    const frameMs = 1000 / this.fps;
    const tcStart = (s.tcStart ??= this.options.timecode.sessionStart(s.anchorMs));
    const inFrame = tcStart + shot.inIndex;
    const outFrame = tcStart + outIndex;
    const { noPictureS, ...summary } = shot.acc.summary((shot.inIndex + outIndex) / 2 / this.fps, outIndex / this.fps);
    const durationS = (outIndex - shot.inIndex) / this.fps;
    // Black from cut to cut is black for the whole shot, its lead-in before the first readout too.
    const blankS = summary.noPicture ? durationS : Math.min(noPictureS ?? 0, durationS);
    return {
      id: shot.id,
      cameraId: this.options.cameraId,
      status,
      inTime: s.anchorMs + shot.inIndex * frameMs,
      outTime: s.anchorMs + outIndex * frameMs,
      rate: rate.name,
      inFrame,
      outFrame,
      tcIn: framesToTimecode(inFrame, rate),
      tcOut: framesToTimecode(outFrame, rate),
      durationS,
      startS: shot.inIndex / this.fps,
      ...summary,
      ...(blankS > 0 ? { noPictureS: Math.round(blankS * 1000) / 1000 } : {}),
      cutIn: shot.cutIn,
      cutOut,
      scene: shot.take?.scene ?? null,
      take: shot.take?.take ?? null,
      tags: [],
      note: null,
      hasThumbnail: false,
    };
  }
}

/** What a readout's frame read, to be smoothed again. */
function readingOf(pending: PendingReadout): FrameReading {
  const { readout } = pending;
  return {
    // A readout without its frame's own probabilities (a test's) reads as it was smoothed.
    raw: readout.raw ?? readout.smoothed,
    captureTime: pending.captureMs,
    ...(readout.subjects ? { subjects: readout.subjects } : {}),
    ...(readout.noPicture ? { noPicture: readout.noPicture } : {}),
    ...(readout.reason ? { reason: readout.reason } : {}),
  };
}
