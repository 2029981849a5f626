/**
 * Labelled sets along one cue, for calibration tests: `axis` (where the frame
 * cuts the body) decides CU below `boundary` and MCU above; two noise
 * features; the rules unsure (even CU/MCU).
 */
import type { LabelledSet } from '../../server/calibration/multi-set-calibration.js';
import { findTaxonomy } from '../../server/evaluation/taxonomies.js';
import { softScale } from '../../server/inference/framing/framing-rules.js';
import { seededRandom } from '../../server/shared/seeded-random.js';

export const CUE_NAMES = ['axis', 'noise_a', 'noise_b'];
export const CU = 1;
export const MCU = 2;

export function cueSet(name: string, count: number, boundary: number, seed: number): LabelledSet {
  const random = seededRandom(seed);
  const samples = Array.from({ length: count }, () => {
    const axis = random() * 4 - 2;
    return { features: [axis, random(), random()], rules: softScale(1.5, 0.5), label: axis < boundary ? CU : MCU };
  });
  return { name, labels: `${name}.csv`, taxonomy: findTaxonomy('canonical')!, samples };
}
