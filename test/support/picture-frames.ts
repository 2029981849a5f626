/**
 * Still pictures (the shared sets' film frames) decoded as the pipeline
 * decodes a file: real ffmpeg, letterboxed to the model's input, RGB24.
 */
import type { FrameInput } from '../../server/inference/model.js';
import { decodeFile } from '../../server/ingest/file-decoder.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { systemClock } from '../../server/shared/clock.js';

/** One frame per picture, in the order given; a few decoders at a time. */
export async function decodePictures(files: readonly string[], input: { width: number; height: number }): Promise<FrameInput[]> {
  const ffmpeg = resolveFfmpeg(null);
  const ctx = { ffmpeg, logLevel: 'error', platform: process.platform };
  const out: FrameInput[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      await decodeFile(ffmpeg.path, files[i]!, { ...input, resize: 'letterbox', fps: 1 }, ctx, systemClock, (f) => {
        out[i] = { width: input.width, height: input.height, data: f.data };
      });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const missing = files.filter((_, i) => !out[i]);
  if (missing.length) throw new Error(`no frame decoded from ${missing.slice(0, 3).join(', ')}`);
  return out;
}
