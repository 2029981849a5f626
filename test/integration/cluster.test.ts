/**
 * Several `shotscale serve` processes as one cluster, on a real redis-server
 * and a real PostgreSQL: cameras shared out by leases, one wall on any node,
 * failover on kill -9, handover on SIGTERM, and Redis and PostgreSQL outages.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPostgres, startRedis, type Engine } from '../support/cluster-engines.js';
import { createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { runCli } from '../support/cli.js';
import { makeClip, tempDir } from '../support/media.js';
import { connectClient, httpJson, type TestClient } from '../support/server-harness.js';
import { nodeConfig } from '../support/cluster-nodes.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-node.js';
import type { Alert } from '../../server/shared/shots.js';

let redis: Engine;
let postgres: Engine;
let clip: string;
let databases = 0;
const started: NodeProcess[] = [];

before(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  clip = makeClip(tempDir(), 'loop.mp4', 4);
});

after(async () => {
  await Promise.all(started.map((node) => stopNode(node, 'SIGKILL')));
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

const camera = (id: string) => `{ id: ${id}, analysisFps: 5, source: { kind: file, path: ${JSON.stringify(clip)}, loop: true, realtime: true } }`;

/** A cluster of its own: a fresh database and key prefix. */
async function clusterSpec(cameraIds: string[], leaseS = 3): Promise<ClusterSpec> {
  databases += 1;
  const name = `cluster_test_${process.pid}_${databases}`;
  return { redisUrl: redis.url, postgresUrl: await createDatabase(postgres.url, name), keyPrefix: name, leaseS, cameras: cameraIds.map(camera) };
}

async function node(spec: ClusterSpec, nodeId: string, capacity: number): Promise<NodeProcess> {
  const started_ = await startNode(spec, nodeId, capacity);
  started.push(started_);
  return started_;
}

async function clusterState(url: string): Promise<ClusterNodeState> {
  const { body } = await httpJson(`${url}/api/health`);
  return (body as { cluster: ClusterNodeState }).cluster;
}

/** Polls node `url`'s view of the cluster until `predicate` holds; returns the state and how long it took. */
async function waitForCluster(url: string, predicate: (state: ClusterNodeState) => boolean, timeoutMs: number, what: string): Promise<{ state: ClusterNodeState; ms: number }> {
  const startedAt = Date.now();
  let last: ClusterNodeState | null = null;
  for (;;) {
    last = await clusterState(url).catch(() => last);
    if (last && predicate(last)) return { state: last, ms: Date.now() - startedAt };
    if (Date.now() - startedAt > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const camerasOf = (state: ClusterNodeState, nodeId: string) => state.nodes.find((n) => n.nodeId === nodeId)?.cameras ?? [];
const allHeld = (state: ClusterNodeState) => state.nodes.flatMap((n) => n.cameras).sort();

/** Resolves with the camera ids seen in readouts on `client` until every one of `ids` has been seen. */
function readoutsFrom(client: TestClient, ids: string[], timeoutMs: number): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const seen = new Set<string>();
    const timer = setTimeout(() => {
      client.off('readout', listener);
      reject(new Error(`readouts within ${timeoutMs} ms from ${[...seen].sort().join(', ') || 'none'}; wanted ${ids.join(', ')}`));
    }, timeoutMs);
    const listener = (readout: { cameraId: string }) => {
      seen.add(readout.cameraId);
      if (ids.every((id) => seen.has(id))) {
        clearTimeout(timer);
        client.off('readout', listener);
        resolve(seen);
      }
    };
    client.on('readout', listener);
  });
}

