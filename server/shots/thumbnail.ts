/**
 * JPEG of an analysed frame: the mid-shot thumbnail and the dashboard's
 * camera previews. The analysis frame is small already (the model's input
 * size), so it is encoded as it is, in about a millisecond
 * (server/shared/jpeg-encoder.ts).
 */
import { JpegEncoder } from '../shared/jpeg-encoder.js';
import type { ThumbnailFrame } from './shot-accumulator.js';

const encoder = new JpegEncoder(80);

export function encodeThumbnail(frame: Pick<ThumbnailFrame, 'width' | 'height' | 'data'>): Uint8Array {
  return encoder.encode(frame.data, frame.width, frame.height);
}
