/**
 * The shot's label against the still picture's: labelled film frames of the
 * shared sets, each held for a few seconds in a 16:9 video (inside black
 * bars, as footage brings them, the way a montage of shots is cut), run
 * through `shotscale log`; each frame's shot is scored against its label,
 * beside `shotscale eval`'s reading of the same frames. The two differ by
 * what the video path does (bars, H.264, one view of the picture a frame
 * with the mirror on every other, smoothing, the scale held longest), so
 * where they part says what a shot's label loses or gains over a still's.
 *
 * Both use the shipped head, which was fitted on these sets: the figures are
 * in-sample, a comparison of the two paths, not the classifier's accuracy on
 * unseen film (leave-one-set-out is `calibrate`'s). Prints figures and
 * writes JSON; asserts nothing.
 *
 *   npm run bench:held-frames [-- --sets hoha,cinemanet --stride 2,6 --hold 2 --out bench-results/held-frames.json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveFfmpeg } from '../server/ingest/ffmpeg-binary.js';
import { formatCsvRow, parseCsv } from '../server/evaluation/csv-table.js';
import { parseLabels } from '../server/evaluation/labels-file.js';
import { confusionMatrix, scoreMatrix, type Scores } from '../server/evaluation/metrics.js';
import { classIndexOf, findTaxonomy, type Taxonomy } from '../server/evaluation/taxonomies.js';
import { CANONICAL_SCALES } from '../server/shared/scale.js';
import type { ShotRecord } from '../server/shared/shots.js';
import { UsageError } from '../server/cli/command-options.js';
import { benchArgs, listOf, positiveNumber, wholeNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVALSET = path.join(ROOT, '..', 'shared', 'evalset');
const CLI = path.join(ROOT, 'bin', 'shotscale.js');
/** Each shared set and the taxonomy its labels are in. */
const SETS: Record<string, string> = { hoha: 'cinescale', cinemanet: 'cinemanet' };

const USAGE = `usage: npm run bench:held-frames [-- --sets hoha,cinemanet --stride 2,6 --hold 2 --out bench-results/held-frames.json]
  --sets NAME,...   the shared sets, of ${Object.keys(SETS).join(', ')} (default hoha,cinemanet)
  --stride N,...    every Nth frame of each set, in the order of --sets: whole numbers, at least 1 (default 2,6)
  --hold S          seconds each frame is held: a number more than 0 (default 2)
  --out FILE        where the JSON goes (default bench-results/held-frames.json)
  -h, --help        this text`;
const { names, strides, holdS, values } = benchArgs(
  USAGE,
  process.argv.slice(2),
  {
    sets: { type: 'string', default: 'hoha,cinemanet' },
    /** Every Nth frame of each set, in the order of --sets (HOHA's 555 and CinemaNet's 1,979 frames: 278 and 330). */
    stride: { type: 'string', default: '2,6' },
    /** Seconds each frame is held. */
    hold: { type: 'string', default: '2' },
    out: { type: 'string', default: path.join(ROOT, 'bench-results', 'held-frames.json') },
  },
  (values) => {
    const names = values.sets.split(',');
    const unknown = names.find((name) => !Object.hasOwn(SETS, name));
    if (unknown !== undefined) throw new UsageError(`--sets ${JSON.stringify(values.sets)}: no set ${JSON.stringify(unknown)}; the sets are ${Object.keys(SETS).join(', ')}`);
    return { names, strides: listOf('stride', values.stride, (name, item) => wholeNumber(name, item, 1)), holdS: positiveNumber('hold', values.hold), values };
  },
);
const FPS = 25;
const ffmpeg = resolveFfmpeg(null);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

interface Frame { file: string; truth: number }

/** Per frame, the class the log's shot says (null: the frame's moment fell in no shot), from the shots' starts and ends in the video. */
function shotReadings(shots: readonly ShotRecord[], frames: number, taxonomy: Taxonomy): (number | null)[] {
  return Array.from({ length: frames }, (_, i) => {
    const centre = (i + 0.5) * holdS;
    const shot = shots.find((s) => s.startS <= centre && centre < s.startS + s.durationS);
    if (!shot || shot.readouts === 0) return null;
    return taxonomy.classOfCanonical[CANONICAL_SCALES.indexOf(shot.scale)]!;
  });
}

function summary(scores: Scores): { exact: number; withinOne: number; meanRecall: number } {
  return { exact: scores.accuracy, withinOne: scores.withinOne, meanRecall: scores.meanRecall };
}

