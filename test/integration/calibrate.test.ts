/**
 * `shotscale calibrate` as a user runs it on two labelled sets at once, each
 * in its own taxonomy (a few dozen real frames of CinemaNet and HOHA, the
 * default classifier, real onnxruntime): a report per set with the rules
 * alone, cross-validated and leave-one-set-out figures, and a head that
 * records its sets and loads into the model. Figures on so few frames mean
 * little, so the test checks what is reported and kept, not the values.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseKnowledgePath, loadBaseKnowledge } from '../../server/calibration/base-knowledge.js';
import { loadHead } from '../../server/calibration/framing-head.js';
import { parseLabels } from '../../server/evaluation/labels-file.js';
import { MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { SHARED_DIR } from '../support/server-harness.js';

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
  assert.match(run.stdout, /the configured head \(never fitted on them\): exact \d+\.\d%/);
  assert.match(run.stdout, /new head, 3-fold CV: +exact \d+\.\d%/);
  const head = loadHead(out, MODEL_FEATURE_NAMES);
  assert.deepEqual(head.provenance.sets!.map((s) => s.name), ['cinemanet', 'hoha', 'mine']);
  // Its own base knowledge: the base sets and the production's, for the next production fit to start from.
  assert.deepEqual(loadBaseKnowledge(baseKnowledgePath(out), MODEL_FEATURE_NAMES).map((s) => [s.name, s.samples.length]), [['cinemanet', 1979], ['hoha', 555], ['mine', 21]]);

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
    ['too few frames for the folds', ['--labels', labels, '--folds', '9'], 1, /error CALIBRATION_INVALID: hoha \(.*labels\.csv\): the labels list 7 frames in 7 classes; 9-fold cross-validation needs at least 9 frames[^]*hint: label more frames, or lower --folds/],
    ['--base not there', ['--labels', labels, '--folds', '2', '--base', path.join(dir, 'absent.base.json.gz')], 1, /error INPUT_UNREADABLE: --base .*absent\.base\.json\.gz: no such file/],
    // Read, a pipe without a writer waits for ever.
    ['--samples a pipe', ['--samples', fifo], 1, /error INPUT_UNREADABLE: --samples .*samples\.json: a pipe or device, not a file/],
  ];
  for (const [what, args, code, expected] of cases) {
    const res = await runCli(['calibrate', ...args, ...out], { timeoutMs: 30_000 });
    assert.equal(res.code, code, `${what}: ${res.stderr}`);
    assert.match(res.stderr, expected, what);
    assert.doesNotMatch(res.stderr, /images analysed/, `${what}: stopped before the analysis`);
  }
});

test('a labels file whose own name holds "=" is read as it is', { timeout: 120_000 }, async () => {
  const labels = subset('hoha', 1);
  const named = path.join(path.dirname(labels), 'take=2.csv');
  renameSync(labels, named);
  const res = await runCli(['calibrate', '--labels', named, '--out', path.join(tempDir(), 'head.json'), '--folds', '9'], { timeoutMs: 110_000 });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /error CALIBRATION_INVALID: take=2 \(.*take=2\.csv\): the labels list 7 frames/);
});
