/**
 * Bilinear letterbox of a region of an RGB24 frame into a square NHWC float
 * input, normalised to -1..1 (BlazeFace). Same geometry as
 * detectors/letterbox.ts, but with per-column tables and no per-sample
 * closures: the generic one took ~40 ms per 256x256 frame, this ~1 ms.
 */
import { letterboxTransform, type LetterboxTransform } from '../detectors/letterbox.js';

export interface Region { x0: number; y0: number; width: number; height: number }

export function letterboxRegion(src: Uint8Array, srcWidth: number, region: Region, size: number, out: Float32Array, offset: number): LetterboxTransform {
  const lb = letterboxTransform(region.width, region.height, size, size);
  const { scale, padX, padY } = lb;
  const w = Math.round(region.width * scale), h = Math.round(region.height * scale);
  out.fill(-1, offset, offset + size * size * 3);
  const xs0 = new Int32Array(w), xs1 = new Int32Array(w), wx = new Float32Array(w);
  for (let ix = 0; ix < w; ix++) {
    const fx = Math.min(Math.max((ix + 0.5) / scale - 0.5, 0), region.width - 1);
    const x0 = Math.floor(fx);
    xs0[ix] = (region.x0 + x0) * 3;
    xs1[ix] = (region.x0 + Math.min(x0 + 1, region.width - 1)) * 3;
    wx[ix] = fx - x0;
  }
  const k = 1 / 127.5;
  for (let iy = 0; iy < h; iy++) {
    const fy = Math.min(Math.max((iy + 0.5) / scale - 0.5, 0), region.height - 1);
    const y0 = Math.floor(fy), wy = fy - y0;
    const r0 = (region.y0 + y0) * srcWidth * 3, r1 = (region.y0 + Math.min(y0 + 1, region.height - 1)) * srcWidth * 3;
    let o = offset + ((iy + padY) * size + padX) * 3;
    for (let ix = 0; ix < w; ix++) {
      const a = xs0[ix]!, b = xs1[ix]!, fx = wx[ix]!;
      for (let c = 0; c < 3; c++, o++) {
        const top = src[r0 + a + c]! + (src[r0 + b + c]! - src[r0 + a + c]!) * fx;
        const bot = src[r1 + a + c]! + (src[r1 + b + c]! - src[r1 + a + c]!) * fx;
        out[o] = (top + (bot - top) * wy) * k - 1;
      }
    }
  }
  return lb;
}
