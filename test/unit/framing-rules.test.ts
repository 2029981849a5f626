/** Rule probabilities, reasons and subjects on hand-built detections. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detections } from '../../server/inference/framing/detector-runner.js';
import { activeFrame, DEFAULT_FEATURE_THRESHOLDS, framingFeatures } from '../../server/inference/framing/framing-features.js';
import { framingRules, softScale } from '../../server/inference/framing/framing-rules.js';
import { subjectsOf } from '../../server/inference/framing/subjects.js';
import { CANONICAL_SCALES, argmax } from '../../server/shared/scale.js';
import { face, person } from './framing-test-helpers.js';

const FULL = { x0: 0, y0: 0, x1: 1, y1: 1 };
const DETAILED = { lumMean: 0.5, lumStd: 0.2, satMean: 0.3, edgeDensity: 0.25, centreSharpness: 1, skyTop: 0.4, topSmoothness: 0.8, darkFraction: 0 };
const SOFT = { ...DETAILED, edgeDensity: 0.01, skyTop: 0, centreSharpness: 2 };

function classify(d: Detections, cues = DETAILED) {
  const r = framingRules(framingFeatures(d, FULL, cues, 320, 192));
  return { ...r, label: CANONICAL_SCALES[argmax(r.probabilities)] };
}
const subjects = (d: Detections) => subjectsOf(d, activeFrame(FULL, 320, 192), DEFAULT_FEATURE_THRESHOLDS);

describe('framing rules', () => {
  test('a face 60% of the height, shoulders below -> CU', () => {
    const r = classify({ people: [person({ head: 0.3, shoulders: 0.95 }, { xMin: 0.2, yMin: 0, xMax: 0.8, yMax: 1 })], faces: [face(0.6)] });
    assert.equal(r.label, 'CU');
    assert.match(r.reason, /frame cuts at the shoulders \(1\.\d heads\) -> CU/);
  });
  test('a face overflowing the frame, chin cut, partial -> ECU', () => {
    assert.equal(classify({ people: [], faces: [face(1.1, 0.5, 0.6, 0.5)] }).label, 'ECU');
  });
  test('hips just in, knees out -> MS, with the reason', () => {
    const r = classify({ people: [person({ head: 0.15, shoulders: 0.4, elbows: 0.65, hips: 0.95 })], faces: [] });
    assert.equal(r.label, 'MS');
    assert.match(r.reason, /frame cuts at the hips \(4\.\d heads\) -> MS/);
  });
  test('the same body cut lower down the thigh -> MWS: where the edge falls, not which parts are in', () => {
    const r = classify({ people: [person({ head: 0.1, shoulders: 0.25, elbows: 0.4, hips: 0.65 })], faces: [] });
    assert.equal(r.label, 'MWS');
    assert.match(r.reason, /frame cuts at the (thighs|knees)/);
  });
  test('knees in, feet out -> MWS', () => {
    assert.equal(classify({ people: [person({ head: 0.1, shoulders: 0.25, hips: 0.55, knees: 0.85 })], faces: [] }).label, 'MWS');
  });
  test('whole body filling the height -> FS; small -> WS; tiny -> EWS', () => {
    const body = { head: 0.1, shoulders: 0.25, hips: 0.5, knees: 0.7, ankles: 0.9 };
    assert.equal(classify({ people: [person(body, { xMin: 0.4, yMin: 0.05, xMax: 0.6, yMax: 0.95 })], faces: [] }).label, 'FS');
    const small = { head: 0.45, shoulders: 0.5, hips: 0.58, knees: 0.65, ankles: 0.7 };
    const ws = classify({ people: [person(small, { xMin: 0.45, yMin: 0.42, xMax: 0.55, yMax: 0.72 }), person(small, { xMin: 0.2, yMin: 0.42, xMax: 0.3, yMax: 0.72 })], faces: [] });
    assert.equal(ws.label, 'WS');
    assert.match(ws.reason, /^2 people, feet in, body small in frame/);
    assert.equal(classify({ people: [person({ head: 0.5, hips: 0.53, knees: 0.55, ankles: 0.57 }, { xMin: 0.49, yMin: 0.49, xMax: 0.51, yMax: 0.58 })], faces: [] }).label, 'EWS');
  });
  test('a full body under half the height that still reads FS is not called small', () => {
    // About 40% of the height, feet in: a full shot by its position on the scale.
    const body = { head: 0.45, shoulders: 0.5, hips: 0.62, knees: 0.72, ankles: 0.82 };
    const fs = classify({ people: [person(body, { xMin: 0.45, yMin: 0.42, xMax: 0.55, yMax: 0.84 })], faces: [] });
    assert.equal(fs.label, 'FS');
    assert.doesNotMatch(fs.reason, /small/);
    assert.match(fs.reason, /feet in, body \d+% of height -> FS/);
  });
  test('nothing detected: says so, with low confidence and spread probabilities', () => {
    const wide = classify({ people: [], faces: [] });
    assert.equal(wide.label, 'EWS');
    assert.match(wide.reason, /no person or face found/);
    // The sky cue is bright, bluish or grey pixels at the top, which a pale wall is too: it names what it measured.
    assert.match(wide.reason, /bright, plain top third \(sky or a pale wall\) -> EWS/);
    assert.ok(wide.confidence <= 0.25);
    assert.ok(Math.max(...wide.probabilities) < 0.6);
    const soft = classify({ people: [], faces: [] }, SOFT);
    assert.match(soft.reason, /no person or face found/);
    assert.ok(['ECU', 'CU'].includes(soft.label!));
  });
  test('a soft, dim picture with faint figures in it is a scene with someone in it, not a macro shot', () => {
    const DIM = { ...SOFT, lumMean: 0.12, darkFraction: 0.6 };
    // Person scores under the count (0.3): not a person, but a figure is there.
    const faint = (score: number, yMin: number) => person({}, { xMin: 0.45, yMin, xMax: 0.55, yMax: 0.95 }, score);
    const far = classify({ people: [faint(0.25, 0.75)], faces: [] }, DIM);
    assert.ok(['FS', 'WS', 'EWS'].includes(far.label!), far.reason);
    assert.match(far.reason, /no person or face found for sure; little detail, a faint figure 20% of height -> (FS|WS|EWS)/);
    const tall = classify({ people: [faint(0.25, 0.1)], faces: [] }, DIM);
    assert.ok(['MCU', 'MS', 'MWS'].includes(tall.label!), tall.reason);
    // Fainter than that, the soft picture still reads as a detail.
    const detail = classify({ people: [faint(0.12, 0.1)], faces: [] }, DIM);
    assert.ok(['ECU', 'CU'].includes(detail.label!), detail.reason);
    assert.match(detail.reason, /soft texture/);
  });
  test('nobody found and a round, dark-centred shape filling the picture: an eye in macro, however detailed the scene', () => {
    const eye = { rim: 1, radius: 0.2, contrast: 0.4, conc: 2, score: 0.8 };
    const r = framingRules(framingFeatures({ people: [], faces: [] }, FULL, DETAILED, 320, 192, DEFAULT_FEATURE_THRESHOLDS, () => eye));
    assert.equal(CANONICAL_SCALES[argmax(r.probabilities)], 'ECU');
    assert.match(r.reason, /no face found; a round, dark-centred shape 40% of height \(an eye's iris in macro\) -> ECU/);
    // Not sure enough: the detailed scene reads wide, as before.
    const faint = framingRules(framingFeatures({ people: [], faces: [] }, FULL, DETAILED, 320, 192, DEFAULT_FEATURE_THRESHOLDS, () => ({ ...eye, score: 0.2 })));
    assert.match(faint.reason, /wide detailed scene|bright, plain top third/);
    // A face found: the cue is not even looked for.
    let asked = 0;
    const withFace = framingFeatures({ people: [], faces: [face(0.5)] }, FULL, DETAILED, 320, 192, DEFAULT_FEATURE_THRESHOLDS, () => { asked++; return eye; });
    assert.equal(asked, 0);
    assert.equal(withFace.round_eye, 0);
  });
  test('probabilities sum to 1 and neighbours get mass', () => {
    const p = softScale(3, 0.55);
    assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-9);
    assert.equal(argmax(p), 3);
    assert.ok(p[2]! > 0.1 && p[4]! > 0.1 && p[0]! < 0.01);
  });
});

describe('subjects', () => {
  test('nobody -> none', () => {
    assert.deepEqual(subjects({ people: [], faces: [] }), { count: 0, kind: 'none', framing: 'none', overTheShoulder: false });
  });
  test('one big face -> face, single', () => {
    const s = subjects({ people: [], faces: [face(0.6)] });
    assert.equal(s.kind, 'face');
    assert.equal(s.framing, 'single');
    assert.equal(s.count, 1);
  });
  test('two similar people -> people, two-shot; a face inside a body is not counted twice', () => {
    const a = person({ head: 0.2, shoulders: 0.4, hips: 0.8 }, { xMin: 0.1, yMin: 0.1, xMax: 0.4, yMax: 0.95 });
    const b = person({ head: 0.2, shoulders: 0.4, hips: 0.8 }, { xMin: 0.6, yMin: 0.12, xMax: 0.9, yMax: 0.95 });
    const s = subjects({ people: [a, b], faces: [face(0.15, 0.25, 0.2)] });
    assert.deepEqual(s, { count: 2, kind: 'people', framing: 'two-shot', overTheShoulder: false });
  });
  test('four people -> group', () => {
    const ps = [0.05, 0.3, 0.55, 0.8].map((x) => person({ head: 0.2, shoulders: 0.35 }, { xMin: x, yMin: 0.1, xMax: x + 0.15, yMax: 0.9 }));
    assert.equal(subjects({ people: ps, faces: [] }).framing, 'group');
  });
  test('over the shoulder: a large back-turned person cut by the edge, facing a smaller one', () => {
    const back = person({ shoulders: 0.6 }, { xMin: -0.1, yMin: 0.1, xMax: 0.35, yMax: 1 });
    const front = person({ head: 0.35, shoulders: 0.55 }, { xMin: 0.55, yMin: 0.25, xMax: 0.8, yMax: 0.95 });
    assert.equal(subjects({ people: [back, front], faces: [face(0.2, 0.67, 0.35)] }).overTheShoulder, true);
    assert.equal(subjects({ people: [front], faces: [face(0.2, 0.67, 0.35)] }).overTheShoulder, false);
  });
});
