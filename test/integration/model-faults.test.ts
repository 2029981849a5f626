/**
 * A model file cut short or damaged on disk stops the server at start with a
 * coded error naming the file, in the inference thread (the default) and
 * without it: no crash, no hang, no model thread left running.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../server/errors.js';
import { isShotscaleError } from '../../server/errors.js';
import { countModelThreads } from '../support/model-threads.js';
import { tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, REPO_DIR, SHARED_DIR, startTestServer } from '../support/server-harness.js';

const FIXTURE_ONNX = path.join(SHARED_DIR, 'fixtures', 'movieshots-mobilenetv3-small-random.onnx');
const MODELS = path.join(REPO_DIR, 'models');

/** Starts a server on `manifest`; resolves with the error it refused to start with. */
async function startFailure(manifest: string, inferenceThread: boolean): Promise<Error> {
  try {
    const server = await startTestServer({ model: { manifest, inferenceThread } });
    await server.close();
  } catch (error) {
    return error as Error;
  }
  assert.fail(`the server started on ${manifest}`);
}

async function expectRefused(manifest: string, damaged: string, code: ErrorCode, message: RegExp): Promise<void> {
  for (const inferenceThread of [true, false]) {
    const where = inferenceThread ? 'in the inference thread' : 'on the main thread';
    const error = await startFailure(manifest, inferenceThread);
    assert.ok(isShotscaleError(error, code), `${where}: ${code} expected, got ${(error as { code?: string }).code}: ${error.message}`);
    assert.ok(error.message.includes(damaged), `${where}: the message names ${damaged}: ${error.message}`);
    assert.match(error.message, message, where);
    assert.equal(await countModelThreads(), 0, `${where}: no model thread left running`);
  }
}

describe('the fixture classifier (onnx-classifier manifest) with a damaged file', () => {
  /** A manifest beside a copy of the fixture model, with or without its sha256, and the copy's path. */
  function classifierCopy(withSha: boolean): { manifest: string; onnx: string } {
    const dir = tempDir();
    const onnx = path.join(dir, 'model.onnx');
    copyFileSync(FIXTURE_ONNX, onnx);
    const m = JSON.parse(readFileSync(FIXTURE_MANIFEST, 'utf8')) as Record<string, unknown>;
    m.file = 'model.onnx';
    if (withSha) m.sha256 = createHash('sha256').update(readFileSync(onnx)).digest('hex');
    const manifest = path.join(dir, 'model.manifest.json');
    writeFileSync(manifest, JSON.stringify(m));
    return { manifest, onnx };
  }
  const cut = (file: string, bytes: number) => writeFileSync(file, readFileSync(file).subarray(0, bytes));

  test('truncated, no sha256 in the manifest: MODEL_LOAD_FAILED', async () => {
    const { manifest, onnx } = classifierCopy(false);
    cut(onnx, 3_000_000);
    await expectRefused(manifest, onnx, 'MODEL_LOAD_FAILED', /onnxruntime could not load/);
  });

  test('truncated, with sha256: MODEL_MISMATCH before onnxruntime sees it', async () => {
    const { manifest, onnx } = classifierCopy(true);
    cut(onnx, 3_000_000);
    await expectRefused(manifest, onnx, 'MODEL_MISMATCH', /sha256 is [0-9a-f]{64}, .* expects/);
  });

  test('empty: MODEL_LOAD_FAILED that says so', async () => {
    const { manifest, onnx } = classifierCopy(false);
    cut(onnx, 0);
    await expectRefused(manifest, onnx, 'MODEL_LOAD_FAILED', /is empty \(0 bytes\)/);
  });
});

describe('the default classifier (framing-geometry) with a damaged detector file', () => {
  /** A copy of the shipped framing model; `change` edits the pose detector's manifest. */
  function framingCopy(change: (m: Record<string, unknown>) => void = () => undefined): { manifest: string; pose: string } {
    const dir = tempDir();
    const framing = JSON.parse(readFileSync(path.join(MODELS, 'framing-default.manifest.json'), 'utf8')) as { detectors: { pose: string } };
    const pose = JSON.parse(readFileSync(path.join(MODELS, framing.detectors.pose), 'utf8')) as { file: string };
    for (const f of ['framing-default.manifest.json', 'framing-ots.head.json', framing.detectors.pose, pose.file, 'blazeface-back.manifest.json', 'blazeface-back.onnx']) {
      copyFileSync(path.join(MODELS, f), path.join(dir, f));
    }
    const poseManifest = path.join(dir, framing.detectors.pose);
    const m = JSON.parse(readFileSync(poseManifest, 'utf8')) as Record<string, unknown>;
    change(m);
    writeFileSync(poseManifest, JSON.stringify(m));
    return { manifest: path.join(dir, 'framing-default.manifest.json'), pose: path.join(dir, pose.file) };
  }

  test('truncated: MODEL_MISMATCH from the size in its manifest', async () => {
    const { manifest, pose } = framingCopy();
    writeFileSync(pose, readFileSync(pose).subarray(0, 4_000_000));
    await expectRefused(manifest, pose, 'MODEL_MISMATCH', /4000000 bytes, .* expects \d+ \(truncated\?\)/);
  });

  test('damaged inside, same size: MODEL_MISMATCH from the sha256 in its manifest', async () => {
    const { manifest, pose } = framingCopy();
    const bytes = readFileSync(pose);
    const middle = Math.floor(bytes.length / 2);
    for (let i = middle; i < middle + 64; i++) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(pose, bytes);
    await expectRefused(manifest, pose, 'MODEL_MISMATCH', /sha256 is [0-9a-f]{64}, .* expects/);
  });

  test('truncated, no size or sha256 in its manifest: MODEL_LOAD_FAILED', async () => {
    const { manifest, pose } = framingCopy((m) => {
      delete m.sizeBytes;
      delete m.sha256;
    });
    writeFileSync(pose, readFileSync(pose).subarray(0, 4_000_000));
    await expectRefused(manifest, pose, 'MODEL_LOAD_FAILED', /onnxruntime could not load/);
  });
});
