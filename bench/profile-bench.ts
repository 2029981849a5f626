/**
 * Where the server's CPU goes: N test-pattern cameras through a real server
 * process run under V8's sampling profiler (`--cpu-prof`, every thread), with
 * a dashboard client taking readouts and previews. Each sample is charged to
 * the nearest frame on its stack that belongs to a pipeline stage (model,
 * detection decoding, framing features, frame copies, cut detection, shot
 * log, Socket.IO, previews, metrics, ffmpeg pipes), so native calls count
 * for the stage that made them. Prints a table per thread, in ms per
 * analysed frame, and writes JSON; asserts nothing.
 *
 *   npm run bench:profile [-- --cameras 8 --fps 5 --duration 20 --manifest M]
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { ShotscaleError } from '../server/errors.js';
import { MAX_ANALYSIS_FPS } from '../server/shared/input-limits.js';
import { benchArgs, numberFrom, positiveNumber, wholeNumber } from './bench-options.js';
import { childrenOf, readProc } from './proc-stats.js';
import { startServerProcess } from './server-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_MANIFEST = path.join(ROOT, 'models', 'framing-default.manifest.json');
const USAGE = `usage: npm run bench:profile [-- --cameras 8 --fps 5 --duration 20 --warmup 8 --manifest M --intra-op 0 --out bench-results/profile.json]
  --cameras N    test-pattern cameras: a whole number, at least 1 (default 8)
  --fps N        analysed frames per second of each: more than 0 and at most ${MAX_ANALYSIS_FPS} (default 5)
  --duration S   seconds profiled: more than 0 (default 20)
  --warmup S     seconds before the profile counts: 0 or more (default 8)
  --manifest M   the model's manifest (default models/framing-default.manifest.json)
  --intra-op N   onnxruntime threads per operator: a whole number, 0 (the cores shared out) or more (default 0)
  --out FILE     where the JSON goes (default bench-results/profile.json)
  -h, --help     this text`;

/** Stage of a stack frame by its script; first match wins. */
const STAGES: [string, RegExp][] = [
  ['model (onnxruntime run)', /onnxruntime-(node|common)/],
  ['detection decoding', /server\/inference\/detectors\/|backbone-embedding/],
  ['frame copies & letterbox', /fast-letterbox|detector-runner|resize-rgb|preprocess|worker-model|model-worker|inference-runner/],
  ['framing features & rules', /server\/inference\/framing\/|server\/calibration\//],
  ['cut detection', /server\/cuts\//],
  ['previews & thumbnails (JPEG)', /jpeg-js|jpeg-encoder|thumbnail/],
  ['shot log (SQLite)', /server\/(shots|store|coverage)\/|better-sqlite3/],
  ['Socket.IO', /socket\.io|engine\.io|\/ws\/|socket-hub/],
  ['metrics', /prom-client|server\/metrics\//],
  ['readouts & smoothing', /server\/analysis\//],
  ['ffmpeg pipes (ingest)', /server\/ingest\/|node:internal\/child_process|node:net|stream_base_commons|node:internal\/streams/],
  ['HTTP', /fastify|server\/api\//],
  ['module loading', /tsx\/dist|node:internal\/modules/],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface ThreadSummary {
  file: string;
  wallS: number;
  busyS: number;
  stages: Record<string, number>;
}

function stageOf(node: ProfileNode): string | null {
  const { url, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle';
  if (!url) return null;
  for (const [stage, re] of STAGES) if (re.test(url)) return stage;
  return null;
}

export function summariseProfile(profile: CpuProfile, file: string): ThreadSummary {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const memo = new Map<number, string>();
  const stageFor = (id: number): string => {
    const known = memo.get(id);
    if (known) return known;
    let stage: string | null = null;
    for (let at: number | undefined = id; at !== undefined && stage === null; at = parent.get(at)) stage = stageOf(byId.get(at)!);
    const result = stage ?? 'other';
    memo.set(id, result);
    return result;
  };
  const stages: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const stage = stageFor(id);
    stages[stage] = (stages[stage] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1e6;
  });
  const wallS = (profile.endTime - profile.startTime) / 1e6;
  return { file, wallS, busyS: wallS - (stages.idle ?? 0), stages };
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export async function runProfileBench(argv: string[]): Promise<number> {
  const { cameras, fps, durationS, warmupS, intraOp, values } = benchArgs(
    USAGE,
    argv,
    {
      cameras: { type: 'string', default: '8' },
      fps: { type: 'string', default: '5' },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '8' },
      manifest: { type: 'string', default: DEFAULT_MANIFEST },
      'intra-op': { type: 'string', default: '0' },
      out: { type: 'string', default: path.join(ROOT, 'bench-results', 'profile.json') },
    },
    (values) => {
      if (!existsSync(values.manifest)) throw new ShotscaleError('MODEL_MANIFEST_NOT_FOUND', `--manifest ${values.manifest}: no such file`);
      return {
        cameras: wholeNumber('cameras', values.cameras, 1),
        fps: positiveNumber('fps', values.fps, MAX_ANALYSIS_FPS),
        durationS: positiveNumber('duration', values.duration),
        warmupS: numberFrom('warmup', values.warmup, 0),
        intraOp: wholeNumber('intra-op', values['intra-op'], 0),
        values,
      };
    },
  );
  const log = (s: string) => process.stderr.write(s + '\n');
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-profile-'));
  const profileDir = path.join(workDir, 'profiles');
  const configFile = path.join(workDir, 'profile.yaml');
  const cams = Array.from({ length: cameras }, (_, i) => `  - { id: cam-${i + 1}, analysisFps: ${fps}, source: { kind: testsrc, pattern: testsrc2, width: 1280, height: 720, fps: 25 } }`);
  writeFileSync(configFile, [`server: { port: 0 }`, `model: { manifest: ${JSON.stringify(path.resolve(values.manifest))}, executionProviders: [cpu], intraOpThreads: ${intraOp} }`, `shots: { dataDir: ${JSON.stringify(path.join(workDir, 'data'))} }`, 'cameras:', ...cams].join('\n') + '\n');
  log(`profile bench: ${cameras} cameras at ${fps} fps, ${durationS} s (+${warmupS} s warm-up), model ${path.basename(values.manifest)}, ${os.availableParallelism()} cores`);

  const { child, url } = await startServerProcess(configFile, process.env, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  // A dashboard: every readout, and previews of every camera (what the wall asks for).
  const client = io(url, { transports: ['websocket'] });
  client.on('connect', () => client.emit('preview:subscribe', null));
  let readouts = 0;
  client.on('readout', () => (readouts += 1));
  const analysedTotal = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return [...text.matchAll(/^shotscale_frames_analysed_total\{[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
  };
  await new Promise((r) => setTimeout(r, warmupS * 1000));
  const before = { analysed: await analysedTotal(), server: readProc(child.pid!)!, children: new Map(childrenOf(child.pid!).map((c) => [c.pid, c.cpuS])) };
  const started = performance.now();
  await new Promise((r) => setTimeout(r, durationS * 1000));
  const elapsedS = (performance.now() - started) / 1000;
  const analysed = (await analysedTotal()) - before.analysed;
  const serverCpuS = readProc(child.pid!)!.cpuS - before.server.cpuS;
  const ffmpegCpuS = childrenOf(child.pid!).reduce((a, c) => a + c.cpuS - (before.children.get(c.pid) ?? c.cpuS), 0);
  client.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));

  // The profiles cover the whole run (start-up too): stages are reported per analysed frame over the whole profile.
  const threads = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summariseProfile(JSON.parse(readFileSync(path.join(profileDir, f), 'utf8')) as CpuProfile, f))
    .filter((t) => t.busyS > 0.5);
  const totalAnalysed = analysed * (threads[0] ? threads[0].wallS / elapsedS : 1);
  const fpsAnalysed = analysed / elapsedS;
  process.stdout.write(`analysed ${round(fpsAnalysed)} frames/s of ${cameras * fps}; server ${round(serverCpuS / elapsedS, 2)} cores (${round((serverCpuS * 1000) / Math.max(analysed, 1))} ms CPU per analysed frame); ffmpeg ${round(ffmpegCpuS / elapsedS, 2)} cores; ${readouts} readouts\n`);
  for (const t of threads) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    const name = /\.0\.\d+\.cpuprofile$/.test(t.file) ? 'main thread' : t.stages['model (onnxruntime run)'] ? 'model thread' : 'other thread';
    process.stdout.write(`\n${name} (${t.file}): busy ${round(t.busyS)} s of ${round(t.wallS)} s; ms per analysed frame (JS time on this thread; onnxruntime's own threads are not sampled):\n`);
    for (const [stage, s] of Object.entries(t.stages).filter(([k]) => k !== 'idle').sort((a, b) => b[1] - a[1])) {
      if (s < 0.05) continue;
      process.stdout.write(`  ${stage.padEnd(28)} ${String(round((s * 1000) / totalAnalysed, 2)).padStart(7)} ms  ${String(round((100 * s) / t.busyS)).padStart(5)}%\n`);
    }
  }
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(
    values.out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        host: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model, node: process.version },
        manifest: values.manifest,
        cameras,
        fps,
        durationS: round(elapsedS),
        analysedPerS: round(fpsAnalysed, 2),
        serverCores: round(serverCpuS / elapsedS, 2),
        serverCpuMsPerFrame: round((serverCpuS * 1000) / Math.max(analysed, 1), 2),
        ffmpegCores: round(ffmpegCpuS / elapsedS, 2),
        threads: threads.map((t) => ({ ...t, stages: Object.fromEntries(Object.entries(t.stages).map(([k, v]) => [k, round(v, 3)])) })),
      },
      null,
      2,
    ) + '\n',
  );
  log(`wrote ${values.out}; profiles in ${profileDir} (open them in Chrome DevTools)`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await runProfileBench(process.argv.slice(2)));
