/** Framing features and black-bar detection on hand-built detections and synthetic frames. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detections } from '../../server/inference/framing/detector-runner.js';
import { FRAMING_FEATURE_NAMES, featureVector, framingFeatures } from '../../server/inference/framing/framing-features.js';
import { findActiveRect, imageCues, type ActiveRect } from '../../server/inference/framing/image-cues.js';
import { letterboxRegion } from '../../server/inference/framing/fast-letterbox.js';
import { letterboxInto, letterboxTransform } from '../../server/inference/detectors/letterbox.js';
import { face, person } from './framing-test-helpers.js';

const W = 320, H = 192;
const FULL: ActiveRect = { x0: 0, y0: 0, x1: 1, y1: 1 };
const CUES = { lumMean: 0.5, lumStd: 0.2, satMean: 0.3, edgeDensity: 0.1, centreSharpness: 1, skyTop: 0, topSmoothness: 1, darkFraction: 0 };

const features = (d: Detections, rect = FULL) => framingFeatures(d, rect, CUES, W, H);

function frameWith(fill: (x: number, y: number) => number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(fill(x, y), (y * W + x) * 3, (y * W + x) * 3 + 3);
  return { width: W, height: H, data };
}
/** A fine checkerboard: detail everywhere, no black rows or columns. */
const texture = (x: number, y: number): number => (((x >> 1) + (y >> 1)) % 2 ? 200 : 60);

describe('active picture (black bars)', () => {
  test('letterbox bars top and bottom are removed', () => {
    const r = findActiveRect(frameWith((x, y) => (y < 24 || y >= H - 24 ? 0 : texture(x, y))));
    assert.deepEqual(r, { x0: 0, y0: 24 / H, x1: 1, y1: (H - 24) / H });
  });
  test('pillarbox bars with compression noise are removed', () => {
    const r = findActiveRect(frameWith((x, y) => (x < 40 || x >= W - 40 ? (x + y) % 3 * 6 : texture(x, y))));
    assert.deepEqual(r, { x0: 40 / W, y0: 0, x1: (W - 40) / W, y1: 1 });
  });
  test('a black frame is all picture, not all bars', () => {
    assert.deepEqual(findActiveRect(frameWith(() => 0)), FULL);
  });
  test('a dark scene is not mistaken for bars', () => {
    const r = findActiveRect(frameWith((x, y) => (y < H / 2 ? 10 : texture(x, y))));
    assert.ok(r.y0 < 0.45, `top ${r.y0}`);
  });
  test('a dark side of a letterboxed scene stays picture: bars come in equal pairs', () => {
    // 2.39:1 letterbox (bars of 29 rows), the left third of the scene in shadow.
    const bars = (x: number, y: number): number => (y < 29 || y >= H - 29 ? 0 : x < 110 ? 12 : texture(x, y));
    assert.deepEqual(findActiveRect(frameWith(bars)), { x0: 0, y0: 29 / H, x1: 1, y1: (H - 29) / H });
    // Dark on both sides but unequal: still the scene, not a pillarbox.
    const both = (x: number, y: number): number => (y < 29 || y >= H - 29 ? 0 : x < 110 || x >= W - 50 ? 12 : texture(x, y));
    assert.deepEqual(findActiveRect(frameWith(both)), { x0: 0, y0: 29 / H, x1: 1, y1: (H - 29) / H });
  });
  test('bars that run on into a dark edge of the scene are cut back to the bar both sides share', () => {
    // Letterbox of 20 rows; the bottom of the scene is dark for 30 more rows.
    const r = findActiveRect(frameWith((x, y) => (y < 20 || y >= H - 20 ? 0 : y >= H - 50 ? 8 : texture(x, y))));
    assert.deepEqual(r, { x0: 0, y0: 20 / H, x1: 1, y1: (H - 20) / H });
  });
  test('a picture boxed in on all sides keeps both pairs of bars', () => {
    const r = findActiveRect(frameWith((x, y) => (y < 20 || y >= H - 20 || x < 30 || x >= W - 30 ? 0 : texture(x, y))));
    assert.deepEqual(r, { x0: 30 / W, y0: 20 / H, x1: (W - 30) / W, y1: (H - 20) / H });
  });
});

describe('image cues', () => {
  test('flat frame has no edges; textured frame has many', () => {
    assert.equal(imageCues(frameWith(() => 128), FULL).edgeDensity, 0);
    assert.ok(imageCues(frameWith(texture), FULL).edgeDensity > 0.3);
  });
});

