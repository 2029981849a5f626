/**
 * Converter verification: every ONNX model in models/ must reproduce the
 * original TF.js graph (pure-JS CPU backend) on real frames, per output, and
 * give the same per-image results at batch 1 and batch 3.
 * Tolerance: |onnx - tfjs| <= spec.tolerance (2e-3) + 1e-5 * |tfjs| per element
 * (the relative term only matters for BlazeFace's far-off-range logits of
 * magnitude ~5e3). Measured max abs differences are printed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, encodeModel } from '../../server/model-tools/onnx/onnx-builder.js';
import { OnnxDataType } from '../../server/model-tools/onnx/onnx-schema.js';
import { generateModel, sourcePackageDir } from '../../server/model-tools/generate-models.js';
import { MODEL_SPECS, type ModelSpec } from '../../server/model-tools/model-specs.js';
import { decodeMoveNet, toMoveNetTensor } from '../../server/inference/detectors/movenet-decoder.js';
import { EVAL_IMAGES, loadBatch, maxAbsDiff, worstExcess } from './eval-images.js';
import { loadReference, runReference } from './tfjs-reference.js';

const MODELS_DIR = join(import.meta.dirname, '..', '..', 'models');

describe('onnx writer', () => {
  it('writes a model onnxruntime loads and runs (Add, dynamic batch)', async () => {
    const g = new OnnxGraphBuilder();
    g.addInput('x', OnnxDataType.FLOAT, ['batch', 3]);
    const y = g.op('Add', ['x', g.addFloat('c', [1, 2, 3])], 'y');
    g.addOutput(y, OnnxDataType.FLOAT, ['batch', 3]);
    const session = await ort.InferenceSession.create(encodeModel(g));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 5, 5, 5]), [2, 3]) });
    assert.deepEqual(Array.from(out.y?.data as Float32Array), [2, 3, 4, 6, 7, 8]);
  });
});

function normalizer(spec: ModelSpec): (v: number) => number {
  return spec.normalization.range[0] === -1 ? (v) => v / 127.5 - 1 : (v) => v;
}

async function runOnnx(session: ort.InferenceSession, spec: ModelSpec, x: Float32Array, n: number): Promise<Record<string, Float32Array>> {
  const [H, W, C] = spec.inputShape;
  const out = await session.run({ input: new ort.Tensor('float32', x, [n, H, W, C]) });
  return Object.fromEntries(spec.outputs.map((o) => [o.name, out[o.name]?.data as Float32Array]));
}

for (const spec of MODEL_SPECS) {
  describe(`${spec.name}.onnx`, () => {
    const onnxPath = join(MODELS_DIR, `${spec.name}.onnx`);
    const jsonPath = join(sourcePackageDir(), 'models', `${spec.name}.json`);
    const [H, W] = spec.inputShape;
    const frame = H * W * 3;
    let session: ort.InferenceSession;
    let batch: Float32Array;

    before(async () => {
      assert.ok(existsSync(onnxPath), `${onnxPath} missing: run npx tsx server/model-tools/generate-models.ts`);
      session = await ort.InferenceSession.create(onnxPath);
      batch = loadBatch(EVAL_IMAGES, H, W, normalizer(spec), spec.tfjsInput.dtype === 'int32');
    });

    it('matches its manifest and regenerates byte-identically', async () => {
      const manifest = JSON.parse(readFileSync(join(MODELS_DIR, `${spec.name}.manifest.json`), 'utf8')) as { sha256: string };
      const bytes = readFileSync(onnxPath);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), manifest.sha256);
      const fresh = await generateModel(spec, mkdtempSync(join(tmpdir(), 'onnx-')));
      assert.equal(fresh.manifest.sha256, manifest.sha256, 'converter output changed: regenerate models/');
    });

    it(`matches the TF.js reference on ${EVAL_IMAGES.length} real frames`, async () => {
      const ref = await loadReference(jsonPath);
      const onnx = await runOnnx(session, spec, batch, EVAL_IMAGES.length);
      for (let b = 0; b < EVAL_IMAGES.length; b++) {
        const x = batch.subarray(b * frame, (b + 1) * frame);
        const expected = runReference(ref, spec.tfjsInput.name, x, [1, H, W, 3], spec.tfjsInput.dtype, spec.outputs.map((o) => o.tensor));
        spec.outputs.forEach((o, i) => {
          const want = expected[i] as Float32Array;
          const all = onnx[o.name] as Float32Array;
          const got = all.subarray(b * want.length, (b + 1) * want.length);
          const excess = worstExcess(got, want, spec.tolerance);
          console.log(`# ${spec.name} ${EVAL_IMAGES[b]} ${o.name}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
          assert.ok(excess <= 0, `${o.name} on ${EVAL_IMAGES[b]} exceeds tolerance by ${excess}`);
        });
        if (spec.name === 'movenet-multipose') {
          // End to end: our TS decoding of the ONNX heads vs the TF.js graph's own decoding.
          const [full] = runReference(ref, spec.tfjsInput.name, x, [1, H, W, 3], 'int32', ['Identity']);
          const heads = { center: onnx.center, keypointHeatmap: onnx.keypoint_heatmap, keypointRegress: onnx.keypoint_regress,
            keypointOffset: onnx.keypoint_offset, boxScale: onnx.box_scale, boxOffset: onnx.box_offset } as Record<string, Float32Array>;
          const people = decodeMoveNet({ ...(heads as unknown as Parameters<typeof decodeMoveNet>[0]), gridHeight: H / 4, gridWidth: W / 4 }, b);
          const d = maxAbsDiff(toMoveNetTensor(people), full as Float32Array);
          console.log(`# movenet decode vs TF.js [6,56] on ${EVAL_IMAGES[b]}: max |diff| ${d.toExponential(2)}`);
          assert.ok(d < 1e-4, `decoded people differ from TF.js by ${d}`);
        }
      }
    });

    it('gives the same per-image outputs at batch 1 and batch 3', async () => {
      const three = await runOnnx(session, spec, batch.subarray(0, 3 * frame), 3);
      for (let b = 0; b < 3; b++) {
        const one = await runOnnx(session, spec, batch.slice(b * frame, (b + 1) * frame), 1);
        for (const o of spec.outputs) {
          const single = one[o.name] as Float32Array;
          const part = (three[o.name] as Float32Array).subarray(b * single.length, (b + 1) * single.length);
          assert.ok(worstExcess(part, single, 1e-4) <= 0, `${o.name} image ${b}: batch 3 differs from batch 1 by ${maxAbsDiff(part, single)}`);
        }
      }
    });
  });
}
