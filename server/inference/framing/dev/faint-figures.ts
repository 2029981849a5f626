/**
 * Dev: on the frames of each shared set where nobody counts (no person at
 * personMinScore, no face), what the faint person candidates say per label:
 * the best candidate's score, the summed score of those from FAINT_MIN_SCORE
 * up, how many reach it, and the best face candidate's score (quartiles and
 * the 90th percentile). The evidence for the faint_ features (README).
 *
 *   npx tsx server/inference/framing/dev/faint-figures.ts
 */
import { FAINT_MIN_SCORE } from '../framing-features.js';
import { labelsOf, SHARED_SETS } from './analysed-sets.js';
import { cachedFeatures, loadSet } from './set-cache.js';

const quantiles = (values: number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  return [0.25, 0.5, 0.75, 0.9].map((p) => sorted[Math.floor(p * (sorted.length - 1))]!.toFixed(2)).join('/');
};

for (const { name } of SHARED_SETS) {
  const set = await loadSet(labelsOf(name));
  const byLabel = new Map<string, number[][]>();
  for (const frame of set.frames) {
    const f = cachedFeatures(frame);
    if (f.person_present || f.face_present) continue;
    const scores = frame.detections.people.map((p) => p.score);
    const faint = scores.filter((s) => s >= FAINT_MIN_SCORE);
    const row = [Math.max(0, ...scores), faint.reduce((a, b) => a + b, 0), faint.length, Math.max(0, ...frame.detections.faces.map((x) => x.score))];
    byLabel.set(frame.label, [...(byLabel.get(frame.label) ?? []), row]);
  }
  for (const [label, rows] of byLabel) {
    const col = (i: number): string => quantiles(rows.map((r) => r[i]!));
    process.stdout.write(`${name} ${label.padEnd(4)} ${String(rows.length).padStart(4)} frames: best person ${col(0)}, faint sum ${col(1)}, faint count ${col(2)}, best face ${col(3)}\n`);
  }
}
