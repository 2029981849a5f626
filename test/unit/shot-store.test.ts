/**
 * The shot log's SQLite stores on real files: migrations, shots, takes,
 * alerts and plans, and a shot log that survives its process being killed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { validateConfig } from '../../server/config/load-config.js';
import { isShotscaleError } from '../../server/errors.js';
import { silentLogger } from '../../server/shared/logger.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { Alert, ShotRecord } from '../../server/shared/shots.js';
import { ShotLog } from '../../server/shots/shot-log.js';
import { framesToTimecode, timecodeAtRate, timecodeRate } from '../../server/shots/timecode.js';
import { AlertStore } from '../../server/store/alert-store.js';
import { DATABASE_FILE, openDatabase, schemaVersion, type Db } from '../../server/store/database.js';
import { MIGRATIONS, type Migration } from '../../server/store/migrations.js';
import { MediaSourceStore } from '../../server/store/media-source-store.js';
import { PlanStore } from '../../server/store/plan-store.js';
import { openShotLogReadOnly } from '../../server/store/read-only-database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { TakeStore } from '../../server/store/take-store.js';
import { shotsCsv } from '../../server/exports/csv-export.js';
import { shotComment } from '../../server/exports/shot-description.js';
import { coverageByCamera } from '../../server/coverage/coverage-stats.js';
import { tempDir } from '../support/media.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const T0 = Date.UTC(2025, 5, 1, 14, 0, 0);
const LATEST = MIGRATIONS.at(-1)!.version;

const timecode = timecodeAtRate;

function freshDb(): { db: Db; file: string } {
  const file = path.join(tempDir(), 'nested', 'dir', DATABASE_FILE);
  return { db: openDatabase(file), file };
}

const tables = (db: Db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];

function shot(fields: Partial<ShotRecord> & { seconds?: number } = {}): ShotRecord {
  const { seconds = 2, ...rest } = fields;
  const inTime = rest.inTime ?? T0;
  const inFrame = rest.inFrame ?? 90000;
  const scale: CanonicalScale = rest.scale ?? 'MS';
  return {
    id: 0,
    cameraId: 'cam-1',
    status: 'closed',
    inTime,
    outTime: inTime + seconds * 1000,
    rate: '25',
    inFrame,
    outFrame: inFrame + seconds * 25,
    tcIn: '',
    tcOut: '',
    durationS: seconds,
    startS: 0,
    scale,
    scaleStart: null,
    scaleEnd: null,
    confidence: 0.75,
    probabilities: CANONICAL_SCALES.map((s) => (s === scale ? 0.75 : 0.25 / 7)),
    readouts: 10,
    subjects: null,
    reason: null,
    cutIn: 'hard',
    cutOut: 'hard',
    scene: null,
    take: null,
    tags: [],
    note: null,
    hasThumbnail: false,
    ...rest,
  };
}

describe('openDatabase and migrations', () => {
  test('a log of version 7 gains the file a file-mode log was made from, which round-trips', () => {
    const { db: created, file } = freshDb();
    created.close();
    const raw = new Database(file);
    raw.exec('DROP TABLE camera_overrides; ALTER TABLE shots DROP COLUMN framing_operator; ALTER TABLE takes DROP COLUMN mark; DROP TABLE media_sources; ALTER TABLE takes DROP COLUMN except_cameras; ALTER TABLE takes DROP COLUMN gaps; DROP TABLE plan_revision; ALTER TABLE plans DROP COLUMN revision');
    raw.pragma('user_version = 7');
    raw.close();
    const db = openDatabase(file);
    assert.equal(schemaVersion(db), LATEST);
    const sources = new MediaSourceStore(db);
    assert.deepEqual(sources.all(), [], 'a live log, or one logged before version 8: no file');
    const source = { cameraId: 'file', path: '/films/a.mov', title: 'a.mov', rate: '29.97' as const, width: 640, height: 360, pixelAspect: null, fieldOrder: null, audio: { channels: 2, sampleRate: 48000 }, reel: null };
    sources.save(source);
    // HDV: 1440x1080 stored, pixels 4:3 wide (version 13), interlaced lower field first (version 15), with a reel name (version 16).
    const hdv = { ...source, cameraId: 'b', rate: '29.97DF' as const, width: 1440, height: 1080, pixelAspect: { h: 4, v: 3 }, fieldOrder: 'lower first' as const, audio: null, reel: 'A001C003' };
    sources.save(hdv);
    assert.deepEqual(sources.all(), [hdv, source].sort((x, y) => (x.cameraId < y.cameraId ? -1 : 1)));
    db.close();
  });

  test('a new database gets every migration, WAL and foreign keys; its directory is made', () => {
    const { db, file } = freshDb();
    assert.equal(schemaVersion(db), LATEST);
    assert.equal(LATEST, 18);
    assert.deepEqual(tables(db), ['alerts', 'calibration_applied', 'calibration_heads', 'calibration_samples', 'camera_overrides', 'cluster_outbox', 'media_sources', 'plan_revision', 'plans', 'shots', 'sqlite_sequence', 'takes', 'thumbnails']);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok(existsSync(file));
    db.close();
  });

  test('reopening is idempotent and keeps the data', () => {
    const { db, file } = freshDb();
    new PlanStore(db).save('1', { items: [] }, T0);
    db.close();
    for (let i = 0; i < 2; i++) {
      const again = openDatabase(file);
      assert.equal(schemaVersion(again), LATEST);
      assert.deepEqual(new PlanStore(again).all(), [{ scene: '1', plan: { items: [] }, revision: 2 }]);
      again.close();
    }
  });

  test('a database from a newer shotscale is refused, naming the file and both versions', () => {
    const file = path.join(tempDir(), DATABASE_FILE);
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    assert.throws(
      () => openDatabase(file),
      (error: unknown) => {
        assert.ok(isShotscaleError(error, 'DATABASE_FAILED'), String(error));
        assert.equal(error.message, `the shot log ${file} is at schema version 99, newer than this shotscale knows (${LATEST})`);
        return true;
      },
    );
    // Nothing was changed.
    const check = new Database(file);
    assert.equal(check.pragma('user_version', { simple: true }), 99);
    assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), []);
    check.close();
  });

  test('a custom migration list: only the missing steps run, in order', () => {
    const file = path.join(tempDir(), DATABASE_FILE);
    const step = (version: number, sql: string): Migration => ({ version, description: `step ${version}`, sql });
    const steps = [
      step(1, "CREATE TABLE log (step TEXT NOT NULL); INSERT INTO log VALUES ('1');"),
      step(2, "INSERT INTO log VALUES ('2');"),
      step(3, "INSERT INTO log VALUES ('3');"),
      step(4, "INSERT INTO log VALUES ('4');"),
    ];
    const stepsOf = (db: Db) => db.prepare('SELECT step FROM log ORDER BY rowid').pluck().all();
    let db = openDatabase(file, steps.slice(0, 2));
    assert.deepEqual([schemaVersion(db), stepsOf(db)], [2, ['1', '2']]);
    db.close();
    db = openDatabase(file, steps);
    assert.deepEqual([schemaVersion(db), stepsOf(db)], [4, ['1', '2', '3', '4']]);
    db.close();
    db = openDatabase(file, steps);
    assert.deepEqual([schemaVersion(db), stepsOf(db)], [4, ['1', '2', '3', '4']]);
    db.close();
  });

  test('a failing step is rolled back whole and named', () => {
    const file = path.join(tempDir(), DATABASE_FILE);
    const steps: Migration[] = [
      { version: 1, description: 'table', sql: 'CREATE TABLE t (a INTEGER);' },
      { version: 2, description: 'broken step', sql: 'INSERT INTO t VALUES (1); INSERT INTO missing VALUES (2);' },
    ];
    assert.throws(
      () => openDatabase(file, steps),
      (error: unknown) => isShotscaleError(error, 'DATABASE_FAILED') && error.message.startsWith(`migrating the shot log ${file} to version 2 (broken step) failed: `) && /no such table: missing/.test(error.message),
    );
    const db = openDatabase(file, steps.slice(0, 1));
    assert.equal(schemaVersion(db), 1);
    assert.deepEqual(db.prepare('SELECT a FROM t').pluck().all(), [], 'the first insert of the failed step is gone too');
    db.close();
  });

  test('a log of version 16: takes, scenes and tags stored in another spelling read back in one, and a used take is refused', () => {
    // Written as version 16 stored what it was sent: take "01" and "1.0", a scene and a tag with a combining umlaut.
    const { db: created, file } = freshDb();
    const takes = new TakeStore(created);
    const shots = new ShotStore(created, timecode);
    const plans = new PlanStore(created);
    const kitchen = takes.start('Ku\u0308che 4', '01', null, T0);
    takes.end(kitchen.id, T0 + 5000);
    const seven = takes.start('7', '1.0', ['cam-1'], T0 + 10_000);
    takes.end(seven.id, T0 + 15_000);
    const inKitchen = shots.add(shot({ scene: 'Ku\u0308che 4', take: '01', tags: ['Ju\u0308rgen', 'J\u00fcrgen', 'Anna'] }), kitchen.id);
    const inSeven = shots.add(shot({ inTime: T0 + 10_000, scene: '7', take: '1.0' }), seven.id);
    const asWritten = shots.add(shot({ inTime: T0 + 20_000, scene: '12A', take: '12A', tags: ['x'] }), null);
    const loose = shots.add(shot({ inTime: T0 + 30_000 }), null);
    plans.save('Ku\u0308che 4', { scene: 'Ku\u0308che 4', items: [{ id: 'm', scale: 'WS+' }] }, T0);
    // Two plans of one scene in two spellings: the composed key is taken, so the other keeps its own.
    plans.save('Sc\u00e8ne 9', { scene: 'Sc\u00e8ne 9', items: [{ id: 'a', scale: 'WS+' }] }, T0);
    plans.save('Sce\u0300ne 9', { scene: 'Sce\u0300ne 9', items: [{ id: 'b', scale: 'CU' }] }, T0);
    created.close();
    const raw = new Database(file);
    raw.pragma('user_version = 16');
    raw.close();
    const spellings = (db: Db) => new TakeStore(db).list().map((t) => [t.scene, t.take]);

    // shotscale export --db: the copy in memory reads in one spelling, the file is left as it was.
    const copy = openShotLogReadOnly(file);
    assert.deepEqual(spellings(copy), [['K\u00fcche 4', '1'], ['7', '1']]);
    copy.close();
    const untouched = new Database(file, { readonly: true });
    assert.deepEqual([untouched.pragma('user_version', { simple: true }), untouched.prepare('SELECT take FROM takes ORDER BY id').pluck().all()], [16, ['01', '1.0']]);
    untouched.close();

    const db = openDatabase(file);
    assert.equal(schemaVersion(db), LATEST);
    assert.deepEqual(spellings(db), [['K\u00fcche 4', '1'], ['7', '1']]);
    const store = new ShotStore(db, timecode);
    const fields = (id: number) => {
      const { scene, take, tags } = store.get(id);
      return { scene, take, tags };
    };
    assert.deepEqual(fields(inKitchen), { scene: 'K\u00fcche 4', take: '1', tags: ['J\u00fcrgen', 'Anna'] });
    assert.deepEqual(fields(inSeven), { scene: '7', take: '1', tags: [] });
    assert.deepEqual(fields(asWritten), { scene: '12A', take: '12A', tags: ['x'] });
    assert.deepEqual(fields(loose), { scene: null, take: null, tags: [] });
    assert.deepEqual(store.list({ take: '1' }).map((s) => s.id), [inKitchen, inSeven], 'a filter on take 1 (sent as "01") finds them');
    assert.deepEqual(store.list({ scene: 'K\u00fcche 4' }).map((s) => s.id), [inKitchen]);
    const stored = new PlanStore(db);
    assert.deepEqual(stored.all().map((p) => p.scene).sort(), ['K\u00fcche 4', 'Sc\u00e8ne 9', 'Sce\u0300ne 9'].sort());
    assert.ok(stored.get('K\u00fcche 4'), 'the plan is found under the scene as the plans routes look it up');
    db.close();

    // Slated again through the shot log, however it is written: take 1 of both scenes is used.
    const log = ShotLog.open(path.dirname(file), validateConfig({}, '(test)'), () => T0 + 60_000, silentLogger, { shot() {}, takes() {}, coverage() {}, alert() {} });
    try {
      for (const [scene, take] of [['K\u00fcche 4', '1'], ['Ku\u0308che 4', '01'], ['7', '1']] as const) {
        assert.throws(
          () => log.startTake({ scene, take }),
          (error: unknown) => isShotscaleError(error, 'TAKE_EXISTS') && (error.details as { take: string }).take === '1',
          `${scene} ${take}`,
        );
      }
      assert.equal(log.startTake({ scene: 'Ku\u0308che 4' }).take, '2');
      assert.ok(log.planRecord('K\u00fcche 4'));
    } finally {
      log.close();
    }
  });

  test('a log of version 17: a scene and a take of it in several cases and spacings read back in the spelling used first; a second plan of the scene is kept', () => {
    // Written as version 17 stored what it was sent: "Kitchen" slated first, then "KITCHEN" and "kitchen  " on other dashboards.
    const { db: created, file } = freshDb();
    const takes = new TakeStore(created);
    const shots = new ShotStore(created, timecode);
    const plans = new PlanStore(created);
    const first = takes.start('Kitchen', '12A', null, T0);
    takes.end(first.id, T0 + 5000);
    const second = takes.start('KITCHEN', '12a', null, T0 + 10_000);
    takes.end(second.id, T0 + 15_000);
    const third = takes.start('Night  Ext', '1', null, T0 + 20_000);
    takes.end(third.id, T0 + 25_000);
    const inFirst = shots.add(shot({ scene: 'Kitchen', take: '12A' }), first.id);
    const inSecond = shots.add(shot({ inTime: T0 + 10_000, scene: 'KITCHEN', take: '12a' }), second.id);
    const moved = shots.add(shot({ inTime: T0 + 30_000, scene: 'kitchen ', take: ' 12a', tags: ['Anna  Lee'] }), null);
    // A scene no take has: the shots' first spelling (by in time) wins.
    const early = shots.add(shot({ inTime: T0 + 40_000, scene: 'Roof' }), null);
    const late = shots.add(shot({ inTime: T0 + 50_000, scene: 'ROOF' }), null);
    plans.save('kitchen', { scene: 'kitchen', items: [{ id: 'm', scale: 'WS+' }] }, T0);
    plans.save('KITCHEN', { scene: 'KITCHEN', items: [{ id: 'c', scale: 'CU' }] }, T0 + 1);
    plans.save('night ext', { scene: 'night ext', items: [{ id: 'w', scale: 'WS+' }] }, T0);
    plans.save('Big  Hall', { scene: 'Big  Hall', items: [{ id: 'h', scale: 'WS+' }] }, T0);
    created
      .prepare("INSERT INTO alerts (key, kind, severity, camera_ids, message, since, scene) VALUES ('plan-missing:x', 'plan-missing', 'warning', '[]', 'm', ?, 'KITCHEN')")
      .run(T0 + 20_000);
    created.close();
    const raw = new Database(file);
    raw.pragma('user_version = 17');
    raw.close();

    const db = openDatabase(file);
    assert.equal(schemaVersion(db), LATEST);
    assert.deepEqual(new TakeStore(db).list().map((t) => [t.scene, t.take]), [['Kitchen', '12A'], ['Kitchen', '12A'], ['Night Ext', '1']]);
    const store = new ShotStore(db, timecode);
    const fields = (id: number) => {
      const { scene, take, tags } = store.get(id);
      return { scene, take, tags };
    };
    assert.deepEqual(fields(inFirst), { scene: 'Kitchen', take: '12A', tags: [] });
    assert.deepEqual(fields(inSecond), { scene: 'Kitchen', take: '12A', tags: [] });
    assert.deepEqual(fields(moved), { scene: 'Kitchen', take: '12A', tags: ['Anna Lee'] });
    assert.deepEqual([fields(early).scene, fields(late).scene], ['Roof', 'Roof']);
    assert.deepEqual(store.list({ scene: 'Kitchen', take: '12A' }).map((s) => s.id), [inFirst, inSecond, moved]);
    // Two plans of the scene: the first takes the scene's spelling, the other keeps its own rather than the upgrade failing.
    assert.deepEqual(new PlanStore(db).all().map((p) => p.scene).sort(), ['Big Hall', 'KITCHEN', 'Kitchen', 'Night Ext'].sort());
    assert.deepEqual(db.prepare('SELECT scene FROM alerts').pluck().all(), ['Kitchen'], "an alert's scene, as its plan's");
    db.close();
    const log = ShotLog.open(path.dirname(file), validateConfig({}, '(test)'), () => T0 + 60_000, silentLogger, { shot() {}, takes() {}, coverage() {}, alert() {} });
    try {
      assert.equal(log.planRecord('Night Ext')?.scene, 'Night Ext', 'found, and named, as the scene is spelled now');
      assert.equal(log.startTake({ scene: 'kitchen', take: '12a', again: true }).scene, 'Kitchen');
    } finally {
      log.close();
    }
  });

  test('a data directory that cannot be made is DATABASE_FAILED', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'file'), 'x');
    assert.throws(
      () => openDatabase(path.join(dir, 'file', 'sub', DATABASE_FILE)),
      (error: unknown) => isShotscaleError(error, 'DATABASE_FAILED') && error.message.includes(path.join(dir, 'file', 'sub')),
    );
  });
});

describe('ShotStore', () => {
  test('add then get: every field round-trips; timecode and duration are derived', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    const given = shot({
      status: 'open',
      inTime: T0 + 0.5,
      outTime: T0 + 1600.5,
      inFrame: 90012,
      outFrame: 90052,
      rate: '29.97DF',
      startS: 12.48,
      scale: 'MCU',
      confidence: 0.6,
      probabilities: [0.1, 0.123456789, 0.6, 0.076543211, 0.05, 0.05, 0, 0],
      subjects: { count: 1, kind: 'face', framing: 'single', overTheShoulder: false },
      reason: 'face fills a third',
      cutIn: 'dissolve',
      cutOut: null,
      scene: '12A',
      take: '3',
      tags: ['Anna'],
      note: 'soft focus',
    });
    const id = store.add(given, null);
    assert.equal(id, 1);
    assert.equal(store.add(shot(), null), 2);
    assert.deepEqual(store.get(id), {
      ...given,
      id,
      takeId: null,
      durationS: 1.6,
      tcIn: framesToTimecode(90012, timecodeRate('29.97DF')),
      tcOut: framesToTimecode(90052, timecodeRate('29.97DF')),
      probabilities: [0.1, 0.12346, 0.6, 0.07654, 0.05, 0.05, 0, 0],
    });
    assert.equal(store.get(id).tcIn, '00:50:03;12');
    assert.throws(() => store.get(99), (error: unknown) => isShotscaleError(error, 'NOT_FOUND') && error.message === 'no shot 99');
    db.close();
  });

  test('extend grows an open shot only; finish closes it with its thumbnail', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    const open = shot({ status: 'open', cutOut: null, seconds: 0, readouts: 0 });
    const id = store.add(open, null);
    store.extend({ ...open, id, outTime: T0 + 1000, outFrame: 90025, scale: 'CU', readouts: 5, reason: 'r', cutOut: 'hard' });
    let got = store.get(id);
    assert.deepEqual([got.status, got.outTime, got.outFrame, got.durationS, got.scale, got.readouts, got.reason, got.cutOut], ['open', T0 + 1000, 90025, 1, 'CU', 5, 'r', null]);
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    store.finish({ ...open, id, status: 'closed', outTime: T0 + 2000, outFrame: 90050, scale: 'MCU', cutOut: 'end' }, jpeg);
    got = store.get(id);
    assert.deepEqual([got.status, got.outTime, got.outFrame, got.scale, got.cutOut, got.hasThumbnail], ['closed', T0 + 2000, 90050, 'MCU', 'end', true]);
    assert.deepEqual(new Uint8Array(store.thumbnail(id)!), jpeg);
    // A closed shot does not grow any more.
    store.extend({ ...open, id, outTime: T0 + 9000, outFrame: 90225 });
    assert.equal(store.get(id).outTime, T0 + 2000);
    // Without a thumbnail.
    const other = store.add(shot({ status: 'open' }), null);
    store.finish(shot({ id: other }), null);
    assert.deepEqual([store.get(other).hasThumbnail, store.thumbnail(other)], [false, null]);
    db.close();
  });

  test('a shot with no picture: kept through open, extend and finish, cleared when a picture comes; a database of version 6 gains the column', () => {
    const { db, file } = freshDb();
    const store = new ShotStore(db, timecode);
    const open = shot({ status: 'open', cutOut: null, readouts: 0, noPicture: 'black' });
    const id = store.add(open, null);
    assert.equal(store.get(id).noPicture, 'black');
    store.extend({ ...open, id, outTime: T0 + 4000, noPicture: 'white', noPictureS: 4 });
    assert.deepEqual([store.get(id).noPicture, store.get(id).noPictureS], ['white', 4]);
    // The camera's picture came back before the cut: the shot has a scale after all.
    const { noPicture: _gone, ...withPicture } = open;
    store.finish({ ...withPicture, id, status: 'closed', readouts: 3, cutOut: 'hard', noPictureS: 3.5 }, null);
    assert.deepEqual(['noPicture' in store.get(id), store.get(id).noPictureS], [false, 3.5]);
    db.close();

    // A log written before version 7: its shots all had a picture as far as it knew.
    const raw = new Database(file);
    raw.exec('DROP TABLE camera_overrides; ALTER TABLE shots DROP COLUMN framing_operator; ALTER TABLE takes DROP COLUMN mark; ALTER TABLE shots DROP COLUMN no_picture; ALTER TABLE shots DROP COLUMN no_picture_s; DROP TABLE media_sources; ALTER TABLE takes DROP COLUMN except_cameras; ALTER TABLE takes DROP COLUMN gaps; DROP TABLE plan_revision; ALTER TABLE plans DROP COLUMN revision');
    raw.pragma('user_version = 6');
    raw.close();
    const migrated = openDatabase(file);
    assert.equal(schemaVersion(migrated), LATEST);
    const old = new ShotStore(migrated, timecode).get(id);
    assert.deepEqual([old.id, old.scale, 'noPicture' in old, 'noPictureS' in old], [id, 'MS', false, false]);
    migrated.close();
  });

  test('an operator\'s scale: closed shots only; the classifier\'s own kept beside it; exports carry both; the thumbnail keeps its features', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    const open = store.add(shot({ status: 'open', cutOut: null }), null);
    assert.throws(() => store.setScale(open, 'CU'), (e: unknown) => isShotscaleError(e, 'CALIBRATION_INVALID') && /still open/.test(e.message));
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]);
    const analysis = { features: Float32Array.from([1.5, -2, 0.25]), rules: CANONICAL_SCALES.map((_, i) => (i === 2 ? 0.9 : 0.1 / 7)) };
    store.finish(shot({ id: open, scale: 'MCU' }), jpeg, analysis);
    assert.deepEqual(Array.from(store.thumbnailAnalysis(open)!.features), [1.5, -2, 0.25]);
    assert.deepEqual(store.thumbnailAnalysis(open)!.rules, analysis.rules);
    assert.equal(store.get(open).classifierScale, undefined, 'not corrected: no classifier scale beside');
    store.setScale(open, 'CU');
    store.setScale(open, 'ECU');
    const corrected = store.get(open);
    assert.deepEqual([corrected.scale, corrected.classifierScale], ['ECU', 'MCU'], 'the classifier\'s own scale is the first one, kept');
    const [header, row] = shotsCsv([corrected]).split('\r\n');
    const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
    assert.deepEqual([cells.scale, cells.scale_set_by, cells.classifier_scale], ['ECU', 'operator', 'MCU']);
    assert.match(shotComment(corrected), /^ECU \(set by operator; classifier MCU\)/);
    const plain = store.add(shot({ scale: 'WS' }), null);
    const [, plainRow] = shotsCsv([store.get(plain)]).split('\r\n');
    assert.deepEqual(plainRow!.split(',').slice(16, 18), ['classifier', 'WS']);
    // Without features (a model that gives none), the thumbnail is kept alone.
    store.finish(shot({ id: plain }), jpeg);
    assert.equal(store.thumbnailAnalysis(plain), null);
    db.close();
  });

  test('an operator\'s scale on a shot with no picture from cut to cut: theirs is stored and exported as set by them, no classifier scale beside it', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    // Black from cut to cut: the scale is the shot before's (MCU), carried over; the classifier read none.
    const black = { scale: 'MCU' as const, readouts: 0, confidence: 0.41, noPicture: 'black' as const, noPictureS: 2, reason: 'no picture (black) throughout' };
    const id = store.add(shot({ ...black, status: 'open', cutOut: null }), null);
    store.finish(shot({ ...black, id }), null);
    store.setScale(id, 'WS');
    store.setScale(id, 'FS');
    const set = store.get(id);
    assert.deepEqual([set.scale, set.classifierScale, set.noPicture], ['FS', null, 'black'], 'the operator\'s scale; the classifier read none; the flag stays');
    assert.equal(db.prepare('SELECT scale_classifier FROM shots WHERE id = ?').pluck().get(id), '', 'stored as set by an operator, never as the carried MCU');
    const [header, row] = shotsCsv([set]).split('\r\n');
    const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
    assert.deepEqual([cells.scale, cells.scale_set_by, cells.classifier_scale, cells.confidence, cells.p_MCU, cells.no_picture], ['FS', 'operator', '', '', '', '']);
    assert.equal(shotComment(set), 'FS (set by operator; no picture for the classifier) (no picture (black) throughout)');
    // A log written before stored the carried scale as the classifier's: it reads as none all the same.
    db.prepare("UPDATE shots SET scale_classifier = 'MCU' WHERE id = ?").run(id);
    assert.equal(store.get(id).classifierScale, null);
    db.close();
  });

  test('list: camera list, scene, take, time overlap, status, ordering, limit and offset', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    const takes = new TakeStore(db);
    const take = takes.start('5', '2', null, T0);
    // Added out of time order: list orders by in time, then id.
    const ids = {
      c2: store.add(shot({ cameraId: 'cam-2', inTime: T0 + 1000, scene: '5', take: '2' }), take.id),
      c1a: store.add(shot({ cameraId: 'cam-1', inTime: T0, scene: '5', take: '1' }), null),
      c1b: store.add(shot({ cameraId: 'cam-1', inTime: T0 + 2000, scene: '5', take: '2' }), take.id),
      c3: store.add(shot({ cameraId: 'cam-3', inTime: T0 + 1000, scene: '6', take: '2', status: 'open' }), null),
      c1c: store.add(shot({ cameraId: 'cam-1', inTime: T0 + 4000 }), null),
    };
    const list = (filter: Parameters<ShotStore['list']>[0]) => store.list(filter).map((s) => s.id);
    assert.deepEqual(list({}), [ids.c1a, ids.c2, ids.c3, ids.c1b, ids.c1c]);
    assert.deepEqual(list({ cameraIds: ['cam-1'] }), [ids.c1a, ids.c1b, ids.c1c]);
    assert.deepEqual(list({ cameraIds: ['cam-3', 'cam-2'] }), [ids.c2, ids.c3]);
    assert.deepEqual(list({ cameraIds: [] }), list({}), 'an empty list is no filter');
    assert.deepEqual(list({ scene: '5' }), [ids.c1a, ids.c2, ids.c1b]);
    assert.deepEqual(list({ scene: '5', take: '2' }), [ids.c2, ids.c1b]);
    assert.deepEqual(list({ take: '2' }), [ids.c2, ids.c3, ids.c1b]);
    // Shots are 2 s long: c1a 0-2 s, c2 and c3 1-3 s, c1b 2-4 s, c1c 4-6 s.
    assert.deepEqual(list({ from: T0 + 2000 }), [ids.c2, ids.c3, ids.c1b, ids.c1c], 'ends after from (c1a ends exactly there)');
    assert.deepEqual(list({ to: T0 + 2000 }), [ids.c1a, ids.c2, ids.c3], 'starts before to (c1b starts exactly there)');
    assert.deepEqual(list({ from: T0 + 2500, to: T0 + 4000 }), [ids.c2, ids.c3, ids.c1b]);
    assert.deepEqual(list({ from: T0 + 6000 }), []);
    assert.deepEqual(list({ status: 'open' }), [ids.c3]);
    assert.deepEqual(list({ status: 'closed', cameraIds: ['cam-2', 'cam-3'] }), [ids.c2]);
    assert.deepEqual(list({ limit: 2 }), [ids.c1a, ids.c2]);
    assert.deepEqual(list({ limit: 2, offset: 2 }), [ids.c3, ids.c1b]);
    assert.deepEqual(list({ offset: 3 }), [ids.c1b, ids.c1c]);
    assert.deepEqual(list({ limit: 0 }), []);
    assert.deepEqual(list({ order: 'desc', limit: 2 }), [ids.c1c, ids.c1b], 'newest first');
    assert.equal(store.count({}), 5);
    assert.equal(store.count({ scene: '5', take: '2', limit: 1, offset: 1 }), 2, 'count ignores limit and offset');
    assert.equal(store.count({ cameraIds: ['cam-1'], from: T0 + 2000 }), 2);
    assert.deepEqual(
      store.list({ scene: '5' }).map((s) => s.takeId),
      [null, take.id, take.id],
    );
    db.close();
  });

  test('coverageList: per-camera coverage of its few columns is that of the whole shots, with the same filter', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    const at = (minutes: number) => T0 + minutes * 60_000;
    store.add(shot({ cameraId: 'cam-1', inTime: at(0), scale: 'CU', seconds: 4 }), null);
    store.add(shot({ cameraId: 'cam-1', inTime: at(1), scale: 'WS', seconds: 6, noPictureS: 2.5 }), null);
    store.add(shot({ cameraId: 'cam-2', inTime: at(2), scale: 'MCU', seconds: 3, readouts: 0 }), null);
    const black = store.add(shot({ cameraId: 'cam-2', inTime: at(3), scale: 'MCU', seconds: 5, readouts: 0, noPicture: 'black', noPictureS: 5 }), null);
    const corrected = store.add(shot({ cameraId: 'cam-1', inTime: at(4), scale: 'MS', seconds: 7 }), null);
    store.setScale(corrected, 'FS');
    store.setScale(black, 'EWS');
    store.add(shot({ cameraId: 'cam-3', inTime: at(5), scale: 'ECU', seconds: 2, status: 'open', cutOut: null }), null);
    for (const filter of [{}, { from: at(1) + 1 }, { cameraIds: ['cam-2'] }, { to: at(3) }]) {
      const lean = store.coverageList(filter);
      const whole = store.list(filter);
      assert.deepEqual(lean.map((s) => s.id), whole.map((s) => s.id), `the same shots in the same order: ${JSON.stringify(filter)}`);
      assert.deepEqual(coverageByCamera(lean), coverageByCamera(whole), JSON.stringify(filter));
    }
    const all = coverageByCamera(store.coverageList());
    assert.deepEqual([all['cam-1']!.shots, all['cam-1']!.byScale.FS.count, all['cam-1']!.noPicture.seconds], [3, 1, 2.5], 'an operator\'s scale counts; time without a picture does not');
    assert.deepEqual([all['cam-2']!.shots, all['cam-2']!.unanalysed.count, all['cam-2']!.byScale.EWS.count], [1, 1, 1], 'a black shot an operator gave a scale counts in it; one never analysed does not');
    db.close();
  });

  test('patch: tags, note, scene and take; the rest stays', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    const id = store.add(shot({ scene: '1', take: '1', note: 'n' }), null);
    const before = store.get(id);
    assert.deepEqual(store.patch(id, {}), before);
    const patched = store.patch(id, { tags: ['Anna', 'Ben'], note: null, scene: '2', take: '4' });
    assert.deepEqual(patched, { ...before, tags: ['Anna', 'Ben'], note: null, scene: '2', take: '4' });
    assert.deepEqual(store.get(id), patched);
    assert.deepEqual(store.patch(id, { scene: null, take: null }), { ...patched, scene: null, take: null });
    assert.deepEqual(store.patch(id, { note: 'pickup' }).note, 'pickup');
    assert.throws(() => store.patch(42, { note: 'x' }), (error: unknown) => isShotscaleError(error, 'NOT_FOUND'));
    db.close();
  });

  test('closeAbandoned closes open shots at their last written out point', () => {
    const { db } = freshDb();
    const store = new ShotStore(db, timecode);
    const closed = store.add(shot({ outTime: T0 + 2000, cutOut: 'hard' }), null);
    const open = shot({ status: 'open', cutOut: null, seconds: 0 });
    const openId = store.add(open, null);
    store.extend({ ...open, id: openId, outTime: T0 + 750, outFrame: 90000 + 19, scale: 'WS' });
    assert.equal(store.closeAbandoned(), 1);
    assert.equal(store.closeAbandoned(), 0);
    const got = store.get(openId);
    assert.deepEqual([got.status, got.cutOut, got.outTime, got.outFrame, got.durationS, got.scale], ['closed', 'restart', T0 + 750, 90019, 0.75, 'WS']);
    assert.deepEqual([store.get(closed).cutOut, store.get(closed).outTime], ['hard', T0 + 2000]);
    db.close();
  });
});

describe('TakeStore', () => {
  test('start, end, get, running, list', () => {
    const { db } = freshDb();
    const takes = new TakeStore(db);
    const a = takes.start('12', '1', null, T0 + 0.6);
    assert.deepEqual(a, { id: 1, scene: '12', take: '1', cameras: null, exceptCameras: [], gaps: [], startedAt: T0 + 1, endedAt: null, mark: null });
    const b = takes.start('14', '1', ['cam-1', 'cam-2'], T0 + 100);
    assert.deepEqual(b.cameras, ['cam-1', 'cam-2']);
    const c = takes.start('12', '2', ['cam-3'], T0 + 50);
    assert.deepEqual(takes.running().map((t) => t.id), [a.id, c.id, b.id], 'oldest first');
    assert.deepEqual(takes.end(a.id, T0 + 200.4), { ...a, endedAt: T0 + 200 });
    assert.equal(takes.end(a.id, T0 + 999).endedAt, T0 + 200, 'an ended take keeps its end');
    assert.deepEqual(takes.running().map((t) => t.id), [c.id, b.id]);
    assert.deepEqual(takes.list().map((t) => t.id), [a.id, c.id, b.id]);
    assert.deepEqual(takes.list('12').map((t) => t.take), ['1', '2']);
    assert.deepEqual(takes.list('99'), []);
    assert.deepEqual(takes.get(b.id), b);
    assert.throws(() => takes.get(77), (error: unknown) => isShotscaleError(error, 'NOT_FOUND'));
    db.close();
  });

  test('nextTakeNumber: 1, then one more than the highest number; other takes ignored', () => {
    const { db } = freshDb();
    const takes = new TakeStore(db);
    assert.equal(takes.nextTakeNumber('12'), '1');
    takes.start('12', '1', null, T0);
    assert.equal(takes.nextTakeNumber('12'), '2');
    takes.start('12', 'wild', null, T0);
    takes.start('12', 'pickup', null, T0);
    assert.equal(takes.nextTakeNumber('12'), '2');
    takes.start('12', '9', null, T0);
    takes.start('12', '3', null, T0);
    assert.equal(takes.nextTakeNumber('12'), '10');
    assert.equal(takes.nextTakeNumber('13'), '1', 'per scene');
    takes.start('13', 'wild', null, T0);
    assert.equal(takes.nextTakeNumber('13'), '1');
    takes.start('14', '9007199254740993', null, T0);
    takes.start('14', '-5', null, T0);
    assert.equal(takes.nextTakeNumber('14'), '1', 'a take past 999999999 (text) or below 0 is not counted: one more could not be told apart');
    takes.start('14', '12A', null, T0);
    assert.equal(takes.nextTakeNumber('14'), '13');
    db.close();
  });

  test('abandoned: running takes with their last shot written (or their start); leave and gaps', () => {
    const { db } = freshDb();
    const takes = new TakeStore(db);
    const shots = new ShotStore(db, timecode);
    const withShots = takes.start('1', '1', null, T0);
    const empty = takes.start('2', '1', ['cam-2', 'cam-3'], T0 + 500);
    takes.end(takes.start('3', '1', null, T0).id, T0 + 100);
    shots.add(shot({ inTime: T0, outTime: T0 + 1000.7 }), withShots.id);
    shots.add(shot({ inTime: T0 + 1000.7, outTime: T0 + 3000.9 }), withShots.id);
    shots.add(shot({ inTime: T0, outTime: T0 + 90000 }), null);
    assert.deepEqual(
      takes.abandoned().map((a) => [a.take.id, a.lastFrameAt]),
      [
        [withShots.id, T0 + 3000],
        [empty.id, T0 + 500],
      ],
    );
    assert.deepEqual(takes.leave(withShots.id, ['cam-1']).exceptCameras, ['cam-1'], 'a take on every camera notes the cameras it left');
    assert.deepEqual(takes.leave(empty.id, ['cam-2']).cameras, ['cam-3'], 'a take on named cameras keeps the others');
    assert.deepEqual(takes.addGap(withShots.id, { from: T0 + 3000, to: T0 + 9000 }).gaps, [{ from: T0 + 3000, to: T0 + 9000 }]);
    assert.equal(takes.get(withShots.id).endedAt, null, 'nothing is ended by looking');
    db.close();
  });
});

describe('AlertStore', () => {
  const alert = (fields: Partial<Alert> = {}): Alert => ({
    key: 'doubling:WS:cam-1+cam-2',
    kind: 'doubling',
    severity: 'warning',
    cameraIds: ['cam-1', 'cam-2'],
    message: 'cam-1 and cam-2 both on WS for 11 s',
    since: T0 + 0.4,
    resolvedAt: null,
    ...fields,
  });

  test('raised, then resolved: one row, updated', () => {
    const { db } = freshDb();
    const alerts = new AlertStore(db);
    alerts.record(alert());
    assert.deepEqual(alerts.list(), [{ ...alert(), since: T0 }]);
    alerts.record(alert({ resolvedAt: T0 + 30_000, message: 'cam-1 and cam-2 both on WS for 30 s' }));
    assert.deepEqual(alerts.list(), [{ ...alert(), since: T0, resolvedAt: T0 + 30_000, message: 'cam-1 and cam-2 both on WS for 30 s' }]);
    assert.equal(db.prepare('SELECT COUNT(*) FROM alerts').pluck().get(), 1);
    // The same condition again later is a new row; newest first.
    alerts.record(alert({ since: T0 + 60_000 }));
    alerts.record(alert({ key: 'stuck:cam-3', kind: 'stuck', severity: 'info', cameraIds: ['cam-3'], message: 'stuck', since: T0 + 10_000 }));
    assert.deepEqual(alerts.list().map((a) => [a.key, a.since, a.resolvedAt]), [
      ['doubling:WS:cam-1+cam-2', T0 + 60_000, null],
      ['stuck:cam-3', T0 + 10_000, null],
      ['doubling:WS:cam-1+cam-2', T0, T0 + 30_000],
    ]);
    assert.equal(alerts.list(1).length, 1);
    db.close();
  });

  test('resolveAbandoned closes the active ones only', () => {
    const { db } = freshDb();
    const alerts = new AlertStore(db);
    alerts.record(alert({ since: T0 }));
    alerts.record(alert({ since: T0, resolvedAt: T0 + 5000 }));
    alerts.record(alert({ key: 'stalled:cam-1', kind: 'stalled', severity: 'critical', cameraIds: ['cam-1'], since: T0 + 1000 }));
    alerts.resolveAbandoned(T0 + 9000.6);
    assert.deepEqual(alerts.list().map((a) => [a.key, a.resolvedAt]), [
      ['stalled:cam-1', T0 + 9001],
      ['doubling:WS:cam-1+cam-2', T0 + 5000],
    ]);
    db.close();
  });

  test('resolveAbandoned keeps the kinds asked for active; active() lists them', () => {
    const { db } = freshDb();
    const alerts = new AlertStore(db);
    alerts.record(alert({ since: T0 }));
    alerts.record(alert({ key: 'plan-missing:12:3', kind: 'plan-missing', severity: 'warning', cameraIds: [], scene: '12', since: T0 + 1000 }));
    alerts.resolveAbandoned(T0 + 9000, ['plan-missing']);
    assert.deepEqual(alerts.list().map((a) => [a.key, a.resolvedAt]), [
      ['plan-missing:12:3', null],
      ['doubling:WS:cam-1+cam-2', T0 + 9000],
    ]);
    assert.deepEqual(alerts.active(['plan-missing']).map((a) => [a.key, a.scene]), [['plan-missing:12:3', '12']]);
    assert.deepEqual(alerts.active([]), []);
    db.close();
  });
});

describe('PlanStore', () => {
  test('save, replace, all (by scene), remove', () => {
    const { db } = freshDb();
    const plans = new PlanStore(db);
    assert.deepEqual(plans.all(), []);
    assert.equal(plans.save('7', { scene: '7', items: [{ id: 'a', scale: 'WS+' }] }, T0), 2);
    assert.equal(plans.save('12', { scene: '12', items: [{ id: 'b', scale: 'CU' }] }, T0), 3);
    assert.equal(plans.save('7', { scene: '7', items: [{ id: 'c', scale: 'MS' }] }, T0 + 1), 4);
    assert.deepEqual(plans.all(), [
      { scene: '12', plan: { scene: '12', items: [{ id: 'b', scale: 'CU' }] }, revision: 3 },
      { scene: '7', plan: { scene: '7', items: [{ id: 'c', scale: 'MS' }] }, revision: 4 },
    ]);
    assert.equal(plans.remove('12'), true);
    assert.equal(plans.remove('12'), false);
    assert.deepEqual(plans.all().map((p) => p.scene), ['7']);
    assert.equal(plans.save('12', { scene: '12', items: [{ id: 'b', scale: 'CU' }] }, T0), 5, 'a plan stored again never gets a revision it had before');
    db.close();
  });

  test("a check that throws stores and removes nothing; it sees the row as stored", () => {
    const { db } = freshDb();
    const plans = new PlanStore(db);
    plans.save('7', { scene: '7', items: [{ id: 'a', scale: 'WS+' }] }, T0);
    const seen: unknown[] = [];
    assert.throws(() => plans.save('7', { scene: '7', items: [] }, T0, (current) => {
      seen.push(current?.revision);
      throw new Error('stale');
    }), /stale/);
    assert.throws(() => plans.remove('7', () => {
      throw new Error('stale');
    }), /stale/);
    assert.deepEqual(seen, [2]);
    assert.deepEqual(plans.all(), [{ scene: '7', plan: { scene: '7', items: [{ id: 'a', scale: 'WS+' }] }, revision: 2 }]);
    assert.equal(plans.save('8', { scene: '8', items: [] }, T0), 3, 'a refused save used up no revision');
    db.close();
  });

  test('plans stored before revisions are revision 1, and the next save is past it', () => {
    const { db: created, file } = freshDb();
    created.close();
    const raw = new Database(file);
    raw.exec('ALTER TABLE media_sources DROP COLUMN reel; ALTER TABLE media_sources DROP COLUMN field_order; ALTER TABLE media_sources DROP COLUMN pixel_aspect; DROP TABLE camera_overrides; ALTER TABLE shots DROP COLUMN framing_operator; ALTER TABLE takes DROP COLUMN mark; DROP TABLE plan_revision; ALTER TABLE plans DROP COLUMN revision');
    raw.prepare('INSERT INTO plans (scene, plan, updated_at) VALUES (?, ?, ?)').run('4', '{"items":[]}', T0);
    raw.pragma('user_version = 9');
    raw.close();
    const db = openDatabase(file);
    const plans = new PlanStore(db);
    assert.deepEqual(plans.all(), [{ scene: '4', plan: { items: [] }, revision: 1 }]);
    assert.equal(plans.save('4', { items: [] }, T0), 2);
    db.close();
  });
});

describe('durability', () => {
  test('shots written by a process killed with SIGKILL are there, the open one closed at its last out point', () => {
    const dir = tempDir();
    const file = path.join(dir, DATABASE_FILE);
    const url = (rel: string) => pathToFileURL(path.join(ROOT, rel)).href;
    const script = path.join(dir, 'writer.ts');
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(url('server/store/database.ts'))};
import { ShotStore } from ${JSON.stringify(url('server/store/shot-store.ts'))};
const [file, shotJson] = process.argv.slice(2);
const base = JSON.parse(shotJson);
const store = new ShotStore(openDatabase(file), (frames) => String(frames));
store.add({ ...base, status: 'closed', cutOut: 'hard' }, null);
const open = { ...base, status: 'open', cutOut: null, inTime: base.outTime, outTime: base.outTime, inFrame: base.outFrame, outFrame: base.outFrame };
const id = store.add(open, null);
for (let i = 1; i <= 20; i++) store.extend({ ...open, id, outTime: open.inTime + i * 40, outFrame: open.inFrame + i, readouts: i });
process.kill(process.pid, 'SIGKILL');
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, file, JSON.stringify(shot({ inTime: T0, scale: 'FS' }))], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.signal, 'SIGKILL', `the writer did not kill itself: status ${child.status}, stderr ${child.stderr}`);
    assert.ok(existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0, 'the commits are still in the WAL, not checkpointed');
    const db = openDatabase(file);
    const store = new ShotStore(db, timecode);
    assert.equal(store.closeAbandoned(), 1);
    assert.deepEqual(
      store.list().map((s) => [s.id, s.status, s.inTime, s.outTime, s.inFrame, s.outFrame, s.cutOut, s.readouts, s.scale]),
      [
        [1, 'closed', T0, T0 + 2000, 90000, 90050, 'hard', 10, 'FS'],
        [2, 'closed', T0 + 2000, T0 + 2800, 90050, 90070, 'restart', 20, 'FS'],
      ],
    );
    db.close();
  });
});
