/**
 * The Shots view past its newest page, and a scene name that does not
 * wrap, in Chromium against a real server and its SQLite log:
 * - the view read the newest 500 shots alone ("Newest 500 of 8 102 shots,
 *   newest first") and offered nothing to reach the rest;
 * - a scene name of 64 characters without a space widened the table to
 *   1,730 px in a 1,400 px window, Subjects, Tags and Note off the edge;
 * - paged back, each live update read every shot shown again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { MAX_NAME_LENGTH } from '../../server/shared/input-limits.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { launchChromium } from '../support/browser.js';
import { startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';
import { formatCount } from '../../web/src/lib/format.js';
import { FILTER_KEY } from '../../web/src/lib/shots-view-state.js';

const LONG_SCENE = 'S'.repeat(MAX_NAME_LENGTH);
/** Shots of scene 12; as many again of scene 11 between them, which the filter leaves out. */
const SCENE_12_SHOTS = 1234;

function record(inTime: number, scene: string, cameraId: string): ShotRecord {
  return {
    id: 0, cameraId, status: 'closed', inTime, outTime: inTime + 1000, rate: '25', inFrame: 0, outFrame: 25, tcIn: '10:00:00:00', tcOut: '10:00:01:00',
    durationS: 1, startS: 0, scale: 'MS', scaleStart: 'MS', scaleEnd: 'MS', confidence: 0.9, probabilities: CANONICAL_SCALES.map((s) => (s === 'MS' ? 1 : 0)), readouts: 10,
    subjects: null, reason: null, cutIn: 'hard', cutOut: 'hard', scene, take: '1', tags: [], note: null, hasThumbnail: false,
  };
}