const rows = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-held-frames-'));
try {
  for (const [k, name] of names.entries()) {
    const taxonomy = findTaxonomy(SETS[name] ?? '');
    if (!taxonomy) throw new Error(`unknown set ${name}: one of ${Object.keys(SETS).join(', ')}`);
    const setDir = path.join(EVALSET, name);
    const labelsFile = path.join(setDir, 'labels.csv');
    const stride = strides[k] ?? strides[0] ?? 1;
    const frames: Frame[] = parseLabels(readFileSync(labelsFile, 'utf8'), labelsFile)
      .filter((_, i) => i % stride === 0)
      .map((row) => ({ file: row.file, truth: classIndexOf(taxonomy, row.label)! }));

    // The frames, in the video's order, as a labels file `eval` reads.
    const subset = path.join(dir, `${name}.csv`);
    writeFileSync(subset, [formatCsvRow(['file', 'label']), ...frames.map((f) => formatCsvRow([f.file, taxonomy.classes[f.truth]!.name]))].join('\n') + '\n');
    const predictions = path.join(dir, `${name}-eval.csv`);
    process.stdout.write(`${name}: shotscale eval on ${frames.length} frames...\n`);
    const evalRun = spawnSync(process.execPath, [CLI, 'eval', '--labels', subset, '--images', setDir, '--taxonomy', taxonomy.name, '--csv', predictions], { encoding: 'utf8' });
    if (evalRun.status !== 0) throw new Error(`shotscale eval failed: ${evalRun.stderr}`);
    const evalReadings = new Map(
      parseCsv(readFileSync(predictions, 'utf8'), predictions).slice(1).map(({ fields: [file, , predicted] }) => [file!, classIndexOf(taxonomy, predicted!)!] as const),
    );

    // Each frame fitted inside 1280x720 with black bars (a 2.35:1 frame letterboxed, a 4:3 one pillarboxed), as one
    // numbered RGB picture each (the frames differ in size and some are grey, which one ffmpeg input cannot take:
    // it drops a picture whose format changes), then held `hold` seconds.
    const pictures = path.join(dir, `${name}-pictures`);
    mkdirSync(pictures);
    process.stdout.write(`${name}: making a ${(frames.length * holdS).toFixed(0)} s video...\n`);
    frames.forEach((f, i) =>
      execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-i', path.join(setDir, f.file), '-vf', 'scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,format=rgb24', path.join(pictures, `${String(i).padStart(5, '0')}.png`)]),
    );
    const video = path.join(dir, `${name}-held.mp4`);
    execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-framerate', String(1 / holdS), '-i', path.join(pictures, '%05d.png'), '-vf', `fps=${FPS},format=yuv420p`, '-c:v', 'libx264', '-preset', 'veryfast', '-an', video]);

    const outDir = path.join(dir, `${name}-log`);
    process.stdout.write(`${name}: shotscale log...\n`);
    const started = Date.now();
    const logRun = spawnSync(process.execPath, [CLI, 'log', video, '--out', outDir, '--formats', 'json'], { encoding: 'utf8' });
    if (logRun.status !== 0) throw new Error(`shotscale log failed: ${logRun.stderr}`);
    const logS = (Date.now() - started) / 1000;
    const shots = (JSON.parse(readFileSync(path.join(outDir, `${name}-held.json`), 'utf8')) as { shots: ShotRecord[] }).shots;
    const byShot = shotReadings(shots, frames.length, taxonomy);

    const size = taxonomy.classes.length;
    const evalScores = scoreMatrix(confusionMatrix(size, frames.map((f) => ({ truth: f.truth, predicted: evalReadings.get(f.file)! }))));
    const read = frames.map((f, i) => ({ truth: f.truth, predicted: byShot[i] })).filter((r): r is { truth: number; predicted: number } => r.predicted !== null);
    const logMatrix = confusionMatrix(size, read);
    const logScores = scoreMatrix(logMatrix);
    const agree = frames.filter((f, i) => byShot[i] === evalReadings.get(f.file)).length;
    const row = {
      set: name,
      taxonomy: taxonomy.name,
      frames: frames.length,
      stride,
      holdS,
      shots: shots.length,
      framesInNoShot: frames.length - read.length,
      eval: summary(evalScores),
      log: summary(logScores),
      logMatrix,
      agreement: agree / frames.length,
      /** Each frame where the two paths read differently: its label, eval's reading, the shot's. */
      differing: frames.flatMap((f, i) => (byShot[i] === evalReadings.get(f.file) ? [] : [{ file: f.file, truth: taxonomy.classes[f.truth]!.name, eval: taxonomy.classes[evalReadings.get(f.file)!]!.name, log: byShot[i] === null ? null : taxonomy.classes[byShot[i]!]!.name }])),
      logSeconds: logS,
    };
    rows.push(row);
    process.stdout.write(
      `${name} (${frames.length} frames, ${shots.length} shots; in-sample): eval ${pct(evalScores.accuracy)} exact, ${pct(evalScores.withinOne)} within one, mean recall ${pct(evalScores.meanRecall)}; ` +
        `log ${pct(logScores.accuracy)}, ${pct(logScores.withinOne)}, ${pct(logScores.meanRecall)}; the two agree on ${pct(row.agreement)}; ${row.framesInNoShot} frames in no shot\n`,
    );
  }
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model }, ffmpeg: ffmpeg.version, rows }, null, 2) + '\n');
  process.stdout.write(`written ${values.out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
