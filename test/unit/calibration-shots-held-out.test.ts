/**
 * A live fit's cross-validated figure is on frames the head did not see:
 * operators who correct a camera a second apart label near copies of one
 * picture, and a fold that trained on some of them and scored the others
 * rewarded a head for remembering each camera's scene. Three cameras, six
 * corrections each about a second apart, labels that contradict the picture
 * (full-body frames called ECU and CU, a close-up called EWS: what a
 * reviewer's contradictory corrections scored 16.7% -> 77.8% on); real
 * frames of the shared sets (the configured head's base knowledge), each
 * shot's frames a real frame with the flicker of consecutive frames.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { baseKnowledgePath, loadBaseKnowledge } from '../../server/calibration/base-knowledge.js';
import { loadHead } from '../../server/calibration/framing-head.js';
import { LiveCalibration, shotGroups } from '../../server/calibration/live-calibration.js';
import { silentLogger } from '../../server/shared/logger.js';
import { seededRandom } from '../../server/shared/seeded-random.js';
import { CalibrationStore, SqliteCalibrationRecords } from '../../server/store/calibration-store.js';
import { openDatabase } from '../../server/store/database.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const HEAD_FILE = path.join(REPO_DIR, 'models', 'framing-default.head.json');
const NAMES = (JSON.parse(gunzipSync(readFileSync(baseKnowledgePath(HEAD_FILE))).toString('utf8')) as { featureNames: string[] }).featureNames;

interface Report {
  sets: { taxonomy: string; count: number; before: { exact: number }; after: { exact: number } | null; shots: number; folds: number; why: string | null }[];
}

async function fitOn(store: CalibrationStore): Promise<Report> {
  const head = loadHead(HEAD_FILE, NAMES);
  const calibration = await LiveCalibration.open({ store: new SqliteCalibrationRecords(store), featureNames: NAMES, modelName: 'framing-default', configured: { head, file: HEAD_FILE }, clock: Date.now, log: silentLogger });
  assert.equal((await calibration.startFit()).state, 'fitting');
  const deadline = Date.now() + 240_000;
  let fit = (await calibration.state()).fit;
  while (fit.state === 'fitting' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    fit = (await calibration.state()).fit;
  }
  assert.equal(fit.state, 'done', fit.error ?? '');
  return store.head(fit.headId!)!.report as Report;
}

describe('a live fit\'s cross-validated figure', () => {
  const [cinemanet, hoha] = loadBaseKnowledge(baseKnowledgePath(HEAD_FILE), NAMES);
  // Real frames: two full-body frames (CineScale LS) and a close-up (CinemaNet CU).
  const fullBody = hoha!.samples.filter((s) => hoha!.taxonomy.classes[s.label]!.name === 'LS');
  const closeUp = cinemanet!.samples.find((s) => cinemanet!.taxonomy.classes[s.label]!.name === 'CU')!;
  const shots = [
    { camera: 'hikers', frame: fullBody[0]!, label: 'ECU' },
    { camera: 'gallery', frame: fullBody[1]!, label: 'CU' },
    { camera: 'selfie', frame: closeUp, label: 'EWS' },
  ];
  const random = seededRandom(7);
  /** A frame a second later in the same shot: the same picture, each measure flickering by under half a percent. */
  const nextFrame = (features: ArrayLike<number>) => Float32Array.from(features, (x) => x * (1 + (random() - 0.5) * 0.008));

  test('holds out whole shots: near copies of one picture, labelled against what it shows, do not score high', { timeout: 300_000 }, async () => {
    const store = new CalibrationStore(openDatabase(path.join(tempDir(), 'shots.db')));
    const t0 = 1_700_000_000_000;
    shots.forEach((shot, k) => {
      for (let i = 0; i < 6; i++) {
        store.addSample({ cameraId: shot.camera, capturedAt: t0 + k * 60_000 + i * 1000, source: 'live', taxonomy: 'canonical', label: shot.label, shown: null, shotId: null, features: nextFrame(shot.frame.features), featureNames: NAMES, rules: [...shot.frame.rules], jpeg: null }, t0 + k * 60_000 + i * 1000);
      }
    });
    const [canonical] = (await fitOn(store)).sets;
    assert.equal(canonical!.count, 18);
    assert.deepEqual([canonical!.shots, canonical!.folds], [3, 3], 'each fold held out one whole shot');
    // A label each shot's picture contradicts, never seen in the fold that scores it: the head cannot know it. Mixed folds scored 77.8%.
    assert.ok(canonical!.after, canonical!.why ?? '');
    assert.ok(canonical!.after.exact <= 40, `held-out exact ${canonical!.after.exact}% (before ${canonical!.before.exact}%)`);
  });

  test('too few shots to hold one out: no figure, and the report says why', { timeout: 300_000 }, async () => {
    const store = new CalibrationStore(openDatabase(path.join(tempDir(), 'shots.db')));
    const t0 = 1_700_000_000_000;
    // One camera, one shot, two labels a second apart (an operator changing their mind between frames).
    for (let i = 0; i < 6; i++) {
      store.addSample({ cameraId: 'hikers', capturedAt: t0 + i * 1000, source: 'live', taxonomy: 'canonical', label: i < 3 ? 'FS' : 'WS', shown: null, shotId: null, features: nextFrame(fullBody[0]!.features), featureNames: NAMES, rules: [...fullBody[0]!.rules], jpeg: null }, t0 + i * 1000);
    }
    const [canonical] = (await fitOn(store)).sets;
    assert.equal(canonical!.after, null);
    assert.equal(canonical!.shots, 1);
    assert.match(canonical!.why ?? '', /all 6 frames are of one shot: too few shots to cross-validate/);
  });

  test('a shot: a corrected shot\'s frame, else one camera\'s corrections each within 5 s of the one before', () => {
    const s = (cameraId: string, capturedAt: number, shotId: number | null = null) => ({ cameraId, capturedAt, shotId });
    const groups = shotGroups([s('a', 0), s('a', 4000), s('b', 5000), s('a', 8500), s('a', 14_000), s('a', 9000, 12), s('b', 12_000)]);
    assert.equal(groups[0], groups[1]);
    assert.equal(groups[1], groups[3], 'a chain of corrections each close to the last');
    assert.notEqual(groups[3], groups[4], 'more than 5 s later: another shot');
    assert.notEqual(groups[2], groups[6], 'another camera');
    assert.equal(groups[5], 'shot 12');
    assert.equal(new Set(groups).size, 5);
  });

  test('an imported still (captured when it was created) is a shot of its own; imported samples with their capture times are grouped as live ones', () => {
    const t = 1_700_000_000_000;
    const s = (cameraId: string, capturedAt: number, createdAt: number, source: 'live' | 'import') => ({ cameraId, capturedAt, createdAt, source, shotId: null });
    // Fifty stills imported at once: one camera, one millisecond apart, each its own capture time as its creation.
    const stills = shotGroups(Array.from({ length: 50 }, (_, i) => s('import:stills', t + i, t + i, 'import')));
    assert.equal(new Set(stills).size, 50);
    // An export's corrections imported again: their capture times, not the import's, group them.
    const exported = shotGroups([s('cam-1', t, t + 90_000, 'import'), s('cam-1', t + 1000, t + 90_000, 'import'), s('cam-1', t + 60_000, t + 90_000, 'import'), s('cam-1', t + 61_000, t + 61_500, 'live')]);
    assert.equal(exported[0], exported[1]);
    assert.notEqual(exported[1], exported[2]);
    assert.equal(exported[2], exported[3], 'a live correction a second after an imported one of the same camera: one shot');
  });
});
