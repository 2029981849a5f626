/**
 * A take slated with a scene name as long as a name may be (64 characters),
 * in Chromium against a real server: the wall tile's slate label wrapped to
 * three lines over the preview and hid half the picture. It now takes one
 * line, cut with an ellipsis, the whole slate in its title. The Coverage
 * card of a scene whose name starts with "Scene" read "Scene Scene of …".
 * Screenshots go to test-artifacts/wall-long-slate-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { MAX_NAME_LENGTH } from '../../server/shared/input-limits.js';
import { launchChromium } from '../support/browser.js';
import { httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const SCENE = 'Scene of the crime at the old harbour warehouse, night, rain, wide'.slice(0, MAX_NAME_LENGTH);

describe('a long scene name on the wall and in Coverage', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({ cameras: [testsrcCamera('cam-1')] });
    browser = await launchChromium();
    const started = await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { scene: SCENE, take: '3' } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [label, viewport] of [
    ['390', { width: 390, height: 844 }],
    ['1280', { width: 1280, height: 800 }],
  ] as const) {
    test(`the tile's slate is one line, cut short, the whole slate in its title (${label} px)`, { timeout: 60_000 }, async () => {
      assert.equal(SCENE.length, MAX_NAME_LENGTH);
      const context = await browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        await page.goto(server.url);
        const slate = page.locator('.tile[data-camera-id="cam-1"] [data-testid="tile-slate"]');
        await slate.waitFor({ timeout: 15_000 });
        const box = await slate.evaluate((el) => {
          const style = getComputedStyle(el);
          const picture = el.closest('.picture')!.getBoundingClientRect();
          return { height: el.getBoundingClientRect().height, lineHeight: parseFloat(style.lineHeight), cut: el.scrollWidth > el.clientWidth, overflow: style.textOverflow, pictureHeight: picture.height };
        });
        assert.ok(box.height < box.lineHeight * 1.5, `one line: ${box.height}px tall at a line height of ${box.lineHeight}px`);
        assert.equal(box.overflow, 'ellipsis');
        assert.ok(box.cut, 'the name is cut short at this width');
        assert.equal(await slate.getAttribute('title'), `${SCENE} · Take 3`);
        await page.locator('.tile[data-camera-id="cam-1"]').screenshot({ path: path.join(ARTIFACTS, `wall-long-slate-${label}.png`) });

        await page.goto(`${server.url}/#coverage`);
        const title = page.locator(`[data-testid="scene-card"] h3`).first();
        await title.waitFor({ timeout: 15_000 });
        assert.equal((await title.innerText()).trim(), SCENE, 'the name alone, never "Scene Scene of …"');
      } finally {
        await context.close();
      }
    });
  }
});
