/**
 * The pipeline benchmark: N testsrc cameras at F analysed fps through a real
 * server process (real ffmpeg children, real onnxruntime), measured from a
 * Socket.IO client. Prints a table and writes JSON. Not a test: it asserts
 * nothing, it measures.
 *
 *   npm run bench -- --cameras 1,4,8,16 --fps 5 --duration 30
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import type { Readout } from '../server/shared/socket-events.js';
import { ShotscaleError } from '../server/errors.js';
import { MAX_ANALYSIS_FPS } from '../server/shared/input-limits.js';
import { benchArgs, listOf, numberFrom, positiveNumber, wholeNumber } from './bench-options.js';
import { childrenOf, readProc } from './proc-stats.js';
import { startServerProcess } from './server-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE_MANIFEST = path.join(ROOT, 'test', 'fixtures', 'movieshots-fixture.manifest.json');
const SHIPPED_MANIFEST = path.join(ROOT, 'models', 'movieshots-mobilenetv3-small-random.manifest.json');
// `shotscale bench` checks these options first (server/cli/bench-command.ts) and prints its own usage; this one is for `tsx bench/pipeline-bench.ts`.
const USAGE = `usage: npm run bench [-- --cameras 1,4,8,16 --fps 5 --duration 30 --warmup 5 --manifest M --out bench-results/pipeline.json]
  --cameras N,...   camera counts, one run each: whole numbers, at least 1, separated by commas (default 1,4,8,16)
  --fps N           analysed frames per second of each camera: more than 0 and at most ${MAX_ANALYSIS_FPS} (default 5)
  --duration S      seconds per run: more than 0 (default 30)
  --warmup S        seconds before a run counts: 0 or more (default 5)
  --manifest M      another model's manifest (default: the shared test classifier, else the shipped model)
  --out FILE        where the JSON goes (default bench-results/pipeline.json)
  -h, --help        this text`;

interface RunResult {
  cameras: number;
  fps: number;
  durationS: number;
  targetFramesPerS: number;
  analysedFramesPerS: number;
  readoutsPerCamera: { min: number; max: number };
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  clientLatencyMs: { p50: number; p95: number; p99: number };
  batchSize: { mean: number; max: number };
  inferenceMsPerBatch: number;
  droppedFrames: Record<string, number>;
  server: { cpuCores: number; rssMbStart: number; rssMbEnd: number; rssSlopeMbPerMin: number };
  ffmpeg: { processes: number; cpuCores: number; rssMb: number };
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function slopePerMinute(points: [number, number][]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den ? (num / den) * 60 : 0;
}

/** Parses the Prometheus text for the figures the benchmark reports. */
function scrape(text: string) {
  const value = (re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  const dropped: Record<string, number> = {};
  for (const m of text.matchAll(/^shotscale_frames_dropped_total\{[^}]*reason="(\w+)"[^}]*\} (\S+)$/gm)) dropped[m[1]!] = (dropped[m[1]!] ?? 0) + Number(m[2]);
  const buckets = [...text.matchAll(/^shotscale_batch_size_bucket\{le="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as const);
  return {
    batchSum: value(/^shotscale_batch_size_sum (\S+)$/gm),
    batchCount: value(/^shotscale_batch_size_count (\S+)$/gm),
    inferenceSum: value(/^shotscale_inference_seconds_sum (\S+)$/gm),
    inferenceCount: value(/^shotscale_inference_seconds_count (\S+)$/gm),
    buckets,
    dropped,
  };
}


async function runOne(cameras: number, fps: number, durationS: number, warmupS: number, manifest: string, workDir: string, log: (s: string) => void): Promise<RunResult> {
  const configFile = path.join(workDir, `bench-${cameras}.yaml`);
  const cams = Array.from({ length: cameras }, (_, i) => `  - { id: bench-${i + 1}, analysisFps: ${fps}, source: { kind: testsrc, pattern: testsrc2, width: 1280, height: 720, fps: 25 } }`);
  writeFileSync(configFile, [`server: { port: 0 }`, `model: { manifest: ${JSON.stringify(manifest)}, executionProviders: [cpu] }`, 'cameras:', ...cams].join('\n') + '\n');
  const { child, url } = await startServerProcess(configFile);
  const client = io(url, { transports: ['websocket'] });
  const latencies: number[] = [];
  const clientLatencies: number[] = [];
  const perCamera = new Map<string, number>();
  let recording = false;
  client.on('readout', (r: Readout) => {
    if (!recording) return;
    latencies.push(r.latencyMs);
    clientLatencies.push(Date.now() - r.captureTime);
    perCamera.set(r.cameraId, (perCamera.get(r.cameraId) ?? 0) + 1);
  });
  try {
    await new Promise((r) => setTimeout(r, warmupS * 1000));
    const metricsBefore = scrape(await (await fetch(`${url}/metrics`)).text());
    const serverStart = readProc(child.pid!)!;
    const childrenStart = new Map(childrenOf(child.pid!).map((c) => [c.pid, c.cpuS]));
    const rssPoints: [number, number][] = [];
    recording = true;
    const started = performance.now();
    while (performance.now() - started < durationS * 1000) {
      await new Promise((r) => setTimeout(r, Math.min(5000, durationS * 1000 - (performance.now() - started)) || 1));
      const s = readProc(child.pid!);
      if (s) rssPoints.push([(performance.now() - started) / 1000, s.rssBytes / 1e6]);
      if (durationS >= 60 && rssPoints.length % 12 === 0) log(`  ${Math.round((performance.now() - started) / 1000)} s: RSS ${round(s!.rssBytes / 1e6)} MB, ${latencies.length} readouts`);
    }
    recording = false;
    const elapsedS = (performance.now() - started) / 1000;
    const serverEnd = readProc(child.pid!)!;
    const childrenEnd = childrenOf(child.pid!);
    const metricsAfter = scrape(await (await fetch(`${url}/metrics`)).text());
    const sorted = [...latencies].sort((a, b) => a - b);
    const sortedClient = [...clientLatencies].sort((a, b) => a - b);
    const batchCount = metricsAfter.batchCount - metricsBefore.batchCount;
    const maxBatch = metricsAfter.buckets.find(([le], i) => metricsAfter.buckets[i]![1] - (metricsBefore.buckets[i]?.[1] ?? 0) >= batchCount && Number.isFinite(le))?.[0] ?? NaN;
    const dropped: Record<string, number> = {};
    for (const [reason, n] of Object.entries(metricsAfter.dropped)) dropped[reason] = n - (metricsBefore.dropped[reason] ?? 0);
    const ffmpegCpu = childrenEnd.reduce((a, c) => a + (c.cpuS - (childrenStart.get(c.pid) ?? c.cpuS)), 0);
    return {
      cameras,
      fps,
      durationS: round(elapsedS),
      targetFramesPerS: cameras * fps,
      analysedFramesPerS: round(latencies.length / elapsedS, 2),
      readoutsPerCamera: { min: Math.min(...perCamera.values()), max: Math.max(...perCamera.values()) },
      latencyMs: { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? NaN), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) },
      clientLatencyMs: { p50: round(percentile(sortedClient, 50)), p95: round(percentile(sortedClient, 95)), p99: round(percentile(sortedClient, 99)) },
      batchSize: { mean: round((metricsAfter.batchSum - metricsBefore.batchSum) / batchCount, 2), max: maxBatch },
      inferenceMsPerBatch: round(((metricsAfter.inferenceSum - metricsBefore.inferenceSum) / batchCount) * 1000, 2),
      droppedFrames: dropped,
      server: { cpuCores: round((serverEnd.cpuS - serverStart.cpuS) / elapsedS, 2), rssMbStart: round(serverStart.rssBytes / 1e6), rssMbEnd: round(serverEnd.rssBytes / 1e6), rssSlopeMbPerMin: round(slopePerMinute(rssPoints), 2) },
      ffmpeg: { processes: childrenEnd.length, cpuCores: round(ffmpegCpu / elapsedS, 2), rssMb: round(childrenEnd.reduce((a, c) => a + c.rssBytes, 0) / 1e6) },
    };
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
}

export async function runPipelineBench(argv: string[]): Promise<number> {
  const { counts, fps, durationS, warmupS, values } = benchArgs(
    USAGE,
    argv,
    {
      cameras: { type: 'string', default: '1,4,8,16' },
      fps: { type: 'string', default: '5' },
      duration: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '5' },
      manifest: { type: 'string' },
      out: { type: 'string', default: path.join(ROOT, 'bench-results', 'pipeline.json') },
    },
    (values) => {
      if (values.manifest !== undefined && !existsSync(values.manifest)) throw new ShotscaleError('MODEL_MANIFEST_NOT_FOUND', `--manifest ${values.manifest}: no such file`);
      return {
        counts: listOf('cameras', values.cameras, (name, item) => wholeNumber(name, item.trim(), 1)),
        fps: positiveNumber('fps', values.fps, MAX_ANALYSIS_FPS),
        durationS: positiveNumber('duration', values.duration),
        warmupS: numberFrom('warmup', values.warmup, 0),
        values,
      };
    },
  );
  const manifest = values.manifest ? path.resolve(values.manifest) : existsSync(path.join(ROOT, '..', 'shared', 'fixtures', 'movieshots-mobilenetv3-small-random.onnx')) ? FIXTURE_MANIFEST : SHIPPED_MANIFEST;
  const log = (s: string) => process.stderr.write(s + '\n');
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-bench-'));
  log(`pipeline bench: cameras ${counts.join(', ')} at ${fps} fps, ${durationS} s each (+${warmupS} s warm-up), model ${path.basename(manifest)}, ${os.cpus().length} cores`);
  const results: RunResult[] = [];
  for (const n of counts) {
    log(`- ${n} camera(s)...`);
    results.push(await runOne(n, fps, durationS, warmupS, manifest, workDir, log));
  }
  const header = 'cams  target/s  analysed/s  p50ms  p95ms  p99ms  batch  infer-ms  dropped  srv-cpu  srv-rss(MB) slope/min  ffmpeg-cpu  ffmpeg-rss';
  process.stdout.write(header + '\n');
  for (const r of results) {
    const dropped = Object.values(r.droppedFrames).reduce((a, b) => a + b, 0);
    process.stdout.write(
      [String(r.cameras).padStart(4), String(r.targetFramesPerS).padStart(8), String(r.analysedFramesPerS).padStart(10), String(r.latencyMs.p50).padStart(6), String(r.latencyMs.p95).padStart(6), String(r.latencyMs.p99).padStart(6), String(r.batchSize.mean).padStart(6), String(r.inferenceMsPerBatch).padStart(9), String(dropped).padStart(8), String(r.server.cpuCores).padStart(8), `${r.server.rssMbStart}->${r.server.rssMbEnd}`.padStart(12), String(r.server.rssSlopeMbPerMin).padStart(9), String(r.ffmpeg.cpuCores).padStart(11), String(r.ffmpeg.rssMb).padStart(11)].join(' ') + '\n',
    );
  }
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, manifest, results }, null, 2) + '\n');
  log(`wrote ${values.out}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await runPipelineBench(process.argv.slice(2)));
