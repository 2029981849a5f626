/**
 * Cut detector benchmark: accuracy on the real montage in
 * ../shared/fixtures/clips (11 hard cuts, a VFX flicker that is no cut, a
 * white-flash dissolve the truth file leaves out), on the generated test clips
 * (test/support/cut-clips.ts), how far decisions lag, and speed: the detector
 * alone on tiny frames, and ffmpeg decode + tiny scale + detector on a 1080p
 * H.264 file made from the montage. Prints figures and writes JSON; asserts
 * nothing.
 *
 *   npm run bench:cuts [-- --rounds 20 --skip-1080p --out bench-results/cuts.json]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUT_FRAME, CutDetector, cutFrameFilter, type CutEvent } from '../server/cuts/cut-detector.js';
import { scoreCuts, type CutScore } from '../server/cuts/cut-scoring.js';
import { decodeCutFrames } from '../server/cuts/decode-cut-frames.js';
import { resolveFfmpeg } from '../server/ingest/ffmpeg-binary.js';
import { makeCutClips, montageTruth } from '../test/support/cut-clips.js';
import { benchArgs, wholeNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.join(ROOT, '..', 'shared');
const TOLERANCE = 2;
const USAGE = `usage: npm run bench:cuts [-- --rounds 20 --skip-1080p --out bench-results/cuts.json]
  --rounds N     passes of the detector alone over the montage's frames: a whole number, at least 1 (default 20)
  --skip-1080p   leave out ffmpeg decode + detector on a 1080p file
  --out FILE     where the JSON goes (default bench-results/cuts.json)
  -h, --help     this text`;

const out = (line = '') => process.stdout.write(line + '\n');
const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places;
const brief = (e: CutEvent) => `${e.kind}@${e.frame}${e.kind === 'hard' ? '' : `(${e.startFrame}-${e.endFrame})`}`;

interface Detection {
  events: CutEvent[];
  /** newest frame index minus decidedThrough, after each push. */
  lags: number[];
  /** The detector's hard-cut lookahead in frames. */
  lookahead: number;
}

function detect(frames: Uint8Array[], fps: number): Detection {
  const detector = new CutDetector(fps);
  const events: CutEvent[] = [];
  const lags: number[] = [];
  frames.forEach((frame, i) => {
    events.push(...detector.push(frame, i));
    lags.push(i - detector.decidedThrough);
  });
  events.push(...detector.flush());
  return { events, lags, lookahead: detector.lookaheadFrames };
}

async function decode(ffmpegPath: string, file: string): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  await decodeCutFrames(ffmpegPath, file, { fps: null, threads: 0 }, (data) => frames.push(data));
  return frames;
}

function scoreFigures(score: CutScore) {
  return { precision: round(score.precision), recall: round(score.recall), f1: round(score.f1), truePositives: score.truePositives, falsePositives: score.falsePositives, missed: score.missed };
}

function lagFigures(lags: number[], hardLag: number) {
  const sorted = [...lags].sort((a, b) => a - b);
  return {
    hardCutLookaheadFrames: hardLag,
    maxFrames: sorted.at(-1) ?? 0,
    p95Frames: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    shareOverLookahead: round(lags.filter((l) => l > hardLag).length / Math.max(1, lags.length)),
  };
}

