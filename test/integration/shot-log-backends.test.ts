/**
 * One shot log, two stores: a node's SQLite file and the cluster's copy in
 * PostgreSQL answer every filter of GET /api/shots alike; the calibration's
 * two stores (a node's file, the cluster's PostgreSQL) pass one suite too. The same shots are
 * written to a real SQLite file and copied by the real replicator to a real
 * PostgreSQL; each case runs on both stores and is held to what it must
 * find, so that neither can drift from the other, nor both from the filter's
 * meaning.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import pg from 'pg';
import { ClusterCalibrationStore } from '../../server/cluster/cluster-calibration-store.js';
import { ClusterShotLog } from '../../server/cluster/cluster-shot-log.js';
import { CalibrationStore, SqliteCalibrationRecords, type CalibrationRecords, type NewSample } from '../../server/store/calibration-store.js';
import { migrateCluster } from '../../server/cluster/cluster-schema.js';
import { ShotReplicator } from '../../server/cluster/shot-replicator.js';
import { silentLogger } from '../../server/shared/logger.js';
import { timecodeAtRate } from '../../server/shots/timecode.js';
import { openDatabase, type Db } from '../../server/store/database.js';
import { ShotStore, type ShotFilter, type StoredShot } from '../../server/store/shot-store.js';
import { startPostgres, type Engine } from '../support/cluster-engines.js';
import { createDatabase } from '../support/cluster-nodes.js';
import { tempDir } from '../support/media.js';
import { shotLog, T0 } from '../support/shot-records.js';

let postgres: Engine;
let pool: pg.Pool;
let db: Db;
let sqlite: ShotStore;
let cluster: ClusterShotLog;
let replicator: ShotReplicator;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

/** Both stores behind one signature: what each answers for a filter. */
const STORES: { name: string; list: (f: ShotFilter) => Promise<StoredShot[]>; count: (f: ShotFilter) => Promise<number> }[] = [
  { name: 'SQLite', list: async (f) => sqlite.list(f), count: async (f) => sqlite.count(f) },
  { name: 'PostgreSQL', list: (f) => cluster.list(f), count: (f) => cluster.count(f) },
];

before(async () => {
  postgres = await startPostgres();
  pool = new pg.Pool({ connectionString: await createDatabase(postgres.url, `backends_${process.pid}`), max: 2 });
  // As the product's pool does (cluster-connections.ts): an idle connection that the
  // server ends (here at the teardown's shutdown) is an event, not an uncaught exception.
  pool.on('error', () => undefined);
  await migrateCluster(pool);
  db = openDatabase(path.join(tempDir('shotscale-backends-'), 'shots.db'));
  sqlite = new ShotStore(db, timecodeAtRate);
  cluster = new ClusterShotLog(pool);
  replicator = new ShotReplicator(db, sqlite, pool, 'node-1', silentLogger);
  replicator.start(0);

  // Three cameras over two scenes and no scene, closed shots with and without thumbnails, one open shot per camera.
  const shot = shotLog();
  for (const cameraId of ['cam-1', 'cam-2', 'cam-3']) {
    for (let i = 0; i < 5; i++) {
      // The last closed shot of cam-2 and cam-3 has no picture (black from cut to cut); cam-2's is then given a CU by an operator.
      const black = i === 4 && cameraId !== 'cam-1';
      const record = shot(i % 2 ? 'CU' : 'WS', 4 + i, {
        cameraId,
        scene: i < 2 ? '1' : i < 4 ? '2' : null,
        take: i < 4 ? String((i % 2) + 1) : null,
        tags: i === 3 ? ['Ana', 'Ünal'] : [],
        note: i === 1 ? 'keep "this" one' : null,
        ...(black ? { noPicture: 'black' as const } : {}),
      });
      sqlite.add({ ...record, status: 'open' }, null);
      sqlite.finish(record, i % 2 ? JPEG : null);
      if (black && cameraId === 'cam-2') sqlite.setScale(record.id, 'CU');
    }
    sqlite.add({ ...shot('MS', 3, { cameraId, scene: '2', take: '3' }), status: 'open' }, null);
  }
  await replicator.flush();
  assert.equal(replicator.state().pending, 0, 'every write copied');
});

