/**
 * The take a shot names in a cluster, on a real redis-server and a real
 * PostgreSQL: every node numbers its own takes, and a node that joined
 * later numbers them from 1 again, but a shot listed or exported from the
 * cluster's record (through any node) names its take by the id of the
 * take's record: the id GET /api/takes lists and PATCH /api/takes/:id marks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-node.js';
import type { Take } from '../../server/shared/shots.js';
import type { StoredShot } from '../../server/store/shot-store.js';

const bed = clusterTestBed();

const camera = (id: string) => `{ id: ${id}, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cameraCounts(url: string): Promise<Record<string, number>> {
  const state = ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster;
  return Object.fromEntries(state.nodes.map((n) => [n.nodeId, n.cameras.length]));
}

/** The node that runs each camera. */
async function runners(url: string): Promise<Map<string, string>> {
  const state = ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster;
  return new Map(state.nodes.flatMap((n) => n.cameras.map((id) => [id, n.nodeId] as const)));
}

async function post(url: string, path: string, body: unknown): Promise<Take> {
  const answer = await httpJson(`${url}${path}`, { method: 'POST', body });
  assert.ok(answer.status === 200 || answer.status === 201, `${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as Take;
}

async function shots(url: string, query: string): Promise<StoredShot[]> {
  const { status, body } = await httpJson(`${url}/api/shots?${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return (body as { shots: StoredShot[] }).shots;
}

/** A take on every camera, `ms` long. */
async function shoot(url: string, scene: string, take: string, ms: number): Promise<void> {
  await post(url, '/api/takes', { scene, take });
  await sleep(ms);
  await post(url, '/api/takes/end', {});
}

test("shots listed and exported from the cluster's record name their take by the record's id, not by the number the node that logged them gave it", { timeout: 180_000 }, async () => {
  const name = `cluster_take_ids_${process.pid}`;
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: ['k-1', 'k-2'].map(camera),
  };
  // One camera each: a runs alone for the first take, so b (joined later) numbers the second take 1.
  const a = await startNode(spec, 'a', 1);
  bed.started.push(a);
  let b: NodeProcess | undefined;
  try {
    await waitFor('a runs a camera', async () => ((await cameraCounts(a.url)).a === 1 ? true : undefined), 30_000);
    await sleep(1000);
    await shoot(a.url, '1', '1', 2000);
    b = await startNode(spec, 'b', 1);
    bed.started.push(b);
    await waitFor('each node runs a camera', async () => {
      const counts = await cameraCounts(a.url);
      return counts.a === 1 && counts.b === 1 ? true : undefined;
    }, 30_000);
    // Both cameras live before the take: each logs a shot of it.
    await sleep(2000);
    await shoot(b.url, '2', '1', 3000);

    const takes = ((await httpJson(`${a.url}/api/takes`)).body as { takes: Take[] }).takes;
    const recordOf = (scene: string) => takes.find((t) => t.scene === scene && t.take === '1')?.id;
    const first = recordOf('1');
    const second = recordOf('2');
    assert.ok(typeof first === 'number' && typeof second === 'number', JSON.stringify(takes));

    // Every shot of each take, from both nodes' cameras, copied into the cluster's record (every 250 ms).
    const inSecond = await waitFor(
      'shots of scene 2 take 1 from both cameras in the cluster record',
      async () => {
        const found = (await shots(a.url, 'scene=2&take=1')).filter((s) => s.status === 'closed');
        return new Set(found.map((s) => s.cameraId)).size === 2 ? found : undefined;
      },
      15_000,
    );
    // The case at stake: b numbers the take otherwise (its first), and that number is the record of another take.
    const bOwn = (await shots(b.url, 'scene=2&take=1&scope=node'))[0];
    assert.ok(bOwn, 'b logged a shot of scene 2 take 1');
    assert.notEqual(bOwn.takeId, second, `b's own number of the take (${bOwn.takeId}) is the record's (${second}): the test shows nothing`);

    const run = await runners(a.url);
    for (const node of [a, b]) {
      for (const [scene, id] of [['1', first], ['2', second]] as const) {
        const listed = await shots(node.url, `scene=${scene}&take=1`);
        assert.ok(listed.length > 0, `node ${node.nodeId}: no shot of scene ${scene}`);
        for (const shot of listed) assert.equal(shot.takeId, id, `node ${node.nodeId}, scene ${scene}: shot ${shot.id} of ${shot.cameraId} names take ${shot.takeId}, the record is ${id}`);
      }
      // Another node's shot, as GET /api/shots/:id reads it from the cluster's record.
      const theirs = inSecond.find((s) => run.get(s.cameraId) !== node.nodeId)!;
      const one = await httpJson(`${node.url}/api/shots/${theirs.id}`);
      assert.equal(one.status, 200, JSON.stringify(one.body));
      assert.equal((one.body as StoredShot).takeId, second, `node ${node.nodeId}: GET /api/shots/${theirs.id} (of ${theirs.cameraId})`);
      // And its own shot, read from its own log: the same id, not its own number.
      const ours = inSecond.find((s) => run.get(s.cameraId) === node.nodeId)!;
      const own = await httpJson(`${node.url}/api/shots/${ours.id}`);
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal((own.body as StoredShot).takeId, second, `node ${node.nodeId}: GET /api/shots/${ours.id} of its own ${ours.cameraId}`);
      // The JSON export reads the same record.
      const exported = await httpJson(`${node.url}/api/shots?scene=2&take=1&format=json`);
      assert.equal(exported.status, 200);
      const document = (typeof exported.body === 'string' ? JSON.parse(exported.body) : exported.body) as { shots: StoredShot[] };
      assert.ok(document.shots.length > 0);
      for (const shot of document.shots) assert.equal(shot.takeId, second, `node ${node.nodeId}, JSON export: shot ${shot.id} of ${shot.cameraId}`);
      // Shots outside a take name none.
      for (const shot of await shots(node.url, 'status=closed')) if (shot.scene === null) assert.equal(shot.takeId, null, `shot ${shot.id} outside a take`);
    }

    // The id a shot names marks its own take.
    const marked = await httpJson(`${b.url}/api/takes/${inSecond[0]!.takeId}`, { method: 'PATCH', body: { mark: 'circled' } });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.deepEqual([(marked.body as Take).scene, (marked.body as Take).take], ['2', '1']);
  } finally {
    await Promise.all([stopNode(a), ...(b ? [stopNode(b)] : [])]);
  }
});
