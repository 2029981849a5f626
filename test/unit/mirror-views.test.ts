import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { feedViews, meanOfViews, runModels } from '../../server/inference/inference-runner.js';
import { mirrorRgb, ViewAlternation } from '../../server/inference/mirror-view.js';
import type { FrameInput, ScalePrediction, ShotScaleModel } from '../../server/inference/model.js';
import type { Frame } from '../../server/shared/frame.js';
import { argmax } from '../../server/shared/scale.js';

const W = 4, H = 2;

/** A picture dark on the left, bright on the right (pixel x has value 10 * x + y). */
function frame(cameraId = 'a', seq = 0): Frame {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(10 * x + y, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return { cameraId, seq, session: 1, timeS: seq, captureTime: 0, width: W, height: H, data };
}

/** A model that sees which side of the picture is brighter: CU when the left is, MS when the right is. */
const sided: ShotScaleModel & { seen: FrameInput[] } = {
  name: 'sided',
  input: { width: W, height: H, resize: 'stretch' },
  executionProvider: 'cpu',
  seen: [],
  async predict(frames) {
    return frames.map((f) => {
      sided.seen.push(f);
      const leftBrighter = f.data[0]! > f.data[(W - 1) * 3]!;
      const probabilities = leftBrighter ? [0, 0.7, 0.1, 0.2, 0, 0, 0, 0] : [0, 0.1, 0.3, 0.6, 0, 0, 0, 0];
      return { probabilities, reason: leftBrighter ? 'left' : 'right', analysis: { features: Float32Array.of(f.data[0]!), rules: probabilities } };
    });
  },
  async dispose() {},
};
const profile = () => ({ models: [{ name: 'sided', model: sided, weight: 1 }], head: null });

describe('mirrored views', () => {
  test('a mirror reverses each row of pixels, keeps the rest, and twice is the picture again', () => {
    const f = frame();
    const m = mirrorRgb(f);
    assert.deepEqual([m.width, m.height, m.cameraId, m.seq], [W, H, 'a', 0]);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) assert.equal(m.data[(y * W + x) * 3], 10 * (W - 1 - x) + y, `pixel ${x},${y}`);
    assert.equal(f.data[0], 0, 'the picture itself is untouched');
    assert.deepEqual(mirrorRgb(m).data, f.data);
  });

  test('a feed alternates per camera, counted on the frames analysed', () => {
    const views = new ViewAlternation();
    assert.deepEqual(['a', 'a', 'b', 'a', 'b', 'b'].map((c) => views.mirrored(c)), [false, true, false, false, true, false]);
  });

  test('forgets a removed camera: one added again under its id starts with the picture as it is', () => {
    const views = new ViewAlternation();
    assert.equal(views.mirrored('a'), false);
    views.forget('a');
    assert.equal(views.mirrored('a'), false, 'after forget');
    assert.equal(views.mirrored('a'), true);
  });

  test('a feed alternates views under model.mirrorViews, each feed with its own alternation; off, it is looked at as it is', async () => {
    assert.equal(feedViews(false), 'as-is');
    const one = feedViews(true), other = feedViews(true);
    assert.ok(one instanceof ViewAlternation && other instanceof ViewAlternation && one !== other);
    const alternating = await runModels([frame('a', 0), frame('a', 1)], profile, one);
    assert.deepEqual(alternating.map((p) => p.reason), ['right', 'left']);
    assert.equal(other.mirrored('a'), false, 'another feed starts with the picture as it is');
  });

  test('runModels: as is, alternating, and both ways with the mean of the views', async () => {
    const [asIs] = await runModels([frame()], profile);
    assert.equal(asIs!.reason, 'right');
    const alternating = await runModels([frame('a', 0), frame('a', 1), frame('b', 0)], profile, new ViewAlternation());
    assert.deepEqual(alternating.map((p) => p.reason), ['right', 'left', 'right'], 'the second frame of camera a is looked at mirrored');
    sided.seen.length = 0;
    const [both] = await runModels([frame()], profile, 'both');
    assert.equal(sided.seen.length, 2, 'the model ran on the picture and its mirror');
    assert.deepEqual(both!.probabilities.map((p) => Math.round(p * 100) / 100), [0, 0.4, 0.2, 0.4, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(both!.analysis!.features), [0]);
    assert.deepEqual(Array.from(both!.analysis!.mirrored!.features), [30], 'the mirror\'s analysis rides along for calibration');
  });

  test('the mean keeps the reason of the view that reads the class the mean does', () => {
    const p = (probabilities: number[], reason: string): ScalePrediction => ({ probabilities, reason });
    const picture = p([0, 0.6, 0.4, 0, 0, 0, 0, 0], 'picture: CU');
    const mirror = p([0, 0.1, 0.9, 0, 0, 0, 0, 0], 'mirror: MCU');
    const mean = meanOfViews(picture, mirror);
    assert.equal(argmax(mean.probabilities), 2);
    assert.equal(mean.reason, 'mirror: MCU');
    assert.equal(meanOfViews(picture, p([0, 0.5, 0.5, 0, 0, 0, 0, 0], 'tie')).reason, 'picture: CU', 'the picture\'s own when it agrees');
    assert.equal(meanOfViews(p([0.5, 0, 0, 0, 0.5, 0, 0, 0], 'x'), p([0, 0, 0.6, 0, 0.4, 0, 0, 0], 'y')).reason, 'x', 'neither reads it: the picture\'s');
  });
});
