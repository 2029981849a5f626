/**
 * What a correction may label, and when a fit may start:
 * - a correction that names no picture labels the camera's latest analysed
 *   frame only while the camera is live (a stopped camera's frame from 29 s
 *   before was labelled); one that names a picture in the future is told so
 *   (it was told it was "captured 0.0 s ago ... no longer held"); a camera
 *   disabled or stalled is not live at once (one disabled a second before
 *   took a correction on its last frame);
 * - a fit needs corrections of two classes on the canonical scale: CU in the
 *   canonical taxonomy and CU in `six` are one class (a fit on them was
 *   started, counted as two labels, and taught no line).
 * Real frames: feature vectors and the rules' probabilities of the shared
 * sets, as kept beside the configured head.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { baseKnowledgePath, loadBaseKnowledge } from '../../server/calibration/base-knowledge.js';
import { LiveCalibration } from '../../server/calibration/live-calibration.js';
import { isShotscaleError } from '../../server/errors.js';
import { silentLogger } from '../../server/shared/logger.js';
import { CalibrationStore, SqliteCalibrationRecords } from '../../server/store/calibration-store.js';
import { openDatabase } from '../../server/store/database.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const HEAD_FILE = path.join(REPO_DIR, 'models', 'framing-default.head.json');
const NAMES = (JSON.parse(gunzipSync(readFileSync(baseKnowledgePath(HEAD_FILE))).toString('utf8')) as { featureNames: string[] }).featureNames;
const [cinemanet] = loadBaseKnowledge(baseKnowledgePath(HEAD_FILE), NAMES);
const real = cinemanet!.samples.slice(0, 12);

async function open(clock: () => number): Promise<{ calibration: LiveCalibration; store: CalibrationStore }> {
  const store = new CalibrationStore(openDatabase(path.join(tempDir(), 'shots.db')));
  const calibration = await LiveCalibration.open({ store: new SqliteCalibrationRecords(store), featureNames: NAMES, modelName: 'framing-default', configured: null, clock, log: silentLogger });
  return { calibration, store };
}

describe('a correction of a camera that is not live', () => {
  let now = 1_700_000_000_000;
  const frame = (captureTime: number) => ({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 3).fill(90), captureTime });
  /** Five analysed frames a second, the last at `now`. */
  const analyse = (calibration: LiveCalibration, cameraId: string) => {
    for (let i = 0; i < 10; i++) {
      const s = real[i]!;
      calibration.observe(cameraId, frame(now - (9 - i) * 200), { features: Float32Array.from(s.features), rules: s.rules }, 'MS');
    }
  };

  test('is refused when it names no picture: the camera stopped 29 s ago, and its last frame is not what anyone sees', async () => {
    const { calibration } = await open(() => now);
    analyse(calibration, 'cam-1');
    const live = await calibration.correct('cam-1', 'CU');
    assert.equal(live.capturedAt, now, 'live: the latest frame');
    const last = now;
    now += 29_000;
    await assert.rejects(calibration.correct('cam-1', 'WS'), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /^camera cam-1 is not live: its last analysed frame was captured 29\.0 s ago/.test((e as Error).message));
    await assert.rejects(calibration.correct('cam-1', 'XXL'), (e) => isShotscaleError(e, 'BAD_REQUEST'), 'a bad label is said first');
    // The picture on the operator's screen, named: still the frame they saw, while it is held.
    const named = await calibration.correct('cam-1', 'FS', 'canonical', last - 200);
    assert.equal(named.capturedAt, last - 200);
    assert.deepEqual((await calibration.samples('cam-1')).map((s) => s.label).sort(), ['CU', 'FS']);
  });

  test('a camera disabled or stalled a moment ago is not live, whatever the age of its last frame; a picture still held is labelled', async () => {
    const { calibration } = await open(() => now);
    analyse(calibration, 'cam-3');
    await assert.rejects(calibration.correct('cam-3', 'CU', 'canonical', undefined, { state: 'stopped', enabled: false }), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /^camera cam-3 is not live: it is disabled \(stopped\)/.test((e as Error).message));
    await assert.rejects(calibration.correct('cam-3', 'CU', 'canonical', undefined, { state: 'stalled', enabled: true }), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /^camera cam-3 is not live: it is stalled/.test((e as Error).message));
    await assert.rejects(calibration.correct('cam-3', 'XXL', 'canonical', undefined, { state: 'stopped', enabled: false }), (e) => isShotscaleError(e, 'BAD_REQUEST'), 'a bad label is said first');
    assert.equal((await calibration.samples('cam-3')).length, 0);
    // The picture the operator saw, named while it is held: labelled.
    assert.equal((await calibration.correct('cam-3', 'CU', 'canonical', now - 200, { state: 'stopped', enabled: false })).capturedAt, now - 200);
    assert.equal((await calibration.correct('cam-3', 'MCU', 'canonical', undefined, { state: 'live', enabled: true })).capturedAt, now);
  });

  test('a camera analysed a frame every 3 s is live 6 s after its last one', async () => {
    const { calibration } = await open(() => now);
    for (let i = 0; i < 4; i++) calibration.observe('slow', frame(now - (3 - i) * 3000), { features: Float32Array.from(real[i]!.features), rules: real[i]!.rules }, 'MS');
    now += 6000;
    assert.equal((await calibration.correct('slow', 'CU')).capturedAt, now - 6000);
    now += 4000;
    await assert.rejects(calibration.correct('slow', 'CU'), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /not live: .* 10\.0 s ago \(more than 9\.0 s\)/.test((e as Error).message));
  });

  test('a picture named with a capture time in the future is refused as such', async () => {
    const { calibration } = await open(() => now);
    analyse(calibration, 'cam-2');
    await assert.rejects(calibration.correct('cam-2', 'CU', 'canonical', now + 100_000), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /capture time 100 s in the future/.test((e as Error).message) && !/ago/.test((e as Error).message));
    await assert.rejects(calibration.correct('cam-2', 'CU', 'canonical', now - 30_000), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /captured 30\.0 s ago\) is no longer held/.test((e as Error).message));
  });
});

