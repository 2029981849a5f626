/**
 * Model benchmark: ms per frame and frames/s at batch 1, 4, 8, 16 for each
 * detector session alone, the whole default framing stack (detectors,
 * decoding, features, rules, subjects) in one thread, the same through the
 * server's model threads (frames/s of them all), and the fixture classifier
 * for reference. Real frames from ../shared/evalset when present, else ffmpeg
 * test patterns. Prints a table and writes JSON; asserts nothing.
 *
 *   npm run bench:model [-- --rounds 4 --out bench-results/models.json]
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import '../server/inference/onnx-telemetry-off.js'; // before onnxruntime-node, which reads it when it starts
import * as ort from 'onnxruntime-node';
import { openSession } from '../server/inference/onnx-session.js';
import { threadPlan } from '../server/inference/model-set.js';
import { WorkerPool } from '../server/inference/worker/worker-pool.js';
import { decodeFile } from '../server/ingest/file-decoder.js';
import { resolveFfmpeg } from '../server/ingest/ffmpeg-binary.js';
import { loadModel } from '../server/inference/model-registry.js';
import { benchArgs, wholeNumber } from './bench-options.js';
import { findActiveRect } from '../server/inference/framing/image-cues.js';
import { readFramingManifest } from '../server/inference/framing/framing-manifest.js';
import { roundEye } from '../server/inference/framing/round-eye.js';
import type { FrameInput, ShotScaleModel } from '../server/inference/model.js';
import { systemClock } from '../server/shared/clock.js';
import { silentLogger } from '../server/shared/logger.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run bench:model [-- --rounds 8 --out bench-results/models.json]
  --rounds N   timed runs of each model at each batch size: a whole number, at least 1 (default 8)
  --out FILE   where the JSON goes (default bench-results/models.json)
  -h, --help   this text`;
const EVAL_IMAGES = path.join(ROOT, '..', 'shared', 'evalset', 'cinemanet', 'img');
const BATCHES = [1, 4, 8, 16];

interface Row {
  name: string;
  batch: number;
  msPerFrame: number;
  p90MsPerFrame: number;
  framesPerS: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

async function time(name: string, batch: number, rounds: number, run: () => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < 2; i++) await run(); // warm-up: allocation and planning
  const per: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    per.push((performance.now() - started) / batch);
  }
  const ms = median(per);
  return { name, batch, msPerFrame: Math.round(ms * 100) / 100, p90MsPerFrame: Math.round(p90(per) * 100) / 100, framesPerS: Math.round((1000 / ms) * 10) / 10 };
}

/** Frames at a model's input size, decoded by ffmpeg like a camera's. */
async function framesFor(input: ShotScaleModel['input'], count: number): Promise<FrameInput[]> {
  const ffmpeg = resolveFfmpeg(null);
  const ctx = { ffmpeg, logLevel: 'error', platform: process.platform };
  const sources = existsSync(EVAL_IMAGES)
    ? readdirSync(EVAL_IMAGES).filter((f) => f.endsWith('.jpg')).filter((_, i) => i % 97 === 0).slice(0, count).map((f) => path.join(EVAL_IMAGES, f))
    : [];
  const frames: FrameInput[] = [];
  for (const file of sources) {
    await decodeFile(ffmpeg.path, file, { ...input, fps: 1 }, ctx, systemClock, (f) => frames.push({ width: input.width, height: input.height, data: f.data }));
  }
  while (frames.length < count) {
    // No evalset here: a varied synthetic frame (gradient plus noise).
    const data = new Uint8Array(input.width * input.height * 3).map((_, i) => (i * 7 + frames.length * 31 + Math.random() * 40) % 256);
    frames.push({ width: input.width, height: input.height, data });
  }
  return frames;
}

async function benchModel(label: string, manifest: string, rounds: number, rows: Row[]): Promise<void> {
  const model = await loadModel(manifest, { executionProviders: ['cpu'], intraOpThreads: 0 }, silentLogger);
  const frames = await framesFor(model.input, 16);
  for (const batch of BATCHES) rows.push(await time(label, batch, rounds, () => model.predict(frames.slice(0, batch))));
  await model.dispose();
}

/**
 * The server's throughput with its model threads (server/inference/worker):
 * as many streams of single frames as threads, each waiting for its last
 * answer, for `seconds`; ms per frame is wall time over frames analysed.
 */
