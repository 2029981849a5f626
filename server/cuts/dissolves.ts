/**
 * Dissolves: windows of a few lengths that straddle the transition. The frames
 * at the two ends of a window over a dissolve are different pictures, while
 * the same span before it (and half of it after) changes much less; no single
 * frame carries the change (that is a hard cut), the change is spread over the
 * whole picture (not a person walking through a fixed shot) and it runs in a
 * nearly straight line from one picture to the other (a whip pan wanders
 * through blurred pictures on the way: in the montage's selfie clip one frame
 * carries 40-50 % of a pan's change, in a 12-frame dissolve about 10 %).
 * All on the 16x9 coarse grid, where small motion has averaged out.
 */
import type { PositionedCut } from './cut-event.js';
import type { Tuning } from './cut-settings.js';
import { cellDistance, cellSpread, mixProgress } from './frame-features.js';
import type { FrameHistory } from './frame-history.js';

/** The change across a dissolve over the change in as long a stretch before it. */
const CHANGE_RATIO = 2;
/**
 * The same against the stretch after it (half as long, scaled up): lower,
 * because the new shot often moves more than the old one settled (the
 * generated clip's dissolve into a lab scene: 1.4), while a pan that goes on
 * keeps changing as fast as it did (about 1).
 */
const AFTER_RATIO = 1.3;
/** Added to the change before and after, in levels: a still shot never makes any change infinitely large. */
const CHANGE_FLOOR = 3;
/** Largest share of the change that one frame may carry. */
const MAX_ONE_FRAME_SHARE = 0.3;
/** The change end to end over the sum of the frame-to-frame changes: 1 for a pure dissolve. */
const MIN_STRAIGHTNESS = 0.5;
/** Share of cells that must change by half the mean change or more. */
const MIN_SPREAD = 0.5;

/** How strictly a window is judged: fully, or early (part of a dissolve may be under way). */
interface Strictness {
  /** Scales the smallest change. */
  change: number;
  /** Scales the ratios to the change before and after. */
  ratio: number;
}
const FULL: Strictness = { change: 1, ratio: 1 };
/**
 * An early look sees part of the change: by the time a dissolve's middle is
 * due, a window of the longest length holds about two thirds of it.
 */
const EARLY: Strictness = { change: 0.5, ratio: 0.8 };

interface Window {
  /** Positions of the window's two ends. */
  from: number;
  to: number;
  score: number;
}

export class DissolveTracker {
  private open: Window[] = [];
  private openUntil = -1;
  /** A change seen early that may become a dissolve: where it began, and the newest position it is held to. */
  private held: { index: number; until: number } | null = null;

  /**
   * While a dissolve may be under way, the frame index before which it cannot
   * report. A change that could grow into one holds from where it began until
   * every window that could hold it has been judged.
   */
  openSinceIndex(history: FrameHistory, extremeAt: number, tuning: Tuning): number | null {
    const newest = history.newest;
    const longest = Math.max(...tuning.dissolveHalfWindows);
    if (this.held && newest > this.held.until) this.held = null;
    for (const k of tuning.dissolveHalfWindows) {
      if (this.held) break;
      // The window that ends now, judged on what it has seen so far.
      const window = judgeWindow(history, newest - 2 * k, newest, extremeAt, tuning, EARLY);
      if (window) this.held = { index: history.at(window.from).index, until: window.from + 3 * longest + 1 };
    }
    let since = this.held?.index ?? null;
    if (this.open.length) {
      const openIndex = history.at(Math.min(...this.open.map((w) => w.from))).index;
      since = since === null ? openIndex : Math.min(since, openIndex);
    }
    return since;
  }

