/**
 * `shotscale eval` as a user runs it: real CLI, real ffmpeg, real onnxruntime,
 * real evalset images, the random-weights fixture model. The fixture's
 * accuracy means nothing, so the report is checked for structure and
 * consistency (counts, matrix, accuracy = trace / N, CSV, SVG), never values.
 * The two views (a picture and its mirror) are checked with the shipped
 * classifier, whose detectors read a mirror differently.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../server/evaluation/csv-table.js';
import type { EvalReport } from '../../server/evaluation/eval-report.js';
import { parseLabels } from '../../server/evaluation/labels-file.js';
import { findTaxonomy, predictClass } from '../../server/evaluation/taxonomies.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import { CLI, runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, REPO_DIR, SHARED_DIR } from '../support/server-harness.js';
import { checkWellFormedXml } from '../support/xml-check.js';

const EVALSET = path.join(SHARED_DIR, 'evalset', 'cinemanet');
const IMAGES = path.join(EVALSET, 'img');

/** 12 labelled evalset images, every class present: 3 ECU, 3 CU, 2 MS, 2 LS, 2 ELS. */
function sample(): { file: string; label: string }[] {
  const all = parseLabels(readFileSync(path.join(EVALSET, 'labels.csv'), 'utf8'), 'labels.csv');
  const want: Record<string, number> = { ECU: 3, CU: 3, MS: 2, LS: 2, ELS: 2 };
  const picked: { file: string; label: string }[] = [];
  for (const r of all) {
    if (!want[r.label]) continue;
    want[r.label]! -= 1;
    picked.push({ file: path.basename(r.file), label: r.label });
  }
  return picked;
}

/** A labels CSV in a temp dir, with an extra quoted column holding a comma. */
function writeLabels(dir: string, rows: { file: string; label: string }[]): string {
  const file = path.join(dir, 'labels.csv');
  writeFileSync(file, ['file,note,label', ...rows.map((r) => `${r.file},"picked, for the test",${r.label}`)].join('\n') + '\n');
  return file;
}

