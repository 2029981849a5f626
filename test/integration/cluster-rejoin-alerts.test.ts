/**
 * A node's own take-interrupted alerts across its restarts, on real nodes
 * with a real redis-server and PostgreSQL: every node shows them, and the
 * cluster's history has them. The alert a restart raises comes as the shot
 * log opens, before the node joins; and the other nodes drop a killed node's
 * alerts when its heartbeat lapses. Without more, the restarted node's
 * wall had 4 alerts and the other's 2, and one raised before the join was
 * missing from the history altogether: a node (re)joining announces and
 * records its own, and tells them again now and then (a heartbeat can lapse
 * while the node runs on, which it never sees itself).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Redis } from 'ioredis';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { testsrc, until, withoutCameras } from '../support/cluster-takes.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-health.js';
import type { Alert, ShotRecord } from '../../server/shared/shots.js';

const bed = clusterTestBed();

async function alerts(url: string): Promise<{ active: Alert[]; history: Alert[] }> {
  return (await httpJson(`${url}/api/alerts?history=1`)).body as { active: Alert[]; history: Alert[] };
}

/** The keys of b's take-interrupted alerts, sorted: those active on a node's wall, or those unresolved in the cluster's history. */
const bInterruptions = (list: Alert[]) => list.filter((a) => a.kind === 'take-interrupted' && a.key.endsWith('@b') && a.resolvedAt === null).map((a) => a.key).sort();

test("a node killed during a take and started again, twice: its take-interrupted alert is on every node's wall and in the cluster's history", { timeout: 240_000 }, async () => {
  const name = `cluster_rejoin_alerts_${process.pid}`;
  const spec: ClusterSpec = { redisUrl: bed.redis.url, postgresUrl: await createDatabase(bed.postgres.url, name), keyPrefix: name, leaseS: 3, cameras: ['r-1', 'r-2'].map(testsrc) };
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  try {
    a = await startNode(spec, 'a', 1);
    bed.started.push(a);
    b = await startNode(spec, 'b', 1);
    bed.started.push(b);
    const aUrl = a.url;
    const state = await until(
      async () => ((await httpJson(`${aUrl}/api/health`)).body as { cluster: ClusterNodeState }).cluster,
      (s) => s.nodes.length === 2 && s.nodes.every((n) => n.cameras.length === 1),
      'one camera on each node',
    );
    const bCamera = state.nodes.find((n) => n.nodeId === 'b')!.cameras[0]!;
    const slated = await httpJson(`${aUrl}/api/takes`, { method: 'POST', body: { scene: '80' } });
    assert.ok(slated.status === 200 || slated.status === 201, JSON.stringify(slated.body));
    const firstB = b;
    await until(async () => ((await httpJson(`${firstB.url}/api/shots?scope=node&camera=${bCamera}&scene=80`)).body as { shots: ShotRecord[] }).shots, (shots) => shots.length > 0, "b's shot in scene 80");

    // Killed and started again (running no camera since): its alert, raised as its shot log opened, before it joined, and never
    // told again (no shot comes to end its gap), reaches a's wall and the history.
    const idle = withoutCameras(b.config);
    const restartB = async (): Promise<NodeProcess> => {
      await stopNode(b!, 'SIGKILL');
      const again = await startNode(spec, 'b', 0, { config: idle });
      bed.started.push(again);
      return again;
    };
    b = await restartB();
    const secondB = b;
    const own = await until(async () => bInterruptions((await alerts(secondB.url)).active), (keys) => keys.length === 1, "b's own alert");
    await until(async () => bInterruptions((await alerts(aUrl)).active), (keys) => isDeepStrictEqual(keys, own), "b's alert on a's wall");
    await until(async () => bInterruptions((await alerts(aUrl)).history), (keys) => isDeepStrictEqual(keys, own), "b's alert in the cluster's history");

    // Killed again: a drops b's alerts once b's heartbeat lapses. Back, b's alert (kept across the restart) is on a's wall again.
    await stopNode(secondB, 'SIGKILL');
    await until(async () => bInterruptions((await alerts(aUrl)).active), (keys) => keys.length === 0, 'a drops the alerts of b, gone', 20_000);
    b = await restartB();
    const thirdB = b;
    await until(async () => bInterruptions((await alerts(thirdB.url)).active), (keys) => isDeepStrictEqual(keys, own), "b's own alert, kept");
    await until(async () => bInterruptions((await alerts(aUrl)).active), (keys) => isDeepStrictEqual(keys, own), "b's alert on a's wall again");
    // And it stays: a list of the live nodes read a moment before b's heartbeat was does not drop it again.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(bInterruptions((await alerts(aUrl)).active), own);
    assert.deepEqual(bInterruptions((await alerts(aUrl)).history), own);

    // b's heartbeat lapses while b runs on (its key gone for a few seconds, as a tick held up past the heartbeat's
    // lifetime leaves it): a drops b's alert; b, which finds itself listed at each of its ticks, tells it again.
    const redis = new Redis(bed.redis.url, { lazyConnect: true });
    await redis.connect();
    try {
      const lapse = setInterval(() => void redis.del(`${name}:node:b`).catch(() => undefined), 50);
      try {
        await until(async () => bInterruptions((await alerts(aUrl)).active), (keys) => keys.length === 0, 'a drops the alerts of b, its heartbeat gone', 20_000);
      } finally {
        clearInterval(lapse);
      }
    } finally {
      redis.disconnect();
    }
    await until(async () => bInterruptions((await alerts(aUrl)).active), (keys) => isDeepStrictEqual(keys, own), "b's alert on a's wall once b tells it again", 45_000);
  } finally {
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
  }
});
