/**
 * Dev: how the classifier does on each failure family, per labelled set, from
 * the caches of set-cache.ts: large faces (ECU), seated people, people seen
 * from behind (shoulders, no face), small full-length figures, very wide
 * pictures, frames with nobody found. Membership is what the detectors saw,
 * so the figures say how the classifier does when it sees that family.
 * Three figures each: the rules alone, the shipped head (in-sample: it was
 * fitted on these sets) and a head fitted on the other set only
 * (leave-one-set-out, the honest one). Each frame is read as `shotscale
 * eval` reads it: the mean of the picture and its mirror (--views as-is: the
 * picture alone).
 *
 *   npx tsx server/inference/framing/dev/failure-families.ts [--l2 0.5] [--views both|as-is]   (--l2: the leave-one-set-out heads'; default the shipped fit's)
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { applyHead, loadHead } from '../../../calibration/framing-head.js';
import { holdTest } from '../../../calibration/head-hold.js';
import { CALIBRATION_TRAIN_OPTIONS, predictSample, rowsOf } from '../../../calibration/multi-set-calibration.js';
import { trainSetHead } from '../../../calibration/set-label-training.js';
import { predictClass } from '../../../evaluation/taxonomies.js';
import { FAILURE_FAMILIES } from '../../../evaluation/failure-families.js';
import { MODEL_FEATURE_NAMES } from '../framing-model.js';
import { meanOfTwo } from '../../mirror-view.js';
import { analysedSets, FIT_READING } from './analysed-sets.js';

const { values } = parseArgs({ options: { l2: { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.l2) }, views: { type: 'string', default: 'both' } } });
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const head = loadHead(path.join(ROOT, 'models', 'framing-default.head.json'), MODEL_FEATURE_NAMES);
const sets = await analysedSets(values.views === 'as-is' ? 'as-is' : 'both');
const mean = (a: readonly number[], b: readonly number[] | undefined): number[] => (b ? meanOfTwo(a, b) : [...a]);

for (const { set, frames } of sets) {
  const others = sets.filter((o) => o.set !== set).flatMap((o) => rowsOf(o.set, FIT_READING));
  const loso = trainSetHead(others, { ...CALIBRATION_TRAIN_OPTIONS, l2: Number(values.l2) });
  const tally = new Map<string, { n: number; exact: number[]; near: number[] }>();
  frames.forEach((frame, i) => {
    const m = frame.mirror;
    const predictions = [
      mean(frame.rules.probabilities, m?.rules.probabilities),
      mean(applyHead(head, frame.features, frame.rules.probabilities), m && applyHead(head, m.features, m.rules.probabilities)),
      predictSample(loso, set.samples[i]!, holdTest(head.hold, MODEL_FEATURE_NAMES)),
    ];
    for (const [family, member] of Object.entries(FAILURE_FAMILIES)) {
      if (!member(frame.f)) continue;
      const t = tally.get(family) ?? { n: 0, exact: [0, 0, 0], near: [0, 0, 0] };
      t.n += 1;
      predictions.forEach((p, k) => {
        const predicted = predictClass(set.taxonomy, p).index;
        if (predicted === frame.label) t.exact[k]! += 1;
        if (Math.abs(predicted - frame.label) <= 1) t.near[k]! += 1;
      });
      tally.set(family, t);
    }
  });
  process.stdout.write(`${set.name}: exact / within one for rules alone | shipped head (in-sample) | leave-one-set-out\n`);
  const pc = (v: number, n: number): string => `${((v / n) * 100).toFixed(0)}%`;
  for (const [family, t] of tally) {
    const cols = [0, 1, 2].map((k) => `${pc(t.exact[k]!, t.n).padStart(4)} / ${pc(t.near[k]!, t.n).padStart(4)}`).join(' | ');
    process.stdout.write(`  ${family.padEnd(18)} ${String(t.n).padStart(4)} frames: ${cols}\n`);
  }
}
