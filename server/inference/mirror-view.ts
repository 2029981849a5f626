/**
 * The second view of a frame: the picture mirrored left to right. Shot scale
 * does not change in a mirror; what the detectors find does (on the shared
 * sets the rules read a different class on 14% of frames and their mirror),
 * so the mean of the two views is steadier than either. A live feed looks at
 * every other frame mirrored (its smoothing averages the views for the price
 * of a copy); a still picture is looked at both ways (inference-runner.ts).
 */
import type { FrameInput } from './model.js';

/** Two views' probabilities (or any two per-class lists) combined: their mean. */
export function meanOfTwo(a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, c) => (v + b[c]!) / 2);
}

/** The RGB24 picture mirrored left to right, in a new buffer. */
export function mirrorRgb<F extends FrameInput>(frame: F): F {
  const { width, height, data } = frame;
  const out = new Uint8Array(data.length);
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const start = y * row;
    for (let x = 0, from = start, to = start + row - 3; x < width; x++, from += 3, to -= 3) {
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { ...frame, data: out };
}

/**
 * A feed's views: every other frame analysed of each camera is mirrored.
 * Counted on the frames analysed, not on the frames' sequence numbers: a
 * camera over its fair share has frames skipped, every other one at half its
 * rate, and would then be looked at one way only.
 */
export class ViewAlternation {
  private readonly mirrorNext = new Set<string>();

  /** Whether this camera's next analysed frame is looked at mirrored (and flips it for the one after). */
  mirrored(cameraId: string): boolean {
    const mirror = this.mirrorNext.has(cameraId);
    if (mirror) this.mirrorNext.delete(cameraId);
    else this.mirrorNext.add(cameraId);
    return mirror;
  }

  /** A camera removed: its entry goes (one added again starts with the picture as it is). */
  forget(cameraId: string): void {
    this.mirrorNext.delete(cameraId);
  }
}
