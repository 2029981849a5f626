/**
 * Scores from a confusion matrix (rows = truth, columns = predicted, classes
 * in taxonomy order). Exact accuracy and within-one accuracy are reported
 * together because neighbouring scales are easily confused even by trained
 * human coders (Fleiss' kappa 0.64, DESIGN.md).
 */

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Images whose truth is this class. */
  support: number;
}

export interface Scores {
  count: number;
  /** Fractions 0..1; 0 when count is 0. */
  accuracy: number;
  withinOne: number;
  /** Unweighted mean of the per-class F1 over classes with support. */
  macroF1: number;
  /** Unweighted mean of the per-class recall over classes with support (every class counts the same, however rare). */
  meanRecall: number;
  perClass: ClassScores[];
}

export function emptyMatrix(size: number): number[][] {
  return Array.from({ length: size }, () => new Array<number>(size).fill(0));
}

/** Confusion matrix from (truth, predicted) class index pairs. */
export function confusionMatrix(size: number, pairs: Iterable<{ truth: number; predicted: number }>): number[][] {
  const matrix = emptyMatrix(size);
  for (const { truth, predicted } of pairs) matrix[truth]![predicted]! += 1;
  return matrix;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : 0);

/**
 * Undefined ratios (precision of a class never predicted, recall of a class
 * with no images) are 0, as scikit-learn's zero_division default, so every
 * field is a number; `support` tells the reader when a 0 means "no data".
 */
export function scoreMatrix(matrix: readonly (readonly number[])[]): Scores {
  const size = matrix.length;
  let count = 0;
  let exact = 0;
  let near = 0;
  const columnSums = new Array<number>(size).fill(0);
  matrix.forEach((row, t) => {
    row.forEach((n, p) => {
      count += n;
      columnSums[p]! += n;
      if (p === t) exact += n;
      if (Math.abs(p - t) <= 1) near += n;
    });
  });
  const perClass = matrix.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const hit = row[c]!;
    const precision = ratio(hit, columnSums[c]!);
    const recall = ratio(hit, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const supported = perClass.filter((c) => c.support > 0);
  return {
    count,
    accuracy: ratio(exact, count),
    withinOne: ratio(near, count),
    macroF1: ratio(supported.reduce((a, c) => a + c.f1, 0), supported.length),
    meanRecall: ratio(supported.reduce((a, c) => a + c.recall, 0), supported.length),
    perClass,
  };
}