describe('the Shots view reaches every shot and keeps to the window', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  /** Scene 12's shot ids, newest first. */
  const scene12: number[] = [];

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { port: 7432 },
      cameras: [
        { id: 'cam-1', name: 'Camera 1', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } },
        { id: 'cam-2', name: 'Camera 2', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } },
      ],
    });
    const start = Date.now() - 3 * 3600_000;
    for (let i = 0; i < SCENE_12_SHOTS; i++) {
      // Two cameras cutting at once every tenth shot: shots that start together, some on a page's edge.
      const at = start + Math.floor(i / 2) * 4000 + (i % 2 && i % 10 !== 1 ? 2000 : 0);
      scene12.unshift(server.shotLog!.shots.add(record(at, '12', i % 2 ? 'cam-1' : 'cam-2'), null));
      server.shotLog!.shots.add(record(at + 1000, '11', 'cam-1'), null);
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/#shots`);
    await page.evaluate((key) => sessionStorage.setItem(key, JSON.stringify({ camera: '', scene: '12', take: '' })), FILTER_KEY);
    await page.reload();
    await page.locator('[data-testid="shot-row"]').first().waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const summary = async () => (await page.locator('[data-testid="shots-summary"]').innerText()).trim();
  /** The summary once it reads `expected`: after a live update the row goes at once and the count with the read that follows. */
  async function summaryComes(expected: string): Promise<void> {
    await page.waitForFunction((text) => document.querySelector<HTMLElement>('[data-testid="shots-summary"]')?.innerText.trim() === text, expected, { timeout: 15_000 }).catch(() => undefined);
    assert.equal(await summary(), expected);
  }
  const rowIds = () => page.locator('[data-testid="shot-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-shot-id'))));
  const older = () => page.locator('[data-testid="shots-older"]');

  async function showOlder(expectRows: number): Promise<void> {
    await older().focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="shot-row"]').length === n, expectRows, { timeout: 15_000 });
  }

  test('older shots page in, 500 at a time, filtered, each shot once, the counts true; a refresh keeps them and adds the new one on top', async () => {
    assert.equal(await summary(), `Newest 500 of ${formatCount(SCENE_12_SHOTS)} shots matching the filters, newest first`);
    assert.deepEqual(await rowIds(), scene12.slice(0, 500));
    assert.equal((await older().innerText()).trim(), 'Show 500 older');

    await showOlder(1000);
    assert.equal(await summary(), `Newest ${formatCount(1000)} of ${formatCount(SCENE_12_SHOTS)} shots matching the filters, newest first`);
    assert.deepEqual(await rowIds(), scene12.slice(0, 1000));
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'shots-older', 'the keyboard stays on the button');

    // A shot logged meanwhile: the list read again keeps every older shot shown, the new one on top.
    const latest = server.shotLog!.shots.add(record(Date.now(), '12', 'cam-1'), null);
    await page.locator('[data-testid="shots-refresh"]').click();
    await page.locator(`[data-testid="shot-row"][data-shot-id="${latest}"]`).waitFor({ timeout: 15_000 });
    assert.deepEqual(await rowIds(), [latest, ...scene12.slice(0, 1000)]);
    assert.equal(await summary(), `Newest ${formatCount(1001)} of ${formatCount(SCENE_12_SHOTS + 1)} shots matching the filters, newest first`);

    // The last page: fewer than 500 left, and then none.
    assert.equal((await older().innerText()).trim(), `Show ${SCENE_12_SHOTS - 1000} older`);
    await showOlder(SCENE_12_SHOTS + 1);
    assert.deepEqual(await rowIds(), [latest, ...scene12]);
    assert.equal(await summary(), `${formatCount(SCENE_12_SHOTS + 1)} shots matching the filters, newest first`);
    assert.equal(await older().count(), 0);
    assert.ok((await page.locator('[data-testid="shot-row"] td.scene').allInnerTexts()).every((s) => s.trim() === '12'));
  });

  test('paged back, a live update reads the newest page alone; a shot further down changes, leaves and comes back by the events heard', async () => {
    // It read every shot shown and 100 more on each live update: 8,100 rows every 2 s per dashboard after a day paged back.
    const reads: string[] = [];
    const onRequest = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/shots') reads.push(url.search);
    };
    page.on('request', onRequest);
    try {
      const shown = SCENE_12_SHOTS + 1;
      const far = scene12[1100]!;
      const row = page.locator(`[data-testid="shot-row"][data-shot-id="${far}"]`);
      server.shotLog!.patchShot(far, { note: 'boom in frame' });
      await page.waitForFunction((id) => document.querySelector(`[data-testid="shot-row"][data-shot-id="${id}"] td.note`)?.textContent?.includes('boom in frame'), far, { timeout: 15_000 });
      // Moved to scene 11: out of the list of scene 12, and back.
      server.shotLog!.patchShot(far, { scene: '11' });
      await row.waitFor({ state: 'detached', timeout: 15_000 });
      await summaryComes(`${formatCount(shown - 1)} shots matching the filters, newest first`);
      server.shotLog!.patchShot(far, { scene: '12' });
      await row.waitFor({ timeout: 15_000 });
      // A new shot, told by an edit: on top, by the refresh it brings.
      const newest = server.shotLog!.shots.add(record(Date.now() + 500, '12', 'cam-2'), null);
      server.shotLog!.patchShot(newest, { note: 'new' });
      await page.locator(`[data-testid="shot-row"][data-shot-id="${newest}"]`).waitFor({ timeout: 15_000 });
      const ids = await rowIds();
      assert.deepEqual(ids.slice(2), scene12);
      assert.equal(ids[0], newest);
      await summaryComes(`${formatCount(shown + 1)} shots matching the filters, newest first`);
      assert.ok(reads.length > 0, 'the list was read again');
      assert.deepEqual(reads.filter((query) => !query.includes('limit=500&') && !query.endsWith('limit=500')), [], 'the newest page alone, each time');
    } finally {
      page.off('request', onRequest);
    }
  });

  test('a scene name of 64 characters without a space wraps: the table fits a 1,400 px window', async () => {
    const id = server.shotLog!.shots.add(record(Date.now() + 1000, LONG_SCENE, 'cam-2'), null);
    await page.locator('[data-testid="shots-filter-scene"]').fill(LONG_SCENE);
    const row = page.locator(`[data-testid="shot-row"][data-shot-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    const box = await page.locator('[data-testid="shot-table"]').evaluate((table) => {
      const scroller = table.closest('.scroller')!;
      return { scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth, table: table.getBoundingClientRect().width, page: document.documentElement.scrollWidth };
    });
    assert.ok(box.scrollWidth <= box.clientWidth + 1 && box.page <= 1400, `the table fits the window: ${JSON.stringify(box)}`);
    const note = await row.locator('td.note').boundingBox();
    assert.ok(note && note.x + note.width <= 1400, 'the Note column in sight');
    assert.equal((await row.locator('td.scene').innerText()).replace(/\s/g, ''), LONG_SCENE, 'the whole name, wrapped');
  });

  test('the scale filter lists the shots of one scale as exports write it, or those without a picture, and is kept for the tab', async () => {
    const at = Date.now() + 2000;
    const cu = server.shotLog!.shots.add({ ...record(at, '13', 'cam-1'), scale: 'CU' }, null);
    const corrected = server.shotLog!.shots.add(record(at + 1000, '13', 'cam-2'), null);
    server.shotLog!.shots.setScale(corrected, 'CU');
    // Black from cut to cut: its scale, carried over from the shot before, is CU, and it is listed as no picture, never as a CU.
    const black = server.shotLog!.shots.add({ ...record(at + 2000, '13', 'cam-1'), scale: 'CU', noPicture: 'black' }, null);
    server.shotLog!.shots.add(record(at + 3000, '13', 'cam-2'), null);
    await page.locator('[data-testid="shots-filter-scene"]').fill('13');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="shot-row"]').length === 4, undefined, { timeout: 15_000 });
    await page.locator('[data-testid="shots-filter-scale"]').selectOption('CU');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="shot-row"]').length === 2, undefined, { timeout: 15_000 });
    assert.deepEqual(await rowIds(), [corrected, cu]);
    assert.equal(await summary(), '2 shots matching the filters, newest first');
    await page.locator('[data-testid="shots-filter-scale"]').selectOption({ label: 'No picture' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="shot-row"]').length === 1, undefined, { timeout: 15_000 });
    assert.deepEqual(await rowIds(), [black]);
    assert.deepEqual(JSON.parse((await page.evaluate((key) => sessionStorage.getItem(key), FILTER_KEY))!), { camera: '', scene: '13', take: '', scale: 'none' });
    await page.locator('[data-testid="shots-filter-scale"]').selectOption('EWS');
    await page.locator('[data-testid="shots-empty"]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('[data-testid="shots-empty"]').innerText(), /No shots of scene “13”, scale EWS\./);
  });
});
