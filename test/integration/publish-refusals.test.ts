/**
 * What the Publish view says after a refused or ended start, in Chromium
 * with its fake camera against a real server, where it used to say
 * something else:
 * - after a refused Start, another id typed in the field still showed the
 *   refused camera on the server (and its readout), and hid what the page
 *   says of the typed one (a testsrc camera: pick another id);
 * - a publisher that holds the camera without a picture (connected and
 *   silent, or still connecting while the camera reads `gone`) was taken for
 *   none: after the refusal the page said in green that Start takes the
 *   camera now, and Start was refused again; it believes the refusal until
 *   the camera's state changes to one without a publisher;
 * - errors without their code: the server ending the session (camera
 *   disabled), and /whip refusing the page's token (UNAUTHORIZED);
 * - Start, Stop, Start pressed quickly: the abandoned attempt's POST was
 *   answered after the Stop and held the camera, so the second Start was
 *   refused "still connecting: another device"; the page now ends the
 *   abandoned session first (its answer is held back here by the browser's
 *   own request routing, as a slow network would).
 * Screenshots go to test-artifacts/publish-refusals-*.png.
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
import { offeringPeer, publishWhip } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
/** A phone-sized window (see publish-page.test.ts for why not isMobile). */
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, deviceScaleFactor: 2 };
/** Long enough for the page to start and be refused while the connecting publisher holds the camera. */
const CONNECT_TIMEOUT_S = 12;

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `publish-refusals-${name}.png`), fullPage: true });
const textOf = async (page: Page, testId: string) => ((await page.locator(`[data-testid="${testId}"]`).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

const untilState = (url: string, id: string, state: string, timeoutMs = 20_000) =>
  waitFor(`${id} ${state} on the server`, async () => ((await cameraStatus(url, id))?.state === state ? true : undefined), timeoutMs);

async function openPublish(context: BrowserContext, url: string, id: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('nav [data-view="publish"]').click();
  await page.locator('[data-testid="publish-id"]').fill(id);
  return page;
}

/**
 * A WHIP publisher that sends no picture: answered and, with `connect`,
 * connected (ICE and DTLS up), but never a frame; without it the answer is
 * never applied, so it stays "connecting" until the server drops it.
 */
async function silentPublisher(url: string, connect: boolean): Promise<{ location: string; close(): Promise<void> }> {
  const peer = await offeringPeer();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: peer.offer });
  const answer = await response.text();
  assert.equal(response.status, 201, answer);
  const location = new URL(response.headers.get('location')!, url).href;
  if (connect) {
    await peer.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await waitFor('the silent publisher connected', async () => (peer.pc.connectionState === 'connected' ? true : undefined), 10_000);
  }
  return {
    location,
    async close() {
      await (await fetch(location, { method: 'DELETE' })).body?.cancel();
      peer.close();
    },
  };
}

