/**
 * What ffmpeg says about a file before decoding it: duration, frame rate,
 * picture size and pixel aspect (as displayed: turned when the file says so),
 * field order, start timecode (a tmcd track or a timecode tag), creation
 * time and its first audio stream. Read from `ffmpeg -i FILE` (ffprobe is
 * not always installed beside a static ffmpeg), whose header is stable across
 * versions.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { ShotscaleError } from '../errors.js';
import { explainFfmpegExit } from './ffmpeg-failure.js';
import { rateFromFps } from '../shots/timecode.js';

/** A pixel's width to its height, in lowest terms (FCPXML's paspH and paspV, ffmpeg's SAR). */
export interface PixelAspect {
  h: number;
  v: number;
}

/** Which field of an interlaced picture is shown first, in FCPXML's words (the upper is ffmpeg's top). */
export type FieldOrder = 'upper first' | 'lower first';

export interface MediaInfo {
  durationS: number | null;
  fps: number | null;
  /**
   * The raster in pixels as a player turns it: the stored one, or, when the
   * file says to turn it a quarter (rotation 90 or 270: a phone held
   * upright), the stored one with width and height swapped.
   */
  width: number | null;
  height: number | null;
  /**
   * Non-square pixels: HDV's 1440x1080 at 4:3 is shown 1920x1080, PAL 16:9's
   * 720x576 at 64:45 is shown 1024x576. Null for square pixels (1:1, or none
   * stated). Of the turned raster: a quarter turn inverts it.
   */
  pixelAspect: PixelAspect | null;
  /** Clockwise degrees a player turns the stored picture (ffmpeg turns decoded frames alike); absent: none. */
  rotation?: 90 | 180 | 270;
  /** Interlaced material: the field shown first; absent: progressive, or not stated. */
  fieldOrder?: FieldOrder;
  /** "HH:MM:SS:FF" (";" when drop-frame) as the file carries it. */
  timecode: string | null;
  /** Epoch ms from the creation_time tag. */
  createdAt: number | null;
  /** The first audio stream (its channels and sample rate), or null when the file has none. */
  audio: { channels: number; sampleRate: number } | null;
  /** The reel (tape) name the file carries (QuickTime tmcd or MXF "reel_name"), what a reel-based conform matches; absent when it has none. */
  reel?: string;
}

/** ffmpeg's channel layout names, as it prints them in a stream line. */
const CHANNEL_LAYOUTS: Readonly<Record<string, number>> = { mono: 1, stereo: 2, '2.1': 3, '3.0': 3, quad: 4, '4.0': 4, '5.0': 5, '5.1': 6, '6.1': 7, '7.1': 8 };

