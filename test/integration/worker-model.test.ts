/**
 * Models in their own thread: the same predictions as in-process, load
 * errors with their codes, a clean shutdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../server/inference/model-registry.js';
import { WorkerModel } from '../../server/inference/worker/worker-model.js';
import { silentLogger } from '../../server/shared/logger.js';
import { FIXTURE_MANIFEST } from '../support/server-harness.js';

const options = { executionProviders: ['cpu' as const], intraOpThreads: 0 };

test('a model in its thread predicts what it predicts in-process', async () => {
  const inThread = await WorkerModel.load(FIXTURE_MANIFEST, options, silentLogger);
  const inProcess = await loadModel(FIXTURE_MANIFEST, options, silentLogger);
  try {
    assert.equal(inThread.name, inProcess.name);
    assert.deepEqual(inThread.input, inProcess.input);
    const frames = [0, 80, 200].map((v) => ({ width: 224, height: 224, data: new Uint8Array(224 * 224 * 3).map((_, i) => (v + i) % 256) }));
    const [a, b] = await Promise.all([inThread.predict(frames), inProcess.predict(frames)]);
    assert.equal(a.length, 3);
    a.forEach((p, i) => p.probabilities.forEach((v, c) => assert.ok(Math.abs(v - b[i]!.probabilities[c]!) < 1e-6)));
    await assert.rejects(inThread.predict([{ width: 10, height: 10, data: new Uint8Array(300) }]), /bytes, expected/);
    assert.equal((await inThread.predict(frames.slice(0, 1))).length, 1, 'a failed batch does not stop the thread');
  } finally {
    await inThread.dispose();
    await inProcess.dispose();
  }
  await assert.rejects(inThread.predict([]), /disposed/);
});

test('a load error in the thread keeps its code', async () => {
  await assert.rejects(WorkerModel.load('/nonexistent/model.manifest.json', options, silentLogger), (e: Error & { code?: string }) => e.code === 'MODEL_MANIFEST_NOT_FOUND');
});
