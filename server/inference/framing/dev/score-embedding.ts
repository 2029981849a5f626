/**
 * Dev: does MoveNet's own backbone, pooled, help the calibration head?
 * Decodes the cinemanet frames exactly as the pipeline does (ffmpeg letterbox
 * to 320x192 RGB24), feeds them to the pose model exactly as detector-runner.ts
 * does (NHWC float 0..255, batch 8), keeps the pooled outputs, appends them to
 * the saved framing features (/tmp/cal/samples.json, written by
 * `shotscale calibrate --save-samples`) and 5-fold cross-validates the head.
 *
 *   npx tsx server/inference/framing/dev/score-embedding.ts score
 *     [--explore] [--sets base,p5_gap,p5_gap+p4_gap] [--l2 1e-3,1e-2] [--hidden 0,16] [--epochs 400]
 *     [--seeds 3] [--lr 0.05]   (mean over seeds 1..N of folds + init; recall/exact are means)
 *   npx tsx server/inference/framing/dev/score-embedding.ts bench [--batch 8] [--threads 2] [--runs 30]
 *
 * Set names are ONNX output names without the "embed_" prefix, joined by "+"
 * ("base" = framing features alone). --explore builds a wide variant
 * (EXPLORE_POOLED, many candidate maps) into /tmp/embed-explore/<pid>/ and scores
 * from it; without it the shipped models/movenet-multipose-embed.onnx is used.
 * Frames are cached in /tmp/embed-frames.bin, pooled outputs in
 * /tmp/embed-cache/<model sha>/.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '../../onnx-telemetry-off.js'; // before onnxruntime-node, which reads it when it starts
import * as ort from 'onnxruntime-node';
import { crossValidate, type FoldScores } from '../../../calibration/cross-validation.js';
import { generateModel } from '../../../model-tools/generate-models.js';
import { MODEL_SPECS, MOVENET_EMBED_SPEC, type ModelSpec, type PooledOutputSpec } from '../../../model-tools/model-specs.js';
import type { CanonicalScale } from '../../../shared/scale.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
import { packedFrames } from './detect-cache.js';
const SAMPLES = '/tmp/cal/samples.json';
const FRAMES_CACHE = '/tmp/embed-frames.bin';
const CACHE_DIR = '/tmp/embed-cache';
const W = 320, H = 192, FRAME_BYTES = W * H * 3;
const BATCH = 8;
const CLASSES = ['ECU', 'CU', 'MS', 'LS', 'ELS'];
const GROUPS: CanonicalScale[][] = [['ECU'], ['CU'], ['MCU', 'MS'], ['MWS', 'FS', 'WS'], ['EWS']];

const FE = 'StatefulPartitionedCall/center_net_mobile_net_v2fpn_feature_extractor/model_1/';
const map = (tensor: string, short: string, mapShape: [number, number, number], grid: [number, number]): PooledOutputSpec => ({
  tensor: `${FE}${tensor}`, name: `embed_${short}`, mapShape, grid, description: short,
});
/** Candidate maps for --explore (shapes at the 192x320 input). */
const EXPLORE_POOLED: PooledOutputSpec[] = [
  map('conv2d/BiasAdd', 'p5_gap', [6, 10, 64], [1, 1]),
  map('conv2d/BiasAdd', 'p5_g22', [6, 10, 64], [2, 2]),
  map('tf.__operators__.add/AddV2', 'a4_gap', [12, 20, 64], [1, 1]),
  map('re_lu/Relu', 'p4_gap', [12, 20, 32], [1, 1]),
  map('re_lu/Relu', 'p4_g22', [12, 20, 32], [2, 2]),
  map('re_lu_1/Relu', 'p3_gap', [24, 40, 24], [1, 1]),
  map('re_lu_1/Relu', 'p3_g22', [24, 40, 24], [2, 2]),
  map('re_lu_2/Relu', 'p2_gap', [48, 80, 24], [1, 1]),
  map('re_lu_2/Relu', 'p2_g22', [48, 80, 24], [2, 2]),
  map('model/out_relu/Relu6', 'c5_gap', [6, 10, 1280], [1, 1]),
  map('model/block_16_project_BN/FusedBatchNormV3', 'b16_gap', [6, 10, 480], [1, 1]),
  map('model/block_15_add/add', 'b15_gap', [6, 10, 240], [1, 1]),
  map('model/block_12_add/add', 'b12_gap', [12, 20, 144], [1, 1]),
];

interface Saved { featureNames: string[]; samples: { file: string; label: number; features: number[]; rules: number[] }[] }

