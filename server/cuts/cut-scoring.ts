/**
 * Scores detected cuts against known ones: one-to-one matches within a
 * tolerance in frames, closest pairs first. For the cut benchmark, the tests
 * and any later evaluation of cut lists.
 */

export interface CutScore {
  truePositives: number;
  /** Detected frames with no known cut within the tolerance. */
  falsePositives: number[];
  /** Known frames with no detection within the tolerance. */
  missed: number[];
  precision: number;
  recall: number;
  f1: number;
}

export function scoreCuts(detected: readonly number[], truth: readonly number[], tolerance = 2): CutScore {
  const pairs: { d: number; t: number; distance: number }[] = [];
  detected.forEach((frame, d) =>
    truth.forEach((known, t) => {
      const distance = Math.abs(frame - known);
      if (distance <= tolerance) pairs.push({ d, t, distance });
    }),
  );
  pairs.sort((a, b) => a.distance - b.distance || a.t - b.t);
  const usedDetected = new Set<number>();
  const usedTruth = new Set<number>();
  for (const p of pairs) {
    if (usedDetected.has(p.d) || usedTruth.has(p.t)) continue;
    usedDetected.add(p.d);
    usedTruth.add(p.t);
  }
  const truePositives = usedTruth.size;
  // No detections and nothing to find is a perfect score, not 0/0.
  const precision = detected.length ? truePositives / detected.length : truth.length ? 0 : 1;
  const recall = truth.length ? truePositives / truth.length : 1;
  return {
    truePositives,
    falsePositives: detected.filter((_, d) => !usedDetected.has(d)),
    missed: truth.filter((_, t) => !usedTruth.has(t)),
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
  };
}
