/**
 * Ranges of scales as coverage plans write them: "MS", "WS+" (WS or wider),
 * "CU-" (CU or tighter), "MCU..CU" (either order) or { tightest, widest };
 * and the words for a range. Pure: the server's plan parser and the
 * dashboard's plan editor read them the same way.
 */
import { CANONICAL_SCALES, isCanonicalScale, type CanonicalScale } from './scale.js';
import type { CoveragePlanItem } from './shots.js';

export interface ScaleRange {
  tightest: CanonicalScale;
  widest: CanonicalScale;
}

/** A scale as users write it; see SCALE_FORMS. */
export type ScaleSpec = string | { tightest: string; widest: string };

export const SCALE_FORMS = `one scale (${CANONICAL_SCALES.join(', ')}), "X+" (X or wider), "X-" (X or tighter), a range "A..B" (either order), or { tightest, widest }`;

/**
 * Reads a scale spec, case-insensitively. Returns the inclusive range, or the
 * reason it is not one (the caller adds which item and the accepted forms).
 * A reason quotes the spec as written: "EWS.." said `"" is not a scale`,
 * quoting the empty side of the range, which no one had typed.
 */
export function parseScaleSpec(spec: unknown): ScaleRange | { error: string } {
  if (typeof spec === 'string') {
    const text = spec.trim();
    const notOne = (why: string) => ({ error: `${JSON.stringify(spec)} is not a scale${why ? `: ${why}` : ''}` });
    if (text.includes('..')) {
      const parts = text.split('..').map((part) => part.trim());
      if (parts.length !== 2) return { error: `${JSON.stringify(spec)} is not a range of two scales` };
      if (!parts[0] || !parts[1]) return notOne('a range needs a scale on each side of "..", e.g. "MCU..CU"');
      return rangeOf(parts[0], parts[1], notOne);
    }
    const bound = text.endsWith('+') ? '+' : text.endsWith('-') ? '-' : '';
    if (bound && !text.slice(0, -1).trim()) return notOne(`"X${bound}" needs a scale before the "${bound}", e.g. "${bound === '+' ? 'WS+' : 'CU-'}"`);
    if (bound === '+') return rangeOf(text.slice(0, -1).trim(), 'EWS', notOne);
    if (bound === '-') return rangeOf('ECU', text.slice(0, -1).trim(), notOne);
    return rangeOf(text, text, notOne);
  }
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    const { tightest, widest, ...rest } = spec as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) return { error: `unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} in the scale` };
    if (typeof tightest !== 'string' || typeof widest !== 'string') return { error: 'a scale object needs "tightest" and "widest" as scale names' };
    for (const [key, name] of [['tightest', tightest], ['widest', widest]] as const) {
      if (!isScaleName(name)) return { error: `${key} ${JSON.stringify(name)} is not a scale` };
    }
    return between(tightest, widest);
  }
  return { error: spec === undefined ? 'the scale is missing' : `${JSON.stringify(spec)} is not a scale` };
}

function isScaleName(name: string): boolean {
  return isCanonicalScale(name.trim().toUpperCase());
}

/**
 * The range between two scale names as written, in either order, any case.
 * `notOne` says why the spec is not a scale: nothing more when the spec is
 * the name, else which name in it is none.
 */
function rangeOf(a: string, b: string, notOne: (why: string) => { error: string }): ScaleRange | { error: string } {
  for (const name of [a, b]) {
    if (!isScaleName(name)) return notOne(a === b ? '' : `${JSON.stringify(name)} is no scale name`);
  }
  return between(a, b);
}

/** The range between two scale names (isScaleName), in either order. */
function between(a: string, b: string): ScaleRange {
  const [ia, ib] = [scaleIndex(a.trim().toUpperCase() as CanonicalScale), scaleIndex(b.trim().toUpperCase() as CanonicalScale)];
  return { tightest: CANONICAL_SCALES[Math.min(ia, ib)]!, widest: CANONICAL_SCALES[Math.max(ia, ib)]! };
}

export function scaleIndex(scale: CanonicalScale): number {
  return CANONICAL_SCALES.indexOf(scale);
}

/** "MS", "WS or wider", "CU or tighter", "CU to MCU", "any scale". */
export function describeScaleRange({ tightest, widest }: ScaleRange): string {
  const first = CANONICAL_SCALES[0];
  const last = CANONICAL_SCALES[CANONICAL_SCALES.length - 1];
  if (tightest === widest) return tightest;
  if (tightest === first && widest === last) return 'any scale';
  if (widest === last) return `${tightest} or wider`;
  if (tightest === first) return `${widest} or tighter`;
  return `${tightest} to ${widest}`;
}

/** The label of an item without one: "CU or tighter, single, Anna, 2 shots". */
/**
 * An item's minimum shot length when the plan sets none. A one-second EWS
 * (a camera passing through a framing on a move, a flash between cuts) met
 * a plan's "Master" in review; coverage an editor can cut with runs for
 * seconds. A plan that sets minDurationS (0 included) keeps its own.
 */
export const DEFAULT_MIN_DURATION_S = 2;

export function defaultItemLabel(item: Omit<CoveragePlanItem, 'label' | 'id'>): string {
  const parts = [describeScaleRange(item)];
  if (item.framing) parts.push(item.framing);
  if (item.tag) parts.push(item.tag);
  if (item.count > 1) parts.push(`${item.count} shots`);
  // The default minimum goes without saying; a plan's own (but 0, any length) is part of what it asks for.
  if (item.minDurationS > 0 && item.minDurationS !== DEFAULT_MIN_DURATION_S) parts.push(`at least ${item.minDurationS} s`);
  return parts.join(', ');
}
