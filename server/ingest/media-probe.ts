/**
 * What ffmpeg says about a file before decoding it: duration, frame rate,
 * picture size and pixel aspect, start timecode (a tmcd track or a timecode tag), creation
 * time and its first audio stream. Read from `ffmpeg -i FILE` (ffprobe is
 * not always installed beside a static ffmpeg), whose header is stable across
 * versions.
 */
import { spawn } from 'node:child_process';
import { ShotscaleError } from '../errors.js';

/** A pixel's width to its height, in lowest terms (FCPXML's paspH and paspV, ffmpeg's SAR). */
export interface PixelAspect {
  h: number;
  v: number;
}

export interface MediaInfo {
  durationS: number | null;
  fps: number | null;
  /** The stored picture (the raster), in pixels. */
  width: number | null;
  height: number | null;
  /**
   * Non-square pixels: HDV's 1440x1080 at 4:3 is shown 1920x1080, PAL 16:9's
   * 720x576 at 64:45 is shown 1024x576. Null for square pixels (1:1, or none stated).
   */
  pixelAspect: PixelAspect | null;
  /** "HH:MM:SS:FF" (";" when drop-frame) as the file carries it. */
  timecode: string | null;
  /** Epoch ms from the creation_time tag. */
  createdAt: number | null;
  /** The first audio stream (its channels and sample rate), or null when the file has none. */
  audio: { channels: number; sampleRate: number } | null;
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

export function parseMediaInfo(header: string): MediaInfo {
  const duration = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(header);
  const video = /Stream #\S+.*?: Video: .*/.exec(header)?.[0] ?? '';
  const size = /,\s*(\d{2,5})x(\d{2,5})[\s,[]/.exec(video);
  const fps = /,\s*(\d+(?:\.\d+)?)\s*fps/.exec(video) ?? /,\s*(\d+(?:\.\d+)?)\s*tbr/.exec(video);
  const timecode = /\btimecode\s*:\s*(\d{2}:\d{2}:\d{2}[:;.]\d{2})/.exec(header);
  const created = /\bcreation_time\s*:\s*(\S+)/.exec(header);
  const createdAt = created ? Date.parse(created[1]!) : NaN;
  const width = size ? Number(size[1]) : null;
  const height = size ? Number(size[2]) : null;
  return {
    durationS: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : null,
    fps: fps ? Number(fps[1]) : null,
    width,
    height,
    pixelAspect: parsePixelAspect(video, width, height),
    timecode: timecode ? timecode[1]!.replace('.', ';') : null,
    createdAt: Number.isFinite(createdAt) ? createdAt : null,
    audio: parseAudio(header),
  };
}

export async function probeMedia(ffmpegPath: string, file: string): Promise<MediaInfo> {
  const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-i', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let header = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (header.length < 64 * 1024) header += text;
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => resolve());
  });
  if (!/Stream #\S+.*?: Video:/.test(header)) {
    // A sound file opens fine; ffmpeg's own last line would only complain that no output was named.
    if (/Stream #\S+.*?: Audio:/.test(header)) throw new ShotscaleError('INPUT_UNREADABLE', `${file}: no video stream (the file has only audio)`, { hint: 'name a video file' });
    const reason = header.trim().split('\n').at(-1) ?? 'no output';
    throw new ShotscaleError('INPUT_UNREADABLE', `${file}: no video stream that ffmpeg can read (${reason})`);
  }
  return parseMediaInfo(header);
}
