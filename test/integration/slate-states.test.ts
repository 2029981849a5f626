/**
 * The take slate with the server gone, in Chromium, against a real
 * `shotscale serve` in a child process killed with SIGKILL (no last word
 * comes). Start, End and the camera menu ("On all cameras") stayed as they
 * were: pressed, a start or an end waited 5 s and failed with "the server did
 * not answer". They are disabled while the page is not connected, each
 * saying why (title, and a line a screen reader reads with it), and usable
 * again once the server, started again on the same port and data folder, is
 * back, without a reload. The alerts the old process had (a camera with no
 * picture) go with it: the page shows the new server's, not the old ones
 * with their "since" counting on and a Dismiss that found nothing.
 *
 * With the server up: a double click on Start, or Enter pressed again,
 * slates one take, not a sliver take per press; a scene or take the server
 * would refuse is said at the field and not sent (70 KB pasted once went past
 * the socket's message limit and the page waited for an answer that never
 * came); a refusal reads "CODE: what". Screenshots go to
 * test-artifacts/slate-states-*.png.
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

/** An RTSP camera on a port nobody serves: it never has a picture, and raises a critical alert within seconds. */
const deadCamera = (port: number) => `{ id: cam-dead, name: Dead camera, analysisFps: 2, source: { kind: rtsp, url: "rtsp://127.0.0.1:${port}/nothing" } }`;
const CAMERA_A = '{ id: cam-a, name: Camera A, analysisFps: 2, source: { kind: testsrc, pattern: testsrc2, width: 320, height: 240, fps: 10 } }';

interface TakesAnswer {
  running: { scene: string; take: string }[];
  takes: { scene: string; take: string }[];
}

