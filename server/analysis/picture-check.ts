/**
 * Is there a picture to read at all? A camera with its cap on, an SDI or
 * HDMI converter with no signal, a fade's last frames: one flat colour, on
 * which any classifier still names a scale (a black frame reads as a
 * featureless macro shot, ECU, a white one as sky, EWS). Such a frame says
 * "no picture" instead, and neither moves the camera's label nor counts
 * towards its shot's scale.
 *
 * Flat means the luma's standard deviation over the frame is under
 * FLAT_LUMA_STD. Of the 2,534 film frames of the shared sets (CinemaNet and
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

/** What the frame shows when it is one flat colour; null when it has a picture. */
export function noPictureIn(frame: Pick<Frame, 'data' | 'width' | 'height'>): NoPicture | null {
  const { data } = frame;
  const pixels = Math.floor(data.length / 3);
  if (!pixels) return null;
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  const step = sampleStep(pixels);
  for (let p = 0; p < pixels; p += step) {
    const i = p * 3;
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
