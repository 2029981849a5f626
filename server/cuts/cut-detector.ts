/**
 * Per-feed cut detector: takes the tiny grey frames of one camera in order and
 * reports each new shot (hard cut, dissolve, fade) once it is certain, a few
 * frames later. Pure TypeScript on 64x36 frames, so it runs beside the
 * classifier for every camera at far more than real time.
 *
 *   hard cuts: hard-cuts.ts (adaptive threshold, flash filter), 0.2 s lookahead
 *   fades:     fades.ts (flat black or white frames in between)
 *   dissolves: dissolves.ts (windows that straddle the change), up to ~2 s late
 *
 * Cuts come out in frame order: one found while an earlier stretch is still
 * open (a dissolve may be under way there) waits until decidedThrough reaches
 * it. Of two cuts closer than the minimum shot length the earlier one is kept:
 * a reported cut cannot be taken back, and the hard-cut lookahead (0.2 s) is
 * shorter than a shot.
 */
import { CUT_FRAME_BYTES } from './cut-frames.js';
import type { CutEvent, PositionedCut } from './cut-event.js';
import { DEFAULT_CUT_SETTINGS, tuningFor, type CutDetectorSettings, type Tuning } from './cut-settings.js';
import { DissolveTracker } from './dissolves.js';
import { FadeTracker } from './fades.js';
import { cellDistance, describeFrame, pictureDistance } from './frame-features.js';
import { FrameHistory } from './frame-history.js';
import { judgeHardCut, WAIT_FOR_NEXT_PICTURE } from './hard-cuts.js';

export { CUT_FRAME, CUT_FRAME_BYTES, cutFrameFilter } from './cut-frames.js';
export type { CutEvent, CutKind } from './cut-event.js';
export { DEFAULT_CUT_SETTINGS, type CutDetectorSettings } from './cut-settings.js';

export class CutDetector {
  readonly settings: Readonly<CutDetectorSettings>;
  private readonly tuning: Tuning;
  private readonly history: FrameHistory;
  private readonly fades = new FadeTracker();
  private readonly dissolves = new DissolveTracker();
  /** Next arrival position to judge as a hard cut. */
  private nextHard = 0;
  private lastIndex = -1;
  private decided = -1;
  /** Cuts reported lately: frame index and arrival position. */
  private reported: { frame: number; position: number }[] = [];
  /** Cuts found but not reported yet: they wait for decidedThrough, so that cuts come out in frame order. */
  private pending: PositionedCut[] = [];

  constructor(
    readonly fps: number,
    settings: Partial<CutDetectorSettings> = {},
  ) {
    this.settings = Object.freeze({ ...DEFAULT_CUT_SETTINGS, ...settings });
    this.tuning = tuningFor(fps, this.settings);
    const longestWindow = 5 * Math.max(...this.tuning.dissolveHalfWindows);
    // Enough for the longest dissolve window with its baseline and the window
    // that closes it, or for the flash filter's look back and ahead.
    // Or for a slow source's two earlier pictures and the next one waited for (hard-cuts.ts).
    this.history = new FrameHistory(Math.max(longestWindow + Math.max(...this.tuning.dissolveHalfWindows), this.tuning.flashHistory + this.tuning.lookahead, 6 * this.tuning.slowSourceFrames) + 4);
  }

  /** Feed frames in order; frameIndex counts from 0 and may jump (a gap = dropped frames). Returns the cuts that became certain with this frame. */
  push(frame: Uint8Array, frameIndex: number): CutEvent[] {
    if (frame.length !== CUT_FRAME_BYTES) throw new RangeError(`a cut frame has ${CUT_FRAME_BYTES} bytes, got ${frame.length}`);
    if (!Number.isInteger(frameIndex) || frameIndex < 0) throw new RangeError(`frameIndex must be a non-negative integer, got ${frameIndex}`);
    // A frame from the past (a source that restarted should call reset()) is ignored.
    if (frameIndex <= this.lastIndex) return [];
    this.lastIndex = frameIndex;
    const features = describeFrame(frame, frameIndex);
    const newest = this.history.newest;
    if (newest >= 0) {
      const previous = this.history.at(newest);
      features.diff = pictureDistance(previous, features);
      features.cellDiff = cellDistance(previous, features);
    }
    const position = this.history.add(features);
    const found: PositionedCut[] = [];
    if (this.tuning.gradual) {
      const fade = this.fades.step(this.history, position, this.tuning);
      if (fade) found.push(fade);
    }
    // A slow source's change waits for its next picture: judging stops there until it comes.
    while (this.nextHard <= position - this.tuning.lookahead && this.judgeHard(this.nextHard, position, found, false)) this.nextHard++;
    if (this.tuning.gradual) {
      const dissolve = this.dissolves.step(this.history, this.fades.lastExtremePosition, this.tuning, (from, to) => this.reportedBetween(from, to, found));
      if (dissolve) found.push(dissolve);
    }
    this.admit(found);
    this.advanceDecided(position);
    return this.release();
  }

