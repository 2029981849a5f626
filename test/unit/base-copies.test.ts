/**
 * Given frames that the base knowledge holds too: found by their image (file
 * name and size, through the base set's labels file) or, where that cannot
 * tell its rows apart, by their features; left out of the base of a
 * production fit, so that no fold is scored on a frame it was fitted on.
 * And the folds a set is cross-validated in, fewer than asked where a class
 * is small.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findBaseCopies } from '../../server/calibration/base-copies.js';
import { frameKey } from '../../server/evaluation/in-sample.js';
import { evaluateSets, type LabelledSet } from '../../server/calibration/multi-set-calibration.js';
import { fitProduction, withoutCopies } from '../../server/calibration/production-fit.js';
import { findTaxonomy } from '../../server/evaluation/taxonomies.js';
import { softScale } from '../../server/inference/framing/framing-rules.js';
import { seededRandom } from '../../server/shared/seeded-random.js';
import { tempDir } from '../support/media.js';

const canonical = findTaxonomy('canonical')!;
const CU = 1, MCU = 2;

/** `count` frames of `dims` features at random, labelled CU or MCU at random: nothing to learn but the frames themselves. */
function noise(name: string, count: number, dims: number, seed: number): LabelledSet {
  const random = seededRandom(seed);
  const samples = Array.from({ length: count }, () => ({ features: Array.from({ length: dims }, () => random() * 4 - 2), rules: softScale(1.5, 0.5), label: random() < 0.5 ? CU : MCU }));
  return { name, labels: `${name}.csv`, taxonomy: canonical, samples };
}

describe('a production fit whose frames the base holds too', () => {
  const names = Array.from({ length: 32 }, (_, i) => `f${i}`);
  const production = noise('prod', 40, names.length, 1);
  const other = noise('other', 60, names.length, 2);
  // The base holds the production's frames again, with their labels, after 60 others.
  const base: LabelledSet = { ...other, name: 'shared', samples: [...other.samples, ...production.samples] };
  const copies = [[{ set: 'shared', rows: production.samples.map((_, i) => 60 + i), by: 'frames' as const }]];
  const fit = (input: Partial<Parameters<typeof fitProduction>[0]>) => fitProduction({ base: [base], production: [production], featureNames: names, from: null, modelName: 'model-x', folds: 4, options: { epochs: 150, l2: 0.01 }, ...input });

  test('leaves them out of every fold and of the head: the same fit as on a base without them, and says so', () => {
    const left = fit({ baseCopies: copies });
    const without = fit({ base: [{ ...base, samples: other.samples }] });
    assert.deepEqual(left.reports[0]!.inBase, [{ set: 'shared', frames: 40, by: 'frames' }]);
    assert.equal(left.reports[0]!.after!.exact, without.reports[0]!.after!.exact);
    assert.deepEqual(left.head.model, without.head.model);
    assert.deepEqual(left.head.provenance.sets!.map((s) => [s.name, s.count]), [['shared', 60], ['prod', 40]]);
  });

  test('with them left in, each fold has seen the frames it scores, and scores them above what it does without', () => {
    const inSample = fit({}).reports[0]!.after!.exact;
    const honest = fit({ baseCopies: copies }).reports[0]!.after!.exact;
    assert.ok(inSample > honest + 0.2, `labels at random: ${inSample} with the copies in the folds, ${honest} without`);
  });

  test('a base set left with none of its frames is gone', () => {
    const all = [{ set: 'shared', rows: base.samples.map((_, i) => i), by: 'features' as const }];
    assert.deepEqual(withoutCopies([base, other], [all]).map((s) => [s.name, s.samples.length]), [['other', 60]]);
  });
});

describe('finding them', () => {
  const dir = tempDir();
  const features = (i: number) => [i, i / 7, 1 / (i + 1)];
  /** A base set of `count` frames, whose labels file lists `listed` images of `i + 1` bytes each. */
  function baseSet(name: string, count: number, listed: number): LabelledSet {
    const folder = path.join(dir, name);
    mkdirSync(path.join(folder, 'img'), { recursive: true });
    const files = Array.from({ length: listed }, (_, i) => `img/${i}.jpg`);
    files.forEach((f, i) => writeFileSync(path.join(folder, f), 'x'.repeat(i + 1)));
    writeFileSync(path.join(folder, 'labels.csv'), ['file,label', ...files.map((f) => `${f},CU`)].join('\n') + '\n');
    return { name, labels: path.join(folder, 'labels.csv'), taxonomy: canonical, samples: Array.from({ length: count }, (_, i) => ({ features: features(i), rules: softScale(1, 0.5), label: CU })) };
  }

  test('by file name and size where the labels file lists the set\'s rows; by features where it cannot', () => {
    const aligned = baseSet('aligned', 5, 5);
    const short = baseSet('short', 5, 4);
    // A copy of aligned's third image (2.jpg, 3 bytes) elsewhere; features unlike any row: found by its file alone.
    const copy = path.join(dir, 'copy', '2.jpg');
    mkdirSync(path.dirname(copy));
    writeFileSync(copy, 'xxx');
    const given = [[{ key: frameKey(copy), features: [99, 99, 99] }, { key: null, features: features(4) }]];
    const found = findBaseCopies([aligned, short], path.join(dir, 'x.base.json.gz'), given);
    assert.deepEqual(found, [[{ set: 'aligned', rows: [2, 4], by: 'features' }, { set: 'short', rows: [4], by: 'features' }]]);
    const byFile = findBaseCopies([aligned], path.join(dir, 'x.base.json.gz'), [[given[0]![0]!]]);
    assert.deepEqual(byFile, [[{ set: 'aligned', rows: [2], by: 'frames' }]]);
  });

  test('features two rows share tell neither apart', () => {
    const twins: LabelledSet = { name: 'twins', labels: path.join(dir, 'none.csv'), taxonomy: canonical, samples: [0, 0, 1].map((i) => ({ features: features(i), rules: softScale(1, 0.5), label: CU })) };
    assert.deepEqual(findBaseCopies([twins], path.join(dir, 'x.base.json.gz'), [[{ key: null, features: features(0) }, { key: null, features: features(1) }]]), [[{ set: 'twins', rows: [2], by: 'features' }]]);
  });
});

test('a set whose smallest class has fewer frames than the folds asked is cross-validated in that many, and says so', () => {
  const set = noise('small', 30, 4, 3);
  set.samples.push({ features: [0, 0, 0, 0], rules: softScale(5, 0.5), label: 5 }, { features: [1, 1, 1, 1], rules: softScale(5, 0.5), label: 5 });
  const [report] = evaluateSets([set], 5, { epochs: 5 });
  assert.equal(report!.folds, 2);
  assert.equal(evaluateSets([noise('large', 30, 4, 4)], 3, { epochs: 5 })[0]!.folds, 3);
});
