/**
 * Offline decoding of an image or video file into model-sized frames, as fast
 * as ffmpeg goes (classify, eval, file mode). Same argument builder and frame
 * reader as the live cameras.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ShotscaleError } from '../errors.js';
import type { Clock } from '../shared/clock.js';
import { CUT_FRAME_BYTES } from '../cuts/cut-frames.js';
import { buildFfmpegArgs, CUT_FRAMES_FD, type ArgsContext, type OutputSpec } from './ffmpeg-args.js';
import { FrameReader } from './frame-reader.js';
import { explainFfmpegExit } from './ffmpeg-failure.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff', '.gif']);

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** Containers ffmpeg reads that cameras and editors write. */
const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.mxf', '.mts', '.m2ts', '.ts', '.mpg', '.mpeg', '.wmv', '.flv', '.3gp', '.ogv', '.dv']);

export function isVideoFile(file: string): boolean {
  return VIDEO_EXTENSIONS.has(path.extname(file).toLowerCase());
}

export interface DecodedFrame {
  index: number;
  /** Seconds from the start of the file, from the sampling rate (0 for images). */
  timeS: number;
  data: Uint8Array;
}

/** How a caller steers a decode: stop it, or hold ffmpeg back while it catches up. */
export interface DecodeFlow {
  signal?: AbortSignal;
  backlog?: () => Promise<unknown> | null;
  /** Told ffmpeg's last stderr line (null: none) when it exits 0: ffmpeg exits 0 on a file cut short, with a complaint (truncated-file.ts). */
  ended?: (lastError: string | null) => void;
}

/**
 * Calls onFrame for each frame in order; resolves with the frame count.
 * Videos are sampled at `fps`; images give one frame. A video always gives
 * at least its first frame: ffmpeg's fps filter gives none for a clip shorter
 * than about half an interval (a 3 s clip at 0.1 fps, "no picture in it"),
 * and fails outright at a rate as low as 1e-9 ("Error while processing the
 * decoded data"), so a decode of a video (by its name) that gives nothing
 * reads the first frame alone before calling the video unreadable. `flow.signal` stops the decode (ffmpeg
 * is killed, and the promise rejects with an AbortError); `flow.backlog`,
 * asked after each frame, returns a promise while the caller is behind, and
 * ffmpeg is not read until it settles.
 */
export async function decodeFile(
  ffmpegPath: string,
  file: string,
  output: Omit<OutputSpec, 'fps'> & { fps: number },
  ctx: ArgsContext,
  clock: Clock,
  onFrame: (frame: DecodedFrame) => void,
  flow: DecodeFlow = {},
): Promise<number> {
  const image = isImageFile(file);
  const args = buildFfmpegArgs({ kind: 'file', path: file, loop: false, realtime: false }, { ...output, fps: image ? null : output.fps }, ctx);
  if (image) args.splice(args.indexOf('pipe:1'), 0, '-frames:v', '1');
  const frameBytes = output.width * output.height * 3;
  let given = 0;
  try {
    return await decodeRawFrames(ffmpegPath, args, file, frameBytes, clock, (data, index) => {
      given += 1;
      onFrame({ index, timeS: image ? 0 : index / output.fps, data });
    }, flow);
  } catch (error) {
    // Only a video by its name: ffmpeg reads more as video than that (a text file is ANSI art to it, a
    // picture of one frame that the fps filter dropped), and such a file is no video to classify.
    if (image || !isVideoFile(file) || given > 0 || flow.signal?.aborted) throw error;
    // The first frame alone, with no rate to sample at; when that fails too, the video's own fault stands.
    const first = buildFfmpegArgs({ kind: 'file', path: file, loop: false, realtime: false }, { ...output, fps: null }, ctx);
    first.splice(first.indexOf('pipe:1'), 0, '-frames:v', '1');
    try {
      return await decodeRawFrames(ffmpegPath, first, file, frameBytes, clock, (data, index) => onFrame({ index, timeS: 0, data }), flow);
    } catch {
      throw error;
    }
  }
}

/**
 * Runs ffmpeg writing raw frames of `frameBytes` to stdout; calls onFrame for
 * each in order and resolves with the count, or rejects with the last stderr
 * line when ffmpeg fails or decodes nothing.
 */
