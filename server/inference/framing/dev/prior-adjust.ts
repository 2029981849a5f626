/**
 * Dev: leave-one-set-out with the head's answer divided by its class prior
 * (logit adjustment, for a set with as many frames of each class): the prior
 * is the mean probability the head gives each class on the sets it was
 * fitted on, taken to the power tau. Prints exact, within one and the mean
 * recall over classes per tau.
 *
 *   npx tsx server/inference/framing/dev/prior-adjust.ts
 */
import { CALIBRATION_TRAIN_OPTIONS, predictSample, rowsOf, scoreSet } from '../../../calibration/multi-set-calibration.js';
import { trainSetHead } from '../../../calibration/set-label-training.js';
import { analysedSets, FIT_READING } from './analysed-sets.js';

const TAUS = [0, 0.25, 0.5, 0.75, 1];
const pct = (x: number): string => (100 * x).toFixed(1);

const sets = await analysedSets();
for (const target of sets) {
  const others = sets.filter((s) => s !== target);
  const head = trainSetHead(others.flatMap((s) => rowsOf(s.set, FIT_READING)), CALIBRATION_TRAIN_OPTIONS);
  const fitted = others.flatMap((s) => s.set.samples.map((x) => predictSample(head, x)));
  const prior = fitted[0]!.map((_, c) => fitted.reduce((a, p) => a + p[c]!, 0) / fitted.length);
  process.stdout.write(`${target.set.name}: prior ${prior.map((p) => p.toFixed(3)).join(' ')}\n`);
  const predicted = target.set.samples.map((x) => predictSample(head, x));
  for (const tau of TAUS) {
    const adjusted = predicted.map((p) => p.map((v, c) => v / (prior[c]! + 1e-9) ** tau));
    const s = scoreSet(target.taxonomy, target.set.samples, adjusted);
    process.stdout.write(`  tau ${tau}: exact ${pct(s.exact)}%, within one ${pct(s.withinOne)}%, mean recall ${pct(s.meanRecall)}%; recall ${s.recall.map((r) => pct(r)).join(' ')}\n`);
  }
}
