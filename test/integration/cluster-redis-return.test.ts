/**
 * Every node cut off from a Redis that keeps running (a switch, a firewall;
 * a hung Redis looks the same), for longer than a lease, then back: the
 * leases and heartbeats expired meanwhile. The first node back used to see
 * every camera free and itself alone: it claimed the others' running
 * cameras (stopped there, restarted here, a camera analysed by two nodes),
 * showed them `waiting` / CLUSTER_UNASSIGNED and closed their open shots
 * as orphans. Each node takes back its own instead, and no camera changes
 * hands, on real nodes, a real redis-server and a real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startRelay } from '../support/cluster-engines.js';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-node.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';

const bed = clusterTestBed();
const LEASE_S = 3;

const camera = (id: string) => `{ id: ${id}, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`;

async function cameras(url: string): Promise<CameraStatus[]> {
  return (await httpJson(`${url}/api/cameras`)).body as CameraStatus[];
}

async function clusterState(url: string): Promise<ClusterNodeState> {
  return ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster;
}

/** Which node runs each camera, as one node's view of the cluster says (every node listed). */
const placement = (state: ClusterNodeState) => JSON.stringify(Object.fromEntries(state.nodes.map((n) => [n.nodeId, n.cameras.join()]).sort()));

interface ShotRow {
  id: string;
  node: string;
  camera: string;
  inTime: number;
  outTime: number;
  cutIn: string;
  cutOut: string | null;
}

interface Outage {
  /** Where the nodes reach Redis. */
  redisUrl: string;
  /** Takes Redis away from every node, and gives it back after `ms`. */
  run(ms: number): Promise<void>;
}

/**
 * Two nodes, each of `capacity`, share `ids` out; Redis goes away from both for
 * three lease times; then, for five lease times, each node's view and API are
 * read every ~200 ms, and the shot log is read at the end.
 */
