/**
 * Dev: the rules alone on every shared set, in seconds (no head is fitted):
 * exact, within one, per-class recall and the confusion matrix, so that a
 * change to the features or rules can be looked at before the slower
 * leave-one-set-out check of multi-set-fit.ts.
 *
 *   npx tsx server/inference/framing/dev/rules-alone.ts
 */
import { predictClass } from '../../../evaluation/taxonomies.js';
import { analysedSets } from './analysed-sets.js';

for (const { set, taxonomy, frames } of await analysedSets()) {
  const k = taxonomy.classes.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const frame of frames) matrix[frame.label]![predictClass(taxonomy, frame.rules.probabilities).index]! += 1;
  const n = frames.length;
  const exact = matrix.reduce((s, row, i) => s + row[i]!, 0);
  const near = matrix.reduce((s, row, i) => s + row.reduce((a, v, j) => a + (Math.abs(i - j) <= 1 ? v : 0), 0), 0);
  const recall = taxonomy.classes.map((c, i) => `${c.name} ${((100 * matrix[i]![i]!) / Math.max(1, matrix[i]!.reduce((a, v) => a + v, 0))).toFixed(1)}`).join(' ');
  process.stdout.write(`${set.name}: exact ${((100 * exact) / n).toFixed(1)}%, within one ${((100 * near) / n).toFixed(1)}%; recall ${recall}\n  ${JSON.stringify(matrix)}\n`);
}