export async function decodeRawFrames(
  ffmpegPath: string,
  args: string[],
  file: string,
  frameBytes: number,
  clock: Clock,
  onFrame: (data: Uint8Array, index: number) => void,
  { signal, backlog, ended }: DecodeFlow = {},
): Promise<number> {
  let index = 0;
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
  const reader = new FrameReader(
    frameBytes,
    (data) => {
      onFrame(data, index++);
      const behind = backlog?.();
      if (!behind) return;
      child.stdout.pause();
      const resume = () => void child.stdout.resume();
      // Settled either way: the caller's own failure is the caller's to report.
      behind.then(resume, resume);
    },
    clock,
  );
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (!signal?.aborted) reader.push(chunk);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  // A failure after frames came is no copy cut before its first frame (`index` of them decoded).
  if (code !== 0 || index === 0) throw unreadable(file, code, stderr, undefined, index);
  ended?.(lastLine(stderr) ?? null);
  return index;
}

function unreadable(
  file: string,
  code: number | null,
  stderr: string,
  decoded?: { cutFrames: number; cutsFps: number; fps: number },
  framesDecoded = decoded?.cutFrames ?? 0,
): ShotscaleError {
  const last = lastLine(stderr);
  // A copy cut before its first frame: ffmpeg says so early ("File ended prematurely" of an MKV) and ends on
  // a line that does not ("Error marking filters as finished"). Said as a file cut later is (truncated-file.ts).
  const cutShort = framesDecoded > 0 ? undefined : endedEarlyLine(stderr);
  if (cutShort) {
    return new ShotscaleError('INPUT_UNREADABLE', `${file}: the file ends early (cut short?), before a frame could be decoded; ffmpeg: ${cutShort}`, {
      hint: 'copy the whole file again (a download or copy that stopped part way)',
    });
  }
  // ffmpeg ran to the end and wrote nothing: the video is shorter than one sampled frame (one frame long, or --fps too low).
  if (code === 0 && decoded) {
    if (decoded.cutFrames === 0) {
      return new ShotscaleError('INPUT_UNREADABLE', `${file}: ffmpeg read it to the end without decoding a single frame${last ? ` (ffmpeg: ${last})` : ''}`, { hint: 'a video of at least a second or so can be logged' });
    }
    const seconds = decoded.cutFrames / decoded.cutsFps;
    const length = `${decoded.cutFrames} frame${decoded.cutFrames === 1 ? '' : 's'} (${seconds.toFixed(2)} s)`;
    const complaint = last ? ` (ffmpeg: ${last})` : '';
    // ffmpeg's fps filter gives a first frame once the video lasts half an interval. A video of a second
    // or more (what the hint below asks for) is long enough: the rate is the cause (3 s at 0.1 fps: any --fps from 0.17 would do).
    if (seconds >= 1) {
      const enough = Math.ceil((0.5 / seconds) * 100) / 100;
      return new ShotscaleError('INPUT_UNREADABLE', `${file}: no frame to analyse at --fps ${decoded.fps} (one every ${formatSeconds(1 / decoded.fps)}) in its ${length}${complaint}`, {
        hint: `the rate is the cause: give --fps ${enough} or more (log's default is 3)`,
      });
    }
    return new ShotscaleError('INPUT_UNREADABLE', `${file}: too short to log: ${length}, less than one frame to analyse at ${decoded.fps} fps${complaint}`, { hint: 'a video of at least a second or so can be logged' });
  }
  // ffmpeg's wordings for the faults a camera meets too (no video stream, no such file, a truncated MP4), in the same words.
  const explained = explainFfmpegExit(stderr.split('\n'), code, { kind: 'file', path: file, loop: false, realtime: false }, file);
  if (explained) return new ShotscaleError('INPUT_UNREADABLE', explained.reason);
  // A clean exit with nothing decoded: ffmpeg took it for a format it knows and found no picture ("exit 0" read as success).
  if (code === 0) return new ShotscaleError('INPUT_UNREADABLE', `${file}: ffmpeg found no picture in it${last ? ` (ffmpeg: ${last})` : ''}`, { hint: 'name a picture (JPEG, PNG, ...) or a video' });
  return new ShotscaleError('INPUT_UNREADABLE', `${file}: ffmpeg could not decode it (exit ${code})${last ? `: ${last}` : ''}`);
}