function parseAudio(header: string): MediaInfo['audio'] {
  const line = /Stream #\S+.*?: Audio: .*/.exec(header)?.[0];
  if (!line) return null;
  const sampleRate = /,\s*(\d+)\s*Hz/.exec(line);
  // "stereo", "5.1(side)" or "3 channels" follows the sample rate.
  const layout = /Hz,\s*([^,]+?)\s*(?:,|$)/.exec(line)?.[1] ?? '';
  const counted = /^(\d+)\s*channels?/.exec(layout);
  const channels = counted ? Number(counted[1]) : (CHANNEL_LAYOUTS[layout.replace(/\(.*\)$/, '')] ?? 2);
  return { channels, sampleRate: sampleRate ? Number(sampleRate[1]) : 48000 };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function ratio(h: number, v: number): PixelAspect | null {
  if (!(h > 0 && v > 0)) return null;
  const d = gcd(h, v);
  return h === v ? null : { h: h / d, v: v / d };
}

/**
 * The pixel aspect from the video line's "[SAR 4:3 DAR 16:9]"; the last one
 * when the container's differs from the codec's (ffmpeg then prints a second
 * ", SAR x:y DAR a:b", and decodes with the container's). A DAR alone gives it
 * with the picture size.
 */
function parsePixelAspect(video: string, width: number | null, height: number | null): PixelAspect | null {
  const sar = [...video.matchAll(/\bSAR (\d+):(\d+)/g)].at(-1);
  if (sar) return ratio(Number(sar[1]), Number(sar[2]));
  const dar = /\bDAR (\d+):(\d+)/.exec(video);
  if (!dar || !width || !height) return null;
  return ratio(Number(dar[1]) * height, Number(dar[2]) * width);
}

/** The video stream's own lines: its Stream line, then its Metadata and Side data up to the next stream. */
function videoBlock(header: string): string {
  const lines = header.split('\n');
  const first = lines.findIndex((line) => /Stream #\S+.*?: Video: /.test(line));
  if (first < 0) return '';
  const next = lines.findIndex((line, i) => i > first && /^\s*Stream #/.test(line));
  return lines.slice(first, next < 0 ? undefined : next).join('\n');
}

/**
 * The turn (clockwise degrees) from the video stream's display matrix, which
 * ffmpeg 4.x and later print as side data ("displaymatrix: rotation of -90.00
 * degrees", counter-clockwise), or from the "rotate : 90" tag (clockwise)
 * that older builds (the 2018 static one of @ffmpeg-installer) print in the
 * stream's Metadata. Null for none, or for a turn not a multiple of 90.
 */
function parseRotation(block: string): 0 | 90 | 180 | 270 | null {
  const matrix = /displaymatrix:\s*rotation of\s*(-?\d+(?:\.\d+)?)\s*degrees/.exec(block);
  const tag = /^\s*rotate\s*:\s*(-?\d+(?:\.\d+)?)\s*$/m.exec(block);
  const clockwise = matrix ? -Number(matrix[1]) : tag ? Number(tag[1]) : NaN;
  if (!Number.isFinite(clockwise)) return null;
  const quarter = Math.round(clockwise / 90);
  if (Math.abs(clockwise - quarter * 90) > 0.5) return null;
  return ([0, 90, 180, 270] as const)[((quarter % 4) + 4) % 4]!;
}

/**
 * The field order ffmpeg prints after the pixel format ("yuv420p(tv, bt709,
 * top first)"). "top coded first (swapped)" is ffmpeg's TB, whose bottom
 * field is shown first (QuickTime's fiel detail 9), and "bottom coded first
 * (swapped)" its BT: the order shown is what an editor's format names.
 */
function parseFieldOrder(video: string): FieldOrder | null {
  if (/\btop coded first\b/.test(video)) return 'lower first';
  if (/\bbottom coded first\b/.test(video)) return 'upper first';
  if (/\btop first\b/.test(video)) return 'upper first';
  if (/\bbottom first\b/.test(video)) return 'lower first';
  return null;
}

/**
 * What the stream's rotation and field order change or add: a quarter turn
 * swaps width and height and inverts the pixel aspect (`aspect`, the stored
 * raster's), giving the picture as displayed, as ffmpeg's autorotated frames
 * are; nothing when neither applies.
 */
function pictureLayout(header: string, video: string, width: number | null, height: number | null, aspect: PixelAspect | null): Partial<MediaInfo> {
  const rotation = parseRotation(videoBlock(header));
  const fieldOrder = parseFieldOrder(video);
  const layout: Partial<MediaInfo> = fieldOrder ? { fieldOrder } : {};
  if (!rotation) return layout;
  if (rotation === 180) return { ...layout, rotation };
  return { ...layout, rotation, width: height, height: width, pixelAspect: aspect ? ratio(aspect.v, aspect.h) : null };
}

/**
 * How far below its nominal rate a file's average may be and still be that
 * rate short of dropped frames: a busy phone drops about one frame in 40
 * (29.25 for 30, 2.5%). 24 and 23.976 against 25 (4% and more) are another
 * rate, not a few lost frames.
 */
const DROPPED_FRAMES_SHARE = 0.03;

/** Two printed rates that are one (within rateFromFps's 0.05%: "29.97" and "29.97002997"). */
const sameRate = (a: number, b: number) => Math.abs(a - b) / b < 0.0005;

/**
 * The rate to count the file's frames in. ffmpeg prints the average rate
 * ("29.25 fps": frames over duration) and the nominal one ("30 tbr", from the
 * timestamps' spacing). A phone records at a nominal 30 and drops frames when
 * it is busy: a 30 fps phone clip short of one frame in 40 averages 29.25, no
 * timecode rate, and was logged at the configured 25, every cut on the wrong
 * frame of a 30 fps timeline; one short of a few frames averages 29.98 or
 * 29.96, which rateFromFps takes for 29.97 drop-frame, and ten minutes logged
 * so drift 18 frames against their 30 fps timeline. So the nominal rate when
 * it is a timecode rate and the average is a little below it (dropped
 * frames); else the average when it is a timecode rate (a constant-rate file:
 * both agree, "29.97 fps, 29.97 tbr"; or an interlaced file whose timestamps
 * count fields, "25 fps, 50 tbr": 25), else the nominal one when that is,
 * else the average (the log then says that the rate is not a timecode rate).
 */
function parseFrameRate(video: string): number | null {
  const figure = (match: RegExpExecArray | null) => (match ? Number(match[1]) : null);
  const average = figure(/,\s*(\d+(?:\.\d+)?)\s*fps\b/.exec(video));
  const nominal = figure(/,\s*(\d+(?:\.\d+)?)\s*tbr\b/.exec(video));
  if (average === null || nominal === null) return average ?? nominal;
  const droppedFrames = average < nominal && average >= nominal * (1 - DROPPED_FRAMES_SHARE) && !sameRate(average, nominal);
  if (rateFromFps(nominal) && droppedFrames) return nominal;
  if (rateFromFps(average) || !rateFromFps(nominal)) return average;
  return nominal;
}

export function parseMediaInfo(header: string): MediaInfo {
  const duration = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(header);
  const video = /Stream #\S+.*?: Video: .*/.exec(header)?.[0] ?? '';
  const size = /,\s*(\d{2,5})x(\d{2,5})[\s,[]/.exec(video);
  const fps = parseFrameRate(video);
  const timecode = /\btimecode\s*:\s*(\d{2}:\d{2}:\d{2}[:;.]\d{2})/.exec(header);
  const created = /\bcreation_time\s*:\s*(\S+)/.exec(header);
  const reel = /^\s*reel_name\s*:\s*(.*?)\s*$/m.exec(header)?.[1];
  const createdAt = created ? Date.parse(created[1]!) : NaN;
  const width = size ? Number(size[1]) : null;
  const height = size ? Number(size[2]) : null;
  const pixelAspect = parsePixelAspect(video, width, height);
  return {
    durationS: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : null,
    fps,
    width,
    height,
    pixelAspect,
    ...pictureLayout(header, video, width, height, pixelAspect),
    timecode: timecode ? timecode[1]!.replace('.', ';') : null,
    createdAt: Number.isFinite(createdAt) ? createdAt : null,
    audio: parseAudio(header),
    ...(reel ? { reel } : {}),
  };
}

/** A regular file of 0 bytes (a pipe or a device reads as 0 too, and is not empty). */
function isEmptyFile(file: string): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && stat.size === 0;
  } catch {
    return false;
  }
}

/**
 * The field order of the first decoded frame (showinfo's "i:T", "i:B" or
 * "i:P"), for a header that names none: the 2018 static build of
 * @ffmpeg-installer prints no field order for H.264 in a mov ("yuv420p"
 * where ffmpeg 5.1 prints "yuv420p(top first)"), and neither prints one for
 * raw DV. A header that says "progressive" or names the order is not run
 * again. Null when the frame does not say, or the decode fails or stalls.
 */
async function decodedFieldOrder(ffmpegPath: string, file: string): Promise<FieldOrder | null> {
  const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0', '-frames:v', '1', '-vf', 'showinfo', '-f', 'null', '-'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // One frame decodes in well under a second; a stalled read must not hold the log (or a camera's start) back.
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
  let text = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (text.length < 256 * 1024) text += chunk;
  });
  const done = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('close', () => resolve(true));
  });
  const flag = done ? /\bn:\s*0\b.*?\bi:([TBP])\b/.exec(text)?.[1] : undefined;
  return flag === 'T' ? 'upper first' : flag === 'B' ? 'lower first' : null;
}