async function benchPool(label: string, manifest: string, seconds: number, rows: Row[]): Promise<void> {
  const { threads, intraOpThreads } = threadPlan({ inferenceThread: true, inferenceThreads: 0, intraOpThreads: 0, executionProviders: ['cpu'] });
  const model = await WorkerPool.load(manifest, { executionProviders: ['cpu'], intraOpThreads }, silentLogger, {}, threads);
  const frames = await framesFor(model.input, 16);
  await Promise.all(Array.from({ length: threads }, (_, i) => model.predict([frames[i]!])));
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: threads }, async (_, lane) => {
      for (let k = lane; performance.now() - started < seconds * 1000; k += threads) {
        await model.predict([frames[k % frames.length]!]);
        done += 1;
      }
    }),
  );
  const ms = (performance.now() - started) / done;
  rows.push({ name: `${label}, ${threads} thr x ${intraOpThreads}`, batch: 1, msPerFrame: Math.round(ms * 100) / 100, p90MsPerFrame: NaN, framesPerS: Math.round((1000 / ms) * 10) / 10 });
  await model.dispose();
}

/**
 * The round-eye cue alone (round-eye.ts), on the same frames: the pipeline
 * computes it only where no face and no body were found, so the whole stack
 * above pays it on those of its frames only.
 */
async function benchRoundEye(manifest: string, rounds: number, rows: Row[]): Promise<void> {
  const frames = await framesFor(readFramingManifest(manifest).manifest.input, 16);
  const rects = frames.map(findActiveRect);
  rows.push(await time('round-eye cue (nobody found only)', frames.length, rounds, async () => frames.forEach((f, i) => roundEye(f, rects[i]!))));
}

/** Each detector's session.run alone, on a zero tensor of its input shape, with the server's session options (one operator thread per core). */
async function benchDetector(name: string, shape: [number, number, number], rounds: number, rows: Row[]): Promise<void> {
  const { session } = await openSession(path.join(ROOT, 'models', `${name}.onnx`), { executionProviders: ['cpu'], intraOpThreads: 0 }, silentLogger);
  for (const batch of BATCHES) {
    const input = new ort.Tensor('float32', new Float32Array(batch * shape[0] * shape[1] * shape[2]).fill(0.5), [batch, ...shape]);
    rows.push(await time(`${name} (session.run)`, batch, rounds, () => session.run({ [session.inputNames[0]!]: input })));
  }
  await session.release();
}

export async function runModelBench(argv: string[]): Promise<number> {
  const { rounds, values } = benchArgs(USAGE, argv, { rounds: { type: 'string', default: '8' }, out: { type: 'string', default: path.join(ROOT, 'bench-results', 'models.json') } }, (values) => ({ rounds: wholeNumber('rounds', values.rounds, 1), values }));
  const rows: Row[] = [];
  await benchDetector('movenet-multipose', [192, 320, 3], rounds, rows);
  await benchDetector('movenet-multipose-embed-int8', [192, 320, 3], rounds, rows);
  await benchDetector('blazeface-back', [256, 256, 3], rounds, rows);
  const framingDefault = path.join(ROOT, 'models', 'framing-default.manifest.json');
  await benchModel('framing-default (whole stack)', framingDefault, rounds, rows);
  await benchRoundEye(framingDefault, rounds, rows);
  await benchPool('framing-default (model threads)', framingDefault, rounds * 2, rows);
  const fixture = path.join(ROOT, 'test', 'fixtures', 'movieshots-fixture.manifest.json');
  if (existsSync(path.join(ROOT, '..', 'shared', 'fixtures'))) await benchModel('movieshots fixture (reference)', fixture, rounds, rows);
  process.stdout.write(`${'model'.padEnd(46)}batch  ms/frame  p90 ms  frames/s\n`);
  for (const r of rows) process.stdout.write(`${r.name.padEnd(46)}${String(r.batch).padStart(5)}${String(r.msPerFrame).padStart(10)}${(Number.isNaN(r.p90MsPerFrame) ? '-' : String(r.p90MsPerFrame)).padStart(8)}${String(r.framesPerS).padStart(10)}\n`);
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, frames: existsSync(EVAL_IMAGES) ? 'cinemanet evalset' : 'synthetic', rows }, null, 2) + '\n');
  process.stderr.write(`wrote ${values.out}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await runModelBench(process.argv.slice(2)));
