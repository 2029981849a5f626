/**
 * Dev: does a mirrored copy of each labelled frame help the head? The shot
 * scale of a frame does not change when it is mirrored; its detections and
 * backbone features do. Per set, leave-one-set-out and CV within the set:
 * trained on the originals, on originals + mirrored copies, and scored on
 * the originals or on the mean of a frame and its mirror.
 *
 *   VIEW=mirrored npx tsx server/inference/framing/dev/set-cache.ts <labels.csv>...   (once; else the first run makes it)
 *   npx tsx server/inference/framing/dev/mirror-augment.ts [--l2 0.5]
 */
import { parseArgs } from 'node:util';
import { CALIBRATION_TRAIN_OPTIONS, rowsOf, scoreSet, type LabelledSet, type SetSample } from '../../../calibration/multi-set-calibration.js';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { predictWithOffset, rulesOffset, trainSetHead, type SetLabelledRow } from '../../../calibration/set-label-training.js';
import type { SoftmaxModel } from '../../../calibration/softmax-regression.js';
import { analysedSets, FIT_READING } from './analysed-sets.js';

const { values } = parseArgs({ options: { l2: { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.l2) }, folds: { type: 'string', default: '5' } } });
const options = { ...CALIBRATION_TRAIN_OPTIONS, l2: Number(values.l2) };

const analysed = await analysedSets('both');
const originals: LabelledSet[] = analysed.map(({ set }) => ({ ...set, samples: set.samples.map(({ features, rules, label }) => ({ features, rules, label })) }));
const mirrors: LabelledSet[] = analysed.map(({ set, frames }) => ({ ...set, samples: frames.map((f) => ({ features: f.mirror!.features, rules: f.mirror!.rules.probabilities, label: f.label })) }));

const predict = (model: SoftmaxModel, s: SetSample): number[] => predictWithOffset(model, s.features, rulesOffset(s.rules));
const mean = (a: number[], b: number[]): number[] => a.map((v, i) => (v + b[i]!) / 2);
const pct = (v: number): string => (100 * v).toFixed(1);

for (let si = 0; si < originals.length; si++) {
  const set = originals[si]!, mirror = mirrors[si]!;
  const agree = set.samples.filter((s, i) => {
    const a = s.rules, b = mirror.samples[i]!.rules;
    return a.indexOf(Math.max(...a)) === b.indexOf(Math.max(...b));
  }).length;
  process.stdout.write(`${set.name}: the rules agree on a frame and its mirror on ${agree} of ${set.samples.length}\n`);
  const otherRows = originals.filter((_, j) => j !== si).flatMap((set) => rowsOf(set, FIT_READING));
  const otherMirrorRows = mirrors.filter((_, j) => j !== si).flatMap((set) => rowsOf(set, FIT_READING));
  const ownRows = rowsOf(set, FIT_READING), ownMirrorRows = rowsOf(mirror, FIT_READING);
  const k = Number(values.folds);
  const fold = stratifiedFolds(set.samples.map((s) => s.label), k, options.seed);
  for (const augment of [false, true]) {
    const train = (rows: SetLabelledRow[], mirrorRows: SetLabelledRow[]): SoftmaxModel => trainSetHead(augment ? [...rows, ...mirrorRows] : rows, options);
    const loso = train(otherRows, otherMirrorRows);
    const plain = set.samples.map((s) => predict(loso, s));
    const both = set.samples.map((s, i) => mean(predict(loso, s), predict(loso, mirror.samples[i]!)));
    const cvPlain: number[][] = new Array(set.samples.length), cvBoth: number[][] = new Array(set.samples.length);
    for (let f = 0; f < k; f++) {
      const model = train([...ownRows.filter((_, i) => fold[i] !== f), ...otherRows], [...ownMirrorRows.filter((_, i) => fold[i] !== f), ...otherMirrorRows]);
      set.samples.forEach((s, i) => {
        if (fold[i] !== f) return;
        cvPlain[i] = predict(model, s);
        cvBoth[i] = mean(cvPlain[i]!, predict(model, mirror.samples[i]!));
      });
    }
    const line = (what: string, p: number[][]): string => {
      const sc = scoreSet(set.taxonomy, set.samples, p);
      return `${what} ${pct(sc.exact)} (${pct(sc.withinOne)}, mean recall ${pct(sc.meanRecall)})`;
    };
    process.stdout.write(`${set.name} trained on ${augment ? 'originals + mirrors' : 'originals'}: LOSO ${line('', plain)}; with the mirror ${line('', both)}; CV ${line('', cvPlain)}; with the mirror ${line('', cvBoth)}\n`);
  }
}
