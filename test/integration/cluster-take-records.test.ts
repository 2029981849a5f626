/**
 * The cluster's record of takes, on a real redis-server and a real
 * PostgreSQL: a node killed during a take and started again ends the same
 * record (not a second one of its own); every answer and push that names a
 * take in a cluster names it by its record's id (a node's own id of a take
 * is another number, another take's in the record), or by none while the
 * record cannot be read; a take slated while a node cannot reach Redis,
 * which only that node's cameras get, says so; and a Redis that lost the
 * running takes ends none of them.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { io } from 'socket.io-client';
import { startRelay } from '../support/cluster-engines.js';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson, type TestClient } from '../support/server-harness.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-health.js';
import type { Take } from '../../server/shared/shots.js';
import type { TakeAck } from '../../server/shared/socket-events.js';

const bed = clusterTestBed();
const started = bed.started;

type Listed = { running: Take[]; takes: Take[] };

async function listed(url: string, query: string): Promise<Listed> {
  const { status, body } = await httpJson(`${url}/api/takes${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body as Listed;
}

/** Polls until what `read` finds is `expected` (takes reach the other nodes through Redis, the record a moment later). */
async function until(read: () => Promise<unknown>, expected: unknown, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await read().catch((error: unknown) => String(error));
    if (isDeepStrictEqual(found, expected)) return;
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function post(url: string, path: string, body: unknown): Promise<unknown> {
  const answer = await httpJson(`${url}${path}`, { method: 'POST', body });
  assert.ok(answer.status === 200 || answer.status === 201, `${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A dashboard's socket on a node, keeping the running takes last pushed (`takes`, the first on connecting). */
function dashboard(url: string): { client: TestClient; last: () => Take[] | null } {
  const client: TestClient = io(url, { transports: ['websocket'], reconnection: false });
  let last: Take[] | null = null;
  client.on('takes', (running) => (last = running));
  return { client, last: () => last };
}

async function clusterSpec(name: string, cameras: string[]): Promise<ClusterSpec> {
  return { redisUrl: bed.redis.url, postgresUrl: await createDatabase(bed.postgres.url, name), keyPrefix: name, leaseS: 3, cameras };
}

/** Disabled cameras: takes name them, and no ffmpeg runs (the takes' records are what is under test). */
const disabled = (id: string) => `{ id: ${id}, enabled: false, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`;

test("a node killed during a take and started again ends the cluster's record of it, not a second one; ends, pushes and acknowledgements name takes by their records' ids", { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(`cluster_take_records_${process.pid}`, ['x-1', 'x-2'].map(disabled));
  // The records' ids far from any node's own ids of its takes, so that the one cannot pass for the other.
  const client = new pg.Client({ connectionString: spec.postgresUrl });
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  const sockets: TestClient[] = [];
  try {
    a = await startNode(spec, 'a', 2);
    started.push(a);
    b = await startNode(spec, 'b', 2);
    started.push(b);
    await client.connect();
    await client.query("SELECT setval('cluster_takes_id_seq', 500)");

    const onB = dashboard(b.url);
    sockets.push(onB.client);
    const slated = (await post(a.url, '/api/takes', { scene: '70' })) as Take;
    assert.ok(slated.id > 500, `the start's answer carries the record's id: ${JSON.stringify(slated)}`);
    const ownIds = (await listed(b.url, '?scope=node')).running.map((t) => t.id);
    assert.ok(!ownIds.includes(slated.id), `b's own id of the take is not the record's: ${JSON.stringify(ownIds)}`);
    // b's dashboards are pushed the running take under the record's id (b's own id would mark another take).
    await until(async () => onB.last()?.map((t) => [t.scene, t.id]), [['70', slated.id]], "the running takes pushed to b's dashboard");

    // b killed during the take and started again: it resumes the take from its own log (a gap noted there).
    await stopNode(b, 'SIGKILL');
    b = await startNode(spec, 'b', 2, { config: b.config });
    started.push(b);
    const resumed = (await listed(b.url, '?scope=node')).running;
    assert.deepEqual(resumed.map((t) => [t.scene, t.take, t.gaps.length]), [['70', '1', 1]], 'b resumed the take, noting the gap');
    await until(async () => (await listed(b!.url, '')).running.map((t) => [t.scene, t.id]), [['70', slated.id]], 'the running take listed on b after its restart');
    // A dashboard connecting to b is told the running take under the record's id.
    const late = dashboard(b.url);
    sockets.push(late.client);
    await until(async () => late.last()?.map((t) => [t.scene, t.id]), [['70', slated.id]], "the running takes b tells a dashboard that connects");

    // Ended on b: the answer names the record a started, and that record ends; there is no other.
    const { ended } = (await post(b.url, '/api/takes/end', {})) as { ended: Take[] };
    assert.deepEqual(ended.map((t) => [t.scene, t.take, t.id]), [['70', '1', slated.id]], "the end's answer names the take by its record's id");
    for (const node of [a, b]) {
      await until(
        async () => (await listed(node.url, '?scene=70')).takes.map((t) => [t.id, t.scene, t.take, t.endedAt !== null]),
        [[slated.id, '70', '1', true]],
        `scene 70's records, read on ${node.nodeId}`,
      );
    }
    // The id the end answered marks that take.
    const marked = await httpJson(`${a.url}/api/takes/${ended[0]!.id}`, { method: 'PATCH', body: { mark: 'ng' } });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.deepEqual([(marked.body as Take).scene, (marked.body as Take).take, (marked.body as Take).mark], ['70', '1', 'ng']);

    // Over Socket.IO too: a take ended by take:end is acknowledged under its record's id.
    const second = (await post(a.url, '/api/takes', { scene: '71' })) as Take;
    await until(async () => late.last()?.map((t) => t.id) ?? [], [second.id], 'the running take 71 pushed to b');
    const ack = await new Promise<TakeAck>((resolve) => late.client.emit('take:end', {}, resolve));
    assert.ok(ack.ok, JSON.stringify(ack));
    assert.deepEqual(ack.takes.map((t) => [t.scene, t.id]), [['71', second.id]], 'take:end acknowledged with the record ids');
  } finally {
    for (const socket of sockets) socket.close();
    await client.end().catch(() => undefined);
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
  }
});

