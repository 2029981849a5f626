/**
 * A camera that loses its node twice in a cluster, on real nodes with a
 * real redis-server and PostgreSQL: each outage is an incident of its own.
 * Its stalled alert starts when that outage starts and is raised only
 * after stalledS of it, never at once from the start of an earlier one, and
 * never while the camera's pictures still arrive; the alert history keeps
 * one record per outage, not one that spans both and the live time between.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterTestBed, createDatabase, nodeConfig, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { connectClient, httpJson } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-node.js';
import type { Alert } from '../../server/shared/shots.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';

const bed = clusterTestBed();
const STALLED_S = 2;
const ID = 'inc-1';
const ALERTS = [`coverage: { alerts: { stalledS: ${STALLED_S}, stuckS: null, doublingS: 600 } }`];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cluster(url: string): Promise<ClusterNodeState> {
  return ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster;
}

async function alerts(url: string): Promise<{ active: Alert[]; history: Alert[] }> {
  return (await httpJson(`${url}/api/alerts?history=1`)).body as { active: Alert[]; history: Alert[] };
}

const stalledOf = (list: Alert[]) => list.filter((x) => x.key === `stalled:${ID}`);

test('a camera that loses its node, runs again, then loses it again: the second stalled alert starts with the second outage, after stalledS, and the history keeps the two apart', { timeout: 180_000 }, async () => {
  const db = `cluster_incidents_${process.pid}`;
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, db),
    keyPrefix: db,
    leaseS: 3,
    cameras: [`{ id: ${ID}, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`],
  };
  // a judges the alerts and runs no camera; b runs the camera, and takes it back each time it starts.
  const a = await startNode(spec, 'a', 0, { config: nodeConfig(spec, 'a', 0, ALERTS) });
  bed.started.push(a);
  await waitFor('a takes the duty', async () => ((await cluster(a.url)).nodes.find((n) => n.nodeId === 'a')?.coverageDuty ? true : undefined), 20_000);
  const bConfig = nodeConfig(spec, 'b', 1, ALERTS);
  const startB = async (): Promise<NodeProcess> => {
    const b = await startNode(spec, 'b', 1, { config: bConfig });
    bed.started.push(b);
    return b;
  };
  const liveOnB = () =>
    waitFor(`${ID} live on b`, async () => {
      const cameras = (await httpJson(`${a.url}/api/cameras`)).body as CameraStatus[];
      return cameras.some((c) => c.cameraId === ID && c.node === 'b' && c.state === 'live') ? true : undefined;
    }, 30_000);

  // What a's wall is told: every raise of the alert, and when the camera's last picture (readout) arrived before it.
  const { client } = await connectClient(a.url);
  let lastReadout = 0;
  const raised: { at: number; since: number; afterReadoutMs: number }[] = [];
  client.on('readout', (r) => {
    if (r.cameraId === ID) lastReadout = Date.now();
  });
  client.on('alert', (alert) => {
    if (alert.key === `stalled:${ID}` && alert.resolvedAt === null) raised.push({ at: Date.now(), since: alert.since, afterReadoutMs: Date.now() - lastReadout });
  });

  let b = await startB();
  try {
    await liveOnB();
    // The first outage: b drains (SIGTERM) and a, with no room, cannot take the camera.
    const firstAt = Date.now();
    await stopNode(b);
    const first = await waitFor('the first stalled alert', async () => stalledOf((await alerts(a.url)).active)[0], 20_000);
    assert.ok(first.since >= firstAt - 3000, `first since ${first.since}, outage at ${firstAt}`);

    // b back: the camera runs again, and the alert resolves.
    b = await startB();
    await liveOnB();
    await waitFor('the first alert resolved', async () => (stalledOf((await alerts(a.url)).active).length === 0 ? true : undefined), 15_000);
    await sleep(3000);

    // The second outage.
    const secondAt = Date.now();
    await stopNode(b);
    const second = await waitFor('the second stalled alert', async () => stalledOf((await alerts(a.url)).active)[0], 20_000);
    assert.ok(second.since >= secondAt, `the second alert starts at ${new Date(second.since).toISOString()}, before the second outage (${new Date(secondAt).toISOString()}); the first began ${new Date(first.since).toISOString()}`);
    const secondRaise = raised.find((r) => r.since === second.since);
    assert.ok(secondRaise, JSON.stringify(raised));
    assert.ok(secondRaise.at - secondAt >= STALLED_S * 1000, `raised ${secondRaise.at - secondAt} ms after the outage, before stalledS (${STALLED_S} s)`);

    // The history: one record per outage, the first resolved before the second began.
    const history = stalledOf((await alerts(a.url)).history).sort((x, y) => x.since - y.since);
    assert.deepEqual(
      history.map((x) => x.since),
      [first.since, second.since],
      JSON.stringify(history),
    );
    assert.ok(history[0]!.resolvedAt !== null && history[0]!.resolvedAt < secondAt, JSON.stringify(history[0]));
    assert.equal(history[1]!.resolvedAt, null);

    // No alert was raised while the camera's pictures still arrived on a's wall.
    assert.ok(lastReadout > 0, `a's wall got no picture of ${ID}`);
    for (const r of raised) assert.ok(r.afterReadoutMs > 1000, `stalled raised ${r.afterReadoutMs} ms after a picture of ${ID}: ${JSON.stringify(raised)}`);
  } finally {
    client.close();
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});
