/**
 * Published shot-scale taxonomies as mappings of the 8 canonical classes
 * (DESIGN.md, "Shot-scale taxonomy"). Every model reports canonical
 * probabilities; to score it against labels in another taxonomy, the
 * probabilities are summed per taxonomy class and the argmax taken.
 *
 * Each taxonomy is ordered tightest to widest, so "within one" means
 * neighbours in that order. Class names and aliases are matched after
 * normaliseLabel (case, spaces, hyphens, underscores ignored), and must not
 * collide inside one taxonomy; they may, and do, collide across taxonomies
 * ("LS" is WS+EWS in MovieShots but FS+WS in CineScale).
 */
import { CANONICAL_SCALES, argmax, type CanonicalScale } from '../shared/scale.js';

export interface TaxonomyClass {
  /** The name used in reports, matrices and CSV output. */
  name: string;
  /** Other spellings accepted in a labels file. */
  aliases: readonly string[];
  /** The canonical classes that count as this class. */
  canonical: readonly CanonicalScale[];
}

export interface Taxonomy {
  name: string;
  description: string;
  classes: readonly TaxonomyClass[];
  /** Class index for each canonical class, in CANONICAL_SCALES order. */
  classOfCanonical: readonly number[];
  /** Normalised name or alias -> class index. */
  lookup: ReadonlyMap<string, number>;
}

