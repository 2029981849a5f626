/**
 * Shot scales as the wall shows them: in the taxonomy the user picked
 * (canonical 8, shot-type-classifier 6, MovieShots 5, or close / medium /
 * long), with a name, a long name, a colour and the summed probabilities.
 * Pure (no DOM, no Svelte): unit-tested under node.
 *
 * The label shown is the class that contains the server's hysteresis-stable
 * canonical label, not the argmax of the summed probabilities: that keeps the
 * wall as steady as the server made it (no flicker between two classes), and
 * in the canonical taxonomy it is exactly the server's label.
 */
import { TAXONOMIES, type Taxonomy } from '../../../server/evaluation/taxonomies.js';
import { CANONICAL_SCALES, SCALE_NAMES, type CanonicalScale } from '../../../server/shared/scale.js';
import { colourOfMembers, textOn } from './palette.js';

/** The taxonomies the dashboard offers, in the order `t` cycles through them. */
export const DISPLAY_TAXONOMIES = ['canonical', 'six', 'movieshots', 'three'] as const;
export type DisplayTaxonomyName = (typeof DISPLAY_TAXONOMIES)[number];

/** Titles for the selector. */
export const TAXONOMY_TITLES: Readonly<Record<DisplayTaxonomyName, string>> = {
  canonical: 'Canonical · 8',
  six: 'Shot-type · 6',
  movieshots: 'MovieShots · 5',
  three: 'Close / medium / long · 3',
};

export interface DisplayClass {
  /** Index within the taxonomy, tight to wide. */
  index: number;
  /** Short name, as shown large: "MCU", "LS", "close". */
  name: string;
  /** Words: "medium close-up", "long shot". */
  longName: string;
  /** The canonical range it covers when more than one: "FS–WS"; else null. */
  span: string | null;
  /** Its canonical classes. */
  members: readonly CanonicalScale[];
  colour: string;
  /** Text colour on `colour` (contrast >= 4.5:1). */
  text: string;
}

export interface DisplayScale {
  taxonomy: DisplayTaxonomyName;
  classes: readonly DisplayClass[];
  /** Class index per canonical class, canonical order. */
  classOfCanonical: readonly number[];
}

export function isDisplayTaxonomy(name: string): name is DisplayTaxonomyName {
  return (DISPLAY_TAXONOMIES as readonly string[]).includes(name);
}

/** The taxonomy after this one (wrapping); an unknown name gives the first. */
export function nextTaxonomy(name: string): DisplayTaxonomyName {
  const at = DISPLAY_TAXONOMIES.indexOf(name as DisplayTaxonomyName);
  return DISPLAY_TAXONOMIES[(at + 1) % DISPLAY_TAXONOMIES.length]!;
}

function longNameOf(members: readonly CanonicalScale[], name: string, aliases: readonly string[]): string {
  if (members.length === 1) return SCALE_NAMES[members[0]!];
  // The longest spelling is the one in words ("long shot", not "long").
  return aliases.reduce((best, a) => (a.length > best.length ? a : best), '') || name;
}

function build(taxonomy: Taxonomy, name: DisplayTaxonomyName): DisplayScale {
  const classes = taxonomy.classes.map((c, index): DisplayClass => {
    const members = CANONICAL_SCALES.filter((s) => c.canonical.includes(s));
    const colour = colourOfMembers(members.map((m) => CANONICAL_SCALES.indexOf(m)));
    return {
      index,
      name: c.name,
      longName: longNameOf(members, c.name, c.aliases),
      span: members.length > 1 ? `${members[0]}–${members.at(-1)}` : null,
      members,
      colour,
      text: textOn(colour),
    };
  });
  return { taxonomy: name, classes, classOfCanonical: taxonomy.classOfCanonical };
}

const cache = new Map<DisplayTaxonomyName, DisplayScale>();

/** The display scale of a taxonomy (built once); an unknown name gives the canonical one. */
export function displayScale(name: string): DisplayScale {
  const key: DisplayTaxonomyName = isDisplayTaxonomy(name) ? name : 'canonical';
  let scale = cache.get(key);
  if (!scale) {
    const taxonomy = TAXONOMIES.find((t) => t.name === key);
    if (!taxonomy) throw new Error(`taxonomy ${key} is missing from TAXONOMIES`);
    scale = build(taxonomy, key);
    cache.set(key, scale);
  }
  return scale;
}

/** The class a canonical label falls in, or null for an unknown label. */
export function displayClassOf(scale: DisplayScale, canonical: string): DisplayClass | null {
  const i = CANONICAL_SCALES.indexOf(canonical as CanonicalScale);
  return i < 0 ? null : scale.classes[scale.classOfCanonical[i]!]!;
}

/**
 * Canonical probabilities summed per class (missing or non-finite ones count
 * as 0; each sum clamped to [0, 1]); null in, null out.
 */
export function displayProbabilities(scale: DisplayScale, canonical: readonly number[] | null | undefined): number[] | null {
  if (!canonical) return null;
  const out = new Array<number>(scale.classes.length).fill(0);
  for (let i = 0; i < CANONICAL_SCALES.length; i++) {
    const p = canonical[i];
    if (typeof p === 'number' && Number.isFinite(p) && p > 0) out[scale.classOfCanonical[i]!]! += p;
  }
  return out.map((p) => Math.min(1, p));
}

export interface DisplayReadout {
  cls: DisplayClass;
  /** Summed probability of the class (the server's confidence in the canonical taxonomy). */
  confidence: number;
  /** Per class, summed; null when the readout carried none. */
  probabilities: number[] | null;
}

/** A label and its smoothed probabilities, in the display taxonomy; null for an unknown label. */
export function displayReadout(scale: DisplayScale, label: string, smoothed: readonly number[] | null | undefined, fallbackConfidence = 0): DisplayReadout | null {
  const cls = displayClassOf(scale, label);
  if (!cls) return null;
  const probabilities = displayProbabilities(scale, smoothed);
  return { cls, confidence: probabilities ? probabilities[cls.index]! : fallbackConfidence, probabilities };
}

/**
 * Rough width of a class name in the wall's bold sans-serif, in em: M and W
 * are wide, i, l, t, f, r narrow. The tile sizes its label by this rather
 * than by the count of letters, so "MWS" and its confidence fit the tile as
 * "ECU" does. Unknown or empty: 1 em.
 */
export function nameWidthEm(name: string): number {
  let em = 0;
  for (const ch of name) {
    if (/[MWmw]/.test(ch)) em += 0.95;
    else if (/[IJfijlrt]/.test(ch)) em += 0.42;
    else if (/[A-Z]/.test(ch)) em += 0.76;
    else em += 0.66;
  }
  return em || 1;
}
