/**
 * The dashboard with role tokens, in a real browser: a viewer is asked for a
 * token, sees the wall and its role, and is not offered what the role may
 * not do (slating, editing cameras); an operator can slate but not edit
 * cameras. The server refuses those anyway (access-roles.test.ts); this is
 * what the person in front of the page sees.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const VIEWER = 'viewer-token-page-0123456789';
const OPERATOR = 'operator-token-page-0123456789';

describe('dashboard roles', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: 'admin-token-page-0123456789', tokens: [{ role: 'viewer', token: VIEWER }, { role: 'operator', token: OPERATOR }] },
      cameras: [testsrcCamera('cam-1', { name: 'Camera 1' })],
    });
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a viewer: asked for a token, then watches; slating and camera edits are not offered', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(server.url);
    await page.locator('input[aria-label="Access token"]').waitFor({ timeout: 10_000 });
    await page.fill('input[aria-label="Access token"]', VIEWER);
    await page.keyboard.press('Enter');
    await page.locator('[data-camera-id="cam-1"][data-state="live"]').waitFor({ timeout: 20_000 });
    assert.equal((await page.locator('[data-testid="role"] dd').textContent())?.trim(), 'viewer');
    assert.equal(await page.locator('[data-testid="slate-start"]').first().isDisabled(), true);
    // Disabled Start and End say why to the keyboard and screen readers, not only in a tooltip.
    const why = async (testid: string) => {
      const button = page.locator(`nav [data-testid="${testid}"]`);
      assert.equal(await button.isDisabled(), true, `${testid} is disabled`);
      const id = await button.getAttribute('aria-describedby');
      return id ? (await page.locator(`[id="${id}"]`).textContent())?.trim() : null;
    };
    assert.equal(await why('slate-start'), 'Starting a take needs an operator token.');
    assert.equal(await why('slate-end'), 'Ending a take needs an operator token.');
    await page.keyboard.press('m');
    await page.locator('[data-testid="cameras-read-only"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-testid="camera-edit"]').first().isDisabled(), true);
    assert.equal(await page.locator('[data-testid="camera-remove"]').first().isDisabled(), true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-viewer-cameras.png') });
    await page.close();
  });

  test('an operator: slates a take; camera edits are still not offered', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${server.url}/?token=${OPERATOR}`);
    await page.locator('[data-camera-id="cam-1"][data-state="live"]').waitFor({ timeout: 20_000 });
    assert.equal((await page.locator('[data-testid="role"] dd').textContent())?.trim(), 'operator');
    await page.locator('[data-testid="slate-scene"]').first().fill('21');
    await page.locator('[data-testid="slate-start"]').first().click();
    // The slate's running take, not any "21" on the page (a latency, a clock): read before the server had the take,
    // the check below found none running.
    await page.locator('nav [data-testid="slate-running"]', { hasText: 'Scene 21' }).waitFor({ timeout: 15_000 });
    assert.equal(server.shotLog!.runningTakes()[0]?.scene, '21');
    await page.keyboard.press('m');
    await page.locator('[data-testid="cameras-read-only"]').waitFor({ timeout: 5000 });
    await page.close();
  });
});
