/**
 * A camera's recent shots laid out on a time window [now - window, now], as
 * fractions 0..1 of it: coloured segments, gaps where no shot was logged, and
 * the cuts between them by kind. Pure (no DOM, no Svelte): unit-tested under
 * node (test/unit/web-timeline.test.ts). The strip recomputes this when the
 * shots change and on the store's coarse clock tick, never per frame.
 */
import type { ShotBoundary, ShotRecord } from '../../../server/shared/shots.js';

/** The wall's strips: the last 5 minutes. */
export const WALL_TIMELINE_MS = 5 * 60_000;
/** The focus view's strip: the last 10 minutes (what the store keeps). */
export const FOCUS_TIMELINE_MS = 10 * 60_000;

/**
 * Shots closer than this are drawn touching: the tracker closes one shot at
 * the frame the next opens, and a few ms of rounding must not show as a gap.
 * Half a second is under 2 px on a 5-minute strip of 300 px.
 */
export const DEFAULT_MIN_GAP_MS = 500;

/** How a cut is drawn: hard, gradual (dissolve, fade), a take boundary, or a source start / restart / end. */
export type CutStyle = 'hard' | 'gradual' | 'take' | 'source';

export interface TimelineSegment {
  shot: ShotRecord;
  /** Unique among the segments (a shot not stored has id 0). */
  key: string;
  /** Fractions of the window, 0 <= start < end <= 1. */
  start: number;
  end: number;
  /** Epoch ms as drawn, after clipping to the window and to its neighbours. */
  startTime: number;
  endTime: number;
  /** Still running: drawn up to now. */
  open: boolean;
}

export interface TimelineGap {
  start: number;
  end: number;
}

export interface TimelineCut {
  /** Fraction of the window. */
  at: number;
  time: number;
  kind: ShotBoundary;
  style: CutStyle;
}

export interface Timeline {
  from: number;
  to: number;
  segments: TimelineSegment[];
  gaps: TimelineGap[];
  cuts: TimelineCut[];
}

export function cutStyle(kind: ShotBoundary): CutStyle {
  switch (kind) {
    case 'hard':
      return 'hard';
    case 'dissolve':
    case 'fade':
      return 'gradual';
    case 'take':
      return 'take';
    default:
      return 'source';
  }
}

const CUT_WORDS: Readonly<Record<ShotBoundary, string>> = {
  start: 'source start',
  hard: 'hard cut',
  dissolve: 'dissolve',
  fade: 'fade',
  take: 'take boundary',
  restart: 'source restart',
  end: 'source end',
};

/** A shot boundary in words: `hard cut`, `dissolve`, `take boundary`. */
export function cutWords(kind: ShotBoundary | null | undefined): string {
  return kind ? (CUT_WORDS[kind] ?? kind) : 'running';
}

/** Where a shot ends on the timeline: an open shot runs to `now`. */
export function shotEnd(shot: ShotRecord, now: number): number {
  return shot.status === 'open' ? Math.max(shot.outTime, now) : shot.outTime;
}

export interface TimelineOptions {
  /** Shots closer than this are drawn touching (ms); default DEFAULT_MIN_GAP_MS. */
  minGapMs?: number;
}

/**
 * Lays out shots (any order) on [now - windowMs, now]. A shot that overlaps
 * the next one (a stale "open" copy, clock skew) ends where the next begins:
 * the later shot wins. Segments are clipped to the window; a cut is marked at
 * each segment start inside the window, and at the end of a shot followed by
 * a gap.
 */
