/** Real frames from the eval set, letterboxed into a model's NHWC input. */
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { letterboxInto, letterboxTransform } from '../../server/inference/detectors/letterbox.js';

export const EVAL_DIR = '/work/shared/evalset/cinemanet/img';
/** Three close-ups (faces) and a medium shot (a body with joints). */
export const EVAL_IMAGES = ['cn_0001.jpg', 'cn_0002.jpg', 'cn_0003.jpg', 'cn_1707.jpg'];

export function loadBatch(files: string[], H: number, W: number, normalize: (v: number) => number, round: boolean): Float32Array {
  const out = new Float32Array(files.length * H * W * 3);
  files.forEach((f, b) => {
    const img = jpeg.decode(readFileSync(`${EVAL_DIR}/${f}`), { useTArray: true });
    letterboxInto(img.data, letterboxTransform(img.width, img.height, W, H), out, b * H * W * 3, { channels: 4, normalize, round });
  });
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

/** Worst excess over an allclose-style bound |a - b| <= atol + rtol * |b| (<= 0 means within). */
export function worstExcess(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 1e-5): number {
  let worst = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const ref = b[i] ?? 0;
    worst = Math.max(worst, Math.abs((a[i] ?? 0) - ref) - (atol + rtol * Math.abs(ref)));
  }
  return worst;
}
