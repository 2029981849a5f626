/**
 * Is there a picture to read at all? A camera with its cap on, an SDI or
 * HDMI converter with no signal, a fade's last frames: one flat colour, on
 * which any classifier still names a scale (a black frame reads as a
 * featureless macro shot, ECU, a white one as sky, EWS). Such a frame says
 * "no picture" instead, and neither moves the camera's label nor counts
 * towards its shot's scale.
 *
 * Flat means the luma's standard deviation over the active picture is under
 * FLAT_LUMA_STD: the frame less the bars the pipeline's letterbox padded it
 * with (videoFilter), which are black whatever the picture is. Over the whole
 * frame, a flat grey 16:9 picture with its 6 black rows above and below had
 * a deviation of about 31 and read as ECU; only black passed, its bars being
 * black too. Of the 2,534 film frames of the shared sets (CinemaNet and
 * HOHA, at the model's 320x192), the flattest has 8.9 (a night scene of mean
 * luma 8); a black or plain frame through a camera and a codec has under 2.
 */
import type { Frame } from '../shared/frame.js';
import type { NoPicture } from '../shared/socket-events.js';

/** Luma standard deviation (0-255) under which a frame is one flat colour. */
export const FLAT_LUMA_STD = 4;
/** Mean luma (0-255) at or under which a flat frame is black, and at or over which white (video's legal range is 16-235). */
const BLACK_LUMA = 24;
const WHITE_LUMA = 225;
/** Every STEP-th pixel of a frame this large: a flat (or frozen) frame is so everywhere, and 1 in 7 of a 320x192 frame is 8,800 pixels. */
const STEP = 7;
const SAMPLED_FROM = STEP * 1000;

/** The pixel stride the picture checks (flat here, still in still-picture.ts) read a frame of `pixels` at: every pixel of a small one. */
export function sampleStep(pixels: number): number {
  return pixels >= SAMPLED_FROM ? STEP : 1;
}

/** The active picture of a frame, in pixels: columns x0 to x1 and rows y0 to y1 (exclusive). */
export interface PictureRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A row or column of the letterbox's padding: every channel of every pixel 0 (ffmpeg's pad writes exactly that, checked with ffmpeg 4.1 and 5.1). */
function padded(data: Uint8Array, from: number, count: number, stride: number): boolean {
  for (let k = 0, i = from; k < count; k++, i += stride) if (data[i] !== 0 || data[i + 1] !== 0 || data[i + 2] !== 0) return false;
  return true;
}

/**
 * Two bars of a letterbox are the same height (or width), give or take the
 * row the centring rounds away: where one side runs on, the rest is a black
 * part of the picture, and both are taken as the smaller.
 */
function paired(a: number, b: number): [number, number] {
  return Math.abs(a - b) <= 2 ? [a, b] : [Math.min(a, b), Math.min(a, b)];
}

/**
 * Where the picture is inside the letterbox the pipeline padded the frame
 * with: the frame less its rows and columns of padding on each side. A frame
 * black all over is all picture (a camera with its cap on, not a bar).
 */
export function activePicture(frame: Pick<Frame, 'data' | 'width' | 'height'>): PictureRect {
  const { data, width: W, height: H } = frame;
  const whole = { x0: 0, y0: 0, x1: W, y1: H };
  if (W <= 0 || H <= 0 || data.length < W * H * 3) return whole;
  let top = 0;
  while (top < H && padded(data, top * W * 3, W, 3)) top++;
  if (top === H) return whole;
  let bottom = 0;
  while (padded(data, (H - 1 - bottom) * W * 3, W, 3)) bottom++;
  const [barTop, barBottom] = paired(top, bottom);
  const y0 = barTop, y1 = H - barBottom;
  const column = (x: number) => padded(data, (y0 * W + x) * 3, y1 - y0, W * 3);
  let left = 0;
  while (column(left)) left++;
  let right = 0;
  while (column(W - 1 - right)) right++;
  const [barLeft, barRight] = paired(left, right);
  return { x0: barLeft, y0, x1: W - barRight, y1 };
}

/**
 * What the frame shows when its picture is one flat colour; null when it has
 * a picture. `picture` is where the picture is in the frame (activePicture:
 * found from the frame when not given).
 */
export function noPictureIn(frame: Pick<Frame, 'data' | 'width' | 'height'>, picture: PictureRect = activePicture(frame)): NoPicture | null {
  const { data, width } = frame;
  const w = picture.x1 - picture.x0;
  const pixels = w * (picture.y1 - picture.y0);
  if (!(pixels > 0) || data.length < width * picture.y1 * 3) return null;
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  const step = sampleStep(pixels);
  for (let p = 0; p < pixels; p += step) {
    const i = ((picture.y0 + Math.floor(p / w)) * width + picture.x0 + (p % w)) * 3;
    const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    sum += luma;
    sumSquares += luma * luma;
    count += 1;
  }
  const mean = sum / count;
  const std = Math.sqrt(Math.max(0, sumSquares / count - mean * mean));
  if (std >= FLAT_LUMA_STD) return null;
  return mean <= BLACK_LUMA ? 'black' : mean >= WHITE_LUMA ? 'white' : 'plain';
}
