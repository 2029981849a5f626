/**
 * Resizes an RGB24 frame for a second model of a camera (fusion): the camera's
 * ffmpeg delivers one size, the first model's; any other model gets its own
 * size from it here. Bilinear, stretch or letterbox (black bars).
 */
import type { ResizeMode } from '../ingest/ffmpeg-args.js';
import type { FrameInput } from './model.js';

export function resizeRgb(src: FrameInput, width: number, height: number, mode: ResizeMode): FrameInput {
  if (src.width === width && src.height === height) return src;
  const out = new Uint8Array(width * height * 3);
  const sx = width / src.width;
  const sy = height / src.height;
  const scaleX = mode === 'letterbox' ? Math.min(sx, sy) : sx;
  const scaleY = mode === 'letterbox' ? Math.min(sx, sy) : sy;
  const drawnW = Math.round(src.width * scaleX);
  const drawnH = Math.round(src.height * scaleY);
  const padX = Math.floor((width - drawnW) / 2);
  const padY = Math.floor((height - drawnH) / 2);
  const data = src.data;
  const sw = src.width;
  for (let y = 0; y < drawnH; y++) {
    const fy = Math.min(Math.max((y + 0.5) / scaleY - 0.5, 0), src.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < drawnW; x++) {
      const fx = Math.min(Math.max((x + 0.5) / scaleX - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      const o = ((y + padY) * width + x + padX) * 3;
      for (let c = 0; c < 3; c++) {
        const a = data[(y0 * sw + x0) * 3 + c]!;
        const b = data[(y0 * sw + x1) * 3 + c]!;
        const d = data[(y1 * sw + x0) * 3 + c]!;
        const e = data[(y1 * sw + x1) * 3 + c]!;
        const top = a + (b - a) * wx;
        const bottom = d + (e - d) * wx;
        out[o + c] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return { width, height, data: out };
}
