/**
 * The WebRTC ingest benchmark: what one WHIP camera costs next to one ffmpeg
 * camera, through a real server process (real wrtc, real ffmpeg, real
 * onnxruntime), measured from outside: CPU from /proc, readouts and their
 * latency from a Socket.IO client. Phases, each `--duration` s after a
 * `--warmup`: idle (no camera), (a) one WebRTC camera published from this
 * process (@roamhq/wrtc, VP8, 1280x720 at 30 fps, moving picture), (b) one
 * ffmpeg testsrc2 camera at 1280x720 30 fps, (c) both. Both analysed at 5 fps.
 * Also times the I420 conversions a WebRTC camera runs per frame. Not a test:
 * it asserts nothing, it measures.
 *
 *   npm run bench:webrtc [-- --duration 20 --cycles 30 --malloc-arena-max 2 --out bench-results/webrtc.json]
 *   (--malloc-arena-max '' runs the server with glibc's default allocator arenas)
 *
 * Latency is the server's own `latencyMs` (frame complete on the decoder's
 * output to readout) for both kinds of camera: for WebRTC that is after the
 * VP8 decode in the server, so network and encoder time are not in it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { CUT_FRAME_BYTES } from '../server/cuts/cut-frames.js';
import { i420ToCutFrame, i420ToRgb } from '../server/ingest/webrtc/i420.js';
import type { Readout } from '../server/shared/socket-events.js';
import { PatternFrames, publishWhip, type WhipPublisher } from '../test/support/whip-publisher.js';
import { ShotscaleError } from '../server/errors.js';
import { MAX_ANALYSIS_FPS, TESTSRC_MAX } from '../server/shared/input-limits.js';
import { benchArgs, numberFrom, positiveNumber, wholeNumber } from './bench-options.js';
import { childrenOf, readProc } from './proc-stats.js';
import { startServerProcess } from './server-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE_MANIFEST = path.join(ROOT, 'test', 'fixtures', 'movieshots-fixture.manifest.json');
const FIXTURE_ONNX = path.join(ROOT, '..', 'shared', 'fixtures', 'movieshots-mobilenetv3-small-random.onnx');
const SHIPPED_MANIFEST = path.join(ROOT, 'models', 'movieshots-mobilenetv3-small-random.manifest.json');
const WEBRTC_ID = 'bench-webrtc';
const FFMPEG_ID = 'bench-ffmpeg';
const USAGE = `usage: npm run bench:webrtc [-- --duration 20 --warmup 5 --width 1280 --height 720 --fps 30 --analysis-fps 5 --manifest M
                                 --cycles 30 --malloc-arena-max 2 --out bench-results/webrtc.json]
  --duration S           seconds per phase: more than 0 (default 20)
  --warmup S             seconds before a phase counts: 0 or more (default 5)
  --width N, --height N  the WebRTC publisher's picture: whole numbers from 16 to ${TESTSRC_MAX.width} and ${TESTSRC_MAX.height} (default 1280x720)
  --fps N                the publisher's frames per second: more than 0 and at most ${TESTSRC_MAX.fps} (default 30)
  --analysis-fps N       analysed frames per second of each camera: more than 0 and at most ${MAX_ANALYSIS_FPS} (default 5)
  --manifest M           another model's manifest (default: the shared test classifier, else the shipped model)
  --cycles N             publish/stop cycles of the churn, every fifth publisher vanishing without DELETE: a whole number, 0 or more (default 30)
  --malloc-arena-max N   the server's MALLOC_ARENA_MAX: a whole number, at least 1, or '' for glibc's default (default 2)
  --out FILE             where the JSON goes (default bench-results/webrtc.json)
  -h, --help             this text`;

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CameraFigures {
  readoutsPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** The server's view at the end of the phase: source (with the received resolution), measured fps, drops. */
  source: string;
  measuredFps: number;
  framesDropped: number;
}

