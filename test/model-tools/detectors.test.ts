/** Unit tests of the detector decoders on synthetic outputs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLAZEFACE_BACK_ANCHORS, BLAZEFACE_SHORT_ANCHORS, generateSsdAnchors } from '../../server/inference/detectors/ssd-anchors.js';
import { decodeBlazeFace } from '../../server/inference/detectors/blazeface-decoder.js';
import { decodeMoveNet, type MoveNetHeads } from '../../server/inference/detectors/movenet-decoder.js';
import { nms } from '../../server/inference/detectors/nms.js';
import { letterboxTransform, unletterboxPoint } from '../../server/inference/detectors/letterbox.js';

describe('ssd anchors', () => {
  it('back model: 16x16x2 + 8x8x6 = 896, cell-major order, unit size', () => {
    const a = generateSsdAnchors(BLAZEFACE_BACK_ANCHORS);
    assert.equal(a.length, 896);
    assert.deepEqual(a[0], { xCenter: 0.5 / 16, yCenter: 0.5 / 16, w: 1, h: 1 });
    assert.deepEqual(a[1], a[0]); // two anchors per 16x16 cell
    assert.equal(a[2]?.xCenter, 1.5 / 16);
    assert.deepEqual(a[512], { xCenter: 0.5 / 8, yCenter: 0.5 / 8, w: 1, h: 1 });
    assert.equal(a[512 + 6]?.xCenter, 1.5 / 8); // six per 8x8 cell
  });
  it('short-range model also has 896 anchors', () => {
    assert.equal(generateSsdAnchors(BLAZEFACE_SHORT_ANCHORS).length, 896);
  });
});

describe('blazeface decoder', () => {
  function outputs(batchSize: number): [Float32Array, Float32Array][] {
    return [[new Float32Array(batchSize * 512).fill(-20), new Float32Array(batchSize * 512 * 16)],
      [new Float32Array(batchSize * 384).fill(-20), new Float32Array(batchSize * 384 * 16)]];
  }
  it('decodes an anchor-relative box and keypoints, per batch index', () => {
    const parts = outputs(2);
    const [s16, b16] = parts[0] as [Float32Array, Float32Array];
    // Image 1, anchor 2 (centre 1.5/16, 0.5/16): shifted 8 px right, 64x32 px box.
    s16[512 + 2] = 4;
    b16.set([8, 0, 64, 32, 0, 0, 16, 16], (512 + 2) * 16);
    assert.equal(decodeBlazeFace(parts, 0, 2).length, 0);
    const [face, ...rest] = decodeBlazeFace(parts, 1, 2);
    assert.equal(rest.length, 0);
    assert.ok(face);
    const cx = 1.5 / 16 + 8 / 256, cy = 0.5 / 16;
    assert.ok(Math.abs(face.score - 1 / (1 + Math.exp(-4))) < 1e-6);
    assert.ok(Math.abs(face.box.xMin - (cx - 32 / 256)) < 1e-6 && Math.abs(face.box.yMax - (cy + 16 / 256)) < 1e-6);
    assert.ok(Math.abs((face.points[1]?.x ?? 0) - (1.5 / 16 + 16 / 256)) < 1e-6);
  });
  it('merges overlapping detections (weighted NMS) and keeps separate faces', () => {
    const parts = outputs(1);
    const [s16, b16] = parts[0] as [Float32Array, Float32Array];
    s16[0] = 3; s16[1] = 2; // same cell, same box: one face
    b16.set([0, 0, 40, 40], 0); b16.set([2, 0, 40, 40], 16);
    s16[300] = 3; b16.set([0, 0, 40, 40], 300 * 16); // far away cell
    const faces = decodeBlazeFace(parts, 0, 1);
    assert.equal(faces.length, 2);
    const merged = faces.find((f) => f.box.xMin < 0.1);
    assert.ok(merged && merged.box.xMin > 0.5 / 16 - 20 / 256 && merged.box.xMin < 0.5 / 16 - 18 / 256);
  });
});

describe('nms', () => {
  const det = (x: number, score: number) => ({ box: { xMin: x, yMin: 0, xMax: x + 1, yMax: 1 }, score, points: [{ x, y: 0 }] });
  it('plain NMS keeps the best of a cluster', () => {
    const out = nms([det(0, 0.5), det(0.1, 0.9), det(5, 0.7)], 0.3, false);
    assert.deepEqual(out.map((d) => d.score), [0.9, 0.7]);
    assert.equal(out[0]?.box.xMin, 0.1);
  });
  it('weighted NMS averages the cluster by score', () => {
    const [d] = nms([det(0, 0.5), det(0.1, 0.5)], 0.3, true);
    assert.ok(d && Math.abs(d.box.xMin - 0.05) < 1e-9 && Math.abs((d.points[0]?.x ?? 0) - 0.05) < 1e-9);
  });
});

describe('movenet decoder', () => {
  const gh = 12, gw = 20, K = 17;
  function heads(batchSize: number): MoveNetHeads {
    const n = batchSize * gh * gw;
    return { center: new Float32Array(n), keypointHeatmap: new Float32Array(n * K), keypointRegress: new Float32Array(n * 2 * K),
      keypointOffset: new Float32Array(n * 2 * K), boxScale: new Float32Array(n * 2), boxOffset: new Float32Array(n * 2), gridHeight: gh, gridWidth: gw };
  }
  it('decodes a synthetic person: centre peak -> regressed keypoint -> heatmap peak + offset', () => {
    const h = heads(2);
    const b = 1, base = b * gh * gw;
    const cell = (y: number, x: number): number => base + y * gw + x;
    h.center[cell(5, 8)] = 0.9;
    h.boxScale.set([8, 6], cell(5, 8) * 2); // 8 x 6 cells around the centre
    for (let j = 0; j < K; j++) {
      h.keypointRegress.set([-2, 1], cell(5, 8) * 2 * K + 2 * j); // every keypoint regressed to (3, 9)
    }
    // Left shoulder (5): heatmap peak one cell from the regressed point, with a sub-cell offset.
    h.keypointHeatmap[cell(4, 9) * K + 5] = 0.8;
    h.keypointHeatmap[cell(1, 1) * K + 5] = 0.95; // stronger but outside the person's box: ignored
    h.keypointOffset.set([0.25, -0.5], cell(4, 9) * 2 * K + 10);
    const [p, ...others] = decodeMoveNet(h, b);
    assert.ok(p);
    assert.equal(others.length, 5); // always top 6, the rest score 0
    const kp = p.keypoints[5];
    assert.ok(kp);
    assert.ok(Math.abs(kp.y - 4.25 / gh) < 1e-6 && Math.abs(kp.x - 8.5 / gw) < 1e-6);
    const expectedScore = 0.8 * Math.exp(-(1 * 1) / (Math.min(gh, gw) * 0.300048828125));
    assert.ok(Math.abs(kp.score - expectedScore) < 1e-6);
    assert.ok(Math.abs(p.score - 0.9 * expectedScore) < 1e-6); // one keypoint above threshold
    assert.ok(Math.abs(p.box.yMin - 1 / gh) < 1e-6 && Math.abs(p.box.xMax - 11 / gw) < 1e-6);
    assert.equal(decodeMoveNet(h, 0)[0]?.score, 0); // image 0 is empty
  });
});

describe('letterbox', () => {
  it('maps model coordinates back to the frame', () => {
    const lb = letterboxTransform(320, 180, 320, 192);
    assert.equal(lb.padY, 6);
    const p = unletterboxPoint(lb, 0.5, 6 / 192);
    assert.ok(Math.abs(p.x - 0.5) < 1e-9 && Math.abs(p.y) < 1e-9);
  });
});
