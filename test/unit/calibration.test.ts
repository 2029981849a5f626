import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crossValidate, score, stratifiedFolds, classOfCanonical } from '../../server/calibration/cross-validation.js';
import { applyHead, loadHead, saveHead, toCanonical, type FramingHead } from '../../server/calibration/framing-head.js';
import { predictProbabilities, seededRandom, standardiser, trainSoftmax } from '../../server/calibration/softmax-regression.js';
import { argmax, type CanonicalScale } from '../../server/shared/scale.js';
import { tempDir } from '../support/media.js';

/** Three Gaussian blobs in 2-D, one per class, plus a useless noise feature. */
function blobs(n: number, seed: number, spread = 0.6): { x: number[][]; y: number[] } {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = [[0, 0], [3, 0], [0, 3]];
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([centres[c]![0]! + gauss() * spread, centres[c]![1]! + gauss() * spread, gauss() * 100]);
    y.push(c);
  }
  return { x, y };
}

const GROUPS: CanonicalScale[][] = [['ECU', 'CU', 'MCU'], ['MS', 'MWS'], ['FS', 'WS', 'EWS']];

describe('softmax regression', () => {
  test('standardiser: zero mean, unit std; constant features get std 1', () => {
    const { mean, std } = standardiser([[1, 5], [3, 5]]);
    assert.deepEqual(mean, [2, 5]);
    assert.deepEqual(std, [1, 1]);
  });

  for (const hidden of [0, 16]) {
    test(`learns separable blobs (hidden ${hidden}) and generalises to new samples`, () => {
      const train = blobs(300, 1);
      const model = trainSoftmax(train.x, train.y, 3, { hidden, epochs: 60, learningRate: 0.05, l2: 1e-3 });
      const fresh = blobs(150, 2);
      const correct = fresh.x.filter((row, i) => argmax(predictProbabilities(model, row)) === fresh.y[i]).length;
      assert.ok(correct / 150 > 0.95, `${correct}/150`);
      const p = predictProbabilities(model, fresh.x[0]!);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    });
  }

  test('training is deterministic for a seed', () => {
    const data = blobs(60, 3);
    const a = trainSoftmax(data.x, data.y, 3, { epochs: 20, seed: 7 });
    const b = trainSoftmax(data.x, data.y, 3, { epochs: 20, seed: 7 });
    assert.deepEqual(a, b);
  });
});

describe('cross-validation', () => {
  test('stratified folds spread every class over every fold', () => {
    const labels = [...new Array(30).fill(0), ...new Array(6).fill(1)];
    const folds = stratifiedFolds(labels, 3, 1);
    for (let f = 0; f < 3; f++) {
      assert.equal(labels.filter((l, i) => l === 0 && folds[i] === f).length, 10);
      assert.equal(labels.filter((l, i) => l === 1 && folds[i] === f).length, 2);
    }
  });

  test('score: exact, within-one, recall per class', () => {
    const s = score([0, 0, 1, 2, 2], [0, 1, 1, 0, 2], 3);
    assert.equal(s.accuracy, 3 / 5);
    assert.equal(s.withinOne, 4 / 5);
    assert.deepEqual(s.recall, [0.5, 1, 0.5]);
  });

  test('the head beats uninformative rules on learnable data; rules are scored alongside', () => {
    const data = blobs(240, 4);
    const uniform = new Array(8).fill(1 / 8);
    const samples = data.x.map((features, i) => ({ features, rules: uniform, label: data.y[i]! }));
    const report = crossValidate(samples, GROUPS, 4, { epochs: 40, learningRate: 0.05, l2: 1e-3 });
    assert.ok(report.head.accuracy > 0.9, `head ${report.head.accuracy}`);
    assert.ok(report.rules.accuracy < 0.5, `uniform rules ${report.rules.accuracy}`);
    assert.equal(report.predictions.length, 240);
    assert.ok(report.predictions.every((p) => p >= 0 && p < 3));
  });
});

describe('framing head', () => {
  test('toCanonical splits each class by the rules inside its group', () => {
    const rules = [0.1, 0.3, 0.1, 0.2, 0.2, 0.05, 0.05, 0];
    const out = toCanonical([0.5, 0.3, 0.2], GROUPS, rules);
    assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(Math.abs(out[1]! - 0.5 * (0.3 / 0.5)) < 1e-12, 'CU gets its share of group 0');
    assert.ok(Math.abs(out[3]! - 0.15) < 1e-12 && Math.abs(out[4]! - 0.15) < 1e-12);
    assert.equal(out[7], 0, 'EWS: the rules gave it nothing');
    assert.equal(classOfCanonical(out, GROUPS), 0);
    const noRuleMass = toCanonical([0, 0, 1], GROUPS, [1, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(noRuleMass.slice(5), [1 / 3, 1 / 3, 1 / 3], 'a group the rules gave nothing is spread evenly');
  });

  test('save, load, apply; a head for other features is refused', () => {
    const data = blobs(90, 5);
    const rules = new Array(8).fill(1 / 8);
    const model = trainSoftmax(data.x.map((f) => [...f, ...rules]), data.y, 3, { epochs: 20, learningRate: 0.05, l2: 1e-3 });
    const head: FramingHead = {
      schemaVersion: 1,
      kind: 'framing-head',
      taxonomy: 'three',
      classes: ['close', 'medium', 'long'],
      groups: GROUPS,
      featureNames: ['a', 'b', 'noise'],
      model,
      provenance: { labels: 'blobs', count: 90, trainedAt: new Date(0).toISOString(), options: {} },
    };
    const file = path.join(tempDir(), 'head.json');
    saveHead(head, file);
    const loaded = loadHead(file, ['a', 'b', 'noise']);
    const canonical = applyHead(loaded, [3, 0, 0], rules);
    assert.equal(classOfCanonical(canonical, GROUPS), 1);
    assert.throws(() => loadHead(file, ['a', 'b', 'c']), (e: Error & { code?: string }) => e.code === 'MODEL_MISMATCH' && /features this model does not have: noise$/.test(e.message));
    // Features are picked by name: a model with more of them, in another order, still serves the head.
    const reordered = loadHead(file, ['extra', 'noise', 'b', 'a']);
    assert.deepEqual(applyHead(reordered, [9, 0, 0, 3], rules), canonical);
    writeFileSync(file, '{"kind": "framing-head"}');
    assert.throws(() => loadHead(file, ['a']), (e: Error & { code?: string }) => e.code === 'MODEL_MANIFEST_INVALID');
  });
});