interface PhaseResult {
  phase: string;
  durationS: number;
  cpuCores: { server: number; ffmpeg: number; publisher: number; total: number };
  cameras: Record<string, CameraFigures>;
}

interface ConversionFigures {
  source: string;
  model: string;
  rgbStretchMs: number;
  rgbLetterboxMs: number;
  cutFrameMs: number;
}

/** ms per call of the WebRTC camera's per-frame conversions on a 720p frame. */
function timeConversions(modelWidth: number, modelHeight: number): ConversionFigures {
  const frame = new PatternFrames(1280, 720, 'moving').frame(0, 0);
  const rgb = new Uint8Array(modelWidth * modelHeight * 3);
  const cut = new Uint8Array(CUT_FRAME_BYTES);
  const time = (fn: () => void) => {
    for (let i = 0; i < 30; i++) fn();
    const n = 200;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return round((performance.now() - t0) / n, 3);
  };
  return {
    source: '1280x720 I420',
    model: `${modelWidth}x${modelHeight}`,
    rgbStretchMs: time(() => i420ToRgb(frame, { width: modelWidth, height: modelHeight, resize: 'stretch' }, rgb)),
    rgbLetterboxMs: time(() => i420ToRgb(frame, { width: modelWidth, height: modelHeight, resize: 'letterbox' }, rgb)),
    cutFrameMs: time(() => i420ToCutFrame(frame, cut)),
  };
}


/** Fails with a clear message when the server has no WHIP endpoint (yet). */
async function checkWhipEndpoint(url: string): Promise<void> {
  // No body and no Content-Type: a WHIP endpoint refuses it (415/400) before touching any camera.
  const response = await fetch(`${url}/whip/${WEBRTC_ID}`, { method: 'POST' });
  await response.body?.cancel();
  if (response.status === 404) throw new Error(`this server has no WHIP endpoint: POST ${url}/whip/${WEBRTC_ID} answered 404. The WebRTC bench needs POST /whip/:cameraId (RFC 9725) in the server.`);
}

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

async function cameraStatus(url: string, id: string): Promise<{ source: string; measuredFps: number; framesDropped: number } | null> {
  const response = await fetch(`${url}/api/cameras/${id}`);
  if (response.status !== 200) {
    await response.body?.cancel();
    return null;
  }
  return ((await response.json()) as { status: { source: string; measuredFps: number; framesDropped: number } }).status;
}

interface ChurnFigures {
  cycles: number;
  vanished: number;
  rssMb: { before: number; afterWarmup: number; after: number };
  finalState: string;
}

/**
 * Leaks show as memory that grows with every session: publish and stop
 * `cycles` times (every fifth publisher vanishes without DELETE and is left
 * for the server to notice), then compare the server's RSS.
 */
async function measureChurn(url: string, pid: number, cycles: number, log: (s: string) => void): Promise<ChurnFigures> {
  log(`- churn: ${cycles} publish/stop cycles`);
  const rss = () => Math.round((readProc(pid)?.rssBytes ?? 0) / 1048576);
  const before = rss();
  let afterWarmup = before;
  let vanished = 0;
  for (let i = 0; i < cycles; i++) {
    const p = await publishWhip(`${url}/whip/churn`, { width: 640, height: 360, fps: 30, pattern: 'moving' });
    await sleep(1000);
    if (i % 5 === 4) {
      // Vanish without DELETE; wait until the server has let go of it.
      p.drop();
      vanished += 1;
      for (let t = 0; t < 100; t++) {
        const status = await cameraStatusState(url, 'churn');
        if (status === 'gone') break;
        await sleep(200);
      }
    } else {
      await p.stop();
    }
    if (i === 4) afterWarmup = rss();
  }
  await sleep(2000);
  return { cycles, vanished, rssMb: { before, afterWarmup, after: rss() }, finalState: (await cameraStatusState(url, 'churn')) ?? '?' };
}

