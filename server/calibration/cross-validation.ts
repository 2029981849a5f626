/**
 * Stratified k-fold cross-validation of the calibration head, scored in the
 * training taxonomy, next to the rules alone on the same frames, so a head
 * is shipped only when it measurably helps.
 */
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
