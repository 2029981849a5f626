/**
 * What the Publish view says, in Chromium with its fake camera, against a
 * real server, where it used to say something else:
 * - the media connection interrupted (the server frozen: nothing reaches it)
 *   showed "Publishing" and the red LIVE badge; it says "Interrupted", and
 *   "Publishing" again once the connection comes back;
 * - the server gone (its status feed lost) showed the camera LIVE on the
 *   server, from the last status it had; it says the server's side is not
 *   known;
 * - the session lost with the server (killed, restarted) ended in an error
 *   that needed a person at the device to press Start; the page publishes
 *   again by itself once the server is back (Reconnecting…, Stop offered);
 * - a Start while the server is gone is refused with its code (NETWORK) and
 *   what to do;
 * - a start refused because another tab publishes to the camera showed the
 *   server's words for API clients (end its session with an HTTP DELETE), no
 *   code, and kept saying so once that publisher had stopped; it shows the
 *   code (CAMERA_BUSY) and words a person at a phone can act on, says what
 *   to do, and says when the camera is free again.
 * The frozen and killed server runs in a child process (SIGSTOP, SIGKILL),
 * started again on the same port.
 * Screenshots go to test-artifacts/publish-states-*.png.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { freePort } from '../support/cluster-engines.js';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { launchChromium } from '../support/browser.js';
import { killServeProcess, startServeProcess, writeServeConfig } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { httpJson, REPO_DIR, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
/** A phone-sized window (see publish-page.test.ts for why not isMobile). */
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, deviceScaleFactor: 2 };

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `publish-states-${name}.png`), fullPage: true });

