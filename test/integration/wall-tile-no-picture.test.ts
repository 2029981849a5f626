/**
 * The wall's tiles without a picture (STOPPED, WAITING, GONE), in Chromium
 * against a real server, at a phone's width and a desktop's: the large state
 * word was drawn on top of the placeholder's camera icon and a second, faint
 * copy of the same word. Each tile now says its state once, nothing under it.
 * Screenshots go to test-artifacts/wall-tile-no-picture-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { launchChromium } from '../support/browser.js';
import { httpJson, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import { ensureWebBuild } from '../support/web-build.js';
import { publishWhip } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
/** Camera id -> the state it is held in. */
const DOWN = { 'off-cam': 'stopped', 'wait-cam': 'waiting', 'gone-cam': 'gone' } as const;

const stateOf = async (url: string, id: string) => ((await httpJson(`${url}/api/cameras`)).body as CameraStatus[]).find((c) => c.cameraId === id)?.state;

describe('wall tiles without a picture', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startTestServer({
      cameras: [testsrcCamera('off-cam', { enabled: false }), { id: 'wait-cam', source: { kind: 'webrtc' } }, { id: 'gone-cam', source: { kind: 'webrtc' } }],
    });
    browser = await launchChromium();
    // A publisher that vanishes (no DELETE): its camera reads gone.
    const publisher = await publishWhip(`${server.url}/whip/gone-cam`, { fps: 10 });
    await waitFor('gone-cam live', async () => ((await stateOf(server.url, 'gone-cam')) === 'live' ? true : undefined), 20_000);
    publisher.drop();
    await waitFor('gone-cam gone', async () => ((await stateOf(server.url, 'gone-cam')) === 'gone' ? true : undefined), 30_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  for (const [label, viewport] of [
    ['390', { width: 390, height: 844 }],
    ['1280', { width: 1280, height: 800 }],
  ] as const) {
    test(`each tile says its state once, nothing drawn under it (${label} px)`, { timeout: 60_000 }, async () => {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 2 });
      try {
        const page = await context.newPage();
        await page.goto(server.url);
        for (const [id, state] of Object.entries(DOWN)) {
          const tile = page.locator(`.tile[data-camera-id="${id}"][data-state="${state}"]`);
          await tile.waitFor({ timeout: 15_000 });
          const picture = tile.locator('.picture');
          assert.equal(await picture.locator('[data-testid="tile-placeholder"], svg').count(), 0, `${id}: no placeholder icon under the state word`);
          // The state word on a line of its own, once (the error line under it may name the state in its words).
          const text = await picture.innerText();
          const words = text.split('\n').filter((line) => line.trim().toLowerCase() === state).length;
          assert.equal(words, 1, `${id}: "${state}" once on the picture, read: ${JSON.stringify(text)}`);
          assert.equal((await tile.locator('[data-testid="tile-down"] b').innerText()).trim(), state.toUpperCase());
          // Nothing else drawn over the state word (the key, the slate, the figures sit in the corners).
          const word = (await tile.locator('[data-testid="tile-down"] b').boundingBox())!;
          for (const other of await picture.locator('.key, .slate, .stats').all()) {
            const box = await other.boundingBox();
            if (!box) continue;
            const overlaps = box.x < word.x + word.width && word.x < box.x + box.width && box.y < word.y + word.height && word.y < box.y + box.height;
            assert.ok(!overlaps, `${id}: ${await other.getAttribute('class')} overlaps the state word`);
          }
          await tile.screenshot({ path: path.join(ARTIFACTS, `wall-tile-no-picture-${label}-${state}.png`) });
        }
        await page.screenshot({ path: path.join(ARTIFACTS, `wall-tile-no-picture-${label}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
