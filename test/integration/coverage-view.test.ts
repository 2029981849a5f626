/**
 * The take slate and the Coverage view as a script supervisor uses them, in a
 * real browser (Debian's Chromium through playwright-core) against a real
 * server: the camera menu open over the page on wide windows and Start
 * answering its first click, the menu's keyboard, two scenes shot at once,
 * a 64-character scene name on a phone, and a shoot of 40 planned scenes
 * with a filter and the alerts in view. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Take } from '../../server/shared/shots.js';
import { httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const CAMERAS = [
  { id: 'cam-1', name: 'Camera 1' },
  { id: 'cam-2', name: 'Colour bars' },
  { id: 'cam-3', name: 'Camera 3' },
];
/** As many scenes as a feature's shooting script holds in a week: the page must stay usable. */
const PLANNED = Array.from({ length: 40 }, (_, i) => String(i + 1));
const LONG_SCENE = 'EXT-ROOFTOP-NIGHT-WIDE-ESTABLISHING-CRANE-MOVE-OVER-THE-CITYLIGHT'.slice(0, 64);

async function runningTakes(url: string): Promise<Take[]> {
  return ((await httpJson(`${url}/api/takes`)).body as { running: Take[] }).running;
}

/**
 * Whether a person sees `selector`: inside the window, and the element the
 * browser finds at its centre is it (or inside its label), not whatever
 * covers or clips it.
 */
function seenAt(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) =>
    elements.map((el) => {
      const r = el.getBoundingClientRect();
      const name = el.closest('label')?.textContent?.trim() ?? el.tagName;
      if (r.width === 0 || r.height === 0) return `${name}: no box`;
      if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) return `${name}: outside the window`;
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      const label = el.closest('label');
      return hit === el || (label !== null && label.contains(hit)) ? 'seen' : `${name}: covered or clipped by <${hit?.tagName.toLowerCase()} class="${hit?.className}">`;
    }),
  );
}

