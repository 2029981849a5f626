/**
 * The Wall and the Coverage view with the server gone, in Chromium, against
 * a real `shotscale serve` in a child process killed with SIGKILL (no last
 * status comes). The tiles kept their last label under a green LIVE badge,
 * the wall counted its cameras live, and the Coverage view said "shooting
 * now" and "No active alerts": a frozen page presented as live. Now every
 * tile's badge says "not live", its label is greyed and as of its readout,
 * the count is not known, and the coverage and alerts are as last heard.
 * The server started again on the same port, all is live again without a
 * reload. Screenshots go to test-artifacts/wall-disconnected-*.png.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { freePort } from '../support/cluster-engines.js';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { killServeProcess, startServeProcess, writeServeConfig } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { httpJson, REPO_DIR } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const CAMERAS = ['cam-a', 'cam-b'];

/** The text of every status badge on the wall's tiles, trimmed and lower-cased. */
const tileBadges = (page: Page) => page.locator('.grid .tile header .badge').evaluateAll((badges) => badges.map((b) => (b.textContent ?? '').trim().toLowerCase()));

describe('the wall with the server gone', () => {
  let browser: Browser;
  let child: ChildProcess | null = null;

  const kill = () => killServeProcess(child);

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });

  after(async () => {
    await kill();
    await browser?.close();
  });

  test('no tile says LIVE nor the coverage "No active alerts" while the server is gone; back on the same port, all is live again', { timeout: 240_000 }, async () => {
    const dir = tempDir('shotscale-wall-disconnected-');
    const config = path.join(dir, 'config.yaml');
    writeServeConfig(config, path.join(dir, 'data'), CAMERAS.map((id) => `{ id: ${id}, analysisFps: 5, source: { kind: testsrc, pattern: testsrc2, width: 320, height: 240, fps: 25 } }`), await freePort());
    let served = await startServeProcess(config);
    child = served.child;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      assert.equal((await httpJson(`${served.url}/api/takes`, { method: 'POST', body: { scene: '12' } })).status, 201);
      const page = await context.newPage();
      await page.goto(served.url);

      // Live: both tiles LIVE, with a label read.
      for (const id of CAMERAS) {
        await page.locator(`.tile[data-camera-id="${id}"][data-state="live"] [data-testid="tile-scale"]:not(.none):not(.stale)`).waitFor({ timeout: 60_000 });
      }
      // Coverage, live: the take is being shot, and no alert is active.
      await page.keyboard.press('c');
      await page.locator('[data-testid="scene-card"][data-scene="12"] [data-testid="scene-mark"]', { hasText: 'shooting now' }).waitFor({ timeout: 10_000 });
      assert.equal((await page.locator('[data-testid="alerts-none"]').innerText()).trim(), '✓ No active alerts.');
      await page.keyboard.press('w');
      await page.locator('.grid .tile').nth(CAMERAS.length - 1).waitFor({ timeout: 10_000 });
      assert.deepEqual(await tileBadges(page), ['live', 'live']);
      assert.match(await page.locator('.toolbar .summary').innerText(), /2 cameras · 2 live/);
      const sizes = await page.locator('.grid .tile').evaluateAll((tiles) => tiles.map((t) => `${t.getBoundingClientRect().width}x${t.getBoundingClientRect().height}`));

      // The server killed outright: no last status, the page still holds both cameras live.
      await kill();
      // The banner and the tiles come from the same state, drawn together.
      await page.locator('[data-testid="connection-lost"]').waitFor({ timeout: 20_000 });
      const badges = await tileBadges(page);
      assert.equal(badges.length, CAMERAS.length);
      assert.ok(
        badges.every((b) => b === 'not live'),
        `no tile says LIVE: ${JSON.stringify(badges)}`,
      );
      assert.equal(await page.locator('.grid .tile header .badge:not(.stale)').count(), 0, 'every badge greyed');
      assert.equal(await page.locator('.tile[data-live="yes"]').count(), 0);
      assert.equal(await page.locator('.tile [data-testid="tile-not-live"]').count(), CAMERAS.length);
      for (const id of CAMERAS) {
        const tile = page.locator(`.tile[data-camera-id="${id}"]`);
        const label = (await tile.locator('[data-testid="tile-scale"] .label').innerText()).trim();
        assert.notEqual(label, '—', `${id}: the last label stays in sight`);
        assert.equal(await tile.locator('[data-testid="tile-scale"].stale').count(), 1, `${id}: the label greyed`);
        assert.match(await tile.locator('[data-testid="tile-as-of"]').innerText(), /^not connected · label as of \S/);
      }
      const summary = await page.locator('.toolbar .summary').innerText();
      assert.doesNotMatch(summary, /\d+ live/, `the wall's count while not connected: ${summary}`);
      assert.match(summary, /— live \(not connected\)/);
      const lostSizes = await page.locator('.grid .tile').evaluateAll((tiles) => tiles.map((t) => `${t.getBoundingClientRect().width}x${t.getBoundingClientRect().height}`));
      assert.deepEqual(lostSizes, sizes, 'the tiles keep their size');
      await page.screenshot({ path: path.join(ARTIFACTS, 'wall-disconnected-wall.png') });

      // The same page one large: no LIVE there either.
      await page.keyboard.press('1');
      await page.locator('[data-testid="focus-not-live"]').waitFor({ timeout: 5000 });
      assert.equal((await page.locator('.focus .bar .badge').innerText()).trim().toLowerCase(), 'not live');
      assert.match(await page.locator('[data-testid="focus-as-of"]').innerText(), /not connected · label as of \S/);
      await page.keyboard.press('Escape');

      // Coverage: the take and the alerts are as last heard, not now.
      await page.keyboard.press('c');
      const mark = page.locator('[data-testid="scene-card"][data-scene="12"] [data-testid="scene-mark"]');
      await mark.waitFor({ timeout: 10_000 });
      assert.doesNotMatch(await mark.innerText(), /shooting now/);
      assert.match(await mark.innerText(), /^shooting as of \S.* \(not connected\)$/);
      const alerts = page.locator('[data-testid="alert-list"]');
      assert.match(await alerts.locator('h3').innerText(), /^Alerts as of \S.* \(not connected\)$/);
      // No alert was raised on this server (two moving test patterns, no plan): none is what was last heard.
      const none = (await page.locator('[data-testid="alerts-none"]').innerText()).trim();
      assert.doesNotMatch(none, /^✓?\s*No active alerts\.$/, `"No active alerts" claimed while not connected: ${none}`);
      assert.match(none, /^No active alerts when last heard, \S.*; not known now\.$/);
      const slate = await page.locator('[data-testid="slate-running"]:visible').innerText();
      assert.match(slate, /Scene 12 · Take \S+ · [\d:]+ running as of \S.* \(not connected\)/, `the slate's take as last heard: ${slate}`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'wall-disconnected-coverage.png'), fullPage: true });

      // The server back on the same port: live again, nobody reloading the page.
      served = await startServeProcess(config);
      child = served.child;
      await page.locator('[data-testid="connection-lost"]').waitFor({ state: 'detached', timeout: 30_000 });
      await page.locator('[data-testid="scene-card"][data-scene="12"] [data-testid="scene-mark"][data-live="yes"]').waitFor({ timeout: 10_000 });
      assert.match(await page.locator('[data-testid="alerts-heading"]').innerText(), /^\d+ active$/);
      await page.keyboard.press('w');
      for (const id of CAMERAS) {
        await page.locator(`.tile[data-camera-id="${id}"][data-live="yes"] [data-testid="tile-scale"]:not(.none):not(.stale)`).waitFor({ timeout: 60_000 });
      }
      assert.deepEqual(await tileBadges(page), ['live', 'live']);
      assert.equal(await page.locator('[data-testid="tile-as-of"]').count(), 0);
      assert.match(await page.locator('.toolbar .summary').innerText(), /2 cameras · 2 live/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'wall-disconnected-back.png') });
    } finally {
      await context.close();
      await kill();
    }
  });
});