async function cameraState(url: string, id: string): Promise<string | undefined> {
  const { body } = await httpJson(`${url}/api/cameras`);
  return (body as CameraStatus[]).find((c) => c.cameraId === id)?.state;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function openPublish(context: BrowserContext, url: string, id: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('nav [data-view="publish"]').click();
  await page.locator('[data-testid="publish-id"]').fill(id);
  return page;
}

const textOf = async (page: Page, testId: string) => ((await page.locator(`[data-testid="${testId}"]`).textContent()) ?? '').trim();

describe('publish view: the session when the connection or the server goes', () => {
  let browser: Browser;
  let child: ChildProcess | null = null;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium(FAKE_MEDIA);
  });

  after(async () => {
    await killServeProcess(child);
    await browser?.close();
  });

  test('interrupted is not shown as live; a lost server is not shown as live; the page publishes again once the server is back', { timeout: 180_000 }, async () => {
    const dir = tempDir('shotscale-publish-states-');
    const config = path.join(dir, 'config.yaml');
    writeServeConfig(config, path.join(dir, 'data'), ['{ id: rig-a, source: { kind: webrtc } }'], await freePort());
    let served = await startServeProcess(config);
    child = served.child;
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, served.url, 'rig-a');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await waitFor('live on the server', async () => (await cameraState(served.url, 'rig-a')) === 'live');
      await page.locator('[data-testid="publish-server-state"][data-state="live"]').waitFor({ timeout: 5000 });
      assert.equal(await page.locator('.on-air').textContent(), '● LIVE');

      // The server frozen: no packet is answered, the browser's media connection goes "disconnected".
      child.kill('SIGSTOP');
      try {
        await page.locator('[data-testid="publish-state"][data-state="interrupted"]').waitFor({ timeout: 15_000 });
        assert.match(await textOf(page, 'publish-state'), /^Interrupted/);
        assert.doesNotMatch((await page.locator('.on-air').textContent()) ?? '', /LIVE/, 'no LIVE badge while nothing reaches the server');
        assert.match((await page.locator('.readout .note').textContent()) ?? '', /no picture reaches it/);
        await shot(page, 'interrupted');
      } finally {
        child.kill('SIGCONT');
      }
      // Back before the browser gives up: the same session publishes again.
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('.on-air').textContent(), '● LIVE');

      // The server gone: its last word was "live", which is no longer known to be true.
      child.kill('SIGKILL');
      await page.locator('[data-testid="publish-server-state"][data-state="unknown"]').waitFor({ timeout: 10_000 });
      assert.match(await textOf(page, 'publish-server-state'), /as last heard; not known now: the server's status feed is lost/);
      // The last state heard, greyed: live, or stalled where the server, thawed, had not yet had the frames the freeze held up.
      assert.match((await page.locator('[data-testid="publish-server-state"] .badge.stale').textContent()) ?? '', /^(live|stalled)$/, 'the last state, shown as not live');
      assert.match(await textOf(page, 'publish-readout'), /—|\(last readout\)/, 'the readout is not shown as current');

      // The session is lost with it: the page tries again by itself, the camera kept open, Stop offered.
      await page.locator('[data-testid="publish-state"][data-state="reconnecting"]').waitFor({ timeout: 40_000 });
      assert.match((await page.locator('.readout .note').textContent()) ?? '', /The connection to the server was lost\. Publishing again by itself \(attempt \d+/);
      assert.doesNotMatch((await page.locator('.on-air').textContent()) ?? '', /LIVE/);
      assert.equal(await page.locator('[data-testid="publish-stop"]').isEnabled(), true);
      assert.equal(await page.locator('[data-testid="publish-start"]').count(), 0, 'no Start while it publishes again by itself');
      await shot(page, 'reconnecting');

      // The server back on the same port: the same camera goes live again, nobody touching the device.
      served = await startServeProcess(config);
      child = served.child;
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 40_000 });
      await waitFor('live again on the restarted server', async () => (await cameraState(served.url, 'rig-a')) === 'live', 20_000);
      await page.locator('[data-testid="publish-server-state"][data-state="live"]').waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('.on-air').textContent(), '● LIVE');

      // Stopped while it publishes again by itself: it stops, and the camera is let go.
      child.kill('SIGKILL');
      await page.locator('[data-testid="publish-state"][data-state="reconnecting"]').waitFor({ timeout: 40_000 });
      await page.click('[data-testid="publish-stop"]');
      await page.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('[data-testid="publish-close"]').count(), 0, 'the camera is closed');

      // Starting again while it is gone: refused with a code, and told what to do.
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-error-code"]').waitFor({ timeout: 20_000 });
      assert.equal(await textOf(page, 'publish-error-code'), 'NETWORK');
      assert.match(await textOf(page, 'publish-advice'), /shotscale runs there/);
      await shot(page, 'server-gone');
    } finally {
      await context.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

describe('publish view: a camera another tab publishes to', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer();
    browser = await launchChromium(FAKE_MEDIA);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  test('the refusal is coded and says what to do, and the page says when the camera is free again', { timeout: 90_000 }, async () => {
    const context = await browser.newContext(PHONE);
    try {
      const first = await openPublish(context, server.url, 'shared-cam');
      await first.click('[data-testid="publish-start"]');
      await first.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await waitFor('live on the server', async () => (await cameraState(server.url, 'shared-cam')) === 'live');

      const second = await openPublish(context, server.url, 'shared-cam');
      await second.click('[data-testid="publish-start"]');
      await second.locator('[data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 20_000 });
      assert.match(await textOf(second, 'publish-state'), /already has a publisher: another device .* is publishing to it\. Stop it there first/);
      assert.doesNotMatch(await textOf(second, 'publish-state'), /DELETE|session/);
      assert.equal(await textOf(second, 'publish-error-code'), 'CAMERA_BUSY');
      assert.match(await textOf(second, 'publish-advice'), /Another device, tab or encoder is publishing to this camera id/);
      assert.equal(await second.locator('[data-testid="publish-freed"]').count(), 0, 'the camera is not free yet');
      await shot(second, 'busy');

      await first.click('[data-testid="publish-stop"]');
      await waitFor('waiting after the first tab stops', async () => (await cameraState(server.url, 'shared-cam')) === 'waiting');
      await second.locator('[data-testid="publish-freed"]').waitFor({ timeout: 10_000 });
      assert.equal(await second.locator('[data-testid="publish-advice"]').count(), 0, 'no advice to stop a publisher that has stopped');
      await shot(second, 'freed');

      await second.click('[data-testid="publish-start"]');
      await second.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      assert.equal(await second.locator('[data-testid="publish-error-code"]').count(), 0);
      await second.click('[data-testid="publish-stop"]');
      await second.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
    }
  });
});
