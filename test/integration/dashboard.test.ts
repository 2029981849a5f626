/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core)
 * against a real server with 4 test-pattern cameras: tiles whose labels
 * update, previews, a camera added through the UI going live, two camera
 * forms saved at once for one camera (each change stands), a take marked
 * from the header, the shot log exported as CSV and read back, coverage and
 * health views, the taxonomy switch and keyboard focus. Screenshots of every
 * view go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { Take } from '../../server/shared/shots.js';
import { parseCsv } from '../support/export-parsers.js';
import { httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const CAMERAS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];
const PHONE = { width: 390, height: 844 };

/**
 * What of `selector` a person cannot reach without a sideways scroll: each
 * match must lie inside the window's width and inside every box that clips
 * it sideways. Nothing is scrolled into view first (that would scroll the
 * hidden box too and pass a table whose buttons sit 300 px off screen).
 */
function sidewaysHidden(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) =>
    elements.flatMap((el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return [];
      const name = (el.getAttribute('aria-label') ?? el.getAttribute('placeholder') ?? el.textContent ?? '').trim().slice(0, 40);
      const out: string[] = [];
      if (r.left < -0.5 || r.right > window.innerWidth + 0.5) out.push(`${name}: x ${Math.round(r.left)}..${Math.round(r.right)}, the window is ${window.innerWidth} wide`);
      for (let box = el.parentElement; box; box = box.parentElement) {
        if (getComputedStyle(box).overflowX === 'visible') continue;
        const b = box.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5) out.push(`${name}: cut off by <${box.tagName.toLowerCase()} class="${box.className}">`);
      }
      return out;
    }),
  );
}

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
    browser = await launchChromium();
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
    // The POST's answer, not the click, says the server has it (a loaded machine answers later than the next line runs).
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/cameras') && r.request().method() === 'POST'), page.click('[data-testid="camera-save"]')]);
    const listed = await httpJson(`${server.url}/api/cameras/cam-5`);
    assert.equal(listed.status, 200, 'the camera exists on the server');
    // The notice points at the new camera's row, which is marked.
    await page.locator('[data-testid="camera-added-notice"]').waitFor({ timeout: 5000 });
    assert.match((await page.locator('[data-testid="camera-added-notice"]').textContent()) ?? '', /Added “Jib”: its row is marked below/);
    assert.equal(await page.locator('[data-testid="camera-row"][data-camera-id="cam-5"]').getAttribute('aria-describedby'), 'camera-added-notice');
    await page.keyboard.press('w');
    await page.locator('[data-camera-id="cam-5"][data-state="live"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-camera-id]').count(), 5);
    await shot('wall-5-cameras');
  });

  test('a camera that is down or disabled shows no scale on the wall, and its reason in the Cameras view', async () => {
    await page.keyboard.press('w');
    const tile = page.locator('[data-camera-id="cam-4"]');
    await page.waitForFunction(() => (document.querySelector('[data-camera-id="cam-4"] .scale .label')?.textContent?.trim() ?? '—') !== '—', null, { timeout: 15_000 });
    // The label may still change before the camera stops: keep the last one the tile showed.
    // (A string, as a named function in the page would meet the test build's name helper.)
    await page.evaluate(`(() => {
      const read = () => {
        const text = document.querySelector('[data-camera-id="cam-4"] .scale .label')?.textContent?.trim();
        if (text && text !== '—' && text !== 'disabled') window.lastCam4Label = text;
      };
      read();
      new MutationObserver(read).observe(document.querySelector('[data-camera-id="cam-4"]'), { subtree: true, childList: true, characterData: true });
    })()`);
    assert.equal((await httpJson(`${server.url}/api/cameras/cam-4`, { method: 'PATCH', body: { enabled: false } })).status, 200);
    await page.locator('[data-camera-id="cam-4"][data-state="stopped"]').waitFor({ timeout: 10_000 });
    const before = await page.evaluate(() => (window as unknown as { lastCam4Label?: string }).lastCam4Label);
    assert.equal((await tile.locator('.scale .label').textContent())?.trim(), 'disabled', 'no stale label on a disabled camera');
    assert.equal((await tile.locator('.scale .confidence').textContent())?.trim(), '');
    assert.equal(await tile.locator('.scale .label').getAttribute('title'), `no scale: the camera is disabled (last read: ${before})`);
    const dead = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'dead', name: 'Dead', source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/nothing', timeoutS: 1 } } });
    assert.equal(dead.status, 201);
    await page.locator('[data-camera-id="dead"][data-state="restarting"]').waitFor({ timeout: 20_000 });
    assert.equal((await page.locator('[data-camera-id="dead"] .scale .label').textContent())?.trim(), '—');
    // The status's code beside the words, on the tile as in the Cameras and Health views.
    const tileCode = page.locator('[data-camera-id="dead"] .down [data-testid="error-code"]');
    await tileCode.waitFor({ timeout: 5000 });
    assert.equal(await tileCode.textContent(), 'SOURCE_UNREACHABLE');
    assert.equal(await page.locator('[data-camera-id="cam-1"] [data-testid="error-code"]').count(), 0, 'a live tile has no code');
    await shot('wall-down-disabled');
    await page.keyboard.press('m');
    const reason = page.locator('[data-testid="camera-row"][data-camera-id="dead"] [data-testid="camera-row-error"]');
    await reason.waitFor({ timeout: 5000 });
    assert.match((await reason.textContent()) ?? '', /^SOURCE_UNREACHABLE rtsp:\/\/127\.0\.0\.1:9\/nothing: connection (refused|timed out)/, 'the code, then the reason in words, under the badge');
    assert.equal(await reason.locator('[data-testid="error-code"]').textContent(), 'SOURCE_UNREACHABLE');
    assert.equal(await page.locator('[data-testid="camera-row"][data-camera-id="cam-1"] [data-testid="camera-row-error"]').count(), 0, 'a live camera has none');
    await shot('cameras-down');
    await page.click('nav [data-view="health"]');
    const healthError = page.locator('[data-testid="health-row"][data-camera-id="dead"] [data-testid="health-camera-error"]');
    await healthError.waitFor({ timeout: 5000 });
    assert.equal(await healthError.locator('[data-testid="error-code"]').textContent(), 'SOURCE_UNREACHABLE');
    assert.match((await healthError.textContent()) ?? '', /^SOURCE_UNREACHABLE rtsp:\/\/127\.0\.0\.1:9\/nothing: connection (refused|timed out)/);
    assert.equal(await page.locator('[data-testid="health-row"][data-camera-id="cam-1"] [data-testid="error-code"]').count(), 0, 'a live camera has none');
    assert.equal((await httpJson(`${server.url}/api/cameras/dead`, { method: 'DELETE' })).status, 204);
    assert.equal((await httpJson(`${server.url}/api/cameras/cam-4`, { method: 'PATCH', body: { enabled: true } })).status, 200);
    await page.keyboard.press('w');
    await page.locator('[data-camera-id="cam-4"][data-state="live"]').waitFor({ timeout: 20_000 });
  });

  test('a take marked in the header reaches the server; the shot log exports it as CSV', async () => {
    const slate = page.locator('nav [data-testid="take-slate"]');
    await slate.locator('[data-testid="slate-scene"]').fill('12');
    await slate.locator('[data-testid="slate-start"]').click();
    await page.waitForFunction(() => document.querySelector('nav [data-testid="slate-running"]')?.textContent?.includes('12'), null, { timeout: 15_000 });
    const running = (await httpJson(`${server.url}/api/takes`)).body as { running: Take[] };
    assert.deepEqual(
      running.running.map((t) => [t.scene, t.take]),
      [['12', '1']],
    );
    await shot('take-running');
    await page.waitForTimeout(2500);
    await slate.locator('[data-testid="slate-end"]').click();
    await page.waitForFunction(async (url) => ((await (await fetch(`${url}/api/takes`)).json()) as { running: unknown[] }).running.length === 0, server.url, { timeout: 15_000 });

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
    await card.locator('[data-testid="plan-item"][data-item-id="cu-anna"][data-met="false"]').waitFor({ timeout: 15_000 });
    // A camera's histogram gives two figures per scale, a share of time and a count of shots: both columns say which.
    const histogram = page.locator('[data-testid="scale-histogram"]').filter({ has: page.locator('table') }).first();
    assert.equal((await histogram.locator('[data-testid="histogram-time-heading"]').textContent())?.trim(), 'time');
    assert.equal(await histogram.locator('[data-testid="histogram-time-heading"]').isVisible(), true);
    assert.equal(await histogram.locator('[data-testid="histogram-shots-heading"]').isVisible(), true);
    await page.locator('[data-testid="alert"][data-alert-kind="plan-missing"]').first().waitFor({ timeout: 10_000 });
    await shot('coverage');
    await page.keyboard.press('h');
    await page.waitForFunction(() => document.body.textContent?.includes('cpu'), null, { timeout: 10_000 });
    await page.waitForFunction(() => /\d+(\.\d+)?\s*ms/.test(document.querySelector('main')?.textContent ?? ''), null, { timeout: 10_000 });
    await shot('health');
  });

  test('a tablet-sized window still shows the wall; tabs, slate, camera actions and shot Edit in sight at 768 and 1024 px', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    try {
      await page.keyboard.press('w');
      await page.locator('[data-camera-id="cam-1"][data-state="live"]').waitFor({ timeout: 5000 });
      assert.deepEqual(await sidewaysHidden(page, 'nav button, nav input, nav summary'), [], 'every tab and the slate are in sight');
      await shot('tablet');
      await page.keyboard.press('s');
      await page.locator('[data-testid="shot-edit"]').first().waitFor({ timeout: 10_000 });
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="shot-edit"]'), [], 'Edit stays in sight in the two-line rows of the shot table');
      await shot('tablet-shots');

      // A small laptop: the camera list sits beside the form, 534 px for a 690 px table.
      await page.setViewportSize({ width: 1024, height: 768 });
      await page.keyboard.press('m');
      await page.locator('[data-testid="camera-row"]').first().waitFor({ timeout: 5000 });
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="camera-edit"], [data-testid="camera-remove"]'), []);
      await shot('laptop-cameras');
      await page.keyboard.press('w');
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  test('the shortcut list, the camera form and the removal question answer the keyboard: Tab stays in, Esc leaves, the focus comes back', async () => {
    await page.keyboard.press('w');
    await page.keyboard.press('?');
    await page.locator('[role="dialog"]').waitFor({ timeout: 5000 });
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press(i === 2 ? 'Shift+Tab' : 'Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null), true, `Tab ${i + 1} stays inside the modal shortcut list`);
    }
    await page.keyboard.press('Escape');
    await page.locator('[role="dialog"]').waitFor({ state: 'detached', timeout: 5000 });

    await page.keyboard.press('m');
    const row = page.locator('[data-testid="camera-row"][data-camera-id="cam-5"]');
    await row.locator('[data-testid="camera-edit"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="camera-name"]:focus').waitFor({ timeout: 5000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.closest('[data-camera-id="cam-5"]') !== null && document.activeElement?.getAttribute('data-testid') === 'camera-edit', null, { timeout: 5000 });
    assert.equal(await page.locator('[data-testid="camera-id"]').isEditable(), true, 'Esc left the edit form: it adds a camera again');

    await row.locator('[data-testid="camera-remove"]').focus();
    await page.keyboard.press('Enter');
    await row.locator('[data-testid="camera-remove-cancel"]:focus').waitFor({ timeout: 5000 });
    await page.keyboard.press('Escape');
    await row.locator('[data-testid="camera-remove"]:focus').waitFor({ timeout: 5000 });
    assert.equal(await row.locator('[data-testid="camera-remove-confirm"]').count(), 0, 'Esc answered Keep');
    assert.equal((await httpJson(`${server.url}/api/cameras/cam-5`)).status, 200);
    await page.keyboard.press('w');
  });

  test('two people save the camera form for one camera at once, each changing another field: both changes stand; a save with no change sends nothing', async () => {
    type Config = { name: string; analysisFps: number; enabled: boolean; source: unknown };
    const config = async () => ((await httpJson(`${server.url}/api/cameras/cam-5`)).body as { config: Config }).config;
    /** Opens cam-5 in the page's edit form; resolves once the form shows it. */
    const openForm = async (p: Page) => {
      await p.locator('[data-testid="camera-row"][data-camera-id="cam-5"] [data-testid="camera-edit"]').click();
      await p.locator('[data-testid="camera-name"]:focus').waitFor({ timeout: 5000 });
    };
    /** Saves the page's form; the PATCH body it sent. */
    const save = async (p: Page) => {
      const [res] = await Promise.all([p.waitForResponse((r) => r.url().endsWith('/api/cameras/cam-5') && r.request().method() === 'PATCH'), p.click('[data-testid="camera-save"]')]);
      assert.equal(res.status(), 200, await res.text());
      return res.request().postDataJSON() as unknown;
    };
    const before = await config();
    const other = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await page.keyboard.press('m');
      await other.goto(server.url);
      await other.click('nav [data-view="cameras"]');
      await openForm(page);
      await openForm(other);
      await page.fill('[data-testid="camera-name"]', 'Jib left');
      await other.fill('[data-testid="camera-analysis-fps"]', '3');
      assert.deepEqual(await Promise.all([save(page), save(other)]), [{ name: 'Jib left' }, { analysisFps: 3 }], 'each form sends only its change');
      assert.deepEqual(await config(), { ...before, name: 'Jib left', analysisFps: 3 });

      // A change made elsewhere (here the API) while the form is open stands too.
      await openForm(page);
      assert.equal((await httpJson(`${server.url}/api/cameras/cam-5`, { method: 'PATCH', body: { name: 'Jib' } })).status, 200);
      await page.fill('[data-testid="camera-analysis-fps"]', '5');
      assert.deepEqual(await save(page), { analysisFps: 5 });
      assert.deepEqual(await config(), before);

      // Saved unchanged: no PATCH, the form closes and says so.
      const patches: string[] = [];
      const onRequest = (r: { method: () => string; url: () => string }) => {
        if (r.method() === 'PATCH') patches.push(r.url());
      };
      await openForm(page);
      page.on('request', onRequest);
      try {
        await page.click('[data-testid="camera-save"]');
        await page.locator('[data-testid="camera-form-notice"]', { hasText: 'Nothing changed in camera "cam-5".' }).waitFor({ timeout: 5000 });
        assert.equal(await page.locator('[data-testid="camera-id"]').isEditable(), true, 'the edit form closed');
        assert.deepEqual(patches, []);
      } finally {
        page.off('request', onRequest);
      }
    } finally {
      await other.close();
      await page.keyboard.press('w');
    }
  });

  test('a phone (390 x 844): every view, camera action, shot edit and health figure in reach without a sideways scroll', async () => {
    await page.setViewportSize(PHONE);
    try {
      await page.keyboard.press('w');
      await page.locator('[data-camera-id="cam-1"]').waitFor({ timeout: 5000 });
      assert.deepEqual(await sidewaysHidden(page, 'nav [data-view]'), [], 'every view tab is in sight');
      const summary = page.locator('.toolbar .summary');
      assert.equal(await summary.evaluate((el) => el.scrollWidth <= el.clientWidth), true, 'the wall summary is not cut off');
      await shot('phone-wall');

      await page.keyboard.press('?');
      const dialog = page.locator('[role="dialog"]');
      await dialog.waitFor({ timeout: 5000 });
      assert.deepEqual(await sidewaysHidden(page, '[role="dialog"] dd'), [], 'every line of the shortcut list is in sight');
      await shot('phone-keys');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5000 });

      await page.click('nav [data-view="cameras"]');
      await page.locator('[data-testid="camera-row"]').first().waitFor({ timeout: 5000 });
      assert.equal(await page.locator('[data-testid="camera-edit"]').count(), 5);
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="camera-edit"], [data-testid="camera-remove"]'), []);
      await shot('phone-cameras');
      const row = page.locator('[data-testid="camera-row"][data-camera-id="cam-5"]');
      await row.locator('[data-testid="camera-remove"]').click();
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="camera-remove-confirm"], [data-testid="camera-remove-cancel"]'), [], 'the removal question is in sight');
      await row.locator('[data-testid="camera-remove-cancel"]').click();
      await row.locator('[data-testid="camera-edit"]').click();
      await page.locator('[data-testid="camera-name"]:focus').waitFor({ timeout: 5000 });
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="camera-save"], [data-testid="camera-cancel"]'), []);
      await shot('phone-camera-edit');
      await page.click('[data-testid="camera-cancel"]');

      await page.click('nav [data-view="shots"]');
      await page.locator('[data-testid="shot-edit"]').first().waitFor({ timeout: 10_000 });
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="shot-edit"]'), []);
      await page.locator('[data-testid="shot-edit"]').first().click();
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="shot-tags-input"], [data-testid="shot-save"], [data-testid="shot-cancel"]'), [], 'the shot being edited has its fields and Save in sight');
      await shot('phone-shots');
      await page.click('[data-testid="shot-cancel"]');

      await page.click('nav [data-view="health"]');
      await page.locator('[data-testid="health-row"]').first().waitFor({ timeout: 5000 });
      assert.deepEqual(await sidewaysHidden(page, '[data-testid="health-row"] td:not(.col-error):not(.col-in)'), [], 'every figure of a camera is in sight');
      await shot('phone-health');

      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= PHONE.width, `the page itself is no wider than the phone (${wide})`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
});

describe('dashboard without cameras', () => {
  let server: RunningServer;
  let browser: Browser;
  let closed = false;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (!closed) await server?.close();
  });

  test('the empty wall says what to do next and leads there', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(server.url);
    const empty = page.locator('[data-testid="wall-empty"]');
    await empty.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-empty-wall.png') });
    await empty.getByRole('button', { name: /Add a camera/ }).click();
    await page.locator('[data-testid="camera-id"]').waitFor({ timeout: 5000 });
    await page.keyboard.press('w');
    await empty.getByRole('button', { name: /this device's camera/ }).click();
    await page.locator('nav [data-view="publish"][aria-current="page"]').waitFor({ timeout: 5000 });
    await page.close();
  });

  test('a server that goes away: the page says it shows the past, and what to check', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(server.url);
    await page.locator('[data-testid="wall-empty"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="connection-lost"]').count(), 0, 'nothing to say while connected');
    await server.close();
    closed = true;
    const lost = page.locator('[data-testid="connection-lost"]');
    await lost.waitFor({ timeout: 10_000 });
    assert.match((await lost.textContent()) ?? '', /reconnecting.*not live.*check that shotscale still runs/s);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-connection-lost.png') });
    await page.close();
  });
});
