/**
 * One take, one scene, however it is written: a real server with a test
 * pattern camera. Take "01", "+1" or "1.0" after take 1 is take 1 again
 * (409 TAKE_EXISTS, over HTTP and in the Socket.IO acknowledgement, whose
 * scene, take, next and when sit beside code and message); a take written
 * as code ("0x1", "1e0") is refused saying how to write it; a scene typed
 * with a combining umlaut is the scene typed with a composed one, in takes,
 * shots, filters, coverage and plans, and so is a scene typed in another
 * case or with runs of spaces (the spelling slated first is kept). Plans quote a wrong scale as written
 * and refuse a minimum shot length past a day.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectClient, httpJson, startTestServer, testConfig, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { isShotscaleError } from '../../server/errors.js';
import type { CoverageUpdate, PlanRecord, ShotRecord, Take } from '../../server/shared/shots.js';
import type { TakeAck } from '../../server/shared/socket-events.js';

/** "Küche 4" composed (ü is U+00FC) and decomposed (u and U+0308), as macOS and some keyboards send it. */
const KUECHE = 'K\u00fcche 4';
const KUECHE_NFD = 'Ku\u0308che 4';
/** A config plan written with a decomposed é. */
const CAFE = 'Caf\u00e9 9';
const CAFE_NFD = 'Cafe\u0301 9';

type Refusal = { code: string; message: string; scene?: string; take?: string; next?: string; when?: string; details?: Record<string, unknown> };