async function openCpu(modelPath: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, logSeverityLevel: 3 });
}

/** The model to score: the shipped variant, or the wide exploration one built into /tmp. */
async function modelFor(explore: boolean): Promise<{ path: string; spec: ModelSpec; sha: string }> {
  if (!explore) {
    const file = path.join(ROOT, 'models', `${MOVENET_EMBED_SPEC.name}.onnx`);
    return { path: file, spec: MOVENET_EMBED_SPEC, sha: createHash('sha256').update(readFileSync(file)).digest('hex') };
  }
  const spec: ModelSpec = { ...MOVENET_EMBED_SPEC, name: 'movenet-multipose-explore', pooled: EXPLORE_POOLED };
  // One folder per process: concurrent --explore runs must not read each other's half-written file.
  const dir = `/tmp/embed-explore/${process.pid}`;
  mkdirSync(dir, { recursive: true });
  const { onnxPath, manifest } = await generateModel(spec, dir);
  return { path: onnxPath, spec, sha: String(manifest.sha256) };
}

/** Pooled outputs per frame, [output name] -> rows, cached by model sha. */
async function embeddings(explore: boolean, files: string[]): Promise<Map<string, Float32Array[]>> {
  const { path: modelPath, spec, sha } = await modelFor(explore);
  const dir = path.join(CACHE_DIR, sha.slice(0, 16));
  const pooled = spec.pooled ?? [];
  const dimsOf = (p: PooledOutputSpec): number => p.grid[0] * p.grid[1] * p.mapShape[2];
  const out = new Map<string, Float32Array[]>();
  if (pooled.every((p) => existsSync(path.join(dir, `${p.name}.f32`)))) {
    for (const p of pooled) {
      const buf = readFileSync(path.join(dir, `${p.name}.f32`));
      const all = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
      const d = dimsOf(p);
      out.set(p.name, files.map((_, i) => all.subarray(i * d, (i + 1) * d)));
    }
    return out;
  }
  const all = await packedFrames(files, W, H, FRAMES_CACHE);
  const session = await openCpu(modelPath, 2);
  const buffers = new Map(pooled.map((p) => [p.name, new Float32Array(files.length * dimsOf(p))]));
  const t0 = performance.now();
  for (let s = 0; s < files.length; s += BATCH) {
    const n = Math.min(BATCH, files.length - s);
    // As detector-runner.ts: the RGB24 bytes copied into an NHWC float tensor, 0..255.
    const x = new Float32Array(n * FRAME_BYTES);
    x.set(all.subarray(s * FRAME_BYTES, (s + n) * FRAME_BYTES));
    const res = await session.run({ input: new ort.Tensor('float32', x, [n, H, W, 3]) });
    for (const p of pooled) buffers.get(p.name)!.set(res[p.name]!.data as Float32Array, s * dimsOf(p));
  }
  process.stderr.write(`ran ${spec.name} on ${files.length} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  await session.release();
  mkdirSync(dir, { recursive: true });
  for (const p of pooled) {
    const buf = buffers.get(p.name)!;
    writeFileSync(path.join(dir, `${p.name}.f32`), new Uint8Array(buf.buffer));
    const d = dimsOf(p);
    out.set(p.name, files.map((_, i) => buf.subarray(i * d, (i + 1) * d)));
  }
  return out;
}

const pct = (v: number): string => (v * 100).toFixed(1);

async function score(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      explore: { type: 'boolean', default: false },
      sets: { type: 'string' },
      l2: { type: 'string', default: '1e-3' },
      hidden: { type: 'string', default: '0' },
      epochs: { type: 'string' },
      seeds: { type: 'string', default: '1' },
      lr: { type: 'string' },
    },
  });
  const saved = JSON.parse(readFileSync(SAMPLES, 'utf8')) as Saved;
  const files = saved.samples.map((s) => s.file);
  const emb = await embeddings(values.explore, files);
  const sets = (values.sets ?? ['base', ...[...emb.keys()].map((k) => k.replace(/^embed_/, ''))].join(',')).split(',');
  const face = saved.featureNames.indexOf('face_present');
  const person = saved.featureNames.indexOf('person_present');
  const noDet = saved.samples.map((s, i) => (s.features[face] === 0 && s.features[person] === 0 ? i : -1)).filter((i) => i >= 0);
  console.log(`${saved.samples.length} frames, ${noDet.length} with no face and no person; classes ${CLASSES.join(', ')}`);
  console.log('| features | dims | hidden | epochs | l2 | exact | within-one | recall ECU/CU/MS/LS/ELS | no-detection exact | min recall |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const set of sets) {
    const parts = set === 'base' ? [] : set.split('+').map((p) => `embed_${p}`);
    for (const p of parts) if (!emb.has(p)) throw new Error(`no output ${p} (have ${[...emb.keys()].join(', ')})`);
    const samples = saved.samples.map((s, i) => ({
      label: s.label, rules: s.rules,
      features: [...s.features, ...parts.flatMap((p) => Array.from(emb.get(p)![i]!))],
    }));
    const dims = samples[0]!.features.length - saved.featureNames.length;
    for (const hidden of values.hidden.split(',').map(Number)) {
      const epochs = values.epochs ? Number(values.epochs) : hidden > 0 ? 150 : 400;
      for (const l2 of values.l2.split(',').map(Number)) {
        const t0 = performance.now();
        // Several seeds (folds and initialisation): single runs swing by 1-2 points.
        const runs = Array.from({ length: Number(values.seeds) }, (_, k) => {
          const cv = crossValidate(samples, GROUPS, 5, { hidden, epochs, l2, seed: k + 1, ...(values.lr ? { learningRate: Number(values.lr) } : {}) });
          const nd = noDet.filter((i) => cv.predictions[i] === saved.samples[i]!.label).length / noDet.length;
          return { h: cv.head, nd };
        });
        const mean = (f: (r: { h: FoldScores; nd: number }) => number): number => runs.reduce((a, r) => a + f(r), 0) / runs.length;
        const range = runs.length > 1 ? ` (${pct(Math.min(...runs.map((r) => r.h.accuracy)))}-${pct(Math.max(...runs.map((r) => r.h.accuracy)))})` : '';
        const recall = CLASSES.map((_, c) => mean((r) => r.h.recall[c]!));
        console.log(`| ${set} | ${dims} | ${hidden} | ${epochs} | ${l2} | ${pct(mean((r) => r.h.accuracy))}${range} | ${pct(mean((r) => r.h.withinOne))} | ` +
          `${recall.map(pct).join(' / ')} | ${pct(mean((r) => r.nd))} | ${pct(Math.min(...recall))} |` +
          ` <!-- ${runs.length} seed(s)${values.lr ? `, lr ${values.lr}` : ''}, ${((performance.now() - t0) / 1000).toFixed(0)} s -->`);
      }
    }
  }
}

async function bench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { batch: { type: 'string', default: '8' }, threads: { type: 'string', default: '2' }, runs: { type: 'string', default: '30' } } });
  const n = Number(values.batch), threads = Number(values.threads), runs = Number(values.runs);
  const saved = JSON.parse(readFileSync(SAMPLES, 'utf8')) as Saved;
  const all = await packedFrames(saved.samples.map((s) => s.file), W, H, FRAMES_CACHE);
  const original = MODEL_SPECS.find((s) => s.name === 'movenet-multipose')!;
  const models = [original, MOVENET_EMBED_SPEC].map((s) => ({ name: s.name, path: path.join(ROOT, 'models', `${s.name}.onnx`) }));
  const sessions = await Promise.all(models.map((m) => openCpu(m.path, threads)));
  const times: number[][] = models.map(() => []);
  for (let r = -3; r < runs; r++) {
    // Interleaved, different frames each run, so neither model gets warmer caches.
    const s = ((r + 3) * n) % (saved.samples.length - n);
    const x = new Float32Array(n * FRAME_BYTES);
    x.set(all.subarray(s * FRAME_BYTES, (s + n) * FRAME_BYTES));
    for (const [k, session] of sessions.entries()) {
      const t0 = performance.now();
      await session.run({ input: new ort.Tensor('float32', x, [n, H, W, 3]) });
      if (r >= 0) times[k]!.push(performance.now() - t0);
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  models.forEach((m, k) => {
    const t = times[k]!;
    console.log(`${m.name}: batch ${n}, ${threads} threads: median ${median(t).toFixed(1)} ms/batch = ${(median(t) / n).toFixed(2)} ms/frame (min ${(Math.min(...t) / n).toFixed(2)})`);
  });
  console.log(`extra: ${((median(times[1]!) - median(times[0]!)) / n).toFixed(2)} ms/frame`);
  await Promise.all(sessions.map((s) => s.release()));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'score') await score(rest);
  else if (command === 'bench') await bench(rest);
  else throw new Error('usage: score-embedding.ts score|bench [options] (see the file header)');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
