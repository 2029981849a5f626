/**
 * Dev: how the rules do on each failure family of issue-level interest, per
 * labelled set, from the caches of set-cache.ts: large faces (ECU), seated
 * people, people seen from behind (shoulders, no face), small full-length
 * figures, very wide pictures, frames with nobody found. Membership is what
 * the detectors saw, so the figures say how the classifier does when it sees
 * that family.
 *
 *   npx tsx server/inference/framing/dev/failure-families.ts
 */
import { findTaxonomy, normaliseLabel, predictClass } from '../../../evaluation/taxonomies.js';
import { framingFeatures, type FramingFeatures } from '../framing-features.js';
import { framingRules } from '../framing-rules.js';
import { loadSet } from './set-cache.js';

const FAMILIES: Record<string, (f: FramingFeatures) => boolean> = {
  'large face': (f) => f.face_present === 1 && (f.face_height >= 0.7 || f.axis_top > 0.35),
  seated: (f) => f.axis_seated === 1,
  'seen from behind': (f) => !f.face_present && f.person_present === 1 && f.kp_shoulders >= 0.3 && f.axis_found === 1,
  'small full figure': (f) => f.axis_found === 1 && f.kp_ankles >= 0.3 && f.axis_body_height < 0.5,
  'very wide picture': (f) => f.active_aspect >= 2.2,
  'nobody found': (f) => !f.face_present && !f.person_present,
};

for (const [name, taxonomyName] of [['cinemanet', 'cinemanet'], ['hoha', 'cinescale']] as const) {
  const taxonomy = findTaxonomy(taxonomyName)!;
  const set = await loadSet(`/work/shared/evalset/${name}/labels.csv`);
  const tally = new Map<string, { n: number; exact: number; near: number }>();
  for (const frame of set.frames) {
    const f = framingFeatures(frame.detections, frame.active, frame.cues, frame.frameWidth, frame.frameHeight);
    const predicted = predictClass(taxonomy, framingRules(f).probabilities).index;
    const truth = taxonomy.lookup.get(normaliseLabel(frame.label))!;
    for (const [family, member] of Object.entries(FAMILIES)) {
      if (!member(f)) continue;
      const t = tally.get(family) ?? { n: 0, exact: 0, near: 0 };
      t.n += 1;
      if (predicted === truth) t.exact += 1;
      if (Math.abs(predicted - truth) <= 1) t.near += 1;
      tally.set(family, t);
    }
  }
  process.stdout.write(`${name} (rules alone):\n`);
  for (const [family, t] of tally) process.stdout.write(`  ${family.padEnd(18)} ${String(t.n).padStart(4)} frames: exact ${((t.exact / t.n) * 100).toFixed(0)}%, within one ${((t.near / t.n) * 100).toFixed(0)}%\n`);
}
