/**
 * `shotscale calibrate` as a user runs it on two labelled sets at once, each
 * in its own taxonomy (a few dozen real frames of CinemaNet and HOHA, the
 * default classifier, real onnxruntime): a report per set with the rules
 * alone, cross-validated and leave-one-set-out figures, and a head that
 * records its sets and loads into the model. Figures on so few frames mean
 * little, so the test checks what is reported and kept, not the values.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readdirSync, readFileSync, renameSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseKnowledgePath, loadBaseKnowledge } from '../../server/calibration/base-knowledge.js';
import { loadHead } from '../../server/calibration/framing-head.js';
import { CALIBRATION_TRAIN_OPTIONS, PRODUCTION_TRAIN_OPTIONS } from '../../server/calibration/multi-set-calibration.js';
import { parseLabels } from '../../server/evaluation/labels-file.js';
import { MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import { softScale } from '../../server/inference/framing/framing-rules.js';
import { seededRandom } from '../../server/shared/seeded-random.js';
import { CLI, runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

/** `perClass` frames of each label of a shared set, as a labelled set of its own (images linked, not copied). */
function subset(name: string, perClass: number): string {
  const source = path.join(SHARED_DIR, 'evalset', name);
  const rows = parseLabels(readFileSync(path.join(source, 'labels.csv'), 'utf8'), 'labels.csv');
  const taken = new Map<string, number>();
  const picked = rows.filter((r) => {
    const n = taken.get(r.label) ?? 0;
    taken.set(r.label, n + 1);
    return n < perClass;
  });
  const dir = path.join(tempDir('shotscale-calibrate-'), name);
  mkdirSync(path.join(dir, 'img'), { recursive: true });
  for (const r of picked) symlinkSync(path.join(source, r.file), path.join(dir, r.file));
  writeFileSync(path.join(dir, 'labels.csv'), ['file,label', ...picked.map((r) => `${r.file},${r.label}`)].join('\n') + '\n');
  return path.join(dir, 'labels.csv');
}

/** A config with the shipped classifier and a copy of its head as mine.head.json, `base` beside it as its base knowledge. */
function configWithHead(dir: string, base: string | Buffer): string {
  const models = path.join(REPO_DIR, 'models');
  copyFileSync(path.join(models, 'framing-default.head.json'), path.join(dir, 'mine.head.json'));
  writeFileSync(path.join(dir, 'mine.base.json.gz'), base);
  const config = path.join(dir, 'mine.yaml');
  writeFileSync(config, `model: { manifest: ${path.join(models, 'framing-default.manifest.json')}, calibration: mine.head.json, executionProviders: [cpu] }\n`);
  return config;
}

/** Analysed frames as --save-samples writes them, made up (features at random), `perClass[i]` frames of cinemanet's class i: a refit in seconds, no detector run. */
function madeUpSamples(dir: string, perClass: number[]): string {
  const random = seededRandom(7);
  const samples = perClass.flatMap((n, label) => Array.from({ length: n }, (_, i) => ({ file: `img/${label}-${i}.jpg`, label, features: MODEL_FEATURE_NAMES.map(() => random()), rules: softScale(1 + label, 0.5) })));
  const file = path.join(dir, 'samples.json');
  writeFileSync(file, JSON.stringify({ model: 'framing-default', featureNames: MODEL_FEATURE_NAMES, sets: [{ name: 'mine', labels: 'mine/labels.csv', taxonomy: 'cinemanet', samples }] }));
  return file;
}

