/** The round-eye cue on drawn pictures: a dark-centred circle is found and sized; bright discs, texture, corners and specks are not. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_RADIUS, roundEye } from '../../server/inference/framing/round-eye.js';
import type { FrameInput } from '../../server/inference/model.js';
import { seededRandom } from '../../server/shared/seeded-random.js';

const W = 320, H = 192;
const FULL = { x0: 0, y0: 0, x1: 1, y1: 1 };
const SURE = 0.4; // the rules' threshold (framing-rules.ts roundEye)

/** A picture painted by `shade(x, y)` (0-255 grey). */
function paint(shade: (x: number, y: number) => number): FrameInput {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(Math.max(0, Math.min(255, Math.round(shade(x, y)))), (y * W + x) * 3, (y * W + x) * 3 + 3);
  return { width: W, height: H, data };
}
const dist = (x: number, y: number, cx: number, cy: number): number => Math.hypot(x - cx, y - cy);

describe('round eye', () => {
  test('an iris and pupil in the middle of a pale eye white: found, its size measured against the height', () => {
    const eye = paint((x, y) => { const d = dist(x, y, 160, 96); return d < 24 ? 20 : d < 60 ? 110 : 215; });
    const found = roundEye(eye, FULL);
    assert.ok(found.score >= SURE, JSON.stringify(found));
    assert.ok(found.rim >= 0.9 && found.contrast > 0.2, JSON.stringify(found));
    // The pupil (24 px, 0.125 of the height) or the iris (60 px, 0.31), within the radii's 20% steps.
    const near = (r: number): boolean => Math.abs(found.radius - r / H) <= 0.25 * (r / H);
    assert.ok(near(24) || near(60), `radius ${found.radius}`);
  });

  test('a bright disc on a dark ground (a lamp, the moon) is the other polarity: not found', () => {
    const lamp = paint((x, y) => (dist(x, y, 160, 96) < 40 ? 230 : 30));
    assert.ok(roundEye(lamp, FULL).score < SURE * 0.25, JSON.stringify(roundEye(lamp, FULL)));
  });

  test('random texture (foliage, a crowd far off) holds no round shape', () => {
    const random = seededRandom(7);
    const cells = Array.from({ length: 24 * 40 }, () => random() * 255);
    const texture = paint((x, y) => cells[Math.floor(y / 8) * 40 + Math.floor(x / 8)]!);
    assert.ok(roundEye(texture, FULL).score < SURE, JSON.stringify(roundEye(texture, FULL)));
  });

  test('a dark disc mostly out of frame, or a speck, is no eye filling the picture', () => {
    const corner = paint((x, y) => (dist(x, y, 0, 0) < 80 ? 20 : 215));
    assert.equal(roundEye(corner, FULL).score, 0, JSON.stringify(roundEye(corner, FULL)));
    const speck = paint((x, y) => (dist(x, y, 160, 96) < MIN_RADIUS * H * 0.5 ? 20 : 215));
    assert.equal(roundEye(speck, FULL).score, 0, JSON.stringify(roundEye(speck, FULL)));
  });

  test("the size is the active picture's: bars are not counted", () => {
    // A 2.39:1 picture letterboxed: active rows 29..163 (134 of 192).
    const rect = { x0: 0, y0: 29 / H, x1: 1, y1: 163 / H };
    const boxed = paint((x, y) => (y < 29 || y >= 163 ? 0 : dist(x, y, 160, 96) < 30 ? 20 : 215));
    const found = roundEye(boxed, rect);
    assert.ok(found.score >= SURE, JSON.stringify(found));
    assert.ok(Math.abs(found.radius - 30 / 134) <= 0.25 * (30 / 134), `radius ${found.radius}, against ${(30 / 134).toFixed(3)}`);
  });
});
