/**
 * The cut detector's settings, in seconds and luma levels, and the frame counts
 * and thresholds they come to at a given frame rate. Defaults were tuned on the
 * montage in ../shared/fixtures/clips (11 hard cuts, a VFX flicker, a dip to
 * white) and on the generated test clips (test/support/cut-clips.ts).
 */
import { extremeOf, type Extreme, type FrameFeatures } from './frame-features.js';

export interface CutDetectorSettings {
  /** Shortest shot in seconds: a cut closer than this to one already reported is dropped. */
  minShotS: number;
  /** A brightness spike or flicker that returns to the picture before it is not a cut. */
  flashFilter: boolean;
  /** Detect dissolves and fades (dips to black or white) as well as hard cuts. */
  gradual: boolean;
  /** Scales the hard-cut floor and ratio and the smallest dissolve: 2 finds weaker cuts (and more false ones), 0.5 only strong cuts. */
  sensitivity: number;
  /** Smallest frame-to-frame change that can be a hard cut: mean absolute difference (0-255) of the 16x9 grids, brightness and contrast evened out. */
  minCutDifference: number;
  /** A hard cut's change must be this many times the median change of the two frames either side (repeated frames skipped). */
  adaptiveRatio: number;
  /** Longest flash, in seconds, that the flash filter removes; also the lookahead for hard cuts. */
  flashMaxS: number;
  /** Longest fade out or fade in, in seconds, that is followed; longer ones end where this runs out. */
  maxFadeS: number;
  /** Smallest change (coarse-grid mean absolute difference, 0-255) between the shots either side of a dissolve. */
  minDissolveDifference: number;
  /** Mean luma at or below which a flat frame is black, and at or above which it is white. */
  blackLevel: number;
  whiteLevel: number;
  /** Largest luma standard deviation of a flat (black or white) frame. */
  flatStd: number;
}

export const DEFAULT_CUT_SETTINGS: CutDetectorSettings = Object.freeze({
  minShotS: 0.5,
  flashFilter: true,
  gradual: true,
  sensitivity: 1,
  // On the coarse grid montage cuts change by 37-62 levels, the closest cut in
  // the test clips (two shots of one hiking trail) by 24. The montage's whip
  // pans reach 45 between frames: the adaptive ratio, not this floor, keeps
  // them out; the floor keeps out noise in still shots.
  minCutDifference: 12,
  // Cuts stand 5.4-45x above the median change of their neighbours (montage
  // and test clips; the lowest is a cut into a fast pan), the montage's whip
  // pans at most 2.7x: 4 sits between. (PySceneDetect's adaptive detector uses
  // 3 on its own measure.)
  adaptiveRatio: 4,
  // 0.2 s: 5 frames at 25 fps, covers camera flashes (1-3 frames) and the
  // montage flicker (2-frame steps).
  flashMaxS: 0.2,
  maxFadeS: 2,
  minDissolveDifference: 20,
  // Video black is 16 (limited range); a fade's bottom frame stays close to it.
  blackLevel: 24,
  whiteLevel: 228,
  // A fade's bottom frame is flat: under 1 level at 64x36 in the test clips'
  // dips, and film grain averages out in the cells. A night exterior held
  // dark has detail left (a HOHA frame: mean 13, std 11): at 12 such a shot
  // read as a dip to black, and its cut in and out became one fade.
  flatStd: 6,
});

/** Settings in frames and final thresholds, for one frame rate. */
export interface Tuning {
  flashFilter: boolean;
  gradual: boolean;
  minShotFrames: number;
  minCutDifference: number;
  adaptiveRatio: number;
  /** Added to the median of the neighbouring changes, so a cut out of a still picture is not an infinite ratio. */
  ratioFloor: number;
  /** Frames either side whose change the adaptive ratio compares with. */
  ratioWindow: number;
  flashFrames: number;
  /** How far back the flash filter looks for the returning picture. */
  flashHistory: number;
  /** Frames a hard cut waits for before it is reported. */
  lookahead: number;
  /**
   * Longest run of repeated frames read as a slow source's picture period (1 s:
   * a source of 1 fps or more, filled to the detector's rate); a longer run is a
   * still picture. See hard-cuts.ts.
   */
  slowSourceFrames: number;
  maxFadeFrames: number;
  minDissolveDifference: number;
  /** Half-lengths of the windows that straddle a dissolve. */
  dissolveHalfWindows: number[];
  extremeOf: (f: FrameFeatures) => Extreme;
}

/** Dissolve windows at 25 fps (half-lengths): 8-, 16- and 28-frame windows, i.e. 0.3-1.1 s. */
const DISSOLVE_HALF_WINDOWS_S = [0.16, 0.32, 0.56];

export function tuningFor(fps: number, settings: CutDetectorSettings): Tuning {
  if (!(Number.isFinite(fps) && fps > 0)) throw new RangeError(`fps must be a positive number, got ${fps}`);
  if (!(settings.sensitivity > 0)) throw new RangeError(`sensitivity must be positive, got ${settings.sensitivity}`);
  const s = settings.sensitivity;
  const flashFrames = Math.max(2, Math.round(settings.flashMaxS * fps));
  const ratioWindow = 2;
  const levels = { black: settings.blackLevel, white: settings.whiteLevel, flatStd: settings.flatStd };
  return {
    flashFilter: settings.flashFilter,
    gradual: settings.gradual,
    minShotFrames: Math.max(1, Math.round(settings.minShotS * fps)),
    minCutDifference: settings.minCutDifference / s,
    adaptiveRatio: 1 + (settings.adaptiveRatio - 1) / s,
    ratioFloor: 1,
    ratioWindow,
    flashFrames,
    flashHistory: 2 * flashFrames + 1,
    lookahead: Math.max(ratioWindow, settings.flashFilter ? flashFrames : 0),
    slowSourceFrames: Math.max(1, Math.round(fps)),
    maxFadeFrames: Math.max(2, Math.round(settings.maxFadeS * fps)),
    minDissolveDifference: settings.minDissolveDifference / s,
    dissolveHalfWindows: [...new Set(DISSOLVE_HALF_WINDOWS_S.map((h) => Math.max(2, Math.round(h * fps))))],
    extremeOf: (f) => extremeOf(f, levels),
  };
}
