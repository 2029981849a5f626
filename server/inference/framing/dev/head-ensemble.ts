/**
 * Dev: several heads averaged (their probabilities, each frame over both
 * views), judged leave-one-set-out as `calibrate` judges one head: does
 * averaging fits of other seeds or other l2s carry over to the set they never
 * saw better than the shipped single fit? Prints the ensemble's exact (within
 * one), mean recall and recall per class, and each member's exact alone;
 * CV=1 adds 5-fold CV within each set (five times the fits).
 *
 *   [MEMBERS=0.5:1,0.5:2,0.5:3] [CV=1] npx tsx server/inference/framing/dev/head-ensemble.ts
 *
 * MEMBERS lists l2:seed pairs.
 */
import { CALIBRATION_TRAIN_OPTIONS, predictSample, rowsOf, scoreSet } from '../../../calibration/multi-set-calibration.js';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { DEFAULT_HEAD_HOLD, holdTest } from '../../../calibration/head-hold.js';
import { trainSetHead } from '../../../calibration/set-label-training.js';
import type { SoftmaxModel } from '../../../calibration/softmax-regression.js';
import type { SetSample } from '../../../calibration/multi-set-calibration.js';
import { MODEL_FEATURE_NAMES } from '../framing-model.js';
import { analysedSets, FIT_READING } from './analysed-sets.js';

const FOLDS = 5;
const hold = holdTest(DEFAULT_HEAD_HOLD, MODEL_FEATURE_NAMES);
const members = (process.env.MEMBERS ?? '0.5:1,0.5:2,0.5:3').split(',').map((m) => {
  const [l2, seed] = m.split(':').map(Number);
  return { l2: l2!, seed: seed ?? 1 };
});
const pct = (x: number): string => (100 * x).toFixed(1);
const averaged = (models: readonly SoftmaxModel[], s: SetSample): number[] => {
  const ps = models.map((m) => predictSample(m, s, hold));
  return ps[0]!.map((_, c) => ps.reduce((a, p) => a + p[c]!, 0) / ps.length);
};
const fitAll = (rows: ReturnType<typeof rowsOf>): SoftmaxModel[] => members.map((m) => trainSetHead(rows, { ...CALIBRATION_TRAIN_OPTIONS, ...m }));

const sets = await analysedSets();
process.stdout.write(`members (l2:seed) ${members.map((m) => `${m.l2}:${m.seed}`).join(' ')}\n`);
for (const s of sets) {
  const others = sets.filter((o) => o !== s).flatMap((o) => rowsOf(o.set, FIT_READING));
  const loso = fitAll(others);
  const l = scoreSet(s.taxonomy, s.set.samples, s.set.samples.map((x) => averaged(loso, x)));
  const alone = loso.map((m) => pct(scoreSet(s.taxonomy, s.set.samples, s.set.samples.map((x) => predictSample(m, x, hold))).exact));
  let cv = '';
  if (process.env.CV) {
    const own = rowsOf(s.set, FIT_READING);
    const fold = stratifiedFolds(s.frames.map((f) => f.label), FOLDS, CALIBRATION_TRAIN_OPTIONS.seed);
    const fits = Array.from({ length: FOLDS }, (_, f) => fitAll([...own.filter((_, i) => fold[i] !== f), ...others]));
    const c = scoreSet(s.taxonomy, s.set.samples, s.set.samples.map((x, i) => averaged(fits[fold[i]!]!, x)));
    cv = `; CV ${pct(c.exact)} (${pct(c.withinOne)})`;
  }
  process.stdout.write(`${s.set.name}: leave-one-set-out ${pct(l.exact)} (${pct(l.withinOne)}) mean recall ${pct(l.meanRecall)} [${l.recall.map((r) => (100 * r).toFixed(0)).join(' ')}]; each alone ${alone.join(' ')}${cv}\n`);
}
