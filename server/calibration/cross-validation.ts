/**
 * Stratified k-fold cross-validation of the calibration head, scored in the
 * training taxonomy, next to the rules alone on the same frames, so a head
 * is shipped only when it measurably helps; and folds of whole shots
 * (groupedFolds) for frames that come in runs of near copies, as live
 * corrections do.
 */
import { ShotscaleError } from '../errors.js';
import { argmax, CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';
import { headInput } from './framing-head.js';
import { shuffleInPlace } from '../shared/seeded-random.js';
import { predictProbabilities, seededRandom, trainSoftmax, type TrainOptions } from './softmax-regression.js';

export interface LabelledSample {
  features: ArrayLike<number>;
  /** The rules' canonical probabilities for this frame. */
  rules: readonly number[];
  /** Index into the taxonomy's classes. */
  label: number;
}

export interface FoldScores {
  accuracy: number;
  withinOne: number;
  recall: number[];
}

export interface CrossValidationReport {
  folds: number;
  head: FoldScores;
  rules: FoldScores;
  /** Out-of-fold predicted class per sample, in input order. */
  predictions: number[];
}

/** Class index of a canonical probability vector: sum over each class's group, then argmax. */
export function classOfCanonical(canonical: readonly number[], groups: readonly CanonicalScale[][]): number {
  return argmax(groups.map((group) => group.reduce((a, s) => a + canonical[CANONICAL_SCALES.indexOf(s)]!, 0)));
}

export function score(truth: readonly number[], predicted: readonly number[], classes: number): FoldScores {
  let exact = 0;
  let near = 0;
  const hits = new Array<number>(classes).fill(0);
  const support = new Array<number>(classes).fill(0);
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    support[t]! += 1;
    if (p === t) {
      exact += 1;
      hits[t]! += 1;
    }
    if (Math.abs(p - t) <= 1) near += 1;
  });
  return { accuracy: exact / truth.length, withinOne: near / truth.length, recall: hits.map((h, c) => (support[c] ? h / support[c]! : NaN)) };
}

/** Assigns each sample a fold so every class is spread evenly over the folds. */
export function stratifiedFolds(labels: readonly number[], folds: number, seed: number): number[] {
  const random = seededRandom(seed);
  const fold = new Array<number>(labels.length).fill(0);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => byClass.set(label, [...(byClass.get(label) ?? []), i]));
  for (const members of byClass.values()) {
    shuffleInPlace(members, random);
    members.forEach((sample, k) => (fold[sample] = k % folds));
  }
  return fold;
}

export function crossValidate(samples: readonly LabelledSample[], groups: readonly CanonicalScale[][], folds: number, options: Partial<TrainOptions>): CrossValidationReport {
  const classes = groups.length;
  const labels = samples.map((s) => s.label);
  const fold = stratifiedFolds(labels, folds, options.seed ?? 1);
  const predictions = new Array<number>(samples.length).fill(-1);
  for (let f = 0; f < folds; f++) {
    const train = samples.filter((_, i) => fold[i] !== f);
    const model = trainSoftmax(train.map((s) => headInput(s.features, s.rules)), train.map((s) => s.label), classes, options);
    samples.forEach((s, i) => {
      if (fold[i] === f) predictions[i] = argmax(predictProbabilities(model, headInput(s.features, s.rules)));
    });
  }
  const rulesPredicted = samples.map((s) => classOfCanonical(s.rules, groups));
  return { folds, head: score(labels, predictions, classes), rules: score(labels, rulesPredicted, classes), predictions };
}

/**
 * Assigns whole groups to folds (a group: the frames of one shot, which look
 * alike), so that no fold is scored on a near copy of a frame it was fitted
 * on, and spreads each class over the folds as far as whole groups allow:
 * the largest groups first, each to the fold with the fewest frames of its
 * commonest class (then the fewest frames). `folds` is at least 2 and at most the number of
 * groups. Why: frames of one shot a second apart in both the training and
 * the test folds scored a head that memorised each camera's scene, not the
 * production's lines, 77.8% on labels that contradicted the picture (16.7%
 * before).
 */
export function groupedFolds(labels: readonly number[], groups: readonly string[], folds: number, seed: number): number[] {
  // One fold leaves nothing to fit on that never saw the frames it scores (and 0 has no fold to put a shot in).
  if (!Number.isInteger(folds) || folds < 2) throw new ShotscaleError('CALIBRATION_INVALID', `cross-validation in ${folds} folds: it takes a whole number of at least 2`);
  const random = seededRandom(seed);
  const members = new Map<string, number[]>();
  labels.forEach((_, i) => members.set(groups[i]!, [...(members.get(groups[i]!) ?? []), i]));
  const order = shuffleInPlace([...members.values()], random).sort((a, b) => b.length - a.length);
  const fold = new Array<number>(labels.length).fill(0);
  const perClass = Array.from({ length: folds }, () => new Map<number, number>());
  const sizes = new Array<number>(folds).fill(0);
  for (const group of order) {
    const counts = new Map<number, number>();
    for (const i of group) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
    const commonest = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    let best = 0;
    for (let f = 1; f < folds; f++) {
      const load = (k: number) => perClass[k]!.get(commonest) ?? 0;
      if (load(f) < load(best) || (load(f) === load(best) && sizes[f]! < sizes[best]!)) best = f;
    }
    for (const i of group) fold[i] = best;
    for (const [label, n] of counts) perClass[best]!.set(label, (perClass[best]!.get(label) ?? 0) + n);
    sizes[best]! += group.length;
  }
  return fold;
}
