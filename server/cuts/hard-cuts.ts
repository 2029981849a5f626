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

/** judgeHardCut's answer while a slow source's next picture has not come yet: ask again with more frames. */
export const WAIT_FOR_NEXT_PICTURE = 'wait';

/**
 * A slow source's change is a cut when the geometric mean of its two ratios
 * (to its earlier pictures' changes, and to its next picture's change) reaches
 * this share of adaptiveRatio. On the montage and the demo clips at 2 fps
 * (fps=2, filled back to 25): real cuts 2.2-21x (8 of 10 judged, from 2.8x),
 * walkers', hikers' and selfie's motion at most 2.5x (a walker setting off:
 * 8x over the still pictures before, 0.8x of the next change).
 */
const SLOW_SOURCE_SHARE = 0.7;

/**
 * Judges the frame at `position` (its difference to the frame before).
 * `newest` is the last position received: fewer frames after `position` than
 * the lookahead only at the end of the stream (`ended`). For a slow source it
 * may answer WAIT_FOR_NEXT_PICTURE (never once `ended`).
 */
export function judgeHardCut(history: FrameHistory, position: number, newest: number, tuning: Tuning, ended = false): HardCandidate | null | typeof WAIT_FOR_NEXT_PICTURE {
  if (position < 1 || !history.has(position - 1)) return null;
  const diff = history.at(position).diff;
  if (diff < tuning.minCutDifference) return null;
  // The stronger of two neighbouring frames is the cut; ties go to the earlier one.
  if (history.has(position - 2) && history.at(position - 1).diff >= diff) return null;
  if (position + 1 <= newest && history.at(position + 1).diff > diff) return null;
  const period = picturePeriod(history, position, tuning);
  let ratio: number;
  if (period > 1) {
    const slow = slowSourceRatio(history, position, newest, period, ended, tuning);
    if (slow === WAIT_FOR_NEXT_PICTURE) return slow;
    if (slow < SLOW_SOURCE_SHARE * tuning.adaptiveRatio) return null;
    ratio = slow;
  } else {
    const around = changesAround(history, position, newest, tuning);
    ratio = diff / (median(around) + tuning.ratioFloor);
    if (ratio < tuning.adaptiveRatio) return null;
  }
  if (tuning.gradual && nearExtreme(history, position, newest, tuning)) return null;
  if (tuning.flashFilter && pictureReturns(history, position, newest, diff, tuning)) return null;
  return { position, ratio };
}

/**
 * A source slower than the detector's rate (a camera fallen to 2 fps, its
 * pictures repeated to fill the timecode rate) changes once a picture period,
 * by as much as its subject moves in that time: walkers at 2 fps change by as
 * much as a cut does at 25. Measured against the repeats around it, every such
 * change stood out: a review found hard cuts at +0.5, +7.5, +16.5 and +19.5 s
 * inside one held shot of walkers.mp4 served at 2 fps. So its change is
 * measured against the source's own pictures: the changes of its earlier ones
 * (the motion level), and that of its next one, waited for (one period and a
 * half at most), since a subject setting off after standing still changes as
 * much in the next picture, and a cut does not.
 */
function slowSourceRatio(history: FrameHistory, position: number, newest: number, period: number, ended: boolean, tuning: Tuning): number | typeof WAIT_FOR_NEXT_PICTURE {
  const diff = history.at(position).diff;
  const waitFrames = period + Math.ceil(period / 2);
  const next = neighbourDiffs(history, position, 1, newest, tuning, waitFrames);
  if (!next.taken.length && !ended && newest < position + waitFrames) return WAIT_FOR_NEXT_PICTURE;
  const before = neighbourDiffs(history, position, -1, history.oldest + 1, tuning, 3 * tuning.ratioWindow * period);
  const beforeRatio = diff / (median(before.taken.length ? before.taken : before.repeats) + tuning.ratioFloor);
  // The stream ended before the next picture: the earlier ones alone say it.
  if (!next.taken.length && newest < position + waitFrames) return beforeRatio;
  const afterRatio = diff / ((next.taken[0] ?? 0) + tuning.ratioFloor);
  return Math.sqrt(beforeRatio * afterRatio);
}

/**
 * The changes the one at `position` is measured against: up to ratioWindow
 * frames either side, skipping repeated frames within reach. A still picture
 * (all repeats) has its repeats as the baseline.
 */
function changesAround(history: FrameHistory, position: number, newest: number, tuning: Tuning): number[] {
  const before = neighbourDiffs(history, position, -1, history.oldest + 1, tuning, 3 * tuning.ratioWindow);
  const after = neighbourDiffs(history, position, 1, newest, tuning, tuning.lookahead);
  return [...(before.taken.length ? before.taken : before.repeats), ...(after.taken.length ? after.taken : after.repeats)];
}

/**
 * Frames per picture of a slow source just before `position`: 1 plus the
 * repeats right before it, where the picture before also came after a run of
 * repeats at least half as long (longer: the source's picture held still for
 * a while) or was the stream's first. 1 otherwise: no repeats, a run longer than slowSourceFrames (a
 * still picture), a picture before that came with no repeats (a still shot
 * that a cut ends, not a slow source), or too few frames held to tell.
 */
function picturePeriod(history: FrameHistory, position: number, tuning: Tuning): number {
  const run = repeatsBefore(history, position, tuning);
  if (run < 1 || run > tuning.slowSourceFrames) return 1;
  // Repeats since the stream's first picture: slow from the start, as far as can be told.
  if (position - run - 1 === 0) return run + 1;
  return repeatsBefore(history, position - run - 1, tuning) >= run / 2 ? run + 1 : 1;
}

/** Repeated frames right before `position`: Infinity past slowSourceFrames, -1 when too few frames are held to tell. */
function repeatsBefore(history: FrameHistory, position: number, tuning: Tuning): number {
  let run = 0;
  for (let q = position - 1; history.has(q - 1) && history.at(q).diff < REPEATED_FRAME; q--) {
    if (++run > tuning.slowSourceFrames) return Infinity;
  }
  // The stream's first frame began the run: known, as the frame before the first change.
  return history.has(position - run - 2) || position - run - 1 === 0 ? run : -1;
}

/** The changes of up to ratioWindow frames on one side within `reach` frames, and the repeats met there. */
function neighbourDiffs(history: FrameHistory, position: number, direction: -1 | 1, limit: number, tuning: Tuning, reach: number): { taken: number[]; repeats: number[] } {
  const taken: number[] = [];
  const repeats: number[] = [];
  for (let step = 1; step <= reach && taken.length < tuning.ratioWindow; step++) {
    const q = position + direction * step;
    if (direction < 0 ? q < limit : q > limit) break;
    const diff = history.at(q).diff;
    if (diff >= REPEATED_FRAME) taken.push(diff);
    else repeats.push(diff);
  }
  return { taken, repeats: repeats.slice(0, tuning.ratioWindow) };
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
