/**
 * A cluster made before takes and scenes had one spelling, upgraded, on a
 * real PostgreSQL: its record of takes, its plans and the shots of every
 * node (a node that never runs again included) read back in the spelling
 * the API compares ("01" is take 1; a scene with a combining accent is the
 * composed one), as a node's own file does after the shot log's step 17. A
 * row whose new spelling is already taken keeps its own, and the upgrade
 * goes through.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { ClusterCoverage } from '../../server/cluster/cluster-coverage.js';
import { CLUSTER_SCHEMA_VERSION, migrateCluster } from '../../server/cluster/cluster-schema.js';
import { ClusterShotLog } from '../../server/cluster/cluster-shot-log.js';
import { TakeRecords } from '../../server/cluster/take-records.js';
import { silentLogger } from '../../server/shared/logger.js';
import { startPostgres, type Engine } from '../support/cluster-engines.js';
import { createDatabase } from '../support/cluster-nodes.js';
import { shotLog, T0 } from '../support/shot-records.js';

/** The last step before the spellings were made one (cluster-schema.ts, step 15). */
const BEFORE_RESPELLING = 14;
/** The last step before a scene was one in any case and spacing (step 16). */
const BEFORE_ANY_CASE = 15;

let postgres: Engine;
let pool: pg.Pool;

before(async () => {
  postgres = await startPostgres();
  pool = new pg.Pool({ connectionString: await createDatabase(postgres.url, `respell_${process.pid}`), max: 2 });
  pool.on('error', () => undefined);
});

after(async () => {
  await pool?.end();
  await postgres?.stop();
});

test('an upgraded cluster reads its takes, plans and shots in one spelling; a spelling already taken is kept, and the upgrade goes through', { timeout: 60_000 }, async () => {
  assert.equal(await migrateCluster(pool, BEFORE_RESPELLING), BEFORE_RESPELLING);
  // As the earlier version stored what it was sent.
  const insertTake = (scene: string, take: string, startedAt: number) =>
    pool.query("INSERT INTO cluster_takes (scene, take, started_at, ended_at, node_id) VALUES ($1, $2, $3, $4, 'a')", [scene, take, startedAt, startedAt + 5000]);
  await insertTake('Ku\u0308che 4', '01', T0);
  await insertTake('7', '1.0', T0 + 10_000);
  await insertTake('12A', '12A', T0 + 20_000);
  // Two records of one take in two spellings at one start: the second keeps its spelling.
  await insertTake('9', '1', T0 + 30_000);
  await insertTake('9', '001', T0 + 30_000);
  const insertPlan = (scene: string, item: string) => pool.query('INSERT INTO cluster_plans (scene, plan) VALUES ($1, $2)', [scene, { scene, items: [{ id: item, scale: 'WS+' }] }]);
  await insertPlan('Ku\u0308che 4', 'm');
  await insertPlan('Sc\u00e8ne 9', 'a');
  await insertPlan('Sce\u0300ne 9', 'b');
  const shot = shotLog();
  const insertShot = async (id: number, fields: { scene: string | null; take: string | null; tags: string[] }, atS: number) => {
    const record = { ...shot('CU', 4, { cameraId: 'cam-1', ...fields }), id, inTime: T0 + atS * 1000, outTime: T0 + atS * 1000 + 4000, status: 'closed' };
    await pool.query("INSERT INTO cluster_shots (id, node_id, camera_id, status, in_time, out_time, scene, take, record) VALUES ($1, 'gone', 'cam-1', 'closed', $2, $3, $4, $5, $6)", [
      id,
      record.inTime,
      record.outTime,
      fields.scene,
      fields.take,
      record,
    ]);
  };
  await insertShot(1, { scene: 'Ku\u0308che 4', take: '01', tags: ['Ju\u0308rgen', 'J\u00fcrgen', 'Anna'] }, 0);
  await insertShot(2, { scene: '7', take: '1.0', tags: [] }, 10);
  await insertShot(3, { scene: '12A', take: '12A', tags: ['x'] }, 20);
  await insertShot(4, { scene: null, take: null, tags: [] }, 40);

  assert.equal(await migrateCluster(pool), CLUSTER_SCHEMA_VERSION);

  const takes = new TakeRecords(pool, 'a', silentLogger);
  assert.deepEqual(
    (await takes.list()).map((t) => [t.scene, t.take]),
    [
      ['K\u00fcche 4', '1'],
      ['7', '1'],
      ['12A', '12A'],
      ['9', '1'],
      ['9', '001'],
    ],
  );
  assert.deepEqual((await takes.list('K\u00fcche 4')).length, 1, 'the scene is found as the API looks it up');
  await takes.close();

  const shots = new ClusterShotLog(pool);
  const fields = async (id: number) => {
    const found = await shots.get(id);
    assert.ok(found, `shot ${id}`);
    const { scene, take, tags } = found.shot;
    return { scene, take, tags };
  };
  assert.deepEqual(await fields(1), { scene: 'K\u00fcche 4', take: '1', tags: ['J\u00fcrgen', 'Anna'] });
  assert.deepEqual(await fields(2), { scene: '7', take: '1', tags: [] });
  assert.deepEqual(await fields(3), { scene: '12A', take: '12A', tags: ['x'] });
  assert.deepEqual(await fields(4), { scene: null, take: null, tags: [] });
  assert.deepEqual((await shots.list({ take: '1' })).map((s) => s.id), [1, 2], 'a filter on take 1 finds the shots stored as "01" and "1.0"');
  assert.deepEqual((await shots.list({ scene: 'K\u00fcche 4' })).map((s) => s.id), [1]);

  const coverage = new ClusterCoverage(pool, shots, []);
  assert.deepEqual((await coverage.storedPlans()).map((p) => p.scene).sort(), ['K\u00fcche 4', 'Sc\u00e8ne 9', 'Sce\u0300ne 9'].sort());
  assert.ok(await coverage.plan('K\u00fcche 4'), 'the plan is found under the scene as the plans routes look it up');

  // A node of the earlier version is refused by the schema now: nothing writes the old spellings again.
  assert.equal((await pool.query<{ version: number }>('SELECT version FROM shotscale_schema')).rows[0]!.version, CLUSTER_SCHEMA_VERSION);
});

