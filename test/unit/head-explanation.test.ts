import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FramingHead } from '../../server/calibration/framing-head.js';
import { describeFeature, explainHead } from '../../server/calibration/head-explanation.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';

const NAMES = ['face_height', 'axis_bottom', 'spec_b0_o0', 'blur_c0'];
const MCU = 2, MS = 3;

/** A rules-residual head over NAMES whose MS logit leans on the feature at `lean` (and on nothing else but `bias`). */
function head(lean: number, bias = 0, output: FramingHead['output'] = 'rules-residual'): FramingHead {
  const weights = CANONICAL_SCALES.map(() => NAMES.map(() => 0));
  weights[MS]![lean] = 2;
  const biases = CANONICAL_SCALES.map(() => 0);
  biases[MS] = bias;
  return {
    schemaVersion: 1, kind: 'framing-head', taxonomy: 'canonical', classes: [...CANONICAL_SCALES], groups: CANONICAL_SCALES.map((s) => [s]),
    featureNames: NAMES, output,
    model: { mean: [0.3, 2, 0, 0], std: [0.1, 1, 1, 1], layers: [{ weights, bias: biases }] },
    provenance: { labels: 'x', count: 1, trainedAt: '', options: {} },
  };
}

describe('which cue a head decided on', () => {
  test('the feature that moved the class, in words', () => {
    assert.equal(explainHead(head(0), [0.45, 2, 0, 0], MCU, MS), 'face 45% of height');
    assert.equal(explainHead(head(1), [0.3, 3.2, 0, 0], MCU, MS), 'frame cuts at the waist (3.2 heads)');
  });

  test('texture features that have no words name their cue; the cue with the larger share wins', () => {
    assert.equal(explainHead(head(2), [0.3, 2, 1.5, 0], MCU, MS), "the scene's texture");
    // Two texture features together outweigh the face's small push.
    const h = head(2);
    h.model.layers[0]!.weights[MS]![3] = 2;
    h.model.layers[0]!.weights[MS]![0] = 1;
    assert.equal(explainHead(h, [0.35, 2, 1, 1], MCU, MS), "the scene's texture");
    assert.equal(explainHead(h, [0.9, 2, 1, 1], MCU, MS), 'face 90% of height');
  });

  test("the sets' own boundary when the bias outweighs every cue", () => {
    assert.equal(explainHead(head(0, 3), [0.31, 2, 0, 0], MCU, MS), "the labelled sets' boundary");
  });

  test('a feature pulling away from the new class does not speak for it', () => {
    // A face smaller than the mean pulls MS down: no cue pushed, the bias did.
    assert.equal(explainHead(head(0, 1), [0.2, 2, 0, 0], MCU, MS), "the labelled sets' boundary");
  });

  test('only rules-residual heads are explained', () => {
    assert.equal(explainHead(head(0, 0, 'groups'), [0.45, 2, 0, 0], MCU, MS), null);
  });

  test('feature words', () => {
    assert.equal(describeFeature('kp_knees', 0.8), 'knees in frame');
    assert.equal(describeFeature('kp_ankles', 0.1), 'feet out of frame');
    assert.equal(describeFeature('face_bottom', 1.1), 'chin below the frame');
    assert.equal(describeFeature('axis_seated', 1), 'seated');
    assert.equal(describeFeature('spec_b0_o0', 0.2), null);
    assert.equal(describeFeature('faint_person_height', 0.27), 'a faint figure 27% of height');
    assert.equal(describeFeature('faint_people_score', 0), 'no faint figures');
  });
});
