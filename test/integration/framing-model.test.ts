/**
 * The default framing model end to end: real detectors through onnxruntime on
 * real film frames, decoded by ffmpeg exactly as the pipeline does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFile } from '../../server/ingest/file-decoder.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { applyHead, loadHead } from '../../server/calibration/framing-head.js';
import { runModels } from '../../server/inference/inference-runner.js';
import { loadModel } from '../../server/inference/model-registry.js';
import { FramingModel, MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import type { FrameInput } from '../../server/inference/model.js';
import { systemClock } from '../../server/shared/clock.js';
import { silentLogger } from '../../server/shared/logger.js';
import { CANONICAL_SCALES, argmax } from '../../server/shared/scale.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MANIFEST = path.join(REPO, 'models', 'framing-default.manifest.json');
const IMG = path.resolve(REPO, '..', 'shared', 'evalset', 'cinemanet', 'img');
const OPTIONS = { executionProviders: ['cpu'] as const, intraOpThreads: 2 };

// Vetted film frames (labels.csv vetted_film_frame=1), each with the canonical
// classes within one class of its cinemanet label (Medium = MCU|MS, Long = MWS|FS|WS).
const CASES: { file: string; truth: string; allowed: string[] }[] = [
  { file: 'cn_0409.jpg', truth: 'Extreme Close Up', allowed: ['ECU', 'CU'] },
  { file: 'cn_0085.jpg', truth: 'Close Up', allowed: ['ECU', 'CU', 'MCU', 'MS'] },
  { file: 'cn_1817.jpg', truth: 'Medium', allowed: ['CU', 'MCU', 'MS', 'MWS', 'FS', 'WS'] },
  { file: 'cn_1618.jpg', truth: 'Long Shot', allowed: ['MCU', 'MS', 'MWS', 'FS', 'WS', 'EWS'] },
  { file: 'cn_0962.jpg', truth: 'Extreme Long Shot', allowed: ['MWS', 'FS', 'WS', 'EWS'] },
];

let model: FramingModel;
let frames: FrameInput[];

before(async () => {
  model = await FramingModel.load(MANIFEST, { ...OPTIONS, executionProviders: [...OPTIONS.executionProviders] }, silentLogger);
  const ffmpeg = resolveFfmpeg(null);
  const ctx = { ffmpeg, logLevel: 'error', platform: process.platform };
  frames = [];
  for (const c of CASES) {
    await decodeFile(ffmpeg.path, path.join(IMG, c.file), { ...model.input, fps: 1 }, ctx, systemClock, (f) => {
      frames.push({ width: model.input.width, height: model.input.height, data: f.data });
    });
  }
});

after(async () => {
  await model?.dispose();
});

describe('framing model (real detectors, real frames)', () => {
  test('asks the pipeline for letterboxed frames at the pose model size', () => {
    assert.deepEqual(model.input, { width: 320, height: 192, resize: 'letterbox' });
    assert.equal(model.name, 'framing-default');
  });

  test('labels land within one class of the truth, each with a reason and subjects', async () => {
    const predictions = await model.predict(frames);
    predictions.forEach((p, i) => {
      const c = CASES[i]!;
      const label = CANONICAL_SCALES[argmax(p.probabilities)]!;
      assert.ok(c.allowed.includes(label), `${c.file} (${c.truth}) -> ${label}: ${p.reason}`);
      assert.ok(Math.abs(p.probabilities.reduce((s, v) => s + v, 0) - 1) < 1e-6);
      assert.ok(p.reason && p.reason.length > 5, c.file);
      assert.ok(p.subjects, c.file);
      assert.equal(p.analysis?.features.length, MODEL_FEATURE_NAMES.length);
    });
    assert.equal(predictions[0]!.subjects!.kind, 'face');
    assert.equal(predictions[4]!.subjects!.kind, 'none');
  });

  test('batch results equal single-frame results', async () => {
    const batch = await model.analyse(frames);
    for (let i = 0; i < frames.length; i++) {
      const [single] = await model.analyse([frames[i]!]);
      assert.equal(single!.reason, batch[i]!.reason);
      assert.deepEqual(single!.subjects, batch[i]!.subjects);
      single!.probabilities.forEach((p, c) => assert.ok(Math.abs(p - batch[i]!.probabilities[c]!) < 1e-4, `${CASES[i]!.file} class ${c}`));
    }
  });

  test('the shipped calibration head replaces the rules in a camera profile, and only there', async () => {
    const head = loadHead(path.join(REPO, 'models', 'framing-default.head.json'), MODEL_FEATURE_NAMES);
    const frame = { cameraId: 'cam', seq: 0, session: 1, timeS: 0, captureTime: 0, ...frames[0]! };
    const [withHead] = await runModels([frame], () => ({ models: [{ name: 'default', model, weight: 1 }], head }));
    const [alone] = await model.predict([frames[0]!]);
    assert.equal(alone!.analysis!.features.length, MODEL_FEATURE_NAMES.length);
    assert.equal(alone!.analysis!.rules.length, 8);
    assert.deepEqual(withHead!.probabilities, applyHead(head, alone!.analysis!.features, alone!.analysis!.rules));
    assert.deepEqual(withHead!.analysis!.rules, alone!.analysis!.rules, 'the rules stay available beside the head');
    const [without] = await runModels([frame], () => ({ models: [{ name: 'default', model, weight: 1 }], head: null }));
    assert.deepEqual(without!.probabilities, alone!.analysis!.rules, 'without a head the rules decide');
  });

  test('loads through the model registry by its manifest kind', async () => {
    const loaded = await loadModel(MANIFEST, { ...OPTIONS, executionProviders: [...OPTIONS.executionProviders] }, silentLogger);
    try {
      assert.ok(loaded instanceof FramingModel);
      assert.equal(loaded.executionProvider, 'cpu');
    } finally {
      await loaded.dispose();
    }
  });
});
