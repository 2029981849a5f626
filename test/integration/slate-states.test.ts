/**
 * The take slate with the server gone, in Chromium, against a real
 * `shotscale serve` in a child process killed with SIGKILL (no last word
 * comes). Start, End and the camera menu ("On all cameras") stayed as they
 * were: pressed, a start or an end waited 5 s and failed with "the server did
 * not answer". They are disabled while the page is not connected, each
 * saying why (title, and a line a screen reader reads with it), and usable
 * again once the server, started again on the same port and data folder, is
 * back, without a reload. Screenshots go to test-artifacts/slate-states-*.png.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { killServeProcess, startServeProcess, writeServeConfig } from '../support/cli.js';
import { freePort } from '../support/cluster-engines.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const NOT_CONNECTED = /^Not connected to the server: /;

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="take-slate"]:visible [data-testid="${id}"]`).first();
const textOf = async (page: Page, id: string) => ((await byTestId(page, id).textContent()) ?? '').trim();

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the take slate with the server gone', () => {
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

  test('Start, End and the camera menu are disabled, saying why, while not connected; back on the same port they work again', { timeout: 180_000 }, async () => {
    const dir = tempDir('shotscale-slate-states-');
    const config = path.join(dir, 'config.yaml');
    writeServeConfig(config, path.join(dir, 'data'), ['{ id: cam-a, name: Camera A, analysisFps: 2, source: { kind: testsrc, pattern: testsrc2, width: 320, height: 240, fps: 10 } }'], await freePort());
    let served = await startServeProcess(config);
    child = served.child;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(served.url);
      await page.locator('[data-camera-id="cam-a"]').first().waitFor({ timeout: 30_000 });
      const start = byTestId(page, 'slate-start');
      const end = byTestId(page, 'slate-end');
      const summary = byTestId(page, 'slate-cameras-summary');
      const menu = byTestId(page, 'slate-cameras');

      // Connected: a take is slated from the page.
      await byTestId(page, 'slate-scene').fill('12');
      await start.click();
      await byTestId(page, 'slate-take-running').waitFor({ timeout: 10_000 });
      assert.equal(await end.isEnabled(), true);
      assert.equal(await summary.getAttribute('aria-disabled'), null);
      // The menu open when the server goes: it closes, as it cannot be used.
      await summary.click();
      assert.equal(await menu.evaluate((d) => (d as HTMLDetailsElement).open), true);

      await kill();
      await page.locator('[data-testid="connection-lost"]').waitFor({ timeout: 20_000 });
      await until('Start disabled', () => start.isDisabled(), 10_000);
      assert.equal(await start.isDisabled(), true, 'Start disabled');
      assert.equal(await end.isDisabled(), true, 'End disabled, with a take held as running');
      assert.match((await start.getAttribute('title')) ?? '', NOT_CONNECTED);
      assert.match((await start.getAttribute('title')) ?? '', /a take can be started once the page reconnects/);
      assert.match((await end.getAttribute('title')) ?? '', /a take can be ended once the page reconnects/);
      assert.match(await textOf(page, 'slate-start-why'), NOT_CONNECTED, 'said to a screen reader as well');
      assert.match(await textOf(page, 'slate-end-why'), NOT_CONNECTED);
      assert.equal(await menu.evaluate((d) => (d as HTMLDetailsElement).open), false, 'the open menu closed');
      assert.equal(await summary.getAttribute('aria-disabled'), 'true');
      assert.match((await summary.getAttribute('title')) ?? '', NOT_CONNECTED);
      await summary.click();
      assert.equal(await menu.evaluate((d) => (d as HTMLDetailsElement).open), false, 'the menu does not open');
      await summary.focus();
      await page.keyboard.press('Enter');
      assert.equal(await menu.evaluate((d) => (d as HTMLDetailsElement).open), false, 'nor from the keyboard');
      // Enter in the scene field starts no take either: nothing waits 5 s to fail.
      await byTestId(page, 'slate-scene').fill('13');
      await byTestId(page, 'slate-scene').press('Enter');
      await page.waitForTimeout(6000);
      assert.equal(await byTestId(page, 'slate-error').count(), 0, 'no "Refused: the server did not answer"');
      await page.screenshot({ path: path.join(ARTIFACTS, 'slate-states-not-connected.png') });

      // The server back on the same port and data folder: the take runs on, and the slate works again.
      served = await startServeProcess(config);
      child = served.child;
      await until('Start enabled again', () => start.isEnabled(), 30_000);
      assert.equal(await start.getAttribute('title'), null);
      assert.equal(await textOf(page, 'slate-start-why'), '');
      assert.equal(await summary.getAttribute('aria-disabled'), null);
      assert.doesNotMatch((await summary.getAttribute('title')) ?? '', NOT_CONNECTED);
      await summary.click();
      assert.equal(await menu.evaluate((d) => (d as HTMLDetailsElement).open), true, 'the menu opens again');
      await page.keyboard.press('Escape');
      await byTestId(page, 'slate-take-running').waitFor({ timeout: 10_000 });
      assert.equal(await end.isEnabled(), true);
      assert.doesNotMatch((await end.getAttribute('title')) ?? '', NOT_CONNECTED);
      await end.click();
      await page.locator('[data-testid="take-slate"]:visible [data-testid="slate-running"]', { hasText: 'No take running' }).first().waitFor({ timeout: 10_000 });
      assert.equal(await byTestId(page, 'slate-error').count(), 0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'slate-states-reconnected.png') });
    } finally {
      await context.close();
      await kill();
    }
  });
});