describe('coverage view and take slate', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `coverage-view-${name}.png`) });

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      // Two analysed frames a second are plenty here: the machine has other tests to run.
      cameras: CAMERAS.map(({ id, name }) => testsrcCamera(id, { name, analysisFps: 2, source: { kind: 'testsrc', pattern: 'smptebars', width: 320, height: 240, fps: 10 } })),
      coverage: { plans: PLANNED.map((scene) => ({ scene, items: [{ id: 'master', scale: 'WS+' }] })) },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(width: number, height = 900): Promise<void> {
    await page.setViewportSize({ width, height });
    await page.goto(server.url);
    // A phone has the header's slate hidden (its own is in Coverage): there, only in the page.
    await page.locator('nav [data-testid="slate-cameras"]').waitFor({ state: 'attached', timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('nav [data-testid="slate-camera"]').length === 3, null, { timeout: 10_000 });
  }

  for (const width of [1400, 1920]) {
    test(`${width} px: the camera menu opens over the page, and Start with it open starts the take on the camera picked`, async () => {
      await open(width);
      const slate = page.locator('nav [data-testid="take-slate"]');
      await slate.locator('[data-testid="slate-cameras-summary"]').click();
      await slate.locator('[data-testid="slate-camera-menu"]').waitFor({ state: 'visible', timeout: 5000 });
      assert.deepEqual(await seenAt(page, 'nav [data-testid="slate-camera-all"], nav [data-testid="slate-camera"]'), ['seen', 'seen', 'seen', 'seen']);
      await slate.locator('[data-testid="slate-camera"][value="cam-2"]').check();
      assert.equal((await slate.locator('[data-testid="slate-cameras-summary"]').textContent())?.trim(), 'On Colour bars');
      await slate.locator('[data-testid="slate-scene"]').fill(`W${width}`);
      await shot(`menu-open-${width}`);
      // One click, the menu still open.
      await slate.locator('[data-testid="slate-start"]').click();
      await page.waitForFunction(async (url) => ((await (await fetch(`${url}/api/takes`)).json()) as { running: unknown[] }).running.length > 0, server.url, { timeout: 15_000 }).catch(() => undefined);
      const running = await runningTakes(server.url);
      assert.deepEqual(
        running.map((t) => [t.scene, t.cameras]),
        [[`W${width}`, ['cam-2']]],
        'the first click started the take',
      );
      assert.equal(await slate.locator('[data-testid="slate-camera-menu"]').isVisible(), false, 'the click closed the menu too');
      assert.equal(await slate.locator('[data-testid="slate-error"]').count(), 0);
      assert.equal((await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
    });
  }

  test('the menu answers the keyboard: Esc closes it onto its summary; "All cameras" stays ticked while none is picked; disabled End says why', async () => {
    await open(1400);
    const slate = page.locator('nav [data-testid="take-slate"]');
    const summary = slate.locator('[data-testid="slate-cameras-summary"]');
    await summary.focus();
    await page.keyboard.press('Enter');
    await slate.locator('[data-testid="slate-camera-menu"]').waitFor({ state: 'visible', timeout: 5000 });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'slate-camera-all');
    // Unticking "All cameras" with no camera picked would slate a take on no camera: it stays ticked.
    await page.keyboard.press('Space');
    assert.equal(await slate.locator('[data-testid="slate-camera-all"]').isChecked(), true);
    assert.equal((await summary.textContent())?.trim(), 'On all cameras');
    // Picking a camera unticks it; unpicking the last ticks it again.
    await slate.locator('[data-testid="slate-camera"][value="cam-1"]').check();
    assert.equal(await slate.locator('[data-testid="slate-camera-all"]').isChecked(), false);
    assert.equal((await summary.textContent())?.trim(), 'On Camera 1');
    await slate.locator('[data-testid="slate-camera"][value="cam-1"]').uncheck();
    assert.equal(await slate.locator('[data-testid="slate-camera-all"]').isChecked(), true);
    assert.equal((await summary.textContent())?.trim(), 'On all cameras');

    await slate.locator('[data-testid="slate-camera-all"]').focus();
    await page.keyboard.press('Escape');
    assert.equal(await slate.locator('[data-testid="slate-camera-menu"]').isVisible(), false, 'Esc closed the menu');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'slate-cameras-summary');

    // With no take running, End is disabled and says why to a screen reader, not only in a tooltip.
    const endButton = slate.locator('[data-testid="slate-end"]');
    assert.equal(await endButton.isDisabled(), true);
    const described = await endButton.getAttribute('aria-describedby');
    assert.ok(described, 'End has a description');
    assert.equal((await page.locator(`[id="${described}"]`).textContent())?.trim(), 'No take is running to end.');
  });

  test('a take number the scene has used: the slate offers the next number or the same again, and each starts at one press', async () => {
    assert.equal((await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { scene: 'R1', take: '8' } })).status, 201);
    assert.equal((await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
    await open(1400);
    const slate = page.locator('nav [data-testid="take-slate"]');
    const slateTake = async (action: 'slate-next-take' | 'slate-take-again'): Promise<void> => {
      await slate.locator('[data-testid="slate-scene"]').fill('R1');
      await slate.locator('[data-testid="slate-take"]').fill('8');
      await slate.locator('[data-testid="slate-start"]').click();
      const used = slate.locator('[data-testid="slate-take-used"]');
      await used.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match((await used.textContent()) ?? '', /Scene R1 already has a take 8 \(shot \d\d:\d\d:\d\d to \d\d:\d\d:\d\d\)/);
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'slate-next-take', 'the usual way on is focused');
      assert.equal(await slate.locator('[data-testid="slate-error"]').count(), 0, 'no error to read and retype');
      await slate.locator(`[data-testid="${action}"]`).click();
      await page.waitForFunction(async (url) => ((await (await fetch(`${url}/api/takes`)).json()) as { running: unknown[] }).running.length > 0, server.url, { timeout: 15_000 }).catch(() => undefined);
    };
    await slateTake('slate-next-take');
    assert.deepEqual((await runningTakes(server.url)).map((t) => [t.scene, t.take]), [['R1', '9']]);
    assert.equal((await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
    await slateTake('slate-take-again');
    assert.deepEqual((await runningTakes(server.url)).map((t) => [t.scene, t.take]), [['R1', '8']]);
    assert.equal(await slate.locator('[data-testid="slate-take-used"]').count(), 0, 'the choice is gone once made');
    assert.equal((await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
  });

  test('two scenes shot at once on different cameras are both marked "shooting now", first in the list', async () => {
    for (const [scene, camera] of [['14', 'cam-1'], ['20', 'cam-3']] as const) {
      assert.equal((await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { scene, cameras: [camera] } })).status, 201);
    }
    await open(1400);
    await page.keyboard.press('c');
    await page.locator('[data-testid="scene-card"][data-scene="20"][data-mark="shooting"]').waitFor({ timeout: 10_000 });
    const cards = await page.$$eval('[data-testid="scene-card"]', (els) => els.slice(0, 3).map((el) => [el.getAttribute('data-scene'), el.querySelector('[data-testid="scene-mark"]')?.textContent?.trim() ?? null]));
    assert.deepEqual(cards, [
      ['14', 'shooting now'],
      ['20', 'shooting now'],
      ['1', null],
    ]);
    await shot('two-scenes-shooting');
  });

  test('a shoot of 40 scenes: the filter finds one, and the alerts stay in view down the list', async () => {
    await open(1400);
    await page.keyboard.press('c');
    await page.locator('[data-testid="scene-card"][data-scene="40"]').waitFor({ timeout: 10_000 });
    // The 40 planned, and those slated above.
    assert.ok((await page.locator('[data-testid="scene-card"]').count()) >= 40);

    // Halfway down: at the very end the column rests on the list's last row, as sticky things do.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
    assert.ok((await page.evaluate(() => window.scrollY)) > 2000, 'scrolled down the list');
    const side = await page.locator('[data-testid="coverage-side"]').boundingBox();
    assert.ok(side && side.y >= 0 && side.y < 100, `the alerts column is at the top of the window, at ${side?.y}`);
    assert.deepEqual(await seenAt(page, '[data-testid="alert-list"] > h3'), ['seen'], 'the Alerts heading is in sight');
    await shot('scrolled-alerts-in-view');

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('[data-testid="scene-filter"]').fill('Scene 37');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="scene-card"]').length === 1, null, { timeout: 5000 });
    assert.equal(await page.locator('[data-testid="scene-card"]').getAttribute('data-scene'), '37');
    assert.match((await page.locator('[data-testid="scene-count"]').textContent())?.trim() ?? '', /^1 of 4\d scenes$/);
    await page.locator('[data-testid="scene-filter"]').fill('no such');
    await page.locator('[data-testid="scene-filter-empty"]').waitFor({ timeout: 5000 });
    await shot('filtered');
  });

  test('a 64-character scene name wraps: no page wider than a phone, and the card holds it', async () => {
    assert.equal((await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { scene: LONG_SCENE, cameras: ['cam-2'] } })).status, 201);
    for (const width of [390, 1400, 1920]) {
      await open(width);
      for (const view of ['c', 'w', 's']) {
        await page.keyboard.press(view);
        if (view === 'c') await page.locator(`[data-testid="scene-card"][data-scene="${LONG_SCENE}"]`).waitFor({ timeout: 10_000 });
        await page.waitForFunction(() => document.body.textContent?.includes('EXT-ROOFTOP'), null, { timeout: 10_000 });
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= width, `${view} at ${width} px: the page is ${wide} px wide`);
        if (view === 'c') {
          const overflow = await page.$eval(`[data-testid="scene-card"][data-scene="${LONG_SCENE}"]`, (card) => card.scrollWidth - card.clientWidth);
          assert.ok(overflow <= 1, `the card overflows by ${overflow} px`);
        }
        await shot(`long-scene-${width}-${view}`);
      }
    }
    assert.equal((await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {} })).status, 200);
  });
});
