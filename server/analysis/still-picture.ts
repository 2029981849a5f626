/**
 * Since when has a camera's picture not changed? A capture card or a decoder
 * that loses its input often holds the last frame it had: frames keep
 * coming, so the feed never stalls, but the wall shows a label of a picture
 * that is no longer live. A still picture sent on purpose (bars, a slate) is
 * the same; the alert says both.
 *
 * Identical bytes are not the test: a held frame sent through a lossy
 * encoder (an RTSP camera's H.264, x264 at 300 kbit/s) decodes a little
 * differently frame after frame, as the encoder refines the picture, and
 * again at each keyframe. Two measures, on the pixels the flat check samples
 * (sampleStep), against the frame before:
 *  - Moved: the mean luma of a cell of a 20x12 grid changed by more than
 *    MOVED_LUMA. A re-encoded held frame keeps its cells' means: 1.8 levels
 *    at most through x264 (300 kbit/s with GOPs of 250 and 50, CRF 35, CRF
 *    45), mpeg4 q20 and mjpeg q20, 4.9 at the keyframes of veryfast
 *    zerolatency 500 kbit/s. Motion in the fixture clips moves a cell by 8.5
 *    or more, but for a fixed camera on an empty corridor (intel clip, 0.15)
 *    and a slow, noisy NASA clip (2.8): the second measure tells those.
 *  - At rest: at most REST_SHARE of the sampled pixels changed at all. An
 *    encoder's refinement dies out, then it skips every block: each held
 *    frame above has pairs in a row with under 1% changed, most 0-0.3%. A
 *    live sensor never rests: a still scene with temporal noise (ffmpeg
 *    noise=alls=2:allf=t+u, the faintest that survives the scaling; alls=1
 *    leaves frames identical) changes 39-88% of them, the empty corridor
 *    through its own encoder 1.4% once and 2.7% or more otherwise, the NASA
 *    clip 48% or more.
 * A run of unmoved frames is a still picture once two pairs in a row in it
 * are at rest, and counts from its first frame; it lasts until a frame
 * moves. Before that, frames at rest count from the first of them: one
 * identical pair may be a source that stuttered, and says no more.
 * Measured with ffmpeg at the model's 320x192 and 5 fps, 10 s held frames
 * from five clips: every one through the encoders above is still within
 * 0.4-9.8 s (one veryfast zerolatency 500 kbit/s case only after 17 s, in
 * a 30 s run), as is ultrafast 150 kbit/s; no fixture clip, and no noisy
 * still scene without an encoder, is still for more than the 0.4 s of a
 * clip's own repeated frames. A live camera on a still scene whose encoder
 * drops all its noise (x264 CRF 35, or 300 kbit/s) cannot be told from a
 * held frame, and reads as still; at CRF 23 half of the six cases did, after
 * 9-10 s, at 2 Mbit/s none.
 * Cost: one pass over the sampled pixels, 0.09-0.15 ms a frame.
 */
import type { Frame } from '../shared/frame.js';
import { sampleStep } from './picture-check.js';

/** Mean luma change (0-255) of one grid cell beyond which the picture moved (held frames: 4.9 at most; motion in the clips: 8.5 and up). */
export const MOVED_LUMA = 6;
/** Share of sampled pixels changed at all, at or under which a pair is at rest (held frames: under 1% once refined; a live camera: 1.4% and up). */
export const REST_SHARE = 0.01;
/** Pairs at rest in a row that make a run of unmoved frames a still picture. */
const REST_PAIRS = 2;
const GRID_COLUMNS = 20;
const GRID_ROWS = 12;

interface Picture {
  /** The sampled pixels, RGB. */
  sample: Uint8Array;
  /** Mean luma of each grid cell. */
  cells: Float32Array;
}

interface Watched {
  /** The source session it was seen in: a restarted source starts a new run, so a run never spans an outage. */
  session: number;
  last: Picture;
  lastTime: number;
  /** Capture time of the first frame of the run of unmoved ones. */
  since: number;
  /** Pairs at rest in a row, up to the last frame, and the capture time of the first frame of them. */
  restPairs: number;
  restSince: number;
  /** Whether the run has been at rest (REST_PAIRS in a row): a still picture. */
  still: boolean;
}

