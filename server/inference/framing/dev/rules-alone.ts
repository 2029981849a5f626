/**
 * Dev: the rules alone on every shared set, in seconds (no head is fitted):
 * exact, within one, per-class recall and the confusion matrix, so that a
 * change to the features or rules can be looked at before the slower
 * leave-one-set-out check of multi-set-fit.ts.
 *
 *   npx tsx server/inference/framing/dev/rules-alone.ts
 */
import { scoreSet } from '../../../calibration/multi-set-calibration.js';
import { scoresLine } from '../../../cli/calibrate-command.js';
import { analysedSets } from './analysed-sets.js';

for (const { set, taxonomy } of await analysedSets()) {
  const scores = scoreSet(taxonomy, set.samples, set.samples.map((s) => s.rules));
  process.stdout.write(`${set.name}: ${scoresLine(taxonomy, scores)}\n  ${JSON.stringify(scores.matrix)}\n`);
}