describe('framing features', () => {
  test('names are unique and the vector follows them', () => {
    assert.equal(new Set(FRAMING_FEATURE_NAMES).size, FRAMING_FEATURE_NAMES.length);
    const f = features({ people: [], faces: [face(0.6)] });
    const v = featureVector(f);
    assert.equal(v.length, FRAMING_FEATURE_NAMES.length);
    assert.ok(Math.abs(v[FRAMING_FEATURE_NAMES.indexOf('face_height')]! - 0.6) < 1e-6);
  });
  test('face height is measured against the active picture, not the frame', () => {
    const rect = { x0: 0, y0: 0.2, x1: 1, y1: 0.8 }; // 2.66:1 picture in a 5:3 frame
    const f = features({ people: [], faces: [face(0.3)] }, rect);
    assert.ok(Math.abs(f.face_height - 0.5) < 1e-6, String(f.face_height));
  });
  test('keypoint groups: hips in, knees out', () => {
    const f = features({ people: [person({ head: 0.2, shoulders: 0.4, hips: 0.85 })], faces: [] });
    assert.ok(f.kp_head > 0 && f.kp_shoulders > 0 && f.kp_hips > 0);
    assert.equal(f.kp_knees, 0);
    assert.equal(f.kp_ankles, 0);
    assert.equal(f.person_present, 1);
  });
  test('keypoints outside the active picture do not count', () => {
    const f = features({ people: [person({ head: 0.3, hips: 0.9 })], faces: [] }, { x0: 0, y0: 0.1, x1: 1, y1: 0.85 });
    assert.equal(f.kp_hips, 0);
  });
  test('weak people and small weak faces are ignored', () => {
    const f = features({ people: [person({ head: 0.3 }, undefined, 0.05)], faces: [face(0.1, 0.5, 0.5, 0.4)] });
    assert.equal(f.people_count, 0);
    assert.equal(f.faces_count, 0);
    assert.ok(FRAMING_FEATURE_NAMES.every((n) => Number.isFinite(f[n])));
  });
  test('faint figures (scores from 0.1 up to the person threshold) do not count as people, but are measured', () => {
    const crowd = [
      person({ head: 0.5, ankles: 0.78 }, { xMin: 0.45, yMin: 0.5, xMax: 0.52, yMax: 0.78 }, 0.25),
      person({ head: 0.4 }, { xMin: 0.1, yMin: 0.4, xMax: 0.2, yMax: 0.9 }, 0.12),
      person({ head: 0.3 }, undefined, 0.05),
    ];
    const f = features({ people: crowd, faces: [] });
    assert.equal(f.person_present, 0);
    assert.equal(f.people_count, 0);
    assert.ok(Math.abs(f.faint_people_score - 0.37) < 1e-6, `faint score ${f.faint_people_score}: 0.25 + 0.12, the 0.05 left out`);
    assert.ok(Math.abs(f.faint_person_height - 0.28) < 1e-6, `the faintest figure's height is not taken: ${f.faint_person_height}`);
    // Measured in the active picture, as every other height.
    assert.ok(Math.abs(features({ people: crowd, faces: [] }, { x0: 0, y0: 0.3, x1: 1, y1: 0.86 }).faint_person_height - 0.5) < 1e-6);
    // A person who counts is not also a faint one.
    const counted = features({ people: [person({ head: 0.3, hips: 0.9 })], faces: [] });
    assert.equal(counted.faint_people_score, 0);
    assert.equal(counted.faint_person_height, 0);
  });
  test('a face cut by the frame edge overflows', () => {
    assert.ok(features({ people: [], faces: [face(1.2, 0.5, 0.6, 0.5)] }).face_overflow > 0.1);
  });
});

describe('fast letterbox', () => {
  test('matches the generic letterbox exactly', () => {
    const src = new Uint8Array(W * H * 3).map((_, i) => (i * 31) % 256);
    const a = new Float32Array(64 * 64 * 3), b = new Float32Array(64 * 64 * 3);
    letterboxInto(src, letterboxTransform(W, H, 64, 64), a, 0, { channels: 3, normalize: (v) => v / 127.5 - 1 });
    letterboxRegion(src, W, { x0: 0, y0: 0, width: W, height: H }, 64, b, 0);
    assert.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-5));
  });
});