after(async () => {
  await replicator?.close();
  db?.close();
  await pool?.end();
  await postgres?.stop();
});

const T = (s: number) => T0 + s * 1000;

/** Filter cases and how many shots each must find (each camera has 6 shots: 0-4 s, 4-9, 9-15, 15-22, 22-30, open 30-33). */
const CASES: { name: string; filter: ShotFilter; expect: number }[] = [
  { name: 'everything', filter: {}, expect: 18 },
  { name: 'one camera', filter: { cameraIds: ['cam-2'] }, expect: 6 },
  { name: 'two cameras', filter: { cameraIds: ['cam-1', 'cam-3'] }, expect: 12 },
  { name: 'a camera nobody has', filter: { cameraIds: ['cam-9'] }, expect: 0 },
  { name: 'a scene', filter: { scene: '1' }, expect: 6 },
  { name: 'a scene and take', filter: { scene: '2', take: '2' }, expect: 3 },
  { name: 'a scene nobody shot', filter: { scene: 'nope' }, expect: 0 },
  { name: 'open', filter: { status: 'open' }, expect: 3 },
  { name: 'closed', filter: { status: 'closed' }, expect: 15 },
  // from: shots ending after it; to: starting before it (a shot spanning the bound counts).
  { name: 'from', filter: { from: T(15) }, expect: 9 },
  { name: 'to', filter: { to: T(9) }, expect: 6 },
  { name: 'from and to', filter: { from: T(9), to: T(22) }, expect: 6 },
  { name: 'bounds on a shot edge', filter: { from: T(4), to: T(4) }, expect: 0 },
  { name: 'newest first', filter: { order: 'desc' }, expect: 18 },
  { name: 'a page', filter: { limit: 4 }, expect: 4 },
  { name: 'a later page', filter: { limit: 4, offset: 16 }, expect: 2 },
  { name: 'an offset alone', filter: { offset: 15 }, expect: 3 },
  // The scale exports write: an operator's where set; a shot without a picture (and no operator's scale) is 'none'.
  { name: 'a scale', filter: { scales: ['CU'] }, expect: 7 },
  { name: 'two scales', filter: { scales: ['CU', 'MS'] }, expect: 10 },
  { name: 'a scale a black shot carried over', filter: { scales: ['WS'] }, expect: 7 },
  { name: 'no picture', filter: { scales: ['none'] }, expect: 1 },
  { name: 'no picture or a scale', filter: { scales: ['none', 'WS'], cameraIds: ['cam-3'] }, expect: 3 },
  { name: 'everything at once', filter: { cameraIds: ['cam-2', 'cam-3'], scene: '2', status: 'closed', from: T(5), order: 'desc', limit: 3, offset: 1 }, expect: 3 },
];