export class StillPictureWatch {
  private readonly cameras = new Map<string, Watched>();

  /**
   * The capture time since which this camera's picture has not changed, or
   * null for its first frame (of the camera, or of a restarted source). Until
   * its run is known to be still, a frame gives its own time, or the first
   * of the frames it rests on (identical frames: the first of them).
   */
  observe(frame: Pick<Frame, 'cameraId' | 'session' | 'data' | 'width' | 'height' | 'captureTime'>): number | null {
    const time = frame.captureTime;
    const picture = pictureOf(frame);
    const watched = this.cameras.get(frame.cameraId);
    if (!watched || watched.session !== frame.session || !sameShape(watched.last, picture)) {
      this.cameras.set(frame.cameraId, { session: frame.session, last: picture, lastTime: time, since: time, restPairs: 0, restSince: time, still: false });
      return watched?.session === frame.session ? time : null;
    }
    const { moved, atRest } = compare(watched.last, picture);
    const before = watched.lastTime;
    watched.last = picture;
    watched.lastTime = time;
    if (moved) {
      Object.assign(watched, { since: time, restPairs: 0, still: false });
      return time;
    }
    // The clock set back (NTP, a DST mistake): the run counts from now, not from a time still to come.
    watched.since = Math.min(watched.since, time);
    if (!atRest) watched.restPairs = 0;
    else if (watched.restPairs++ === 0) watched.restSince = before;
    watched.restSince = Math.min(watched.restSince, time);
    if (watched.restPairs >= REST_PAIRS) watched.still = true;
    return watched.still ? watched.since : watched.restPairs > 0 ? watched.restSince : time;
  }

  forget(cameraId: string): void {
    this.cameras.delete(cameraId);
  }
}

/** The sampled pixels (every sampleStep-th, as the flat check reads) and the grid's mean lumas, in one pass. */
function pictureOf(frame: Pick<Frame, 'data' | 'width'>): Picture {
  const { data } = frame;
  const pixels = Math.floor(data.length / 3);
  // The rows as the data holds them, whatever the frame says.
  const width = Math.max(1, Math.min(frame.width, pixels));
  const height = Math.max(1, Math.ceil(pixels / width));
  const step = sampleStep(pixels);
  const sample = new Uint8Array(Math.ceil(pixels / step) * 3);
  const sums = new Float32Array(GRID_COLUMNS * GRID_ROWS);
  const counts = new Uint32Array(GRID_COLUMNS * GRID_ROWS);
  const columnOf = cellIndex(width, GRID_COLUMNS, 1);
  const rowOf = cellIndex(height, GRID_ROWS, GRID_COLUMNS);
  for (let p = 0, o = 0, x = 0, y = 0; p < pixels; p += step, o += 3) {
    const i = p * 3;
    const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
    sample[o] = r;
    sample[o + 1] = g;
    sample[o + 2] = b;
    const cell = rowOf[y]! + columnOf[x]!;
    sums[cell]! += 0.299 * r + 0.587 * g + 0.114 * b;
    counts[cell]! += 1;
    for (x += step; x >= width; x -= width) y++;
  }
  for (let c = 0; c < sums.length; c++) sums[c] = counts[c] ? sums[c]! / counts[c]! : 0;
  return { sample, cells: sums };
}

/** For each of `size` positions, the grid cell (of `cells` along it) it falls in, times `stride`. */
function cellIndex(size: number, cells: number, stride: number): Uint16Array {
  const out = new Uint16Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor((i * cells) / size) * stride;
  return out;
}

function sameShape(a: Picture, b: Picture): boolean {
  return a.sample.length === b.sample.length;
}

function compare(before: Picture, now: Picture): { moved: boolean; atRest: boolean } {
  for (let c = 0; c < now.cells.length; c++) if (Math.abs(now.cells[c]! - before.cells[c]!) > MOVED_LUMA) return { moved: true, atRest: false };
  const a = before.sample, b = now.sample;
  let changed = 0;
  for (let i = 0; i < b.length; i += 3) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) changed++;
  return { moved: false, atRest: changed <= (REST_SHARE * b.length) / 3 };
}
