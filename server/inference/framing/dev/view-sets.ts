/**
 * Dev: which second looks at a frame help, scored as the mean of the views'
 * head probabilities (the head fitted on the pictures alone): leave-one-set-out
 * and CV within the set, for the picture with its mirror, a shrunk copy
 * (80%, black around it), the shrunk mirror, and a dark picture brightened.
 *
 *   VIEW=shrunk npx tsx server/inference/framing/dev/set-cache.ts <labels.csv>...   (once per view)
 *   npx tsx server/inference/framing/dev/view-sets.ts [--l2 0.5] [--combos picture+mirrored,picture+mirrored+bright]
 */
import { parseArgs } from 'node:util';
import { CALIBRATION_TRAIN_OPTIONS, rowsOf, scoreSet, type LabelledSet } from '../../../calibration/multi-set-calibration.js';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { predictWithOffset, rulesOffset, trainSetHead } from '../../../calibration/set-label-training.js';
import { findTaxonomy, normaliseLabel } from '../../../evaluation/taxonomies.js';
import { FIT_READING, headInputOf, labelsOf, SHARED_SETS } from './analysed-sets.js';
import { DEFAULT_MANIFEST, loadSet, type DevView } from './set-cache.js';

const DEFAULT_COMBOS = 'picture,picture+mirrored,picture+shrunk,picture+mirrored+shrunk,picture+mirrored+shrunk+shrunk-mirrored,shrunk,shrunk+shrunk-mirrored';
const { values } = parseArgs({ options: { l2: { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.l2) }, combos: { type: 'string', default: DEFAULT_COMBOS } } });
const options = { ...CALIBRATION_TRAIN_OPTIONS, l2: Number(values.l2) };
const COMBOS = values.combos.split(',').map((combo) => combo.split('+') as DevView[]);
const VIEWS: DevView[] = [...new Set<DevView>(['picture', ...COMBOS.flat()])];

type Sample = { features: number[]; rules: number[] };
const views: Record<string, Record<DevView, Sample[]>> = {};
const sets: LabelledSet[] = [];
for (const spec of SHARED_SETS) {
  const taxonomy = findTaxonomy(spec.taxonomy)!;
  views[spec.name] = {} as Record<DevView, Sample[]>;
  for (const view of VIEWS) {
    const cached = await loadSet(labelsOf(spec.name), DEFAULT_MANIFEST, false, view);
    views[spec.name]![view] = cached.frames.map((frame) => {
      const { features, rules } = headInputOf(frame);
      return { features, rules: rules.probabilities };
    });
    if (view === 'picture') sets.push({ name: spec.name, labels: labelsOf(spec.name), taxonomy, samples: cached.frames.map((frame, i) => ({ ...views[spec.name]!.picture[i]!, label: taxonomy.lookup.get(normaliseLabel(frame.label))! })) });
  }
}

const pct = (v: number): string => (100 * v).toFixed(1);
for (const [si, set] of sets.entries()) {
  const others = sets.filter((_, j) => j !== si).flatMap((set) => rowsOf(set, FIT_READING));
  const own = rowsOf(set, FIT_READING);
  const loso = trainSetHead(others, options);
  const fold = stratifiedFolds(set.samples.map((s) => s.label), 5, options.seed);
  const cv = [0, 1, 2, 3, 4].map((f) => trainSetHead([...own.filter((_, i) => fold[i] !== f), ...others], options));
  for (const combo of COMBOS) {
    const mean = (model: ReturnType<typeof trainSetHead>, i: number): number[] => {
      const ps = combo.map((v) => views[set.name]![v][i]!).map((s) => predictWithOffset(model, s.features, rulesOffset(s.rules)));
      return ps[0]!.map((_, c) => ps.reduce((a, p) => a + p[c]!, 0) / ps.length);
    };
    const l = scoreSet(set.taxonomy, set.samples, set.samples.map((_, i) => mean(loso, i)));
    const c = scoreSet(set.taxonomy, set.samples, set.samples.map((_, i) => mean(cv[fold[i]!]!, i)));
    process.stdout.write(`${set.name.padEnd(10)} ${combo.join('+').padEnd(40)} LOSO ${pct(l.exact)} (${pct(l.withinOne)}, mean recall ${pct(l.meanRecall)}); CV ${pct(c.exact)} (${pct(c.withinOne)}, mean recall ${pct(c.meanRecall)})\n`);
  }
}