async function cameraStatusState(url: string, id: string): Promise<string | null> {
  const response = await fetch(`${url}/api/cameras/${id}`);
  if (!response.ok) return null;
  return ((await response.json()) as { status: { state: string } }).status.state;
}

export async function runWebrtcBench(argv: string[]): Promise<number> {
  const { durationS, warmupS, width, height, fps, analysisFps, cycles, values } = benchArgs(
    USAGE,
    argv,
    {
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      width: { type: 'string', default: '1280' },
      height: { type: 'string', default: '720' },
      fps: { type: 'string', default: '30' },
      'analysis-fps': { type: 'string', default: '5' },
      manifest: { type: 'string' },
      cycles: { type: 'string', default: '30' },
      'malloc-arena-max': { type: 'string', default: '2' },
      out: { type: 'string', default: path.join(ROOT, 'bench-results', 'webrtc.json') },
    },
    (values) => {
      if (values.manifest !== undefined && !existsSync(values.manifest)) throw new ShotscaleError('MODEL_MANIFEST_NOT_FOUND', `--manifest ${values.manifest}: no such file`);
      if (values['malloc-arena-max'] !== '') wholeNumber('malloc-arena-max', values['malloc-arena-max'], 1);
      return {
        durationS: positiveNumber('duration', values.duration),
        warmupS: numberFrom('warmup', values.warmup, 0),
        width: wholeNumber('width', values.width, 16, TESTSRC_MAX.width),
        height: wholeNumber('height', values.height, 16, TESTSRC_MAX.height),
        fps: positiveNumber('fps', values.fps, TESTSRC_MAX.fps),
        analysisFps: positiveNumber('analysis-fps', values['analysis-fps'], MAX_ANALYSIS_FPS),
        cycles: wholeNumber('cycles', values.cycles, 0),
        values,
      };
    },
  );
  const manifest = values.manifest ? path.resolve(values.manifest) : existsSync(FIXTURE_ONNX) ? FIXTURE_MANIFEST : SHIPPED_MANIFEST;
  const input = (JSON.parse(readFileSync(manifest, 'utf8')) as { input: { width: number; height: number } }).input;
  const log = (s: string) => process.stderr.write(s + '\n');

  const conversions = timeConversions(input.width, input.height);
  log(`i420 conversions, ${conversions.source} -> ${conversions.model}: RGB stretch ${conversions.rgbStretchMs} ms, letterbox ${conversions.rgbLetterboxMs} ms; -> 64x36 cut frame ${conversions.cutFrameMs} ms`);

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-webrtc-bench-'));
  const configFile = path.join(workDir, 'bench.yaml');
  writeFileSync(
    configFile,
    [`server: { port: 0 }`, `model: { manifest: ${JSON.stringify(manifest)}, executionProviders: [cpu] }`, `shots: { dataDir: ${JSON.stringify(path.join(workDir, 'data'))} }`, 'cameras: []'].join('\n') + '\n',
  );
  log(`webrtc bench: ${durationS} s per phase (+${warmupS} s warm-up), publisher ${width}x${height} at ${fps} fps, ffmpeg testsrc2 1280x720 at 30 fps, analysis ${analysisFps} fps, model ${path.basename(manifest)}, ${os.cpus().length} cores`);

  // glibc's MALLOC_ARENA_MAX (README, "WebRTC cameras"): '' leaves the allocator's default.
  const env = { ...process.env };
  if (values['malloc-arena-max']) env.MALLOC_ARENA_MAX = values['malloc-arena-max'];
  else delete env.MALLOC_ARENA_MAX;
  const { child, url } = await startServerProcess(configFile, env);
  const client = io(url, { transports: ['websocket'] });
  const latencies = new Map<string, number[]>();
  let recording = false;
  client.on('readout', (r: Readout) => {
    if (!recording) return;
    let list = latencies.get(r.cameraId);
    if (!list) latencies.set(r.cameraId, (list = []));
    list.push(r.latencyMs);
  });
  let publisher: WhipPublisher | null = null;
  const publish = async () => {
    publisher = await publishWhip(`${url}/whip/${WEBRTC_ID}`, { width, height, fps, pattern: 'moving' });
  };

  const measure = async (phase: string, cameraIds: string[]): Promise<PhaseResult> => {
    log(`- ${phase}: warm-up ${warmupS} s, then ${durationS} s`);
    await sleep(warmupS * 1000);
    latencies.clear();
    const serverStart = readProc(child.pid!)!;
    const childrenStart = new Map(childrenOf(child.pid!).map((c) => [c.pid, c.cpuS]));
    const selfStart = process.cpuUsage();
    const started = performance.now();
    recording = true;
    await sleep(durationS * 1000);
    recording = false;
    const elapsedS = (performance.now() - started) / 1000;
    const self = process.cpuUsage(selfStart);
    const serverEnd = readProc(child.pid!)!;
    const childrenEnd = childrenOf(child.pid!);
    // Children started during the phase count from 0; children that ended are lost (none should).
    const childCpu = (comm: (c: string) => boolean) => childrenEnd.filter((c) => comm(c.comm)).reduce((a, c) => a + (c.cpuS - (childrenStart.get(c.pid) ?? 0)), 0);
    const server = (serverEnd.cpuS - serverStart.cpuS) / elapsedS;
    const ffmpeg = childCpu((c) => c.startsWith('ffmpeg')) / elapsedS;
    const other = childCpu((c) => !c.startsWith('ffmpeg')) / elapsedS;
    const publisherCores = (self.user + self.system) / 1e6 / elapsedS;
    const cameras: Record<string, CameraFigures> = {};
    for (const id of cameraIds) {
      const sorted = [...(latencies.get(id) ?? [])].sort((a, b) => a - b);
      const status = await cameraStatus(url, id);
      cameras[id] = {
        readoutsPerS: round(sorted.length / elapsedS),
        latencyMs: { p50: round(percentile(sorted, 50), 1), p95: round(percentile(sorted, 95), 1), p99: round(percentile(sorted, 99), 1), max: round(sorted.at(-1) ?? NaN, 1) },
        source: status?.source ?? '?',
        measuredFps: status?.measuredFps ?? NaN,
        framesDropped: status?.framesDropped ?? NaN,
      };
    }
    return {
      phase,
      durationS: round(elapsedS, 1),
      cpuCores: { server: round(server + other), ffmpeg: round(ffmpeg), publisher: round(publisherCores), total: round(server + other + ffmpeg + publisherCores) },
      cameras,
    };
  };

  const results: PhaseResult[] = [];
  let churn: ChurnFigures | null = null;
  let webrtcCameraNote = `created over POST /api/cameras with analysisFps ${analysisFps}`;
  try {
    await checkWhipEndpoint(url);
    results.push(await measure('idle (no camera)', []));

    const created = await postJson(`${url}/api/cameras`, { id: WEBRTC_ID, analysisFps, source: { kind: 'webrtc' } });
    if (created.status !== 201) {
      webrtcCameraNote = `POST /api/cameras refused a webrtc camera (${created.status} ${created.text.slice(0, 200)}); the publish created it with the default analysis rate`;
      log(`  note: ${webrtcCameraNote}`);
    }
    await publish();
    results.push(await measure('a: WebRTC only', [WEBRTC_ID]));
    await publisher!.stop();
    publisher = null;

    const ffmpegCam = await postJson(`${url}/api/cameras`, { id: FFMPEG_ID, analysisFps, source: { kind: 'testsrc', pattern: 'testsrc2', width: 1280, height: 720, fps: 30 } });
    if (ffmpegCam.status !== 201) throw new Error(`adding the ffmpeg camera failed: ${ffmpegCam.status} ${ffmpegCam.text}`);
    results.push(await measure('b: ffmpeg only', [FFMPEG_ID]));

    await publish();
    results.push(await measure('c: both', [WEBRTC_ID, FFMPEG_ID]));
    await publisher!.stop();
    publisher = null;

    churn = await measureChurn(url, child.pid!, cycles, log);
  } finally {
    const p = publisher as WhipPublisher | null;
    if (p) await p.stop().catch((error: unknown) => log(`stopping the publisher: ${String(error)}`));
    client.close();
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('close', r));
    rmSync(workDir, { recursive: true, force: true });
  }

  printTable(results, conversions);
  if (churn) {
    process.stdout.write(
      `\nchurn: ${churn.cycles} publish/stop cycles (${churn.vanished} of them publishers that vanished without DELETE): server RSS ${churn.rssMb.before} -> ${churn.rssMb.after} MB ` +
        `(after the first 5 cycles: ${churn.rssMb.afterWarmup} MB), camera left ${churn.finalState}\n`,
    );
  }
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(
    values.out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
        manifest,
        publisher: { width, height, fps, pattern: 'moving', codec: 'libwebrtc default (VP8)' },
        ffmpegCamera: { pattern: 'testsrc2', width: 1280, height: 720, fps: 30 },
        analysisFps,
        webrtcCamera: webrtcCameraNote,
        conversions,
        phases: results,
        churn,
        mallocArenaMax: values['malloc-arena-max'] || 'glibc default',
      },
      null,
      2,
    ) + '\n',
  );
  log(`wrote ${values.out}`);
  return 0;
}