describe('publish view: refusals and ended sessions', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({
      cameras: [{ id: 'phone-off', enabled: false, source: { kind: 'webrtc' } }, testsrcCamera('cam-1')],
      // A publisher without a picture reads waiting until the stall timeout, then stalled: long here, so the page sees only waiting.
      supervisor: { stallTimeoutS: 30, whip: { connectTimeoutS: CONNECT_TIMEOUT_S } },
    });
    browser = await launchChromium(FAKE_MEDIA);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  test('after a refused Start the page shows the camera typed in the field, not the refused one', { timeout: 60_000 }, async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, server.url, 'phone-off');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 20_000 });
      assert.match(await textOf(page, 'publish-state'), /camera "phone-off" is disabled/);
      assert.equal(await textOf(page, 'publish-error-code'), 'CAMERA_BUSY');

      await page.locator('[data-testid="publish-id"]').fill('cam-1');
      await page.locator('[data-testid="publish-server-state"][data-state="live"]').waitFor({ timeout: 10_000 });
      const server_ = await textOf(page, 'publish-server-state');
      assert.match(server_, /cam-1/);
      assert.doesNotMatch(server_, /phone-off/);
      assert.match(await textOf(page, 'publish-conflict'), /"cam-1" is a testsrc camera on the server; pick another id/);
      assert.equal(await page.locator('[data-testid="publish-advice"]').count(), 0, "the disabled camera's advice is not about cam-1");
      await shot(page, 'other-id');
    } finally {
      await context.close();
    }
  });

  test('a publisher that sends no picture keeps the camera: the page never says it is free', { timeout: 60_000 }, async () => {
    const silent = await silentPublisher(`${server.url}/whip/quiet-cam`, true);
    const context = await browser.newContext(PHONE);
    try {
      await untilState(server.url, 'quiet-cam', 'waiting');
      const page = await openPublish(context, server.url, 'quiet-cam');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 20_000 });
      assert.equal(await textOf(page, 'publish-error-code'), 'CAMERA_BUSY');
      assert.match(await textOf(page, 'publish-state'), /already has a publisher/);
      // The camera reads waiting the whole time: that is no sign the publisher left.
      assert.equal((await cameraStatus(server.url, 'quiet-cam'))?.state, 'waiting');
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(await page.locator('[data-testid="publish-freed"]').count(), 0, 'not said to be free while the silent publisher holds it');
      assert.match(await textOf(page, 'publish-advice'), /Another device, tab or encoder is publishing to this camera id/);
      assert.match(await textOf(page, 'publish-conflict'), /"quiet-cam" is being published from somewhere else/);
      await shot(page, 'silent-publisher');
    } finally {
      await context.close();
      await silent.close();
    }
  });

  test('a camera whose publisher left, with a new one connecting, is not free; Start takes it once the server has dropped that one', { timeout: 90_000 }, async () => {
    const url = `${server.url}/whip/back-cam`;
    const first = await publishWhip(url, { fps: 10 });
    await untilState(server.url, 'back-cam', 'live');
    first.drop();
    await untilState(server.url, 'back-cam', 'gone', 30_000);
    const connecting = await silentPublisher(url, false);
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, server.url, 'back-cam');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 20_000 });
      assert.equal(await textOf(page, 'publish-error-code'), 'CAMERA_BUSY');
      assert.match(await textOf(page, 'publish-state'), /still connecting/);
      // No publisher to be seen in the state (waiting for the new one's picture, or still gone from the last one).
      assert.match((await cameraStatus(server.url, 'back-cam'))?.state ?? '', /^(waiting|gone)$/);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await page.locator('[data-testid="publish-freed"]').count(), 0, 'not said to be free while a publisher connects');
      assert.match(await textOf(page, 'publish-advice'), new RegExp(`drops it if it has not connected within ${CONNECT_TIMEOUT_S} s`));
      await shot(page, 'connecting-publisher');

      // The server drops the one that never connected, as its refusal said: Start, pressed again then, takes the camera.
      await waitFor('the connecting publisher dropped', async () => ((await cameraStatus(server.url, 'back-cam'))?.lastError?.includes('did not connect') ? true : undefined), (CONNECT_TIMEOUT_S + 10) * 1000);
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await page.click('[data-testid="publish-stop"]');
      await page.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
      await connecting.close().catch(() => {});
    }
  });

  test('the server ending the session (camera disabled) is said with its code', { timeout: 60_000 }, async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, server.url, 'ended-cam');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await untilState(server.url, 'ended-cam', 'live');
      assert.equal((await httpJson(`${server.url}/api/cameras/ended-cam`, { method: 'PATCH', body: { enabled: false } })).status, 200);
      await page.locator('[data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 15_000 });
      assert.match(await textOf(page, 'publish-state'), /The server ended this session: the camera was disabled/);
      assert.equal(await textOf(page, 'publish-error-code'), 'CAMERA_BUSY');
      await shot(page, 'ended');
    } finally {
      await context.close();
    }
  });

  test('Start, Stop, Start quickly: the abandoned attempt does not hold the camera against the next', { timeout: 60_000 }, async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, server.url, 'quick-cam');
      let held = 0;
      // The first answer comes late (a slow network): the server has answered it, the page has not read it when Stop is pressed.
      await page.route('**/whip/quick-cam*', async (route) => {
        if (route.request().method() !== 'POST' || held++ > 0) return route.continue();
        const response = await route.fetch();
        await new Promise((r) => setTimeout(r, 2000));
        await route.fulfill({ response });
      });
      const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/whip/quick-cam'));
      await page.click('[data-testid="publish-start"]');
      await posted;
      await waitFor('the first offer answered by the server', async () => ((await cameraStatus(server.url, 'quick-cam')) ? true : undefined), 10_000);
      await page.click('[data-testid="publish-stop"]');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="publishing"], [data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('[data-testid="publish-state"]').getAttribute('data-state'), 'publishing', await textOf(page, 'publish-state'));
      await untilState(server.url, 'quick-cam', 'live');
      await page.click('[data-testid="publish-stop"]');
      await page.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
    }
  });
});

describe('publish view: a refused token is said with its code', () => {
  const PUBLISH = 'publish-token-0123456789abcdef';
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({ server: { publishTokens: [PUBLISH] } });
    browser = await launchChromium(FAKE_MEDIA);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  test('no token, then a wrong one: both refusals carry UNAUTHORIZED', { timeout: 60_000 }, async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await openPublish(context, server.url, 'desk-cam');
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-token-ask"]').waitFor({ timeout: 20_000 });
      assert.match(await textOf(page, 'publish-state'), /publishing here needs a publish token/);
      assert.equal(await textOf(page, 'publish-error-code'), 'UNAUTHORIZED');
      assert.equal(await textOf(page, 'publish-token-code'), 'UNAUTHORIZED');

      await page.fill('[data-testid="publish-token"]', 'wrong-token-0123456789abcdef');
      await page.click('[data-testid="publish-token-submit"]');
      await page.waitForFunction(() => /refused this publish token/.test(document.querySelector('[data-testid="publish-token-ask"]')?.textContent ?? ''), null, { timeout: 20_000 });
      assert.equal(await textOf(page, 'publish-token-code'), 'UNAUTHORIZED');
      assert.equal(await textOf(page, 'publish-error-code'), 'UNAUTHORIZED');
      await shot(page, 'wrong-token');
    } finally {
      await context.close();
    }
  });
});
