/**
 * JPEG of an analysed frame: the mid-shot thumbnail and the dashboard's
 * camera previews. The analysis frame is small already (the model's input
 * size), so it is encoded as it is, in pure JS, in a few milliseconds.
 */
import jpeg from 'jpeg-js';
import type { ThumbnailFrame } from './shot-accumulator.js';

const QUALITY = 80;

export function encodeThumbnail(frame: Pick<ThumbnailFrame, 'width' | 'height' | 'data'>): Uint8Array {
  const { width, height, data } = frame;
  const rgba = new Uint8Array(width * height * 4);
  for (let src = 0, dst = 0; src < data.length; src += 3, dst += 4) {
    rgba[dst] = data[src]!;
    rgba[dst + 1] = data[src + 1]!;
    rgba[dst + 2] = data[src + 2]!;
    rgba[dst + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width, height }, QUALITY).data;
}
