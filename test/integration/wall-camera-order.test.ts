/**
 * The wall keeps its cameras where the config file puts them, in Chromium
 * against a real server. Sorted by name, tile numbers did not follow the
 * config (camA, camB, camC were 1, 3, 2), and a rename mid-show
 * (`PATCH /api/cameras/camB {"name":"A Walkers"}`) moved Walkers from tile 4
 * to tile 1, moved the others, and gave the 1-9 keys to other cameras. The
 * Health table, in a tie, lists them in the same order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

// Disabled: their tiles are on the wall like any other, without an ffmpeg each. By name they would read C, D, A, B.
const CAMERAS = [
  testsrcCamera('camA', { name: 'Stage', enabled: false }),
  testsrcCamera('camB', { name: 'Walkers', enabled: false }),
  testsrcCamera('camC', { name: 'Boom', enabled: false }),
  testsrcCamera('camD', { name: 'Jib', enabled: false }),
];
const CONFIG_ORDER = ['camA', 'camB', 'camC', 'camD'];

const tileIds = (page: Page) => page.locator('.grid [data-camera-id]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-camera-id')));
const tileNames = (page: Page) => page.locator('.grid [data-camera-id] .hit').evaluateAll((hits) => hits.map((h) => h.getAttribute('aria-label')));

/** The camera key `key` shows large, back on the wall after. */
async function cameraOfKey(page: Page, key: string): Promise<string | null> {
  await page.keyboard.press(key);
  const large = page.locator('[data-focus-camera]');
  await large.waitFor({ timeout: 5000 });
  const id = await large.getAttribute('data-focus-camera');
  await page.keyboard.press('Escape');
  await page.locator('.grid').waitFor({ timeout: 5000 });
  return id;
}

describe('the wall keeps the config file\'s camera order', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ server: { port: 7431 }, cameras: CAMERAS });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.locator('.grid [data-camera-id="camD"]').waitFor({ timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('tiles and their number keys follow the config file, not the names', async () => {
    assert.deepEqual(await tileIds(page), CONFIG_ORDER);
    assert.deepEqual(await tileNames(page), ['Show Stage large (key 1)', 'Show Walkers large (key 2)', 'Show Boom large (key 3)', 'Show Jib large (key 4)']);
    for (const [i, id] of CONFIG_ORDER.entries()) assert.equal(await cameraOfKey(page, String(i + 1)), id);
  });

  test('a rename moves no tile and no key', async () => {
    assert.equal((await httpJson(`${server.url}/api/cameras/camB`, { method: 'PATCH', body: { name: 'A Walkers' } })).status, 200);
    await page.locator('[data-camera-id="camB"] .hit[aria-label="Show A Walkers large (key 2)"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await tileIds(page), CONFIG_ORDER);
    assert.deepEqual(await tileNames(page), ['Show Stage large (key 1)', 'Show A Walkers large (key 2)', 'Show Boom large (key 3)', 'Show Jib large (key 4)']);
    for (const [i, id] of CONFIG_ORDER.entries()) assert.equal(await cameraOfKey(page, String(i + 1)), id);
  });

  test('a camera added goes last; the Health table lists cameras alike in the same order', async () => {
    assert.equal((await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: testsrcCamera('cam0', { name: 'AAA added', enabled: false }) })).status, 201);
    await page.locator('.grid [data-camera-id="cam0"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await tileIds(page), [...CONFIG_ORDER, 'cam0']);

    await page.keyboard.press('h');
    await page.locator('[data-testid="health-row"][data-camera-id="cam0"]').waitFor({ timeout: 10_000 });
    const rows = await page.locator('[data-testid="health-row"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-camera-id')));
    assert.deepEqual(rows, [...CONFIG_ORDER, 'cam0']);
  });
});
