import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadOtsHead, overTheShoulder } from '../../server/inference/framing/ots-hint.js';
import { trainSoftmax } from '../../server/calibration/softmax-regression.js';
import { tempDir } from '../support/media.js';

test('the over-the-shoulder head: loads for its features, refuses others, thresholds the probability', () => {
  // Feature 0 decides: positive above 0.5.
  const x = Array.from({ length: 40 }, (_, i) => [i / 40, (i * 7) % 3]);
  const y = x.map(([a]) => (a! > 0.5 ? 1 : 0));
  const model = trainSoftmax(x, y, 2, { epochs: 200, learningRate: 0.05, l2: 1e-4 });
  const file = path.join(tempDir(), 'ots.json');
  writeFileSync(file, JSON.stringify({ kind: 'ots-head', featureNames: ['a', 'b'], model, threshold: 0.7 }));
  const head = loadOtsHead(file, ['a', 'b']);
  assert.equal(overTheShoulder(head, Float32Array.from([0.95, 1])), true);
  assert.equal(overTheShoulder(head, Float32Array.from([0.05, 1])), false);
  assert.throws(() => loadOtsHead(file, ['a', 'c']), (e: Error & { code?: string }) => e.code === 'MODEL_MISMATCH');
  writeFileSync(file, '{"kind": "other"}');
  assert.throws(() => loadOtsHead(file, ['a', 'b']), (e: Error & { code?: string }) => e.code === 'MODEL_MANIFEST_INVALID');
});
