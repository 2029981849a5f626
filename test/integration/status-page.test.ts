/**
 * The status page in a real browser (Debian's Chromium through
 * playwright-core): one tile per camera, labels that update live, a camera
 * added over HTTP appears. Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import { ensureWebBuild } from '../support/web-build.js';
import { httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
let server: RunningServer;
let browser: Browser;
let page: Page;

before(async () => {
  ensureWebBuild();
  server = await startTestServer({ cameras: [testsrcCamera('cam-1', { name: 'Stage left' }), testsrcCamera('cam-2', { name: 'Stage right' })] });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const labelOf = (cameraId: string) => page.locator(`[data-camera-id="${cameraId}"] .scale .label`).textContent();

test('one tile per camera, each showing a live canonical label', async () => {
  await page.goto(server.url);
  await page.locator('[data-camera-id="cam-1"][data-state="live"]').waitFor({ timeout: 15_000 });
  await page.locator('[data-camera-id="cam-2"][data-state="live"]').waitFor({ timeout: 15_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-camera-id] .scale .label')].every((el) => el.textContent?.trim() !== '—'), null, { timeout: 15_000 });
  for (const id of ['cam-1', 'cam-2']) {
    assert.ok(CANONICAL_SCALES.includes((await labelOf(id))?.trim() as never), `${id} shows a canonical label`);
  }
  assert.match((await page.locator('[data-camera-id="cam-1"]').textContent()) ?? '', /Stage left/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png') });
});

test('readouts keep updating the page', async () => {
  // The latency figure is re-rendered with each readout; watch it change.
  const tile = page.locator('[data-camera-id="cam-1"] .stats');
  const before = await tile.textContent();
  await page.waitForFunction((b) => document.querySelector('[data-camera-id="cam-1"] .stats')?.textContent !== b, before, { timeout: 10_000 });
});

test('a camera added over HTTP appears and goes live', async () => {
  assert.equal((await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: testsrcCamera('cam-3', { name: 'Jib' }) })).status, 201);
  await page.locator('[data-camera-id="cam-3"][data-state="live"]').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('[data-camera-id]').count(), 3);
  await page.screenshot({ path: path.join(ARTIFACTS, 'status-page-3-cameras.png') });
});
