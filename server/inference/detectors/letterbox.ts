/**
 * Letterboxing: fit a frame into a detector's fixed input without distorting
 * it (detectors are trained on undistorted people/faces), plus the inverse
 * mapping so detections come back in frame coordinates.
 */

export interface LetterboxTransform {
  /** Source pixels -> model pixels scale. */
  scale: number;
  /** Offset of the image inside the model input, in model pixels. */
  padX: number;
  padY: number;
  srcWidth: number;
  srcHeight: number;
  dstWidth: number;
  dstHeight: number;
}

export function letterboxTransform(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number): LetterboxTransform {
  const scale = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  const w = srcWidth * scale;
  const h = srcHeight * scale;
  // Centre the image; integer offsets keep padding rows clean.
  return { scale, padX: Math.floor((dstWidth - w) / 2), padY: Math.floor((dstHeight - h) / 2), srcWidth, srcHeight, dstWidth, dstHeight };
}

export interface LetterboxOptions {
  /** Channels in `src` (3 = RGB, 4 = RGBA; alpha is dropped). */
  channels: 3 | 4;
  /** Maps a 0..255 sample to the model's value range. */
  normalize?: (v: number) => number;
  /** Value (before normalize) for padding pixels. */
  padValue?: number;
  /** Round samples to integers: MoveNet was trained on uint8 images. */
  round?: boolean;
}

/**
 * Bilinear resize of an interleaved 8-bit image into `out` (NHWC float, RGB)
 * at `offset`; one image of a batch per call.
 */
export function letterboxInto(
  src: Uint8Array | Uint8ClampedArray, lb: LetterboxTransform, out: Float32Array, offset: number, opts: LetterboxOptions,
): void {
  const { channels, normalize = (v) => v, padValue = 0, round = false } = opts;
  const { srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, scale, padX, padY } = lb;
  const pad = normalize(padValue);
  const w = Math.round(sw * scale);
  const h = Math.round(sh * scale);
  for (let y = 0; y < dh; y++) {
    const iy = y - padY;
    const fy = Math.min(Math.max((iy + 0.5) / scale - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, sh - 1), wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const o = offset + (y * dw + x) * 3;
      const ix = x - padX;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
        out[o] = pad; out[o + 1] = pad; out[o + 2] = pad;
        continue;
      }
      const fx = Math.min(Math.max((ix + 0.5) / scale - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, sw - 1), wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number): number => src[(yy * sw + xx) * channels + c] ?? 0;
        const top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * wx;
        const bot = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * wx;
        const v = top + (bot - top) * wy;
        out[o + c] = normalize(round ? Math.round(v) : v);
      }
    }
  }
}

/** Model-normalized (0..1 of the model input) point -> frame-normalized (0..1 of the frame). */
export function unletterboxPoint(lb: LetterboxTransform, x: number, y: number): { x: number; y: number } {
  return {
    x: (x * lb.dstWidth - lb.padX) / (lb.srcWidth * lb.scale),
    y: (y * lb.dstHeight - lb.padY) / (lb.srcHeight * lb.scale),
  };
}
