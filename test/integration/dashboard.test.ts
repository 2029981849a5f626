/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core)
 * against a real server with 4 test-pattern cameras: tiles whose labels
 * update, previews, a camera added through the UI going live, a take marked
 * from the header, the shot log exported as CSV and read back, coverage and
 * health views, the taxonomy switch and keyboard focus. Screenshots of every
 * view go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { Take } from '../../server/shared/shots.js';
import { parseCsv } from '../support/export-parsers.js';
import { httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const CAMERAS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];

describe('dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`) });

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      cameras: CAMERAS.map((id, i) => testsrcCamera(id, { name: `Camera ${i + 1}`, source: { kind: 'testsrc', pattern: ['testsrc2', 'smptebars', 'mandelbrot', 'rgbtestsrc'][i], width: 320, height: 240, fps: 25 } })),
      coverage: { plans: [{ scene: '12', items: [{ id: 'master', scale: 'WS+' }, { id: 'cu-anna', scale: 'CU-', tag: 'Anna' }] }] },
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the wall: four live tiles whose labels update, with previews', async () => {
    await page.goto(server.url);
    for (const id of CAMERAS) await page.locator(`[data-camera-id="${id}"][data-state="live"]`).waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-camera-id] .scale .label')].every((el) => el.textContent?.trim() !== '—'), null, { timeout: 15_000 });
    for (const id of CAMERAS) {
      const label = (await page.locator(`[data-camera-id="${id}"] .scale .label`).textContent())?.trim();
      assert.ok(CANONICAL_SCALES.includes(label as never), `${id} shows a canonical label, got ${label}`);
    }
    const stats = page.locator('[data-camera-id="cam-1"] .stats');
    const before = await stats.textContent();
    await page.waitForFunction((b) => document.querySelector('[data-camera-id="cam-1"] .stats')?.textContent !== b, before, { timeout: 10_000 });
    // Previews arrive as JPEG object URLs.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-camera-id] img')].some((img) => (img as HTMLImageElement).src.startsWith('blob:') && (img as HTMLImageElement).naturalWidth > 0), null, { timeout: 10_000 });
    await shot('wall');
  });

  test('taxonomy switch and keyboard focus', async () => {
    await page.selectOption('[data-testid="taxonomy"]', 'three');
    await page.waitForFunction(() => ['close', 'medium', 'long'].includes(document.querySelector('[data-camera-id="cam-1"] .scale .label')?.textContent?.trim() ?? ''), null, { timeout: 5000 });
    await shot('wall-three-classes');
    await page.selectOption('[data-testid="taxonomy"]', 'canonical');
    await page.keyboard.press('1');
    await page.waitForFunction(() => document.body.textContent?.includes('Camera 1'), null, { timeout: 5000 });
    await shot('focus');
    await page.keyboard.press('Escape');
  });

  test('a camera added through the Cameras view goes live on the wall', async () => {
    await page.keyboard.press('m');
    await page.fill('[data-testid="camera-id"]', 'cam-5');
    await page.fill('[data-testid="camera-name"]', 'Jib');
    await page.selectOption('[data-testid="camera-kind"]', 'testsrc');
    await page.selectOption('[data-testid="source-pattern"]', 'smptehdbars');
    await shot('cameras-form');
    await page.click('[data-testid="camera-save"]');
    const listed = await httpJson(`${server.url}/api/cameras/cam-5`);
    assert.equal(listed.status, 200, 'the camera exists on the server');
    await page.keyboard.press('w');
    await page.locator('[data-camera-id="cam-5"][data-state="live"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-camera-id]').count(), 5);
    await shot('wall-5-cameras');
  });

  test('a take marked in the header reaches the server; the shot log exports it as CSV', async () => {
    const slate = page.locator('nav [data-testid="take-slate"]');
    await slate.locator('[data-testid="slate-scene"]').fill('12');
    await slate.locator('[data-testid="slate-start"]').click();
    await page.waitForFunction(() => document.querySelector('nav [data-testid="slate-running"]')?.textContent?.includes('12'), null, { timeout: 5000 });
    const running = (await httpJson(`${server.url}/api/takes`)).body as { running: Take[] };
    assert.deepEqual(
      running.running.map((t) => [t.scene, t.take]),
      [['12', '1']],
    );
    await shot('take-running');
    await page.waitForTimeout(2500);
    await slate.locator('[data-testid="slate-end"]').click();
    await page.waitForFunction(async (url) => ((await (await fetch(`${url}/api/takes`)).json()) as { running: unknown[] }).running.length === 0, server.url, { timeout: 5000 });

    await page.keyboard.press('s');
    await page.locator('[data-testid="shot-row"]').first().waitFor({ timeout: 10_000 });
    await shot('shots');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    const file = await download.path();
    const rows = parseCsv(readFileSync(file, 'utf8'));
    assert.ok(rows.length >= 5, `a CSV row per shot (${rows.length})`);
    const inTake = rows.filter((r) => r.scene === '12' && r.take === '1');
    assert.ok(inTake.length >= 4, `every camera's shot in scene 12 take 1 is in the export (${inTake.length})`);
    for (const row of rows) {
      assert.match(row.tc_in!, /^\d\d:\d\d:\d\d:\d\d$/);
      assert.ok(CANONICAL_SCALES.includes(row.scale as never));
    }
  });

  test('coverage shows the plan of scene 12 with its missing items; health shows the pipeline', async () => {
    await page.keyboard.press('c');
    const card = page.locator('[data-testid="scene-card"][data-scene="12"]');
    await card.waitFor({ timeout: 10_000 });
    await card.locator('[data-testid="plan-item"][data-item-id="cu-anna"][data-met="false"]').waitFor({ timeout: 5000 });
    await page.locator('[data-testid="alert"][data-alert-kind="plan-missing"]').first().waitFor({ timeout: 10_000 });
    await shot('coverage');
    await page.keyboard.press('h');
    await page.waitForFunction(() => document.body.textContent?.includes('cpu'), null, { timeout: 10_000 });
    await page.waitForFunction(() => /\d+(\.\d+)?\s*ms/.test(document.querySelector('main')?.textContent ?? ''), null, { timeout: 10_000 });
    await shot('health');
  });

  test('a tablet-sized window still shows the wall', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.keyboard.press('w');
    await page.locator('[data-camera-id="cam-1"][data-state="live"]').waitFor({ timeout: 5000 });
    await shot('tablet');
    await page.setViewportSize({ width: 1280, height: 720 });
  });
});
