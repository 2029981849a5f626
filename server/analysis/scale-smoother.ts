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
}

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

  constructor(private readonly settings: SmoothingSettings) {}

  /** `timeMs` is the frame's capture time; frames arrive in capture order. */
  update(raw: readonly number[], timeMs: number): SmoothedScale {
    if (!this.smoothed) {
      this.smoothed = [...raw];
      this.current = argmax(raw);
    } else {
      const dtS = Math.max(0, timeMs - this.lastTime) / 1000;
      const tau = this.settings.timeConstantS;
      // alpha = 1 - e^(-dt/tau): the weight of the new sample after dt seconds.
      const alpha = tau > 0 ? 1 - Math.exp(-dtS / tau) : 1;
      for (let i = 0; i < raw.length; i++) this.smoothed[i] = this.smoothed[i]! + alpha * (raw[i]! - this.smoothed[i]!);
      this.applyHysteresis(timeMs);
    }
    this.lastTime = Math.max(this.lastTime, timeMs);
    return { label: CANONICAL_SCALES[this.current]!, confidence: this.smoothed[this.current]!, smoothed: [...this.smoothed] };
  }

  /** Forget the past (at a cut): the next frame sets the label at once. */
  reset(): void {
    this.smoothed = null;
    this.challenger = null;
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