/** "Close-Up", "close up" and "CLOSE_UP" are one label. */
export function normaliseLabel(label: string): string {
  return label.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * Builds a taxonomy and checks what the rest of the evaluation relies on:
 * every canonical class maps to exactly one class, every class gets at least
 * one, classes stay in canonical order (so within-one is meaningful), and no
 * two classes share a name or alias.
 */
export function defineTaxonomy(name: string, description: string, classes: readonly TaxonomyClass[]): Taxonomy {
  const classOfCanonical = CANONICAL_SCALES.map((scale) => {
    const owners = classes.flatMap((c, i) => (c.canonical.includes(scale) ? [i] : []));
    if (owners.length !== 1) throw new Error(`taxonomy ${name}: canonical ${scale} maps to ${owners.length} classes, expected 1`);
    return owners[0]!;
  });
  classes.forEach((c, i) => {
    if (!classOfCanonical.includes(i)) throw new Error(`taxonomy ${name}: class ${c.name} has no canonical class`);
  });
  if (classOfCanonical.some((c, i) => i > 0 && c < classOfCanonical[i - 1]!)) {
    throw new Error(`taxonomy ${name}: classes are not in tight-to-wide canonical order`);
  }
  const lookup = new Map<string, number>();
  classes.forEach((c, i) => {
    for (const spelling of [c.name, ...c.aliases]) {
      const key = normaliseLabel(spelling);
      const prev = lookup.get(key);
      if (prev !== undefined && prev !== i) {
        throw new Error(`taxonomy ${name}: "${spelling}" is ambiguous (${classes[prev]!.name} and ${c.name})`);
      }
      lookup.set(key, i);
    }
  });
  return { name, description, classes, classOfCanonical, lookup };
}

const cls = (name: string, canonical: CanonicalScale[], aliases: string[] = []): TaxonomyClass => ({ name, canonical, aliases });

/**
 * The built-in taxonomies, in the order inference prefers them on a tie.
 * Mapping choices where the sources leave room:
 * - six (shot-type-classifier): its LS is "full shot with leeway", i.e. the
 *   whole body in frame, so FS and WS are LS; MWS (knees up) still crops the
 *   body and goes to MS, as in the 3-class taxonomy.
 * - movieshots: as the MovieShots manifests in models/ map it back (CS spans
 *   CU and MCU, MS spans MS and MWS, LS spans WS and EWS).
 * - cinescale: MLS is the medium long ("cowboy") shot, our MWS; its
 *   foreground / insert classes carry no scale and are not scored.
 * - cinemanet: per shared/evalset/README.md, MCU and MS are Medium; MWS, FS
 *   and WS are Long Shot; EWS is Extreme Long Shot. Class names follow the
 *   evalset's labels.csv (ECU, CU, MS, LS, ELS); the source's folder names
 *   are aliases.
 */
export const TAXONOMIES: readonly Taxonomy[] = [
  defineTaxonomy('canonical', 'the 8 canonical classes', [
    cls('ECU', ['ECU'], ['extreme close-up', 'extreme close up shot']),
    cls('CU', ['CU'], ['close-up', 'close up shot']),
    cls('MCU', ['MCU'], ['medium close-up', 'medium close up shot']),
    cls('MS', ['MS'], ['medium shot']),
    cls('MWS', ['MWS'], ['medium wide shot', 'medium wide', 'cowboy shot']),
    cls('FS', ['FS'], ['full shot']),
    cls('WS', ['WS'], ['wide shot']),
    cls('EWS', ['EWS'], ['extreme wide shot', 'extreme wide']),
  ]),
  defineTaxonomy('six', 'shot-type-classifier (6 classes)', [
    cls('ECU', ['ECU'], ['extreme close-up', 'extreme close up shot']),
    cls('CU', ['CU'], ['close-up', 'close up shot']),
    cls('MCU', ['MCU'], ['medium close-up', 'medium close up shot']),
    cls('MS', ['MS', 'MWS'], ['medium', 'medium shot']),
    cls('LS', ['FS', 'WS'], ['long', 'long shot']),
    cls('EWS', ['EWS'], ['extreme wide', 'extreme wide shot', 'ELS', 'extreme long shot']),
  ]),
  defineTaxonomy('movieshots', 'MovieShots (5 classes)', [
    cls('ECS', ['ECU'], ['extreme close-up shot', 'extreme close shot']),
    cls('CS', ['CU', 'MCU'], ['close-up shot', 'close shot']),
    cls('MS', ['MS', 'MWS'], ['medium shot']),
    cls('FS', ['FS'], ['full shot']),
    cls('LS', ['WS', 'EWS'], ['long shot']),
  ]),
  defineTaxonomy('three', '3 classes: close (ECU-MCU), medium (MS-MWS), long (FS-EWS)', [
    cls('close', ['ECU', 'CU', 'MCU']),
    cls('medium', ['MS', 'MWS']),
    cls('long', ['FS', 'WS', 'EWS']),
  ]),
  defineTaxonomy('cinescale', 'CineScale (7 scale classes)', [
    cls('ECU', ['ECU'], ['extreme close-up', 'extreme close up shot']),
    cls('CU', ['CU'], ['close-up', 'close up shot']),
    cls('MCU', ['MCU'], ['medium close-up', 'medium close up shot']),
    cls('MS', ['MS'], ['medium shot']),
    cls('MLS', ['MWS'], ['medium long shot', 'medium long']),
    cls('LS', ['FS', 'WS'], ['long shot']),
    cls('ELS', ['EWS'], ['extreme long shot', 'extreme long']),
  ]),
  defineTaxonomy('cinemanet', 'CinemaNet framing (5 classes)', [
    cls('ECU', ['ECU'], ['extreme close-up', 'extreme close up shot']),
    cls('CU', ['CU'], ['close-up', 'close up shot']),
    cls('MS', ['MCU', 'MS'], ['medium', 'medium shot']),
    cls('LS', ['MWS', 'FS', 'WS'], ['long', 'long shot']),
    cls('ELS', ['EWS'], ['extreme long', 'extreme long shot', 'EWS', 'extreme wide shot']),
  ]),
];

export function findTaxonomy(name: string): Taxonomy | undefined {
  return TAXONOMIES.find((t) => t.name === name.trim().toLowerCase());
}

/** The class index a label names in this taxonomy, or undefined. */
export function classIndexOf(taxonomy: Taxonomy, label: string): number | undefined {
  return taxonomy.lookup.get(normaliseLabel(label));
}

/** Canonical probabilities summed per taxonomy class. */
export function taxonomyProbabilities(taxonomy: Taxonomy, canonical: readonly number[]): number[] {
  const out = new Array<number>(taxonomy.classes.length).fill(0);
  canonical.forEach((p, i) => {
    out[taxonomy.classOfCanonical[i]!]! += p;
  });
  return out;
}

/** The predicted class (ties to the tighter class) and its summed probability. */
export function predictClass(taxonomy: Taxonomy, canonical: readonly number[]): { index: number; confidence: number } {
  const probabilities = taxonomyProbabilities(taxonomy, canonical);
  const index = argmax(probabilities);
  return { index, confidence: probabilities[index]! };
}
