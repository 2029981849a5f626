/**
 * Colours of the live wall: one per shot scale, readable text on each, and
 * the marks of the timeline. Pure (no DOM): unit-tested under node.
 *
 * Why viridis: the 8 canonical scales are ordered (ECU < ... < EWS), so the
 * palette is a sequential one whose lightness rises monotonically with the
 * scale. Viridis (van der Walt & Smith, matplotlib) is perceptually uniform
 * and keeps that order under deuteranopia, protanopia and tritanopia, and in
 * greyscale: neighbouring scales look neighbourly, distant ones distant, for
 * every viewer. Its darkest purples (below 0.22) are dropped so that even ECU
 * stands off the dark page. The stops are format.ts's SCALE_COLOURS (the one
 * source, so every view of the dashboard colours a scale alike). Colour is
 * never the only cue: the class name is always written next to it.
 *
 * Other taxonomies' classes take the colour at the mean position of their
 * canonical members (three-class "medium" = between MS and MWS), so a class
 * of a coarser taxonomy sits where its members sit on the same ramp.
 */
import { CANONICAL_SCALES } from '../../../server/shared/scale.js';
import { SCALE_COLOURS } from './format.js';

/** The 8 scale colours, canonical order (tight to wide). */
export const SCALE_PALETTE: readonly string[] = CANONICAL_SCALES.map((s) => SCALE_COLOURS[s]);

/** Text on a light swatch. */
export const TEXT_DARK = '#000000';
/** Text on a dark swatch. */
export const TEXT_LIGHT = '#ffffff';

/** Timeline: where no shot was logged (camera down, shot log off). */
export const GAP_COLOUR = '#3a404c';

/**
 * Timeline cut marks. The kinds differ by shape as well as colour (see
 * timeline-strip.svelte): a hard cut is a thin line, a dissolve or fade a
 * soft wide one, a take boundary a taller line, a source restart dashed.
 * Colours from the Okabe–Ito set, as the status badges.
 */
export const CUT_COLOURS = {
  hard: '#f2f4f8',
  gradual: '#f2f4f8',
  take: '#56b4e9',
  source: '#e69f00',
} as const;

function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace('#', '').slice(0, 6), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two colours, 1..21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/**
 * Black or white, whichever contrasts more with `bg`. One of the two always
 * reaches at least 4.58:1 (the worst case is a background of luminance 0.18).
 */
export function textOn(bg: string): string {
  return contrastRatio(bg, TEXT_DARK) >= contrastRatio(bg, TEXT_LIGHT) ? TEXT_DARK : TEXT_LIGHT;
}

/**
 * The colour at a position on the scale ramp, 0 (ECU) to 7 (EWS), linearly
 * between neighbouring stops; clamped.
 */
export function paletteAt(position: number): string {
  const last = SCALE_PALETTE.length - 1;
  const p = Number.isFinite(position) ? Math.min(last, Math.max(0, position)) : 0;
  const i = Math.min(last - 1, Math.floor(p));
  const t = p - i;
  const a = channels(SCALE_PALETTE[i]!);
  const b = channels(SCALE_PALETTE[i + 1]!);
  return toHex(a.map((v, k) => v + (b[k]! - v) * t));
}

/** The colour of a class made of these canonical indices: their mean position on the ramp. */
export function colourOfMembers(indices: readonly number[]): string {
  if (indices.length === 0) return '#8a8f98';
  return paletteAt(indices.reduce((sum, i) => sum + i, 0) / indices.length);
}
