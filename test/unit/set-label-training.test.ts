import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSets, fitHead, predictSample, rowsOf, scoreSet, type LabelledSet } from '../../server/calibration/multi-set-calibration.js';
import { balanceWeights, distanceToSet, predictWithOffset, rulesOffset, trainSetHead, type SetLabelledRow } from '../../server/calibration/set-label-training.js';
import { seededRandom } from '../../server/shared/seeded-random.js';
import { findTaxonomy } from '../../server/evaluation/taxonomies.js';
import { argmax, CANONICAL_SCALES } from '../../server/shared/scale.js';

/** A one-dimensional "scale axis" x = class + noise, with rules that put their mass on the nearest class. */
function frames(count: number, seed: number): { x: number; cls: number; rules: number[] }[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const cls = Math.floor(random() * 8);
    const x = cls + (random() - 0.5) * 0.9;
    const rules = CANONICAL_SCALES.map((_, c) => Math.exp(-((c - x) ** 2)));
    const total = rules.reduce((a, b) => a + b, 0);
    return { x, cls, rules: rules.map((r) => r / total) };
  });
}

describe('set-label training', () => {
  test('distance to a label set and balanced weights', () => {
    assert.deepEqual(distanceToSet([2, 3]), [2, 1, 0, 0, 1, 2, 3, 4]);
    const weights = balanceWeights([
      { set: 'big', label: 'A' }, { set: 'big', label: 'A' }, { set: 'big', label: 'A' }, { set: 'big', label: 'B' },
      { set: 'small', label: 'A' }, { set: 'small', label: 'B' },
    ]);
    const sum = (idx: number[]) => idx.reduce((s, i) => s + weights[i]!, 0);
    assert.ok(Math.abs(sum([0, 1, 2, 3]) - sum([4, 5])) < 1e-9, 'each set weighs the same');
    assert.ok(Math.abs(sum([0, 1, 2]) - weights[3]!) < 1e-9, 'each label in a set weighs the same');
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - weights.length) < 1e-9, 'mean weight 1');
    // Label power 0: sets still weigh the same, but inside a set every row does.
    const even = balanceWeights([
      { set: 'big', label: 'A' }, { set: 'big', label: 'A' }, { set: 'big', label: 'A' }, { set: 'big', label: 'B' },
      { set: 'small', label: 'A' }, { set: 'small', label: 'B' },
    ], 0);
    assert.deepEqual(even.map((w) => Math.round(w * 1000) / 1000), [0.75, 0.75, 0.75, 0.75, 1.5, 1.5]);
    // In between, a rare label weighs more per row than a common one, less in total.
    const half = balanceWeights([{ set: 's', label: 'A' }, { set: 's', label: 'A' }, { set: 's', label: 'A' }, { set: 's', label: 'A' }, { set: 's', label: 'B' }], 0.5);
    assert.ok(half[4]! > half[0]! && half[4]! < 4 * half[0]!);
  });

  test('coarse labels teach the boundaries around their set; inside it the rules split, not the richest class', () => {
    // Only coarse labels (CinemaNet's: Medium = MCU or MS), on rows whose truth is fine.
    const cinemanet = findTaxonomy('cinemanet')!;
    const rows: SetLabelledRow[] = frames(600, 1).map((f) => {
      const label = cinemanet.classOfCanonical[f.cls]!;
      return {
        x: [f.x],
        allowed: cinemanet.classes[label]!.canonical.map((c) => CANONICAL_SCALES.indexOf(c)),
        set: 'coarse',
        label: cinemanet.classes[label]!.name,
        offset: rulesOffset(f.rules),
        split: f.rules,
      };
    });
    const model = trainSetHead(rows, { epochs: 60 });
    const test = frames(400, 2);
    const mcu = test.filter((f) => f.cls === 2), ms = test.filter((f) => f.cls === 3);
    const hits = (group: typeof test) => group.filter((f) => argmax(predictWithOffset(model, [f.x], rulesOffset(f.rules))) === f.cls).length / group.length;
    assert.ok(hits(mcu) > 0.6 && hits(ms) > 0.6, `MCU ${hits(mcu)} and MS ${hits(ms)} both survive a label that never tells them apart`);
  });

  test('the fit settles: another seed (another order of mini-batches) gives the same head', () => {
    // Fine labels on the axis, a fifth of them one class off, and inputs that say nothing: at a constant step where
    // the fit stops depends on its last mini-batches (up to 0.09 apart here); with the step decayed, 0.02.
    const random = seededRandom(7);
    const rows: SetLabelledRow[] = frames(600, 3).map((f) => {
      const cls = random() < 0.2 ? Math.min(7, Math.max(0, f.cls + (random() < 0.5 ? -1 : 1))) : f.cls;
      return { x: [f.x, random(), random(), random()], allowed: [cls], set: 'fine', label: CANONICAL_SCALES[cls]!, offset: rulesOffset(f.rules) };
    });
    const [a, b] = [1, 2].map((seed) => trainSetHead(rows, { epochs: 150, learningRate: 0.05, seed }));
    const gap = Math.max(...frames(200, 4).map((f) => {
      const x = [f.x, random(), random(), random()];
      const pa = predictWithOffset(a!, x, rulesOffset(f.rules)), pb = predictWithOffset(b!, x, rulesOffset(f.rules));
      return Math.max(...pa.map((p, c) => Math.abs(p - pb[c]!)));
    }));
    assert.ok(gap < 0.045, `the two seeds' probabilities differ by up to ${gap.toFixed(3)}`);
  });

  test('label noise: frames labelled far from what they show pull less on the head', () => {
    // Fine labels on the axis, and one in four of the close frames (ECU, CU) labelled EWS: a gross mistake.
    const random = seededRandom(11);
    const rows: SetLabelledRow[] = frames(800, 5).map((f) => {
      const cls = f.cls <= 1 && random() < 0.25 ? 7 : f.cls;
      return { x: [f.x], allowed: [cls], set: 'noisy', label: CANONICAL_SCALES[cls]!, offset: rulesOffset(f.rules) };
    });
    const massOnEws = (noise: number): number => {
      const model = trainSetHead(rows, { epochs: 80, labelNoise: noise });
      const close = frames(300, 6).filter((f) => f.cls <= 1);
      return close.reduce((a, f) => a + predictWithOffset(model, [f.x], rulesOffset(f.rules))[7]!, 0) / close.length;
    };
    const trusted = massOnEws(0), doubted = massOnEws(0.3);
    assert.ok(doubted < 0.8 * trusted, `EWS mass on close frames: ${trusted.toFixed(3)} trusting every label, ${doubted.toFixed(3)} with noise 0.3`);
  });

  test('a shared closer/wider direction moves every class one step where the class weights are held near zero', () => {
    // Half the frames carry a cue (z = 1) under which the truth is one class wider than the rules read, whatever the class.
    const random = seededRandom(13);
    const make = (seed: number) => frames(800, seed).filter((f) => f.cls < 7).map((f) => {
      const z = random() < 0.5 ? 1 : 0;
      return { z, f, truth: f.cls + z };
    });
    const rows: SetLabelledRow[] = make(7).map(({ z, f, truth }) => ({ x: [z], allowed: [truth], set: 's', label: CANONICAL_SCALES[truth]!, offset: rulesOffset(f.rules) }));
    const test = make(8);
    const hits = (model: ReturnType<typeof trainSetHead>): number =>
      test.filter(({ z, f, truth }) => argmax(predictWithOffset(model, [z], rulesOffset(f.rules))) === truth).length / test.length;
    const options = { epochs: 60, l2: 3, learningRate: 0.05 };
    const plain = hits(trainSetHead(rows, options)), shifted = hits(trainSetHead(rows, { ...options, shiftL2: 0.01 }));
    // One vector serves every class: its folded weights give each class c the logit c * u * z. (The rules' soft
    // probabilities cap what any head gets here: with class weights left free, 0.75.)
    assert.ok(shifted > 0.7 && shifted > plain + 0.2, `exact ${plain.toFixed(2)} with class weights alone, ${shifted.toFixed(2)} with the shared direction`);
  });
});