/** `args` as another user (`nobody`) where this one is root, whom no permission stops; else as this one. */
function runCliAsUser(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const root = process.getuid?.() === 0;
  const [command, prefix] = root ? ['runuser', ['-u', 'nobody', '--', process.execPath]] : [process.execPath, []];
  const res = spawnSync(command, [...prefix, CLI, ...args], { cwd: REPO_DIR, encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test('two sets in two taxonomies: per-set rules, CV and leave-one-set-out; a head that records them and loads', { timeout: 240_000 }, async () => {
  const cinemanet = subset('cinemanet', 6);
  const hoha = subset('hoha', 4);
  const out = path.join(tempDir(), 'head.json');
  const report = path.join(tempDir(), 'report.json');
  const run = await runCli(['calibrate', '--labels', cinemanet, '--labels', `${hoha}=cinescale`, '--out', out, '--folds', '3', '--epochs', '40', '--json', report], { timeoutMs: 230_000 });
  assert.equal(run.code, 0, run.stderr);
  for (const [name, taxonomy] of [['cinemanet', 'cinemanet'], ['hoha', 'cinescale']]) {
    assert.match(run.stdout, new RegExp(`^${name} \\(\\d+ frames, ${taxonomy}\\):$`, 'm'));
  }
  assert.equal(run.stdout.match(/rules alone: +exact \d+\.\d%/g)?.length, 2);
  assert.equal(run.stdout.match(/3-fold CV within the set: +exact \d+\.\d%.*\(the other sets in training\)/g)?.length, 2);
  assert.equal(run.stdout.match(/leave-one-set-out: +exact \d+\.\d%.*\(never saw this set\)/g)?.length, 2);
  assert.match(run.stdout, /recall ECU \d+\.\d% CU \d+\.\d% MCU[^\n]* ELS (\d+\.\d%|-) \(mean \d+\.\d%\)/, 'HOHA is scored in its own seven classes, with their mean recall');
  // A few labelled frames cannot turn the hold off (head-hold.ts): it is named and saved.
  assert.match(run.stdout, /^where a face is at least as tall as the picture and the rules read ECU, the rules' ECU holds/m);

  const head = loadHead(out, MODEL_FEATURE_NAMES);
  assert.equal(head.output, 'rules-residual');
  assert.deepEqual(head.hold, { ecuFaceHeight: 1, ecuRoundEye: 0.4 });
  assert.deepEqual(head.provenance.sets!.map((s) => [s.name, s.taxonomy, s.count]), [['cinemanet', 'cinemanet', 30], ['hoha', 'cinescale', 28]]);
  for (const s of head.provenance.sets!) assert.ok(s.leaveOneSetOut && s.crossValidated, s.name);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { sets: { name: string; leaveOneSetOut: { exact: number } | null }[] };
  assert.deepEqual(json.sets.map((s) => [s.name, typeof s.leaveOneSetOut?.exact]), [['cinemanet', 'number'], ['hoha', 'number']]);
});

test('a production\'s labels start from the configured head\'s base knowledge; --from-scratch fits them alone', { timeout: 240_000 }, async () => {
  // HOHA frames under another name play a production's labels.
  const mine = subset('hoha', 3);
  const production = path.join(path.dirname(path.dirname(mine)), 'mine');
  renameSync(path.dirname(mine), production);
  const labels = path.join(production, 'labels.csv');
  const out = path.join(tempDir(), 'mine.head.json');
  const run = await runCli(['calibrate', '--labels', `${labels}=cinescale`, '--out', out, '--folds', '3'], { timeoutMs: 230_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^mine \(21 frames, cinescale\), fitted with the base knowledge .*framing-default\.base\.json\.gz:$/m);
  // They are HOHA frames, which the configured head was fitted on: its figure on them is in-sample, and says so.
  assert.match(run.stdout, /the configured head \(in-sample\): +exact \d+\.\d%/);
  assert.match(run.stdout, /^ {4}in-sample: the configured head was fitted on these frames \(all 21 are in its set hoha\); its leave-one-set-out figure is \d+\.\d% exact/m);
  assert.match(run.stdout, /new head, 3-fold CV: +exact \d+\.\d%/);
  const head = loadHead(out, MODEL_FEATURE_NAMES);
  assert.deepEqual(head.provenance.sets!.map((s) => s.name), ['cinemanet', 'hoha', 'mine']);
  // Its own base knowledge: the base sets and the production's, for the next production fit to start from; each frame once (the 21 under mine).
  assert.match(run.stdout, /^ {2}21 of these 21 frames are in the base set hoha too \(the same file name and size\): left out of it \(534 of its 555 frames fitted on\)/m);
  assert.deepEqual(loadBaseKnowledge(baseKnowledgePath(out), MODEL_FEATURE_NAMES).map((s) => [s.name, s.samples.length]), [['cinemanet', 1979], ['hoha', 534], ['mine', 21]]);

  const scratch = await runCli(['calibrate', '--labels', `${labels}=cinescale`, '--out', path.join(tempDir(), 'scratch.json'), '--folds', '3', '--from-scratch'], { timeoutMs: 230_000 });
  assert.equal(scratch.code, 0, scratch.stderr);
  assert.match(scratch.stdout, /^mine \(21 frames, cinescale\):$/m);
  assert.doesNotMatch(scratch.stdout, /base knowledge/);
});

test('usage errors say what is wrong', async () => {
  const none = await runCli(['calibrate', '--out', path.join(tempDir(), 'h.json')]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^error BAD_REQUEST: --labels FILE is required/);
  assert.match(none.stderr, /usage: shotscale calibrate --labels FILE\[=TAXONOMY\]/);
  const images = await runCli(['calibrate', '--labels', 'a.csv', '--labels', 'b.csv', '--images', '/tmp', '--out', path.join(tempDir(), 'h.json')]);
  assert.equal(images.code, 2);
  assert.match(images.stderr, /^error BAD_REQUEST: --images applies to one labels file/);
});

test('bad options and labels are coded errors, before any frame is analysed', { timeout: 240_000 }, async () => {
  const labels = subset('hoha', 1);
  const dir = tempDir();
  const out = ['--out', path.join(dir, 'head.json')];
  const fifo = path.join(dir, 'samples.json');
  execFileSync('mkfifo', [fifo]);
  const noHeader = path.join(dir, 'no-header.csv');
  writeFileSync(noHeader, 'img/hh_0001.jpg,ELS\n');
  const corruptBase = path.join(dir, 'corrupt.base.json.gz');
  writeFileSync(corruptBase, 'not gzip');
  const corruptConfig = configWithHead(dir, 'not gzip');
  const cases: [string, string[], number, RegExp][] = [
    ['a misspelt taxonomy after =', ['--labels', `${labels}=cinescal`], 2, /error BAD_REQUEST: --labels .*labels\.csv=cinescal: unknown taxonomy "cinescal" \(known: .*\)\n  hint: write --labels FILE=TAXONOMY/],
    ['no file before =', ['--labels', '=cinescale'], 2, /error BAD_REQUEST: --labels =cinescale: no file before "="/],
    ['no taxonomy after =', ['--labels', `${labels}=`], 2, /error BAD_REQUEST: --labels .*labels\.csv=: no taxonomy after "="/],
    ['--folds 1', ['--labels', labels, '--folds', '1'], 2, /error BAD_REQUEST: --folds "1": a whole number of at least 2/],
    ['--folds NaN', ['--labels', labels, '--folds', 'NaN'], 2, /error BAD_REQUEST: --folds "NaN"/],
    // Accepted, 1e12 epochs would run for ever.
    ['--epochs 1e12', ['--labels', labels, '--epochs', '1e12', '--folds', '2'], 2, /error BAD_REQUEST: --epochs "1e12": a whole number from 1 to 100000/],
    ['--lr Infinity', ['--labels', labels, '--lr', 'Infinity'], 2, /error BAD_REQUEST: --lr "Infinity": a number more than 0/],
    ['--l2 -1', ['--labels', labels, '--l2=-1'], 2, /error BAD_REQUEST: --l2 "-1": a number of 0 or more/],
    ['--samples with --labels', ['--labels', labels, '--samples', fifo], 2, /error BAD_REQUEST: --labels and --samples: give one/],
    ['a labels file without its header', ['--labels', noHeader], 1, /error INPUT_UNREADABLE: .*no-header\.csv:1: the header needs columns "file" and "label"[^]*hint: the first line looks like a row/],
    // Fitted on its own (with base knowledge, a set of any size is fitted: test below).
    ['too few frames for the folds', ['--labels', labels, '--folds', '9', '--from-scratch'], 1, /error CALIBRATION_INVALID: hoha \(.*labels\.csv\): the labels list 7 frames in 7 classes; 9-fold cross-validation needs at least 9 frames[^]*hint: label more frames, or lower --folds \(at least 2\); or leave out --from-scratch/],
    ['--base not there', ['--labels', labels, '--folds', '2', '--base', path.join(dir, 'absent.base.json.gz')], 1, /error INPUT_UNREADABLE: --base .*absent\.base\.json\.gz: no such file/],
    // Read, a pipe without a writer waits for ever.
    ['--samples a pipe', ['--samples', fifo], 1, /error INPUT_UNREADABLE: --samples .*samples\.json: a pipe or device, not a file/],
    // Written over, the head would be the report, or the labels would be lost.
    ['--json the same file as --out', ['--labels', labels, '--json', path.join(dir, '.', 'head.json')], 2, /error BAD_REQUEST: --json .*head\.json: the same file as --out .*head\.json/],
    ['--save-samples the same file as --labels', ['--labels', labels, '--save-samples', labels], 2, /error BAD_REQUEST: --save-samples .*labels\.csv: the same file as --labels .*labels\.csv/],
    ['--json the base knowledge --out writes', ['--labels', labels, '--json', path.join(dir, 'head.base.json.gz')], 2, /error BAD_REQUEST: --json .*head\.base\.json\.gz: the same file as --out \(its base knowledge\)/],
    // Read before the frames are analysed, not after: what to do instead is said.
    ['a corrupt --base', ['--labels', labels, '--base', corruptBase], 1, /error CALIBRATION_BASE_INVALID: base knowledge .*corrupt\.base\.json\.gz: [^\n]*\n  hint: name another with --base, fit the labels alone \(--from-scratch\)/],
    ['a corrupt base knowledge beside the configured head', ['--labels', labels, '--config', corruptConfig], 1, /error CALIBRATION_BASE_INVALID: base knowledge .*mine\.base\.json\.gz: [^\n]*\n  hint: fit the labels alone \(--from-scratch\), or rerun calibrate to rewrite it/],
  ];
  for (const [what, args, code, expected] of cases) {
    const res = await runCli(['calibrate', ...args, ...out], { timeoutMs: 30_000 });
    assert.equal(res.code, code, `${what}: ${res.stderr}`);
    assert.match(res.stderr, expected, what);
    assert.doesNotMatch(res.stderr, /images analysed/, `${what}: stopped before the analysis`);
  }
});

test('--limit that leaves too few frames says so in its hint, rather than to label more', { timeout: 60_000 }, async () => {
  const labels = subset('hoha', 1);
  const res = await runCli(['calibrate', '--labels', labels, '--limit', '3', '--from-scratch', '--out', path.join(tempDir(), 'head.json')], { timeoutMs: 55_000 });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /error CALIBRATION_INVALID: hoha \(.*labels\.csv\): the labels list 3 frames in 3 classes; 5-fold cross-validation needs at least 5 frames of at least 2 classes\n  hint: --limit 3 kept 3 of its 7 rows \(7 classes\): raise --limit, or leave it out to read every row; or leave out --from-scratch/);
});

test('a labels file whose own name holds "=" is read as it is', { timeout: 120_000 }, async () => {
  const labels = subset('hoha', 1);
  const named = path.join(path.dirname(labels), 'take=2.csv');
  renameSync(labels, named);
  const res = await runCli(['calibrate', '--labels', named, '--out', path.join(tempDir(), 'head.json'), '--folds', '9', '--from-scratch'], { timeoutMs: 110_000 });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /error CALIBRATION_INVALID: take=2 \(.*take=2\.csv\): the labels list 7 frames/);
});

test('a production\'s single labelled frame is fitted with the base knowledge, its report saying there is no cross-validated figure', { timeout: 120_000 }, async () => {
  const hoha = subset('hoha', 1);
  const one = path.join(path.dirname(hoha), 'one.csv');
  writeFileSync(one, readFileSync(hoha, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
  const out = path.join(tempDir(), 'one.head.json');
  const res = await runCli(['calibrate', '--labels', `${one}=cinescale`, '--out', out, '--epochs', '20'], { timeoutMs: 110_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^one \(1 frames, cinescale\), fitted with the base knowledge .*framing-default\.base\.json\.gz:$/m);
  assert.match(res.stdout, /the configured head \(in-sample\): +exact \d+\.\d%/);
  assert.match(res.stdout, /in-sample: the configured head was fitted on these frames \(the one frame is in its set hoha\)/);
  assert.match(res.stdout, /new head: no cross-validated figure \(1 frame in 1 class; it needs frames of at least 2 classes\)/);
  assert.deepEqual(loadHead(out, MODEL_FEATURE_NAMES).provenance.sets!.map((s) => s.name), ['cinemanet', 'hoha', 'one']);
});

test('images none of which can be read: said so, not "label frames of at least two scales"', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'a.jpg'), 'not a picture');
  writeFileSync(path.join(dir, 'labels.csv'), 'file,label\na.jpg,CU\n');
  const res = await runCli(['calibrate', '--labels', path.join(dir, 'labels.csv'), '--out', path.join(dir, 'head.json')], { timeoutMs: 55_000 });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /unreadable, skipped: .*labels\.csv:2: a\.jpg: [^\n]*$/m);
  assert.doesNotMatch(res.stderr, /a\.jpg: [^\n]*a\.jpg: /, 'the image named once');
  assert.match(res.stderr, /error INPUT_UNREADABLE: \S+ \(.*labels\.csv\): none of its 1 images could be read \(first: a\.jpg: [^\n]*\)\n  hint: the images are decoded with ffmpeg/);
  assert.doesNotMatch(res.stderr, /two scales/);
});

test('with --base, "before" is the rules alone (no head is named), and the fit takes a set of one class', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const samples = madeUpSamples(dir, [2]);
  const report = path.join(dir, 'report.json');
  const res = await runCli(['calibrate', '--samples', samples, '--base', path.join(REPO_DIR, 'models', 'framing-default.base.json.gz'), '--out', path.join(dir, 'mine.head.json'), '--epochs', '5', '--json', report], { timeoutMs: 110_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^ {2}the rules alone: +exact \d+\.\d%/m);
  assert.doesNotMatch(res.stdout, /configured head/);
  assert.match(res.stdout, /new head: no cross-validated figure \(2 frames in 1 class;/);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { startingHead: string | null; baseSets: string[]; fitS: number; headFitS: number };
  assert.deepEqual([json.startingHead, json.baseSets], [null, ['cinemanet', 'hoha']], '"before" scores no head');
  // fitS: the whole fit, as a live fit reports it; the final fit alone (once reported as fitS) is headFitS, a part of it.
  assert.equal(typeof json.headFitS, 'number');
  assert.ok(json.fitS >= json.headFitS, `fitS ${json.fitS} s, headFitS ${json.headFitS} s`);
});

test('a head and its base knowledge are written together: a failed write leaves the earlier head, coded, nothing half-written', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const samples = madeUpSamples(dir, [3, 3]);
  const out = path.join(dir, 'mine.head.json');
  writeFileSync(out, '{"the earlier head": true}\n');
  // The base knowledge's write fails once the fit is done: a device that is always full.
  symlinkSync('/dev/full', path.join(dir, 'mine.base.json.gz'));
  const res = await runCli(['calibrate', '--samples', samples, '--out', out, '--folds', '2', '--epochs', '5'], { timeoutMs: 110_000 });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /error OUTPUT_UNWRITABLE: --out .*mine\.base\.json\.gz: cannot be written \(no space left on the device\)/);
  assert.doesNotMatch(res.stderr, /unexpected error|^\s+at /m);
  assert.equal(readFileSync(out, 'utf8'), '{"the earlier head": true}\n', 'the earlier head, beside its own base knowledge');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.partial')), [], 'no partial file left');
});

test('an output folder that cannot be written is refused before any work', { timeout: 60_000 }, () => {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const locked = path.join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  // The other outputs' folder, open to anyone.
  const open = path.join(dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const labels = path.join(dir, 'labels.csv');
  writeFileSync(labels, `file,label\n${path.join(SHARED_DIR, 'evalset', 'hoha', 'img', 'hh_0001.jpg')},CU\n`);
  chmodSync(labels, 0o644);
  for (const [option, args] of [
    ['--out', ['--out', path.join(locked, 'head.json')]],
    ['--json', ['--out', path.join(open, 'head.json'), '--json', path.join(locked, 'report.json')]],
    ['--save-samples', ['--out', path.join(open, 'head.json'), '--save-samples', path.join(locked, 'samples.json')]],
  ] as const) {
    const res = runCliAsUser(['calibrate', '--labels', labels, ...args]);
    assert.equal(res.code, 1, `${option}: ${res.stderr}`);
    assert.match(res.stderr, new RegExp(`error OUTPUT_UNWRITABLE: ${option} .*locked/\\S+: cannot be written \\(its folder .*locked: permission denied\\)`), option);
    assert.doesNotMatch(res.stderr, /images analysed/, `${option}: before the analysis`);
  }
});

test('--help names every option calibrate takes, with the defaults it uses', async () => {
  const res = await runCli(['calibrate', '--help']);
  assert.equal(res.code, 0);
  const o = CALIBRATION_TRAIN_OPTIONS;
  assert.deepEqual(PRODUCTION_TRAIN_OPTIONS, o, 'one set of defaults, whichever fit runs');
  const options = ['--labels', '--images', '--taxonomy', '--limit', '--folds 5', `--epochs ${o.epochs}`, `--lr ${o.learningRate}`, `--l2 ${o.l2}`, `--ordinal ${o.ordinal}`, `--label-power ${o.labelPower}`, '--json', '--save-samples', '--samples', '--from-scratch', '--base', '--config', '--out'];
  for (const option of options) {
    assert.ok(res.stdout.includes(`[${option}`) || res.stdout.includes(` ${option} `), `${option} in ${res.stdout}`);
  }
});
