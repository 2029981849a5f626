/**
 * The over-the-shoulder hint of the shipped classifier on real film frames
 * it was never fitted on: HOHA's close-ups to medium shots, every third of
 * each class, labelled by eye for a foreground figure's shoulder or head
 * facing the subject (test/fixtures/hoha-over-the-shoulder.csv: 17 of 148).
 * The hint ends up in the shot log's descriptions and the editors' keywords,
 * so a single close-up read as over the shoulder is the mistake a user meets
 * most: it is held to flag few of the others, and to find about half of the
 * real ones. The head was fitted on CinemaNet's shot-type set only
 * (server/inference/framing/dev/fit-ots.ts); its masters, in-sample, stay off.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FramingModel } from '../../server/inference/framing/framing-model.js';
import { silentLogger } from '../../server/shared/logger.js';
import { parseCsv } from '../support/export-parsers.js';
import { decodePictures } from '../support/picture-frames.js';
import { REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

const EVALSET = path.join(SHARED_DIR, 'evalset');
let model: FramingModel;

before(async () => {
  model = await FramingModel.load(path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), { executionProviders: ['cpu'], intraOpThreads: 2 }, silentLogger);
});

after(async () => {
  await model?.dispose();
});

const csvRows = (file: string): Record<string, string>[] => parseCsv(readFileSync(file, 'utf8'));

async function flagged(files: readonly string[]): Promise<boolean[]> {
  const frames = await decodePictures(files, model.input);
  return (await model.analyse(frames)).map((a) => a.subjects.overTheShoulder);
}

test('on film frames it never saw, the hint finds over-the-shoulder shots and leaves most single shots alone', async () => {
  const rows = csvRows(path.join(REPO_DIR, 'test', 'fixtures', 'hoha-over-the-shoulder.csv'));
  const flags = await flagged(rows.map((r) => path.join(EVALSET, 'hoha', r.file!)));
  const ots = rows.flatMap((r, i) => (r.ots === '1' ? [flags[i]!] : []));
  const others = rows.flatMap((r, i) => (r.ots === '0' ? [flags[i]!] : []));
  const found = ots.filter(Boolean).length, falsePositives = others.filter(Boolean).length;
  process.stdout.write(`# over the shoulder: ${found} of ${ots.length} found, ${falsePositives} of ${others.length} other shots flagged\n`);
  assert.equal(ots.length, 17);
  // Today 10 of 17 and 11 of 131 (the head before this one: 13 and 54).
  assert.ok(found >= 8, `${found} of ${ots.length} over-the-shoulder shots found`);
  assert.ok(falsePositives <= 0.12 * others.length, `${falsePositives} of ${others.length} single and two-shots flagged as over the shoulder`);
});

test('wide masters are not over-the-shoulder shots', async () => {
  const masters = csvRows(path.join(EVALSET, 'cinemanet-type', 'labels.csv')).filter((r) => r.type === 'master').filter((_, i) => i % 4 === 0);
  const flags = await flagged(masters.map((r) => path.join(EVALSET, 'cinemanet-type', r.file!)));
  assert.ok(masters.length >= 60);
  assert.ok(flags.filter(Boolean).length <= 0.05 * masters.length, `${flags.filter(Boolean).length} of ${masters.length} masters flagged`);
});
