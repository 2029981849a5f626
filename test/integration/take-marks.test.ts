/**
 * Circled and NG takes, and a shot's framing set by an operator, over HTTP
 * against a real server: an NG take's shots stop counting for the scene's
 * plan and figures (and its "take ended without" alert is resolved), a
 * circled one is named in the exports, and a shot the detector read with no
 * one in it meets "CU or tighter, single, Anna" once an operator says single.
 * The film report shows the operator's framing as theirs. Refusals carry
 * codes: a bad mark (400), a viewer (403), no such take (404).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { Alert, SceneCoverage, ShotRecord, SlateMark, Take } from '../../server/shared/shots.js';
import { connectClient, httpJson, startTestServer } from '../support/server-harness.js';
import { parseCsv } from '../support/export-parsers.js';

const ADMIN = 'admin-token-marks-0123456789';
const OPERATOR = 'operator-token-marks-0123456789';
const VIEWER = 'viewer-token-marks-0123456789';

describe('take marks and operator framing over HTTP', () => {
  let server: RunningServer;
  const call = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) => httpJson(`${server.url}${path}`, { token: OPERATOR, ...init });
  const coverage = async (): Promise<SceneCoverage> => ((await call('/api/coverage?scene=12')).body as { scene: SceneCoverage }).scene;
  const error = (body: unknown) => (body as { error: { code: string; message: string } }).error;

  /** A closed shot of the take now running, written as the shot log writes one (no camera needed). */
  function logShot(takeId: number, take: string, scale: 'WS' | 'CU', fields: Partial<ShotRecord>): number {
    const inTime = Date.now() - 10_000;
    const record: ShotRecord = {
      id: 0, cameraId: 'cam-1', status: 'closed', inTime, outTime: inTime + 5000, rate: '25', inFrame: 0, outFrame: 125, tcIn: '00:00:00:00', tcOut: '00:00:05:00',
      durationS: 5, startS: 0, scale, scaleStart: scale, scaleEnd: scale, confidence: 0.9, probabilities: CANONICAL_SCALES.map((s) => (s === scale ? 1 : 0)), readouts: 10,
      subjects: null, reason: null, cutIn: 'take', cutOut: 'take', scene: '12', take, tags: [], note: null, hasThumbnail: false, ...fields,
    };
    return server.shotLog!.shots.add(record, takeId);
  }

  before(async () => {
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'viewer', token: VIEWER }, { role: 'operator', token: OPERATOR }] },
      coverage: { plans: [{ scene: '12', items: [{ id: 'master', scale: 'WS+' }, { id: 'anna', label: 'CU or tighter, single, Anna', scale: 'CU-', framing: 'single', tag: 'Anna' }] }] },
    });
  });

  after(async () => {
    await server?.close();
  });

  let take1: Take;
  let annaShot: number;

  test('a running take is marked circled, listed and pushed so; a bad mark is 400, a viewer 403, no such take 404', async () => {
    take1 = (await call('/api/takes', { method: 'POST', body: { scene: '12', take: '1' } })).body as Take;
    assert.equal(take1.mark, null);
    const { client } = await connectClient(server.url, { token: VIEWER });
    const pushed = new Promise<Take[]>((resolve) => client.on('takes', (running) => running[0]?.mark && resolve(running)));
    const slate = new Promise<SlateMark>((resolve) => client.once('take:mark', resolve));
    const circled = await call(`/api/takes/${take1.id}`, { method: 'PATCH', body: { mark: 'circled' } });
    assert.equal((await pushed)[0]!.mark, 'circled', 'dashboards are told');
    assert.deepEqual(await slate, { scene: '12', take: '1', mark: 'circled' }, "and a Shots view what the take's shots carry now");
    client.close();
    assert.equal(circled.status, 200);
    assert.equal((circled.body as Take).mark, 'circled');
    const listed = (await call('/api/takes', { token: VIEWER })).body as { running: Take[]; takes: Take[] };
    assert.deepEqual([listed.running[0]?.mark, listed.takes[0]?.mark], ['circled', 'circled']);

    const bad = await call(`/api/takes/${take1.id}`, { method: 'PATCH', body: { mark: 'print' } });
    assert.deepEqual([bad.status, error(bad.body).code], [400, 'BAD_REQUEST']);
    assert.match(error(bad.body).message, /take mark .*mark/);
    const viewer = await call(`/api/takes/${take1.id}`, { method: 'PATCH', body: { mark: 'ng' }, token: VIEWER });
    assert.deepEqual([viewer.status, error(viewer.body).code], [403, 'FORBIDDEN']);
    const missing = await call('/api/takes/9999', { method: 'PATCH', body: { mark: 'ng' } });
    assert.deepEqual([missing.status, error(missing.body).code], [404, 'NOT_FOUND']);
    const notAnId = await call('/api/takes/abc', { method: 'PATCH', body: { mark: 'ng' } });
    assert.equal(notAnId.status, 400);
    assert.equal((server.shotLog!.takeStore.get(take1.id)).mark, 'circled', 'refusals changed nothing');
  });

  test('an operator framing meets the single item the detector missed; the detector read is kept beside', async () => {
    logShot(take1.id, '1', 'WS', {});
    annaShot = logShot(take1.id, '1', 'CU', { tags: ['Anna'], subjects: { count: 0, kind: 'none', framing: 'none', overTheShoulder: false } });
    assert.equal((await call('/api/takes/end', { method: 'POST', body: {} })).status, 200);
    assert.deepEqual((await coverage()).missing, ['anna']);
    const alerts = ((await call('/api/alerts')).body as { active: Alert[] }).active;
    assert.ok(alerts.some((a) => a.key === 'plan-missing:12:1'), 'the take ended without Anna');

    const refused = await call(`/api/shots/${annaShot}`, { method: 'PATCH', body: { framing: 'none' } });
    assert.deepEqual([refused.status, error(refused.body).code], [400, 'BAD_REQUEST']);
    const patched = await call(`/api/shots/${annaShot}`, { method: 'PATCH', body: { framing: 'single' } });
    assert.equal(patched.status, 200);
    const shot = patched.body as ShotRecord;
    assert.deepEqual([shot.operatorFraming, shot.subjects?.framing], ['single', 'none']);
    const after = await coverage();
    assert.deepEqual(after.missing, []);
    assert.deepEqual(after.plan!.find((i) => i.id === 'anna')!.shotIds, [annaShot]);
    const csv = parseCsv((await call('/api/shots?scene=12&format=csv')).body as string);
    assert.deepEqual(csv.map((r) => [r.take_mark, r.framing, r.framing_set_by]), [['circled', '', ''], ['circled', 'single', 'operator']]);
    // The film report of the live log: the operator's framing, said to be theirs, the detector's read under it.
    const report = (await call('/api/report?scene=12', { token: VIEWER })).body as string;
    assert.match(report, /<td>single<div class="small by-operator">framing set by operator; the detector read nobody<\/div><\/td>/);
    assert.equal(report.match(/framing set by operator/g)?.length, 1, 'the other shot reads as the detector saw it');
  });

  test('take 1 marked NG: its shots are not counted in the figures, the plan or the export; cleared, they count again', async () => {
    // Take 1 covers the plan; take 2 (a WS only) ends with nothing missing.
    const take2 = (await call('/api/takes', { method: 'POST', body: { scene: '12', take: '2' } })).body as Take;
    logShot(take2.id, '2', 'WS', {});
    await call('/api/takes/end', { method: 'POST', body: {} });
    assert.equal((await coverage()).stats.shots, 3);

    // Take 1 NG: the scene lacks Anna and its master comes from take 2 alone.
    assert.equal((await call(`/api/takes/${take1.id}`, { method: 'PATCH', body: { mark: 'ng' } })).status, 200);
    const ng = await coverage();
    assert.deepEqual(ng.missing, ['anna']);
    assert.equal(ng.stats.shots, 1);
    assert.deepEqual(ng.marks, [{ take: '1', mark: 'ng', shots: 2 }]);
    const csv = parseCsv((await call('/api/shots?scene=12&format=csv')).body as string);
    assert.deepEqual(csv.map((r) => r.take_mark), ['ng', 'ng', '']);

    assert.equal((await call(`/api/takes/${take1.id}`, { method: 'PATCH', body: { mark: null } })).status, 200);
    const cleared = await coverage();
    assert.deepEqual([cleared.missing, cleared.stats.shots, cleared.marks], [[], 3, undefined]);
  });

  test('a take marked NG after it ended without a plan item has its alert resolved; one marked NG while it runs raises none', async () => {
    const take3 = (await call('/api/takes', { method: 'POST', body: { scene: '12', take: '3' } })).body as Take;
    await call(`/api/takes/${take1.id}`, { method: 'PATCH', body: { mark: 'ng' } });
    logShot(take3.id, '3', 'WS', {});
    await call('/api/takes/end', { method: 'POST', body: {} });
    const active = async () => ((await call('/api/alerts')).body as { active: Alert[] }).active.filter((a) => a.kind === 'plan-missing').map((a) => a.key);
    assert.deepEqual(await active(), ['plan-missing:12:3'], 'take 1 is NG: take 3 ended without Anna');
    await call(`/api/takes/${take3.id}`, { method: 'PATCH', body: { mark: 'ng' } });
    assert.deepEqual(await active(), []);

    // Marked NG while it runs: its end raises none, though the scene still lacks Anna.
    const take4 = (await call('/api/takes', { method: 'POST', body: { scene: '12', take: '4' } })).body as Take;
    assert.equal((await call(`/api/takes/${take4.id}`, { method: 'PATCH', body: { mark: 'ng' } })).status, 200);
    await call('/api/takes/end', { method: 'POST', body: {} });
    assert.deepEqual(await active(), []);
  });
});