function writeConfig(dir: string, mirrorViews = true): string {
  const file = path.join(dir, mirrorViews ? 'config.yaml' : 'config-as-is.yaml');
  writeFileSync(file, `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu], mirrorViews: ${mirrorViews} }\n`);
  return file;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('shotscale eval', () => {
  test('12 evalset images: a consistent report in JSON, CSV, SVG and on stdout', async () => {
    const dir = tempDir();
    const rows = sample();
    assert.equal(rows.length, 12);
    const json = path.join(dir, 'out', 'eval.json');
    const csv = path.join(dir, 'out', 'predictions.csv');
    const res = await runCli(['eval', '--labels', writeLabels(dir, rows), '--images', IMAGES, '--config', writeConfig(dir), '--json', json, '--csv', csv, '--batch', '5']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /taxonomy cinemanet \(5 classes.*\) inferred/);
    assert.match(res.stderr, /12 of 12 images classified with movieshots-fixture/);

    const report = JSON.parse(readFileSync(json, 'utf8')) as EvalReport;
    const n = rows.length;
    assert.equal(report.taxonomy, 'cinemanet');
    assert.deepEqual(report.classes, ['ECU', 'CU', 'MS', 'LS', 'ELS']);
    assert.equal(report.model, 'movieshots-fixture');
    assert.equal((report as EvalReport & { calibration: string | null }).calibration, null, 'no head named: the model read as it is');
    assert.match(res.stdout, /^calibration head: none \(model\.calibration is not set\)$/m);
    assert.equal(report.views, 'both', 'each image read with its mirror (model.mirrorViews, on by default)');
    assert.match(res.stdout, /each image as the mean of it and its mirror/);
    assert.equal(report.count, n);
    assert.deepEqual(report.unreadable, []);
    assert.ok(report.msPerImage > 0);
    const m = report.confusionMatrix;
    assert.equal(m.length, 5);
    assert.equal(sum(m.flat()), n, 'counts sum to N');
    const trace = sum(m.map((row, i) => row[i]!));
    const near = sum(m.flatMap((row, t) => row.filter((_, p) => Math.abs(p - t) <= 1)));
    assert.ok(Math.abs(report.accuracy - trace / n) < 1e-4, 'accuracy = trace / N');
    assert.ok(Math.abs(report.withinOne - near / n) < 1e-4, 'withinOne = near-diagonal / N');
    assert.ok(report.accuracy >= 0 && report.accuracy <= report.withinOne && report.withinOne <= 1);
    report.classes.forEach((c, i) => {
      const s = report.perClass[c]!;
      assert.equal(s.support, sum(m[i]!), `row ${c} sums to its support`);
      assert.equal(s.support, rows.filter((r) => r.label === c).length, `support of ${c} = its labels`);
      const predicted = sum(m.map((row) => row[i]!));
      assert.ok(Math.abs(s.precision - (predicted ? m[i]![i]! / predicted : 0)) < 1e-4, `precision ${c}`);
      assert.ok(Math.abs(s.recall - m[i]![i]! / s.support) < 1e-4, `recall ${c}`);
    });

    const records = parseCsv(readFileSync(csv, 'utf8')).map((r) => r.fields);
    const header = records[0]!;
    assert.deepEqual(header, ['file', 'truth', 'predicted', 'correct', 'withinOne', 'confidence', ...CANONICAL_SCALES, 'reason']);
    const lines = records.slice(1).map((f) => Object.fromEntries(header.map((h, i) => [h, f[i]!])));
    assert.equal(lines.length, n, 'one CSV row per image');
    assert.deepEqual(lines.map((l) => [l.file, l.truth]), rows.map((r) => [r.file, r.label]), 'in labels order');
    assert.equal(lines.filter((l) => l.correct === '1').length, trace);
    const cinemanet = findTaxonomy('cinemanet')!;
    for (const l of lines) {
      const probabilities = CANONICAL_SCALES.map((s) => Number(l[s]));
      assert.ok(Math.abs(sum(probabilities) - 1) < 1e-3, 'canonical probabilities sum to 1');
      assert.equal(l.correct, l.truth === l.predicted ? '1' : '0');
      // The predicted class is the argmax of the canonical probabilities summed per class.
      assert.equal(cinemanet.classes[predictClass(cinemanet, probabilities).index]!.name, l.predicted);
    }

    const svgFile = path.join(dir, 'out', 'eval.matrix.svg');
    assert.ok(existsSync(svgFile), 'matrix SVG next to the JSON by default');
    const { root, text } = checkWellFormedXml(readFileSync(svgFile, 'utf8'));
    assert.equal(root, 'svg');
    for (const c of report.classes) assert.ok(text.includes(c), `SVG names ${c}`);
    assert.match(text, /movieshots-fixture/);

    assert.match(res.stdout, /confusion matrix \(rows = truth, columns = predicted\)/);
    assert.match(res.stdout, new RegExp(`^total(\\s+\\d+){5}\\s+${n}$`, 'm'));
  });

  test('an image is read as the mean of it and its mirror; mirrorViews: false reads it as it is', async () => {
    const dir = tempDir();
    const ffmpeg = resolveFfmpeg(null).path;
    const files = sample().slice(0, 6).flatMap(({ file }) => {
      const base = path.join(dir, path.basename(file, '.jpg'));
      // Both lossless and at the model's input size, so the only difference between them is the flip: a
      // picture letterboxed after the flip lands a fraction of a pixel away from the flip of the letterboxed
      // picture, and the head's hold (a face at least as tall as the picture) is a line such a fraction can cross.
      const size = 'scale=320:192';
      execFileSync(ffmpeg, ['-loglevel', 'error', '-i', path.join(IMAGES, file), '-vf', size, `${base}.png`]);
      execFileSync(ffmpeg, ['-loglevel', 'error', '-i', path.join(IMAGES, file), '-vf', `${size},hflip`, `${base}-flipped.png`]);
      return [`${base}.png`, `${base}-flipped.png`];
    });
    const classify = async (config: string): Promise<Map<string, number[]>> => {
      const res = await runCli(['classify', '--config', config, ...files]);
      assert.equal(res.code, 0, res.stderr);
      const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; probabilities: Record<string, number> });
      return new Map(lines.map((l) => [l.file, CANONICAL_SCALES.map((c) => l.probabilities[c]!)]));
    };
    // The shipped classifier: its detectors find different things in a mirror (the fixture's random weights barely do).
    const shipped = (mirrorViews: boolean): string => {
      const file = path.join(dir, `shipped-${mirrorViews}.yaml`);
      const models = path.join(REPO_DIR, 'models');
      writeFileSync(file, `model: { manifest: ${models}/framing-default.manifest.json, calibration: ${models}/framing-default.head.json, executionProviders: [cpu], mirrorViews: ${mirrorViews} }\n`);
      return file;
    };
    const asIs = await classify(shipped(false));
    const both = await classify(shipped(true));
    let differ = 0;
    for (let i = 0; i < files.length; i += 2) {
      const [picture, flipped] = [asIs.get(files[i]!)!, asIs.get(files[i + 1]!)!];
      if (picture.some((p, c) => Math.abs(p - flipped[c]!) > 0.02)) differ += 1;
      const mean = picture.map((p, c) => (p + flipped[c]!) / 2);
      both.get(files[i]!)!.forEach((p, c) => assert.ok(Math.abs(p - mean[c]!) < 0.01, `${files[i]} ${CANONICAL_SCALES[c]}: ${p} vs the mean of the views ${mean[c]}`));
    }
    assert.ok(differ > 0, 'at least one picture reads differently from its mirror, so the mean is not the picture\'s own');
  });

  test('a missing image is reported in unreadable and the rest evaluated', async () => {
    const dir = tempDir();
    const rows = sample().slice(0, 5);
    rows.splice(2, 0, { file: 'no-such-image.jpg', label: 'CU' });
    const json = path.join(dir, 'eval.json');
    const matrix = path.join(dir, 'pictures', 'm.svg');
    const res = await runCli(['eval', '--labels', writeLabels(dir, rows), '--images', IMAGES, '--config', writeConfig(dir), '--taxonomy', 'cinemanet', '--json', json, '--matrix', matrix]);
    assert.equal(res.code, 0, res.stderr);
    // Where it is listed: the labels file and its line (the header is line 1).
    assert.match(res.stderr, /unreadable, skipped: .*labels\.csv:4: no-such-image\.jpg: no such file$/m);
    assert.equal(res.stderr.match(/no-such-image\.jpg/g)?.length, 1, 'the image named once');
    const report = JSON.parse(readFileSync(json, 'utf8')) as EvalReport;
    assert.equal(report.taxonomyReason, 'chosen with --taxonomy');
    assert.equal(report.count, 5);
    assert.equal(sum(report.confusionMatrix.flat()), 5);
    assert.deepEqual(report.unreadable.map((u) => u.file), ['no-such-image.jpg']);
    assert.ok(existsSync(matrix), '--matrix path written');
    assert.ok(!existsSync(path.join(dir, 'eval.matrix.svg')), 'no default SVG when --matrix is given');
  });

  test('an unknown label: a coded error naming it, its line and column, exit 1, nothing written', async () => {
    const dir = tempDir();
    const rows = [...sample().slice(0, 3), { file: 'cn_0001.jpg', label: 'Dutch angle' }];
    const json = path.join(dir, 'eval.json');
    const labels = writeLabels(dir, rows);
    const res = await runCli(['eval', '--labels', labels, '--images', IMAGES, '--config', writeConfig(dir), '--json', json]);
    assert.equal(res.code, 1);
    assert.ok(res.stderr.includes(`error INPUT_UNREADABLE: ${labels}:5, column 3 ("label"): unknown label "Dutch angle": no taxonomy`), res.stderr);
    assert.match(res.stderr, /hint: fix the spelling, or delete those rows; .*cinemanet ECU\/CU\/MS\/LS\/ELS/);
    assert.ok(!existsSync(json));

    const wrong = await runCli(['eval', '--labels', writeLabels(dir, sample()), '--taxonomy', 'three', '--config', writeConfig(dir)]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /error INPUT_UNREADABLE: .*labels\.csv:2, column 3 \("label"\): labels /);
    const named = /labels (.*) not in taxonomy three \(accepts close, medium, long\)/.exec(wrong.stderr);
    assert.ok(named, wrong.stderr);
    assert.deepEqual(named[1]!.split(', ').map((l) => l.replace(/ \(line \d+\)$/, '')).sort(), ['"CU"', '"ECU"', '"ELS"', '"LS"', '"MS"']);
    assert.ok(named[1]!.split(', ').every((l) => / \(line \d+\)$/.test(l)), 'each with the line where it is first used');
    assert.match(named[1]!, /^"\w+" \(line 2\)/);
  });

  test('usage errors: coded, the option and the value, the usage of eval, exit 2', async () => {
    const none = await runCli(['eval']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^error BAD_REQUEST: --labels FILE is required/);
    assert.match(none.stderr, /\n\nusage: shotscale eval --labels FILE/);
    const res = await runCli(['eval', '--labels', 'x.csv', '--taxonomy', 'nine']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^error BAD_REQUEST: --taxonomy: unknown taxonomy "nine" \(known: canonical, six, movieshots, three, cinescale, cinemanet\)/);
    for (const [args, expected] of [
      [['--batch', '0'], /error BAD_REQUEST: --batch "0": a whole number from 1 to 64/],
      // As the server's pipeline.batch.maxSize: a larger batch only holds frames in memory.
      [['--batch', '65'], /error BAD_REQUEST: --batch "65": a whole number from 1 to 64/],
      [['--limit=-3'], /error BAD_REQUEST: --limit "-3": a whole number of at least 1/],
      [['--limit', 'NaN'], /error BAD_REQUEST: --limit "NaN"/],
      [['--bogus'], /error BAD_REQUEST: shotscale eval: Unknown option '--bogus'/],
      // node keeps the last of two values silently: which taxonomy was meant?
      [['--taxonomy', 'three', '--taxonomy', 'six'], /error BAD_REQUEST: --taxonomy given 2 times \("three", "six"\): it takes one value/],
      // The later output would silently replace the earlier.
      [['--json', 'same.out', '--csv', 'same.out'], /error BAD_REQUEST: --csv same\.out: the same file as --json same\.out/],
      [['--json', 'r.json', '--matrix', './r.json'], /error BAD_REQUEST: --matrix \.\/r\.json: the same file as --json r\.json/],
      [['--csv', 'x.csv'], /error BAD_REQUEST: --csv x\.csv: the same file as --labels x\.csv/],
    ] as const) {
      const bad = await runCli(['eval', '--labels', 'x.csv', ...args]);
      assert.equal(bad.code, 2, args.join(' '));
      assert.match(bad.stderr, expected);
      assert.match(bad.stderr, /usage: shotscale eval /);
      assert.doesNotMatch(bad.stderr, /usage: shotscale <command>|shotscale log VIDEO/, 'the usage of eval only');
    }
  });

  test('a labels file that cannot be used: INPUT_UNREADABLE saying where and what to do, before the model loads', async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    const write = (name: string, text: string | Buffer) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const folder = path.join(dir, 'set');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'labels.csv'), 'file,label\n');
    const fifo = path.join(dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    const cases: [string, string[], RegExp, RegExp][] = [
      ['no header', [write('noheader.csv', 'path,scale\ncn_0001.jpg,CU\n')], /noheader\.csv:1: the header needs columns "file" and "label" \(missing file, label; found "path", "scale"\)/, /the first line names the columns/],
      ['header line left out', [write('headless.csv', 'cn_0001.jpg,CU\n')], /headless\.csv:1: the header needs columns/, /add a header line above it/],
      ['empty', [write('empty.csv', '')], /empty\.csv: the labels file is empty/, /file,label/],
      ['header only', [write('header.csv', 'file,label\n')], /header\.csv: no rows below the header \(line 1\)/, /one line per image/],
      ['a row without a label', [write('gap.csv', 'file,label\ncn_0001.jpg,CU\ncn_0002.jpg,\n')], /gap\.csv:3: a row with no label \(column 2, "label"\)/, /fill them in/],
      ['an open quote', [write('quote.csv', 'file,label\n"cn_0001.jpg,CU\n')], /quote\.csv:2:1: a quoted field is not closed/, /double quotes/],
      ['binary garbage', [write('garbage.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0xff, 0xfe]))], /garbage\.csv:1:3: not a CSV text file/, /save the labels as CSV/],
      ['missing', [path.join(dir, 'absent.csv')], /no labels file at .*absent\.csv/, /--labels/],
      // calibrate's way of naming a file's taxonomy; eval takes --taxonomy.
      ['FILE=TAXONOMY', [`${write('named.csv', 'file,label\ncn_0001.jpg,CU\n')}=cinemanet`], /no labels file at .*named\.csv=cinemanet/, /--taxonomy: --labels .*named\.csv --taxonomy cinemanet/],
      ['a folder', [folder], /set: a folder, not a labels file/, /--labels .*set\/labels\.csv/],
      // Read, a pipe without a writer waits for ever.
      ['a pipe', [fifo], /fifo\.csv: not a labels file \(a pipe or device\)/, /write the labels to a file first/],
      ['--images not there', [write('ok.csv', 'file,label\ncn_0001.jpg,CU\n'), '--images', path.join(dir, 'nowhere')], /--images .*nowhere: no such folder/, /relative to/],
      ['no listed image there', [write('elsewhere.csv', 'file,label\ncn_0001.jpg,CU\ncn_0002.jpg,MS\n')], /none of the 2 images listed in .*elsewhere\.csv exists \(line 2: cn_0001\.jpg is not at .*\)/, /relative to its own folder .*; name another with --images DIR/],
    ];
    for (const [what, args, expected, hint] of cases) {
      const res = await runCli(['eval', '--labels', ...args, '--config', config], { timeoutMs: 30_000 });
      assert.equal(res.code, 1, `${what}: ${res.stderr}`);
      assert.match(res.stderr, new RegExp(`error INPUT_UNREADABLE: (.*/)?${expected.source}`), what);
      assert.match(res.stderr, new RegExp(`\\n  hint: [^]*${hint.source}`), what);
      assert.doesNotMatch(res.stderr, /^\s+at /m, what);
      assert.doesNotMatch(res.stderr, /images classified/, `${what}: stopped before the model`);
    }
  });

  test('images listed that none of which can be decoded: INPUT_UNREADABLE, exit 1', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.jpg'), 'not a picture');
    writeFileSync(path.join(dir, 'labels.csv'), 'file,label\na.jpg,CU\n');
    const res = await runCli(['eval', '--labels', path.join(dir, 'labels.csv'), '--config', writeConfig(dir)]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /unreadable, skipped: .*labels\.csv:2: a\.jpg: /);
    assert.match(res.stderr, /error INPUT_UNREADABLE: none of the 1 images listed in .*labels\.csv could be read \(first: a\.jpg: /);
  });

  test('a model.calibration that is not there: MODEL_FILE_NOT_FOUND naming the config file, its line and the field', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'missing-head.yaml');
    writeFileSync(config, `model: { manifest: ${path.join(REPO_DIR, 'models', 'framing-default.manifest.json')}, calibration: nowhere.head.json, executionProviders: [cpu] }\n`);
    const res = await runCli(['eval', '--labels', writeLabels(dir, sample().slice(0, 2)), '--images', IMAGES, '--config', config]);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /^error MODEL_FILE_NOT_FOUND: .*missing-head\.yaml:1: model\.calibration: calibration head not found: .*nowhere\.head\.json\n  hint: /m);
  });

  test('an output folder that cannot be written is refused before the images are classified', { timeout: 60_000 }, () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const labels = writeLabels(dir, sample().slice(0, 2));
    chmodSync(labels, 0o644);
    for (const option of ['--json', '--csv', '--matrix']) {
      // As another user where this one is root, whom no permission stops.
      const root = process.getuid?.() === 0;
      const args = [CLI, 'eval', '--labels', labels, '--images', IMAGES, option, path.join(locked, 'out')];
      const res = spawnSync(root ? 'runuser' : process.execPath, root ? ['-u', 'nobody', '--', process.execPath, ...args] : args, { cwd: REPO_DIR, encoding: 'utf8', timeout: 55_000 });
      assert.equal(res.status, 1, `${option}: ${res.stderr}`);
      assert.match(res.stderr, new RegExp(`error OUTPUT_UNWRITABLE: ${option} .*locked/out: cannot be written \\(its folder .*locked: permission denied\\)`), option);
      assert.doesNotMatch(res.stderr, /images classified/, `${option}: before the model`);
    }
  });
});
