/**
 * Dev: picks the real frames of the eye-in-macro test
 * (test/fixtures/eye-macro-frames.json): every CinemaNet ECU where the
 * detectors find nobody (mostly eyes and mouths in macro), and, to hold the
 * cue to its word, every fifth of the shared sets' long and extreme long
 * frames where they find nobody (landscapes, cities, rooms). Chosen by the
 * detectors and the labels, not by what the round-eye cue makes of them.
 *
 *   npx tsx server/inference/framing/dev/eye-frames.ts > test/fixtures/eye-macro-frames.json
 */
import { cachedFeatures, loadSet } from './set-cache.js';
import { labelsOf } from './analysed-sets.js';

const WIDE_STRIDE = 5;
const out: Record<'eyes' | 'wide', { set: string; file: string; label: string }[]> = { eyes: [], wide: [] };
for (const name of ['cinemanet', 'hoha']) {
  const set = await loadSet(labelsOf(name));
  const nobody = set.frames.filter((frame) => {
    const f = cachedFeatures(frame);
    return !f.face_present && !f.person_present;
  });
  const pick = (frame: (typeof nobody)[number]) => ({ set: name, file: frame.file, label: frame.label });
  if (name === 'cinemanet') out.eyes.push(...nobody.filter((f) => f.label === 'ECU').map(pick));
  out.wide.push(...nobody.filter((f) => /^(ELS|LS|EWS|WS|Long|Extreme Long)/i.test(f.label)).filter((_, i) => i % WIDE_STRIDE === 0).map(pick));
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
