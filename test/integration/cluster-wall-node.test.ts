/**
 * A cluster of a node running a camera (a) and a wall-only node (w, capacity
 * 0), on a real redis-server and a real PostgreSQL, where they used to say
 * something untrue:
 * - `PATCH /api/cameras/:id` answered 200 with the camera as it was before
 *   the change ("name": "Selfie" for {"name": "Selfie B"}), on either node:
 *   the answer now carries the change, and where the camera runs;
 * - the Health view of the wall-only node said "All good · No cameras are
 *   configured." above a table of the cluster's live cameras: it speaks of
 *   the cluster's cameras now, and says that this node runs none of them.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { launchChromium } from '../support/browser.js';
import { clusterTestBed, createDatabase, startNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import { ensureWebBuild } from '../support/web-build.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';

const bed = clusterTestBed();

const ID = 'selfie';

describe('a cluster with a wall-only node', { timeout: 180_000 }, () => {
  let a: NodeProcess;
  let w: NodeProcess;

  /** The camera as node `on` lists it, once `predicate` holds. */
  const listed = (on: NodeProcess, predicate: (status: CameraStatus) => boolean, what: string) =>
    waitFor(what, async () => {
      const { body } = await httpJson(`${on.url}/api/cameras`);
      return (body as CameraStatus[]).find((s) => s.cameraId === ID && predicate(s));
    });

  before(async () => {
    ensureWebBuild();
    const name = `cluster_wall_${process.pid}`;
    const spec: ClusterSpec = {
      redisUrl: bed.redis.url,
      postgresUrl: await createDatabase(bed.postgres.url, name),
      keyPrefix: name,
      leaseS: 3,
      cameras: [`{ id: ${ID}, name: Selfie, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`],
    };
    a = await startNode(spec, 'a', 2);
    bed.started.push(a);
    w = await startNode(spec, 'w', 0);
    bed.started.push(w);
    await listed(w, (s) => s.node === 'a' && s.state === 'live', 'selfie live on a, as w lists it');
  });

  test("the wall-only node's Health view speaks of the cluster's cameras, not of none configured", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      for (const [node, runs] of [
        [w, 'none of them'],
        [a, '1 of them'],
      ] as const) {
        await page.goto(node.url);
        await page.locator(`[data-camera-id="${ID}"][data-state="live"]`).waitFor({ timeout: 20_000 });
        await page.keyboard.press('h');
        await page.locator(`[data-testid="health-row"][data-camera-id="${ID}"]`).waitFor({ timeout: 10_000 });
        const summary = page.locator('[data-testid="health-summary"]');
        // What the view knows of the cluster comes with /api/health (polled every 2 s): the nodes' table shows it has come.
        await page.locator('[data-testid="cluster-node"]').first().waitFor({ timeout: 10_000 });
        const text = await summary.innerText();
        assert.doesNotMatch(text, /No cameras are configured/, `${node.nodeId}: ${text}`);
        assert.match(text, new RegExp(`1 of 1 camera of the cluster live; this node \\(${node.nodeId}\\) runs ${runs}\\.`), `${node.nodeId}: ${text}`);
      }
    } finally {
      await browser.close();
    }
  });

  test('PATCH answers with the camera as changed, on the node running it and on the wall-only node', async () => {
    const onA = await httpJson(`${a.url}/api/cameras/${ID}`, { method: 'PATCH', body: { name: 'Selfie B' } });
    assert.equal(onA.status, 200, JSON.stringify(onA.body));
    const b = onA.body as CameraStatus;
    assert.equal(b.name, 'Selfie B', JSON.stringify(b));
    assert.equal(b.enabled, true);
    assert.equal(b.node, 'a', 'it runs on a');
    // Read at once on the other node, before a restarts the camera: the status has the change too.
    const read = (await httpJson(`${w.url}/api/cameras/${ID}`)).body as { status: CameraStatus; config: { name: string } };
    assert.deepEqual([read.config.name, read.status.name, read.status.node], ['Selfie B', 'Selfie B', 'a'], JSON.stringify(read));

    const onW = await httpJson(`${w.url}/api/cameras/${ID}`, { method: 'PATCH', body: { name: 'Selfie C', analysisFps: 3, source: { kind: 'testsrc', pattern: 'smptebars', width: 64, height: 48, fps: 5 } } });
    assert.equal(onW.status, 200, JSON.stringify(onW.body));
    const c = onW.body as CameraStatus;
    assert.deepEqual([c.name, c.analysisFps, c.source, c.node], ['Selfie C', 3, 'smptebars 64x48@5', 'a'], JSON.stringify(c));
    // The change itself applies within a second or so: every node lists it as answered.
    await listed(w, (s) => s.name === 'Selfie C' && s.analysisFps === 3 && s.node === 'a', 'the change listed on w');

    const disabled = await httpJson(`${w.url}/api/cameras/${ID}`, { method: 'PATCH', body: { enabled: false } });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    const d = disabled.body as CameraStatus;
    assert.deepEqual([d.name, d.enabled, d.state, d.node, d.lastError], ['Selfie C', false, 'waiting', null, 'disabled'], JSON.stringify(d));
    await listed(a, (s) => !s.enabled && s.state === 'waiting', 'the camera stopped on a');

    const enabled = await httpJson(`${a.url}/api/cameras/${ID}`, { method: 'PATCH', body: { enabled: true } });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const e = enabled.body as CameraStatus;
    assert.deepEqual([e.name, e.enabled, e.state, e.node], ['Selfie C', true, 'waiting', null], JSON.stringify(e));
    await listed(w, (s) => s.enabled && s.node === 'a' && s.state === 'live', 'the camera live on a again');
  });
});