describe('the shot log on SQLite and on PostgreSQL', () => {
  for (const { name, filter, expect } of CASES) {
    test(`${name}: the same shots, in the same order, and the same count`, async () => {
      const [fromSqlite, fromPostgres] = await Promise.all(STORES.map((store) => store.list(filter)));
      for (const [store, shots] of [[STORES[0]!, fromSqlite!], [STORES[1]!, fromPostgres!]] as const) assert.equal(shots.length, expect, `${store.name}: ${shots.length} shots`);
      assert.deepEqual(fromPostgres, fromSqlite);
      const counts = await Promise.all(STORES.map((store) => store.count(filter)));
      const unpaged = filter.limit === undefined && filter.offset === undefined ? expect : undefined;
      assert.equal(counts[0], counts[1], `count: SQLite ${counts[0]}, PostgreSQL ${counts[1]}`);
      if (unpaged !== undefined) assert.equal(counts[0], unpaged);
    });
  }

  test('order: by start, then id; descending reverses both', async () => {
    for (const store of STORES) {
      const asc = await store.list({});
      const desc = await store.list({ order: 'desc' });
      assert.deepEqual(desc.map((s) => s.id), asc.map((s) => s.id).reverse(), store.name);
      for (let i = 1; i < asc.length; i++) assert.ok(asc[i - 1]!.inTime < asc[i]!.inTime || (asc[i - 1]!.inTime === asc[i]!.inTime && asc[i - 1]!.id < asc[i]!.id), `${store.name}: shot ${asc[i]!.id} out of order`);
    }
  });

  test('one shot by id, and its thumbnail, from either store', async () => {
    const withThumbnail = sqlite.list({ status: 'closed' }).find((s) => s.hasThumbnail)!;
    const found = await cluster.get(withThumbnail.id);
    assert.deepEqual(found, { shot: sqlite.get(withThumbnail.id), nodeId: 'node-1' });
    assert.deepEqual(await cluster.thumbnail(withThumbnail.id), sqlite.thumbnail(withThumbnail.id));
    const without = sqlite.list({ status: 'closed' }).find((s) => !s.hasThumbnail)!;
    assert.equal(await cluster.thumbnail(without.id), null);
    assert.equal(await cluster.get(999_999), null);
  });

  test('a NUL character (SQLite keeps it, PostgreSQL takes none): the copy drops it, and a filter with it finds the same shot', async () => {
    const target = sqlite.list({ cameraIds: ['cam-2'], status: 'closed' })[1]!;
    sqlite.patch(target.id, { scene: 'night\u0000shoot' });
    await replicator.flush();
    assert.deepEqual(sqlite.list({ scene: 'night\u0000shoot' }).map((s) => s.id), [target.id]);
    assert.deepEqual((await cluster.list({ scene: 'night\u0000shoot' })).map((s) => [s.id, s.scene]), [[target.id, 'nightshoot']]);
    assert.equal(await cluster.count({ take: '\u0000' }), 0);
  });

  test('an edit reaches the copy: tags, note, scene', async () => {
    const target = sqlite.list({ cameraIds: ['cam-1'], status: 'closed' })[0]!;
    sqlite.patch(target.id, { tags: ['Bo'], note: 'moved', scene: '7' });
    await replicator.flush();
    assert.deepEqual((await cluster.list({ scene: '7' })).map((s) => [s.id, s.tags, s.note]), [[target.id, ['Bo'], 'moved']]);
    assert.deepEqual(await cluster.list({ scene: '7' }), sqlite.list({ scene: '7' }));
  });
});

