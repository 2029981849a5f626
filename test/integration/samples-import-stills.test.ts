/**
 * `shotscale samples import` of a folder of stills: each still is a shot of
 * its own, so a live fit on them gives its cross-validated figure (they were
 * taken for one shot, as one camera's samples a millisecond apart, and the
 * fit gave none); an export of them imported again keeps them stills; a
 * folder imported twice is not stored twice, and says so; a folder whose
 * only picture cannot be read imports nothing and fails, coded. Real frames
 * of the demo footage, the default classifier, a real server's fit.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { shotGroups } from '../../server/calibration/live-calibration.js';
import { CalibrationStore } from '../../server/store/calibration-store.js';
import { openShotLogReadOnly } from '../../server/store/read-only-database.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { httpJson, REPO_DIR, startTestServer } from '../support/server-harness.js';

const DEMO = path.join(REPO_DIR, 'media', 'demo');
const MODEL = { manifest: path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') };

/** A still of a demo clip at `atS`, as `name` in `dir` (a .png is written as PNG). */
function still(dir: string, clip: string, atS: number, name: string): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', String(atS), '-i', path.join(DEMO, clip), '-frames:v', '1', '-vf', 'scale=320:-2', path.join(dir, name)]);
}

function importConfig(dataDir: string): string {
  const file = path.join(tempDir('shotscale-stills-cfg-'), 'import.yaml');
  writeFileSync(file, `model:\n  manifest: ${MODEL.manifest}\n  calibration: ${MODEL.calibration}\nshots:\n  dataDir: ${dataDir}\ncameras: []\n`);
  return file;
}

function storedSamples(dataDir: string) {
  const db = openShotLogReadOnly(path.join(dataDir, 'shotscale.sqlite'));
  try {
    return new CalibrationStore(db).samplesForFit();
  } finally {
    db.close();
  }
}

interface FitReport {
  sets: { taxonomy: string; count: number; after: { exact: number } | null; shots: number; folds: number; why: string | null }[];
}

/** A server on `dataDir` fits its samples (over 2 folds: a fit per fold, on the base knowledge too, takes a while): the report. */
async function fitOnServer(dataDir: string): Promise<FitReport> {
  const server = await startTestServer({ model: MODEL, shots: { dataDir } });
  try {
    const started = await httpJson(`${server.url}/api/calibration/fit`, { method: 'POST', body: { folds: 2 } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const deadline = Date.now() + 420_000;
    for (;;) {
      const state = (await httpJson(`${server.url}/api/calibration`)).body as { fit: { state: string; headId: number | null; error: string | null }; heads: { id: number; report: FitReport }[] };
      if (state.fit.state === 'done') return state.heads.find((h) => h.id === state.fit.headId)!.report;
      assert.notEqual(state.fit.state, 'failed', state.fit.error ?? '');
      assert.ok(Date.now() < deadline, 'the fit did not finish in 7 minutes');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await server.close();
  }
}

describe('samples import of stills', () => {
  test('each still is a shot of its own: the fit gives its figure; imported twice, nothing is stored twice', { timeout: 900_000 }, async () => {
    const folder = tempDir('shotscale-stills-');
    const rows = ['file,label'];
    for (const [i, at] of [0, 0.4, 0.8, 1.2].entries()) {
      still(folder, 'selfie.mp4', at, `close-${i}.jpg`);
      rows.push(`close-${i}.jpg,CU`);
    }
    for (const [i, at] of [0, 2, 4, 6].entries()) {
      const name = i === 3 ? `wide-${i}.png` : `wide-${i}.jpg`;
      still(folder, 'hikers.mp4', at, name);
      rows.push(`${name},WS`);
    }
    writeFileSync(path.join(folder, 'labels.csv'), rows.join('\n') + '\n');
    const dataDir = tempDir('shotscale-stills-data-');
    const config = importConfig(dataDir);

    const first = await runCli(['samples', 'import', folder, '--config', config], { timeoutMs: 150_000 });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /8 samples imported into .* \(camera "import:shotscale-stills-\w+", canonical; each still a shot of its own\)/);
    const samples = storedSamples(dataDir);
    assert.equal(samples.length, 8);
    assert.equal(new Set(shotGroups(samples)).size, 8, 'eight stills, eight shots');

    // Again: every picture is a sample already; said so, nothing stored, not a failure.
    const again = await runCli(['samples', 'import', folder, '--config', config], { timeoutMs: 150_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /8 pictures skipped: they are samples already \(imported before\): close-0\.jpg, close-1\.jpg, close-2\.jpg, \.\.\./);
    assert.match(again.stderr, /0 samples imported into .*: all 8 pictures analysed are samples already/);
    // One picture labelled otherwise: skipped, and the label it has is said.
    writeFileSync(path.join(folder, 'labels.csv'), ['file,label', 'close-0.jpg,MCU', 'wide-3.png,WS'].join('\n') + '\n');
    const relabelled = await runCli(['samples', 'import', folder, '--config', config], { timeoutMs: 150_000 });
    assert.equal(relabelled.code, 0, relabelled.stderr);
    assert.match(relabelled.stderr, /2 pictures skipped: .*; 1 of them labelled otherwise there \(close-0\.jpg: CU, not MCU\): delete that sample/);
    assert.equal(storedSamples(dataDir).length, 8);

    const fit = await fitOnServer(dataDir);
    const canonical = fit.sets.find((s) => s.taxonomy === 'canonical')!;
    assert.equal(canonical.count, 8);
    assert.equal(canonical.shots, 8, JSON.stringify(canonical));
    assert.equal(canonical.folds, 2, JSON.stringify(canonical));
    assert.ok(canonical.after, canonical.why ?? 'a cross-validated figure');

    // Exported and imported into another data directory: stills still (captured_at left empty), each a shot.
    const out = path.join(tempDir('shotscale-stills-out-'), 'export');
    const exported = await runCli(['samples', 'export', '--out', out, '--config', config]);
    assert.equal(exported.code, 0, exported.stderr);
    const exportedRows = readFileSync(path.join(out, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
    assert.ok(exportedRows.every((r) => r.split(',')[4] === ''), exportedRows.join('\n'));
    const otherDir = tempDir('shotscale-stills-data-');
    const reimported = await runCli(['samples', 'import', out, '--config', importConfig(otherDir)], { timeoutMs: 150_000 });
    assert.equal(reimported.code, 0, reimported.stderr);
    const copies = storedSamples(otherDir);
    assert.equal(copies.length, 8);
    assert.equal(new Set(shotGroups(copies)).size, 8);
    assert.deepEqual([...new Set(copies.map((s) => s.cameraId))], [samples[0]!.cameraId], 'the camera the export names');
  });

  test('a folder whose only picture cannot be read imports nothing, and fails with a code', { timeout: 150_000 }, async () => {
    const folder = tempDir('shotscale-stills-');
    writeFileSync(path.join(folder, 'notes.jpg'), 'not a picture\n');
    writeFileSync(path.join(folder, 'labels.csv'), 'file,label\nnotes.jpg,CU\n');
    const dataDir = tempDir('shotscale-stills-data-');
    const res = await runCli(['samples', 'import', folder, '--config', importConfig(dataDir)], { timeoutMs: 120_000 });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /error INPUT_UNREADABLE: samples import .*: nothing imported: its one picture could not be analysed \(notes\.jpg: /);
    assert.doesNotMatch(res.stderr, /samples imported/);
  });
});
