/**
 * Builds the ffmpeg command line for one camera: read the source, reduce the
 * frame rate, resize to the model's input and write raw RGB24 frames to stdout.
 * Pure functions: unit-tested without spawning anything.
 */
import { CUT_FRAME } from '../cuts/cut-frames.js';
import { ShotscaleError } from '../errors.js';
import type { SourceConfig } from '../config/schema.js';
import type { FfmpegBinary } from './ffmpeg-binary.js';
import { NETWORK_PROTOCOLS } from './input-options.js';
import { scrubCredentials } from './source-secrets.js';

export type ResizeMode = 'stretch' | 'letterbox';

export interface OutputSpec {
  width: number;
  height: number;
  /** Frames per second to keep; null keeps every frame. */
  fps: number | null;
  resize: ResizeMode;
  /**
   * Read the stored raster as square pixels (the pixel aspect not applied):
   * only for the int8 model's calibration frames, so that the shipped model,
   * calibrated on the demo reel as stored, regenerates byte for byte.
   */
  storedRaster?: boolean;
}

export interface ArgsContext {
  ffmpeg: Pick<FfmpegBinary, 'rtspTimeoutOption' | 'hasNdi'>;
  logLevel: string;
  platform: NodeJS.Platform;
}

type WebcamDriver = 'v4l2' | 'avfoundation' | 'dshow';

export function webcamDriverFor(platform: NodeJS.Platform): WebcamDriver {
  if (platform === 'darwin') return 'avfoundation';
  if (platform === 'win32') return 'dshow';
  return 'v4l2';
}

function lavfiNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}

/**
 * Live sources decode a frame as it arrives. ffmpeg's default frame-threaded
 * decoding holds one frame per extra thread before it gives the first back
 * (up to 15 on a 16-core host: 0.6 s at 25 fps); low_delay turns it off, for
 * slice threads. Measured on a 1 fps H.264 stream with 4 threads: frame 6,
 * read at 6 s, came out at 9.2 s, and at 6.2 s with low_delay. Files read as
 * fast as they decode keep frame threads.
 */
const LOW_DELAY = ['-flags', 'low_delay'];

/**
 * A bare stream (UDP, SRT, RIST, RTP: MPEG-TS, no header to read) is probed
 * for 5 s by default before its first frame, whose frames then come in a
 * burst: the session's clock starts 5 s late and its shots are timed so for
 * as long as it lasts. Such feeds repeat their codec settings with every key
 * frame, so half a second is enough. Measured with H.264 over UDP, key frames
 * 1 s apart: first frame after 5.5 s by default, 1.5 s so; key frames 10 s
 * apart wait for the next key frame either way. A camera's own inputOptions
 * come after these, and ffmpeg takes the last.
 */
const SHORT_PROBE = ['-analyzeduration', '500000', '-probesize', '500000'];
const BARE_STREAM = /^(udp|srt|rist|rtp):/i;

/**
 * A still picture (a slate, a test card) read as a file camera. As a video
 * with -stream_loop -1, one JPEG gave the fps filter a single timestamp over
 * and over: no frame came out, and ffmpeg exited 0 at once, restarting
 * forever. ffmpeg's image demuxer (image2) shows it as a picture instead,
 * repeated (-loop 1) at the analysis rate, so that it decodes the file no
 * more often than it is analysed. Forced (-f image2): ffmpeg 5 takes a .png
 * or .webp by its content for an image pipe, which has neither option; the
 * name is the file's own (-pattern_type none), not a numbered sequence or a
 * glob ("shot[1].jpg"). The names are the stills image2 knows by extension;
 * .gif is an animation, read as a video.
 */
const STILL_IMAGE = /\.(jpe?g|png|bmp|tiff?|webp|tga|dpx|exr|jp2|ppm|pgm|pnm)$/i;

/** Whether a file camera's file is a still picture (by its name, as ffmpeg's image demuxer knows one). */
function isStillImage(path: string): boolean {
  return STILL_IMAGE.test(path);
}