test("a take slated on a node cut off from Redis is recorded on that node's cameras, the only ones it reached; one naming only another node's cameras is refused", { timeout: 180_000 }, async () => {
  const testsrc = (id: string) => `{ id: ${id}, analysisFps: 2, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`;
  const spec = await clusterSpec(`cluster_take_cutoff_${process.pid}`, ['t-1', 't-2'].map(testsrc));
  const relay = await startRelay(bed.redis);
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  const health = async (url: string) => ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster;
  const camerasOf = (state: ClusterNodeState, nodeId: string) => state.nodes.find((n) => n.nodeId === nodeId)?.cameras ?? [];
  try {
    a = await startNode({ ...spec, redisUrl: relay.url }, 'a', 1);
    started.push(a);
    b = await startNode(spec, 'b', 1);
    started.push(b);
    // One camera each.
    let aCameras: string[] = [];
    const deadline = Date.now() + 40_000;
    for (;;) {
      const state = await health(a.url);
      aCameras = camerasOf(state, 'a');
      if (aCameras.length === 1 && camerasOf(state, 'b').length === 1) break;
      assert.ok(Date.now() < deadline, `one camera each: ${JSON.stringify(state.nodes)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const bCamera = ['t-1', 't-2'].find((id) => id !== aCameras[0])!;

    await relay.cut();
    await until(async () => (await health(a!.url)).redis, 'down', "a finds Redis unreachable");
    // Slated on a on every camera: only a's camera gets it (b is not told), and the take says so.
    const slated = (await post(a.url, '/api/takes', { scene: '80' })) as Take;
    assert.deepEqual([slated.cameras, slated.exceptCameras], [aCameras, []], "the take's answer names the camera it acted on");
    await until(async () => (await listed(a!.url, '?scene=80')).takes.map((t) => [t.scene, t.cameras, t.exceptCameras]), [['80', aCameras, []]], 'the record of scene 80');
    // Named on b's camera alone: it would act on no camera, and is refused, saying why.
    const refused = await httpJson(`${a.url}/api/takes`, { method: 'POST', body: { scene: '81', cameras: [bCamera] } });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    const { error } = refused.body as { error: { code: string; message: string } };
    assert.equal(error.code, 'CLUSTER_UNREACHABLE');
    assert.match(error.message, new RegExp(`node "a" cannot reach the cluster's Redis, so a take slated here acts on this node's cameras only \\(${aCameras[0]}\\), and "${bCamera}" is not run by this node: no take was started`));
    assert.deepEqual((await listed(a.url, '?scene=81')).takes, [], 'no record of scene 81');
    // b never heard of scene 80.
    assert.deepEqual((await listed(b.url, '?scope=node')).running.map((t) => t.scene), [], "b's cameras are in no take");
  } finally {
    await relay.restore().catch(() => undefined);
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
    await relay.cut();
  }
});

test("while a node cannot reach PostgreSQL, its answers give a take no id (recordPending), never its own id; its dashboards are pushed the record's id once PostgreSQL answers", { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(`cluster_take_pending_${process.pid}`, ['p-1'].map(disabled));
  const relay = await startRelay(bed.postgres);
  const viaRelay = new URL(spec.postgresUrl);
  viaRelay.port = new URL(relay.url).port;
  let a: NodeProcess | null = null;
  let cut = false;
  const sockets: TestClient[] = [];
  try {
    a = await startNode({ ...spec, postgresUrl: viaRelay.toString() }, 'a', 1);
    started.push(a);
    const onA = dashboard(a.url);
    sockets.push(onA.client);

    await relay.cut();
    cut = true;
    // Slated and ended with PostgreSQL away: the record's id cannot be read, and a's own id (1) is another take's record.
    const first = (await post(a.url, '/api/takes', { scene: '90' })) as Record<string, unknown>;
    assert.deepEqual([first.scene, first.id, first.recordPending], ['90', null, true], `the start's answer: ${JSON.stringify(first)}`);
    const { ended } = (await post(a.url, '/api/takes/end', {})) as { ended: Record<string, unknown>[] };
    assert.deepEqual(ended.map((t) => [t.scene, t.id, t.recordPending]), [['90', null, true]], "the end's answer");
    const second = (await post(a.url, '/api/takes', { scene: '91' })) as Record<string, unknown>;
    assert.deepEqual([second.scene, second.id, second.recordPending], ['91', null, true], `the second start's answer: ${JSON.stringify(second)}`);

    // PostgreSQL answers again: the running take is pushed under its record's id, with no other slate or end.
    await relay.restore();
    cut = false;
    const running = await (async () => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = await listed(a!.url, '').catch(() => null);
        if (found?.running.length && found.running[0]!.id !== null) return found.running;
        assert.ok(Date.now() < deadline, `the running take listed with its record's id: ${JSON.stringify(found)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    assert.deepEqual(running.map((t) => t.scene), ['91']);
    await until(async () => onA.last()?.map((t) => [t.scene, t.id]), [['91', running[0]!.id]], "the running take pushed to a's dashboard");
  } finally {
    for (const socket of sockets) socket.close();
    // Restored (a stops as it would) once only: a second listen on its port would leave the first open.
    if (cut) await relay.restore().catch(() => undefined);
    if (a) await stopNode(a);
    await relay.cut();
  }
});

test("a node restarted with a Redis that lost the running takes joins those the cluster's record holds unended, ending none, and keeps them in Redis again", { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(`cluster_take_lost_${process.pid}`, ['l-1', 'l-2'].map(disabled));
  const redis = new Redis(bed.redis.url);
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  try {
    a = await startNode(spec, 'a', 2);
    started.push(a);
    b = await startNode(spec, 'b', 2);
    started.push(b);
    const slated = (await post(a.url, '/api/takes', { scene: '95' })) as Take;
    await until(async () => (await listed(b!.url, '?scope=node')).running.map((t) => t.scene), ['95'], 'b runs the take');
    const takesKey = `${spec.keyPrefix}:takes`;
    assert.ok(await redis.get(takesKey), 'the running takes are kept in Redis');

    // a killed, and Redis loses its data meanwhile (a host rebooted, no persistence): a resumes the take from its own log.
    await stopNode(a, 'SIGKILL');
    await redis.del(takesKey);
    a = await startNode(spec, 'a', 2, { config: a.config });
    started.push(a);
    await until(async () => parseStored(await redis.get(takesKey)), ['95'], 'the running takes kept in Redis again');
    assert.deepEqual((await listed(a.url, '?scope=node')).running.map((t) => t.scene), ['95'], 'a still runs the take');
    assert.deepEqual((await listed(b.url, '?scope=node')).running.map((t) => t.scene), ['95'], 'b still runs the take');
    assert.deepEqual(
      (await listed(a.url, '?scene=95')).takes.map((t) => [t.id, t.endedAt]),
      [[slated.id, null]],
      "the cluster's record of the take is not ended",
    );
  } finally {
    redis.disconnect();
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
  }
});

/** The scenes of the running takes Redis keeps (null: none kept). */
function parseStored(value: string | null): string[] | null {
  return value === null ? null : (JSON.parse(value) as { scene: string }[]).map((t) => t.scene);
}
