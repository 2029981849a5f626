/**
 * What the Health view says, in Chromium, against a real server (the fixture
 * classifier on a test pattern, a dead RTSP camera and a file camera whose
 * file is missing), where it used to say something else:
 * - a live camera whose picture does not change (frozen, or black) is not
 *   "OK": its frozen alert is on its row (the frames came at their rate, so
 *   the row said OK while the Coverage view's alerts said frozen);
 * - a camera that never comes back is restarted again and again; the
 *   restarts the table counts are the ones /metrics counts (/metrics counted
 *   the first alone: the camera stays "restarting" through every attempt);
 * - the server gone, the page keeps its last figures but no longer judges
 *   them: no card or camera says "OK" about a server nobody hears, the
 *   summary says "Not live" and since when, the window line no longer says
 *   "updated every 2 s"; the server back on the same port, the figures are
 *   live and judged again, without a reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';
import path from 'node:path';

const ADMIN = 'admin-token-health-states-0123456789';
const VIEWER = 'viewer-token-health-states-0123456789';

describe('the health view says what is true', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  const overrides = (port: number) => ({
    server: { port, accessToken: ADMIN, tokens: [{ role: 'viewer', token: VIEWER }] },
    cameras: [
      testsrcCamera('bars', { name: 'Bars' }),
      // Colour bars never change: a frozen picture, at full rate.
      testsrcCamera('still', { name: 'Still', source: { kind: 'testsrc', pattern: 'smptebars', width: 320, height: 240, fps: 25 } }),
      // Port 9 (discard): nothing accepts connections there.
      { id: 'dead', name: 'Dead RTSP', analysisFps: 5, source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/x', transport: 'tcp', timeoutS: 1 } },
      { id: 'gone', name: 'Missing file', analysisFps: 5, source: { kind: 'file', path: path.join(tempDir(), 'not-there.mp4'), loop: true, realtime: true } },
    ],
    coverage: { alerts: { frozenS: 2 } },
  });

  before(async () => {
    ensureWebBuild();
    server = await startTestServer(overrides(0));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openHealth(): Promise<void> {
    await page.goto(`${server.url}/?token=${VIEWER}`);
    await page.locator('[data-testid="role"]').waitFor({ timeout: 15_000 });
    await page.keyboard.press('h');
    await page.locator('[data-testid="health-row"][data-camera-id="bars"]').waitFor({ timeout: 15_000 });
  }

  const cell = (id: string, label: string) => page.locator(`[data-testid="health-row"][data-camera-id="${id}"] td[data-label="${label}"]`);
  const restartsInMetrics = async (id: string) => {
    const text = (await httpJson(`${server.url}/metrics`, { token: VIEWER })).body as string;
    const line = text.split('\n').find((l) => l.startsWith(`shotscale_ffmpeg_restarts_total{camera="${id}"} `));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  test('a dead camera and a missing file are problems with their reasons, and the restarts shown are the restarts /metrics counts', async () => {
    await openHealth();
    // Restarted every 0.2, 0.4, 0.8, then 2 s (the test supervisor's backoff): wait for a few.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="health-row"][data-camera-id="dead"] td[data-label="Reconnects"]')?.textContent?.trim()) >= 4, null, { timeout: 20_000 });
    const dead = page.locator('[data-testid="health-row"][data-camera-id="dead"]');
    assert.equal(await dead.getAttribute('data-level'), 'bad');
    assert.match(await dead.innerText(), /no frame after \d+ restarts/);
    assert.match(await dead.innerText(), /connection refused/);
    const gone = page.locator('[data-testid="health-row"][data-camera-id="gone"]');
    assert.equal(await gone.getAttribute('data-level'), 'bad');
    assert.match(await gone.innerText(), /not-there\.mp4: no such file/);

    // The page, the API and /metrics, read together: at most one restart apart (one may land between the reads).
    const shown = Number((await cell('dead', 'Reconnects').innerText()).trim());
    const api = ((await httpJson(`${server.url}/api/cameras`, { token: VIEWER })).body as CameraStatus[]).find((c) => c.cameraId === 'dead')!.reconnects;
    const metric = await restartsInMetrics('dead');
    assert.ok(Math.abs(metric - api) <= 1 && Math.abs(shown - api) <= 1, `restarts: page ${shown}, /api/cameras ${api}, /metrics ${metric}`);
  });

  test('a live camera with a frozen picture says so on its row and in the summary', async () => {
    await openHealth();
    const still = page.locator('[data-testid="health-row"][data-camera-id="still"]');
    await page.locator('[data-testid="health-row"][data-camera-id="still"][data-level="warn"]').waitFor({ timeout: 20_000 });
    assert.match(await still.innerText(), /LIVE[\s\S]*picture frozen/);
    // Named among the warnings (a loaded machine may add another camera's dropped frames to them).
    assert.match(await page.locator('[data-testid="health-summary"]').innerText(), /Warning for (?:[^.\n]* and |[^.\n]*, )?Still\b/);
    assert.doesNotMatch(await page.locator('[data-testid="health-row"][data-camera-id="bars"]').innerText(), /picture frozen/, 'a moving picture is not frozen');
    const { active } = (await httpJson(`${server.url}/api/alerts`, { token: VIEWER })).body as { active: { kind: string; cameraIds: string[] }[] };
    assert.ok(active.some((a) => a.kind === 'frozen' && a.cameraIds.includes('still')), `the server's alert behind it: ${JSON.stringify(active)}`);
  });

  test('the server gone, the figures are not live and judged by nothing; back on the same port, they are live again', async () => {
    await openHealth();
    await page.locator('[data-testid="health-cards"] [data-level="ok"]').first().waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="health-window"]')?.textContent?.includes('updated every 2 s'), null, { timeout: 10_000 });
    assert.equal(await page.locator('section.health').getAttribute('data-live'), 'yes');
    const port = Number(new URL(server.url).port);

    await server.close();
    await page.locator('[data-testid="connection-lost"]').waitFor({ timeout: 15_000 });
    await page.locator('section.health[data-live="no"]').waitFor({ timeout: 5000 });
    const summary = await page.locator('[data-testid="health-summary"]').innerText();
    assert.match(summary, /^\W*Not live/);
    assert.match(summary, /Not connected to the server: the figures are as of .+, not live\./);
    assert.match(summary, /Last known: \d+ of 4 cameras live\./);
    // The last values stay, but no card and no camera says OK (or anything else) about now.
    assert.equal(await page.locator('[data-testid="health-cards"] [data-level="ok"], [data-testid="health-cards"] [data-level="warn"], [data-testid="health-cards"] [data-level="bad"]').count(), 0);
    assert.equal(await page.locator('[data-testid="health-row"]:not([data-level="none"])').count(), 0);
    assert.notEqual((await page.locator('[data-testid="stat-memory"] .value').innerText()).trim(), '—', 'the last memory figure is still shown');
    const window = await page.locator('[data-testid="health-window"]').innerText();
    assert.doesNotMatch(window, /updated every 2 s/);
    assert.match(window, /not updated since/);
    assert.equal(await page.locator('[data-testid="over-capacity"]').count(), 0, 'no load in the header from before');

    server = await startTestServer(overrides(port));
    await page.locator('section.health[data-live="yes"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="connection-lost"]').waitFor({ state: 'detached', timeout: 5000 });
    await page.locator('[data-testid="health-cards"] [data-level="ok"]').first().waitFor({ timeout: 15_000 });
    assert.doesNotMatch(await page.locator('[data-testid="health-summary"]').innerText(), /Not live/);
    assert.match(await page.locator('[data-testid="health-window"]').innerText(), /updated every 2 s/);
  });
});
