/**
 * Takes in a cluster, on a real redis-server and a real PostgreSQL, beyond
 * starting and ending them on every node (cluster.test.ts): the cluster's
 * record of a take says which cameras it has left, as each node's own log
 * does, and a take just started can be marked at once, on any node, by the
 * id its start answered (a node's own id of a take is not the record's);
 * a camera deleted from the cluster leaves the takes on it, as on one server.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { test } from 'node:test';
import pg from 'pg';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import type { Take } from '../../server/shared/shots.js';

const bed = clusterTestBed();
const started = bed.started;

type Listed = { running: Take[]; takes: Take[] };

/** What a take's record says of its cameras, and whether it has ended. */
const shape = (takes: Take[]) => takes.map((t) => [t.scene, t.take, t.cameras, t.exceptCameras, t.endedAt !== null]);

async function listed(url: string, query: string): Promise<Listed> {
  const { status, body } = await httpJson(`${url}/api/takes${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body as Listed;
}

/**
 * Polls until what `read` finds is `expected`: takes started or ended on one
 * node reach the others through Redis, and the cluster's record a moment later.
 */
async function until(read: () => Promise<unknown>, expected: unknown, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = await read();
    if (isDeepStrictEqual(found, expected)) return;
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nodeLog = (url: string) => async () => shape((await listed(url, '?scope=node')).takes);
const record = (url: string) => async () => shape((await listed(url, '')).takes);
const runningIds = (url: string) => async () => (await listed(url, '')).running.map((t) => [t.scene, t.id]);

test("takes in a cluster: the record says which cameras a take has left, as each node's log does; a take just started is marked at once by the id its start answered", { timeout: 120_000 }, async () => {
  const name = `cluster_takes_${process.pid}`;
  // Disabled cameras: takes name them, and no ffmpeg runs (the takes' records are what is under test).
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: ['x-1', 'x-2', 'x-3'].map((id) => `{ id: ${id}, enabled: false, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`),
  };
  const a = await startNode(spec, 'a', 3);
  started.push(a);
  const b = await startNode(spec, 'b', 3);
  started.push(b);
  const post = async (url: string, path: string, body: unknown) => {
    const answer = await httpJson(`${url}${path}`, { method: 'POST', body });
    assert.ok(answer.status === 200 || answer.status === 201, `${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as Take;
  };
  try {
    // Scene 20 take 1 on every camera, slated on a; then a take on x-1 and x-2, slated on b:
    // 20/1 runs on on x-3 alone, and node b (not the one that started it) records that it left the others.
    await post(a.url, '/api/takes', { scene: '20', take: '1' });
    await until(nodeLog(b.url), [['20', '1', null, [], false]], 'b runs 20/1');
    await post(b.url, '/api/takes', { scene: '21', take: '1', cameras: ['x-1', 'x-2'] });
    await until(nodeLog(a.url), [['20', '1', null, ['x-1', 'x-2'], false], ['21', '1', ['x-1', 'x-2'], [], false]], 'a runs 21/1');
    // 21/1 ended on x-2 alone, on a: it runs on on x-1.
    await post(a.url, '/api/takes/end', { cameras: ['x-2'] });
    const running = [
      ['20', '1', null, ['x-1', 'x-2'], false],
      ['21', '1', ['x-1'], [], false],
    ];
    // Each node's own log says so, and so does the cluster's record, on either node.
    for (const node of [a, b]) await until(nodeLog(node.url), running, `node ${node.nodeId}'s log`);
    for (const node of [a, b]) await until(record(node.url), running, `the cluster's record, read on ${node.nodeId}`);
    assert.deepEqual(shape((await listed(b.url, '')).running), running, 'the running takes, listed on b');
    // 20/1 ended on x-3, the last of the cluster's cameras it had (x-3 runs on neither node: it is disabled), on b:
    // it ends, on every node and in the record.
    await post(b.url, '/api/takes/end', { cameras: ['x-3'] });
    const lastLeft = [
      ['20', '1', null, ['x-1', 'x-2', 'x-3'], true],
      ['21', '1', ['x-1'], [], false],
    ];
    for (const node of [a, b]) await until(nodeLog(node.url), lastLeft, `node ${node.nodeId}'s log once 20/1 left its last camera`);
    for (const node of [a, b]) await until(record(node.url), lastLeft, `the cluster's record once 20/1 left its last camera, read on ${node.nodeId}`);
    await post(b.url, '/api/takes/end', {});
    const ended = lastLeft.map(([scene, take, cameras, except]) => [scene, take, cameras, except, true]);
    await until(nodeLog(a.url), ended, "a's log once both ended");
    await until(record(a.url), ended, "the cluster's record once both ended");

    // A take started on a and marked NG at once on b, by the id a answered: that take, not another
    // (a's own id of the take is a smaller number, which the record of 21/1 has).
    const fresh = await post(a.url, '/api/takes', { scene: '30', take: '1' });
    const marked = await httpJson(`${b.url}/api/takes/${fresh.id}`, { method: 'PATCH', body: { mark: 'ng' } });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.deepEqual([(marked.body as Take).scene, (marked.body as Take).take, (marked.body as Take).mark], ['30', '1', 'ng']);
    assert.deepEqual((await listed(a.url, '')).takes.map((t) => [t.scene, t.mark]), [['20', null], ['21', null], ['30', 'ng']], 'no other take marked');
    // The running take, as GET /api/takes lists it on either node, carries the same id.
    for (const node of [a, b]) await until(runningIds(node.url), [['30', fresh.id]], `running on ${node.nodeId}`);

    // PostgreSQL slow to take a record (half a second an insert): the start's answer waits for its record, and the mark finds it.
    const client = new pg.Client({ connectionString: spec.postgresUrl });
    await client.connect();
    try {
      await client.query(`CREATE FUNCTION slow_take() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$;
        CREATE TRIGGER slow_take BEFORE INSERT ON cluster_takes FOR EACH ROW EXECUTE FUNCTION slow_take()`);
      const slow = await post(b.url, '/api/takes', { scene: '31', take: '1' });
      const circled = await httpJson(`${a.url}/api/takes/${slow.id}`, { method: 'PATCH', body: { mark: 'circled' } });
      assert.equal(circled.status, 200, JSON.stringify(circled.body));
      assert.deepEqual([(circled.body as Take).scene, (circled.body as Take).mark], ['31', 'circled']);
      await client.query('DROP TRIGGER slow_take ON cluster_takes; DROP FUNCTION slow_take()');
    } finally {
      await client.end();
    }
    // An id no take has is still 404, on either node.
    for (const node of [a, b]) assert.equal((await httpJson(`${node.url}/api/takes/999999999`, { method: 'PATCH', body: { mark: 'ng' } })).status, 404);
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test("a camera deleted from the cluster leaves the takes running on it, on every node and in the record; a take left with none ends", { timeout: 120_000 }, async () => {
  const name = `cluster_camera_removed_takes_${process.pid}`;
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: ['y-1', 'y-2'].map((id) => `{ id: ${id}, enabled: false, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`),
  };
  const a = await startNode(spec, 'a', 2);
  started.push(a);
  const b = await startNode(spec, 'b', 2);
  started.push(b);
  const send = async (url: string, path: string, method: string, body?: unknown) => {
    const answer = await httpJson(`${url}${path}`, { method, ...(body === undefined ? {} : { body }) });
    assert.ok(answer.status >= 200 && answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  try {
    await send(a.url, '/api/takes', 'POST', { scene: '40', take: '1', cameras: ['y-1', 'y-2'] });
    await until(nodeLog(b.url), [['40', '1', ['y-1', 'y-2'], [], false]], 'b runs 40/1');
    // Deleted through b, not the node that started the take: it runs on on y-2, on every node and in the record.
    await send(b.url, '/api/cameras/y-1', 'DELETE');
    const left = [['40', '1', ['y-2'], [], false]];
    for (const node of [a, b]) await until(nodeLog(node.url), left, `node ${node.nodeId}'s log once y-1 was deleted`);
    for (const node of [a, b]) await until(record(node.url), left, `the cluster's record once y-1 was deleted, read on ${node.nodeId}`);
    // Its last camera deleted, through a: it ends everywhere (it would run on, "shooting now", on no camera).
    await send(a.url, '/api/cameras/y-2', 'DELETE');
    const ended = async (url: string, query: string) => {
      const { running, takes } = await listed(url, query);
      return [running.length, takes.map((t) => [t.scene, t.take, t.endedAt !== null])];
    };
    for (const node of [a, b]) await until(() => ended(node.url, '?scope=node'), [0, [['40', '1', true]]], `node ${node.nodeId}'s log once y-2 was deleted`);
    for (const node of [a, b]) await until(() => ended(node.url, ''), [0, [['40', '1', true]]], `the cluster's record once y-2 was deleted, read on ${node.nodeId}`);
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test('a node started after a scene was shot spells it as the cluster does: slated or asked for in another case, it is the scene slated first', { timeout: 120_000 }, async () => {
  const name = `cluster_scene_spelling_${process.pid}`;
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: ['z-1'].map((id) => `{ id: ${id}, enabled: false, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`),
  };
  const a = await startNode(spec, 'a', 1);
  started.push(a);
  let b: Awaited<ReturnType<typeof startNode>> | null = null;
  try {
    const first = await httpJson(`${a.url}/api/takes`, { method: 'POST', body: { scene: 'Kitchen', take: '1' } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal((await httpJson(`${a.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
    await until(record(a.url), [['Kitchen', '1', null, [], true]], "the cluster's record of Kitchen take 1");
    b = await startNode(spec, 'b', 1);
    started.push(b);
    const slated = await httpJson(`${b.url}/api/takes`, { method: 'POST', body: { scene: 'KITCHEN', take: '2' } });
    assert.equal(slated.status, 201, JSON.stringify(slated.body));
    assert.equal((slated.body as Take).scene, 'Kitchen', "b's log had no take of the scene: the cluster's spelling");
    const asked = await listed(b.url, '?scene=kitchen');
    assert.deepEqual(asked.takes.map((t) => [t.scene, t.take]), [['Kitchen', '1'], ['Kitchen', '2']], 'either take, asked for in another case on b');
  } finally {
    await Promise.all([stopNode(a), ...(b ? [stopNode(b)] : [])]);
  }
});

test("take numbers are the cluster's: a node started later slates past the takes shot before it, and past a number an edit on another node gave a shot", { timeout: 120_000 }, async () => {
  const name = `cluster_take_numbers_${process.pid}`;
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: [`{ id: n-1, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`],
  };
  const a = await startNode(spec, 'a', 1);
  started.push(a);
  let b: Awaited<ReturnType<typeof startNode>> | null = null;
  try {
    assert.equal((await httpJson(`${a.url}/api/takes`, { method: 'POST', body: { scene: 'Kitchen' } })).status, 201);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await httpJson(`${a.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
    await until(record(a.url), [['Kitchen', '1', null, [], true]], "the cluster's record of Kitchen take 1");
    b = await startNode(spec, 'b', 1);
    started.push(b);
    const used = await httpJson(`${b.url}/api/takes`, { method: 'POST', body: { scene: 'KITCHEN', take: '1' } });
    assert.equal(used.status, 409, JSON.stringify(used.body));
    assert.match((used.body as { error: { message: string } }).error.message, /already has a take 1 \(shot .* on another node\); the next take is 2/);
    const next = await httpJson(`${b.url}/api/takes`, { method: 'POST', body: { scene: 'kitchen' } });
    assert.deepEqual([(next.body as Take).scene, (next.body as Take).take], ['Kitchen', '2'], 'b had no take of the scene in its own log: the next is past the cluster\'s');
    assert.equal((await httpJson(`${b.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);

    // An edit moves a shot of take 1 to a new scene's take 7, on the node whose shot it is; the other node then counts 7 as used.
    const listed = await httpJson(`${a.url}/api/shots?scene=Kitchen&take=1`);
    const shot = (listed.body as { shots: { id: number; status: string }[] }).shots.find((s) => s.status === 'closed');
    assert.ok(shot, `a closed shot of take 1: ${JSON.stringify(listed.body)}`);
    let editor = a;
    let other = b;
    let edit = await httpJson(`${a.url}/api/shots/${shot.id}`, { method: 'PATCH', body: { scene: 'Cellar', take: '7' } });
    if (edit.status === 409) {
      [editor, other] = [b, a];
      edit = await httpJson(`${b.url}/api/shots/${shot.id}`, { method: 'PATCH', body: { scene: 'Cellar', take: '7' } });
    }
    assert.equal(edit.status, 200, `the edit on ${editor.nodeId}: ${JSON.stringify(edit.body)}`);
    // A refusal changes nothing, so it may be asked until the edit's word has reached the other node.
    await until(async () => (await httpJson(`${other.url}/api/takes`, { method: 'POST', body: { scene: 'CELLAR', take: '7' } })).status, 409, `take 7 of Cellar on ${other.nodeId}`);
    const after = await httpJson(`${other.url}/api/takes`, { method: 'POST', body: { scene: 'cellar' } });
    assert.deepEqual([(after.body as Take).scene, (after.body as Take).take], ['Cellar', '8'], `the next take of Cellar on ${other.nodeId}`);
  } finally {
    await Promise.all([stopNode(a), ...(b ? [stopNode(b)] : [])]);
  }
});
