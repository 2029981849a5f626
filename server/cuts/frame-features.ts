/**
 * What the cut detector keeps of each tiny frame (not the frame itself: its
 * mean, contrast and a 16x9 grid of cell means, 600 bytes), and the distances
 * between frames it decides on. Computed once per frame in one pass over its
 * 2,304 bytes.
 *
 * Every distance here subtracts the two frames' mean luma first (and the
 * picture distance evens out their contrast too): a global brightness step
 * (auto exposure, lights, a flash) moves every pixel alike and must not read as
 * a new picture; new content does not move every pixel alike.
 */
import { CUT_FRAME } from './cut-frames.js';

/** Side of the square cells averaged into the coarse grid (16x9 cells at 64x36). */
export const CELL = 4;
export const GRID_W = CUT_FRAME.width / CELL;
export const GRID_H = CUT_FRAME.height / CELL;
const CELLS = GRID_W * GRID_H;

/**
 * A frame whose picture distance to the one before is below this repeats it:
 * 24 fps made from 10 fps or 23.98 fps sources repeats frames (the montage's
 * last and fifth segments), and so does any rate conversion upwards.
 */
export const REPEATED_FRAME = 0.5;

/** The frame before `position`, skipping back over up to `maxRepeats` repeats of it. */
export function previousDistinct(history: { has(p: number): boolean; at(p: number): FrameFeatures }, position: number, maxRepeats = 3): number {
  let q = position - 1;
  while (position - 1 - q < maxRepeats && history.has(q - 1) && history.at(q + 1).diff < REPEATED_FRAME) q--;
  return q;
}

export interface FrameFeatures {
  /** The caller's frame index (may jump over dropped frames). */
  index: number;
  /** Mean and standard deviation of the 64x36 luma: the pixel-level contrast tells flat black or white frames from textured ones. */
  mean: number;
  std: number;
  /** Cell means of the coarse grid: small motion and noise average out here. */
  cells: Float32Array;
  /** Standard deviation of the cell means. */
  cellStd: number;
  /** pictureDistance to the frame received before this one (0 for the first). */
  diff: number;
  /** cellDistance to the frame received before this one (0 for the first). */
  cellDiff: number;
}

export function describeFrame(pixels: Uint8Array, index: number): FrameFeatures {
  const { width, height } = CUT_FRAME;
  const cells = new Float32Array(CELLS);
  let sum = 0;
  let sumSq = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const cellRow = ((y / CELL) | 0) * GRID_W;
    for (let x = 0; x < width; x++) {
      const v = pixels[row + x]!;
      sum += v;
      sumSq += v * v;
      cells[cellRow + ((x / CELL) | 0)]! += v;
    }
  }
  const n = width * height;
  const mean = sum / n;
  let cellSq = 0;
  for (let c = 0; c < CELLS; c++) {
    const v = (cells[c]! /= CELL * CELL);
    cellSq += v * v;
  }
  const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  return { index, mean, std, cells, cellStd: Math.sqrt(Math.max(0, cellSq / CELLS - mean * mean)), diff: 0, cellDiff: 0 };
}

/**
 * Below this standard deviation of the cells a picture's contrast is not
 * stretched any further: a nearly flat frame is mostly noise (a fade's bottom,
 * a white-out).
 */
const MIN_CONTRAST = 6;

/**
 * How different two pictures are, whatever their brightness and contrast: the
 * mean absolute difference (0-255) of the two coarse grids brought to a common
 * mean and standard deviation. On the grid a pan or a walk changes much less
 * than a cut does: cuts in the montage stand 7-40 times above the change around
 * them here, 6-33 times on the 64x36 pixels, and busy handheld footage at most
 * 2.8 times. A camera flash that lifts a frame to 0.6 x luma + 110 changes it
 * by ~5 here against ~70 in raw luma.
 */
export function pictureDistance(a: FrameFeatures, b: FrameFeatures): number {
  const ca = a.cells;
  const cb = b.cells;
  const sa = Math.max(a.cellStd, MIN_CONTRAST);
  const sb = Math.max(b.cellStd, MIN_CONTRAST);
  const common = (sa + sb) / 2;
  const ga = common / sa;
  const gb = common / sb;
  const offset = a.mean * ga - b.mean * gb;
  let sum = 0;
  for (let i = 0; i < CELLS; i++) sum += Math.abs(ca[i]! * ga - cb[i]! * gb - offset);
  return sum / CELLS;
}

/** Mean absolute difference of the coarse grids (0-255) after removing the means. */
export function cellDistance(a: FrameFeatures, b: FrameFeatures): number {
  const ca = a.cells;
  const cb = b.cells;
  const offset = a.mean - b.mean;
  let sum = 0;
  for (let i = 0; i < CELLS; i++) sum += Math.abs(ca[i]! - cb[i]! - offset);
  return sum / CELLS;
}

/**
 * Share of cells that changed by at least `fraction` of the mean change: a new
 * picture changes nearly everywhere, a person walking through a fixed shot
 * changes a few cells a lot.
 */
export function cellSpread(a: FrameFeatures, b: FrameFeatures, meanChange: number, fraction: number): number {
  const offset = a.mean - b.mean;
  const limit = meanChange * fraction;
  let changed = 0;
  for (let i = 0; i < CELLS; i++) if (Math.abs(a.cells[i]! - b.cells[i]! - offset) >= limit) changed++;
  return changed / CELLS;
}

/**
 * Where `mid` lies between `from` (0) and `to` (1): the projection of its cells
 * on the change from one to the other. In a dissolve every cell moves along
 * that line together, so this is the dissolve's progress.
 */
export function mixProgress(from: FrameFeatures, to: FrameFeatures, mid: FrameFeatures): number {
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < CELLS; i++) {
    const change = to.cells[i]! - to.mean - (from.cells[i]! - from.mean);
    dot += (mid.cells[i]! - mid.mean - (from.cells[i]! - from.mean)) * change;
    norm += change * change;
  }
  return norm > 0 ? dot / norm : 0;
}

export type Extreme = 'black' | 'white' | null;

/**
 * A frame that is nearly uniform black or white: the bottom of a fade, the top
 * of a flash. Levels in 0-255 luma (limited-range video puts black at 16).
 */
export function extremeOf(f: FrameFeatures, levels: { black: number; white: number; flatStd: number }): Extreme {
  if (f.std > levels.flatStd) return null;
  if (f.mean <= levels.black) return 'black';
  if (f.mean >= levels.white) return 'white';
  return null;
}

/** How far a frame is from black (or white): falls through a fade out, rises through a fade in. */
export function distanceFromExtreme(f: FrameFeatures, extreme: 'black' | 'white'): number {
  return (extreme === 'black' ? f.mean : 255 - f.mean) + f.std;
}