async function returnAfterOutage(name: string, ids: string[], capacity: number, outage: Outage): Promise<void> {
  const db = `cluster_redis_return_${name}_${process.pid}`;
  const postgresUrl = await createDatabase(bed.postgres.url, db);
  const spec: ClusterSpec = { redisUrl: outage.redisUrl, postgresUrl, keyPrefix: db, leaseS: LEASE_S, cameras: ids.map(camera) };
  const nodes: NodeProcess[] = [];
  const shotsDb = new pg.Client({ connectionString: postgresUrl });
  try {
    for (const id of ['a', 'b']) {
      const started = await startNode(spec, id, capacity);
      bed.started.push(started);
      nodes.push(started);
      // a takes every camera alone, then hands some to b: wait for that before the next starts.
      await waitFor(`${id} runs a camera`, async () => ((await clusterState(started.url)).nodes.find((n) => n.nodeId === id)?.cameras.length ? true : undefined));
    }
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const settledView = await waitFor('the cameras shared out and settled', async () => {
      const [sa, sb] = await Promise.all([clusterState(a.url), clusterState(b.url)]);
      const both = sa.nodes.length === 2 && sa.nodes.every((n) => n.cameras.length > 0) && sa.unassigned.length === 0;
      return both && placement(sa) === placement(sb) ? placement(sa) : undefined;
    });
    // Shots open on every camera, in the cluster's log.
    await shotsDb.connect();
    await waitFor('an open shot of every camera in the cluster log', async () => {
      const { rows } = await shotsDb.query<{ camera_id: string }>("SELECT DISTINCT camera_id FROM cluster_shots WHERE status = 'open'");
      return rows.length === ids.length ? true : undefined;
    });

    const logged = nodes.map((n) => n.stderr().length);
    const cutAt = Date.now();
    // Away for well over a lease: every lease and heartbeat in Redis expires.
    const away = outage.run(3 * LEASE_S * 1000);
    await waitFor('both nodes see Redis away', async () => ((await Promise.all(nodes.map((n) => clusterState(n.url)))).every((s) => s.redis === 'down') ? true : undefined));
    await away;
    const restoredAt = Date.now();

    // Every ~200 ms for several lease times: each node's view of the cluster and its API's cameras.
    const views = new Set<string>();
    const unassigned: string[] = [];
    let bothBack = false;
    while (Date.now() - restoredAt < 5 * LEASE_S * 1000) {
      for (const n of nodes) {
        const [state, statuses] = await Promise.all([clusterState(n.url), cameras(n.url)]);
        for (const s of statuses) {
          // Not known while a node has not reached Redis yet (CLUSTER_UNREACHABLE) is true; unassigned is not.
          if (s.node === null || s.errorCode === 'CLUSTER_UNASSIGNED') unassigned.push(`${n.nodeId} at +${Date.now() - restoredAt} ms: ${s.cameraId} ${s.state} ${s.errorCode}: ${s.lastError}`);
        }
        if (state.redis === 'up' && state.nodes.length === 2) {
          bothBack = true;
          views.add(placement(state));
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(bothBack, 'both nodes back on Redis');
    assert.deepEqual(unassigned, [], 'no camera of a live node shown unassigned');
    assert.deepEqual([...views], [settledView], 'every camera stayed on its node');
    nodes.forEach((n, i) => {
      const since = n.stderr().slice(logged[i]);
      assert.doesNotMatch(since, /took \S+ \(lease|lost the lease|handing \S+ over|open shot\(s\) of nodes that are gone/, `${n.nodeId}: nothing taken, lost, handed over or closed as an orphan:\n${since}`);
      assert.match(since, /back after [\d.]+ s away from Redis/, `${n.nodeId} says why it waits`);
    });

    // The shot log: no camera restarted (no shot cut by a restart), none logged by two nodes at once.
    const { rows } = await shotsDb.query<ShotRow>(
      `SELECT id::text, node_id AS node, camera_id AS camera, in_time AS "inTime", out_time AS "outTime", record->>'cutIn' AS "cutIn", record->>'cutOut' AS "cutOut"
       FROM cluster_shots WHERE out_time >= $1 OR status = 'open' ORDER BY camera_id, in_time`,
      [cutAt],
    );
    const restarts = rows.filter((r) => r.cutIn === 'restart' || r.cutOut === 'restart');
    assert.deepEqual(restarts, [], 'no shot cut by a restart');
    for (const id of ids) {
      const list = rows.filter((r) => r.camera === id);
      assert.equal(new Set(list.map((r) => r.node)).size, 1, `${id}: logged by one node: ${JSON.stringify(list)}`);
      for (let i = 1; i < list.length; i++) assert.ok(list[i]!.inTime >= list[i - 1]!.outTime - 1, `${id}: shot ${list[i]!.id} starts before ${list[i - 1]!.id} ends`);
    }
  } finally {
    await shotsDb.end().catch(() => undefined);
    await Promise.all(nodes.map((n) => stopNode(n)));
  }
}

test('every node cut off from Redis for longer than a lease, then back: each takes back its own cameras; none changes hands or restarts, none is shown unassigned, no open shot is closed', { timeout: 180_000 }, async () => {
  const relay = await startRelay(bed.redis);
  try {
    // Both nodes reach Redis through the relay only. Room for every camera on either node: the first one back
    // used to take the other's cameras, which the other lost at its next renewal.
    await returnAfterOutage('cut', ['cut-1', 'cut-2', 'cut-3'], 3, {
      redisUrl: relay.url,
      run: async (ms) => {
        await relay.cut();
        await new Promise((r) => setTimeout(r, ms));
        await relay.restore();
      },
    });
  } finally {
    // A relay left listening would keep this test process alive.
    await relay.cut();
  }
});

test('Redis hung (every command held) for longer than a lease, both nodes full: no camera of a live node is shown unassigned, none changes hands, no open shot is closed', { timeout: 180_000 }, async () => {
  // CLIENT PAUSE holds every client's commands, as a Redis stopped with kill -STOP: the nodes' commands time out.
  await returnAfterOutage('hung', ['hung-1', 'hung-2', 'hung-3', 'hung-4'], 2, {
    redisUrl: bed.redis.url,
    run: async (ms) => {
      const pausing = new Redis(bed.redis.url);
      try {
        await pausing.call('CLIENT', 'PAUSE', String(ms), 'ALL');
      } finally {
        pausing.disconnect();
      }
      await new Promise((r) => setTimeout(r, ms));
    },
  });
});
