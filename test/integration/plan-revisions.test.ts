/**
 * Coverage plans edited by two clients at once, over HTTP: every plan is
 * answered with its revision (and an ETag), a save or delete naming a stale
 * revision (If-Match) is refused with 412 PLAN_CONFLICT and the plan as it is
 * now, and changes nothing; a save without If-Match replaces the plan as
 * before. Every connected dashboard is told of each change (plan:changed).
 * A plan from the config file is revision 0 and cannot be deleted here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { PlanRecord } from '../../server/shared/shots.js';
import { connectClient, startTestServer, type TestClient } from '../support/server-harness.js';

interface Answer {
  status: number;
  etag: string | null;
  body: unknown;
}

describe('plan revisions', () => {
  let server: RunningServer;
  let client: TestClient;
  const changes: string[] = [];

  const call = async (method: string, scene: string, body?: unknown, ifMatch?: string): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    const response = await fetch(`${server.url}/api/plans/${encodeURIComponent(scene)}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : null };
  };
  const plan = (answer: Answer) => answer.body as PlanRecord;
  const error = (answer: Answer) => (answer.body as { error: { code: string; message: string; revision: number; plan: PlanRecord | null } }).error;

  before(async () => {
    server = await startTestServer({ coverage: { plans: [{ scene: '12', items: [{ id: 'master', scale: 'WS+' }] }] } });
    ({ client } = await connectClient(server.url));
    client.on('plan:changed', ({ scene }) => changes.push(scene));
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('two editors: the stale save is refused with the plan as it is now, and A\'s item stays', async () => {
    const loadedByA = await call('PUT', '9', { items: [{ id: 'master', scale: 'WS+' }, { id: 'ms', scale: 'MS' }, { id: 'cu', scale: 'CU-' }] });
    assert.equal(loadedByA.status, 200);
    const r1 = plan(loadedByA).revision;
    assert.equal(loadedByA.etag, `"${r1}"`);
    const got = await call('GET', '9');
    assert.deepEqual([got.etag, plan(got).revision, plan(got).source], [`"${r1}"`, r1, 'stored']);
    // A adds an item and saves (4 items), naming the revision both loaded.
    const items = plan(got).items.map(({ id, label }) => ({ id, label, scale: id === 'master' ? 'WS+' : id === 'ms' ? 'MS' : 'CU-' }));
    const a = await call('PUT', '9', { items: [...items, { id: 'ots', scale: 'MCU..MS' }] }, `"${r1}"`);
    assert.equal(a.status, 200);
    assert.equal(plan(a).items.length, 4);
    const r2 = plan(a).revision;
    assert.ok(r2 > r1);
    // B, whose form still has the 3 items of r1, relabels the master and saves: refused.
    const b = await call('PUT', '9', { items: [{ ...items[0], label: 'Master' }, ...items.slice(1)] }, `"${r1}"`);
    assert.equal(b.status, 412);
    assert.equal(error(b).code, 'PLAN_CONFLICT');
    assert.match(error(b).message, /scene "9" was changed/);
    assert.equal(error(b).revision, r2);
    assert.equal(error(b).plan!.items.length, 4, 'the answer carries the plan as it is now');
    assert.equal(plan(await call('GET', '9')).items.length, 4, "A's item is still there");
    // A stale delete is refused too; the current revision deletes.
    const staleDelete = await call('DELETE', '9', undefined, `"${r1}"`);
    assert.deepEqual([staleDelete.status, error(staleDelete).code], [412, 'PLAN_CONFLICT']);
    assert.equal((await call('GET', '9')).status, 200);
    assert.equal((await call('DELETE', '9', undefined, `"${r2}"`)).status, 204);
    assert.equal((await call('GET', '9')).status, 404);
    // Stored again: a new revision, never one a client still holds.
    const again = await call('PUT', '9', { items: [{ id: 'master', scale: 'WS+' }] }, '"0"');
    assert.equal(again.status, 200);
    assert.ok(plan(again).revision > r2);
    assert.equal((await call('PUT', '9', { items: [{ id: 'master', scale: 'WS+' }] }, `"${r2}"`)).status, 412);
  });

  test('without If-Match a save replaces the plan whatever its revision (scripts and API clients)', async () => {
    const first = await call('PUT', '20', { items: [{ id: 'a', scale: 'MS' }] });
    const second = await call('PUT', '20', { items: [{ id: 'b', scale: 'CU' }] });
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.deepEqual(plan(await call('GET', '20')).items.map((i) => i.id), ['b']);
    // A new plan named as new ("0") is refused once another client has made one.
    assert.equal((await call('PUT', '20', { items: [{ id: 'c', scale: 'MS' }] }, '"0"')).status, 412);
    // A weak tag or a bare number reads the same; anything else is refused as a malformed request.
    assert.equal((await call('PUT', '20', { items: [{ id: 'c', scale: 'MS' }] }, `W/"${plan(second).revision}"`)).status, 200);
    const bad = await call('PUT', '20', { items: [{ id: 'd', scale: 'MS' }] }, '*');
    assert.deepEqual([bad.status, error(bad).code], [400, 'BAD_REQUEST']);
  });

  test('a config plan is revision 0 and cannot be deleted here; a stored plan over it can, and the config plan is back', async () => {
    const config = await call('GET', '12');
    assert.deepEqual([config.etag, plan(config).revision, plan(config).source], ['"0"', 0, 'config']);
    const refused = await call('DELETE', '12', undefined, '"0"');
    assert.equal(refused.status, 404);
    assert.match(error(refused).message, /comes from the config file; edit the config file/);
    const stored = await call('PUT', '12', { items: [{ id: 'wide', scale: 'EWS' }] }, '"0"');
    assert.deepEqual([plan(stored).source, plan(stored).overridesConfig], ['stored', true]);
    assert.equal((await call('DELETE', '12', undefined, stored.etag!)).status, 204);
    assert.deepEqual(plan(await call('GET', '12')).source, 'config');
    const all = (await (await fetch(`${server.url}/api/plans`)).json()) as PlanRecord[];
    assert.ok(all.every((p) => typeof p.revision === 'number' && (p.source === 'config' || p.source === 'stored')));
  });

  test('every connected dashboard is told of each save and delete', async () => {
    const before = changes.length;
    await call('PUT', '30', { items: [{ id: 'a', scale: 'MS' }] });
    await call('DELETE', '30');
    const deadline = Date.now() + 5000;
    while (changes.length < before + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(changes.slice(before), ['30', '30']);
  });
});
