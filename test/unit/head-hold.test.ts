/**
 * The head's hold: where a face is at least as tall as the picture and the
 * rules read ECU, the rules' reading stands whatever the head learnt; the
 * labels a head is fitted on can turn the hold off (a production that calls
 * such frames CU), and calibrate's figures are scored with the hold the head
 * will carry.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHead, parseHead } from '../../server/calibration/framing-head.js';
import { DEFAULT_HEAD_HOLD, fitReading, holdTest } from '../../server/calibration/head-hold.js';
import { DEFAULT_FEATURE_THRESHOLDS, featureVector, FRAMING_FEATURE_NAMES, framingFeatures } from '../../server/inference/framing/framing-features.js';
import { CALIBRATION_TRAIN_OPTIONS, evaluateSets, holdFor, residualHead, rowsOf, type LabelledSet } from '../../server/calibration/multi-set-calibration.js';
import { fitProduction } from '../../server/calibration/production-fit.js';
import { trainSetHead } from '../../server/calibration/set-label-training.js';
import { findTaxonomy } from '../../server/evaluation/taxonomies.js';
import { framingRules, softScale } from '../../server/inference/framing/framing-rules.js';
import { argmax, CANONICAL_SCALES } from '../../server/shared/scale.js';
import { seededRandom } from '../../server/shared/seeded-random.js';

const canonical = findTaxonomy('canonical')!;
const NAMES = ['face_present', 'face_height', 'noise'];
const ECU = 0, CU = 1;
const RULES_ECU = softScale(0.3, 0.6);

/**
 * Faces from 0.7 to 1.3 of the picture high, the rules reading ECU from 0.95 up; the labels call
 * a face ECU from `ecuFrom` on (a set that calls faces filling the picture CU has ecuFrom > 1.3).
 */
function faces(name: string, count: number, ecuFrom: number, seed: number): LabelledSet {
  const random = seededRandom(seed);
  const samples = Array.from({ length: count }, () => {
    const height = 0.7 + random() * 0.6;
    return { features: [1, height, random()], rules: height >= 0.95 ? RULES_ECU : softScale(1, 0.6), label: height >= ecuFrom ? ECU : CU };
  });
  return { name, labels: `${name}.csv`, taxonomy: canonical, samples };
}

function ecuHead(sets: LabelledSet[]) {
  return residualHead(trainSetHead(sets.flatMap((set) => rowsOf(set)), { ...CALIBRATION_TRAIN_OPTIONS, epochs: 20 }), NAMES, { labels: 'base', count: 0, trainedAt: '', options: {} }, DEFAULT_HEAD_HOLD);
}

