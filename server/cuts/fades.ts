/**
 * Fades: the picture goes to flat black (or white) and a picture comes back.
 * Followed frame by frame: the run of flat frames, then the fade in until the
 * picture stops gaining contrast and distance from black. A dip that comes back
 * to the picture it left (a camera flash washing a frame out, an iris closing)
 * is no new shot when the flash filter is on.
 */
import type { PositionedCut } from './cut-event.js';
import type { Tuning } from './cut-settings.js';
import { distanceFromExtreme, pictureDistance, previousDistinct, REPEATED_FRAME, type FrameFeatures } from './frame-features.js';
import type { FrameHistory } from './frame-history.js';

/** Luma levels a frame must move to count as still fading (keeps noise from extending a fade). */
const STILL_FADING = 0.5;
/** Flat frames within this many levels of the darkest are as dark: the last of them is the bottom. */
const AS_DARK = 1.5;
/**
 * Repeated frames a fade may hold before it counts as over: a fade at 50 fps
 * from 25 fps footage shows every step twice (4 times for 12 fps footage).
 */
const MAX_REPEATS = 3;

type State = 'idle' | 'flat' | 'fading-in';

export class FadeTracker {
  private state: State = 'idle';
  private extreme: 'black' | 'white' = 'black';
  /** The darkest (brightest) flat frame so far; of frames about as dark, the last. */
  private peak = 0;
  private peakIndex = -1;
  private peakDistance = 0;
  /** Index of the frame after the peak, kept because a long black run may push it out of the history. */
  private afterPeakIndex = -1;
  /** Repeats of the last frame seen while fading in. */
  private repeats = 0;
  /**
   * The last frame of the old shot before the fade out, and the index of the
   * fade's first frame; null when the stream started flat (no shot before it).
   */
  private before: { frame: FrameFeatures; firstIndex: number } | null = null;
  private lastFlat = -Infinity;

  /** Position of the newest black or white frame seen (dissolve windows keep clear of it). */
  get lastExtremePosition(): number {
    return this.lastFlat;
  }

  /**
   * While a fade is open, the frame index it will report after: its darkest
   * frame so far (the new shot starts after it), so a long black pause does not
   * hold decisions back.
   */
  get openSinceIndex(): number | null {
    return this.state === 'idle' || !this.before ? null : this.peakIndex;
  }

  /** Takes the newest frame; returns a fade that ended with the frame before it. */
  step(history: FrameHistory, position: number, tuning: Tuning): PositionedCut | null {
    const frame = history.at(position);
    const extreme = tuning.extremeOf(frame);
    if (extreme) this.lastFlat = position;
    if (this.state !== 'idle' && position === this.peak + 1) this.afterPeakIndex = frame.index;
    if (this.state === 'idle') {
      if (extreme) this.begin(history, position, extreme, tuning);
      return null;
    }
    if (extreme === this.extreme) {
      this.state = 'flat';
      this.notePeak(frame, position);
      return null;
    }
    if (extreme) {
      // Straight from black to white or back: start over from here.
      this.begin(history, position, extreme, tuning);
      return null;
    }
    if (this.state === 'flat') {
      this.state = 'fading-in';
      this.repeats = 0;
      return null;
    }
    if (frame.diff < REPEATED_FRAME && this.repeats < MAX_REPEATS) {
      this.repeats++;
      return null;
    }
    const previous = history.at(position - 1);
    const rising = distanceFromExtreme(frame, this.extreme) > distanceFromExtreme(previous, this.extreme) + STILL_FADING;
    if (rising && position - this.peak <= tuning.maxFadeFrames) {
      this.repeats = 0;
      return null;
    }
    // The fade in ended with the last frame that rose (not its repeats).
    return this.finish(history, position - 1 - this.repeats, tuning);
  }

  /** End of stream: a fade in under way ends at the last frame. */
  flush(history: FrameHistory, tuning: Tuning): PositionedCut | null {
    return this.state === 'fading-in' ? this.finish(history, history.newest, tuning) : null;
  }

  reset(): void {
    this.state = 'idle';
    this.before = null;
    this.lastFlat = -Infinity;
  }

  private begin(history: FrameHistory, position: number, extreme: 'black' | 'white', tuning: Tuning): void {
    this.state = 'flat';
    this.extreme = extreme;
    this.peak = position;
    this.peakIndex = history.at(position).index;
    this.peakDistance = distanceFromExtreme(history.at(position), extreme);
    this.before = null;
    if (!history.has(position - 1) || tuning.extremeOf(history.at(position - 1))) return;
    // Walk back through the fade out: each earlier picture further from black
    // (repeated frames skipped), to the old shot's last frame.
    let start = position;
    for (;;) {
      const earlier = previousDistinct(history, start, MAX_REPEATS);
      if (!history.has(earlier) || position - earlier > tuning.maxFadeFrames) break;
      if (distanceFromExtreme(history.at(earlier), extreme) <= distanceFromExtreme(history.at(start), extreme) + STILL_FADING) break;
      start = earlier;
    }
    // The fade's first frame is the first that is not the old shot's last (a
    // cut straight to black starts it at the black frame).
    let first = Math.min(start + 1, position);
    while (first < position && history.at(first).diff < REPEATED_FRAME) first++;
    this.before = { frame: history.at(start), firstIndex: history.at(first).index };
  }

  private notePeak(frame: FrameFeatures, position: number): void {
    const distance = distanceFromExtreme(frame, this.extreme);
    if (distance <= this.peakDistance + AS_DARK) {
      this.peak = position;
      this.peakIndex = frame.index;
    }
    this.peakDistance = Math.min(this.peakDistance, distance);
  }

  private finish(history: FrameHistory, end: number, tuning: Tuning): PositionedCut | null {
    const before = this.before;
    this.state = 'idle';
    this.before = null;
    if (!before) return null;
    const after = history.at(end);
    const change = pictureDistance(before.frame, after);
    // Back to the picture it left: a flash or a dip, not a new shot.
    if (tuning.flashFilter && change < tuning.minCutDifference) return null;
    return { kind: 'fade', position: this.peak + 1, frame: this.afterPeakIndex, startFrame: before.firstIndex, endFrame: after.index, score: change };
  }
}
