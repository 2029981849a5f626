/**
 * "Use this device as a camera" in a real browser: Debian's Chromium (through
 * playwright-core) with its fake camera publishes over WHIP to a real server
 * with no cameras. The camera appears on the wall, goes live and gets
 * readouts; the session survives switching views and a resolution change
 * (replaceTrack, same session); a second publisher to the same id is refused
 * with the server's 409 message; Stop sends the camera back to waiting. A
 * page opened from a non-loopback http:// address explains the HTTPS
 * requirement. Screenshots go to test-artifacts/publish-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { httpJson, REPO_DIR, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const ID = 'browser-cam';
/** Resolves to 127.0.0.1 in the browser, but is not loopback by name: http:// there is not a secure context. */
const LAN_HOST = 'shotscale-lan.test';
/**
 * A phone-sized window. Not isMobile: mobile emulation zooms the page out to
 * its widest content, and the take slate in the nav is wider than a phone.
 */
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, deviceScaleFactor: 2 };

async function cameraStatus(url: string, id: string): Promise<CameraStatus | undefined> {
  const { body } = await httpJson(`${url}/api/cameras`);
  return (body as CameraStatus[]).find((c) => c.cameraId === id);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Lets go of the focused field, so single-key shortcuts reach the app. */
async function pressView(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

describe('publish page (WHIP from the browser)', () => {
  let server: RunningServer;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `publish-${name}.png`), fullPage: true });

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`,
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    desktop = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await desktop.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  test('the page publishes its camera: live on the wall, with readouts', { timeout: 90_000 }, async () => {
    await page.goto(server.url);
    await pressView(page, 'p');
    const id = page.locator('[data-testid="publish-id"]');
    await id.waitFor({ timeout: 10_000 });
    assert.match(await id.inputValue(), /^(browser|phone|tablet)-\d{4}$/, 'a default id derived from the device');
    assert.equal(await page.locator('[data-testid="publish-insecure"]').count(), 0, 'http://127.0.0.1 is a secure context');
    assert.equal(await page.locator('[data-testid="publish-resolution"]').inputValue(), '720p');
    assert.equal((await page.locator('[data-testid="publish-state"]').getAttribute('data-state')), 'idle');
    assert.match((await page.locator('[data-testid="publish-whip-url"]').textContent()) ?? '', new RegExp(`/whip/(browser|phone|tablet)-\\d{4}$`));
    await page.locator('details.obs summary').click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'idle');

    await id.fill(ID);
    await page.fill('[data-testid="publish-name"]', 'Browser cam');
    assert.equal((await page.locator('[data-testid="publish-whip-url"]').textContent())?.trim(), `${server.url}/whip/${ID}`);
    await page.click('[data-testid="publish-start"]');
    await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
    // The picker lists the fake camera by name once the permission is given.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="publish-device"] option')].some((o) => /fake/i.test(o.textContent ?? '')), null, { timeout: 5000 });
    await page.waitForFunction(() => ((document.querySelector('[data-testid="publish-preview"]') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, null, { timeout: 5000 });

    await pressView(page, 'w');
    await page.locator(`[data-camera-id="${ID}"][data-state="live"]`).waitFor({ timeout: 20_000 });
    await page.waitForFunction((id) => (document.querySelector(`[data-camera-id="${id}"] .scale .label`)?.textContent?.trim() ?? '—') !== '—', ID, { timeout: 20_000 });
    const label = (await page.locator(`[data-camera-id="${ID}"] .scale .label`).textContent())?.trim();
    assert.ok(CANONICAL_SCALES.includes(label as never), `the tile shows a canonical label, got ${label}`);
    assert.match((await page.locator(`[data-camera-id="${ID}"]`).textContent()) ?? '', /Browser cam/);
    await shot(page, 'wall');

    const { status, body } = await httpJson(`${server.url}/api/cameras/${ID}`);
    assert.equal(status, 200);
    const camera = body as { status: CameraStatus; config: { name?: string; source: { kind: string } } };
    assert.equal(camera.status.sourceKind, 'webrtc', `a webrtc source: ${JSON.stringify(body)}`);
    assert.equal(camera.config.source.kind, 'webrtc');
    assert.equal(camera.config.name, 'Browser cam');
  });

  test('the session survives switching views; a resolution change keeps the session', { timeout: 60_000 }, async () => {
    await pressView(page, 'p');
    await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 5000 });
    await page.waitForFunction(() => /\b(ECU|CU|MCU|MS|MWS|FS|WS|EWS)\b/.test(document.querySelector('[data-testid="publish-readout"]')?.textContent ?? ''), null, { timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="publish-server-state"]').getAttribute('data-state'), 'live');
    // The preview is back on the stream of the running session.
    await page.waitForFunction(() => (document.querySelector('[data-testid="publish-preview"]') as HTMLVideoElement | null)?.videoWidth === 1280, null, { timeout: 5000 });
    await shot(page, 'publishing');

    // The encoder keeps the resolution (degradationPreference), so the server sees what the camera gives.
    const before = await waitFor('720p on the server', async () => {
      const s = await cameraStatus(server.url, ID);
      return s && /1280x720/.test(s.source) ? s : null;
    });
    assert.equal(before.state, 'live');
    await page.selectOption('[data-testid="publish-resolution"]', '480p');
    await page.waitForFunction(() => (document.querySelector('[data-testid="publish-preview"]') as HTMLVideoElement | null)?.videoHeight === 480, null, { timeout: 10_000 });
    const after480 = await waitFor('the server sees the new resolution', async () => {
      const s = await cameraStatus(server.url, ID);
      return s && /x480\b/.test(s.source) ? s : null;
    });
    assert.equal(after480.state, 'live');
    const connects = after480.lastStderr.filter((l) => /connected \(session/.test(l));
    assert.equal(connects.length, 1, `one WHIP session only (replaceTrack): ${after480.lastStderr.join(' | ')}`);
    assert.ok(after480.lastStderr.some((l) => /resolution changed to \d+x480/.test(l)), after480.lastStderr.join(' | '));
    await waitFor('frames keep coming after the switch', async () => ((await cameraStatus(server.url, ID))?.framesIn ?? 0) > after480.framesIn + 3);
    assert.equal(await page.locator('[data-testid="publish-state"]').getAttribute('data-state'), 'publishing');
  });

  test('a second publisher to the same id is refused with the server message (phone-sized page)', { timeout: 60_000 }, async () => {
    const phone = await browser.newContext(PHONE);
    try {
      const second = await phone.newPage();
      await second.goto(server.url);
      await second.locator('nav [data-view="publish"]').click();
      await second.fill('[data-testid="publish-id"]', ID);
      await second.locator('[data-testid="publish-conflict"]').waitFor({ timeout: 5000 });
      await second.click('[data-testid="publish-start"]');
      const state = second.locator('[data-testid="publish-state"][data-state="error"]');
      await state.waitFor({ timeout: 20_000 });
      assert.match((await state.textContent()) ?? '', /already has a publisher/);
      await shot(second, 'phone-refused');
      // The first session is untouched.
      assert.equal((await cameraStatus(server.url, ID))?.state, 'live');

      // Stop on the first page: the camera waits for the next publisher.
      await page.click('[data-testid="publish-stop"]');
      await page.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
      await waitFor('the camera goes back to waiting', async () => (await cameraStatus(server.url, ID))?.state === 'waiting');
      const tracks = await page.evaluate(() => ((document.querySelector('[data-testid="publish-preview"]') as HTMLVideoElement | null)?.srcObject as MediaStream | null)?.getTracks().length ?? 0);
      assert.equal(tracks, 0, 'the camera is released');
      await shot(page, 'stopped');

      // Now the phone may publish.
      await second.click('[data-testid="publish-start"]');
      await second.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await waitFor('live again from the phone', async () => (await cameraStatus(server.url, ID))?.state === 'live');
      await second.waitForFunction(() => /\b(ECU|CU|MCU|MS|MWS|FS|WS|EWS)\b/.test(document.querySelector('[data-testid="publish-readout"]')?.textContent ?? ''), null, { timeout: 15_000 });
      await shot(second, 'phone-publishing');
      await second.click('[data-testid="publish-stop"]');
      await waitFor('waiting after the phone stops', async () => (await cameraStatus(server.url, ID))?.state === 'waiting');
    } finally {
      await phone.close();
    }
  });

  test('over plain http:// from another host the page explains the HTTPS requirement', { timeout: 30_000 }, async () => {
    const phone = await browser.newContext(PHONE);
    try {
      const p = await phone.newPage();
      const port = new URL(server.url).port;
      await p.goto(`http://${LAN_HOST}:${port}/`);
      assert.equal(await p.evaluate(() => window.isSecureContext), false);
      await p.locator('nav [data-view="publish"]').click();
      const box = p.locator('[data-testid="publish-insecure"]');
      await box.waitFor({ timeout: 5000 });
      const text = (await box.textContent()) ?? '';
      assert.match(text, /https/i);
      assert.match(text, /tls:/);
      assert.match(text, /openssl req -x509/);
      assert.match(text, /subjectAltName=DNS:shotscale-lan\.test/);
      assert.match(text, /localhost/);
      assert.ok(await p.locator('[data-testid="publish-start"]').isDisabled(), 'Start is disabled without camera access');
      await shot(p, 'phone-insecure');
    } finally {
      await phone.close();
    }
  });
});
