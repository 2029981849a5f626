/**
 * The Publish view after its session or start went wrong, in Chromium with
 * its fake camera against a real server, where it used to go stale:
 * - the server ended the session (camera disabled), then the camera was
 *   deleted: the page kept "press Start to publish again once it is enabled"
 *   and said `no camera "phone-1" yet`; it now says the camera was removed
 *   and that Start makes it again;
 * - a start refused for cam-1, then phone-1 typed in the id field: cam-1's
 *   error read as phone-1's until Start was pressed; it now says whose it is.
 * Screenshots go to test-artifacts/publish-server-end-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { launchChromium } from '../support/browser.js';
import { cameraStatus, httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import { ensureWebBuild } from '../support/web-build.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
/** A phone-sized window (see publish-page.test.ts for why not isMobile). */
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, deviceScaleFactor: 2 };

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `publish-server-end-${name}.png`), fullPage: true });
const textOf = async (page: Page, testId: string) => ((await page.locator(`[data-testid="${testId}"]`).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

async function openPublish(context: BrowserContext, url: string, id: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('nav [data-view="publish"]').click();
  await page.locator('[data-testid="publish-id"]').fill(id);
  return page;
}

/** Until the page's state line matches `pattern`. */
async function untilStateText(page: Page, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  await waitFor(`publish state ${pattern}`, async () => (pattern.test(await textOf(page, 'publish-state')) ? true : undefined), timeoutMs);
}

describe('publish view: the words follow the camera after the session or start went wrong', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({ cameras: [testsrcCamera('cam-1')] });
    browser = await launchChromium(FAKE_MEDIA);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  test('ended for a disabled camera, then the camera deleted: the page says it was removed and Start makes it again', { timeout: 60_000 }, async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, server.url, 'phone-1');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await waitFor('phone-1 live', async () => ((await cameraStatus(server.url, 'phone-1'))?.state === 'live' ? true : undefined), 20_000);
      assert.equal((await httpJson(`${server.url}/api/cameras/phone-1`, { method: 'PATCH', body: { enabled: false } })).status, 200);
      await untilStateText(page, /the camera was disabled on the server\. Press Start to publish again once it is enabled/);
      assert.equal(await textOf(page, 'publish-error-code'), 'CAMERA_BUSY');

      assert.equal((await httpJson(`${server.url}/api/cameras/phone-1`, { method: 'DELETE' })).status, 204);
      await untilStateText(page, /the camera was removed on the server\. Press Start to publish again \(a new camera is made\)/);
      assert.doesNotMatch(await textOf(page, 'publish-state'), /once it is enabled/);
      assert.equal(await textOf(page, 'publish-error-code'), 'CAMERA_NOT_FOUND');
      assert.equal(await textOf(page, 'publish-server-state'), '"phone-1" was removed on the server: Start makes it again');
      await shot(page, 'removed');

      // As it said: Start makes it again.
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await page.click('[data-testid="publish-stop"]');
      await page.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
    }
  });

  test('a start refused for cam-1, then phone-2 typed: the error is said to be cam-1\'s', { timeout: 60_000 }, async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, server.url, 'cam-1');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('[data-testid="publish-error-camera"]').count(), 0, 'the error is the camera in the field\'s');

      await page.locator('[data-testid="publish-id"]').fill('phone-2');
      await untilStateText(page, /for "cam-1", not "phone-2" in the field/, 5000);
      // Back to cam-1: its own error again, unqualified.
      await page.locator('[data-testid="publish-id"]').fill('cam-1');
      await page.locator('[data-testid="publish-error-camera"]').waitFor({ state: 'detached', timeout: 5000 });
      await shot(page, 'other-id');
    } finally {
      await context.close();
    }
  });
});
