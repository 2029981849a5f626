import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaleSmoother, type SmoothingSettings } from '../../server/analysis/scale-smoother.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';

const N = CANONICAL_SCALES.length;

/** A probability vector with `p` on one class and the rest spread evenly. */
function peaked(label: CanonicalScale, p = 1): number[] {
  const i = CANONICAL_SCALES.indexOf(label);
  return Array.from({ length: N }, (_, k) => (k === i ? p : (1 - p) / (N - 1)));
}

/** Two-class mixture: `a` gets pa, `b` gets 1 - pa. */
function mix(a: CanonicalScale, pa: number, b: CanonicalScale): number[] {
  const out = new Array<number>(N).fill(0);
  out[CANONICAL_SCALES.indexOf(a)] = pa;
  out[CANONICAL_SCALES.indexOf(b)] = 1 - pa;
  return out;
}

const idx = (label: CanonicalScale) => CANONICAL_SCALES.indexOf(label);

function smoother(overrides: Partial<SmoothingSettings> = {}): ScaleSmoother {
  return new ScaleSmoother({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5, ...overrides });
}

describe('ScaleSmoother', () => {
  test('the first frame sets the label and probabilities directly', () => {
    const s = smoother();
    const raw = mix('WS', 0.7, 'CU');
    const out = s.update(raw, 12_345);
    assert.equal(out.label, 'WS');
    assert.equal(out.confidence, 0.7);
    assert.deepEqual(out.smoothed, raw);
  });

  test('a frame of weight w moves the average as a time constant tau / w would', () => {
    const full = smoother({ timeConstantS: 1.2, hysteresisMargin: 0, hysteresisHoldS: 0 });
    const half = smoother({ timeConstantS: 0.6, hysteresisMargin: 0, hysteresisHoldS: 0 });
    full.update(peaked('MS'), 0);
    half.update(peaked('MS'), 0);
    for (let t = 200; t <= 1200; t += 200) {
      const a = full.update(peaked('EWS'), t), b = half.update(peaked('EWS'), t, 0.5);
      assert.ok(Math.abs(a.smoothed[idx('EWS')]! - b.smoothed[idx('EWS')]!) < 1e-12, `at ${t} ms`);
    }
    // After tau / w seconds, 1 - 1/e of the step.
    assert.ok(Math.abs(half.update(peaked('EWS'), 1200, 0.5).smoothed[idx('EWS')]! - (1 - Math.exp(-1))) < 1e-9);
  });

  test('the returned vector is a copy', () => {
    const s = smoother();
    const raw = peaked('MS');
    const out = s.update(raw, 0);
    out.smoothed[0] = 99;
    raw[idx('MS')] = 0;
    const next = s.update(peaked('MS'), 100);
    assert.ok(next.smoothed[0]! < 1);
    assert.equal(next.label, 'MS');
  });

  for (const fps of [5, 30]) {
    test(`after one time constant a step reaches 1 - 1/e of the step (${fps} fps)`, () => {
      const tau = 1;
      const s = smoother({ timeConstantS: tau, hysteresisMargin: 0, hysteresisHoldS: 0 });
      s.update(peaked('CU'), 0);
      const dtMs = 1000 / fps;
      let out = s.update(peaked('FS'), dtMs);
      for (let k = 2; k <= fps * tau; k++) out = s.update(peaked('FS'), k * dtMs);
      const expected = 1 - Math.exp(-1);
      assert.ok(Math.abs(out.smoothed[idx('FS')]! - expected) < 1e-9, `FS ${out.smoothed[idx('FS')]} vs ${expected}`);
      assert.ok(Math.abs(out.smoothed[idx('CU')]! - Math.exp(-1)) < 1e-9);
      const sum = out.smoothed.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, 'a convex combination of distributions still sums to 1');
    });
  }

  test('the response depends on elapsed time, not frame count (one big gap equals many small steps)', () => {
    const a = smoother({ timeConstantS: 0.5 });
    const b = smoother({ timeConstantS: 0.5 });
    a.update(peaked('CU'), 0);
    b.update(peaked('CU'), 0);
    const one = a.update(peaked('WS'), 300);
    let many = b.update(peaked('WS'), 10);
    for (let t = 20; t <= 300; t += 10) many = b.update(peaked('WS'), t);
    for (let i = 0; i < N; i++) assert.ok(Math.abs(one.smoothed[i]! - many.smoothed[i]!) < 1e-9, `class ${i}`);
    assert.ok(Math.abs(one.smoothed[idx('WS')]! - (1 - Math.exp(-0.6))) < 1e-9);
  });

  test('a frame with the same or an earlier timestamp changes nothing', () => {
    const s = smoother();
    s.update(peaked('CU'), 1000);
    assert.deepEqual(s.update(peaked('WS'), 1000).smoothed, peaked('CU'));
    assert.deepEqual(s.update(peaked('WS'), 900).smoothed, peaked('CU'));
  });

  test('timeConstantS 0 means no smoothing', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0, hysteresisHoldS: 0 });
    s.update(peaked('CU'), 0);
    const raw = mix('EWS', 0.9, 'CU');
    const out = s.update(raw, 1);
    assert.deepEqual(out.smoothed, raw);
    assert.equal(out.label, 'EWS');
    assert.equal(out.confidence, 0.9);
  });

  test('hysteresis: a label that leads by less than the margin never takes over', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0.1, hysteresisHoldS: 0.2 });
    s.update(mix('MS', 0.6, 'FS'), 0);
    // FS leads MS by 0.06 < 0.1, for a long time.
    for (let t = 100; t <= 10_000; t += 100) {
      const out = s.update(mix('FS', 0.53, 'MS'), t);
      assert.equal(out.label, 'MS', `at ${t} ms`);
      assert.ok(Math.abs(out.confidence - 0.47) < 1e-12, 'confidence is the current label’s probability');
    }
  });

  test('hysteresis: a label that leads by more than the margin takes over only after holdS', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0.1, hysteresisHoldS: 0.4 });
    s.update(peaked('MS'), 0);
    // From t = 100 ms, FS leads by 0.4.
    assert.equal(s.update(mix('FS', 0.7, 'MS'), 100).label, 'MS');
    assert.equal(s.update(mix('FS', 0.7, 'MS'), 300).label, 'MS');
    assert.equal(s.update(mix('FS', 0.7, 'MS'), 499).label, 'MS', 'just before holdS');
    const out = s.update(mix('FS', 0.7, 'MS'), 500);
    assert.equal(out.label, 'FS', 'at holdS');
    assert.ok(Math.abs(out.confidence - 0.7) < 1e-12);
    // And it sticks.
    assert.equal(s.update(mix('FS', 0.7, 'MS'), 600).label, 'FS');
  });

  test('hysteresis with holdS 0 switches as soon as the margin is exceeded', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0.1, hysteresisHoldS: 0 });
    s.update(peaked('MS'), 0);
    assert.equal(s.update(mix('FS', 0.56, 'MS'), 10).label, 'FS');
  });

  test('a brief blip shorter than holdS does not flip the label (no flicker)', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0.1, hysteresisHoldS: 0.4 });
    s.update(peaked('CU'), 0);
    const labels: string[] = [];
    let t = 0;
    // Repeated blips of 300 ms of WS between 200 ms of CU: never 400 ms in a row.
    for (let cycle = 0; cycle < 10; cycle++) {
      for (let k = 0; k < 3; k++) labels.push(s.update(peaked('WS'), (t += 100)).label);
      for (let k = 0; k < 2; k++) labels.push(s.update(peaked('CU'), (t += 100)).label);
    }
    assert.deepEqual(new Set(labels), new Set(['CU']));
  });

  test('with real smoothing a one-frame blip does not flip the label', () => {
    const s = smoother(); // defaults: 0.6 s, 0.08, 0.4 s
    const labels: string[] = [];
    for (let t = 0; t <= 2000; t += 200) labels.push(s.update(peaked('MCU'), t).label);
    labels.push(s.update(peaked('EWS'), 2200).label);
    for (let t = 2400; t <= 4000; t += 200) labels.push(s.update(peaked('MCU'), t).label);
    assert.deepEqual(new Set(labels), new Set(['MCU']));
  });

  test('a challenger that changes identity restarts the hold', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0.1, hysteresisHoldS: 0.4 });
    s.update(peaked('MS'), 0);
    s.update(peaked('FS'), 100); // FS challenges from 100
    s.update(peaked('WS'), 300); // WS challenges from 300
    assert.equal(s.update(peaked('WS'), 600).label, 'MS', 'WS has led only 300 ms');
    assert.equal(s.update(peaked('WS'), 700).label, 'WS');
  });

  test('a challenger that drops back below the margin restarts the hold', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0.1, hysteresisHoldS: 0.4 });
    s.update(peaked('MS'), 0);
    s.update(peaked('FS'), 100);
    s.update(peaked('FS'), 300);
    s.update(mix('MS', 0.5, 'FS'), 400); // tie: FS no longer leads
    assert.equal(s.update(peaked('FS'), 500).label, 'MS');
    assert.equal(s.update(peaked('FS'), 800).label, 'MS', 'only 300 ms since FS led again');
    assert.equal(s.update(peaked('FS'), 900).label, 'FS');
  });

  test('reset(): the next frame sets the label immediately', () => {
    const s = smoother({ timeConstantS: 10, hysteresisMargin: 0.5, hysteresisHoldS: 100 });
    s.update(peaked('ECU'), 0);
    assert.equal(s.update(peaked('EWS'), 100).label, 'ECU');
    s.reset();
    const out = s.update(peaked('EWS'), 200);
    assert.equal(out.label, 'EWS');
    assert.deepEqual(out.smoothed, peaked('EWS'));
    assert.equal(out.confidence, 1);
    // And smoothing continues from the new start.
    const next = s.update(peaked('ECU'), 300);
    assert.equal(next.label, 'EWS');
    assert.ok(next.smoothed[idx('EWS')]! > 0.99);
  });

  test('a pending challenger is forgotten on reset', () => {
    const s = smoother({ timeConstantS: 0, hysteresisMargin: 0.1, hysteresisHoldS: 0.4 });
    s.update(peaked('MS'), 0);
    s.update(peaked('FS'), 100); // FS challenges from 100
    s.reset();
    s.update(peaked('MS'), 450);
    // FS leads again from 460; its earlier challenge must not count.
    assert.equal(s.update(peaked('FS'), 460).label, 'MS');
    assert.equal(s.update(peaked('FS'), 800).label, 'MS');
    assert.equal(s.update(peaked('FS'), 860).label, 'FS');
  });
});

