/**
 * Which cameras move between nodes, and what a camera no node can run says,
 * on real nodes with a real redis-server and PostgreSQL. A node above its
 * fair share handed over the one camera whose WHIP publisher was connected
 * to it (the publisher saw "pc failed", the camera waited on the other node
 * with none), logging "more than this node's share"; now another camera
 * moves, and the log says why. A camera whose file no node has showed
 * CLUSTER_UNASSIGNED, "every node is at its capacity", on every node; now
 * it is failed, with the node that tried, the error's code and its cause.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium } from '../support/browser.js';
import { clusterTestBed, createDatabase, nodeConfig, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import { publishWhip, type WhipPublisher } from '../support/whip-publisher.js';
import { ensureWebBuild } from '../support/web-build.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-node.js';
import type { Alert } from '../../server/shared/shots.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';

const bed = clusterTestBed(collectWrtcGarbage);
const LEASE_S = 3;

const testsrc = (id: string) => `{ id: ${id}, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`;

async function spec(name: string, cameras: string[]): Promise<ClusterSpec> {
  const db = `${name}_${process.pid}`;
  return { redisUrl: bed.redis.url, postgresUrl: await createDatabase(bed.postgres.url, db), keyPrefix: db, leaseS: LEASE_S, cameras };
}

async function node(s: ClusterSpec, nodeId: string, capacity: number, extra: string[] = []): Promise<NodeProcess> {
  const started = await startNode(s, nodeId, capacity, { config: nodeConfig(s, nodeId, capacity, extra) });
  bed.started.push(started);
  return started;
}

async function heldBy(url: string): Promise<Record<string, string[]>> {
  const state = ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster;
  return Object.fromEntries(state.nodes.map((row) => [row.nodeId, [...row.cameras].sort()]));
}

async function camera(url: string, id: string): Promise<CameraStatus> {
  const { status, body } = await httpJson(`${url}/api/cameras/${id}`);
  assert.equal(status, 200, JSON.stringify(body));
  return (body as { status: CameraStatus }).status;
}

test('a node above its share hands over a camera without a sender, not the WHIP camera whose publisher is connected to it; the log says why', { timeout: 180_000 }, async () => {
  const s = await spec('cluster_moves_whip', [testsrc('cam-2'), '{ id: phone, source: { kind: webrtc } }']);
  // Alone, a takes both; its publisher connects to it before b comes.
  const a = await node(s, 'a', 2);
  let publisher: WhipPublisher | null = null;
  try {
    await waitFor('a runs cam-2 and phone', async () => ((await heldBy(a.url)).a?.join() === 'cam-2,phone' ? true : undefined), 30_000);
    publisher = await publishWhip(`${a.url}/whip/phone`, { fps: 10, width: 320, height: 180 });
    await waitFor('phone live on a', async () => ((await camera(a.url, 'phone')).state === 'live' ? true : undefined), 30_000);

    // b has room: a is above its fair share (1 of 2 cameras) and hands one over.
    const b = await node(s, 'b', 2);
    const held = await waitFor('one camera each', async () => {
      const h = await heldBy(b.url);
      return h.a?.length === 1 && h.b?.length === 1 ? h : undefined;
    }, 30_000);
    assert.deepEqual(held, { a: ['phone'], b: ['cam-2'] }, `the camera with its publisher stays on a: ${a.stderr().slice(-3000)}`);
    assert.match(a.stderr(), /handing cam-2 over: this node runs 2 camera\(s\), above its fair share of 1, while node\(s\) b have room/);
    assert.doesNotMatch(a.stderr(), /handing phone over/);

    // A few ticks later nothing has moved back, and the publisher was never dropped.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await heldBy(b.url), { a: ['phone'], b: ['cam-2'] });
    const phone = await camera(b.url, 'phone');
    assert.deepEqual([phone.state, phone.node], ['live', 'a'], JSON.stringify(phone));
    assert.equal(publisher.pc.connectionState, 'connected');
    assert.doesNotMatch(a.stderr(), /WHIP session \S+ .*ended/);
    await stopNode(b);
  } finally {
    await publisher?.stop().catch(() => undefined);
    await stopNode(a);
  }
});

test('a camera whose file no node has: failed on every node, with the node that tried, the code and "no such file", and alerted; an edit that fixes it runs it', { timeout: 180_000 }, async () => {
  const s = await spec('cluster_moves_failed', [testsrc('cam-1')]);
  const alerts = ['coverage: { alerts: { stalledS: 3, stuckS: null, doublingS: 600 } }'];
  const a = await node(s, 'a', 2, alerts);
  const b = await node(s, 'b', 2, alerts);
  try {
    await waitFor('cam-1 runs', async () => (Object.values(await heldBy(a.url)).flat().includes('cam-1') ? true : undefined), 30_000);
    const added = await httpJson(`${a.url}/api/cameras`, { method: 'POST', body: { id: 'cam-x', source: { kind: 'file', path: '/nonexistent/file.mp4' } } });
    assert.equal(added.status, 201, JSON.stringify(added.body));

    for (const n of [a, b]) {
      const status = await waitFor(`cam-x failed on ${n.nodeId}`, async () => {
        const st = await camera(n.url, 'cam-x');
        return st.state === 'failed' ? st : undefined;
      }, 20_000);
      assert.equal(status.errorCode, 'CAMERA_INVALID', JSON.stringify(status));
      assert.equal(status.node, null);
      assert.match(status.lastError ?? '', /node [ab] could not start it \(CAMERA_INVALID: .*\/nonexistent\/file\.mp4: no such file/);
      assert.doesNotMatch(status.lastError ?? '', /capacity/);
      // The list (what the wall is pushed) agrees.
      const listed = ((await httpJson(`${n.url}/api/cameras`)).body as CameraStatus[]).find((c) => c.cameraId === 'cam-x')!;
      assert.deepEqual([listed.state, listed.errorCode], ['failed', 'CAMERA_INVALID'], JSON.stringify(listed));
    }
    // The wall's tile, which reads the status pushed to its page, says the same.
    ensureWebBuild();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(b.url);
      const tile = page.locator('[data-camera-id="cam-x"][data-state="failed"]').first();
      await tile.waitFor({ timeout: 20_000 });
      const text = (await tile.textContent()) ?? '';
      assert.match(text, /CAMERA_INVALID/);
      assert.doesNotMatch(text, /CLUSTER_UNASSIGNED/);
    } finally {
      await browser.close();
    }

    // The node judging the alerts raises one for it, as for a camera failing on a single node.
    await waitFor('an alert for cam-x', async () => {
      const active = ((await httpJson(`${a.url}/api/alerts`)).body as { active: Alert[] }).active;
      return active.some((x) => x.cameraIds.includes('cam-x') && x.resolvedAt === null) ? true : undefined;
    }, 30_000);

    // Given a source that runs, it runs: the failure of its old definition is not what it shows.
    const edited = await httpJson(`${b.url}/api/cameras/cam-x`, { method: 'PATCH', body: { source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    await waitFor('cam-x live', async () => ((await camera(a.url, 'cam-x')).state === 'live' ? true : undefined), 45_000);
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});
