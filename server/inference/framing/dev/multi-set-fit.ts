/**
 * Dev: how a head fitted on several labelled sets does on each, above all on
 * a set it never saw (leave-one-set-out), and cross-validated within each set
 * with the other sets in training. Reads the caches of set-cache.ts.
 *
 *   npx tsx server/inference/framing/dev/multi-set-fit.ts [--ordinal 0.3] [--l2 0.03] [--epochs 300] [--inputs geometry,spectral,embedding,rules] [--folds 5]
 */
import { parseArgs } from 'node:util';
import type { SoftmaxModel } from '../../../calibration/softmax-regression.js';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { predictWithOffset, rulesOffset, trainSetHead, type SetLabelledRow } from '../../../calibration/set-label-training.js';
import { findTaxonomy, predictClass, type Taxonomy } from '../../../evaluation/taxonomies.js';
import { CANONICAL_SCALES } from '../../../shared/scale.js';
import { featureVector, framingFeatures } from '../framing-features.js';
import { framingRules } from '../framing-rules.js';
import { loadSet, type CachedSet } from './set-cache.js';

const SETS: { labels: string; taxonomy: string }[] = [
  { labels: '/work/shared/evalset/cinemanet/labels.csv', taxonomy: 'cinemanet' },
  { labels: '/work/shared/evalset/hoha/labels.csv', taxonomy: 'cinescale' },
];

export interface Row extends SetLabelledRow {
  truth: number;
  rules: number[];
  reason: string;
  file: string;
}

export type InputPart = 'geometry' | 'spectral' | 'embedding' | 'rules';

export function rowsOf(set: CachedSet, taxonomy: Taxonomy, parts: readonly InputPart[]): Row[] {
  return set.frames.map((frame) => {
    const f = framingFeatures(frame.detections, frame.active, frame.cues, frame.frameWidth, frame.frameHeight);
    const rules = framingRules(f);
    const truth = taxonomy.lookup.get(frame.label.trim().toLowerCase().replace(/[\s_-]+/g, ''))!;
    const x: number[] = [];
    if (parts.includes('geometry')) x.push(...featureVector(f));
    if (parts.includes('spectral')) x.push(...frame.spectral);
    if (parts.includes('embedding')) x.push(...frame.embedding);
    if (parts.includes('rules')) x.push(...rules.probabilities);
    const allowed = taxonomy.classes[truth]!.canonical.map((c) => CANONICAL_SCALES.indexOf(c));
    return { x, allowed, set: set.name, label: frame.label, truth, rules: rules.probabilities, reason: rules.reason, file: frame.file, ...(RESIDUAL ? { offset: rulesOffset(rules.probabilities) } : {}), split: rules.probabilities };
  });
}

export interface SetScore {
  exact: number;
  withinOne: number;
  recall: number[];
  matrix: number[][];
}

export function scoreSet(taxonomy: Taxonomy, rows: readonly Row[], probabilities: readonly number[][]): SetScore {
  const n = taxonomy.classes.length;
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let exact = 0, near = 0;
  rows.forEach((r, i) => {
    const p = predictClass(taxonomy, probabilities[i]!).index;
    matrix[r.truth]![p]! += 1;
    if (p === r.truth) exact += 1;
    if (Math.abs(p - r.truth) <= 1) near += 1;
  });
  const recall = matrix.map((row, t) => row[t]! / Math.max(1, row.reduce((a, b) => a + b, 0)));
  return { exact: exact / rows.length, withinOne: near / rows.length, recall, matrix };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function describe(taxonomy: Taxonomy, s: SetScore): string {
  return `exact ${pct(s.exact)}, within one ${pct(s.withinOne)}; recall ${taxonomy.classes.map((c, i) => `${c.name} ${pct(s.recall[i]!)}`).join(' ')}`;
}

export function predictAll(model: SoftmaxModel, rows: readonly Row[]): number[][] {
  return rows.map((r) => predictWithOffset(model, r.x, r.offset));
}

const RESIDUAL = process.env.RESIDUAL !== '0';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ordinal: { type: 'string', default: '0.3' },
      l2: { type: 'string', default: '0.03' },
      epochs: { type: 'string', default: '300' },
      lr: { type: 'string', default: '0.005' },
      inputs: { type: 'string', default: 'geometry,spectral,embedding,rules' },
      folds: { type: 'string', default: '5' },
      matrix: { type: 'boolean', default: false },
      cv: { type: 'boolean', default: false },
      within: { type: 'string', default: '1' },
    },
  });
  const parts = values.inputs!.split(',') as InputPart[];
  const opts = { ordinal: Number(values.ordinal), l2: Number(values.l2), epochs: Number(values.epochs), learningRate: Number(values.lr), withinSet: Number(values.within) };
  const sets = await Promise.all(SETS.map(async (s) => ({ set: await loadSet(s.labels), taxonomy: findTaxonomy(s.taxonomy)! })));
  const data = sets.map(({ set, taxonomy }) => ({ name: set.name, taxonomy, rows: rowsOf(set, taxonomy, parts) }));
  process.stdout.write(`inputs ${parts.join('+')} (${data[0]!.rows[0]!.x.length}); ${JSON.stringify(opts)}\n`);
  for (const d of data) process.stdout.write(`${d.name} rules alone: ${describe(d.taxonomy, scoreSet(d.taxonomy, d.rows, d.rows.map((r) => r.rules)))}\n`);
  for (const d of data) {
    const others = data.filter((o) => o !== d).flatMap((o) => o.rows);
    const model = trainSetHead(others, opts);
    const s = scoreSet(d.taxonomy, d.rows, predictAll(model, d.rows));
    process.stdout.write(`${d.name} leave-one-set-out: ${describe(d.taxonomy, s)}\n`);
    if (values.matrix) process.stdout.write(`  ${JSON.stringify(s.matrix)}\n`);
  }
  const folds = Number(values.folds);
  for (const d of values.cv ? data : []) {
    const fold = stratifiedFolds(d.rows.map((r) => r.truth), folds, 1);
    const alone: number[][] = new Array(d.rows.length), withAll: number[][] = new Array(d.rows.length);
    const others = data.filter((o) => o !== d).flatMap((o) => o.rows);
    for (let f = 0; f < folds; f++) {
      const train = d.rows.filter((_, i) => fold[i] !== f);
      const a = trainSetHead(train, opts);
      const b = trainSetHead([...train, ...others], opts);
      d.rows.forEach((r, i) => {
        if (fold[i] !== f) return;
        alone[i] = predictWithOffset(a, r.x, r.offset);
        withAll[i] = predictWithOffset(b, r.x, r.offset);
      });
    }
    process.stdout.write(`${d.name} ${folds}-fold CV, this set alone: ${describe(d.taxonomy, scoreSet(d.taxonomy, d.rows, alone))}\n`);
    process.stdout.write(`${d.name} ${folds}-fold CV, with the other sets: ${describe(d.taxonomy, scoreSet(d.taxonomy, d.rows, withAll))}\n`);
  }
}

if (process.argv[1]?.endsWith('multi-set-fit.ts')) await main();