describe('ScaleSmoother with alternating views (pairViews)', () => {
  // A still held after a cut whose two views disagree: the picture reads MCU (0.6 against 0.4 CU),
  // its mirror CU (0.7 against 0.3 MCU); both together, CU (0.55 against 0.45), as a still picture is read.
  // One by one at 3 frames a second, the average leads with CU by 0.18 after a mirror and 0.02 after a picture:
  // under the margin (0.08) every other frame, the change is never held long enough.
  const picture = mix('MCU', 0.6, 'CU');
  const mirror = mix('CU', 0.7, 'MCU');
  const feed = (s: ScaleSmoother, frames: number) => Array.from({ length: frames }, (_, i) => s.update(i % 2 ? mirror : picture, i * 333).label);

  test('alone, the views swing the average from frame to frame and the label the first view set holds for good', () => {
    const labels = feed(smoother(), 12);
    assert.deepEqual([...new Set(labels)], ['MCU'], labels.join(' '));
  });

  test('paired, the first frame sets the label at once and the first pair sets it again, to what both views read; then it holds', () => {
    const s = smoother({ pairViews: true });
    const labels = feed(s, 12);
    assert.equal(labels[0], 'MCU', 'the first frame, one view, is read at once');
    assert.deepEqual(labels.slice(1), new Array(11).fill('CU'), labels.join(' '));
    // After a reset (a cut) the next frame is a first frame again: no pair across the cut.
    s.reset();
    assert.equal(s.update(mix('WS', 0.9, 'FS'), 10_000).label, 'WS');
    assert.deepEqual(s.update(mix('WS', 0.8, 'FS'), 10_333).smoothed.slice(idx('FS'), idx('WS') + 1).map((p) => Math.round(p * 100)), [15, 85]);
  });

  test('a frame with no picture pairs with nothing and holds the label; the next frame pairs with the last one that had a picture', () => {
    const s = smoother({ pairViews: true });
    s.update(picture, 0);
    assert.equal(s.update(mirror, 333).label, 'CU');
    assert.equal(s.update(peaked('EWS'), 666, 0).label, 'CU', 'no picture: held');
    // Paired with the mirror (the last frame with a picture), not with the flat frame.
    const next = s.update(picture, 1000);
    assert.equal(next.label, 'CU');
    assert.ok(next.smoothed[idx('EWS')]! < 0.01, `the flat frame's reading stays out: ${next.smoothed[idx('EWS')]}`);
  });
});
