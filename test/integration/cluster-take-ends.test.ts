/**
 * Takes the nodes of a cluster did not all hear of, and their ends, on real
 * nodes, a real redis-server and a real PostgreSQL: a take slated while
 * Redis was down (and came back empty) is kept in Redis again and told to
 * the others; a take ended on a node because another node said "end" has
 * its record ended, though the node that said it never had the take; and a
 * node started again after the cluster ended its take ends it at the
 * cluster's end, its gap with it, and puts the gap in the cluster's record.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { startRelay } from '../support/cluster-engines.js';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { listed, post, same, testsrc, until } from '../support/cluster-takes.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-health.js';
import type { Alert, ShotRecord, Take } from '../../server/shared/shots.js';
import { clockTime } from '../../server/shots/restart-gaps.js';

const bed = clusterTestBed();
const started = bed.started;

async function clusterSpec(name: string): Promise<ClusterSpec> {
  return { redisUrl: bed.redis.url, postgresUrl: await createDatabase(bed.postgres.url, name), keyPrefix: name, leaseS: 3, cameras: ['e-1', 'e-2'].map(testsrc) };
}

async function clusterState(url: string): Promise<ClusterNodeState> {
  return ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster;
}

/** The camera a node runs, once each of the two nodes runs one. */
async function cameraOf(url: string, nodeId: string): Promise<string> {
  const state = await until(() => clusterState(url), (s) => s.nodes.length === 2 && s.nodes.every((n) => n.cameras.length === 1), 'one camera on each node');
  return state.nodes.find((n) => n.nodeId === nodeId)!.cameras[0]!;
}

/** Waits until the nodes say Redis is `redis`. */
async function redisIs(nodes: NodeProcess[], redis: 'up' | 'down'): Promise<void> {
  await until(() => Promise.all(nodes.map(async (n) => (await clusterState(n.url)).redis)), (states) => states.every((s) => s === redis), `Redis ${redis} on every node`);
}

/** The scene's takes as one node lists them: scene, take, ended or not. */
async function takesOf(url: string, scene: string): Promise<[string, string, boolean][]> {
  return (await listed(url, `?scene=${scene}`)).takes.map((t) => [t.scene, t.take, t.endedAt !== null]);
}

test('a take slated while Redis is down, Redis back empty: the take is kept in Redis again and told to the other node, and its end there ends its record', { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(`cluster_take_ends_back_${process.pid}`);
  const nodes: NodeProcess[] = [];
  const redis = new Redis(bed.redis.url, { lazyConnect: true });
  try {
    for (const id of ['a', 'b']) {
      const node = await startNode(spec, id, 1);
      started.push(node);
      nodes.push(node);
    }
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const aCamera = await cameraOf(a.url, 'a');

    await bed.redis.stop();
    await redisIs(nodes, 'down');
    // Cut off, a slates the take on its own camera: no other node hears of it, and Redis keeps nothing.
    const slated = (await post(a.url, '/api/takes', { scene: '20' })) as Take;
    assert.deepEqual([slated.scene, slated.take, slated.cameras], ['20', '1', [aCamera]]);
    await bed.redis.start();
    await redisIs(nodes, 'up');

    // Nodes that start later read it from Redis; b, which never heard of it, runs it.
    await redis.connect();
    await until(
      async () => JSON.parse((await redis.get(`${spec.keyPrefix}:takes`)) ?? '[]') as { scene: string; take: string; startedAt: number }[],
      (list) => list.some((t) => t.scene === '20' && t.take === '1' && t.startedAt === slated.startedAt),
      'the take kept in Redis again',
    );
    await until(async () => (await listed(b.url, '')).running.map((t) => [t.scene, t.take, t.cameras]), same([['20', '1', [aCamera]]]), 'the take running on b');

    // Ended from b: the cluster's record ends, as both nodes list it.
    await post(b.url, '/api/takes/end', {});
    for (const node of nodes) await until(() => takesOf(node.url, '20'), same([['20', '1', true]]), `scene 20's record, read on ${node.nodeId}`);
    assert.deepEqual((await listed(a.url, '')).running, [], 'nothing runs on a');
  } finally {
    redis.disconnect();
    await bed.redis.start();
    await Promise.all(nodes.map((n) => stopNode(n)));
  }
});