async function benchMontage(ffmpegPath: string) {
  const truth = montageTruth();
  const decodeStarted = performance.now();
  const frames = await decode(ffmpegPath, truth.path);
  const { events, lags, lookahead } = detect(frames, truth.fps);
  // Decode + tiny scale + detection of the whole file: comparable with a scene detector's frames/s on it.
  const endToEndFramesPerS = Math.round(frames.length / ((performance.now() - decodeStarted) / 1000));
  const seg = truth.flashDissolveSegment;
  const inFlashSegment = (e: CutEvent) => e.frame >= seg.startFrame && e.frame <= seg.endFrame;
  const hard = scoreCuts(events.filter((e) => e.kind === 'hard').map((e) => e.frame), truth.hardCuts, TOLERANCE);
  // Every report but a gradual one in segment 4 (the flash dissolve) against the hard cuts.
  const all = scoreCuts(events.filter((e) => !(e.kind !== 'hard' && inFlashSegment(e))).map((e) => e.frame), truth.hardCuts, TOLERANCE);
  const flicker = events.filter((e) => e.frame >= truth.flicker.startFrame - TOLERANCE && e.frame <= truth.flicker.endFrame + TOLERANCE);
  const flash = events.filter(inFlashSegment);
  out(`montage: ${frames.length} frames at ${truth.fps} fps, ${truth.hardCuts.length} hard cuts (tolerance ${TOLERANCE} frames); decode + detect ${endToEndFramesPerS} frames/s`);
  out(`  hard cuts      P ${hard.precision.toFixed(3)}  R ${hard.recall.toFixed(3)}  F1 ${hard.f1.toFixed(3)}  false ${JSON.stringify(hard.falsePositives)}  missed ${JSON.stringify(hard.missed)}`);
  out(`  every report   P ${all.precision.toFixed(3)}  R ${all.recall.toFixed(3)}  F1 ${all.f1.toFixed(3)}  (gradual reports in segment 4 left out)`);
  out(`  VFX flicker ${truth.flicker.startFrame}-${truth.flicker.endFrame}: ${flicker.length ? flicker.map(brief).join(', ') : 'no cut'}`);
  out(`  flash dissolve (segment 4, frames ${seg.startFrame}-${seg.endFrame}, not in montage_cuts.csv; the README puts it at about 30.75 s): ${flash.length ? flash.map((e) => `${brief(e)} = ${(e.frame / truth.fps).toFixed(2)} s`).join(', ') : 'not found'}`);
  const lag = lagFigures(lags, lookahead);
  out(`  decidedThrough lag: max ${lag.maxFrames}, p95 ${lag.p95Frames} frames; over the ${lookahead}-frame hard-cut lookahead on ${(lag.shareOverLookahead * 100).toFixed(1)} % of frames (a dissolve may be under way)`);
  return {
    file: path.relative(SHARED, truth.path),
    frames: frames.length,
    fps: truth.fps,
    endToEndFramesPerS,
    toleranceFrames: TOLERANCE,
    hardCuts: scoreFigures(hard),
    everyReport: scoreFigures(all),
    flicker: { frames: truth.flicker, cuts: flicker },
    flashDissolve: { segmentFrames: seg, readmeSays: 'about 30.75 s', detected: flash.map((e) => ({ ...e, seconds: round(e.frame / truth.fps, 2) })), countsAsHardCut: false },
    events,
    lag,
  };
}

async function benchClips(ffmpegPath: string, dir: string) {
  const clips = await makeCutClips(dir);
  const rows = [];
  out('generated clips (25 fps, 320x180; expected -> detected):');
  for (const clip of clips) {
    const { events } = detect(await decode(ffmpegPath, clip.path), clip.fps);
    const expected = [...clip.hardCuts.map((f) => `hard@${f}`), ...clip.transitions.map((t) => `${t.kind}(${t.startFrame}-${t.endFrame})`)];
    const hard = scoreCuts(events.filter((e) => e.kind === 'hard').map((e) => e.frame), clip.hardCuts, TOLERANCE);
    const gradualFound = clip.transitions.filter((t) => events.some((e) => e.kind === t.kind && e.frame >= t.startFrame - TOLERANCE && e.frame <= t.endFrame + TOLERANCE)).length;
    const gradualReported = events.filter((e) => e.kind !== 'hard').length;
    const ok = hard.missed.length === 0 && hard.falsePositives.length === 0 && gradualFound === clip.transitions.length && gradualReported === clip.transitions.length;
    out(`  ${ok ? 'ok  ' : 'DIFF'} ${clip.name.padEnd(12)} expected ${expected.join(' ') || '-'}${clip.flashes.length ? ` (flashes ${clip.flashes.map((f) => `${f.startFrame}-${f.endFrame}`).join(' ')}: no cut)` : ''}`);
    out(`       ${''.padEnd(12)} detected ${events.map(brief).join(' ') || '-'}`);
    rows.push({ name: clip.name, description: clip.description, frames: clip.frames, expected: { hardCuts: clip.hardCuts, transitions: clip.transitions, flashes: clip.flashes }, detected: events, allFound: ok });
  }
  return rows;
}