describe('a fit on corrections of one class', () => {
  const add = (store: CalibrationStore, taxonomy: string, label: string, i: number) =>
    store.addSample({ cameraId: 'cam-1', capturedAt: 1000 + i * 60_000, source: 'live', taxonomy, label, shown: 'MCU', shotId: null, features: Float32Array.from(real[i]!.features), featureNames: NAMES, rules: [...real[i]!.rules], jpeg: null }, 2000 + i);

  test('CU in two taxonomies is one class: refused, saying so', async () => {
    const { calibration, store } = await open(Date.now);
    [0, 1, 2].forEach((i) => add(store, 'canonical', 'CU', i));
    [3, 4, 5].forEach((i) => add(store, 'six', 'CU', i));
    await assert.rejects(calibration.startFit(), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && (e as Error).message === 'all 6 corrections are CU or CU (six): a head needs corrections of at least 2 classes to learn a line between them');
    assert.equal((await calibration.state()).fit.state, 'idle');
  });

  test('3-class "close" and CU overlap: one class; close and long are two', async () => {
    const { calibration, store } = await open(Date.now);
    [0, 1, 2].forEach((i) => add(store, 'three', 'close', i));
    [3, 4, 5].forEach((i) => add(store, 'canonical', 'MCU', i));
    await assert.rejects(calibration.startFit(), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /^all 6 corrections are close \(three\) or MCU:/.test((e as Error).message));
    add(store, 'three', 'long', 6);
    assert.equal((await calibration.startFit({ fromScratch: true })).state, 'fitting');
    const deadline = Date.now() + 60_000;
    while ((await calibration.state()).fit.state === 'fitting' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
