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
import { cameraStatus, httpJson, REPO_DIR, startTestServer } from '../support/server-harness.js';
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

  test('the preview placeholder reads as one paragraph at 1280 and 390 px', { timeout: 30_000 }, async () => {
    for (const options of [{ viewport: { width: 1280, height: 720 } }, PHONE]) {
      const context = await browser.newContext(options);
      try {
        const p = await context.newPage();
        await p.goto(server.url);
        await p.locator('nav [data-view="publish"]').click();
        const placeholder = p.locator('.placeholder');
        await placeholder.waitFor({ timeout: 10_000 });
        // One grid item: bare text nodes and <b>s were items of their own, one centred line each (7 lines).
        const { items, lines } = await placeholder.evaluate((el) => {
          const p = el.firstElementChild as HTMLElement;
          return { items: el.childNodes.length, lines: Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)) };
        });
        assert.equal(items, 1, 'the placeholder holds one element');
        assert.ok(lines <= (options.viewport.width < 500 ? 2 : 1), `${lines} lines at ${options.viewport.width} px`);
        await shot(p, `placeholder-${options.viewport.width}`);
      } finally {
        await context.close();
      }
    }
  });

  test('when the server ends the session (camera disabled, removed) the page says so at once', { timeout: 90_000 }, async () => {
    const id = 'ended-cam';
    await page.goto(server.url);
    await pressView(page, 'p');
    for (const how of ['disabled', 'removed'] as const) {
      await page.locator('[data-testid="publish-id"]').fill(id);
      await page.click('[data-testid="publish-start"]');
      await page.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      await waitFor('live on the server', async () => (await cameraStatus(server.url, id))?.state === 'live');
      const started = Date.now();
      if (how === 'disabled') assert.equal((await httpJson(`${server.url}/api/cameras/${id}`, { method: 'PATCH', body: { enabled: false } })).status, 200);
      else assert.equal((await httpJson(`${server.url}/api/cameras/${id}`, { method: 'DELETE' })).status, 204);
      await page.locator('[data-testid="publish-state"][data-state="error"]').waitFor({ timeout: 5000 });
      assert.ok(Date.now() - started < 5000);
      const text = (await page.locator('[data-testid="publish-state"]').textContent()) ?? '';
      assert.match(text, new RegExp(`server ended this session: the camera was ${how}`), text);
      assert.equal(await page.locator('.on-air').count(), 0, 'no LIVE badge');
      if (how === 'disabled') {
        await shot(page, 'server-ended');
        assert.equal((await httpJson(`${server.url}/api/cameras/${id}`, { method: 'PATCH', body: { enabled: true } })).status, 200);
      }
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

describe('publish page with tokens', () => {
  const ADMIN = 'admin-token-0123456789abcdef';
  const PUBLISH = 'publish-token-0123456789abcdef';
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await collectWrtcGarbage();
  });

  test('a publish token opens the Publish view alone: no token prompt, and it publishes', { timeout: 90_000 }, async () => {
    const server = await startTestServer({ server: { accessToken: ADMIN, publishTokens: [PUBLISH] } });
    let context = await browser.newContext(PHONE);
    try {
      const p = await context.newPage();
      await p.goto(`${server.url}/?token=${PUBLISH}`);
      await p.locator('[data-testid="publish-only"]').waitFor({ timeout: 10_000 });
      assert.equal(await p.locator('input[aria-label="Access token"]').count(), 0, 'no token prompt');
      assert.deepEqual(await p.locator('nav button[data-view]').evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.view)), ['publish']);
      await p.locator('[data-testid="publish-id"]').fill('phone-pub');
      await p.click('[data-testid="publish-start"]');
      await p.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      // No status feed for a publish token: the server's side is told from the session.
      assert.match((await p.locator('[data-testid="publish-server-state"]').textContent()) ?? '', /no status feed/);
      await waitFor('live on the server', async () => {
        const { body } = await httpJson(`${server.url}/api/cameras`, { token: ADMIN });
        return (body as CameraStatus[]).some((c) => c.cameraId === 'phone-pub' && c.state === 'live');
      });
      await p.screenshot({ path: path.join(ARTIFACTS, 'publish-token-only.png'), fullPage: true });
      await p.click('[data-testid="publish-stop"]');
      await p.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });

      // Without a token: the prompt's field has the focus, and "p" typed there stays in it; the tab still opens the view.
      // A browser that never had a token: this one keeps the publish token, and
      // stores it again whenever its connection is let back in, so clearing its
      // storage races that.
      await context.close();
      context = await browser.newContext(PHONE);
      const q = await context.newPage();
      await q.goto(`${server.url}/#wall`);
      const field = q.locator('input[aria-label="Access token"]');
      await field.waitFor({ timeout: 10_000 });
      await field.focus();
      await q.keyboard.press('p');
      assert.equal(await field.inputValue(), 'p');
      assert.notEqual(await q.locator('nav button.active').getAttribute('data-view'), 'publish');
      await q.locator('nav [data-view="publish"]').click();
      await q.locator('[data-testid="publish-id"]').waitFor({ timeout: 5000 });
    } finally {
      await context.close();
      await server.close();
    }
  });

  test('a loopback server whose /whip alone needs a token: the Publish view asks for a publish token and publishes with it', { timeout: 90_000 }, async () => {
    const server = await startTestServer({ server: { publishTokens: [PUBLISH] } });
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      const p = await context.newPage();
      await p.goto(server.url);
      await p.locator('nav [data-view="publish"]').click();
      await p.locator('[data-testid="publish-id"]').fill('desk-cam');
      await p.click('[data-testid="publish-start"]');
      await p.locator('[data-testid="publish-token-ask"]').waitFor({ timeout: 20_000 });
      await p.screenshot({ path: path.join(ARTIFACTS, 'publish-token-ask.png'), fullPage: true });
      await p.fill('[data-testid="publish-token"]', 'wrong-token-0123456789abcdef');
      await p.click('[data-testid="publish-token-submit"]');
      await p.waitForFunction(() => /refused this publish token/.test(document.querySelector('[data-testid="publish-token-ask"]')?.textContent ?? ''), null, { timeout: 20_000 });
      await p.fill('[data-testid="publish-token"]', PUBLISH);
      await p.click('[data-testid="publish-token-submit"]');
      await p.locator('[data-testid="publish-state"][data-state="publishing"]').waitFor({ timeout: 20_000 });
      assert.equal(await p.evaluate(() => localStorage.getItem('shotscale.publishToken')), PUBLISH);
      await waitFor('live on the server', async () => (await cameraStatus(server.url, 'desk-cam'))?.state === 'live');
      await p.click('[data-testid="publish-stop"]');
      await p.locator('[data-testid="publish-state"][data-state="idle"]').waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
      await server.close();
    }
  });
});
