/**
 * movenet-multipose-embed.onnx: MoveNet MultiPose plus pooled backbone maps.
 * - regenerates byte-identically from its spec (and the manifest says so);
 * - its six detection outputs equal movenet-multipose.onnx's on real frames
 *   (same subgraph, same weights: only extra outputs were added);
 * - each pooled output equals the TF.js reference map, average-pooled here in
 *   float64 (so the in-graph AvgPool + Reshape and its NHWC order are checked);
 * - embeddingAt(b) of a batch-3 run equals the batch-1 run of image b.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { generateModel, sourcePackageDir } from '../../server/model-tools/generate-models.js';
import { MODEL_SPECS, MOVENET_EMBED_SPEC as SPEC, type PooledOutputSpec } from '../../server/model-tools/model-specs.js';
import { EMBEDDING_DIMS, embeddingAt } from '../../server/inference/framing/backbone-embedding.js';
import { EVAL_IMAGES, loadBatch, maxAbsDiff, worstExcess } from './eval-images.js';
import { loadReference, runReference } from './tfjs-reference.js';

const MODELS_DIR = join(import.meta.dirname, '..', '..', 'models');
const ORIGINAL = MODEL_SPECS.find((s) => s.name === 'movenet-multipose')!;
const [H, W] = SPEC.inputShape;
const FRAME = H * W * 3;

/** NHWC map [h, w, c] averaged over a rows x cols grid: cells row-major, channels fastest. */
function poolReference(map: Float32Array, p: PooledOutputSpec): Float32Array {
  const [h, w, c] = p.mapShape;
  const [rows, cols] = p.grid;
  const kh = h / rows, kw = w / cols;
  const out = new Float32Array(rows * cols * c);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const sums = new Float64Array(c);
      for (let y = r * kh; y < (r + 1) * kh; y++) {
        for (let x = q * kw; x < (q + 1) * kw; x++) for (let k = 0; k < c; k++) sums[k]! += map[(y * w + x) * c + k]!;
      }
      for (let k = 0; k < c; k++) out[(r * cols + q) * c + k] = sums[k]! / (kh * kw);
    }
  }
  return out;
}

describe(`${SPEC.name}.onnx`, () => {
  const onnxPath = join(MODELS_DIR, `${SPEC.name}.onnx`);
  let session: ort.InferenceSession;
  let original: ort.InferenceSession;
  let batch: Float32Array;
  const run = async (s: ort.InferenceSession, x: Float32Array, n: number): Promise<ort.InferenceSession.OnnxValueMapType> =>
    s.run({ input: new ort.Tensor('float32', x, [n, H, W, 3]) });

  before(async () => {
    assert.ok(existsSync(onnxPath), `${onnxPath} missing: run npx tsx server/model-tools/generate-models.ts models ${SPEC.name}`);
    session = await ort.InferenceSession.create(onnxPath);
    original = await ort.InferenceSession.create(join(MODELS_DIR, `${ORIGINAL.name}.onnx`));
    batch = loadBatch(EVAL_IMAGES, H, W, (v) => v, true);
  });
  after(async () => {
    await session.release();
    await original.release();
  });

  it('matches its manifest and regenerates byte-identically', async () => {
    const manifest = JSON.parse(readFileSync(join(MODELS_DIR, `${SPEC.name}.manifest.json`), 'utf8')) as { sha256: string; outputs: { name: string; shape: unknown[] }[] };
    assert.equal(createHash('sha256').update(readFileSync(onnxPath)).digest('hex'), manifest.sha256);
    assert.deepEqual(manifest.outputs.map((o) => o.name), [...SPEC.outputs, ...(SPEC.pooled ?? [])].map((o) => o.name));
    const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    try {
      const fresh = await generateModel(SPEC, dir);
      assert.equal(fresh.manifest.sha256, manifest.sha256, 'converter output changed: regenerate models/');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`gives the detection outputs of ${ORIGINAL.name}.onnx on ${EVAL_IMAGES.length} real frames`, async () => {
    const [mine, theirs] = [await run(session, batch, EVAL_IMAGES.length), await run(original, batch, EVAL_IMAGES.length)];
    for (const o of ORIGINAL.outputs) {
      const a = mine[o.name]!.data as Float32Array, b = theirs[o.name]!.data as Float32Array;
      assert.deepEqual(mine[o.name]!.dims, theirs[o.name]!.dims);
      const d = maxAbsDiff(a, b);
      console.log(`# ${o.name}: max |embed - original| ${d.toExponential(2)}`);
      assert.ok(d <= 1e-5, `${o.name} differs from the original by ${d}`);
    }
  });

  it('pools the same maps as the TF.js reference', async () => {
    const pooled = SPEC.pooled ?? [];
    assert.ok(pooled.length > 0);
    const ref = await loadReference(join(sourcePackageDir(), 'models', `${SPEC.source ?? SPEC.name}.json`));
    const out = await run(session, batch, EVAL_IMAGES.length);
    for (let b = 0; b < EVAL_IMAGES.length; b++) {
      const maps = runReference(ref, SPEC.tfjsInput.name, batch.subarray(b * FRAME, (b + 1) * FRAME), [1, H, W, 3], SPEC.tfjsInput.dtype, pooled.map((p) => p.tensor));
      pooled.forEach((p, i) => {
        const map = maps[i]!;
        assert.equal(map.length, p.mapShape[0] * p.mapShape[1] * p.mapShape[2], `${p.tensor}: mapShape ${p.mapShape.join('x')} is wrong`);
        const want = poolReference(map, p);
        const t = out[p.name]!;
        assert.deepEqual(t.dims, [EVAL_IMAGES.length, want.length]);
        const got = (t.data as Float32Array).subarray(b * want.length, (b + 1) * want.length);
        console.log(`# ${EVAL_IMAGES[b]} ${p.name}: max |diff| ${maxAbsDiff(got, want).toExponential(2)} (values up to ${Math.max(...want.map(Math.abs)).toFixed(2)})`);
        assert.ok(worstExcess(got, want, SPEC.tolerance) <= 0, `${p.name} on ${EVAL_IMAGES[b]}: ${maxAbsDiff(got, want)}`);
      });
    }
  });

  it('embeddingAt(b) of a batch-3 run equals the batch-1 run of image b', async () => {
    const three = await run(session, batch.subarray(0, 3 * FRAME), 3);
    const rows = [0, 1, 2].map((b) => embeddingAt(three, b));
    for (let b = 0; b < 3; b++) {
      const one = embeddingAt(await run(session, batch.slice(b * FRAME, (b + 1) * FRAME), 1), 0);
      assert.equal(one.length, EMBEDDING_DIMS);
      assert.ok(worstExcess(rows[b]!, one, 1e-4) <= 0, `image ${b}: batch 3 differs from batch 1 by ${maxAbsDiff(rows[b]!, one)}`);
      if (b > 0) assert.ok(maxAbsDiff(rows[b]!, rows[0]!) > 1e-3, 'different images give different embeddings');
    }
  });
});
