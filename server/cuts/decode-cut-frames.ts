/**
 * Decodes a whole file into cut frames with ffmpeg, as fast as it goes: for
 * offline cut lists, the benchmark and the tests. Live cameras get the same
 * frames from a second output of their own ffmpeg child instead.
 */
import { spawn } from 'node:child_process';
import { ShotscaleError } from '../errors.js';
import { FrameReader } from '../ingest/frame-reader.js';
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
  let index = 0;
  const reader = new FrameReader(CUT_FRAME_BYTES, (data) => onFrame(data, index++), systemClock);
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => reader.push(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0 || index === 0) {
    throw new ShotscaleError('INPUT_UNREADABLE', `${file}: ffmpeg could not decode it (exit ${code})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`);
  }
  return index;
}