async function withDecodedFieldOrder(ffmpegPath: string, file: string, header: string, info: MediaInfo): Promise<MediaInfo> {
  const video = /Stream #\S+.*?: Video: .*/.exec(header)?.[0] ?? '';
  if (info.fieldOrder || /\bprogressive\b/.test(video)) return info;
  const fieldOrder = await decodedFieldOrder(ffmpegPath, file);
  return fieldOrder ? { ...info, fieldOrder } : info;
}

/**
 * What ffmpeg says of `file`. `fieldOrder: false` skips decoding a frame for
 * a field order the header does not name (withDecodedFieldOrder): a camera
 * reading only the file's timecode does not pay for a second ffmpeg run.
 */
export async function probeMedia(ffmpegPath: string, file: string, options: { fieldOrder?: boolean } = {}): Promise<MediaInfo> {
  const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-i', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let header = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (header.length < 64 * 1024) header += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (!/Stream #\S+.*?: Video:/.test(header)) {
    // A sound file opens fine; ffmpeg's own last line would only complain that no output was named.
    if (/Stream #\S+.*?: Audio:/.test(header)) throw new ShotscaleError('INPUT_UNREADABLE', `${file}: no video stream (the file has only audio)`, { hint: 'name a video file' });
    // ffmpeg calls an empty file and an MP4 cut short alike "Invalid data" (after "moov atom not found").
    if (isEmptyFile(file)) throw new ShotscaleError('INPUT_UNREADABLE', `${file}: empty file (0 bytes)`, { hint: 'the file was never written, or its copy failed; copy it again' });
    const lines = header.trim().split('\n');
    // In the words a camera's fault is said (a truncated MP4, no such file, invalid data).
    const explained = explainFfmpegExit(lines, code, { kind: 'file', path: file, loop: false, realtime: false }, file);
    if (explained) throw new ShotscaleError('INPUT_UNREADABLE', explained.reason);
    throw new ShotscaleError('INPUT_UNREADABLE', `${file}: no video stream that ffmpeg can read (${lines.at(-1) || 'no output'})`);
  }
  const info = parseMediaInfo(header);
  return options.fieldOrder === false ? info : withDecodedFieldOrder(ffmpegPath, file, header, info);
}