describe('calibration records: the same answers from a node\'s SQLite file and from the cluster\'s PostgreSQL', () => {
  const sample = (cameraId: string, label: string, at: number, jpeg: boolean): NewSample => ({
    cameraId,
    capturedAt: at,
    source: 'live',
    taxonomy: 'canonical',
    label,
    shown: 'MS',
    shotId: null,
    features: Float32Array.from([0.25, -1.5, 3e-7]),
    featureNames: ['a', 'b', 'c'],
    rules: [0.1, 0.2, 0.7],
    jpeg: jpeg ? JPEG : null,
  });
  const RECORDS: { name: string; records: () => CalibrationRecords }[] = [
    { name: 'SQLite', records: () => new SqliteCalibrationRecords(new CalibrationStore(db)) },
    { name: 'PostgreSQL', records: () => new ClusterCalibrationStore(pool, 'node-1') },
  ];
  for (const { name, records } of RECORDS) {
    test(`${name}: samples listed newest first and per camera, with features, names, rules and pictures; heads versioned; applied per scope`, async () => {
      const store = records();
      const ids = [await store.addSample(sample('cam-1', 'CU', T0, true), T0 + 5), await store.addSample(sample('cam-2', 'MS', T0 + 1000, false), T0 + 1005), await store.addSample(sample('cam-1', 'WS', T0 + 2000, true), T0 + 2005)];
      assert.deepEqual((await store.listSamples()).map((s) => s.id), [...ids].reverse());
      assert.deepEqual((await store.listSamples({ cameraId: 'cam-1' })).map((s) => [s.label, s.hasImage, s.capturedAt, s.createdAt]), [['WS', true, T0 + 2000, T0 + 2005], ['CU', true, T0, T0 + 5]]);
      assert.deepEqual(await store.listSamples({ cameraId: 'cam-\u00001' }), [], 'a NUL in a camera finds nothing, and is no error');
      const forFit = await store.samplesForFit();
      assert.deepEqual(forFit.map((s) => s.id), ids, 'oldest first');
      assert.deepEqual([...forFit[0]!.features], [...Float32Array.from([0.25, -1.5, 3e-7])]);
      assert.deepEqual([forFit[0]!.featureNames, forFit[0]!.rules, forFit[0]!.shown, forFit[0]!.source], [['a', 'b', 'c'], [0.1, 0.2, 0.7], 'MS', 'live']);
      assert.deepEqual(await store.sampleImage(ids[0]!), JPEG);
      assert.equal(await store.sampleImage(ids[1]!), null);
      assert.equal(await store.deleteSample(ids[1]!), true);
      assert.equal(await store.deleteSample(ids[1]!), false);
      // A frame labelled again: its sample in place, same id, picture and features; the new label and its time.
      const relabelled = await store.relabelSample(ids[0]!, { taxonomy: 'cinemanet', label: 'Medium' }, T0 + 2500);
      assert.deepEqual(relabelled, { ...(await store.listSamples({ cameraId: 'cam-1' }))[1], id: ids[0], taxonomy: 'cinemanet', label: 'Medium', createdAt: T0 + 2500 });
      assert.deepEqual((await store.listSamples({ cameraId: 'cam-1' })).map((s) => [s.id, s.label, s.createdAt, s.hasImage]), [[ids[2], 'WS', T0 + 2005, true], [ids[0], 'Medium', T0 + 2500, true]]);
      assert.deepEqual([...(await store.samplesForFit()).find((s) => s.id === ids[0])!.features], [...Float32Array.from([0.25, -1.5, 3e-7])]);
      assert.equal(await store.relabelSample(ids[1]!, { taxonomy: 'canonical', label: 'CU' }, T0 + 2600), null, 'a deleted sample is no sample to relabel');

      const head = { weights: [[0.5, -0.25e-9]], classes: ['CU', 'MS'], nested: { n: 1 } };
      const v1 = await store.addHead(head, { sets: [] }, 2, T0 + 3000);
      const v2 = await store.addHead({ ...head, nested: { n: 2 } }, { sets: [1] }, 3, T0 + 4000);
      assert.ok(v2 > v1);
      assert.deepEqual((await store.listHeads()).map((h) => [h.id, h.samples, h.createdAt, h.report]), [[v2, 3, T0 + 4000, { sets: [1] }], [v1, 2, T0 + 3000, { sets: [] }]]);
      assert.deepEqual((await store.head(v1))?.head, head, 'the head comes back exactly as stored');
      assert.equal(await store.head(v2 + 1000), null);
      await store.apply('*', v2, T0 + 5000);
      await store.apply('cam-1', null, T0 + 5000);
      await store.apply('*', v1, T0 + 6000);
      assert.deepEqual((await store.applied()).map((r) => [r.scope, r.headId, r.appliedAt]), [['*', v1, T0 + 6000], ['cam-1', null, T0 + 5000]]);
      await store.unapply('cam-1');
      await store.unapply('cam-never');
      await store.unapply('*\u0000');
      assert.deepEqual((await store.applied()).map((r) => r.scope), ['*']);
    });
  }
});
