/**
 * Dev: ways of applying the shipped head's fit at prediction time, judged as
 * `calibrate` judges a fit (leave-one-set-out and 5-fold CV within each set,
 * both views): the head as fitted; its move from the rules' reading capped
 * at k classes (on every frame, only where a body was found, or only where
 * nobody was); and its correction shrunk towards the rules (weights and bias
 * times a factor, the rules alone at 0). Prints exact (within one), the
 * mean recall over classes and each class's recall.
 *
 *   [ONLY='nobody found'] npx tsx server/inference/framing/dev/head-variants.ts
 */
import { CALIBRATION_TRAIN_OPTIONS, rowsOf, scoreSet, type SetScores } from '../../../calibration/multi-set-calibration.js';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { predictWithOffset, rulesOffset, trainSetHead } from '../../../calibration/set-label-training.js';
import type { SoftmaxModel } from '../../../calibration/softmax-regression.js';
import { meanOfTwo } from '../../mirror-view.js';
import { analysedSets, FIT_READING, type AnalysedFrame, type AnalysedSet } from './analysed-sets.js';

interface Variant {
  name: string;
  /** Classes the head may move the rules' reading (none: unlimited). */
  cap?: number;
  /** Which frames the cap applies to. */
  capOn?: (frame: AnalysedFrame) => boolean;
  /** Factor on the head's weights and bias. */
  shrink?: number;
  /** Which frames the shrink applies to (none: every frame). */
  shrinkOn?: (frame: AnalysedFrame) => boolean;
  /** Share of the head's CU probability moved to ECU (a face too tall for a CU). */
  cuToEcu?: (frame: AnalysedFrame) => number;
}
const ramp = (x: number, lo: number, hi: number): number => Math.min(1, Math.max(0, (x - lo) / (hi - lo)));

const FOLDS = 5;
const bodyFound = (frame: AnalysedFrame): boolean => !frame.rules.reason.startsWith('no person');
const VARIANTS: Variant[] = [
  { name: 'as fitted' },
  { name: 'move capped at 1 class', cap: 1 },
  { name: 'move capped at 2 classes', cap: 2 },
  { name: 'move capped at 1 class, body found', cap: 1, capOn: bodyFound },
  { name: 'move capped at 1 class, nobody found', cap: 1, capOn: (f) => !bodyFound(f) },
  { name: 'move capped at 2 classes, nobody found', cap: 2, capOn: (f) => !bodyFound(f) },
  { name: 'correction x 0.75', shrink: 0.75 },
  { name: 'correction x 0.5', shrink: 0.5 },
  { name: 'rules alone where nobody found', shrink: 0, shrinkOn: (f) => !bodyFound(f) },
  { name: 'correction x 0.5 where nobody found', shrink: 0.5, shrinkOn: (f) => !bodyFound(f) },
  { name: 'rules kept where they read ECU', cap: 0, capOn: (f) => rulesRead(f) === 0 },
  { name: 'rules kept where they read ECU with a face found', cap: 0, capOn: (f) => rulesRead(f) === 0 && f.f.face_present > 0 },
  ...[0, 0.05, 0.1, 0.2, 0.3].map((o) => ({ name: `rules kept where they read ECU, the face over the frame by ${o}`, cap: 0, capOn: (f: AnalysedFrame) => rulesRead(f) === 0 && f.f.face_overflow > o })),
  ...([[0.95, 1.05], [0.9, 1.1], [1.0, 1.2], [0.95, 1.25], [0.999, 1.001]] as const).map(([lo, hi]) => ({ name: `CU moved to ECU as the face grows from ${lo} to ${hi}`, cuToEcu: (f: AnalysedFrame) => (f.f.face_present > 0 ? ramp(f.f.face_height, lo, hi) : 0) })),
  ...[0.8, 0.9, 1.0, 1.1].map((h) => ({ name: `rules kept where they read ECU, the face ${h} high`, cap: 0, capOn: (f: AnalysedFrame) => rulesRead(f) === 0 && f.f.face_height >= h })),
];

