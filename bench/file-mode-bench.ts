/**
 * File-mode benchmark: `shotscale log` on a 1080p25 H.264 file made from the
 * montage in ../shared/fixtures/clips (51 s, 11 hard cuts), at several
 * analysis rates, with the default classifier. Reports the speed as a multiple
 * of real time (from the command's own summary.json) and the cuts it found
 * against the known ones. Prints figures and writes JSON; asserts nothing.
 *
 *   npm run bench:filemode [-- --fps 2,3,5 --out bench-results/filemode.json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scoreCuts } from '../server/cuts/cut-scoring.js';
import { resolveFfmpeg } from '../server/ingest/ffmpeg-binary.js';
import { MAX_ANALYSIS_FPS } from '../server/shared/input-limits.js';
import type { LogSummary } from '../server/cli/log-summary.js';
import type { ShotRecord } from '../server/shared/shots.js';
import { montageTruth } from '../test/support/cut-clips.js';
import { benchArgs, listOf, positiveNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MONTAGE = path.join(ROOT, '..', 'shared', 'fixtures', 'clips', 'montage_cc_pd_segments_640x360.mp4');
const CLI = path.join(ROOT, 'bin', 'shotscale.js');

const USAGE = `usage: npm run bench:filemode [-- --fps 2,3,5 --out bench-results/filemode.json]
  --fps N,...   analysed frames per second of each run: numbers more than 0 and at most ${MAX_ANALYSIS_FPS}, separated by commas (default 2,3,5)
  --out FILE    where the JSON goes (default bench-results/filemode.json)
  -h, --help    this text`;
const { rates, values } = benchArgs(USAGE, process.argv.slice(2), { fps: { type: 'string', default: '2,3,5' }, out: { type: 'string', default: path.join(ROOT, 'bench-results', 'filemode.json') } }, (values) => ({
  rates: listOf('fps', values.fps, (name, item) => positiveNumber(name, item, MAX_ANALYSIS_FPS)),
  values,
}));
const ffmpeg = resolveFfmpeg(null);
const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-filemode-'));
try {
  const video = path.join(dir, 'montage-1080p25.mp4');
  process.stdout.write('making a 1080p25 file from the montage...\n');
  // 25 fps from 24: the montage's frames are kept and retimed (setpts), so cuts stay on the same frames.
  execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-r', '25', '-i', MONTAGE, '-vf', 'scale=1920:1080', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-an', video]);
  const truth = montageTruth().hardCuts;
  const rows = [];
  for (const fps of rates) {
    const outDir = path.join(dir, `out-${fps}`);
    const run = spawnSync(process.execPath, [CLI, 'log', video, '--out', outDir, '--fps', String(fps)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`shotscale log failed: ${run.stderr}`);
    const summary = JSON.parse(readFileSync(path.join(outDir, 'summary.json'), 'utf8')) as LogSummary;
    const log = JSON.parse(readFileSync(path.join(outDir, 'montage-1080p25.json'), 'utf8')) as { shots: ShotRecord[] };
    const cuts = log.shots.filter((shot) => shot.cutIn === 'hard').map((shot) => Math.round(shot.startS * 25));
    const score = scoreCuts(cuts, truth, 2);
    rows.push({ analysisFps: fps, speedX: summary.speedX, elapsedS: summary.elapsedS, durationS: summary.durationS, shots: summary.shots, averageShotLengthS: summary.averageShotLengthS, hardCutF1: Math.round(score.f1 * 1000) / 1000 });
    process.stdout.write(`--fps ${fps}: ${summary.speedX.toFixed(2)}x real time (${summary.elapsedS.toFixed(1)} s for ${summary.durationS.toFixed(1)} s of 1080p25), ${summary.shots} shots, hard-cut F1 ${score.f1.toFixed(3)}\n`);
  }
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model }, ffmpeg: ffmpeg.version, file: '1080p25 H.264 montage', rows }, null, 2) + '\n');
  process.stdout.write(`written ${values.out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
