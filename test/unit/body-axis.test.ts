import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Keypoint, Person } from '../../server/inference/detectors/movenet-decoder.js';
import { bodyAxis, BODY_LANDMARKS } from '../../server/inference/framing/body-axis.js';
import { axisPart, axisPosition } from '../../server/inference/framing/framing-rules.js';

/** A body whose crown is at `crown` and whose head is `head` of the picture tall; `parts` says which keypoints are seen. */
function body(crown: number, head: number, parts: ('eyes' | 'shoulders' | 'hips' | 'knees' | 'ankles')[]): Person {
  const keypoints: Keypoint[] = Array.from({ length: 17 }, () => ({ x: 0.5, y: 0.5, score: 0.05 }));
  const at = (position: number) => crown + head * position;
  const set = (indices: number[], position: number) => indices.forEach((i) => (keypoints[i] = { x: 0.5, y: at(position), score: 0.8 }));
  if (parts.includes('eyes')) set([1, 2], BODY_LANDMARKS.eyes);
  if (parts.includes('shoulders')) set([5, 6], BODY_LANDMARKS.shoulders);
  if (parts.includes('hips')) set([11, 12], BODY_LANDMARKS.hips);
  if (parts.includes('knees')) set([13, 14], BODY_LANDMARKS.knees);
  if (parts.includes('ankles')) set([15, 16], BODY_LANDMARKS.ankles);
  return { keypoints, box: { xMin: 0.4, yMin: crown, xMax: 0.6, yMax: Math.min(1, at(8)) }, score: 0.7 };
}

const same = (y: number) => y;
const close = (a: number, b: number, eps = 0.02) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

describe('body axis', () => {
  test('a whole figure: the bottom edge lands below the feet, the top above the crown', () => {
    const axis = bodyAxis(body(0.05, 0.1, ['eyes', 'shoulders', 'hips', 'knees', 'ankles']), null, same, 0.3);
    assert.equal(axis.found, true);
    close(axis.bottom, 9.5);
    close(axis.top, -0.5);
    close(axis.head, 0.1, 0.001);
    assert.equal(axis.anchors, 5);
  });

  test('waist up: the edge is placed where the body would go on, past what is seen', () => {
    const axis = bodyAxis(body(0.1, 0.25, ['eyes', 'shoulders']), null, same, 0.3);
    close(axis.bottom, 3.6);
    assert.equal(axisPart(axis.bottom), 'the hips');
  });

  test('the part a reason names never spans two classes: its name agrees with the class the lines read', () => {
    const classesOf = new Map<string, Set<number>>();
    for (let bottom = 0.3; bottom < 7.2; bottom += 0.01) {
      const part = axisPart(bottom);
      if (!classesOf.has(part)) classesOf.set(part, new Set());
      classesOf.get(part)!.add(Math.round(axisPosition(bottom)));
    }
    for (const [part, classes] of classesOf) assert.equal(classes.size, 1, `${part}: classes ${[...classes].join(', ')}`);
    assert.ok(classesOf.size >= 10, 'every band of the body is named');
  });

  test('a face alone: its box sets the scale, its bottom is the chin', () => {
    const face = { box: { xMin: 0.4, yMin: 0.3, xMax: 0.6, yMax: 0.65 }, score: 0.9, points: [] };
    const axis = bodyAxis(null, face, same, 0.3);
    close(axis.head, 0.5);
    close(axis.bottom, 1 + 0.35 / 0.5);
  });

  test('the active picture: letterbox bars do not count as frame', () => {
    // The picture spans y 0.1..0.9 of the delivered frame; the same body then fills more of it.
    const toActive = (y: number) => (y - 0.1) / 0.8;
    const axis = bodyAxis(body(0.1, 0.08, ['eyes', 'shoulders', 'hips']), null, toActive, 0.3);
    close(axis.bottom, (0.9 - 0.1) / 0.08);
  });

  test('sitting: knees level with the hips leave the legs out of the axis, and say so', () => {
    const sitting = body(0.1, 0.1, ['eyes', 'shoulders', 'hips']);
    // Knees at hip height, forward: a chair.
    sitting.keypoints[13] = { x: 0.6, y: 0.5, score: 0.8 };
    sitting.keypoints[14] = { x: 0.6, y: 0.5, score: 0.8 };
    const axis = bodyAxis(sitting, null, same, 0.3);
    assert.equal(axis.seated, true);
    close(axis.bottom, 9, 0.05);
    close(axis.head, 0.1, 0.002);
    const standing = bodyAxis(body(0.1, 0.1, ['eyes', 'shoulders', 'hips', 'knees']), null, same, 0.3);
    assert.equal(standing.seated, false);
  });

  test('no usable vertical axis and no face: not found', () => {
    assert.equal(bodyAxis(null, null, same, 0.3).found, false);
    assert.equal(bodyAxis(body(0.2, 0.1, ['shoulders']), null, same, 0.3).found, false, 'one landmark says nothing of scale');
    const flat = body(0.5, 0, ['eyes', 'shoulders', 'hips']);
    assert.equal(bodyAxis(flat, null, same, 0.3).found, false, 'lying flat');
  });

  test('positions from the bottom edge follow the definitions', () => {
    const label = (bottom: number) => ['ECU', 'CU', 'MCU', 'MS', 'MWS'][Math.round(axisPosition(bottom))];
    assert.deepEqual([0.9, 1.4, 2.1, 3.5, 5.5].map(label), ['ECU', 'CU', 'MCU', 'MS', 'MWS']);
    // Monotone: lower in the body, never a tighter class.
    for (let b = 0.4; b < 7.2; b += 0.05) assert.ok(axisPosition(b + 0.05) >= axisPosition(b));
  });
});
