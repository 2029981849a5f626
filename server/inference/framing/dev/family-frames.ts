/**
 * Dev: picks the real frames of each failure family for the failure-family
 * test (test/fixtures/failure-families.json): every frame the detectors put
 * in the family (failure-families.ts), thinned by a fixed stride to at most
 * 24 per family and set, so the test runs in seconds and the pick is no one's
 * choice of easy frames.
 *
 *   npx tsx server/inference/framing/dev/family-frames.ts > test/fixtures/failure-families.json
 */
import { FAILURE_FAMILIES } from '../../../evaluation/failure-families.js';
import { cachedFeatures, loadSet } from './set-cache.js';

const PER_SET = 24;
const out: Record<string, { set: string; file: string; label: string }[]> = {};
for (const name of ['cinemanet', 'hoha']) {
  const set = await loadSet(`/work/shared/evalset/${name}/labels.csv`);
  for (const [family, member] of Object.entries(FAILURE_FAMILIES)) {
    const members = set.frames.filter((frame) => member(cachedFeatures(frame)));
    const stride = Math.max(1, members.length / PER_SET);
    const picked = Array.from({ length: Math.min(PER_SET, members.length) }, (_, i) => members[Math.floor(i * stride)]!);
    (out[family] ??= []).push(...picked.map((frame) => ({ set: name, file: frame.file, label: frame.label })));
  }
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