test('a take started while a node was cut off from Redis: that node joins it once Redis answers, and "end" there ends it on every node and in the record', { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(`cluster_take_ends_told_${process.pid}`);
  const relay = await startRelay(bed.redis);
  const nodes: NodeProcess[] = [];
  try {
    const a = await startNode(spec, 'a', 1);
    started.push(a);
    nodes.push(a);
    // b reaches Redis through the relay alone: cut, it misses what a relays meanwhile.
    const b = await startNode({ ...spec, redisUrl: relay.url }, 'b', 1);
    started.push(b);
    nodes.push(b);
    await cameraOf(a.url, 'b');

    await relay.cut();
    await redisIs([b], 'down');
    await post(a.url, '/api/takes', { scene: '21' });
    await relay.restore();
    await redisIs(nodes, 'up');
    // b never heard the take start: it joins it from the running takes in Redis, its camera in the take as a's is.
    await until(async () => (await listed(b.url, '?scope=node')).running.map((t) => [t.scene, t.take]), same([['21', '1']]), 'scene 21 running on b, joined');

    // "End" on b ends the take on a, which records it (said again until b's relay reaches a: b's publisher may still be reconnecting).
    await until(
      async () => {
        await post(b.url, '/api/takes/end', {});
        return takesOf(a.url, '21');
      },
      same([['21', '1', true]]),
      "scene 21's record, read on a",
    );
    assert.deepEqual((await listed(a.url, '')).running, [], 'nothing runs on a');
    assert.deepEqual(await takesOf(b.url, '21'), [['21', '1', true]]);
  } finally {
    await Promise.all(nodes.map((n) => stopNode(n)));
    await relay.cut();
  }
});

test("a node started again after the cluster ended its take: it ends the take at the cluster's end, its gap and alert end there, and the gap is in the cluster's record", { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(`cluster_take_ends_restart_${process.pid}`);
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  try {
    a = await startNode(spec, 'a', 1);
    started.push(a);
    b = await startNode(spec, 'b', 1);
    started.push(b);
    const aCamera = await cameraOf(b.url, 'a');
    const slated = (await post(b.url, '/api/takes', { scene: '40' })) as Take;
    const aNode = a;
    await until(async () => ((await httpJson(`${aNode.url}/api/shots?scope=node&camera=${aCamera}&scene=40`)).body as { shots: ShotRecord[] }).shots, (shots) => shots.length > 0, "a's shots in scene 40");

    // a vanishes during the take; b ends it meanwhile; a starts again on its own shot log.
    await stopNode(a, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    const { ended } = (await post(b.url, '/api/takes/end', {})) as { ended: Take[] };
    assert.deepEqual(ended.map((t) => [t.id, t.scene]), [[slated.id, '40']]);
    const endedAt = ended[0]!.endedAt!;
    await new Promise((r) => setTimeout(r, 2000));
    a = await startNode(spec, 'a', 1, { config: a.config });
    started.push(a);
    const again = a;

    // a's own record of the take: ended at the cluster's end, its gap (from its last frame) ending there too.
    const own = await until(async () => (await listed(again.url, '?scope=node&scene=40')).takes, (takes) => takes.length === 1 && takes[0]!.endedAt !== null, "a's own record of the take ended");
    assert.equal(own[0]!.endedAt, endedAt, "a's take ends at the cluster's end");
    assert.equal(own[0]!.gaps.length, 1, JSON.stringify(own[0]!.gaps));
    const gap = own[0]!.gaps[0]!;
    assert.ok(gap.from < endedAt, JSON.stringify(gap));
    assert.equal(gap.to, endedAt, "a's gap ends at the take's end");
    // The cluster's record: its end, and a's gap.
    await until(
      async () => (await listed(again.url, '?scene=40')).takes.map((t) => [t.id, t.endedAt, t.gaps]),
      same([[slated.id, endedAt, [{ from: gap.from, to: endedAt, node: 'a', cameras: [aCamera] }]]]),
      "scene 40's record in the cluster",
    );
    // a's alert names the gap to the take's end.
    const alert = await until(
      async () => ((await httpJson(`${again.url}/api/alerts`)).body as { active: Alert[] }).active.find((x) => x.kind === 'take-interrupted' && x.scene === '40'),
      (found) => found !== undefined,
      "a's take-interrupted alert",
    );
    assert.match(alert!.message, new RegExp(`no shots from ${clockTime(gap.from)} to ${clockTime(endedAt)}; the take ended then$`), alert!.message);
  } finally {
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
  }
});