  /** How many frames after a hard cut it is reported (the flash filter's lookahead); gradual transitions take longer. */
  get lookaheadFrames(): number {
    return this.tuning.lookahead;
  }

  /** Highest frame index up to which every cut has been reported (no later call can report a cut with frame <= this). -1 before any. */
  get decidedThrough(): number {
    return this.decided;
  }

  /** End of stream: report what is pending. */
  flush(): CutEvent[] {
    const newest = this.history.newest;
    if (newest < 0) return [];
    const found: PositionedCut[] = [];
    while (this.nextHard <= newest) this.judgeHard(this.nextHard++, newest, found, true);
    if (this.tuning.gradual) {
      const fade = this.fades.flush(this.history, this.tuning);
      if (fade) found.push(fade);
      const dissolve = this.dissolves.flush(this.history, this.fades.lastExtremePosition, this.tuning, (from, to) => this.reportedBetween(from, to, found));
      if (dissolve) found.push(dissolve);
    }
    this.admit(found);
    this.decided = Math.max(this.decided, this.lastIndex);
    return this.release();
  }

  /** Forget everything (source restarted). */
  reset(): void {
    this.history.clear();
    this.fades.reset();
    this.dissolves.reset();
    this.nextHard = 0;
    this.lastIndex = -1;
    this.decided = -1;
    this.reported = [];
    this.pending = [];
  }

  /** False: not judged yet (a slow source's next picture has not come). */
  private judgeHard(position: number, newest: number, found: PositionedCut[], ended: boolean): boolean {
    const cut = judgeHardCut(this.history, position, newest, this.tuning, ended);
    if (cut === WAIT_FOR_NEXT_PICTURE) return false;
    if (!cut) return true;
    const frame = this.history.at(position).index;
    found.push({ kind: 'hard', position, frame, startFrame: frame, endFrame: frame, score: cut.ratio });
    return true;
  }

  /** Was a cut reported (or found, not yet reported) strictly inside from..to (positions)? */
  private reportedBetween(from: number, to: number, found: PositionedCut[]): boolean {
    const inside = (c: { position: number }) => c.position > from && c.position <= to;
    return this.reported.some(inside) || this.pending.some(inside) || found.some(inside);
  }

  /** Queues new cuts; one found after decidedThrough passed its frame moves to the first frame still open. */
  private admit(found: PositionedCut[]): void {
    for (const cut of found) {
      if (cut.frame <= this.decided) {
        // A dissolve whose start went unnoticed: the first open frame, if that
        // is still inside the transition; otherwise it is too late.
        if (cut.endFrame <= this.decided) continue;
        cut.frame = this.decided + 1;
      }
      this.pending.push(cut);
    }
  }

  /**
   * Reports, in frame order, the queued cuts that decidedThrough has reached,
   * dropping each that comes closer than the minimum shot length to one
   * reported before it.
   */
  private release(): CutEvent[] {
    const events: CutEvent[] = [];
    this.pending.sort((a, b) => a.frame - b.frame);
    while (this.pending.length && this.pending[0]!.frame <= this.decided) {
      const cut = this.pending.shift()!;
      if (this.reported.some((r) => Math.abs(r.frame - cut.frame) < this.tuning.minShotFrames)) continue;
      this.reported.push({ frame: cut.frame, position: cut.position });
      events.push({ frame: cut.frame, kind: cut.kind, score: Math.round(cut.score * 100) / 100, startFrame: cut.startFrame, endFrame: cut.endFrame });
    }
    // Only cuts that can still block a dissolve window or a neighbour are kept.
    this.reported = this.reported.filter((r) => r.position >= this.history.oldest || r.frame > this.lastIndex - this.tuning.minShotFrames);
    return events;
  }

  private advanceDecided(newest: number): void {
    // Through the last frame judged as a hard cut (a slow source's may wait for its next picture).
    const hardThrough = Math.min(newest - this.tuning.lookahead, this.nextHard - 1);
    let through = this.history.has(hardThrough) ? this.history.at(hardThrough).index : -1;
    if (this.tuning.gradual) {
      for (const since of [this.fades.openSinceIndex, this.dissolves.openSinceIndex(this.history, this.fades.lastExtremePosition, this.tuning)]) {
        if (since !== null) through = Math.min(through, since);
      }
    }
    this.decided = Math.max(this.decided, through);
  }
}
