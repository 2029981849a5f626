/**
 * Hard cuts: one frame-to-frame difference that stands out from the
 * differences around it (an adaptive threshold, like PySceneDetect's adaptive
 * detector, plus an absolute floor), unless the picture comes back within a
 * few frames (a flash, a VFX flicker, lightning: the montage's frames 192-204
 * alternate two looks of one shot every two frames and are not cuts).
 */
import { pictureDistance, REPEATED_FRAME } from './frame-features.js';
import type { FrameHistory } from './frame-history.js';
import type { Tuning } from './cut-settings.js';

export interface HardCandidate {
  position: number;
  /** Change at the cut over the median change of the frames around it. */
  ratio: number;
}

/**
 * A frame after the jump within this fraction of the jump from a frame before
 * it means the old picture is back: in the montage's flicker the nearest pair
 * is at 0.19-0.41 of the jump, after its 11 real cuts at 0.87-1.0.
 */
const RETURN_FRACTION = 0.5;

/**
 * Judges the frame at `position` (its difference to the frame before).
 * `newest` is the last position received: fewer frames after `position` than
 * the lookahead only at the end of the stream.
 */
export function judgeHardCut(history: FrameHistory, position: number, newest: number, tuning: Tuning): HardCandidate | null {
  if (position < 1 || !history.has(position - 1)) return null;
  const diff = history.at(position).diff;
  if (diff < tuning.minCutDifference) return null;
  // The stronger of two neighbouring frames is the cut; ties go to the earlier one.
  if (history.has(position - 2) && history.at(position - 1).diff >= diff) return null;
  if (position + 1 <= newest && history.at(position + 1).diff > diff) return null;
  const around = [...neighbourDiffs(history, position, -1, history.oldest + 1, tuning), ...neighbourDiffs(history, position, 1, newest, tuning)];
  const ratio = diff / (median(around) + tuning.ratioFloor);
  if (ratio < tuning.adaptiveRatio) return null;
  if (tuning.gradual && nearExtreme(history, position, newest, tuning)) return null;
  if (tuning.flashFilter && pictureReturns(history, position, newest, diff, tuning)) return null;
  return { position, ratio };
}

/**
 * The median, not the mean, of the changes around: a second jump two frames
 * away (a 2-frame glitch, a cut right after a flash) must not hide the first.
 */
function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The changes of up to ratioWindow frames on one side, skipping repeated frames within reach. */
function neighbourDiffs(history: FrameHistory, position: number, direction: -1 | 1, limit: number, tuning: Tuning): number[] {
  const taken: number[] = [];
  const repeats: number[] = [];
  const reach = direction < 0 ? 3 * tuning.ratioWindow : tuning.lookahead;
  for (let step = 1; step <= reach && taken.length < tuning.ratioWindow; step++) {
    const q = position + direction * step;
    if (direction < 0 ? q < limit : q > limit) break;
    const diff = history.at(q).diff;
    if (diff >= REPEATED_FRAME) taken.push(diff);
    else repeats.push(diff);
  }
  // A still picture: its changes are all repeats, and they are the baseline.
  return taken.length ? taken : repeats.slice(0, tuning.ratioWindow);
}

/** Frames next to a black or white one belong to a fade or a flash: the fade tracker decides. */
function nearExtreme(history: FrameHistory, position: number, newest: number, tuning: Tuning): boolean {
  for (let q = Math.max(history.oldest, position - tuning.lookahead); q <= Math.min(newest, position + tuning.lookahead); q++) {
    if (tuning.extremeOf(history.at(q))) return true;
  }
  return false;
}

/** Does a frame at or after the jump look like one shortly before it? */
function pictureReturns(history: FrameHistory, position: number, newest: number, diff: number, tuning: Tuning): boolean {
  const limit = diff * RETURN_FRACTION;
  for (let j = 0; j <= tuning.flashFrames && position + j <= newest; j++) {
    const after = history.at(position + j);
    for (let i = j === 0 ? 2 : 1; i <= tuning.flashHistory && history.has(position - i); i++) {
      if (pictureDistance(after, history.at(position - i)) <= limit) return true;
    }
  }
  return false;
}