describe('the head hold', () => {
  test('holds only a reading of ECU with a face found at least as tall as the picture, and only where the features say so', () => {
    const test = holdTest(DEFAULT_HEAD_HOLD, NAMES)!;
    assert.equal(test([1, 1.0, 0], RULES_ECU), true);
    assert.equal(test([1, 1.4, 0], RULES_ECU), true);
    assert.equal(test([1, 0.99, 0], RULES_ECU), false, 'a face that fits in the picture');
    assert.equal(test([0, 1.2, 0], RULES_ECU), false, 'no face found');
    assert.equal(test([1, 1.2, 0], softScale(1, 0.6)), false, 'the rules read CU');
    assert.equal(holdTest(undefined, NAMES), null, 'no hold');
    assert.equal(holdTest(DEFAULT_HEAD_HOLD, ['axis']), null, 'features without a face');
  });

  test('holds the rules\' ECU where nobody is found and a round, dark-centred shape (an eye in macro) is sure enough', () => {
    const names = ['face_present', 'face_height', 'round_eye'];
    const test = holdTest(DEFAULT_HEAD_HOLD, names)!;
    const sure = DEFAULT_HEAD_HOLD.ecuRoundEye!;
    assert.equal(test([0, 0, sure], RULES_ECU), true);
    assert.equal(test([0, 0, sure * 0.9], RULES_ECU), false, 'a round shape not sure enough');
    assert.equal(test([0, 0, sure * 2], softScale(7, 1)), false, 'the rules read the frame wide');
    assert.equal(holdTest({ ecuFaceHeight: 1 }, names)!([0, 0, sure * 2], RULES_ECU), false, 'a hold without the round eye (a head saved before it)');
  });

  test('where the round eye holds, the head is fitted against the rules\' reading without it; elsewhere against the rules as they are', () => {
    const nobody = { people: [], faces: [] };
    const detailed = { lumMean: 0.5, lumStd: 0.2, satMean: 0.3, edgeDensity: 0.25, centreSharpness: 1, skyTop: 0.1, topSmoothness: 0.8, darkFraction: 0 };
    const eye = { rim: 1, radius: 0.2, contrast: 0.4, conc: 2, score: 0.8 };
    const view = (score: number) => {
      const f = framingFeatures(nobody, { x0: 0, y0: 0, x1: 1, y1: 1 }, detailed, 320, 192, DEFAULT_FEATURE_THRESHOLDS, () => ({ ...eye, score }));
      return { features: featureVector(f), rules: framingRules(f).probabilities };
    };
    const fit = fitReading(DEFAULT_HEAD_HOLD, FRAMING_FEATURE_NAMES)!;
    const sure = view(0.8);
    assert.equal(argmax(sure.rules), ECU, 'the rules read the eye ECU');
    assert.equal(CANONICAL_SCALES[argmax(fit(sure.features, sure.rules))], 'EWS', 'fitted against the detailed scene\'s reading');
    const unsure = view(0.2);
    assert.equal(fit(unsure.features, unsure.rules), unsure.rules, 'no eye: the rules as they are');
    assert.equal(fitReading({ ecuFaceHeight: 1 }, FRAMING_FEATURE_NAMES), null, 'a hold without the eye changes nothing');
    assert.equal(fitReading(DEFAULT_HEAD_HOLD, NAMES), null, 'features that cannot say');
  });

  test('a head that learnt to call faces filling the picture CU leaves the rules\' ECU alone there, and only there', () => {
    const cuSet = faces('cu-line', 400, 9, 1);
    const model = trainSetHead(rowsOf(cuSet), { ...CALIBRATION_TRAIN_OPTIONS, epochs: 60 });
    const provenance = { labels: 'cu-line.csv', count: 400, trainedAt: '', options: {} };
    const held = parseHead(JSON.parse(JSON.stringify(residualHead(model, NAMES, provenance, DEFAULT_HEAD_HOLD))), 'held.json', NAMES);
    const free = parseHead(JSON.parse(JSON.stringify(residualHead(model, NAMES, provenance))), 'free.json', NAMES);
    assert.deepEqual(held.hold, DEFAULT_HEAD_HOLD, 'the hold is saved with the head and read back');
    const filling = [1, 1.1, 0.5];
    assert.equal(argmax(applyHead(free, filling, RULES_ECU)), CU, 'without the hold the head reads its CU');
    assert.deepEqual(applyHead(held, filling, RULES_ECU), RULES_ECU, 'held: the rules\' probabilities as they are');
    assert.equal(argmax(applyHead(held, [1, 0.9, 0.5], softScale(1, 0.6))), CU, 'a face that fits: the head decides');
    assert.throws(() => parseHead({ ...JSON.parse(JSON.stringify(held)), hold: { ecuFaceHeight: -1 } }, 'bad.json', NAMES), /hold/);
  });

  test('the labels decide whether a fit holds: most held frames labelled ECU keep it, most labelled CU turn it off', () => {
    assert.deepEqual(holdFor([faces('ecu-line', 200, 0.95, 2)], NAMES).hold, DEFAULT_HEAD_HOLD);
    const cu = holdFor([faces('cu-line', 200, 9, 3)], NAMES);
    assert.equal(cu.hold, undefined);
    assert.ok(cu.held > 50 && cu.ecu === 0, JSON.stringify(cu));
    const few = faces('few', 200, 9, 4);
    few.samples = few.samples.filter((s) => s.features[1]! < 0.95).concat(few.samples.filter((s) => s.features[1]! >= 1).slice(0, 4));
    assert.deepEqual(holdFor([few], NAMES).hold, DEFAULT_HEAD_HOLD, 'four such frames are too few to turn it off');
    assert.equal(holdFor([faces('cu-line', 200, 9, 3)], ['axis', 'noise', 'other']).hold, undefined, 'features without a face: nothing to hold');
  });

  test('calibrate scores the held frames as the head will read them', () => {
    const sets = [faces('cu-a', 300, 9, 5), faces('cu-b', 300, 9, 6)];
    const test = holdTest(DEFAULT_HEAD_HOLD, NAMES);
    const [free] = evaluateSets(sets, 3, { epochs: 40 });
    const [held] = evaluateSets(sets, 3, { epochs: 40 }, undefined, test);
    // Both sets call every face CU; held, the frames the rules read ECU from 0.95 up stay ECU and count as wrong.
    assert.ok(free!.leaveOneSetOut!.exact > 0.9, `free: ${free!.leaveOneSetOut!.exact}`);
    assert.ok(held!.leaveOneSetOut!.exact < 0.7, `held: ${held!.leaveOneSetOut!.exact}`);
    assert.equal(held!.leaveOneSetOut!.matrix[CU]![ECU]! > 50, true);
  });

  test('a production whose labels call faces filling the picture CU is fitted without the hold; one that calls them ECU keeps it', () => {
    const base = [faces('base-a', 200, 0.95, 7), faces('base-b', 200, 0.95, 8)];
    const cuProduction = fitProduction({ base, production: [faces('ours', 120, 9, 9)], featureNames: NAMES, from: null, modelName: 'synthetic', folds: 3, options: { epochs: 40 } });
    assert.equal(cuProduction.head.hold, undefined);
    assert.notDeepEqual(applyHead(cuProduction.head, [1, 1.2, 0.5], RULES_ECU), RULES_ECU, 'the head decides there');
    const ecuProduction = fitProduction({ base, production: [faces('ours', 120, 0.95, 10)], featureNames: NAMES, from: null, modelName: 'synthetic', folds: 3, options: { epochs: 40 } });
    assert.deepEqual(ecuProduction.head.hold, DEFAULT_HEAD_HOLD);
  });

  test('too few labelled frames to say: the head a production starts from keeps its say', () => {
    const base = [faces('base-a', 200, 0.95, 11)];
    const few = faces('ours', 80, 9, 12);
    few.samples = few.samples.filter((s) => s.features[1]! < 0.95);
    const unheld = fitProduction({ base, production: [faces('ours', 120, 9, 13)], featureNames: NAMES, from: null, modelName: 'synthetic', folds: 0, options: { epochs: 20 } }).head;
    assert.equal(unheld.hold, undefined);
    const next = fitProduction({ base, production: [few], featureNames: NAMES, from: unheld, modelName: 'synthetic', folds: 0, options: { epochs: 20 } }).head;
    assert.equal(next.hold, undefined, 'a later fit on corrections without such frames does not bring the hold back');
    const held = fitProduction({ base, production: [few], featureNames: NAMES, from: ecuHead(base), modelName: 'synthetic', folds: 0, options: { epochs: 20 } }).head;
    assert.deepEqual(held.hold, DEFAULT_HEAD_HOLD);
  });
});