/** Options placed before -i, and the input itself. `fps`: the analysis rate, at which a still picture is repeated. */
export function inputArgs(source: SourceConfig, ctx: ArgsContext, fps: number | null = null): string[] {
  switch (source.kind) {
    case 'rtsp': {
      // Socket timeout in microseconds: without it a dead camera hangs ffmpeg forever.
      const timeoutUs = String(Math.round(source.timeoutS * 1_000_000));
      return ['-rtsp_transport', source.transport, ctx.ffmpeg.rtspTimeoutOption, timeoutUs, '-fflags', 'nobuffer', ...LOW_DELAY, '-i', source.url];
    }
    case 'webcam': {
      const driver = source.driver === 'auto' ? webcamDriverFor(ctx.platform) : source.driver;
      const opts: string[] = ['-f', driver];
      if (source.fps) opts.push('-framerate', lavfiNumber(source.fps));
      if (source.width && source.height) opts.push('-video_size', `${source.width}x${source.height}`);
      const input = driver === 'dshow' ? `video=${source.device}` : source.device;
      return [...opts, ...LOW_DELAY, '-i', input];
    }
    case 'ndi':
      if (!ctx.ffmpeg.hasNdi) {
        throw new ShotscaleError('SOURCE_UNSUPPORTED', `NDI source "${source.name}": this ffmpeg was built without libndi_newtek`, {
          hint: 'NDI needs an ffmpeg built with --enable-libndi_newtek (NDI SDK); point ffmpeg.path at one',
        });
      }
      return ['-f', 'libndi_newtek', '-i', source.name];
    case 'file':
      if (isStillImage(source.path)) {
        const rate = fps ? ['-framerate', ffmpegRate(fps)] : [];
        return [...(source.realtime ? ['-re'] : []), '-f', 'image2', ...(source.loop ? ['-loop', '1'] : []), ...rate, '-pattern_type', 'none', '-i', source.path];
      }
      return [...(source.realtime ? ['-re'] : []), ...(source.loop ? ['-stream_loop', '-1'] : []), '-i', source.path];
    case 'testsrc': {
      const spec = `${source.pattern}=size=${source.width}x${source.height}:rate=${lavfiNumber(source.fps)}`;
      // -re paces the generator at its frame rate, like a camera; without it
      // lavfi produces frames as fast as the CPU allows.
      return ['-re', '-f', 'lavfi', '-i', spec];
    }
    case 'url':
      // Network protocols only, for the URL and whatever it leads to (see input-options.ts).
      return ['-protocol_whitelist', NETWORK_PROTOCOLS, ...LOW_DELAY, ...(BARE_STREAM.test(source.url) ? SHORT_PROBE : []), ...source.inputOptions, '-i', source.url];
    case 'webrtc':
      throw new ShotscaleError('SOURCE_UNSUPPORTED', 'a WebRTC camera is published over WHIP, not read by ffmpeg');
  }
}

/**
 * The picture as displayed, fitted inside W x H: its display width is the
 * stored width times the sample aspect ratio (`sar`, 1 when the stream says
 * none). Anamorphic media store a squeezed raster: HDV's 1440x1080 at SAR 4:3
 * is a 16:9 picture, PAL 16:9 is 720x576 at SAR 64:45. `force_original_aspect_ratio`
 * keeps the stored raster's shape, so such a picture reached the model (and
 * the previews and thumbnails, which are this frame) squeezed: a face
 * narrower than it is, a 16:9 picture pillarboxed as 4:3. The sizes round as
 * force_original_aspect_ratio does (av_rescale: to nearest), so with square
 * pixels the frame is the same, bit for bit, and so is the cost (one scale;
 * `setsar` only relabels the frame): 20 s of 1080p25 to 320x192 took 2.49 s
 * of CPU either way (ffmpeg 5.1, one thread). max(1, ...): a size of 0
 * would mean the input's own to the scale filter. The size is set from the
 * first frame's SAR: an SD feed that switches between 4:3 and 16:9 on air
 * keeps the first shape until ffmpeg restarts (ffmpeg 4 and 5 rebuild the
 * filters on a change of size or format, not of SAR).
 */
function letterboxFilter(w: number, h: number): string {
  const fitWidth = `min(${w},max(1,round(${h}*iw*sar/ih)))`;
  const fitHeight = `min(${h},max(1,round(${w}*ih/(iw*sar))))`;
  return `scale=w='${fitWidth}':h='${fitHeight}',setsar=1,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:black`;
}

/**
 * The video filter: frame-rate reduction, then resize. Letterbox fits the
 * picture as displayed (non-square pixels applied) and pads it; stretch fills
 * W x H whatever the picture's shape, so its pixel aspect does not matter.
 */
