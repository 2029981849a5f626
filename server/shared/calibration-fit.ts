/**
 * When a production's corrections are enough to fit a head: the server
 * refuses a fit below this (live-calibration.ts), and the Calibration view
 * offers none, saying why in the same words (web/src/lib/calibration.ts).
 */
import { findTaxonomy, normaliseLabel } from '../evaluation/taxonomies.js';

export const MIN_FIT_SAMPLES = 6;
/** A fit needs corrections of at least this many classes: one class teaches no line between classes. */
export const MIN_FIT_LABELS = 2;

/**
 * The classes corrections fall in, counted on the canonical scale: CU in the
 * canonical taxonomy and CU in shot-type-classifier's are one class, and
 * labels whose canonical classes overlap (3-class "close" and CU) are one
 * too, since no line runs between them. Counting taxonomy:label pairs let a
 * fit start on corrections that were all CU (in two taxonomies) and teach
 * nothing. Each class: the labels in it, as the operator gave them.
 */
export function fitClasses(perLabel: Record<string, number>): { labels: string[]; count: number }[] {
  const classes: { scales: Set<string>; labels: string[]; count: number }[] = [];
  for (const [key, count] of Object.entries(perLabel)) {
    const at = key.indexOf(':');
    const [taxonomyName, label] = [key.slice(0, at), key.slice(at + 1)];
    const taxonomy = findTaxonomy(taxonomyName);
    const index = taxonomy?.lookup.get(normaliseLabel(label));
    // A label no taxonomy knows is a class of its own (the server refuses such labels when they are given).
    const scales = new Set<string>(taxonomy && index !== undefined ? taxonomy.classes[index]!.canonical : [key]);
    const shown = taxonomyName === 'canonical' ? label : `${label} (${taxonomyName})`;
    const touching = classes.filter((c) => [...scales].some((s) => c.scales.has(s)));
    const merged = { scales, labels: [shown], count };
    for (const c of touching) {
      c.scales.forEach((s) => merged.scales.add(s));
      merged.labels.unshift(...c.labels);
      merged.count += c.count;
      classes.splice(classes.indexOf(c), 1);
    }
    classes.push(merged);
  }
  // In one order whatever order the counts came in: the server's refusal and the page's reason read the same.
  return classes.map(({ labels, count }) => ({ labels: [...labels].sort((a, b) => a.localeCompare(b)), count }));
}

/** Why a fit on `samples` corrections, `perLabel` ("taxonomy:label" -> count), cannot start, or null. */
export function fitBlockedBy(samples: number, perLabel: Record<string, number>): string | null {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (samples < MIN_FIT_SAMPLES) return `a fit needs at least ${MIN_FIT_SAMPLES} corrections of at least ${MIN_FIT_LABELS} classes (there ${samples === 1 ? 'is' : 'are'} ${plural(samples, 'correction')})`;
  const classes = fitClasses(perLabel);
  if (classes.length >= MIN_FIT_LABELS) return null;
  const only = classes[0];
  if (!only) return `a fit needs corrections of at least ${MIN_FIT_LABELS} classes (there are none)`;
  return `all ${samples} corrections are ${only.labels.join(' or ')}: a head needs corrections of at least ${MIN_FIT_LABELS} classes to learn a line between them`;
}

/** Whether a fit may start on `samples` corrections, `perLabel` ("taxonomy:label" -> count). */
export function fitCanStart(samples: number, perLabel: Record<string, number>): boolean {
  return fitBlockedBy(samples, perLabel) === null;
}
