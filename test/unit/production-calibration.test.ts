/**
 * A production's calibration: base knowledge beside a head (written, read by
 * feature name, refused when it cannot serve), a fit of production labels
 * together with the base (its boundary moves where the production draws it,
 * with before/after figures), and the store's samples and head versions.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { baseKnowledgePath, loadBaseKnowledge, saveBaseKnowledge } from '../../server/calibration/base-knowledge.js';
import { applyHead } from '../../server/calibration/framing-head.js';
import { CALIBRATION_TRAIN_OPTIONS, residualHead, rowsOf, type LabelledSet } from '../../server/calibration/multi-set-calibration.js';
import { fitProduction } from '../../server/calibration/production-fit.js';
import { trainSetHead } from '../../server/calibration/set-label-training.js';
import { isShotscaleError } from '../../server/errors.js';
import { softScale } from '../../server/inference/framing/framing-rules.js';
import { CU, CUE_NAMES as NAMES, cueSet as set, MCU } from '../support/cue-sets.js';
import { CalibrationStore, SqliteCalibrationRecords } from '../../server/store/calibration-store.js';
import { LiveCalibration } from '../../server/calibration/live-calibration.js';
import { silentLogger } from '../../server/shared/logger.js';
import { openDatabase } from '../../server/store/database.js';
import type { StoredShot } from '../../server/store/shot-store.js';
import { tempDir } from '../support/media.js';


describe('base knowledge', () => {
  test('is written beside the head and read back by feature name, in the order asked', () => {
    const dir = tempDir();
    const head = path.join(dir, 'mine.head.json');
    assert.equal(baseKnowledgePath(head), path.join(dir, 'mine.base.json.gz'));
    assert.equal(baseKnowledgePath(path.join(dir, 'plain.json')), path.join(dir, 'plain.base.json.gz'));
    const base = set('base', 40, 0, 1);
    saveBaseKnowledge(baseKnowledgePath(head), 'model-x', NAMES, [base]);
    const [read] = loadBaseKnowledge(baseKnowledgePath(head), ['noise_b', 'axis']);
    assert.equal(read!.name, 'base');
    assert.equal(read!.taxonomy.name, 'canonical');
    assert.equal(read!.samples.length, 40);
    const first = base.samples[0]!;
    assert.ok(Math.abs(read!.samples[0]!.features[1]! - (first.features as number[])[0]!) < 1e-4, 'axis second, as asked');
    assert.ok(Math.abs(read!.samples[0]!.features[0]! - (first.features as number[])[2]!) < 1e-4);
    assert.equal(read!.samples[0]!.label, first.label);
  });

  test('a model with features the base lacks, or a corrupt file, is refused with a code', () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.base.json.gz');
    saveBaseKnowledge(file, 'model-x', NAMES, [set('base', 10, 0, 2)]);
    assert.throws(() => loadBaseKnowledge(file, ['axis', 'new_feature']), (e) => isShotscaleError(e, 'MODEL_MISMATCH') && /new_feature/.test(e.message));
    writeFileSync(file, 'not gzip');
    assert.throws(() => loadBaseKnowledge(file, NAMES), (e) => isShotscaleError(e, 'CALIBRATION_BASE_INVALID') && e.message.includes(file));
  });
});

describe('a production fit with the base knowledge', () => {
  // The base sets call CU below 0; this production calls CU up to 1 (tighter framings read wider to it).
  const base = [set('base-a', 300, 0, 3), set('base-b', 300, 0, 4)];
  const head = residualHead(trainSetHead(base.flatMap((set) => rowsOf(set)), CALIBRATION_TRAIN_OPTIONS), NAMES, { labels: 'base', count: 600, trainedAt: '', options: {} });
  const production = set('production', 40, 1, 5);
  const at = (h: typeof head, axis: number) => applyHead(h, [axis, 0.5, 0.5], softScale(1.5, 0.5));

  test('moves the boundary where the production draws it, and says so before and after', () => {
    assert.ok(at(head, 0.25)[MCU]! > at(head, 0.25)[CU]!, 'the base head calls 0.25 MCU');
    const fit = fitProduction({ base, production: [production], featureNames: NAMES, from: head, modelName: 'model-x', folds: 4 });
    // A third of the weight on 40 labels against 600 base frames: the boundary moves a third of the way or so (0 -> about 0.35).
    assert.ok(at(fit.head, 0.25)[CU]! > at(fit.head, 0.25)[MCU]!, 'the production head calls 0.25 CU');
    // (0.35 -> 0.44 here: the base head is less sure at 0.5 than the fit with the production's labels.)
    assert.ok(at(fit.head, 0.5)[CU]! > at(head, 0.5)[CU]! + 0.05, 'and leans to CU further out');
    // Far from either boundary the class stays, clearly (l2 0.5 keeps even the base head under 0.9 here: 0.70 at -1, 0.86 at 2).
    assert.ok(at(fit.head, -1)[CU]! > 0.7 && at(fit.head, 2)[MCU]! > 0.7, `far from the boundary the class stays: CU ${at(fit.head, -1)[CU]} at -1, MCU ${at(fit.head, 2)[MCU]} at 2`);
    const [report] = fit.reports;
    assert.equal(report!.count, 40);
    assert.ok(report!.after!.exact > report!.before.exact, `after ${report!.after!.exact} > before ${report!.before.exact}`);
    assert.deepEqual(fit.head.provenance.sets!.map((s) => s.name), ['base-a', 'base-b', 'production']);
    assert.ok(fit.fitMs > 0);
  });

  test('a class of one frame sits in one fold: the set still gets its cross-validated figure', () => {
    const tiny: LabelledSet = { ...production, samples: [...production.samples.filter((s) => s.label === CU).slice(0, 5), ...production.samples.filter((s) => s.label === MCU).slice(0, 1)] };
    const fit = fitProduction({ base, production: [tiny], featureNames: NAMES, from: head, modelName: 'model-x' });
    const after = fit.reports[0]!.after;
    assert.ok(after, 'a figure, from 2 folds');
    assert.ok(after.exact >= 0 && after.exact <= 1);
    assert.equal(fit.head.output, 'rules-residual');
    // Two frames of two classes: each alone in its class, both in one fold, scored by a fit on the base alone.
    const pair: LabelledSet = { ...production, samples: [tiny.samples[0]!, tiny.samples[5]!] };
    assert.ok(fitProduction({ base, production: [pair], featureNames: NAMES, from: head, modelName: 'model-x' }).reports[0]!.after);
  });

  test('with one class, or nothing else to train a fold on, it still fits and says there is no after', () => {
    const oneClass: LabelledSet = { ...production, samples: production.samples.filter((s) => s.label === CU).slice(0, 6) };
    const fit = fitProduction({ base, production: [oneClass], featureNames: NAMES, from: head, modelName: 'model-x' });
    assert.equal(fit.reports[0]!.after, null);
    assert.equal(fit.head.output, 'rules-residual');
    // No base, one frame of each class: the only fold holds every frame, and no fit is left to score it.
    const alone: LabelledSet = { ...production, samples: [production.samples.find((s) => s.label === CU)!, production.samples.find((s) => s.label === MCU)!] };
    assert.equal(fitProduction({ base: [], production: [alone], featureNames: NAMES, from: null, modelName: 'model-x' }).reports[0]!.after, null);
  });
});

describe('a fit that fails', () => {
  test('says so with the error\'s code (a base knowledge file that cannot be read), and a new fit may start', async () => {
    const dir = tempDir();
    const headFile = path.join(dir, 'ours.head.json');
    const base = [set('base-a', 60, 0, 3)];
    const head = residualHead(trainSetHead(base.flatMap((s) => rowsOf(s)), CALIBRATION_TRAIN_OPTIONS), NAMES, { labels: 'base', count: 60, trainedAt: '', options: {} });
    writeFileSync(baseKnowledgePath(headFile), 'not gzip');
    const store = new CalibrationStore(openDatabase(path.join(dir, 'shots.db')));
    const calibration = await LiveCalibration.open({ store: new SqliteCalibrationRecords(store), featureNames: NAMES, modelName: 'model-x', configured: { head, file: headFile }, clock: Date.now, log: silentLogger });
    for (const [i, label] of ['CU', 'CU', 'CU', 'MCU', 'MCU', 'MCU'].entries()) {
      store.addSample({ cameraId: 'cam-1', capturedAt: 1000 + i, source: 'live', taxonomy: 'canonical', label, shown: 'MCU', shotId: null, features: Float32Array.from([i / 3 - 1, 0.5, 0.5]), featureNames: NAMES, rules: softScale(1.5, 0.5), jpeg: null }, 2000 + i);
    }
    assert.equal((await calibration.startFit()).state, 'fitting');
    const deadline = Date.now() + 60_000;
    let fit = (await calibration.state()).fit;
    while (fit.state === 'fitting' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      fit = (await calibration.state()).fit;
    }
    assert.equal(fit.state, 'failed');
    assert.equal(fit.code, 'CALIBRATION_BASE_INVALID');
    assert.match(fit.error ?? '', /base knowledge .*ours\.base\.json\.gz/);
    assert.equal((await calibration.startFit({ fromScratch: true })).state, 'fitting', 'a failed fit blocks none after it');
    while ((await calibration.state()).fit.state === 'fitting' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  });
});

describe('a fit that runs too long', () => {
  test('is stopped at its time limit and fails with CALIBRATION_FIT_TIMEOUT; a new fit may start', async () => {
    const dir = tempDir();
    const store = new CalibrationStore(openDatabase(path.join(dir, 'shots.db')));
    // A limit no fit thread meets (starting one takes longer): the thread is stopped mid-fit.
    const calibration = await LiveCalibration.open({ store: new SqliteCalibrationRecords(store), featureNames: NAMES, modelName: 'model-x', configured: null, clock: Date.now, log: silentLogger, fitTimeLimitMs: 5 });
    for (const [i, label] of ['CU', 'CU', 'CU', 'MCU', 'MCU', 'MCU'].entries()) {
      store.addSample({ cameraId: 'cam-1', capturedAt: 1000 + i, source: 'live', taxonomy: 'canonical', label, shown: 'MCU', shotId: null, features: Float32Array.from([i / 3 - 1, 0.5, 0.5]), featureNames: NAMES, rules: softScale(1.5, 0.5), jpeg: null }, 2000 + i);
    }
    const waitForEnd = async () => {
      const deadline = Date.now() + 60_000;
      let fit = (await calibration.state()).fit;
      while (fit.state === 'fitting' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        fit = (await calibration.state()).fit;
      }
      return fit;
    };
    assert.equal((await calibration.startFit()).state, 'fitting');
    const fit = await waitForEnd();
    assert.equal(fit.state, 'failed');
    assert.equal(fit.code, 'CALIBRATION_FIT_TIMEOUT');
    assert.match(fit.error ?? '', /still working after 0\.005 s and was stopped/);
    assert.equal(store.listHeads().length, 0, 'no head from a stopped fit');
    assert.equal((await calibration.startFit()).state, 'fitting', 'a stopped fit blocks none after it');
    await waitForEnd();
  });
});

describe('the calibration store', () => {
  const db = openDatabase(path.join(tempDir(), 'shots.db'));
  const store = new CalibrationStore(db);
  const sample = (label: string, cameraId = 'cam-1') => ({
    cameraId, capturedAt: 1000, source: 'live' as const, taxonomy: 'canonical', label, shown: 'MCU', shotId: null,
    features: Float32Array.from([0.25, -1.5, 3]), featureNames: ['a', 'b', 'c'], rules: softScale(2, 0.5), jpeg: Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]),
  });

  test('keeps samples with their features, lists them newest first, deletes one', () => {
    const a = store.addSample(sample('CU'), 5000);
    const b = store.addSample(sample('WS', 'cam-2'), 6000);
    assert.deepEqual(store.listSamples().map((s) => s.id), [b, a]);
    assert.deepEqual(store.listSamples({ cameraId: 'cam-2' }).map((s) => s.label), ['WS']);
    const [forFit] = store.samplesForFit();
    assert.deepEqual(Array.from(forFit!.features), [0.25, -1.5, 3]);
    assert.deepEqual(forFit!.featureNames, ['a', 'b', 'c']);
    assert.deepEqual([...store.sampleImage(a)!], [0xff, 0xd8, 0xff, 0xd9]);
    assert.equal(store.deleteSample(a), true);
    assert.equal(store.deleteSample(a), false);
    assert.equal(store.listSamples().length, 1);
  });

  test('relabels a sample in place: same id, features and image; the new label and its time', () => {
    const id = store.addSample(sample('CU', 'cam-3'), 5000);
    const relabelled = store.relabelSample(id, { taxonomy: 'cinemanet', label: 'Medium' }, 7000);
    assert.deepEqual(relabelled, { ...store.listSamples({ cameraId: 'cam-3' })[0], id, taxonomy: 'cinemanet', label: 'Medium', createdAt: 7000 });
    assert.deepEqual(store.listSamples({ cameraId: 'cam-3' }).map((s) => [s.id, s.label, s.createdAt, s.capturedAt, s.shown, s.hasImage]), [[id, 'Medium', 7000, 1000, 'MCU', true]]);
    assert.deepEqual(Array.from(store.samplesForFit().find((s) => s.id === id)!.features), [0.25, -1.5, 3]);
    assert.equal(store.relabelSample(id + 1000, { taxonomy: 'canonical', label: 'CU' }, 8000), null, 'no such sample');
    store.deleteSample(id);
  });

  test('heads are versions, never overwritten; what is applied where is kept', () => {
    const v1 = store.addHead({ version: 'one' }, { sets: [] }, 10, 7000);
    const v2 = store.addHead({ version: 'two' }, { sets: [] }, 20, 8000);
    assert.ok(v2 > v1);
    assert.deepEqual(store.listHeads().map((h) => [h.id, h.samples]), [[v2, 20], [v1, 10]]);
    assert.deepEqual(store.head(v1)!.head, { version: 'one' });
    assert.equal(store.head(9999), null);
    store.apply('*', v2, 9000);
    store.apply('cam-1', null, 9000);
    store.apply('*', v1, 9100);
    assert.deepEqual(store.applied().map((r) => [r.scope, r.headId]), [['*', v1], ['cam-1', null]]);
    store.unapply('cam-1');
    assert.deepEqual(store.applied().map((r) => r.scope), ['*']);
  });
});

describe('"label these"', () => {
  let now = 1_000_000;
  let calibration: LiveCalibration;
  before(async () => {
    calibration = await LiveCalibration.open({
      store: new SqliteCalibrationRecords(new CalibrationStore(openDatabase(path.join(tempDir(), 'shots.db')))),
      featureNames: NAMES,
      modelName: 'model-x',
      configured: null,
      clock: () => now,
      log: silentLogger,
    });
  });
  const frame = () => ({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 3).fill(90), captureTime: now });
  const analysis = (rules: number[]) => ({ features: Float32Array.from([0, 0.5, 0.5]), rules });
  const sure = softScale(2, 0.3); // MCU, clearly
  const unsure = softScale(2.5, 0.6); // MCU or MS
  const overruled = softScale(4, 0.4); // the head says MWS where the rules say ...
  const rulesSayMs = softScale(3, 0.4);

  test('keeps the frames most worth a label per camera, interleaves cameras, says why; a label stores a sample and takes the frame off', async () => {
    for (let i = 0; i < 10; i++) {
      now += 2500;
      calibration.observe('cam-1', frame(), analysis(sure), 'MCU', i === 4 ? unsure : sure);
      calibration.observe('cam-2', frame(), analysis(i === 7 ? rulesSayMs : sure), i === 7 ? 'MWS' : 'MCU', i === 7 ? overruled : sure);
    }
    // Frames come at most every 2 s per camera: one more now is not considered.
    calibration.observe('cam-1', frame(), analysis(unsure), 'MS', softScale(2.5, 2));
    const queue = calibration.queue(4);
    assert.equal(queue.length, 4);
    assert.deepEqual(queue.slice(0, 2).map((q) => q.cameraId).sort(), ['cam-1', 'cam-2'], 'each camera gets a turn first');
    const top1 = queue.find((q) => q.cameraId === 'cam-1')!;
    const top2 = queue.find((q) => q.cameraId === 'cam-2')!;
    assert.match(top1.why, /^unsure: MCU \d+% or MS \d+%$/);
    assert.match(top2.why, /^the head and the rules disagree \(rules MS, head MWS\)$/);
    assert.equal(top2.shown, 'MWS');
    assert.ok(queue.every((q) => q.score >= 0 && q.score <= 1));
    const jpeg = calibration.queueImage(top1.id);
    assert.deepEqual([jpeg[0], jpeg[1]], [0xff, 0xd8]);
    await assert.rejects(calibration.labelQueued(top1.id, 'XXL'), (e) => isShotscaleError(e, 'BAD_REQUEST'));
    const sample = await calibration.labelQueued(top1.id, 'MS');
    assert.deepEqual([sample.cameraId, sample.label, sample.shown, sample.source], ['cam-1', 'MS', 'MCU', 'live']);
    await assert.rejects(calibration.labelQueued(top1.id, 'MS'), (e) => isShotscaleError(e, 'NOT_FOUND'));
    assert.ok(!calibration.queue().some((q) => q.id === top1.id));
  });

  test('a correction labels the frame on the operator\'s screen (the nearest analysed one), else the latest', async () => {
    const t0 = now;
    ['MCU', 'MS', 'MWS'].forEach((shown, i) => calibration.observe('cam-9', { ...frame(), captureTime: t0 + i * 200 }, analysis(sure), shown));
    const seen = await calibration.correct('cam-9', 'CU', 'canonical', t0 + 230);
    assert.deepEqual([seen.shown, seen.capturedAt], ['MS', t0 + 200]);
    const latest = await calibration.correct('cam-9', 'CU');
    assert.deepEqual([latest.shown, latest.capturedAt], ['MWS', t0 + 400]);
    await assert.rejects(calibration.correct('cam-none', 'CU'), (e) => isShotscaleError(e, 'CALIBRATION_INVALID'));
    // The same frame corrected again: its sample relabelled in place (same id, the latest label, the time of the new label),
    // and the answer says which label it replaced.
    now += 1000;
    const again = await calibration.correct('cam-9', 'MCU');
    assert.deepEqual([again.id, again.label, again.capturedAt, again.createdAt, again.relabelled], [latest.id, 'MCU', t0 + 400, now, { sample: latest.id, taxonomy: 'canonical', label: 'CU' }]);
    const same = await calibration.correct('cam-9', 'MCU');
    assert.equal(same.id, again.id, 'the same label again changes nothing');
    assert.equal(same.relabelled, undefined);
    const kept = await calibration.samples('cam-9');
    assert.deepEqual(kept.map((s) => [s.id, s.capturedAt, s.label]), [[latest.id, t0 + 400, 'MCU'], [seen.id, t0 + 200, 'CU']], 'one sample per frame, the latest label');
    assert.equal((await calibration.state()).perCamera['cam-9'], 2, 'the old label is counted no more');
    await assert.rejects(calibration.correct('cam-none', 'XXL'), (e) => isShotscaleError(e, 'BAD_REQUEST'), 'a bad label is refused whatever the camera');
    calibration.forget('cam-9');
  });

  test('a correction of a picture no longer held (a frozen preview) is refused, not put on another frame', async () => {
    const t0 = now;
    ['MCU', 'MS', 'MWS'].forEach((shown, i) => calibration.observe('cam-8', { ...frame(), captureTime: t0 + i * 200 }, analysis(sure), shown));
    // The dashboard's picture froze 5 s before the camera's oldest kept frame: that picture is gone.
    await assert.rejects(calibration.correct('cam-8', 'CU', 'canonical', t0 - 5000), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /no longer held/.test((e as Error).message));
    await assert.rejects(calibration.correct('cam-8', 'CU', 'canonical', t0 + 5000), (e) => isShotscaleError(e, 'CALIBRATION_INVALID'), 'nor one from the future');
    await assert.rejects(calibration.correct('cam-8', 'XXL', 'canonical', t0 - 5000), (e) => isShotscaleError(e, 'BAD_REQUEST'), 'a bad label is said first');
    assert.deepEqual(await calibration.samples('cam-8'), [], 'nothing stored');
    // Within a frame of a kept one: that frame.
    const seen = await calibration.correct('cam-8', 'CU', 'canonical', t0 + 420);
    assert.deepEqual([seen.shown, seen.capturedAt], ['MWS', t0 + 400]);
    await calibration.deleteSample(seen.id);
    calibration.forget('cam-8');
  });

  test('a shot\'s scale set again relabels the sample its frame made, rather than adding one', async () => {
    const shots = { thumbnailAnalysis: () => analysis(sure), thumbnail: () => Buffer.from([0xff, 0xd8, 0xff, 0xd9]) };
    const shot = { id: 41, cameraId: 'cam-7', inTime: now, outTime: now + 2000, scale: 'CU', classifierScale: 'MCU' } as StoredShot;
    const first = (await calibration.shotCorrected(shot, shots))!;
    now += 1000;
    const second = (await calibration.shotCorrected({ ...shot, scale: 'ECU' }, shots))!;
    assert.deepEqual([second.id, second.label, second.shotId, second.createdAt], [first.id, 'ECU', 41, now]);
    assert.deepEqual((await calibration.samples('cam-7')).map((s) => [s.id, s.label]), [[first.id, 'ECU']]);
    await calibration.deleteSample(first.id);
  });

  test('frames older than 5 minutes leave the queue; a removed camera takes its frames along', () => {
    now += 6 * 60_000;
    assert.deepEqual(calibration.queue(), []);
    now += 2500;
    calibration.observe('cam-3', frame(), analysis(unsure), 'MCU', unsure);
    assert.equal(calibration.queue().length, 1);
    calibration.forget('cam-3');
    assert.deepEqual(calibration.queue(), []);
  });
});