describe('multi-set calibration', () => {
  function set(name: string, taxonomy: string, seed: number, shift: number): LabelledSet {
    const tax = findTaxonomy(taxonomy)!;
    return {
      name,
      labels: `${name}/labels.csv`,
      taxonomy: tax,
      // Each set's annotators draw the lines `shift` classes off: a convention.
      samples: frames(300, seed).map((f) => ({ features: [f.x], rules: f.rules, label: tax.classOfCanonical[Math.min(7, Math.max(0, Math.round(f.x + shift)))]! })),
    };
  }

  test('per set: rules alone, cross-validated with the other sets, and leave-one-set-out; the head records them', () => {
    const sets = [set('tight', 'cinescale', 3, -0.3), set('coarse', 'cinemanet', 4, 0.2)];
    const reports = evaluateSets(sets, 3, { epochs: 30 });
    assert.deepEqual(reports.map((r) => [r.name, r.taxonomy, r.count]), [['tight', 'cinescale', 300], ['coarse', 'cinemanet', 300]]);
    for (const r of reports) {
      assert.ok(r.leaveOneSetOut, `${r.name} has a leave-one-set-out figure`);
      for (const s of [r.rules, r.crossValidated, r.leaveOneSetOut]) assert.ok(s.exact > 0.4 && s.exact <= 1 && s.withinOne >= s.exact, JSON.stringify(s));
    }
    const head = fitHead(sets, ['axis'], reports, 'synthetic', { epochs: 30 });
    assert.equal(head.output, 'rules-residual');
    assert.deepEqual(head.classes, [...CANONICAL_SCALES]);
    assert.deepEqual(head.provenance.sets!.map((s) => [s.name, s.taxonomy, s.count, s.leaveOneSetOut!.exact]), reports.map((r) => [r.name, r.taxonomy, r.count, Math.round(r.leaveOneSetOut!.exact * 10000) / 10000]));
    assert.equal(evaluateSets([sets[0]!], 3, { epochs: 10 })[0]!.leaveOneSetOut, null, 'one set: no leave-one-set-out');
  });

  test('a frame with its mirror analysed is scored as the mean of the two views, and trained on the picture alone', () => {
    const model = trainSetHead(set('tight', 'cinescale', 3, 0).samples.map((s) => ({ x: s.features, allowed: [s.label], set: 'tight', label: String(s.label), offset: rulesOffset(s.rules), split: s.rules })), { epochs: 20 });
    const [a, b] = frames(2, 9);
    const picture = { features: [a!.x], rules: a!.rules, label: 0 };
    const mirror = { features: [b!.x], rules: b!.rules };
    const both = predictSample(model, { ...picture, mirrored: mirror });
    const one = predictSample(model, picture), other = predictSample(model, { ...mirror, label: 0 });
    both.forEach((p, c) => assert.ok(Math.abs(p - (one[c]! + other[c]!) / 2) < 1e-12, `class ${c}`));
    // The views change the scores, not the fit: a mirror that reads the other way lowers CV and rules alone.
    const sets = [set('tight', 'cinescale', 3, 0), set('coarse', 'cinemanet', 4, 0)];
    const misread = sets.map((s) => ({ ...s, samples: s.samples.map((x) => ({ ...x, mirrored: { features: [7 - (x.features as number[])[0]!], rules: [...x.rules].reverse() } })) }));
    assert.deepEqual(rowsOf(misread[0]!).map((r) => r.x), rowsOf(sets[0]!).map((r) => r.x), 'training rows: the pictures alone');
    const [plain, mirrored] = [evaluateSets(sets, 3, { epochs: 20 }), evaluateSets(misread, 3, { epochs: 20 })];
    for (let i = 0; i < 2; i++) {
      assert.ok(mirrored[i]!.rules.exact < plain[i]!.rules.exact - 0.2, `rules: ${mirrored[i]!.rules.exact} vs ${plain[i]!.rules.exact}`);
      assert.ok(mirrored[i]!.leaveOneSetOut!.exact < plain[i]!.leaveOneSetOut!.exact - 0.2, 'leave-one-set-out');
    }
  });

  test('mean recall counts every class with frames the same, and leaves out classes without any', () => {
    const canonical = findTaxonomy('canonical')!;
    const oneHot = (c: number) => CANONICAL_SCALES.map((_, i) => (i === c ? 1 : 0));
    const samples = [0, 0, 0, 1].map((label) => ({ features: [0], rules: oneHot(label), label }));
    const scores = scoreSet(canonical, samples, [0, 0, 1, 1].map(oneHot));
    assert.equal(scores.exact, 0.75);
    assert.ok(Number.isNaN(scores.recall[2]!), 'a class without frames has no recall');
    assert.ok(Math.abs(scores.meanRecall - (2 / 3 + 1) / 2) < 1e-9, `mean recall ${scores.meanRecall}`);
  });
});