/** Detector alone on tiny frames: frames/s, median of rounds. */
function benchDetectorSpeed(frames: Uint8Array[], fps: number, rounds: number) {
  const perRound: number[] = [];
  const detector = new CutDetector(fps);
  for (let r = 0; r < rounds + 2; r++) {
    detector.reset();
    const started = performance.now();
    frames.forEach((frame, i) => detector.push(frame, i));
    detector.flush();
    if (r >= 2) perRound.push(frames.length / ((performance.now() - started) / 1000)); // two warm-up rounds
  }
  const sorted = perRound.sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  out(`detector alone: ${Math.round(median)} frames/s (${CUT_FRAME.width}x${CUT_FRAME.height} ${CUT_FRAME.pixelFormat}, one core, median of ${rounds} passes over ${frames.length} montage frames; slowest pass ${Math.round(sorted[0]!)})`);
  return { framesPerS: Math.round(median), slowestFramesPerS: Math.round(sorted[0]!), rounds, framesPerRound: frames.length };
}

async function benchEndToEnd(ffmpegPath: string, dir: string) {
  const source = montageTruth().path;
  const hd = path.join(dir, 'montage-1080p.mp4');
  let started = performance.now();
  execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, '-vf', 'scale=1920:1080', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-an', hd]);
  const encodeS = (performance.now() - started) / 1000;
  // ffmpeg decode + tiny scale only, the frames dropped.
  started = performance.now();
  const decoded = await decodeCutFrames(ffmpegPath, hd, { fps: null, threads: 0 }, () => {});
  const decodeS = (performance.now() - started) / 1000;
  // The same with the detector on every frame as it arrives.
  const detector = new CutDetector(24);
  const events: CutEvent[] = [];
  started = performance.now();
  const frames = await decodeCutFrames(ffmpegPath, hd, { fps: null, threads: 0 }, (data, i) => events.push(...detector.push(data, i)));
  events.push(...detector.flush());
  const totalS = (performance.now() - started) / 1000;
  const truth = montageTruth();
  const hard = scoreCuts(events.filter((e) => e.kind === 'hard').map((e) => e.frame), truth.hardCuts, TOLERANCE);
  out(`1080p end to end (ffmpeg -threads 0 decode + ${cutFrameFilter(null)} + detector; ${frames} frames, made in ${encodeS.toFixed(1)} s):`);
  out(`  decode + scale only: ${Math.round(decoded / decodeS)} frames/s;  with the detector: ${Math.round(frames / totalS)} frames/s;  hard-cut F1 on it ${hard.f1.toFixed(3)}`);
  return { width: 1920, height: 1080, frames, decodeOnlyFramesPerS: Math.round(decoded / decodeS), endToEndFramesPerS: Math.round(frames / totalS), hardCutF1: round(hard.f1), encodeS: round(encodeS, 1) };
}

export async function runCutBench(argv: string[]): Promise<number> {
  const { rounds, values } = benchArgs(
    USAGE,
    argv,
    {
      rounds: { type: 'string', default: '20' },
      'skip-1080p': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(ROOT, 'bench-results', 'cuts.json') },
    },
    (values) => ({ rounds: wholeNumber('rounds', values.rounds, 1), values }),
  );
  const ffmpeg = resolveFfmpeg(null);
  out(`ffmpeg: ${ffmpeg.path} (${ffmpeg.origin}); cut frames: ${cutFrameFilter(null)}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-cut-bench-'));
  try {
    const montage = await benchMontage(ffmpeg.path);
    out();
    const clips = await benchClips(ffmpeg.path, dir);
    out();
    const speed = benchDetectorSpeed(await decode(ffmpeg.path, montageTruth().path), 24, rounds);
    const endToEnd = values['skip-1080p'] ? null : await benchEndToEnd(ffmpeg.path, dir);
    mkdirSync(path.dirname(values.out), { recursive: true });
    const report = {
      date: new Date().toISOString(),
      host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      ffmpeg: { path: ffmpeg.path, origin: ffmpeg.origin, version: ffmpeg.version },
      cutFrame: { ...CUT_FRAME, filter: cutFrameFilter(null) },
      montage,
      clips,
      speed: { detectorOnly: speed, endToEnd1080p: endToEnd },
    };
    writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
    process.stderr.write(`wrote ${values.out}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await runCutBench(process.argv.slice(2)));