function printTable(results: PhaseResult[], conversions: ConversionFigures): void {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`I420 conversion per frame (${conversions.source} -> ${conversions.model}): RGB stretch ${conversions.rgbStretchMs} ms, RGB letterbox ${conversions.rgbLetterboxMs} ms, 64x36 cut frame ${conversions.cutFrameMs} ms`);
  out('');
  out('phase              server  ffmpeg  publisher   total | camera          readouts/s  p50ms  p95ms  p99ms  dropped  source');
  for (const r of results) {
    const c = r.cpuCores;
    const head = `${r.phase.padEnd(18)} ${String(c.server).padStart(6)} ${String(c.ffmpeg).padStart(7)} ${String(c.publisher).padStart(10)} ${String(c.total).padStart(7)}`;
    const cams = Object.entries(r.cameras);
    if (!cams.length) out(`${head} |`);
    cams.forEach(([id, f], i) => {
      const row = `${id.padEnd(15)} ${String(f.readoutsPerS).padStart(10)} ${String(f.latencyMs.p50).padStart(6)} ${String(f.latencyMs.p95).padStart(6)} ${String(f.latencyMs.p99).padStart(6)} ${String(f.framesDropped).padStart(8)}  ${f.source}`;
      out(`${i === 0 ? head : ' '.repeat(head.length)} | ${row}`);
    });
  }
  const find = (prefix: string) => results.find((r) => r.phase.startsWith(prefix));
  const idle = find('idle');
  const a = find('a:');
  const b = find('b:');
  const both = find('c:');
  if (idle && a && b && both) {
    const base = idle.cpuCores.server;
    out('');
    out('CPU per camera (cores, above the idle server):');
    out(`  WebRTC camera: server ${round(a.cpuCores.server - base)} (receive, VP8 decode, conversion, analysis); the publisher's encode ${a.cpuCores.publisher} runs on the sender`);
    out(`  ffmpeg camera: server ${round(b.cpuCores.server - base)} + ffmpeg ${b.cpuCores.ffmpeg} (testsrc2 synthesis and scaling at 30 fps) = ${round(b.cpuCores.server - base + b.cpuCores.ffmpeg)}`);
    out(`  both: server ${round(both.cpuCores.server - base)} + ffmpeg ${both.cpuCores.ffmpeg} = ${round(both.cpuCores.server - base + both.cpuCores.ffmpeg)} (sum of the two alone: ${round(a.cpuCores.server - base + b.cpuCores.server - base + b.cpuCores.ffmpeg)})`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await runWebrtcBench(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`webrtc bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  });
  process.exit(code);
}
