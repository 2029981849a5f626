/**
 * Offline decoding of an image or video file into model-sized frames, as fast
 * as ffmpeg goes (classify, eval, file mode). Same argument builder and frame
 * reader as the live cameras.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ShotscaleError } from '../errors.js';
import type { Clock } from '../shared/clock.js';
import { buildFfmpegArgs, type ArgsContext, type OutputSpec } from './ffmpeg-args.js';
import { FrameReader } from './frame-reader.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff', '.gif']);

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

export interface DecodedFrame {
  index: number;
  /** Seconds from the start of the file, from the sampling rate (0 for images). */
  timeS: number;
  data: Uint8Array;
}

/**
 * Calls onFrame for each frame in order; resolves with the frame count.
 * Videos are sampled at `fps`; images give one frame.
 */
export async function decodeFile(
  ffmpegPath: string,
  file: string,
  output: Omit<OutputSpec, 'fps'> & { fps: number },
  ctx: ArgsContext,
  clock: Clock,
  onFrame: (frame: DecodedFrame) => void,
): Promise<number> {
  const image = isImageFile(file);
  const args = buildFfmpegArgs({ kind: 'file', path: file, loop: false, realtime: false }, { ...output, fps: image ? null : output.fps }, ctx);
  if (image) args.splice(args.indexOf('pipe:1'), 0, '-frames:v', '1');
  let index = 0;
  const reader = new FrameReader(output.width * output.height * 3, (data) => {
    onFrame({ index, timeS: image ? 0 : index / output.fps, data });
    index += 1;
  }, clock);
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
