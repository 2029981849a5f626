/**
 * A camera's large view, in Chromium, against a real server: the "Recent
 * shots" card of the running shot, and its segment on the timeline, showed
 * the scale the shot had when it opened (the `shot` event went out only at
 * open and close) while GET /api/shots?status=open had the scale it has now.
 * Now the server tells the running shot again when its scale changes (at
 * most once a second per camera), and the card and the segment follow it.
 *
 * The feed: a file camera whose picture keeps its brightness (so no cut is
 * found) while its colour turns from blue to red after 3 s, read by a tiny
 * colour classifier (blue: wide, red: close). Its one shot opens at the
 * scale of no frame read yet, is wide once frames are read, and close once
 * the red has run longer than the blue.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { launchChromium } from '../support/browser.js';
import { tempDir } from '../support/media.js';
import { fileCamera, httpJson, startTestServer } from '../support/server-harness.js';
import { writeTinyClassifier } from '../support/tiny-classifier.js';
import { ensureWebBuild } from '../support/web-build.js';

/** How long the page may lag the server's open shot: one push a second, and the write it waits for. */
const FOLLOW_MS = 2000;

/**
 * 20 s of a moving test pattern with its brightness as made and its colour
 * set: blue for 3 s, then red. Cuts are found on brightness, so the file is
 * one shot (the test is over before it loops).
 */
function tintedClip(dir: string): string {
  const out = path.join(dir, 'blue-then-red.mp4');
  const tint = "format=yuv420p,geq=lum='lum(X,Y)':cb='if(lt(T,3),192,64)':cr='if(lt(T,3),64,192)'";
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '20', '-vf', tint, '-pix_fmt', 'yuv420p', out]);
  return out;
}

interface Seen {
  id: number;
  scale: string;
}

describe("the running shot in a camera's large view", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let clip: string;

  before(async () => {
    ensureWebBuild();
    const dir = tempDir('shotscale-focus-running-');
    clip = tintedClip(dir);
    server = await startTestServer({ model: { manifest: writeTinyClassifier(dir) }, cameras: [] });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The camera's open shot as the server lists it now. */
  const apiOpen = async (): Promise<(Seen & { readouts: number }) | null> => {
    const { body } = await httpJson(`${server.url}/api/shots?status=open&camera=tint`);
    const shot = (body as { shots: ShotRecord[] }).shots[0];
    return shot ? { id: shot.id, scale: shot.scale, readouts: shot.readouts } : null;
  };

  /** The running shot's card and timeline segment as the page shows them. */
  const pageOpen = () =>
    page.evaluate(() => {
      const card = document.querySelector<HTMLElement>('[data-testid="focus-shot"][data-status="open"]');
      const segment = document.querySelector<HTMLElement>('.focus .timeline .seg.open');
      return card
        ? {
            id: Number(card.dataset.shotId),
            scale: card.dataset.scale ?? '',
            chip: (card.querySelector('.chip')?.textContent ?? '').trim(),
            segment: segment ? { id: Number(segment.dataset.shotId), scale: segment.dataset.scale ?? '' } : null,
          }
        : null;
    });

  test('the card and the timeline segment of the running shot follow its scale within 2 s of the server', { timeout: 90_000 }, async () => {
    // The page listens before the camera exists, so it hears the shot open (as a wall does all day).
    await page.goto(server.url);
    await page.locator('.conn.conn-connected').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="wall-empty"]').waitFor({ timeout: 10_000 });
    assert.equal((await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: fileCamera('tint', clip) })).status, 201);
    await page.locator('.tile[data-camera-id="tint"]').waitFor({ timeout: 20_000 });
    await page.keyboard.press('1');
    await page.locator('[data-testid="focus-shot"][data-status="open"]').waitFor({ timeout: 30_000 });

    // Every 200 ms: the server's open shot, and whether the page has shown it for FOLLOW_MS after each change.
    /** The scales the open shot had once frames were read (the one before is the scale of no frame). */
    const scales: string[] = [];
    let listed: Seen | null = null;
    let since = Date.now();
    const deadline = Date.now() + 25_000;
    // Until the scale has changed at least once while the page watched, and the page was checked FOLLOW_MS after.
    while (Date.now() < deadline && !(scales.length >= 2 && Date.now() - since > FOLLOW_MS + 500)) {
      const now = await apiOpen();
      if (now && (!listed || now.id !== listed.id || now.scale !== listed.scale)) {
        if (listed && now.id !== listed.id) assert.fail(`the feed keeps its brightness, so its shot stays open; shot ${listed.id} closed and ${now.id} opened`);
        listed = { id: now.id, scale: now.scale };
        since = Date.now();
        if (now.readouts > 0) scales.push(now.scale);
      }
      const shown = await pageOpen();
      if (listed && Date.now() - since > FOLLOW_MS) {
        const where: string = `the server's open shot ${listed.id} has been ${listed.scale} for ${Date.now() - since} ms (scales so far: ${scales.join(' -> ')})`;
        assert.ok(shown, `no running shot on the page; ${where}`);
        assert.equal(shown.id, listed.id, `the page's running shot; ${where}`);
        assert.equal(shown.scale, listed.scale, `the running shot's card; ${where}`);
        assert.equal(shown.chip, listed.scale, `the card's scale chip (canonical classes); ${where}`);
        assert.deepEqual(shown.segment, listed, `the running shot's segment on the timeline; ${where}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Wide on the blue, then close once the red has run longer: a change of a shot read for seconds.
    assert.ok(scales.length >= 2, `the open shot's scale changed while it ran: ${scales.join(' -> ')}`);
    assert.notEqual(scales.at(-1), scales[0]);
  });
});