test('cameras are shared out over the nodes, and one client on one node gets the readouts of every camera', { timeout: 120_000 }, async () => {
  const ids = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];
  const spec = await clusterSpec(ids);
  const [a, b] = [await node(spec, 'a', 3), await node(spec, 'b', 3)];
  try {
    const { state } = await waitForCluster(a.url, (s) => s.nodes.length === 2 && camerasOf(s, 'a').length === 2 && camerasOf(s, 'b').length === 2, 20_000, 'two cameras on each node');
    assert.deepEqual(allHeld(state), ids, 'every camera on exactly one node');
    assert.deepEqual(state.unassigned, []);

    // The wall on node a: every camera in hello, with the node that analyses it; readouts of all four.
    const { client, cameras } = await connectClient(a.url);
    try {
      assert.deepEqual(cameras.map((c) => c.cameraId).sort(), ids);
      for (const status of cameras) assert.equal(status.node, camerasOf(state, 'a').includes(status.cameraId) ? 'a' : 'b', `${status.cameraId}'s node`);
      await readoutsFrom(client, ids, 15_000);
    } finally {
      client.close();
    }

    // The API on either node lists the cluster's cameras; /metrics carries the node.
    const listed = (await httpJson(`${b.url}/api/cameras`)).body as { cameraId: string; node: string }[];
    assert.deepEqual(listed.map((c) => c.cameraId), ids);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    assert.match(metrics, /shotscale_frames_analysed_total\{camera="cam-\d",node="b"\} \d+/);
    assert.doesNotMatch(metrics, /node="a"/);
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test('kill -9 of a node: its cameras move to the others within the lease time, and their readouts resume', { timeout: 120_000 }, async () => {
  const ids = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6'];
  const spec = await clusterSpec(ids, 3);
  const a = await node(spec, 'a', 4);
  const b = await node(spec, 'b', 4);
  const c = await node(spec, 'c', 4);
  try {
    await waitForCluster(a.url, (s) => s.nodes.length === 3 && s.nodes.every((n) => n.cameras.length === 2), 20_000, 'two cameras on each of three nodes');
    const before_ = await clusterState(a.url);
    const victims = camerasOf(before_, 'b');
    const { client } = await connectClient(a.url);
    try {
      await stopNode(b, 'SIGKILL');
      // The bound: the lease (3 s) plus a tick to notice, plus a camera start; 10 s is the default lease.
      const { state, ms } = await waitForCluster(a.url, (s) => s.nodes.length === 2 && allHeld(s).join() === ids.join(), 15_000, `b's cameras (${victims.join(', ')}) on a and c`);
      assert.ok(ms < 3000 + 5000, `failover took ${ms} ms`);
      assert.equal(camerasOf(state, 'a').length + camerasOf(state, 'c').length, 6);
      await readoutsFrom(client, victims, 15_000);
    } finally {
      client.close();
    }
  } finally {
    await Promise.all([stopNode(a), stopNode(c)]);
  }
});

test('SIGTERM drains a node: its cameras are handed over at once, not after the lease; a new node takes a share', { timeout: 120_000 }, async () => {
  const ids = ['d-1', 'd-2', 'd-3', 'd-4'];
  // A long lease: a handover that waited for it would take 30 s.
  const spec = await clusterSpec(ids, 30);
  const a = await node(spec, 'a', 4);
  try {
    await waitForCluster(a.url, (s) => camerasOf(s, 'a').length === 4, 20_000, 'a alone takes all four');
    const b = await node(spec, 'b', 4);
    const { state } = await waitForCluster(a.url, (s) => camerasOf(s, 'a').length === 2 && camerasOf(s, 'b').length === 2, 20_000, 'b takes its share');
    const moving = camerasOf(state, 'b');
    const stopping = stopNode(b, 'SIGTERM');
    const { ms } = await waitForCluster(a.url, (s) => camerasOf(s, 'a').length === 4, 10_000, `b's cameras (${moving.join(', ')}) back on a`);
    assert.equal(await b.exited, 0, 'a drained node exits 0');
    await stopping;
    assert.ok(ms < 10_000, `handover took ${ms} ms`);
    assert.match(b.stderr(), /handed over d-\d, d-\d/);
  } finally {
    await stopNode(a);
  }
});

test('cameras added, changed and removed over the API of one node act on the node that runs them', { timeout: 120_000 }, async () => {
  const spec = await clusterSpec(['e-1']);
  const a = await node(spec, 'a', 2);
  const b = await node(spec, 'b', 2);
  try {
    await waitForCluster(a.url, (s) => allHeld(s).join() === 'e-1', 20_000, 'e-1 held');
    const added = await httpJson(`${a.url}/api/cameras`, { method: 'POST', body: { id: 'e-2', analysisFps: 5, source: { kind: 'file', path: clip, loop: true, realtime: true } } });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const { state } = await waitForCluster(b.url, (s) => allHeld(s).join() === 'e-1,e-2', 10_000, 'e-2 taken by a node');
    const owner = state.nodes.find((n) => n.cameras.includes('e-2'))!;

    // Renamed through the other node: the owner restarts it under the new name.
    const other = owner.nodeId === 'a' ? b : a;
    const patched = await httpJson(`${other.url}/api/cameras/e-2`, { method: 'PATCH', body: { name: 'Jib' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const { client } = await connectClient(other.url);
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const described = (await httpJson(`${other.url}/api/cameras/e-2`)).body as { status: { name: string; state: string }; config: { name: string } };
        if (described.status.name === 'Jib' && described.status.state === 'live') break;
        assert.ok(Date.now() < deadline, `e-2 not renamed and live: ${JSON.stringify(described)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const removed = new Promise<string>((resolve) => client.on('camera:removed', ({ cameraId }) => resolve(cameraId)));
      assert.equal((await httpJson(`${other.url}/api/cameras/e-2`, { method: 'DELETE' })).status, 204);
      assert.equal(await removed, 'e-2');
      await waitForCluster(a.url, (s) => allHeld(s).join() === 'e-1', 10_000, 'e-2 stopped on its node');
    } finally {
      client.close();
    }
    // Bad input is refused with its code wherever it is sent.
    assert.equal((await httpJson(`${a.url}/api/cameras`, { method: 'POST', body: { id: 'e-1', source: { kind: 'testsrc' } } })).status, 409);
    assert.equal((await httpJson(`${b.url}/api/cameras/nope`, { method: 'PATCH', body: { name: 'x' } })).status, 404);
    const bad = await httpJson(`${b.url}/api/cameras`, { method: 'POST', body: { id: 'e-3', source: { kind: 'warp' } } });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { error: { code: string } }).error.code, 'CAMERA_INVALID');
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test('Redis stopped and started again: nodes keep analysing, the wall says so, fan-out resumes', { timeout: 120_000 }, async () => {
  const spec = await clusterSpec(['r-1', 'r-2']);
  const a = await node(spec, 'a', 1);
  const b = await node(spec, 'b', 1);
  try {
    await waitForCluster(a.url, (s) => camerasOf(s, 'a').length === 1 && camerasOf(s, 'b').length === 1, 20_000, 'one camera each');
    const mine = camerasOf(await clusterState(a.url), 'a')[0]!;
    const theirs = camerasOf(await clusterState(a.url), 'b')[0]!;
    const { client } = await connectClient(a.url);
    try {
      const alerts: Alert[] = [];
      client.on('alert', (alert) => alerts.push(alert));
      await redis.stop();
      await waitForCluster(a.url, (s) => s.redis === 'down', 10_000, 'a sees Redis down');
      // This node's own camera is still analysed and shown.
      await readoutsFrom(client, [mine], 10_000);
      const raised = alerts.find((alert) => alert.kind === 'cluster' && alert.resolvedAt === null);
      assert.ok(raised, `a cluster alert on the wall: ${JSON.stringify(alerts)}`);
      assert.match(raised.message, /Redis unreachable/);
      // Nodes do not give up their cameras while Redis is away.
      assert.equal(a.child.exitCode, null);

      await redis.start();
      await waitForCluster(a.url, (s) => s.redis === 'up' && camerasOf(s, 'a').length === 1 && camerasOf(s, 'b').length === 1, 15_000, 'Redis back, cameras held again');
      await readoutsFrom(client, [mine, theirs], 15_000);
      assert.ok(alerts.some((alert) => alert.kind === 'cluster' && alert.resolvedAt !== null), 'the cluster alert is resolved');
    } finally {
      client.close();
    }
  } finally {
    if (redis) await redis.start().catch(() => undefined);
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test('PostgreSQL stopped and started again: cameras keep running; changes made meanwhile are refused with a code', { timeout: 120_000 }, async () => {
  const spec = await clusterSpec(['p-1', 'p-2']);
  const a = await node(spec, 'a', 2);
  try {
    await waitForCluster(a.url, (s) => camerasOf(s, 'a').length === 2, 20_000, 'a holds both');
    const { client } = await connectClient(a.url);
    try {
      await postgres.stop();
      await waitForCluster(a.url, (s) => s.postgres === 'down', 10_000, 'a sees PostgreSQL down');
      await readoutsFrom(client, ['p-1', 'p-2'], 10_000);
      const refused = await httpJson(`${a.url}/api/cameras`, { method: 'POST', body: { id: 'p-3', source: { kind: 'testsrc' } } });
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal((refused.body as { error: { code: string } }).error.code, 'CLUSTER_UNREACHABLE');
      await postgres.start();
      await waitForCluster(a.url, (s) => s.postgres === 'up', 15_000, 'PostgreSQL back');
      assert.equal((await httpJson(`${a.url}/api/cameras`, { method: 'POST', body: { id: 'p-3', source: { kind: 'testsrc' } } })).status, 201);
    } finally {
      client.close();
    }
  } finally {
    await postgres.start().catch(() => undefined);
    await stopNode(a);
  }
});

test('a node that cannot reach Redis or PostgreSQL at start says which and exits non-zero; a second node with a live id is refused', { timeout: 120_000 }, async () => {
  const spec = await clusterSpec([]);
  const deadPort = 1; // nothing listens on port 1
  for (const [what, broken, key] of [
    ['redis', { ...spec, redisUrl: `redis://127.0.0.1:${deadPort}` }, 'cluster.redisUrl'],
    ['postgres', { ...spec, postgresUrl: `postgres://shotscale:secret@127.0.0.1:${deadPort}/x` }, 'cluster.postgresUrl'],
  ] as const) {
    const run = await runCli(['serve', '--config', nodeConfig(broken, 'a', 1)], { timeoutMs: 60_000 });
    assert.notEqual(run.code, 0, `${what}: exit code`);
    assert.match(run.stderr, /CLUSTER_UNREACHABLE/, what);
    assert.match(run.stderr, new RegExp(key.replace('.', '\\.')), what);
    assert.doesNotMatch(run.stderr, /secret/, `${what}: no password in the message`);
    assert.doesNotMatch(run.stdout, /listening on/);
  }
  const a = await node(spec, 'a', 1);
  try {
    const twin = await runCli(['serve', '--config', nodeConfig(spec, 'a', 1)], { timeoutMs: 60_000 });
    assert.notEqual(twin.code, 0);
    assert.match(twin.stderr, /CLUSTER_NODE_ID_IN_USE/);
  } finally {
    await stopNode(a);
  }
});
