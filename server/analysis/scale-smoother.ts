/**
 * Per-camera smoothing: an exponential moving average of the canonical
 * probabilities with a time constant in seconds (so it behaves the same at
 * 2 fps or 30 fps, and across gaps), then hysteresis on the label: a new label
 * must lead the current one by `margin` for `holdS` before it takes over.
 */
import { argmax, CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';

export interface SmoothingSettings {
  timeConstantS: number;
  hysteresisMargin: number;
  hysteresisHoldS: number;
  /**
   * How much a frame in which the detectors found nobody counts towards the
   * average, against 1 for a frame with someone in it (its time constant is
   * timeConstantS / weight). A detector's miss in a shot of people (motion
   * blur, a turned head, a face at the edge) reads as an empty scene, a far
   * class; weighed down, a few such frames do not flip the wall. A shot that
   * really is empty is set at once after its cut (the smoother resets).
   */
  emptyFrameWeight: number;
  /**
   * The feed alternates views (model.mirrorViews: every other frame
   * mirrored): each frame is read as the mean of it and the frame before
   * (the other view), as a still picture is read as the mean of its two
   * views, and the first such pair after a reset sets the label afresh.
   * Averaged one by one, the views made the average swing from frame to
   * frame, so hysteresis never let a label both views agree on replace the
   * one the first frame after a cut read from one view alone.
   */
  pairViews?: boolean;
}

/**
 * SmoothingSettings.emptyFrameWeight by default. On the demo reel's labelled
 * segments (npm run bench:steadiness), 5 fps, each frame as it is: label
 * changes inside segments 5 -> 2 and the held label exact 74.4 -> 78.2% (the
 * selfie's blurred, windswept frames read "nobody found", EWS, 7 frames held
 * there at 1); with a feed's alternating views 79.9 -> 81.0%. 0.4 and 0.3
 * gain the same at 5 fps (0.3: at 2 fps, alternating, 76.5 -> 79.0%); the
 * price is on a shot that empties without a cut: the selfie turning to the
 * landscape reaches EWS 0.6 s after its first empty frame at 1, 0.8 s at 0.5,
 * 1.0 s at 0.4 and 1.2 s at 0.3.
 */
export const EMPTY_FRAME_WEIGHT = 0.5;

export interface SmoothedScale {
  label: CanonicalScale;
  confidence: number;
  smoothed: number[];
}

export class ScaleSmoother {
  private smoothed: number[] | null = null;
  private lastTime = 0;
  private current = 0;
  private challenger: { index: number; since: number } | null = null;
  /** pairViews: the last frame read with a picture since the reset (the other view of the next one). */
  private previous: readonly number[] | null = null;
  /** pairViews: the label was set by one view alone (the first frame after a reset); the first pair sets it again. */
  private oneView = false;

  constructor(private readonly settings: SmoothingSettings) {}

  /** `timeMs` is the frame's capture time; frames arrive in capture order. `weight` [0..1] scales how fast this frame moves the average (0: not at all, a frame with no picture). */
  update(frame: readonly number[], timeMs: number, weight = 1): SmoothedScale {
    const raw = this.settings.pairViews && weight > 0 ? this.withOtherView(frame) : frame;
    if (!this.smoothed || (this.oneView && weight > 0 && raw !== frame)) {
      // The first reading after a reset, or the first of both views after it: the label is what it reads, at once.
      this.smoothed = [...raw];
      this.current = argmax(raw);
      this.challenger = null;
      this.oneView = this.settings.pairViews === true && raw === frame;
    } else if (weight === 0) {
      // Nothing to read (no picture): the label holds, and a change it was weighing must lead again on frames with a picture.
      this.challenger = null;
    } else {
      const dtS = Math.max(0, timeMs - this.lastTime) / 1000;
      const tau = this.settings.timeConstantS;
      // alpha = 1 - e^(-dt * weight / tau): the weight of the new sample after dt seconds.
      const alpha = tau > 0 ? 1 - Math.exp((-dtS * weight) / tau) : 1;
      for (let i = 0; i < raw.length; i++) this.smoothed[i] = this.smoothed[i]! + alpha * (raw[i]! - this.smoothed[i]!);
      this.applyHysteresis(timeMs);
    }
    this.lastTime = Math.max(this.lastTime, timeMs);
    return { label: CANONICAL_SCALES[this.current]!, confidence: this.smoothed[this.current]!, smoothed: [...this.smoothed] };
  }

  /** False until the first frame, and again after reset(). */
  get started(): boolean {
    return this.smoothed !== null;
  }

  /** Forget the past (at a cut): the next frame sets the label at once. */
  reset(): void {
    this.smoothed = null;
    // The frames after a cut may be read again (ReadoutBuilder.restart): their times run from the first of them.
    this.lastTime = 0;
    this.challenger = null;
    this.previous = null;
    this.oneView = false;
  }

  /** The mean of this frame and the one before it since the reset (the other view); the frame alone when it is the first. */
  private withOtherView(frame: readonly number[]): readonly number[] {
    const previous = this.previous;
    this.previous = frame;
    return previous ? frame.map((p, i) => (p + previous[i]!) / 2) : frame;
  }

  private applyHysteresis(timeMs: number): void {
    const s = this.smoothed!;
    const best = argmax(s);
    if (best === this.current || s[best]! - s[this.current]! < this.settings.hysteresisMargin) {
      this.challenger = null;
      return;
    }
    if (!this.challenger || this.challenger.index !== best) this.challenger = { index: best, since: timeMs };
    if (timeMs - this.challenger.since >= this.settings.hysteresisHoldS * 1000) {
      this.current = best;
      this.challenger = null;
    }
  }
}
