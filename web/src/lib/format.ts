/**
 * Pure formatting and colour helpers for the status page. No DOM, no Svelte:
 * unit-tested under node (test/unit/web-format.test.ts).
 */
import { CANONICAL_SCALES, SCALE_NAMES, type CanonicalScale } from '../../../server/shared/scale.js';
import type { CameraState, Readout, Subjects } from '../../../server/shared/socket-events.js';
import { SCALE_COLOURS } from '../../../server/shared/scale-palette.js';

/** Shown where a number is missing or not finite. */
export const DASH = '—';

function isNum(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Latency: `4.2 ms`, `87 ms`, `1.25 s`, `12 s`. */
export function formatLatency(ms: number | null | undefined): string {
  if (!isNum(ms) || ms < 0) return DASH;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(2)} s` : `${Math.round(s)} s`;
}

/** A probability in [0, 1] as a percentage, clamped: `87%`, `87.4%`. */
export function formatPercent(p: number | null | undefined, digits = 0): string {
  if (!isNum(p)) return DASH;
  const clamped = Math.min(1, Math.max(0, p));
  return `${(clamped * 100).toFixed(digits)}%`;
}

/** Frames per second: `25.0 fps`, `7.5 fps`. */
export function formatFps(fps: number | null | undefined): string {
  if (!isNum(fps) || fps < 0) return DASH;
  return `${fps.toFixed(1)} fps`;
}

/**
 * A span of time in its two largest units, rounded to the nearest of the
 * smaller one: `4 s`, `1 min 59 s`, `3 min`, `2 h 5 min`, `3 d 4 h`. Whole
 * minutes alone read 119 s as "1 min", under half of what it was.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNum(ms)) return DASH;
  const span = Math.max(0, ms);
  const s = Math.round(span / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return pair(Math.floor(s / 60), 'min', s % 60, 's');
  const min = Math.round(span / 60_000);
  if (min < 24 * 60) return pair(Math.floor(min / 60), 'h', min % 60, 'min');
  const h = Math.round(span / 3_600_000);
  return pair(Math.floor(h / 24), 'd', h % 24, 'h');
}

function pair(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** Counts with thin grouping: `1 234 567`. */
export function formatCount(n: number | null | undefined): string {
  if (!isNum(n)) return DASH;
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

export interface BadgeColours {
  /** Badge background. */
  bg: string;
  /** Text on the badge (contrast >= 4.5:1 on bg). */
  fg: string;
}

/**
 * Camera-state colours, from the Okabe–Ito colour-blind-safe set. The badge
 * always carries the state's name too, so colour is never the only cue.
 */
export const STATUS_COLOURS: Readonly<Record<CameraState, BadgeColours>> = {
  starting: { bg: '#56B4E9', fg: '#0b0d12' },
  live: { bg: '#009E73', fg: '#0b0d12' },
  stalled: { bg: '#F0E442', fg: '#0b0d12' },
  restarting: { bg: '#E69F00', fg: '#0b0d12' },
  failed: { bg: '#D55E00', fg: '#0b0d12' },
  stopped: { bg: '#8A8F98', fg: '#0b0d12' },
  waiting: { bg: '#CC79A7', fg: '#0b0d12' },
  gone: { bg: '#8A8F98', fg: '#0b0d12' },
};

const UNKNOWN_STATUS: BadgeColours = { bg: '#5A5F68', fg: '#f2f4f8' };

export function statusColours(state: string): BadgeColours {
  return (STATUS_COLOURS as Record<string, BadgeColours>)[state] ?? UNKNOWN_STATUS;
}

/** States in which a camera is expected to produce readouts soon. */
export function isHealthyState(state: CameraState): boolean {
  return state === 'live' || state === 'starting';
}

export { SCALE_COLOURS };

export function scaleColour(label: string): string {
  return (SCALE_COLOURS as Record<string, string>)[label] ?? '#8A8F98';
}

/** The long name of a scale (`MCU` → `medium close-up`), or the label itself. */
export function scaleName(label: string): string {
  return (SCALE_NAMES as Record<string, string>)[label] ?? label;
}

export interface ProbabilityRow {
  label: CanonicalScale;
  name: string;
  colour: string;
  /** Clamped to [0, 1]; 0 where missing. */
  p: number;
}

/** Pairs probabilities (canonical order) with their classes, for the bars. */
export function probabilityRows(probabilities: readonly number[] | null | undefined): ProbabilityRow[] {
  return CANONICAL_SCALES.map((label, i) => {
    const raw = probabilities?.[i];
    const p = isNum(raw) ? Math.min(1, Math.max(0, raw)) : 0;
    return { label, name: SCALE_NAMES[label], colour: SCALE_COLOURS[label], p };
  });
}

/** The words the wall shows in place of a scale while a camera sends no picture. */
export const NO_PICTURE_TEXT = 'no picture';

/**
 * How long a camera's picture has not changed (still-picture.ts), now:
 * the server's own span (stillSince to the readout's capture, one clock)
 * plus the time since the readout arrived (this browser's clock). Never this
 * browser's clock against the server's, which may be set seconds or minutes
 * apart. null while the picture changes.
 */
export function stillForMs(readout: Pick<Readout, 'captureTime' | 'stillSince'> | null | undefined, readoutAt: number, now: number): number | null {
  if (readout?.stillSince === undefined) return null;
  return Math.max(0, readout.captureTime - readout.stillSince) + Math.max(0, now - readoutAt);
}

/**
 * Why the label shown, from one frame: a held label's reason (`labelReason`)
 * with who was in that frame, else the latest frame's own reason and subjects.
 */
export function labelWhyOf(readout: Readout | null | undefined): { reason?: string; subjects?: Subjects } {
  // No picture (one flat colour): that is the news, not why the held label was read.
  if (readout?.noPicture) return readout.reason ? { reason: readout.reason } : {};
  if (readout?.labelReason) return { reason: readout.labelReason, ...(readout.labelSubjects ? { subjects: readout.labelSubjects } : {}) };
  return { ...(readout?.reason ? { reason: readout.reason } : {}), ...(readout?.subjects ? { subjects: readout.subjects } : {}) };
}

/** "2 people · two-shot · over the shoulder"; null when the model says nothing about subjects. */
export function formatSubjects(subjects: Subjects | undefined): string | null {
  if (!subjects) return null;
  if (subjects.kind === 'none') return 'no one in frame';
  const who = subjects.count === 1 ? `1 ${subjects.kind === 'face' ? 'face' : 'person'}` : `${subjects.count} ${subjects.kind === 'faces' ? 'faces' : 'people'}`;
  const parts = [who];
  if (subjects.framing !== 'none' && subjects.framing !== 'single') parts.push(subjects.framing);
  if (subjects.overTheShoulder) parts.push('over the shoulder');
  return parts.join(' · ');
}

/**
 * A tile's line of why: who is in frame, then the reason. The reason of a frame of two or more people starts with
 * their count ("2 people, feet in ..."), which the subjects already gave: "2 people · two-shot · 2 people, feet in".
 */
export function whyLine(subjects: Subjects | undefined, reason: string | undefined): string {
  const who = formatSubjects(subjects);
  let why = reason ?? '';
  const count = who ? /^(\d+ (?:people|faces))\b/.exec(who)?.[1] : undefined;
  if (count && why.startsWith(`${count}, `)) why = why.slice(count.length + 2);
  return [who, why].filter(Boolean).join(' · ');
}

/** A running clock for takes: `00:07`, `01:23`, `1:02:03` (hours only when needed). */
export function formatClock(ms: number | null | undefined): string {
  if (!isNum(ms)) return DASH;
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Seconds of a shot: `0.8 s`, `12.4 s`, `2 min 05 s`. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (!isNum(seconds) || seconds < 0) return DASH;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

function channel(hex: string, at: number): number {
  const c = parseInt(hex.slice(at, at + 2), 16) / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Dark or light text, whichever contrasts more with a `#RRGGBB` background (WCAG luminance). */
export function textOn(background: string): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(background)) return '#f2f4f8';
  const l = 0.2126 * channel(background, 1) + 0.7152 * channel(background, 3) + 0.0722 * channel(background, 5);
  const onDark = (l + 0.05) / (0.0052 + 0.05); // #0b0d12
  const onLight = (0.9 + 0.05) / (l + 0.05); // #f2f4f8
  // The soft inks fall under WCAG's 4.5:1 on mid swatches (#0b0d12 on MCU's teal: 4.32:1, on 12 px chips in
  // Shots and Coverage): there black or white, which reach it (4.67:1).
  if (onDark >= onLight) return onDark >= 4.5 ? '#0b0d12' : '#000000';
  return onLight >= 4.5 ? '#f2f4f8' : '#ffffff';
}

/** Memory sizes in binary units: `512 B`, `12.0 KiB`, `488 MiB`, `1.25 GiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNum(bytes) || bytes < 0) return DASH;
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${units[unit]!}`;
}

/** A rate per second: `19.2/s`, `0.0/s`. */
export function formatRate(perS: number | null | undefined): string {
  if (!isNum(perS) || perS < 0) return DASH;
  return `${perS.toFixed(1)}/s`;
}
