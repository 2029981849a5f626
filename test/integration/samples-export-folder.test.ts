/**
 * `shotscale samples export` into a folder that holds an earlier export
 * replaces it whole (no labels file of the earlier export is left beside
 * images it does not describe), and refuses a folder that holds anything
 * else; `shotscale samples import DIR` reads a folder exported in several
 * taxonomies (a labels-<taxonomy>.csv each), each in its own taxonomy.
 * Real frames of the demo footage, the default classifier, real shot logs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import { CalibrationStore } from '../../server/store/calibration-store.js';
import { openDatabase } from '../../server/store/database.js';
import { openShotLogReadOnly } from '../../server/store/read-only-database.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const DEMO = path.join(REPO_DIR, 'media', 'demo');

/** The first frame of a demo clip as a JPEG. */
function frameOf(clip: string): Buffer {
  const file = path.join(tempDir('shotscale-frame-'), 'frame.jpg');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(DEMO, clip), '-frames:v', '1', '-vf', 'scale=320:-2', file]);
  return readFileSync(file);
}

/** A shot log with samples of two taxonomies: canonical CU and WS, cinemanet CU and LS (or those given). */
function shotLogWithSamples(given?: readonly (readonly [string, string, 'selfie' | 'hikers'])[]): { file: string; ids: number[] } {
  const file = path.join(tempDir('shotscale-samples-log-'), 'shotscale.sqlite');
  const db = openDatabase(file);
  const store = new CalibrationStore(db);
  const selfie = frameOf('selfie.mp4');
  const hikers = frameOf('hikers.mp4');
  const pictures = { selfie, hikers };
  const samples = given?.map(([taxonomy, label, clip]) => [taxonomy, label, pictures[clip]] as const) ?? ([
    ['canonical', 'CU', selfie],
    ['canonical', 'WS', hikers],
    ['cinemanet', 'CU', selfie],
    ['cinemanet', 'LS', hikers],
  ] as const);
  const ids = samples.map(([taxonomy, label, jpeg], i) =>
    store.addSample(
      { cameraId: 'cam', capturedAt: Date.UTC(2026, 11, 6, 12, 0, i), source: 'live', taxonomy, label, shown: 'MS', shotId: null, features: new Float32Array(MODEL_FEATURE_NAMES.length), featureNames: MODEL_FEATURE_NAMES, rules: [0, 0, 0, 1, 0, 0, 0, 0], jpeg },
      Date.now(),
    ),
  );
  db.close();
  return { file, ids };
}

const listing = (dir: string) => [...readdirSync(dir).filter((n) => n !== 'img'), ...readdirSync(path.join(dir, 'img')).map((n) => `img/${n}`)].sort();

