/**
 * The dashboard's layout at the widths where it broke, in a real browser
 * (Debian's Chromium through playwright-core) against a real server: the
 * class names under a tile legible on a phone, the shot log without a
 * sideways scroll between a phone and a wide screen, the view tabs on one row
 * on an upright tablet, and the keyboard focus after a camera is removed.
 * The shot log is written before the server starts, as the server would have
 * left it: shots with subjects, cuts, tags and notes of real lengths.
 * Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CanonicalScale } from '../../server/shared/scale.js';
import { timecodeAtRate } from '../../server/shots/timecode.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { shotLog } from '../support/shot-records.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const CAMERAS = ['cam-1', 'cam-2', 'cam-3'];
const SCALES: CanonicalScale[] = ['CU', 'MS', 'WS', 'MCU', 'FS', 'ECU', 'MWS', 'EWS'];

/** A data directory holding 24 closed shots over the three cameras, as a day's logging leaves them. */
function loggedDay(): string {
  const dir = tempDir('shotscale-layout-');
  const db = openDatabase(path.join(dir, DATABASE_FILE));
  try {
    const store = new ShotStore(db, timecodeAtRate);
    const shot = shotLog();
    for (let i = 0; i < 24; i++) {
      const record = shot(SCALES[i % SCALES.length]!, 3 + (i % 5), {
        cameraId: CAMERAS[i % CAMERAS.length]!,
        framing: i % 3 === 0 ? 'two-shot' : 'single',
        cutIn: i % 4 === 0 ? 'dissolve' : 'hard',
        tags: i % 2 ? ['Anna', 'Ben'] : i % 5 === 0 ? ['kitchen', 'night', 'wide lens'] : [],
        note: i % 3 === 1 ? 'focus buzz at the start, usable from the second line of the scene' : null,
      });
      if (record.subjects && i % 3 === 0) record.subjects = { ...record.subjects, overTheShoulder: true };
      store.add({ ...record, status: 'open' }, null);
      store.finish(record, null);
    }
  } finally {
    db.close();
  }
  return dir;
}

/**
 * What of the shot table a person cannot see without a sideways scroll: the
 * table's own box must not scroll sideways, and every cell of `selector`
 * must lie inside it and inside the window.
 */
function shotTableOverflow(page: Page, selector: string): Promise<string[]> {
  return page.$eval(
    '[data-testid="shot-table"]',
    (table, cells) => {
      const out: string[] = [];
      const box = table.parentElement!;
      if (box.scrollWidth > box.clientWidth + 1) out.push(`the table's box scrolls sideways: ${box.scrollWidth} px of content in ${box.clientWidth}`);
      const b = box.getBoundingClientRect();
      for (const cell of table.querySelectorAll(cells)) {
        const r = cell.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.right > window.innerWidth + 0.5) {
          out.push(`${cell.className.split(' ')[0]} of shot ${cell.closest('tr')?.getAttribute('data-shot-id')}: x ${Math.round(r.left)}..${Math.round(r.right)}, the box ${Math.round(b.left)}..${Math.round(b.right)}`);
        }
      }
      return out.slice(0, 8);
    },
    selector,
  );
}

