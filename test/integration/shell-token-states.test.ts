/**
 * Which token the dashboard keeps for the next load, in Chromium against a
 * real server with tokens. A wrong token in the address (`?token=`) was
 * stored before the server had said a word about it, then offered again,
 * and refused, on every load after, in place of the right token the
 * browser had kept until then; a wrong one typed under *Change token* the
 * same. A token is now stored once the server has let it in: a refused one
 * lives for that page alone. A right one is stored and taken out of the
 * address as before, a publish token's too.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const ADMIN = 'admin-token-shell-token-states-0123456789';
const VIEWER = 'viewer-token-shell-token-states-0123456789';
const PUBLISH = 'publish-token-shell-token-states-0123456789';
const WRONG = 'viewer-token-shell-token-states-012345678O';
/** web/src/lib/token.ts TOKEN_STORAGE_KEY. */
const STORAGE_KEY = 'shotscale.token';

const prompt = (page: Page) => page.locator('[data-testid="token-prompt-message"]');
const stored = (page: Page) => page.evaluate((key) => window.localStorage.getItem(key), STORAGE_KEY);
const role = (page: Page, name: string) => page.locator('[data-testid="role"] dd', { hasText: name }).waitFor({ timeout: 10_000 });

describe('the dashboard keeps only a token the server let in', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    return context.newPage();
  };

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({
      server: {
        accessToken: ADMIN,
        tokens: [{ role: 'viewer', token: VIEWER }],
        publishTokens: [PUBLISH],
        // Every test here offers wrong tokens from the same address: none of them is about the block.
        authAttempts: { maxFailures: 1000 },
      },
      cameras: [testsrcCamera('cam-1', { name: 'Camera 1' })],
    });
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  test('a wrong token in the address is refused, and a reload does not offer it again', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/?token=${WRONG}`);
    await prompt(page).filter({ hasText: 'UNAUTHORIZED' }).waitFor({ timeout: 10_000 });
    assert.match((await prompt(page).textContent()) ?? '', /^UNAUTHORIZED: the token is not valid\./);
    assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token is taken out of the address');
    assert.equal(await stored(page), null, 'the refused token is not kept');

    await page.reload();
    // No token offered: the prompt asks for one, it does not refuse the wrong one again.
    await prompt(page).filter({ hasText: 'This server needs an access token.' }).waitFor({ timeout: 10_000 });
    assert.doesNotMatch((await prompt(page).textContent()) ?? '', /UNAUTHORIZED/);
    assert.equal(await stored(page), null);
    // Nothing heard from the server yet: no count of cameras ("—/0 live" read as a server with none).
    assert.equal((await page.locator('[data-testid="header-cameras"]').textContent())?.trim(), '—');
    await page.screenshot({ path: path.join(ARTIFACTS, 'shell-token-wrong-reloaded.png') });
  });

  test('a right token in the address is kept and taken out of the address; a wrong one later does not replace it', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/?token=${VIEWER}#health`);
    await role(page, 'viewer');
    assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token is taken out of the address');
    assert.equal(new URL(page.url()).hash, '#health', 'the rest of the address stays');
    assert.equal(await stored(page), VIEWER);

    // A link with a mistyped token, opened in the same browser: refused, and the kept token stays kept.
    await page.goto(`${server.url}/?token=${WRONG}`);
    await prompt(page).filter({ hasText: 'UNAUTHORIZED' }).waitFor({ timeout: 10_000 });
    assert.equal(await stored(page), VIEWER);
    await page.reload();
    await role(page, 'viewer');
    await page.locator('[data-camera-id="cam-1"]').waitFor({ timeout: 10_000 });
  });

  test('a wrong token typed under Change token does not replace the one kept; a right one does', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/?token=${VIEWER}`);
    await role(page, 'viewer');

    await page.locator('[data-testid="change-token"]').click();
    await page.locator('input[aria-label="Access token"]').fill(WRONG);
    await page.keyboard.press('Enter');
    await prompt(page).filter({ hasText: 'UNAUTHORIZED' }).waitFor({ timeout: 10_000 });
    assert.equal(await stored(page), VIEWER, 'the refused token is not kept');
    await page.reload();
    await role(page, 'viewer');

    await page.locator('[data-testid="change-token"]').click();
    await page.locator('input[aria-label="Access token"]').fill(ADMIN);
    await page.keyboard.press('Enter');
    await role(page, 'admin');
    assert.equal(await stored(page), ADMIN);
    await page.reload();
    await role(page, 'admin');
  });

  test('a publish token in the address is kept: a reload opens the Publish view again', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/?token=${PUBLISH}`);
    await page.locator('nav button[aria-current="page"][data-view="publish"]').waitFor({ timeout: 10_000 });
    assert.equal(await stored(page), PUBLISH);
    await page.reload();
    await page.locator('nav button[aria-current="page"][data-view="publish"]').waitFor({ timeout: 10_000 });
    assert.equal(await prompt(page).count(), 0, 'no token prompt');
  });
});
