/**
 * Frames given to `shotscale calibrate` that the base knowledge holds too:
 * a production that labels frames of a shared set again (40 HOHA frames in a
 * folder of its own) would otherwise have each of them twice in the fit, and
 * every fold of its cross-validation would have seen the frames it scores
 * (87.5% "cross-validated" where the honest figure was lower).
 *
 * The base knowledge keeps, per frame, its label, features and the rules'
 * probabilities, not its file; a base set's labels file lists its frames in
 * the order of its rows. So a base row is one of the given frames when:
 *   1. `frames`: the base set's labels file, found from here, lists as many
 *      frames as the set holds, and the row's image has the given frame's
 *      file name and size (as eval's in-sample check: evaluation/in-sample.ts);
 *   2. `features`: otherwise (the labels file not found, or some of its
 *      images were not analysed), its features are the given frame's, to the
 *      five significant digits the base knowledge keeps, and no other row of
 *      the set has them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRecordedLabels, frameKey } from '../evaluation/in-sample.js';
import { parseLabels } from '../evaluation/labels-file.js';
import type { LabelledSet } from './multi-set-calibration.js';
import type { BaseCopies } from './production-fit.js';

/** Each row's frame key, from the set's labels file, or null where its rows cannot be told apart that way. */
function rowKeys(set: LabelledSet, baseFile: string): (string | null)[] | null {
  const file = findRecordedLabels(set.labels, baseFile);
  if (!file) return null;
  try {
    const rows = parseLabels(readFileSync(file, 'utf8'), file);
    // Some of its images not analysed (or a --limit): which row is which is lost.
    if (rows.length !== set.samples.length) return null;
    return rows.map((r) => frameKey(path.resolve(path.dirname(file), r.file)));
  } catch {
    return null;
  }
}

// As base-knowledge.ts stores a feature.
const compact = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(5)) : 0);
const featureKey = (features: ArrayLike<number>): string => Array.from(features, compact).join(',');

/** Key -> row, null where two rows share the key (it tells neither apart). */
function uniqueIndex(keys: readonly (string | null)[]): Map<string, number | null> {
  const index = new Map<string, number | null>();
  keys.forEach((key, row) => {
    if (key !== null) index.set(key, index.has(key) ? null : row);
  });
  return index;
}

/** A frame given to calibrate: its file key (null where not known) and its analysed features. */
export interface GivenFrame {
  key: string | null;
  features: ArrayLike<number>;
}

/** Per given set: the rows of each base set that are its frames again (only base sets that hold some). */
export function findBaseCopies(base: readonly LabelledSet[], baseFile: string, given: readonly (readonly GivenFrame[])[]): BaseCopies[][] {
  const found: BaseCopies[][] = given.map(() => []);
  for (const set of base) {
    const keys = rowKeys(set, baseFile);
    const byKey = keys ? uniqueIndex(keys) : null;
    const byFeatures = uniqueIndex(set.samples.map((s) => featureKey(s.features)));
    given.forEach((frames, k) => {
      const rows = new Set<number>();
      let onFeatures = false;
      for (const frame of frames) {
        // Its file where both are known; else (an image not found from here) its features.
        const row = byKey && frame.key !== null ? byKey.get(frame.key) : byFeatures.get(featureKey(frame.features));
        if (row === undefined || row === null) continue;
        rows.add(row);
        onFeatures ||= !(byKey && frame.key !== null);
      }
      if (rows.size) found[k]!.push({ set: set.name, rows: [...rows].sort((a, b) => a - b), by: onFeatures ? 'features' : 'frames' });
    });
  }
  return found;
}