export function buildTimeline(shots: readonly ShotRecord[], now: number, windowMs: number, options: TimelineOptions = {}): Timeline {
  const to = now;
  const from = now - windowMs;
  const timeline: Timeline = { from, to, segments: [], gaps: [], cuts: [] };
  if (!(windowMs > 0) || !Number.isFinite(now)) return timeline;
  const minGap = options.minGapMs ?? DEFAULT_MIN_GAP_MS;
  const frac = (t: number) => (t - from) / windowMs;
  const sorted = [...shots].sort((a, b) => a.inTime - b.inTime || a.outTime - b.outTime);

  let prevEnd = -Infinity;
  for (let i = 0; i < sorted.length; i++) {
    const shot = sorted[i]!;
    const next = sorted[i + 1];
    let end = shotEnd(shot, now);
    if (next && next.inTime < end) end = next.inTime;
    // Touching neighbours: close a hairline gap by extending this shot.
    if (next && next.inTime > end && next.inTime - end < minGap) end = next.inTime;
    const start = Math.max(shot.inTime, prevEnd);
    const startTime = Math.max(start, from);
    const endTime = Math.min(end, to);
    if (end > prevEnd) prevEnd = end;
    if (!(endTime > startTime)) continue;
    timeline.segments.push({
      shot,
      key: `${shot.id}:${shot.inTime}:${i}`,
      start: frac(startTime),
      end: frac(endTime),
      startTime,
      endTime,
      open: shot.status === 'open' && endTime >= to,
    });
  }

  // Gaps and cuts, from the segments as drawn.
  let cursor = from;
  timeline.segments.forEach((seg, i) => {
    if (seg.startTime > cursor) timeline.gaps.push({ start: frac(cursor), end: seg.start });
    if (seg.startTime > from) {
      const kind = seg.shot.cutIn;
      timeline.cuts.push({ at: seg.start, time: seg.startTime, kind, style: cutStyle(kind) });
    }
    const following = timeline.segments[i + 1];
    if (seg.endTime < to && (!following || following.startTime > seg.endTime)) {
      const kind = seg.shot.cutOut ?? 'end';
      timeline.cuts.push({ at: seg.end, time: seg.endTime, kind, style: cutStyle(kind) });
    }
    cursor = seg.endTime;
  });
  if (cursor < to) timeline.gaps.push({ start: frac(cursor), end: 1 });
  return timeline;
}

/** Index of the segment under a window fraction, or -1 (a gap, or outside). */
export function segmentAt(timeline: Timeline, fraction: number): number {
  const segs = timeline.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const seg = segs[mid]!;
    if (fraction < seg.start) hi = mid - 1;
    else if (fraction >= seg.end && !(fraction === 1 && seg.end === 1)) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * The segment nearest a window fraction (for touch, where a finger is wider
 * than a short shot), or -1 when there are none.
 */
export function nearestSegment(timeline: Timeline, fraction: number): number {
  const hit = segmentAt(timeline, fraction);
  if (hit >= 0 || timeline.segments.length === 0) return hit;
  let best = -1;
  let bestDistance = Infinity;
  timeline.segments.forEach((seg, i) => {
    const d = fraction < seg.start ? seg.start - fraction : fraction - seg.end;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}

/** A shot's length for people: `0.8 s`, `12.4 s`, `1:05`, `1:02:03`. */
export function formatShotLength(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "Sc 12 / Tk 3", "Sc 12", or null. A scene named "Scene of the crime" (any case) is not prefixed: "Sc Scene of the crime" doubled the word. */
export function formatSlate(scene: string | null | undefined, take: string | null | undefined): string | null {
  if (!scene && !take) return null;
  const sc = scene && /^sc(ene)?\b/i.test(scene.trim()) ? scene : `Sc ${scene}`;
  if (!take) return sc;
  return scene ? `${sc} / Tk ${take}` : `Tk ${take}`;
}

/**
 * The room between two axis marks, px: a label ("−10 min", about 45 px at
 * the axis's size) centred on its mark, the first one starting at it, with
 * a gap to the next.
 */
const AXIS_LABEL_PX = 80;

/**
 * The step between an axis's minute marks: the finest of 1, 2, 5 and 10
 * minutes whose labels fit side by side in `widthPx` (unknown width: as on
 * a wide screen), so that "−10 min" and "−8 min" never run into each other
 * on a phone.
 */
export function axisStepMs(windowMs: number, widthPx: number | null): number {
  const steps = [1, 2, 5, 10].map((min) => min * 60_000);
  const fits = (step: number) => widthPx === null || (windowMs / step) * AXIS_LABEL_PX <= widthPx;
  // Wide, a short window is marked each minute and a long one each two, as the strip always was.
  const finest = windowMs > 6 * 60_000 ? steps[1]! : steps[0]!;
  return steps.find((step) => step >= finest && fits(step)) ?? windowMs;
}

/** Minute marks for an axis under a strip: fractions and labels ("−4 min" ... "now"). */
export function minuteMarks(windowMs: number, everyMs = 60_000): { at: number; label: string }[] {
  if (!(windowMs > 0) || !(everyMs > 0)) return [];
  const marks: { at: number; label: string }[] = [];
  for (let ago = 0; ago <= windowMs + 1e-6; ago += everyMs) {
    const min = Math.round(ago / 60_000);
    marks.push({ at: 1 - ago / windowMs, label: ago === 0 ? 'now' : `−${min} min` });
  }
  return marks.reverse();
}