  /**
   * Takes the newest frame: judges, for each window length, the window that
   * ends half a window ago. `blocked(from, to)` says whether another cut was
   * reported inside. Returns a dissolve once its windows have all been seen.
   */
  step(history: FrameHistory, extremeAt: number, tuning: Tuning, blocked: (from: number, to: number) => boolean): PositionedCut | null {
    const newest = history.newest;
    for (const k of tuning.dissolveHalfWindows) {
      const window = judgeWindow(history, newest - 3 * k, newest - k, extremeAt, tuning);
      if (window && !blocked(window.from, window.to)) this.add(window);
    }
    return this.open.length && newest - this.openUntil > Math.max(...tuning.dissolveHalfWindows) ? this.close(history) : null;
  }

  /** End of stream: windows that lack their after part are judged on what there is. */
  flush(history: FrameHistory, extremeAt: number, tuning: Tuning, blocked: (from: number, to: number) => boolean): PositionedCut | null {
    const newest = history.newest;
    for (const k of tuning.dissolveHalfWindows) {
      for (let to = Math.max(newest - k + 1, 0); to <= newest; to++) {
        const window = judgeWindow(history, to - 2 * k, to, extremeAt, tuning);
        if (window && !blocked(window.from, window.to)) this.add(window);
      }
    }
    return this.open.length ? this.close(history) : null;
  }

  reset(): void {
    this.open = [];
    this.openUntil = -1;
    this.held = null;
  }

  private add(window: Window): void {
    if (this.open.length && window.from > this.openUntil) return; // a separate one: the open one closes first
    this.open.push(window);
    this.openUntil = Math.max(this.openUntil, window.to);
  }

  private close(history: FrameHistory): PositionedCut | null {
    const best = this.open.reduce((a, b) => (b.score > a.score ? b : a));
    this.open = [];
    this.openUntil = -1;
    if (!history.has(best.from)) return null;
    const from = history.at(best.from);
    const to = history.at(best.to);
    // The mix's progress frame by frame: start at a tenth, the middle at a half, the end at nine tenths.
    let start = -1;
    let middle = -1;
    let end = best.to;
    for (let p = best.from + 1; p < best.to; p++) {
      const progress = mixProgress(from, to, history.at(p));
      if (start < 0 && progress >= 0.1) start = p;
      if (middle < 0 && progress >= 0.5) middle = p;
      if (progress >= 0.9) {
        end = p;
        break;
      }
    }
    if (middle < 0) middle = Math.round((best.from + best.to) / 2);
    if (start < 0 || start > middle) start = best.from + 1;
    return { kind: 'dissolve', position: middle, frame: history.at(middle).index, startFrame: history.at(start).index, endFrame: history.at(end).index, score: best.score };
  }
}

/**
 * The window from..to, with as long a stretch before it and up to half as long
 * after it (to the newest frame), or null when it does not look like a dissolve.
 */
function judgeWindow(history: FrameHistory, from: number, to: number, extremeAt: number, tuning: Tuning, strictness: Strictness = FULL): Window | null {
  const span = to - from;
  const baseline = from - span;
  const newest = history.newest;
  if (baseline < 0 || !history.has(baseline) || extremeAt >= baseline) return null;
  const a = history.at(from);
  const b = history.at(to);
  const change = cellDistance(a, b);
  if (change < tuning.minDissolveDifference * strictness.change) return null;
  const before = cellDistance(history.at(baseline), a);
  if (change < CHANGE_RATIO * strictness.ratio * (before + CHANGE_FLOOR)) return null;
  // After: the next half window, scaled to the window's length.
  const after = newest > to ? (cellDistance(b, history.at(newest)) * span) / (newest - to) : 0;
  if (change < AFTER_RATIO * strictness.ratio * (after + CHANGE_FLOOR)) return null;
  let path = 0;
  let largest = 0;
  for (let p = from + 1; p <= to; p++) {
    const step = history.at(p).cellDiff;
    path += step;
    largest = Math.max(largest, step);
  }
  if (largest > MAX_ONE_FRAME_SHARE * change || change < MIN_STRAIGHTNESS * path) return null;
  if (cellSpread(a, b, change, 0.5) < MIN_SPREAD) return null;
  return { from, to, score: change / (Math.max(before, after) + CHANGE_FLOOR) };
}
