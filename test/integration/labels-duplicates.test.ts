/**
 * One frame counts once and carries one label, in every command that reads
 * a labels CSV (eval, calibrate, samples import): an image listed again with
 * the same label is counted once and said on stderr, naming the file and
 * its lines; an image given two labels is refused before any model loads,
 * naming the lines, and nothing is scored, fitted or stored.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvalReport } from '../../server/evaluation/eval-report.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, SHARED_DIR } from '../support/server-harness.js';

const HOHA = path.join(SHARED_DIR, 'evalset', 'hoha');

/** A labels CSV of `rows` in a folder of its own, beside a link to the HOHA images (its paths are relative to it). */
function writeLabels(rows: string[]): string {
  const dir = tempDir();
  symlinkSync(path.join(HOHA, 'img'), path.join(dir, 'img'));
  const file = path.join(dir, 'labels.csv');
  writeFileSync(file, ['file,label', ...rows].join('\n') + '\n');
  return file;
}

function writeConfig(dir: string): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu], inferenceThread: false }\nshots: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }\ncameras: []\n`);
  return file;
}

/** img/hh_0138.jpg three times, MS, MS and CU, as a QA file had it. */
const CONFLICT = ['img/hh_0138.jpg,MS', 'img/hh_0138.jpg,MS', 'img/hh_0138.jpg,CU', 'img/hh_0139.jpg,MS'];
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('an image listed more than once in a labels CSV', () => {
  test('eval: the same label again counts once, and is said with the file and its lines', async () => {
    // Line 4 names line 2's image another way; line 5 repeats line 3 with its label spelt otherwise.
    const labels = writeLabels(['img/hh_0138.jpg,MS', 'img/hh_0139.jpg,ms', './img/hh_0138.jpg,MS', 'img/hh_0139.jpg,MS', 'img/hh_0140.jpg,MS']);
    const json = path.join(path.dirname(labels), 'report.json');
    const res = await runCli(['eval', '--labels', labels, '--taxonomy', 'cinemanet', '--json', json, '--config', writeConfig(path.dirname(labels))], { timeoutMs: 60_000 });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, new RegExp(`^warning: ${escaped(labels)}:4: img/hh_0138\\.jpg is listed twice \\(lines 2, 4, both MS\\): counted once, as line 2$`, 'm'));
    assert.match(res.stderr, new RegExp(`^warning: ${escaped(labels)}:5: img/hh_0139\\.jpg is listed twice \\(lines 3, 5, both MS\\): counted once, as line 3$`, 'm'));
    assert.match(res.stderr, /^3 of 3 images classified/m);
    const report = JSON.parse(readFileSync(json, 'utf8')) as EvalReport;
    assert.equal(report.count, 3);
  });

  test('eval: two labels for one image are refused before the model loads, naming the lines', async () => {
    const labels = writeLabels(CONFLICT);
    const res = await runCli(['eval', '--labels', labels, '--config', writeConfig(path.dirname(labels))], { timeoutMs: 60_000 });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, new RegExp(`^error INPUT_UNREADABLE: ${escaped(labels)}:4, column 2 \\("label"\\): img/hh_0138\\.jpg is labelled MS on lines 2, 3 and CU on line 4: one frame carries one label\\n  hint: keep one row per image`, 'm'));
    assert.doesNotMatch(res.stderr, /images classified/);
  });

  test('calibrate and samples import refuse two labels for one image the same way, and store nothing', async () => {
    const labels = writeLabels(CONFLICT);
    const dir = path.dirname(labels);
    const config = writeConfig(dir);
    const expected = new RegExp(`^error INPUT_UNREADABLE: ${escaped(labels)}:4, column 2 \\("label"\\): img/hh_0138\\.jpg is labelled MS on lines 2, 3 and CU on line 4`, 'm');
    const out = path.join(dir, 'mine.head.json');
    const calibrate = await runCli(['calibrate', '--labels', labels, '--out', out, '--config', config], { timeoutMs: 60_000 });
    assert.equal(calibrate.code, 1, calibrate.stderr);
    assert.match(calibrate.stderr, expected);
    const imported = await runCli(['samples', 'import', '--labels', labels, '--config', config], { timeoutMs: 60_000 });
    assert.equal(imported.code, 1, imported.stderr);
    assert.match(imported.stderr, expected);
    assert.doesNotMatch(imported.stderr, /samples? imported/);
  });
});