test('an upgraded cluster reads a scene and its takes slated in several cases and spacings in the spelling used first', { timeout: 60_000 }, async () => {
  const anyCase = new pg.Pool({ connectionString: await createDatabase(postgres.url, `any_case_${process.pid}`), max: 2 });
  anyCase.on('error', () => undefined);
  try {
    assert.equal(await migrateCluster(anyCase, BEFORE_ANY_CASE), BEFORE_ANY_CASE);
    const insertTake = (scene: string, take: string, startedAt: number) =>
      anyCase.query("INSERT INTO cluster_takes (scene, take, started_at, ended_at, node_id) VALUES ($1, $2, $3, $4, 'a')", [scene, take, startedAt, startedAt + 5000]);
    await insertTake('Kitchen', '12A', T0);
    await insertTake('KITCHEN', '12a', T0 + 10_000);
    await insertTake('Night  Ext', '1', T0 + 20_000);
    const insertPlan = (scene: string) => anyCase.query('INSERT INTO cluster_plans (scene, plan) VALUES ($1, $2)', [scene, { scene, items: [{ id: 'm', scale: 'WS+' }] }]);
    await insertPlan('kitchen');
    await insertPlan('NIGHT EXT');
    const shot = shotLog();
    const insertShot = async (id: number, scene: string | null, take: string | null, atS: number) => {
      const record = { ...shot('CU', 4, { cameraId: 'cam-1', scene, take }), id, inTime: T0 + atS * 1000, outTime: T0 + atS * 1000 + 4000, status: 'closed' };
      await anyCase.query("INSERT INTO cluster_shots (id, node_id, camera_id, status, in_time, out_time, scene, take, record) VALUES ($1, 'gone', 'cam-1', 'closed', $2, $3, $4, $5, $6)", [
        id,
        record.inTime,
        record.outTime,
        scene,
        take,
        record,
      ]);
    };
    await insertShot(1, 'Kitchen', '12A', 0);
    await insertShot(2, 'KITCHEN', '12a', 10);
    await insertShot(3, 'kitchen ', ' 12a', 30);
    // A scene no take or plan has: its shots' first spelling.
    await insertShot(4, 'Roof', null, 40);
    await insertShot(5, 'ROOF', null, 50);

    assert.equal(await migrateCluster(anyCase), CLUSTER_SCHEMA_VERSION);
    const takes = new TakeRecords(anyCase, 'a', silentLogger);
    assert.deepEqual(
      (await takes.list()).map((t) => [t.scene, t.take]),
      [
        ['Kitchen', '12A'],
        ['Kitchen', '12A'],
        ['Night Ext', '1'],
      ],
    );
    await takes.close();
    const shots = new ClusterShotLog(anyCase);
    const slates: (string | null)[][] = [];
    for (const id of [1, 2, 3, 4, 5]) {
      const found = await shots.get(id);
      slates.push([found!.shot.scene, found!.shot.take]);
    }
    assert.deepEqual(slates, [
      ['Kitchen', '12A'],
      ['Kitchen', '12A'],
      ['Kitchen', '12A'],
      ['Roof', null],
      ['Roof', null],
    ]);
    assert.deepEqual((await shots.list({ scene: 'Kitchen', take: '12A' })).map((s) => s.id), [1, 2, 3], 'the columns filters use changed with the record');
    const coverage = new ClusterCoverage(anyCase, shots, []);
    assert.deepEqual((await coverage.storedPlans()).map((p) => p.scene).sort(), ['Kitchen', 'Night Ext']);
    assert.equal((await coverage.planRecord('Kitchen'))?.scene, 'Kitchen', 'found, and named, as the scene is spelled now');
  } finally {
    await anyCase.end();
  }
});
