/**
 * A live fit's reported duration is the operator's wait: from the fit's start
 * to its head being ready. A reviewer waited 343.7 s (finishedAt − startedAt)
 * for a head whose report said `fitS: 27.909`, the final fit alone, leaving
 * out the thread's start, the base knowledge read and the cross-validation.
 * The clock here runs 100 s a reading, so the wait is minutes while the
 * thread's own work takes well under one: the two cannot be mistaken.
 * Real frames (the shared sets' features, as kept beside the configured head)
 * and a real fit thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { baseKnowledgePath, loadBaseKnowledge } from '../../server/calibration/base-knowledge.js';
import { LiveCalibration } from '../../server/calibration/live-calibration.js';
import { silentLogger } from '../../server/shared/logger.js';
import { CalibrationStore, SqliteCalibrationRecords } from '../../server/store/calibration-store.js';
import { openDatabase } from '../../server/store/database.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';

const HEAD_FILE = path.join(REPO_DIR, 'models', 'framing-default.head.json');
const NAMES = (JSON.parse(gunzipSync(readFileSync(baseKnowledgePath(HEAD_FILE))).toString('utf8')) as { featureNames: string[] }).featureNames;
const [cinemanet] = loadBaseKnowledge(baseKnowledgePath(HEAD_FILE), NAMES);

test('a live fit reports the whole wait as its duration, and the final fit alone as headFitS', { timeout: 120_000 }, async () => {
  let now = 1_700_000_000_000;
  const clock = () => (now += 100_000);
  const store = new CalibrationStore(openDatabase(path.join(tempDir(), 'shots.db')));
  const calibration = await LiveCalibration.open({ store: new SqliteCalibrationRecords(store), featureNames: NAMES, modelName: 'framing-default', configured: null, clock, log: silentLogger });
  const className = (label: number) => cinemanet!.taxonomy.classes[label]!.name;
  const cu = cinemanet!.samples.filter((s) => className(s.label) === 'CU').slice(0, 6);
  const ws = cinemanet!.samples.filter((s) => className(s.label) === 'LS').slice(0, 6);
  [...cu.map((s) => ({ s, label: 'CU' })), ...ws.map((s) => ({ s, label: 'WS' }))].forEach(({ s, label }, i) => {
    // A minute apart: each its own shot, so that the folds have shots to hold out.
    store.addSample({ cameraId: 'cam-1', capturedAt: 1000 + i * 60_000, source: 'live', taxonomy: 'canonical', label, shown: null, shotId: null, features: Float32Array.from(s.features), featureNames: NAMES, rules: [...s.rules], jpeg: null }, 2000 + i);
  });
  assert.equal((await calibration.startFit()).state, 'fitting');
  const deadline = Date.now() + 100_000;
  let fit = (await calibration.state()).fit;
  while (fit.state === 'fitting' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    fit = (await calibration.state()).fit;
  }
  assert.equal(fit.state, 'done', fit.error ?? '');
  const report = store.head(fit.headId!)!.report as { fitS: number; headFitS: number };
  const waitS = (fit.finishedAt! - fit.startedAt!) / 1000;
  assert.ok(waitS >= 100, `the clock ran ${waitS} s`);
  assert.equal(report.fitS, waitS, 'fitS: start to head ready');
  assert.ok(report.headFitS >= 0 && report.headFitS < report.fitS, `headFitS ${report.headFitS} is the final fit alone, part of the wait`);
});