describe('dashboard layout at narrow widths', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `dashboard-layout-${name}.png`), fullPage: true });

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      shots: { dataDir: loggedDay() },
      // Two analysed frames a second are plenty for a layout: the machine has other tests to run.
      cameras: CAMERAS.map((id, i) => testsrcCamera(id, { name: `Camera ${i + 1}`, analysisFps: 2, source: { kind: 'testsrc', pattern: 'testsrc2', width: 320, height: 240, fps: 10 } })),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(server.url);
    for (const id of CAMERAS) await page.locator(`[data-camera-id="${id}"][data-state="live"]`).waitFor({ timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a phone (390 x 844): the class names under each tile are 11 px or more, and none loses a letter', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.press('w');
    const names = await page.$$eval('[data-camera-id] .bars .name', (els) =>
      els.map((el) => ({ text: el.textContent?.trim() ?? '', size: parseFloat(getComputedStyle(el).fontSize), clipped: el.scrollWidth > el.clientWidth + 0.5 })),
    );
    assert.equal(names.length, CAMERAS.length * 8, 'eight canonical names under each tile');
    for (const name of names) {
      assert.ok(name.size >= 11, `${name.text} is ${name.size} px`);
      assert.equal(name.clipped, false, `${name.text} fits its column`);
    }
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'the wall is no wider than the phone');
    await shot('phone-wall');
  });

  for (const width of [800, 1100]) {
    test(`${width} px: the shot log fits its box, subjects, cuts, tags, notes and Edit in sight`, async () => {
      await page.setViewportSize({ width, height: 900 });
      await page.keyboard.press('s');
      await page.locator('[data-testid="shot-row"] td.note:not(:empty)').first().waitFor({ timeout: 10_000 });
      assert.deepEqual(await shotTableOverflow(page, 'td.subjects, td.cuts, td.tags, td.note, [data-testid="shot-edit"]'), []);
      await shot(`shots-${width}`);

      // The row being edited keeps its fields and Save in sight too.
      await page.locator('[data-testid="shot-edit"]').nth(1).click();
      await page.locator('[data-testid="shot-tags-input"]:focus').waitFor({ timeout: 5000 });
      assert.deepEqual(await shotTableOverflow(page, '[data-testid="shot-tags-input"], [data-testid="shot-note-input"], [data-testid="shot-save"], [data-testid="shot-cancel"]'), []);
      await shot(`shots-${width}-editing`);
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="shot-tags-input"]').waitFor({ state: 'detached', timeout: 5000 });
    });
  }

  test('an upright tablet (768 px): the seven view tabs share one row', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.keyboard.press('w');
    const tops = await page.$$eval('nav [data-view]', (tabs) => tabs.map((t) => `${t.getAttribute('data-view')} ${Math.round(t.getBoundingClientRect().top)}`));
    assert.equal(tops.length, 7);
    assert.equal(new Set(tops.map((t) => t.split(' ')[1])).size, 1, `tabs at ${tops.join(', ')}`);
    await shot('tablet-tabs');
  });

  for (const width of [1000, 1300]) {
    test(`${width} px: the take slate keeps its fields and buttons on one row, under the tabs rather than folded beside them`, async () => {
      await page.setViewportSize({ width, height: 800 });
      await page.keyboard.press('w');
      const top = (id: string) => page.$eval(`nav [data-testid="${id}"]`, (e) => Math.round(e.getBoundingClientRect().top));
      const [scene, start, end] = [await top('slate-scene'), await top('slate-start'), await top('slate-end')];
      assert.ok(Math.abs(scene - start) <= 8 && Math.abs(start - end) <= 8, `scene ${scene}, start ${start}, end ${end}`);
      const tabsBottom = await page.$$eval('nav [data-view]', (tabs) => Math.max(...tabs.map((t) => t.getBoundingClientRect().bottom)));
      assert.ok(start >= tabsBottom - 1, `the slate (${start}) is under the tabs (${tabsBottom})`);
    });
  }

  test('a camera removed by keyboard hands the focus on: to the next camera, the one above for the last, the heading for the only one', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('m');
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return el === document.body || !el ? 'body' : `${el.closest('[data-camera-id]')?.getAttribute('data-camera-id') ?? ''} ${el.getAttribute('data-testid') ?? el.tagName.toLowerCase()}`.trim();
    });
    const removeByKeyboard = async (id: string, then: string) => {
      const row = page.locator(`[data-testid="camera-row"][data-camera-id="${id}"]`);
      await row.locator('[data-testid="camera-remove"]').focus();
      await page.keyboard.press('Enter');
      await row.locator('[data-testid="camera-remove-cancel"]:focus').waitFor({ timeout: 5000 });
      // Keep holds the focus; Yes, remove is the control before it.
      await page.keyboard.press('Shift+Tab');
      await row.locator('[data-testid="camera-remove-confirm"]:focus').waitFor({ timeout: 5000 });
      await page.keyboard.press('Enter');
      await row.waitFor({ state: 'detached', timeout: 10_000 });
      await page.waitForFunction((want) => {
        const el = document.activeElement;
        const at = el === document.body || !el ? 'body' : `${el.closest('[data-camera-id]')?.getAttribute('data-camera-id') ?? ''} ${el.getAttribute('data-testid') ?? el.tagName.toLowerCase()}`.trim();
        return at === want;
      }, then, { timeout: 5000 }).catch(async () => assert.fail(`after removing ${id} the focus is on ${await focused()}, not ${then}`));
    };
    await page.locator('[data-testid="camera-row"]').nth(2).waitFor({ timeout: 5000 });
    await removeByKeyboard('cam-2', 'cam-3 camera-remove');
    await removeByKeyboard('cam-3', 'cam-1 camera-remove');
    await removeByKeyboard('cam-1', 'h2');
    assert.equal(await page.locator('h2:focus').textContent(), 'Cameras');
    await shot('cameras-all-removed');
  });
});
