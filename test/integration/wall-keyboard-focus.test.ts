/**
 * Where the keyboard goes on the wall, in Chromium against a real server,
 * where a keyboard user lost it to <body>:
 * - Esc from a camera shown large: the next Tab landed on the Scale menu, not
 *   on the tile the large view was opened from;
 * - Esc in a tile's ✎ menu with the keyboard on its class buttons, and Esc on
 *   the tile's shot strip;
 * and a screen reader heard "✎" on every tile, four identical names with no
 * camera in them: the words were in `title` alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const OPERATOR = 'operator-token-wall-keyboard-focus-0123456789';
const ADMIN = 'admin-token-wall-keyboard-focus-0123456789';

/** What has the keyboard: the element's aria-label, else its tag. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null);

describe('the wall gives the keyboard back to what opened a view or a menu', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }] },
      cameras: [testsrcCamera('stage', { name: 'Stage' }), testsrcCamera('hikers', { name: 'Hikers' })],
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/?token=${OPERATOR}`);
    await page.locator('[data-camera-id="hikers"][data-live="yes"]').waitFor({ timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('Esc from a camera shown large puts the keyboard back on its tile', async () => {
    await page.locator('[data-camera-id="hikers"] .hit').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-focus-camera="hikers"]').waitFor({ timeout: 5000 });
    await page.keyboard.press('Escape');
    await page.locator('[data-camera-id="hikers"]').waitFor({ timeout: 5000 });
    assert.equal(await focused(page), 'Show Hikers large (key 2)');

    // Stepped to another camera with the arrows, Esc goes back to that camera's tile; so does the Wall button.
    await page.keyboard.press('Enter');
    await page.locator('[data-focus-camera="hikers"]').waitFor({ timeout: 5000 });
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-focus-camera="stage"]').waitFor({ timeout: 5000 });
    await page.locator('[data-focus-camera="stage"] button', { hasText: 'Wall' }).click();
    await page.locator('[data-camera-id="stage"]').waitFor({ timeout: 5000 });
    assert.equal(await focused(page), 'Show Stage large (key 1)');
  });

  test('the ✎ control is named for its camera, and Esc in its menu gives the keyboard back to it', async () => {
    const fix = page.locator('[data-camera-id="hikers"] [data-testid="tile-correct"] summary');
    await fix.waitFor({ timeout: 20_000 });
    await page.locator('[data-camera-id="stage"] [data-testid="tile-correct"] summary').waitFor({ timeout: 20_000 });
    const names = await page.locator('[data-testid="tile-correct"] summary').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label')));
    assert.deepEqual(names.sort(), ['Correct the label of Hikers', 'Correct the label of Stage']);

    await fix.focus();
    await page.keyboard.press('Enter');
    const first = page.locator('[data-camera-id="hikers"] [data-testid="correction-bar"] button').first();
    await first.waitFor({ timeout: 5000 });
    await first.focus();
    await page.keyboard.press('Escape');
    await page.locator('[data-camera-id="hikers"] [data-testid="correction-bar"]').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await focused(page), 'Correct the label of Hikers');
  });

  test('Esc on a tile\'s shot strip closes the shot\'s details and leaves the keyboard on the strip', async () => {
    const strip = page.locator('[data-camera-id="hikers"] [role="listbox"]');
    await strip.locator('.seg').first().waitFor({ state: 'attached', timeout: 20_000 });
    await strip.focus();
    await page.locator('[data-camera-id="hikers"] [role="tooltip"]').waitFor({ timeout: 5000 });
    await page.keyboard.press('Escape');
    await page.locator('[data-camera-id="hikers"] [role="tooltip"]').waitFor({ state: 'detached', timeout: 5000 });
    assert.match((await focused(page)) ?? '', /^Hikers: shots of the last/);
  });
});