describe('samples export and import folders', () => {
  test('an export over an earlier one replaces it whole; a folder holding other files is refused, nothing removed', async () => {
    const log = shotLogWithSamples();
    const out = path.join(tempDir('shotscale-samples-out-'), 'export');
    const first = await runCli(['samples', 'export', '--out', out, '--db', log.file]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(listing(out), ['img/sample-00001.jpg', 'img/sample-00002.jpg', 'img/sample-00003.jpg', 'img/sample-00004.jpg', 'labels-canonical.csv', 'labels-cinemanet.csv']);

    // The cinemanet samples and one canonical deleted: one taxonomy left, one sample.
    const db = openDatabase(log.file);
    const store = new CalibrationStore(db);
    for (const id of log.ids.slice(1)) assert.ok(store.deleteSample(id));
    db.close();
    const second = await runCli(['samples', 'export', '--out', out, '--db', log.file]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /the earlier export in .* was replaced \(5 of its files removed, the others written again\)\n1 sample written/);
    // Nothing of the earlier export is left: calibrate or import would otherwise read labels-canonical.csv's pairs.
    assert.deepEqual(listing(out), ['img/sample-00001.jpg', 'labels.csv']);
    const rows = readFileSync(path.join(out, 'labels.csv'), 'utf8').trim().split('\n');
    assert.deepEqual(rows.slice(1).map((r) => r.split(',').slice(0, 3).join(',')), ['img/sample-00001.jpg,CU,canonical']);

    // A file that is not of an export: refused, coded, naming the folder and the file; the folder is left as it was.
    writeFileSync(path.join(out, 'notes.txt'), 'day 2\n');
    const refused = await runCli(['samples', 'export', '--out', out, '--db', log.file]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /error OUTPUT_UNWRITABLE: --out .*export: holds notes\.txt, which is not of a samples export/);
    assert.deepEqual(listing(out), ['img/sample-00001.jpg', 'labels.csv', 'notes.txt']);
    const inImg = path.join(tempDir('shotscale-samples-out-'), 'export');
    assert.equal((await runCli(['samples', 'export', '--out', inImg, '--db', log.file])).code, 0);
    writeFileSync(path.join(inImg, 'img', 'poster.png'), 'png');
    const refusedImg = await runCli(['samples', 'export', '--out', inImg, '--db', log.file]);
    assert.match(refusedImg.stderr, /error OUTPUT_UNWRITABLE: --out .*export: holds img\/poster\.png, which is not of a samples export/);
    assert.ok(existsSync(path.join(inImg, 'labels.csv')));
  });

  test('import reads a folder exported in several taxonomies, each labels-<taxonomy>.csv in its own', { timeout: 180_000 }, async () => {
    const log = shotLogWithSamples();
    const out = path.join(tempDir('shotscale-samples-out-'), 'export');
    assert.equal((await runCli(['samples', 'export', '--out', out, '--db', log.file])).code, 0);
    assert.ok(!existsSync(path.join(out, 'labels.csv')));
    const dataDir = tempDir('shotscale-samples-data-');
    const config = path.join(tempDir('shotscale-samples-cfg-'), 'import.yaml');
    writeFileSync(config, `model:\n  manifest: ${path.join(REPO_DIR, 'models', 'framing-default.manifest.json')}\n  calibration: ${path.join(REPO_DIR, 'models', 'framing-default.head.json')}\nshots:\n  dataDir: ${dataDir}\ncameras: []\n`);
    const imported = await runCli(['samples', 'import', out, '--camera', 'stage-b', '--config', config], { timeoutMs: 150_000 });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /4 samples imported into .* \(camera "stage-b", 2 canonical, 2 cinemanet; with their capture times\)/);
    const db = openShotLogReadOnly(path.join(dataDir, 'shotscale.sqlite'));
    const samples = new CalibrationStore(db).listSamples();
    db.close();
    assert.deepEqual(samples.map((s) => `${s.taxonomy}:${s.label}`).sort(), ['canonical:CU', 'canonical:WS', 'cinemanet:CU', 'cinemanet:LS']);

    // A folder with no labels file at all: the hint names both kinds an export writes.
    const empty = tempDir('shotscale-samples-empty-');
    const none = await runCli(['samples', 'import', empty, '--config', config]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /error INPUT_UNREADABLE: no labels file at .*labels\.csv\n  hint: name a folder that samples export wrote \(it holds labels\.csv, or labels-<taxonomy>\.csv for each taxonomy\)/);
  });

  test('import reads labels.csv in the taxonomy its column states, even where its labels fit a smaller one', { timeout: 180_000 }, async () => {
    // CU and MS alone: they fit cinemanet (5 classes), which inference chose over the canonical the column says.
    const log = shotLogWithSamples([['canonical', 'CU', 'selfie'], ['canonical', 'MS', 'hikers']]);
    const out = path.join(tempDir('shotscale-samples-out-'), 'export');
    assert.equal((await runCli(['samples', 'export', '--out', out, '--db', log.file])).code, 0);
    assert.match(readFileSync(path.join(out, 'labels.csv'), 'utf8'), /^file,label,taxonomy,/);
    const dataDir = tempDir('shotscale-samples-data-');
    const config = path.join(tempDir('shotscale-samples-cfg-'), 'import.yaml');
    writeFileSync(config, `model:\n  manifest: ${path.join(REPO_DIR, 'models', 'framing-default.manifest.json')}\n  calibration: ${path.join(REPO_DIR, 'models', 'framing-default.head.json')}\nshots:\n  dataDir: ${dataDir}\ncameras: []\n`);
    // --taxonomy against the column: refused before anything is analysed or stored.
    const against = await runCli(['samples', 'import', out, '--taxonomy', 'cinemanet', '--config', config]);
    assert.equal(against.code, 2, against.stderr);
    assert.match(against.stderr, /error BAD_REQUEST: .*labels\.csv: --taxonomy cinemanet, but its taxonomy column says canonical \(line 2\)\n  hint: leave --taxonomy out/);
    const imported = await runCli(['samples', 'import', out, '--config', config], { timeoutMs: 150_000 });
    assert.equal(imported.code, 0, imported.stderr);
    assert.doesNotMatch(imported.stderr, /inferred/);
    assert.match(imported.stderr, /taxonomy canonical for .*labels\.csv, as its taxonomy column says/);
    const db = openShotLogReadOnly(path.join(dataDir, 'shotscale.sqlite'));
    const samples = new CalibrationStore(db).listSamples();
    db.close();
    assert.deepEqual(samples.map((s) => `${s.taxonomy}:${s.label}`).sort(), ['canonical:CU', 'canonical:MS']);
  });
});
