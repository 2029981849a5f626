/**
 * Does teaching the classifier a production's convention work? For each set
 * in the base knowledge shipped beside the head (the shared evalsets'
 * analysed frames), 10 labelled frames per class play "the production's
 * corrections"; the rest of that set is what it is scored on.
 *
 * Honest by construction: "before" is a head fitted on the OTHER base sets
 * (it never saw this set), and "after" fits the corrections together with
 * those other sets, starting from that head, as the dashboard's fit does.
 * "from scratch" fits the corrections alone. Repeated over several draws of
 * the corrections; prints the figures and writes JSON.
 *
 *   npm run bench:conventions [-- --per-class 10 --draws 3 --base models/framing-default.base.json.gz --out bench-results/conventions.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseKnowledgePath, loadBaseKnowledge } from '../server/calibration/base-knowledge.js';
import { CALIBRATION_TRAIN_OPTIONS, holdFor, residualHead, rowsOf, scoreSet, type LabelledSet, type SetSample } from '../server/calibration/multi-set-calibration.js';
import { fitProduction } from '../server/calibration/production-fit.js';
import { predictWithOffset, rulesOffset, trainSetHead } from '../server/calibration/set-label-training.js';
import { applyHead } from '../server/calibration/framing-head.js';
import { fitReading } from '../server/calibration/head-hold.js';
import { MODEL_FEATURE_NAMES } from '../server/inference/framing/framing-model.js';
import { seededRandom, shuffleInPlace } from '../server/shared/seeded-random.js';
import { benchArgs, wholeNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run bench:conventions [-- --per-class 10 --draws 3 --base models/framing-default.base.json.gz --out bench-results/conventions.json]
  --per-class N   corrections drawn of each class (fewer where a class has fewer than twice that): a whole number, at least 1 (default 10)
  --draws N       draws of the corrections, seeded: a whole number, at least 1 (default 3)
  --base FILE     the base knowledge whose sets play the productions (default: the shipped head's)
  --out FILE      where the JSON goes (default bench-results/conventions.json)
  -h, --help      this text`;
const { perClass, draws, sets, values } = benchArgs(
  USAGE,
  process.argv.slice(2),
  {
    base: { type: 'string', default: baseKnowledgePath(path.join(ROOT, 'models', 'framing-default.head.json')) },
    'per-class': { type: 'string', default: '10' },
    draws: { type: 'string', default: '3' },
    out: { type: 'string', default: path.join(ROOT, 'bench-results', 'conventions.json') },
  },
  (values) => ({
    perClass: wholeNumber('per-class', values['per-class'], 1),
    draws: wholeNumber('draws', values.draws, 1),
    // Read here, so that a base that cannot be read is its coded line (CALIBRATION_BASE_INVALID, MODEL_MISMATCH), not a stack trace.
    sets: loadBaseKnowledge(values.base, MODEL_FEATURE_NAMES),
    values,
  }),
);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** `perClass` frames of each class (fewer where a class has fewer than twice that), drawn with `seed`; the rest. */
function draw(set: LabelledSet, seed: number): { picked: SetSample[]; rest: SetSample[] } {
  const random = seededRandom(seed);
  const picked: SetSample[] = [], rest: SetSample[] = [];
  set.taxonomy.classes.forEach((_, c) => {
    const of = set.samples.filter((s) => s.label === c);
    shuffleInPlace(of, random);
    const n = Math.min(perClass, Math.floor(of.length / 2));
    picked.push(...of.slice(0, n));
    rest.push(...of.slice(n));
  });
  return { picked, rest };
}

interface Row { set: string; draw: number; corrections: number; scored: number; rules: number; before: number; after: number; scratch: number; afterWithinOne: number; fitS: number }
const rows: Row[] = [];
for (const set of sets) {
  const others = sets.filter((s) => s !== set);
  // The head a production would start from had the shipped head never seen this set.
  const hold = holdFor(others, MODEL_FEATURE_NAMES).hold;
  const fitAgainst = fitReading(hold, MODEL_FEATURE_NAMES);
  const leaveOut = residualHead(trainSetHead(others.flatMap((set) => rowsOf(set, fitAgainst)), CALIBRATION_TRAIN_OPTIONS), MODEL_FEATURE_NAMES, { labels: others.map((s) => s.labels).join(', '), count: 0, trainedAt: '', options: {} }, hold);
  for (let d = 0; d < draws; d++) {
    const { picked, rest } = draw(set, 101 + d);
    const production: LabelledSet = { name: 'production', labels: 'corrections', taxonomy: set.taxonomy, samples: picked };
    const score = (canonical: number[][]) => scoreSet(set.taxonomy, rest, canonical);
    const rules = score(rest.map((s) => [...s.rules]));
    const before = score(rest.map((s) => applyHead(leaveOut, s.features, s.rules)));
    const fit = fitProduction({ base: others, production: [production], featureNames: MODEL_FEATURE_NAMES, from: leaveOut, modelName: 'framing-default', folds: 0 });
    const after = score(rest.map((s) => applyHead(fit.head, s.features, s.rules)));
    const scratchModel = trainSetHead(rowsOf(production), CALIBRATION_TRAIN_OPTIONS);
    const scratch = score(rest.map((s) => predictWithOffset(scratchModel, s.features, rulesOffset(s.rules))));
    const row: Row = { set: set.name, draw: d + 1, corrections: picked.length, scored: rest.length, rules: rules.exact, before: before.exact, after: after.exact, scratch: scratch.exact, afterWithinOne: after.withinOne, fitS: fit.fitMs / 1000 };
    rows.push(row);
    process.stdout.write(`${set.name} draw ${row.draw}: ${row.corrections} corrections, ${row.scored} frames scored: rules ${pct(row.rules)}, before ${pct(row.before)}, after ${pct(row.after)} (within one ${pct(row.afterWithinOne)}), corrections alone ${pct(row.scratch)}; fit ${row.fitS.toFixed(1)} s\n`);
  }
}
process.stdout.write('\nset | corrections | rules | before (never saw the set) | after (+ corrections) | corrections alone | fit\n');
for (const set of sets) {
  const of = rows.filter((r) => r.set === set.name);
  process.stdout.write(`${set.name} | ${of[0]!.corrections} | ${pct(mean(of.map((r) => r.rules)))} | ${pct(mean(of.map((r) => r.before)))} | ${pct(mean(of.map((r) => r.after)))} | ${pct(mean(of.map((r) => r.scratch)))} | ${mean(of.map((r) => r.fitS)).toFixed(1)} s\n`);
}
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, base: values.base, perClass, draws, rows }, null, 2) + '\n');
process.stdout.write(`written ${values.out}\n`);
