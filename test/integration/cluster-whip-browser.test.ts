/**
 * A browser publishing over WHIP in a cluster, on a real redis-server, a real
 * PostgreSQL and real Chromium (its fake camera): the Publish view of one
 * node publishes a camera another node runs. A browser cannot follow the
 * 307 a WHIP client gets (its token is dropped and its origin hidden on a
 * redirect to another origin), so the node the page came from passes the
 * offer on, and the session's DELETE after it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { clusterTestBed, createDatabase, nodeConfig, startNode, stopNode, type ClusterSpec } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { launchChromium } from '../support/browser.js';
import { ensureWebBuild } from '../support/web-build.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';

const ADMIN = 'cluster-whip-admin-token-0123';
const PUBLISH = 'cluster-whip-publish-token-01';
const ID = 'stage-cam';

const bed = clusterTestBed(collectWrtcGarbage);
const started = bed.started;

before(() => {
  ensureWebBuild();
});

/** A node's config with the cluster's tokens (an admin's and a publish token). */
function withTokens(spec: ClusterSpec, nodeId: string, capacity: number): string {
  const file = nodeConfig(spec, nodeId, capacity);
  writeFileSync(file, readFileSync(file, 'utf8').replace('server: { port: 0 }', `server: { port: 0, accessToken: ${ADMIN}, publishTokens: [${PUBLISH}] }`));
  return file;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function cameraOn(url: string): Promise<CameraStatus & { node?: string | null } | undefined> {
  const { body } = await httpJson(`${url}/api/cameras`, { token: ADMIN });
  return (body as (CameraStatus & { node?: string | null })[]).find((c) => c.cameraId === ID);
}

test('the Publish view of one node publishes a camera another node runs, with a publish token; Stop ends the session there', { timeout: 180_000 }, async () => {
  const name = `cluster_whip_${process.pid}`;
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: [`{ id: ${ID}, source: { kind: webrtc } }`],
  };
  // a runs the cluster's WebRTC camera; b runs none, and serves the page.
  const a = await startNode(spec, 'a', 1, { config: withTokens(spec, 'a', 1) });
  started.push(a);
  const b = await startNode(spec, 'b', 0, { config: withTokens(spec, 'b', 0) });
  started.push(b);
  const browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  try {
    await waitFor('a runs the camera', async () => (await cameraOn(b.url))?.node === 'a');

    // A WHIP client without an Origin (OBS, ffmpeg) is still redirected to a.
    const redirect = await fetch(`${b.url}/whip/${ID}`, { method: 'POST', headers: { 'content-type': 'application/sdp', authorization: `Bearer ${PUBLISH}` }, body: 'v=0\r\n', redirect: 'manual' });
    assert.equal(redirect.status, 307);
    assert.equal(redirect.headers.get('location'), `${a.url}/whip/${ID}`);
    // An offer already passed on by another node is not passed on again.
    const looped = await fetch(`${b.url}/whip/${ID}`, { method: 'POST', headers: { 'content-type': 'application/sdp', authorization: `Bearer ${PUBLISH}`, origin: b.url, 'x-shotscale-forwarded-by': 'c' }, body: 'v=0\r\n' });
    assert.equal(looped.status, 409);
    assert.equal(((await looped.json()) as { error: { code: string } }).error.code, 'CLUSTER_ELSEWHERE');
    // Passed on, the token is checked again on a: a wrong one is refused there as here.
    const wrong = await fetch(`${b.url}/whip/${ID}`, { method: 'POST', headers: { 'content-type': 'application/sdp', origin: b.url }, body: 'v=0\r\n' });
    assert.equal(wrong.status, 401);

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await page.goto(`${b.url}/?token=${PUBLISH}`);
    await page.locator('[data-testid="publish-only"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="publish-id"]').fill(ID);
    await page.click('[data-testid="publish-start"]');
    const state = page.locator('[data-testid="publish-state"]');
    await page.waitForFunction(() => ['publishing', 'error'].includes(document.querySelector('[data-testid="publish-state"]')?.getAttribute('data-state') ?? ''), null, { timeout: 30_000 });
    assert.equal(await state.getAttribute('data-state'), 'publishing', `the page publishes through b: ${await state.textContent()}`);
    await waitFor('the camera is live on a', async () => {
      const camera = await cameraOn(a.url);
      return camera?.node === 'a' && camera.state === 'live';
    });
    assert.match(a.stderr(), /WHIP session \w+ started from /, 'a answered the offer');

    // Stop: the page's DELETE goes to b, which passes it on to a; the camera waits for its next publisher.
    await page.click('[data-testid="publish-stop"]');
    await page.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
    await waitFor('the camera waits again on a', async () => (await cameraOn(a.url))?.state === 'waiting', 10_000);
    await waitFor('a ended the session by its DELETE', async () => /WHIP session \w+ .*ended after \d+ s: the publisher ended it \(DELETE\)/.test(a.stderr()), 15_000);
  } finally {
    await browser.close();
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});
