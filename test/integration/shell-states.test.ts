/**
 * The dashboard's shell in Chromium against a real server with tokens, where
 * it used to say something else or leave no way forward:
 * - a mistyped token (typed, or in `?token=`) read only "The server refused
 *   the access token": the prompt gives the server's code and reason and
 *   what to do, and no empty view nor take slate sits under it;
 * - a token changed on the server while the page was open read the same,
 *   under the old wall and the old role: it says the token was changed or
 *   removed there, and the header names no role;
 * - an address blocked for wrong tokens read "Lost the server, reconnecting":
 *   it says TOO_MANY_ATTEMPTS and for how long;
 * - with the connection lost (a network drop: no last status from the
 *   server), the header went on counting every camera live;
 * - a viewer who needs an admin token had no way to give one but clearing
 *   the browser's storage: the header offers *Change token*;
 * - a reload went back to the wall: the view is in the address;
 * - "?" listed the keys on the wall only, and did nothing on another view.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { startRelay } from '../support/cluster-engines.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const ADMIN = 'admin-token-shell-states-0123456789';
const OPERATOR = 'operator-token-shell-states-0123456789';
const VIEWER = 'viewer-token-shell-states-0123456789';
const MISTYPED = 'viewer-token-shell-states-012345678O';

const prompt = (page: Page) => page.locator('[data-testid="token-prompt-message"]');
const headerText = async (page: Page) => ((await page.locator('header').first().textContent()) ?? '').replace(/\s+/g, ' ');
const activeView = (page: Page) => page.locator('nav button[aria-current="page"]').getAttribute('data-view');

describe('the dashboard shell says what is true', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }, { role: 'viewer', token: VIEWER }] },
      cameras: [testsrcCamera('cam-1', { name: 'Camera 1' })],
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a mistyped token, typed or in the address: the prompt gives the code and what to do, with no view under it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await page.locator('input[aria-label="Access token"]').fill(MISTYPED);
      await page.keyboard.press('Enter');
      await prompt(page).filter({ hasText: 'UNAUTHORIZED' }).waitFor({ timeout: 10_000 });
      const typed = (await prompt(page).textContent()) ?? '';
      assert.match(typed, /^UNAUTHORIZED: the token is not valid\. .*typo/);
      // Neither an empty wall nor a take slate whose Start looks ready under the prompt.
      assert.equal(await page.locator('[data-testid="slate-start"]').count(), 0, 'no take slate');
      assert.equal(await page.locator('text=/\\d+ cameras? · \\d+ live/').count(), 0, 'no empty wall');
      await page.screenshot({ path: path.join(ARTIFACTS, 'shell-mistyped-token.png') });

      const fromUrl = await context.newPage();
      await fromUrl.goto(`${server.url}/?token=${MISTYPED}`);
      await prompt(fromUrl).filter({ hasText: 'UNAUTHORIZED' }).waitFor({ timeout: 10_000 });
      assert.equal((await prompt(fromUrl).textContent()) ?? '', typed);
      // The right one from there on lets the page in.
      await fromUrl.locator('input[aria-label="Access token"]').fill(VIEWER);
      await fromUrl.keyboard.press('Enter');
      await fromUrl.locator('[data-camera-id="cam-1"]').waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
    }
  });

  test('a viewer changes to an admin token from the header, or keeps the one it has', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?token=${VIEWER}`);
      await page.locator('[data-testid="role"] dd', { hasText: 'viewer' }).waitFor({ timeout: 10_000 });
      await page.keyboard.press('m');
      await page.locator('[data-testid="cameras-read-only"]').waitFor({ timeout: 5000 });

      await page.locator('[data-testid="change-token"]').click();
      assert.match((await prompt(page).textContent()) ?? '', /This page has a viewer token/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'shell-change-token.png') });
      // Esc (or the button) goes back to the token the page has.
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="cameras-read-only"]').waitFor({ timeout: 5000 });
      assert.equal((await page.locator('[data-testid="role"] dd').textContent())?.trim(), 'viewer');

      await page.locator('[data-testid="change-token"]').click();
      await page.locator('input[aria-label="Access token"]').fill(ADMIN);
      await page.keyboard.press('Enter');
      await page.locator('[data-testid="role"] dd', { hasText: 'admin' }).waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="camera-edit"]').first().waitFor({ timeout: 5000 });
      assert.equal(await page.locator('[data-testid="cameras-read-only"]').count(), 0);
      assert.equal(await page.locator('[data-testid="camera-edit"]').first().isDisabled(), false);
      // Kept: a reload is still an admin's page.
      await page.reload();
      await page.locator('[data-testid="role"] dd', { hasText: 'admin' }).waitFor({ timeout: 10_000 });

      // On a phone the header's button wraps with the rest: nothing past the right edge.
      await page.setViewportSize({ width: 390, height: 844 });
      assert.ok(await page.locator('[data-testid="change-token"]').isVisible());
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'no sideways scroll');
    } finally {
      await context.close();
    }
  });

  test('a reload keeps the view, which the address names; keys typed in a field stay there', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?token=${OPERATOR}`);
      await page.locator('[data-camera-id="cam-1"]').waitFor({ timeout: 10_000 });
      await page.keyboard.press('c');
      assert.equal(await activeView(page), 'coverage');
      assert.equal(new URL(page.url()).hash, '#coverage');
      assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token is not left in the address');
      await page.reload();
      await page.locator('nav button[aria-current="page"][data-view="coverage"]').waitFor({ timeout: 10_000 });
      // A link to a view opens it; an unknown name opens the wall.
      await page.goto(`${server.url}/#health`);
      await page.locator('nav button[aria-current="page"][data-view="health"]').waitFor({ timeout: 10_000 });
      const elsewhere = await context.newPage();
      await elsewhere.goto(`${server.url}/#nowhere`);
      await elsewhere.locator('nav button[aria-current="page"][data-view="wall"]').waitFor({ timeout: 10_000 });
      assert.equal(new URL(elsewhere.url()).hash, '#wall');
      // Typed into the address of an open page, a view's name opens it, another name changes nothing.
      await page.evaluate(() => (window.location.hash = '#shots'));
      await page.locator('nav button[aria-current="page"][data-view="shots"]').waitFor({ timeout: 5000 });
      await page.evaluate(() => (window.location.hash = '#nowhere'));
      await page.waitForFunction(() => window.location.hash === '#shots', null, { timeout: 5000 });
      await page.keyboard.press('w');
      // "shc" typed as a scene name is a scene name, not three views.
      const scene = page.locator('[data-testid="slate-scene"]').first();
      await scene.click();
      await page.keyboard.type('shc');
      assert.equal(await scene.inputValue(), 'shc');
      assert.equal(await activeView(page), 'wall');
    } finally {
      await context.close();
    }
  });

  test('"?" lists the keys on every view, not only the wall; Esc closes the list and nothing else', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?token=${ADMIN}#shots`);
      await page.locator('nav button[aria-current="page"][data-view="shots"]').waitFor({ timeout: 10_000 });
      await page.keyboard.press('?');
      const dialog = page.locator('[role="dialog"][aria-labelledby="shortcut-help-title"]');
      await dialog.waitFor({ timeout: 5000 });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5000 });
      assert.equal(await activeView(page), 'shots');
      // A view's key from the list goes there, and the list goes with it.
      await page.keyboard.press('m');
      await page.keyboard.press('?');
      await dialog.waitFor({ timeout: 5000 });
      await page.keyboard.press('h');
      await dialog.waitFor({ state: 'detached', timeout: 5000 });
      assert.equal(await activeView(page), 'health');
      // The wall's own list still opens and closes as before.
      await page.keyboard.press('w');
      await page.keyboard.press('?');
      await dialog.waitFor({ timeout: 5000 });
      assert.equal(await dialog.count(), 1, 'one list, not two');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5000 });
    } finally {
      await context.close();
    }
  });

  test('the connection lost under an open page: the header counts no camera live until it is back', async () => {
    const relay = await startRelay({ url: server.url, port: server.port, start: async () => undefined, stop: async () => undefined });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${relay.url}/?token=${VIEWER}`);
      await page.locator('[data-camera-id="cam-1"][data-state="live"]').waitFor({ timeout: 20_000 });
      assert.match(await headerText(page), /cameras 1\/1 live/i);
      // The network goes: no last status comes, the camera is still live in the page's state.
      await relay.cut();
      await page.locator('[data-testid="connection-lost"]').waitFor({ timeout: 15_000 });
      const lost = await headerText(page);
      assert.doesNotMatch(lost, /1\/1 live/, `the header while lost: ${lost}`);
      assert.match(lost, /—\/1 live/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'shell-connection-lost.png') });
      await relay.restore();
      await page.waitForFunction(() => /1\/1 live/.test(document.querySelector('header')?.textContent ?? ''), null, { timeout: 20_000 });
      assert.equal(await page.locator('[data-testid="connection-lost"]').count(), 0);
    } finally {
      await context.close();
      await relay.cut();
    }
  });

  test('a token changed on the server while the page is open: said so, with no role and no stale wall', async () => {
    const first = await startTestServer({ server: { accessToken: ADMIN, tokens: [{ role: 'viewer', token: VIEWER }] }, cameras: [testsrcCamera('cam-r', { name: 'Camera R' })] });
    let second: RunningServer | null = null;
    let firstOpen = true;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${first.url}/?token=${VIEWER}`);
      await page.locator('[data-testid="role"] dd', { hasText: 'viewer' }).waitFor({ timeout: 10_000 });
      await page.locator('[data-camera-id="cam-r"]').waitFor({ timeout: 10_000 });
      // Restarted on the same port with the viewer token replaced.
      await first.close();
      firstOpen = false;
      second = await startTestServer({ server: { port: first.port, accessToken: ADMIN, tokens: [{ role: 'viewer', token: `${VIEWER}-new` }] }, cameras: [testsrcCamera('cam-r', { name: 'Camera R' })] });
      await prompt(page).filter({ hasText: 'UNAUTHORIZED' }).waitFor({ timeout: 20_000 });
      assert.match((await prompt(page).textContent()) ?? '', /changed or removed on the server/);
      assert.equal(await page.locator('[data-testid="role"]').count(), 0, 'no role for a refused token');
      assert.equal(await page.locator('[data-camera-id="cam-r"]').count(), 0, 'no wall from before under the prompt');
      await page.screenshot({ path: path.join(ARTIFACTS, 'shell-token-revoked.png') });
    } finally {
      await context.close();
      await second?.close();
      if (firstOpen) await first.close();
    }
  });

  test('an address blocked for wrong tokens: the prompt says so and for how long, not that the server is lost', async () => {
    const blocking = await startTestServer({ server: { accessToken: ADMIN, authAttempts: { maxFailures: 2, windowS: 60, blockS: 30 } } });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      for (let i = 0; i < 3; i++) await fetch(`${blocking.url}/api/health`, { headers: { authorization: `Bearer ${MISTYPED}` } });
      const page = await context.newPage();
      await page.goto(`${blocking.url}/?token=${ADMIN}`);
      await prompt(page).filter({ hasText: 'TOO_MANY_ATTEMPTS' }).waitFor({ timeout: 10_000 });
      assert.match((await prompt(page).textContent()) ?? '', /^TOO_MANY_ATTEMPTS: too many wrong tokens from \S+; try again in \d+ s\. .*the right one too/);
      assert.equal(await page.locator('[data-testid="connection-lost"]').count(), 0, 'not "Lost the server"');
    } finally {
      await context.close();
      await blocking.close();
    }
  });
});