/** "10 s", "0.33 s", "2 h 46 min" for a very low rate. */
function formatSeconds(s: number): string {
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Number(s.toPrecision(3))} s`;
}

/** ffmpeg's words for a file that ends before its container says it does, by demuxer (matroska, mov). */
const ENDED_EARLY = /File ended prematurely|partial file|Truncating packet/i;

/**
 * ffmpeg's line saying the file ends early (its "[matroska,webm @ 0x55d...]"
 * prefix without the address), or undefined when none does. An older ffmpeg
 * (the bundled 2018 build) says "Read error" where ffmpeg 5 says "File ended
 * prematurely"; with its "... after EOF", the demuxer's read failed at the file's end.
 */
function endedEarlyLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim().replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\]/i, '[$1]'))
    .filter(Boolean);
  const said = lines.find((l) => ENDED_EARLY.test(l));
  if (said) return said;
  // "after EOF" alone is no cut: ffmpeg says it too of a text file named .jpg, after "Invalid data".
  return lines.some((l) => /after EOF/i.test(l)) ? lines.find((l) => /\] Read error$/i.test(l)) : undefined;
}

/** The last line ffmpeg wrote on stderr, or undefined. */
function lastLine(stderr: string): string | undefined {
  return stderr.trim().split('\n').at(-1)?.trim() || undefined;
}

export interface CutDecodeResult {
  frames: number;
  cutFrames: number;
  /**
   * ffmpeg's last stderr line (at the decode's log level: errors), or null.
   * ffmpeg exits 0 on a truncated file ("partial file"), so only this and
   * the count of frames against the container's duration tell it.
   */
  lastError: string | null;
}

export interface CutDecode {
  /** Resolves with the counts when ffmpeg has finished; rejects when it could not decode. */
  done: Promise<CutDecodeResult>;
  /** Stop reading the analysis frames (ffmpeg then waits): backpressure for a slower model. */
  pause(): void;
  resume(): void;
  /** Stop decoding (Ctrl-C): `done` then resolves with the frames read so far, however ffmpeg ends. */
  stop(): void;
}

/**
 * File mode: one ffmpeg child decodes the file once, as fast as it can, into
 * model-sized frames at `output.fps` and tiny grey frames at `cutsFps` for
 * the cut detector (the same split as a live camera).
 */
export function decodeFileWithCuts(
  ffmpegPath: string,
  file: string,
  output: Omit<OutputSpec, 'fps'> & { fps: number },
  cutsFps: number,
  ctx: ArgsContext,
  clock: Clock,
  onFrame: (frame: DecodedFrame) => void,
  onCutFrame: (index: number, data: Uint8Array) => void,
): CutDecode {
  const args = buildFfmpegArgs({ kind: 'file', path: file, loop: false, realtime: false }, output, ctx, { fps: cutsFps, onRateGrid: true });
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const stdout = child.stdout!;
  const stderrPipe = child.stderr!;
  let frames = 0;
  let cutFrames = 0;
  const reader = new FrameReader(output.width * output.height * 3, (data) => {
    onFrame({ index: frames, timeS: frames / output.fps, data });
    frames += 1;
  }, clock);
  const cutReader = new FrameReader(CUT_FRAME_BYTES, (data) => onCutFrame(cutFrames++, data), clock);
  let stderr = '';
  stdout.on('data', (chunk: Buffer) => reader.push(chunk));
  (child.stdio[CUT_FRAMES_FD] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => cutReader.push(chunk));
  stderrPipe.setEncoding('utf8');
  stderrPipe.on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  let stopped = false;
  const done = new Promise<CutDecodeResult>((resolve, reject) => {
    child.once('error', (error) => reject(new ShotscaleError('FFMPEG_NOT_FOUND', `cannot run ffmpeg (${ffmpegPath}): ${error.message}`)));
    child.once('close', (code) => {
      const result = () => ({ frames, cutFrames, lastError: lastLine(stderr) ?? null });
      if (code === 0 && frames > 0) return resolve(result());
      // Stopped, ffmpeg ends by a signal, and Ctrl-C in a terminal reaches it as well as this process:
      // a moment's grace lets this process's own handler say so first. What was read then stands.
      setTimeout(() => (stopped ? resolve(result()) : reject(unreadable(file, code, stderr, { cutFrames, cutsFps, fps: output.fps }))), stopped ? 0 : 100);
    });
  });
  const stop = (): void => {
    stopped = true;
    // Read on, so that ffmpeg is not left blocked on a full pipe while it is told to stop.
    stdout.resume();
    child.kill('SIGTERM');
  };
  // Once stopped, never paused again: ffmpeg's pipes must drain for it to end.
  return { done, pause: () => void (stopped || stdout.pause()), resume: () => stdout.resume(), stop };
}
