/**
 * movenet-multipose-embed-int8.onnx, the pose model the default classifier
 * runs: movenet-multipose-embed with its MobileNetV2 backbone in int8.
 * - regenerates byte-identically (conversion, calibration on the demo reel,
 *   quantization) and matches its manifest;
 * - onnxruntime runs the backbone's convolutions as integer kernels
 *   (QLinearConv), the FPN and heads as float ones;
 * - on real film frames it finds what the float model finds: the same people,
 *   the same joints to within a pixel or two, the same backbone embedding.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { generateModel } from '../../server/model-tools/generate-models.js';
import { MOVENET_EMBED_INT8_SPEC as SPEC, MOVENET_EMBED_SPEC as FLOAT } from '../../server/model-tools/model-specs.js';
import { decodeMoveNet, type Person } from '../../server/inference/detectors/movenet-decoder.js';
import { embeddingAt } from '../../server/inference/framing/backbone-embedding.js';
import { loadBatch } from './eval-images.js';
import { optimizedOpTypes } from './optimized-ops.js';

const MODELS_DIR = join(import.meta.dirname, '..', '..', 'models');
const [H, W] = SPEC.inputShape;
const FRAME = H * W * 3;
/** Every 66th CinemaNet frame: 30 frames from close-ups to landscapes. */
const FRAMES = Array.from({ length: 30 }, (_, i) => `cn_${String(1 + i * 66).padStart(4, '0')}.jpg`);
const PERSON = 0.3, JOINT = 0.3;

interface Manifest { sha256: string; quantization: { convolutions: number; floatConvolutions: number; calibration: { frames: number } } }

async function analyse(session: ort.InferenceSession, batch: Float32Array): Promise<{ people: Person[]; embedding: Float32Array }[]> {
  const out = [];
  for (let b = 0; b < FRAMES.length; b++) {
    const o = await session.run({ input: new ort.Tensor('float32', batch.slice(b * FRAME, (b + 1) * FRAME), [1, H, W, 3]) });
    const t = (k: string): Float32Array => o[k]!.data as Float32Array;
    const heads = { center: t('center'), keypointHeatmap: t('keypoint_heatmap'), keypointRegress: t('keypoint_regress'), keypointOffset: t('keypoint_offset'), boxScale: t('box_scale'), boxOffset: t('box_offset'), gridHeight: H / 4, gridWidth: W / 4 };
    out.push({ people: decodeMoveNet(heads, 0).filter((p) => p.score >= PERSON), embedding: embeddingAt(o, 0) });
  }
  return out;
}

function correlation(a: Float32Array, b: Float32Array): number {
  const mean = (x: Float32Array): number => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe(`${SPEC.name}.onnx`, () => {
  const onnxPath = join(MODELS_DIR, `${SPEC.name}.onnx`);
  const manifest = JSON.parse(readFileSync(join(MODELS_DIR, `${SPEC.name}.manifest.json`), 'utf8')) as Manifest;
  let int8: ort.InferenceSession, float: ort.InferenceSession;

  before(async () => {
    int8 = await ort.InferenceSession.create(onnxPath);
    float = await ort.InferenceSession.create(join(MODELS_DIR, `${FLOAT.name}.onnx`));
  });
  after(async () => {
    await int8.release();
    await float.release();
  });

  it('matches its manifest and regenerates byte-identically from the demo reel', async () => {
    assert.equal(createHash('sha256').update(readFileSync(onnxPath)).digest('hex'), manifest.sha256);
    assert.ok(manifest.quantization.calibration.frames >= 100, 'calibrated on the demo reel at 2 frames a second');
    const dir = mkdtempSync(join(tmpdir(), 'onnx-int8-'));
    try {
      const fresh = await generateModel(SPEC, dir);
      assert.equal(fresh.manifest.sha256, manifest.sha256, 'converter, calibration or quantizer output changed: regenerate models/ (npm run models)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the backbone as integer convolutions and the FPN and heads as float ones', async () => {
    const ops = await optimizedOpTypes(onnxPath);
    const count = (op: string): number => ops.filter((o) => o === op).length;
    assert.equal(count('QLinearConv'), manifest.quantization.convolutions);
    assert.equal(count('Conv') + count('FusedConv'), manifest.quantization.floatConvolutions, `float convolutions (a FusedConv is one with its activation): ${ops.join(' ')}`);
    assert.ok(manifest.quantization.convolutions >= 50, 'the whole MobileNetV2 backbone');
  });

  it(`finds what the float model finds on ${FRAMES.length} real frames`, async () => {
    const batch = loadBatch(FRAMES, H, W, (v) => v, true);
    const [q, f] = [await analyse(int8, batch), await analyse(float, batch)];
    let sameCount = 0, people = 0;
    const joints: number[] = [], scores: number[] = [], correlations: number[] = [];
    for (let b = 0; b < FRAMES.length; b++) {
      if (q[b]!.people.length === f[b]!.people.length) sameCount += 1;
      correlations.push(correlation(q[b]!.embedding, f[b]!.embedding));
      for (const p of f[b]!.people) {
        people += 1;
        // The int8 model's person nearest this one (by box centre).
        const centre = (x: Person): [number, number] => [(x.box.xMin + x.box.xMax) / 2, (x.box.yMin + x.box.yMax) / 2];
        const [cx, cy] = centre(p);
        const match = q[b]!.people.map((o) => ({ o, d: Math.hypot(centre(o)[0] - cx, centre(o)[1] - cy) })).sort((u, v) => u.d - v.d)[0];
        if (!match || match.d > 0.05) continue;
        scores.push(Math.abs(match.o.score - p.score));
        p.keypoints.forEach((k, j) => {
          const m = match.o.keypoints[j]!;
          if (k.score >= JOINT && m.score >= JOINT) joints.push(Math.hypot((k.x - m.x) * W, (k.y - m.y) * H));
        });
      }
    }
    const sorted = (x: number[]): number[] => [...x].sort((u, v) => u - v);
    const median = (x: number[]): number => sorted(x)[Math.floor(x.length / 2)]!;
    console.log(`# ${people} people; same count on ${sameCount} of ${FRAMES.length} frames; joints off by ${median(joints).toFixed(2)} px (median of ${joints.length}), worst ${Math.max(...joints).toFixed(1)}; person score off by ${median(scores).toFixed(3)} (median); embedding correlation ${median(correlations).toFixed(4)} (median), ${Math.min(...correlations).toFixed(4)} at worst`);
    assert.ok(people >= 10, 'the frames hold people');
    assert.ok(sameCount >= FRAMES.length - 3, `the same number of people on ${sameCount} of ${FRAMES.length} frames`);
    assert.equal(scores.length, people, 'every person the float model finds, the int8 model finds in the same place');
    assert.ok(median(joints) <= 1, `joints off by ${median(joints)} px (median)`);
    assert.ok(median(scores) <= 0.03, `person scores off by ${median(scores)} (median)`);
    assert.ok(median(correlations) >= 0.99, `backbone embedding correlation ${median(correlations)} (median)`);
    assert.ok(Math.min(...correlations) >= 0.94, `backbone embedding correlation down to ${Math.min(...correlations)}`);
  });
});
