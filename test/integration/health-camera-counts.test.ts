/**
 * The header and the Health view count the cameras alike, and a camera
 * disabled shows no analysis rate, in Chromium against a real server (real
 * ffmpeg test patterns): with cameras disabled the header read "1/2 live"
 * beside Health's "1 of 1 cameras live (1 disabled)", and a camera just
 * disabled kept a fading "3.7/s of 5.0/s" (its 30 s average) in Health.
 * Screenshots go to test-artifacts/health-camera-counts-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { PipelineStats } from '../../server/shared/socket-events.js';
import { launchChromium } from '../support/browser.js';
import { cameraStatus, httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');

describe('camera counts and a disabled camera in the header and Health', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({ cameras: [testsrcCamera('cam-1'), testsrcCamera('cam-2'), testsrcCamera('cam-off', { enabled: false })] });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the header says what Health says; a camera disabled after running reads "—" for its analysis rate', { timeout: 90_000 }, async () => {
    for (const id of ['cam-1', 'cam-2']) await waitFor(`${id} live`, async () => ((await cameraStatus(server.url, id))?.state === 'live' ? true : undefined), 20_000);
    // cam-2 analysed for a while: its windowed average is well above nothing.
    await waitFor(
      'cam-2 analysed',
      async () => {
        const stats = (await httpJson(`${server.url}/api/stats`)).body as PipelineStats | undefined;
        return (stats?.analysedPerSByCamera?.['cam-2'] ?? 0) > 0.5 ? true : undefined;
      },
      20_000,
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      const header = page.getByTestId('header-cameras');
      await header.filter({ hasText: '2/2 live · 1 disabled' }).waitFor({ timeout: 10_000 });

      assert.equal((await httpJson(`${server.url}/api/cameras/cam-2`, { method: 'PATCH', body: { enabled: false } })).status, 200);
      await header.filter({ hasText: '1/1 live · 2 disabled' }).waitFor({ timeout: 10_000 });
      await page.keyboard.press('h');
      await page.getByTestId('health-summary').filter({ hasText: '1 of 1 camera live (2 disabled).' }).waitFor({ timeout: 10_000 });
      const analysed = page.locator('[data-testid="health-row"][data-camera-id="cam-2"] td[data-label="Analysed"]');
      await analysed.waitFor({ timeout: 10_000 });
      assert.equal((await analysed.innerText()).trim(), '—', 'no fading rate for a camera not running');
      // The stats window still holds cam-2's frames: the dash is the page's judgement, not an empty window.
      const stats = (await httpJson(`${server.url}/api/stats`)).body as PipelineStats;
      assert.ok((stats.analysedPerSByCamera['cam-2'] ?? 0) > 0, JSON.stringify(stats.analysedPerSByCamera));
      await page.screenshot({ path: path.join(ARTIFACTS, 'health-camera-counts.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