const argmax = (p: readonly number[]): number => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);
const rulesRead = (frame: AnalysedFrame): number => argmax(frame.rules.probabilities);

/** The head's probabilities with no mass further than `k` classes from the rules' reading. */
function capped(head: readonly number[], rules: readonly number[], k: number): number[] {
  const r = argmax(rules);
  const kept = head.map((v, i) => (Math.abs(i - r) <= k ? v : 0));
  const total = kept.reduce((a, b) => a + b, 0);
  return total > 0 ? kept.map((v) => v / total) : [...head];
}

function shrunk(model: SoftmaxModel, factor: number): SoftmaxModel {
  const layer = model.layers[0]!;
  return { ...model, layers: [{ weights: layer.weights.map((row) => row.map((w) => w * factor)), bias: layer.bias.map((b) => b * factor) }] };
}

function predict(model: SoftmaxModel, frame: AnalysedFrame, v: Variant): number[] {
  const head = v.shrink === undefined ? model : shrunk(model, v.shrink);
  const view = (a: AnalysedFrame): number[] => {
    const p = predictWithOffset((v.shrinkOn ?? (() => true))(a) ? head : model, a.features, rulesOffset(a.rules.probabilities));
    const q = v.cap !== undefined && (v.capOn ?? (() => true))(a) ? capped(p, a.rules.probabilities, v.cap) : p;
    if (!v.cuToEcu) return q;
    const moved = v.cuToEcu(a) * q[1]!;
    return q.map((x, c) => (c === 0 ? x + moved : c === 1 ? x - moved : x));
  };
  return frame.mirror ? meanOfTwo(view(frame), view(frame.mirror)) : view(frame);
}

const pct = (x: number): string => (100 * x).toFixed(1);
const scores = (s: SetScores): string =>
  `${pct(s.exact)} (${pct(s.withinOne)}) mean recall ${pct(s.meanRecall)} [${s.recall.map((r) => (100 * r).toFixed(0)).join(' ')}]`;

const sets = await analysedSets();
// HELD=h leaves out of the fit the frames the rules read as ECU with a face h or more of the picture high (the head is not applied there).
const held = process.env.HELD === undefined ? Infinity : Number(process.env.HELD);
const trainedRows = (s: AnalysedSet) => rowsOf(s.set, FIT_READING).map((row, i) => (rulesRead(s.frames[i]!) === 0 && s.frames[i]!.f.face_height >= held ? null : row));
const rowsOfOthers = (s: AnalysedSet) => sets.filter((o) => o !== s).flatMap((o) => trainedRows(o).filter((r) => r !== null));
const fitted = sets.map((s) => {
  const own = trainedRows(s);
  const fold = stratifiedFolds(s.frames.map((f) => f.label), FOLDS, CALIBRATION_TRAIN_OPTIONS.seed);
  const folds = Array.from({ length: FOLDS }, (_, f) => trainSetHead([...own.filter((r, i) => r !== null && fold[i] !== f).map((r) => r!), ...rowsOfOthers(s)], CALIBRATION_TRAIN_OPTIONS));
  return { s, fold, folds, loso: trainSetHead(rowsOfOthers(s), CALIBRATION_TRAIN_OPTIONS) };
});
// ONLY=text runs the variants whose name holds it (the fits take most of the minute; each variant is quick, but the output is long).
const only = process.env.ONLY;
for (const v of VARIANTS.filter((x) => !only || x.name.includes(only))) {
  process.stdout.write(`${v.name}\n`);
  for (const { s, fold, folds, loso } of fitted) {
    const l = scoreSet(s.taxonomy, s.set.samples, s.frames.map((fr) => predict(loso, fr, v)));
    const c = scoreSet(s.taxonomy, s.set.samples, s.frames.map((fr, i) => predict(folds[fold[i]!]!, fr, v)));
    process.stdout.write(`  ${s.set.name}: leave-one-set-out ${scores(l)}; CV ${pct(c.exact)} (${pct(c.withinOne)})\n`);
  }
}