describe('take numbers and scene names written differently', () => {
  let server: RunningServer;
  let client: TestClient;
  const url = (path: string) => `${server.url}${path}`;
  const startTake = (body: unknown) => httpJson(url('/api/takes'), { method: 'POST', body });
  const shotsOf = async (query: string) => ((await httpJson(url(`/api/shots?${query}`))).body as { shots: ShotRecord[] }).shots;

  before(async () => {
    server = await startTestServer({
      cameras: [testsrcCamera('cam-a')],
      coverage: { plans: [{ scene: CAFE_NFD, items: [{ id: 'master', scale: 'WS+' }] }] },
    });
    const connected = await connectClient(server.url);
    client = connected.client;
    await waitForStatus(client, (s) => s.cameraId === 'cam-a' && s.state === 'live', 30_000);
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('take "01", "001", "+1", "1.0" and 1.0 after take 1 are take 1: 409 TAKE_EXISTS naming take 1', async () => {
    const first = await startTake({ scene: '7', take: '1' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    for (const take of ['01', '001', '+1', '1.0', '1.', ' 1 ', 1.0]) {
      const refused = await startTake({ scene: '7', take });
      assert.equal(refused.status, 409, `take ${JSON.stringify(take)}: ${JSON.stringify(refused.body)}`);
      const error = (refused.body as { error: Refusal }).error;
      assert.equal(error.code, 'TAKE_EXISTS');
      assert.deepEqual([error.scene, error.take, error.next], ['7', '1', '2'], `take ${JSON.stringify(take)}`);
      assert.match(error.message, /^scene 7 already has a take 1 \(running since \d\d:\d\d:\d\d\); the next take is 2, or send "again": true to slate take 1 again$/);
    }
    // Slated as "02", it is stored, answered and filtered as take 2.
    const second = await startTake({ scene: '7', take: '02' });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal((second.body as Take).take, '2');
    const takes = ((await httpJson(url('/api/takes?scene=7'))).body as { takes: Take[] }).takes;
    assert.deepEqual(takes.map((t) => t.take), ['1', '2']);
    const shots = await waitFor('a shot of scene 7 take 2', async () => {
      const found = await shotsOf('scene=7&take=02');
      return found.length ? found : undefined;
    });
    assert.ok(shots.every((s) => s.scene === '7' && s.take === '2'), JSON.stringify(shots.map((s) => [s.scene, s.take])));
    assert.deepEqual((await shotsOf('scene=7&take=2')).map((s) => s.id), shots.map((s) => s.id), 'take=2 and take=02 find the same shots');
    assert.deepEqual((await shotsOf('scene=7&take=%2B2')).map((s) => s.id), shots.map((s) => s.id), 'take=+2 too');
  });

  test('the Socket.IO acknowledgement of TAKE_EXISTS has scene, take, next and when beside code and message, and in details', async () => {
    assert.equal((await startTake({ scene: '8', take: '3' })).status, 201);
    const ack = await new Promise<TakeAck>((resolve) => client.emit('take:start', { scene: '8', take: '003' }, resolve));
    assert.equal(ack.ok, false, JSON.stringify(ack));
    const error = (ack as { error: Refusal }).error;
    assert.equal(error.code, 'TAKE_EXISTS');
    assert.match(error.message, /^scene 8 already has a take 3 \(running since \d\d:\d\d:\d\d\); the next take is 4/);
    assert.deepEqual([error.scene, error.take, error.next], ['8', '3', '4']);
    assert.match(error.when ?? '', /^running since \d\d:\d\d:\d\d$/);
    assert.deepEqual(error.details, { scene: '8', take: '3', next: '4', when: error.when }, 'details stay for the dashboard');
    // Over HTTP the same fields, the same values.
    const http = (await startTake({ scene: '8', take: '3' })).body as { error: Refusal };
    assert.deepEqual([http.error.scene, http.error.take, http.error.next, http.error.when], [error.scene, error.take, error.next, error.when]);
  });

  test('a take written as code (hexadecimal, an exponent, Infinity) is refused with what to write, over HTTP and Socket.IO', async () => {
    const cases: [string, RegExp][] = [
      ['0x1', /take: "0x1" is a number written as code \(hexadecimal, an exponent, Infinity\); write the take as "1", or as text such as "12A"/],
      ['1e0', /take: "1e0" is a number written as code .*write the take as "1"/],
      ['Infinity', /take: "Infinity" is a number written as code .*write the take as digits/],
    ];
    for (const [take, pattern] of cases) {
      const refused = await startTake({ scene: '9', take });
      assert.equal(refused.status, 400, `take ${take}: ${JSON.stringify(refused.body)}`);
      const error = (refused.body as { error: Refusal }).error;
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, pattern);
      const ack = await new Promise<TakeAck>((resolve) => client.emit('take:start', { scene: '9', take }, resolve));
      assert.equal(ack.ok, false);
      assert.match((ack as { error: Refusal }).error.message, pattern);
    }
    const takes = ((await httpJson(url('/api/takes?scene=9'))).body as { takes: Take[] }).takes;
    assert.deepEqual(takes, [], 'nothing slated');
  });

  test('a scene typed with a combining umlaut is the scene typed with a composed one', async () => {
    const first = await startTake({ scene: KUECHE, take: '1' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const again = await startTake({ scene: KUECHE_NFD, take: '1' });
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal((again.body as { error: Refusal }).error.scene, KUECHE);
    const ack = await new Promise<TakeAck>((resolve) => client.emit('take:start', { scene: KUECHE_NFD }, resolve));
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.deepEqual(ack.ok && [ack.takes[0]!.scene, ack.takes[0]!.take], [KUECHE, '2'], 'stored composed, numbered after take 1');
    const listed = ((await httpJson(url(`/api/takes?scene=${encodeURIComponent(KUECHE_NFD)}`))).body as { takes: Take[] }).takes;
    assert.deepEqual(listed.map((t) => [t.scene, t.take]), [[KUECHE, '1'], [KUECHE, '2']], 'either spelling lists both takes');

    const shot = await waitFor('a shot of take 2', async () => (await shotsOf(`scene=${encodeURIComponent(KUECHE_NFD)}&take=2`))[0]);
    assert.equal(shot.scene, KUECHE);
    assert.deepEqual((await shotsOf(`scene=${encodeURIComponent(KUECHE)}&take=2`)).map((s) => s.id)[0], shot.id);
    const coverage = await httpJson(url(`/api/coverage?scene=${encodeURIComponent(KUECHE_NFD)}`));
    assert.equal(coverage.status, 200);
    const report = coverage.body as { stats: { shots: number; unanalysed: { count: number } }; scene: { scene: string } };
    assert.equal(report.scene.scene, KUECHE);
    // A shot just opened may have no analysed frame yet: it is tallied apart, but it is this scene's.
    assert.ok(report.stats.shots + report.stats.unanalysed.count >= 1, JSON.stringify(report.stats));

    // An edit's scene, take and tags are stored as a take stores them.
    const edited = await httpJson(url(`/api/shots/${shot.id}`), { method: 'PATCH', body: { scene: KUECHE_NFD, take: '002', tags: ['Ju\u0308rgen', 'J\u00fcrgen'] } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const patched = edited.body as ShotRecord;
    assert.deepEqual([patched.scene, patched.take, patched.tags], [KUECHE, '2', ['J\u00fcrgen']]);

    // The Coverage view's scenes: one "Küche 4", never two that look the same.
    const live = (await httpJson(url('/api/coverage/live'))).body as CoverageUpdate;
    const kitchens = live.scenes.filter((s) => s.scene.normalize('NFC') === KUECHE);
    assert.deepEqual(kitchens.map((s) => s.scene), [KUECHE]);
  });

  test('a scene typed in another case or with runs of spaces is the scene as slated first, everywhere a scene goes in', async () => {
    const first = await startTake({ scene: 'Night Ext', take: '4B' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const refused = await startTake({ scene: 'NIGHT  EXT', take: '4b' });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.deepEqual([(refused.body as { error: Refusal }).error.scene, (refused.body as { error: Refusal }).error.take], ['Night Ext', '4B']);
    const ack = await new Promise<TakeAck>((resolve) => client.emit('take:start', { scene: 'night ext', take: '5' }, resolve));
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(ack.ok && ack.takes[0]!.scene, 'Night Ext');
    const listed = ((await httpJson(url('/api/takes?scene=NIGHT%20EXT'))).body as { takes: Take[] }).takes;
    assert.deepEqual(listed.map((t) => [t.scene, t.take]), [['Night Ext', '4B'], ['Night Ext', '5']]);

    const shot = await waitFor('a shot of take 5', async () => (await shotsOf('scene=night%20%20ext&take=5'))[0]);
    assert.equal(shot.scene, 'Night Ext');
    const coverage = (await httpJson(url('/api/coverage?scene=NIGHT%20EXT'))).body as { scene: { scene: string } };
    assert.equal(coverage.scene.scene, 'Night Ext');
    const csv = await fetch(url('/api/shots?format=csv&scene=night%20ext&take=5'));
    assert.equal(csv.status, 200);
    assert.match(await csv.text(), /Night Ext/);
    // An export's title (an editor's event or bin) and the report's name the scene as slated, not as the filter was typed.
    const edl = await (await fetch(url('/api/shots?format=edl&scene=NIGHT%20%20EXT&take=05'))).text();
    assert.match(edl, /^TITLE: shotscale all cameras scene Night Ext take 5$/m);
    assert.match(await (await fetch(url('/api/report?scene=night%20ext'))).text(), /<title>shotscale: scene Night Ext: shot report<\/title>/);

    // An operator's edit in another case joins the take slated first.
    const edited = await httpJson(url(`/api/shots/${shot.id}`), { method: 'PATCH', body: { scene: 'NIGHT ext', take: '4b' } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual([(edited.body as ShotRecord).scene, (edited.body as ShotRecord).take], ['Night Ext', '4B']);

    // A plan: put, read and removed in any case, one plan of the scene as slated.
    const put = await httpJson(url('/api/plans/night%20EXT'), { method: 'PUT', body: { scene: 'NIGHT EXT', items: [{ id: 'master', scale: 'WS+' }] } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((put.body as PlanRecord).scene, 'Night Ext');
    assert.equal((await httpJson(url('/api/plans/Night%20Ext'))).status, 200);
    const plans = (await httpJson(url('/api/plans'))).body as PlanRecord[];
    assert.deepEqual(plans.filter((p) => p.scene.toLowerCase() === 'night ext').map((p) => p.scene), ['Night Ext']);
    const live = (await httpJson(url('/api/coverage/live'))).body as CoverageUpdate;
    assert.deepEqual(live.scenes.filter((s) => s.scene.toLowerCase() === 'night ext').map((s) => s.scene), ['Night Ext'], 'one card in the Coverage view');
    assert.equal((await httpJson(url('/api/plans/NIGHT%20EXT'), { method: 'DELETE' })).status, 204);
    assert.equal((await httpJson(url('/api/plans/Night%20Ext'))).status, 404);
    assert.equal((await httpJson(url('/api/takes/end'), { method: 'POST', body: {} })).status, 200);
  });

  test('plans: a scene in either spelling, in the config file and over HTTP, is one plan', async () => {
    const fromConfig = await httpJson(url(`/api/plans/${encodeURIComponent(CAFE)}`));
    assert.equal(fromConfig.status, 200, JSON.stringify(fromConfig.body));
    assert.equal((fromConfig.body as PlanRecord).scene, CAFE);
    const put = await httpJson(url(`/api/plans/${encodeURIComponent(KUECHE_NFD)}`), { method: 'PUT', body: { items: [{ id: 'master', scale: 'WS+', tag: 'Ju\u0308rgen' }] } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((put.body as PlanRecord).scene, KUECHE);
    assert.equal((put.body as PlanRecord).items[0]!.tag, 'J\u00fcrgen');
    const got = await httpJson(url(`/api/plans/${encodeURIComponent(KUECHE)}`));
    assert.equal(got.status, 200);
    assert.equal((got.body as PlanRecord).revision, (put.body as PlanRecord).revision);
    // A body naming the scene the other way is the same scene, not "a plan for another scene".
    const named = await httpJson(url(`/api/plans/${encodeURIComponent(KUECHE)}`), { method: 'PUT', body: { scene: KUECHE_NFD, items: [{ id: 'master', scale: 'WS+' }] } });
    assert.equal(named.status, 200, JSON.stringify(named.body));
    const plans = (await httpJson(url('/api/plans'))).body as PlanRecord[];
    assert.deepEqual(plans.filter((p) => p.scene.normalize('NFC') === KUECHE).map((p) => p.scene), [KUECHE]);
    assert.equal((await httpJson(url(`/api/plans/${encodeURIComponent(KUECHE_NFD)}`), { method: 'DELETE' })).status, 204);
  });

  test('a wrong scale is quoted as written, over HTTP and in a config file', async () => {
    const put = await httpJson(url('/api/plans/x6'), { method: 'PUT', body: { items: [{ id: 'a', scale: 'EWS..' }] } });
    assert.equal(put.status, 400);
    const error = (put.body as { error: Refusal }).error;
    assert.equal(error.code, 'PLAN_INVALID');
    assert.match(error.message, /item "a": "EWS\.\." is not a scale: a range needs a scale on each side of "\.\.", e\.g\. "MCU\.\.CU"/);
    assert.doesNotMatch(error.message, /"" is not a scale/);
    assert.throws(
      () => testConfig({ coverage: { plans: [{ scene: '6', items: [{ id: 'a', scale: 'EWS..' }] }] } }),
      (thrown: unknown) => isShotscaleError(thrown, 'CONFIG_INVALID') && /item "a": "EWS\.\." is not a scale/.test(thrown.message) && !/"" is not a scale/.test(thrown.message),
    );
  });

  test('a minimum shot length past a day is refused (PLAN_INVALID), over HTTP and in a config file; a day is taken', async () => {
    const put = await httpJson(url('/api/plans/x6'), { method: 'PUT', body: { items: [{ id: 'a', scale: 'WS', minDurationS: 1e308 }] } });
    assert.equal(put.status, 400, JSON.stringify(put.body));
    const error = (put.body as { error: Refusal }).error;
    assert.equal(error.code, 'PLAN_INVALID');
    assert.match(error.message, /items\[0\]\.minDurationS: item "a": at most 86400 s \(a day\), 1e\+308 given/);
    assert.throws(
      () => testConfig({ coverage: { plans: [{ scene: '6', items: [{ id: 'a', scale: 'WS', minDurationS: 90_000 }] }] } }),
      (thrown: unknown) => isShotscaleError(thrown, 'CONFIG_INVALID') && /at most 86400 s \(a day\), 90000 given/.test(thrown.message),
    );
    const day = await httpJson(url('/api/plans/x6'), { method: 'PUT', body: { items: [{ id: 'a', scale: 'WS', minDurationS: 86_400 }] } });
    assert.equal(day.status, 200, JSON.stringify(day.body));
  });
});
