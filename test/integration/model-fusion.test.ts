/**
 * Several models per camera: each runs once per batch on real onnxruntime,
 * frames are resized for models other than the camera's first, and the
 * result is the weighted average of canonical probabilities.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runModels } from '../../server/inference/inference-runner.js';
import { loadModel } from '../../server/inference/model-registry.js';
import type { ShotScaleModel } from '../../server/inference/model.js';
import { resizeRgb } from '../../server/inference/resize-rgb.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Frame } from '../../server/shared/frame.js';
import { silentLogger } from '../../server/shared/logger.js';
import { tempDir } from '../support/media.js';
import { writeTinyClassifier } from '../support/tiny-classifier.js';
import { collectReadouts, connectClient, FIXTURE_MANIFEST, httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';

const options = { executionProviders: ['cpu'] as const, intraOpThreads: 0 };

function solidFrame(cameraId: string, rgb: [number, number, number], width = 224, height = 224): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { cameraId, seq: 0, session: 1, timeS: 0, captureTime: 0, width, height, data };
}

describe('fusion through runModels', () => {
  let fixture: ShotScaleModel;
  let tiny: ShotScaleModel;

  before(async () => {
    fixture = await loadModel(FIXTURE_MANIFEST, { ...options, executionProviders: ['cpu'] }, silentLogger);
    tiny = await loadModel(writeTinyClassifier(tempDir()), { ...options, executionProviders: ['cpu'] }, silentLogger);
  });

  after(async () => {
    await fixture?.dispose();
    await tiny?.dispose();
  });

  test('weighted average of each model on its own input size', async () => {
    const frames = [solidFrame('a', [250, 10, 10]), solidFrame('a', [10, 10, 250]), solidFrame('b', [20, 200, 30])];
    const profile = { models: [{ name: 'default', model: fixture, weight: 1 }, { name: 'tiny', model: tiny, weight: 3 }], head: null };
    const fused = await runModels(frames, () => profile);
    const alone = await fixture.predict(frames);
    const small = await tiny.predict(frames.map((f) => resizeRgb(f, 48, 32, 'stretch')));
    fused.forEach((p, i) => {
      p.probabilities.forEach((v, c) => {
        const expected = (alone[i]!.probabilities[c]! + 3 * small[i]!.probabilities[c]!) / 4;
        assert.ok(Math.abs(v - expected) < 1e-6, `frame ${i} class ${c}: ${v} vs ${expected}`);
      });
      assert.match(p.reason ?? '', /movieshots-fixture.*\+.*tiny-colour/);
    });
    assert.notDeepEqual(small[0]!.probabilities, small[1]!.probabilities, 'the tiny model sees the colour');
  });

  test('cameras with different profiles in one batch each get their own models', async () => {
    const frames = [solidFrame('fixture-only', [100, 100, 100]), solidFrame('tiny-only', [250, 0, 0], 48, 32)];
    const profiles: Record<string, Parameters<typeof runModels>[1] extends (id: string) => infer P ? P : never> = {
      'fixture-only': { models: [{ name: 'default', model: fixture, weight: 1 }], head: null },
      'tiny-only': { models: [{ name: 'tiny', model: tiny, weight: 1 }], head: null },
    };
    const [a, b] = await runModels(frames, (id) => profiles[id]!);
    assert.deepEqual(a!.probabilities, (await fixture.predict([frames[0]!]))[0]!.probabilities);
    assert.deepEqual(b!.probabilities, (await tiny.predict([frames[1]!]))[0]!.probabilities);
  });
});

describe('models per camera in the server', () => {
  let server: RunningServer;

  before(async () => {
    const tinyManifest = writeTinyClassifier(tempDir());
    server = await startTestServer({
      model: { extra: { tiny: { manifest: tinyManifest } } },
      cameras: [
        testsrcCamera('tiny-cam', { models: [{ name: 'tiny' }] }),
        testsrcCamera('fused-cam', { models: [{ name: 'default', weight: 1 }, { name: 'tiny', weight: 2 }] }),
        testsrcCamera('plain-cam'),
      ],
    });
  });

  after(async () => {
    await server?.close();
  });

  test('each camera reports the models it ran', async () => {
    const { client } = await connectClient(server.url);
    const readouts = await collectReadouts(client, 30, () => true, 20_000);
    client.close();
    const modelOf = (id: string) => new Set(readouts.filter((r) => r.cameraId === id).map((r) => r.model));
    assert.deepEqual([...modelOf('tiny-cam')], ['tiny-colour']);
    assert.deepEqual([...modelOf('fused-cam')], ['movieshots-fixture+tiny-colour']);
    assert.deepEqual([...modelOf('plain-cam')], ['movieshots-fixture']);
  });

  test('a camera naming an unknown model is refused with the known names', async () => {
    const res = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: testsrcCamera('bad', { models: [{ name: 'resnet' }] }) });
    assert.equal(res.status, 400);
    assert.match((res.body as { error: { message: string } }).error.message, /unknown model "resnet".*default, tiny/);
    assert.throws(() => server.cameras.get('bad'));
  });
});