export function videoFilter(output: OutputSpec): string {
  const { width: w, height: h } = output;
  const scale = output.resize === 'letterbox' ? `${output.storedRaster ? 'setsar=1,' : ''}${letterboxFilter(w, h)}` : `scale=${w}:${h}`;
  return output.fps === null ? scale : `fps=${lavfiNumber(output.fps)},${scale}`;
}

/** A frame rate as ffmpeg reads it: NTSC rates exactly (30000/1001), others in decimals. */
export function ffmpegRate(fps: number): string {
  if (Number.isInteger(fps)) return String(fps);
  const per1001 = fps * 1001;
  if (Math.abs(per1001 - Math.round(per1001)) < 1e-6) return `${Math.round(per1001)}/1001`;
  return lavfiNumber(fps);
}

/** The cut detector's tiny grey frames, at the timecode rate. */
export function cutFramesFilter(fps: number): string {
  return `fps=${ffmpegRate(fps)},scale=${CUT_FRAME.width}:${CUT_FRAME.height}:flags=area,format=${CUT_FRAME.pixelFormat}`;
}

/** The second output, for cut detection: written to file descriptor 3. */
export interface CutOutputSpec {
  fps: number;
  /**
   * Write each output's frames as its fps filter makes them, frame N at N/fps
   * exactly (file mode, whose frame numbers are its timecode); see PASSTHROUGH_SYNC.
   */
  onRateGrid?: boolean;
}

/**
 * ffmpeg's own frame-rate sync off. Its default for raw video is a constant
 * rate, which the fps filter already gives; yet the bundled ffmpeg (the 2018
 * static build of @ffmpeg-installer) still adds a copy of a frame when two
 * outputs are split from one decode: 361 cut frames for 12 s of a 30 fps file,
 * every cut after the copy one frame late (cuts at 27, 81, 231, 300 where the
 * file's are 26, 80, 230, 299), and a 12 fps file logged at 25 ended one frame
 * past its end (101 frames for 4 s). Debian's ffmpeg 5.1 gave 360 and 100
 * either way. `-vsync` is the name that build reads; ffmpeg 5.1 and later
 * also read it (deprecated, in favour of the per-output `-fps_mode`, with a
 * warning below the log's level).
 */
const PASSTHROUGH_SYNC = ['-vsync', 'passthrough'];

export const CUT_FRAMES_FD = 3;

const RAW_OUTPUT = [
  '-f',
  'rawvideo',
  // Write each frame as soon as it exists instead of filling a 32 KiB buffer.
  '-flush_packets',
  '1',
];

/**
 * One ffmpeg child per camera. With `cuts`, the decoded picture is split: the
 * analysis frames go to stdout and tiny grey frames at the timecode rate to
 * fd 3, so cut detection costs no second decode.
 */
export function buildFfmpegArgs(source: SourceConfig, output: OutputSpec, ctx: ArgsContext, cuts: CutOutputSpec | null = null): string[] {
  const head = ['-hide_banner', '-nostdin', '-loglevel', ctx.logLevel, ...inputArgs(source, ctx, output.fps)];
  if (!cuts) return [...head, '-an', '-sn', '-dn', '-vf', videoFilter(output), '-pix_fmt', 'rgb24', ...RAW_OUTPUT, 'pipe:1'];
  const graph = `[0:v]split=2[analysis][cuts];[analysis]${videoFilter(output)}[a];[cuts]${cutFramesFilter(cuts.fps)}[c]`;
  return [
    ...head,
    ...(cuts.onRateGrid ? PASSTHROUGH_SYNC : []),
    '-filter_complex',
    graph,
    '-map',
    '[a]',
    '-pix_fmt',
    'rgb24',
    ...RAW_OUTPUT,
    'pipe:1',
    '-map',
    '[c]',
    ...RAW_OUTPUT,
    `pipe:${CUT_FRAMES_FD}`,
  ];
}

/** A short, safe description of a source for status and logs. */
export function describeSource(source: SourceConfig): string {
  switch (source.kind) {
    case 'rtsp':
    case 'url':
      return scrubCredentials(source.url);
    case 'webcam':
      return `${source.driver}:${source.device}`;
    case 'ndi':
      return `ndi:${source.name}`;
    case 'file':
      return source.path;
    case 'testsrc':
      return `${source.pattern} ${source.width}x${source.height}@${source.fps}`;
    case 'webrtc':
      return 'WebRTC (WHIP)';
  }
}