async function takesOf(url: string, scene: string): Promise<TakesAnswer> {
  const response = await fetch(`${url}/api/takes?scene=${encodeURIComponent(scene)}`);
  assert.equal(response.status, 200);
  return (await response.json()) as TakesAnswer;
}

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

  test('Start, End and the camera menu are disabled, saying why, while not connected; back on the same port they work again, with the new server\'s alerts alone', { timeout: 180_000 }, async () => {
    const dir = tempDir('shotscale-slate-states-');
    const config = path.join(dir, 'config.yaml');
    const port = await freePort();
    writeServeConfig(config, path.join(dir, 'data'), [CAMERA_A, deadCamera(await freePort())], port);
    let served = await startServeProcess(config);
    child = served.child;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(served.url);
      await page.locator('[data-camera-id="cam-a"]').first().waitFor({ timeout: 30_000 });
      // The camera with no picture raises its alert, listed in Coverage.
      await page.evaluate(() => (window.location.hash = '#coverage'));
      const deadAlert = page.locator('[data-testid="alert"][data-alert-key="stalled:cam-dead"]');
      await deadAlert.waitFor({ timeout: 30_000 });
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

      assert.equal(await deadAlert.count(), 1, 'the alert stays listed as last heard');

      // The server back on the same port and data folder: the take runs on, and the slate works again. The dead
      // camera is no longer configured: the new server has no alert about it.
      writeServeConfig(config, path.join(dir, 'data'), [CAMERA_A], port);
      served = await startServeProcess(config);
      child = served.child;
      await until('Start enabled again', () => start.isEnabled(), 30_000);
      assert.equal(await start.getAttribute('title'), null);
      assert.equal(await textOf(page, 'slate-start-why'), '');
      // The page lists the alerts the new server sent on connect, not the old process's.
      await until('the old process\'s alert gone', async () => (await deadAlert.count()) === 0, 10_000);
      const serverAlerts = ((await (await fetch(`${served.url}/api/alerts`)).json()) as { active: { key: string }[] }).active.map((a) => a.key);
      assert.equal(serverAlerts.includes('stalled:cam-dead'), false, 'the server has none about it either');
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

  test('a double click or Enter pressed again slates one take; a scene or take the server would refuse is said at the field, not sent; a refusal reads "CODE: what"', { timeout: 120_000 }, async () => {
    const dir = tempDir('shotscale-slate-presses-');
    const config = path.join(dir, 'config.yaml');
    writeServeConfig(config, path.join(dir, 'data'), [CAMERA_A], await freePort());
    const served = await startServeProcess(config);
    child = served.child;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(served.url);
      await page.locator('[data-camera-id="cam-a"]').first().waitFor({ timeout: 30_000 });
      const sceneField = byTestId(page, 'slate-scene');
      const takeField = byTestId(page, 'slate-take');
      const start = byTestId(page, 'slate-start');
      const error = byTestId(page, 'slate-error');
      const running = (scene: string) => page.locator('[data-testid="take-slate"]:visible [data-testid="slate-take-running"]', { hasText: new RegExp(`Scene ${scene} ·`) }).first();
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));

      // A refusal by the server: its code, then what (no scene typed, and none slated before to stand in for it).
      await start.click();
      await error.waitFor({ timeout: 10_000 });
      assert.match(await textOf(page, 'slate-error'), /^BAD_REQUEST: a take needs a scene/);

      // A double click at human speed: two clicks 200 ms apart.
      await sceneField.fill('42');
      await start.click();
      await page.waitForTimeout(200);
      await start.click();
      await running('42').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(1000);
      assert.deepEqual((await takesOf(served.url, '42')).takes.map((t) => t.take), ['1'], 'one take, no sliver take 2');
      assert.match(await textOf(page, 'slate-not-repeated'), /^Scene 42 take 1 has just started; Start pressed again within 1\.5 s was not sent/);
      assert.equal(await error.count(), 0);
      // A moment later, Start slates the next take, on purpose.
      await page.waitForTimeout(800);
      await start.click();
      await until('take 42/2 running', async () => (await takesOf(served.url, '42')).running.some((t) => t.take === '2'), 10_000);

      // Enter pressed three times in the Scene field.
      await sceneField.fill('41');
      await sceneField.press('Enter');
      await running('41').waitFor({ timeout: 10_000 });
      await sceneField.press('Enter');
      await page.waitForTimeout(200);
      await sceneField.press('Enter');
      await page.waitForTimeout(1000);
      assert.deepEqual((await takesOf(served.url, '41')).takes.map((t) => t.take), ['1'], 'one take, not 41/1, 41/2 and 41/3');
      await page.screenshot({ path: path.join(ARTIFACTS, 'slate-states-not-repeated.png') });

      // 65 characters: said at the field as it is typed; Enter sends nothing.
      const long = 'L'.repeat(65);
      await sceneField.fill(long);
      assert.equal(await textOf(page, 'slate-scene-problem'), 'Scene: at most 64 characters (this one has 65)');
      assert.equal(await sceneField.getAttribute('aria-invalid'), 'true');
      const problemId = await byTestId(page, 'slate-scene-problem').getAttribute('id');
      assert.ok(((await sceneField.getAttribute('aria-describedby')) ?? '').split(' ').includes(problemId!), 'the field is described by its problem');
      await sceneField.press('Enter');
      await page.waitForTimeout(500);
      assert.equal(await error.count(), 0, 'no refusal to wait for: nothing was sent');
      assert.deepEqual((await takesOf(served.url, long)).takes, []);
      await page.screenshot({ path: path.join(ARTIFACTS, 'slate-states-scene-too-long.png') });

      // 70 KB pasted: said at once, nothing sent, the connection kept (it once went past the socket's message limit).
      await sceneField.fill('P'.repeat(70_000));
      assert.equal(await textOf(page, 'slate-scene-problem'), 'Scene: at most 64 characters (this one has 70000)');
      await start.click();
      assert.equal(await textOf(page, 'slate-start'), '● Start', 'not "Starting…"');
      assert.equal(await focused(), 'slate-scene', 'the field to fix has the focus');
      await page.waitForTimeout(1500);
      assert.equal(await error.count(), 0);
      assert.equal(await page.locator('[data-testid="connection-lost"]').count(), 0, 'still connected');
      assert.equal(await start.isEnabled(), true);

      // A control character (a tab pasted in), then a take that reads as a number no slate shows.
      await sceneField.fill('43\tb');
      assert.match(await textOf(page, 'slate-scene-problem'), /^Scene: no control characters/);
      await sceneField.fill('43');
      assert.equal(await byTestId(page, 'slate-scene-problem').count(), 0, 'fixed, the problem goes');
      for (const [text, said] of [
        ['-1', 'Take: not negative'],
        ['1.5', 'Take: a whole number, or text such as "12A"'],
      ] as const) {
        await takeField.fill(text);
        assert.equal(await textOf(page, 'slate-take-problem'), said);
        assert.equal(await takeField.getAttribute('aria-invalid'), 'true');
        await start.click();
        assert.equal(await focused(), 'slate-take');
      }
      await page.waitForTimeout(500);
      assert.deepEqual((await takesOf(served.url, '43')).takes, [], 'nothing was sent');
      assert.equal(await error.count(), 0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'slate-states-take-problem.png') });
      // A take that is a name: slated as typed.
      await takeField.fill('12A');
      assert.equal(await byTestId(page, 'slate-take-problem').count(), 0);
      await start.click();
      await until('take 43/12A running', async () => (await takesOf(served.url, '43')).running.some((t) => t.take === '12A'), 10_000);
    } finally {
      await context.close();
      await kill();
    }
  });
});
