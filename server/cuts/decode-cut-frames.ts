/**
 * Decodes a whole file into cut frames with ffmpeg, as fast as it goes: for
 * offline cut lists, the benchmark and the tests. Live cameras get the same
 * frames from a second output of their own ffmpeg child instead.
 */
import { decodeRawFrames } from '../ingest/file-decoder.js';
import { systemClock } from '../shared/clock.js';
import { CUT_FRAME_BYTES, cutFrameFilter } from './cut-frames.js';

export interface CutDecodeOptions {
  /** Resample to this rate first; null keeps the source's frames. */
  fps: number | null;
  /** ffmpeg decoder threads; 0 lets ffmpeg pick (all cores). */
  threads?: number;
}

/** Calls onFrame(data, index) for every frame in order; resolves with the frame count. */
export async function decodeCutFrames(ffmpegPath: string, file: string, options: CutDecodeOptions, onFrame: (data: Uint8Array, index: number) => void): Promise<number> {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', String(options.threads ?? 0), '-i', file, '-an', '-sn', '-dn', '-vf', cutFrameFilter(options.fps), '-f', 'rawvideo', 'pipe:1'];
  return decodeRawFrames(ffmpegPath, args, file, CUT_FRAME_BYTES, systemClock, onFrame);
}
