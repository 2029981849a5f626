/**
 * An id the Calibration view holds never names another picture: a
 * "label these" frame's id is not given again after a restart (a page, or a
 * browser that cached the frame's picture, would label a new frame from an
 * old picture), and a calibration sample's id is not given again after the
 * newest sample is deleted (a second tab's stale delete would remove a newer
 * correction, and the cached picture would show the deleted one). A real
 * server with the default classifier on a file camera, restarted on the same
 * port with other footage; the dashboard in Chromium.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import { CalibrationStore } from '../../server/store/calibration-store.js';
import { openDatabase } from '../../server/store/database.js';
import { MIGRATIONS } from '../../server/store/migrations.js';
import { launchChromium } from '../support/browser.js';
import { tempDir, trimClip } from '../support/media.js';
import { fileCamera, httpJson, REPO_DIR, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const DEMO = path.join(REPO_DIR, 'media', 'demo');
const PORT = 8504;
const dataDir = tempDir('shotscale-calibration-ids-');
const selfie = trimClip(path.join(DEMO, 'selfie.mp4'), tempDir(), 0, 1.5, 'selfie.mp4', 'setsar=1');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Camera "cam" playing `clip`, on the same port and data directory every start. */
function start(clip: string): Promise<RunningServer> {
  return startTestServer({
    server: { port: PORT },
    model: { manifest: path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') },
    shots: { dataDir },
    cameras: [fileCamera('cam', clip)],
  });
}

/** The ids the page lists under "Label these", once it lists some. */
async function queuedOnPage(page: Page): Promise<number[]> {
  const items = page.locator('[data-testid="calibration-queue"] li[data-queued]');
  await items.first().waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="calibration-queue"] li[data-queued] img')].every((img) => img.complete));
  return (await items.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-queued')))));
}

/** The picture at `url` as the page gets it (its cache first) and as the server serves it now: null where either has none. */
async function pageAndServer(page: Page, url: string): Promise<{ page: string; server: string } | null> {
  const server = await fetch(url);
  const fromPage = await page.evaluate(async (u) => {
    const res = await fetch(u, { cache: 'force-cache' });
    return res.ok ? btoa(String.fromCharCode(...new Uint8Array(await res.arrayBuffer()))) : null;
  }, url);
  if (!server.ok || fromPage === null) return null;
  return { page: fromPage, server: Buffer.from(await server.arrayBuffer()).toString('base64') };
}

describe('calibration ids are never given to another picture', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const api = (p: string) => `${server.url}${p}`;

  before(async () => {
    ensureWebBuild();
    server = await start(selfie);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('"label these" ids after a restart are new ones; the page shows each frame its own picture', { timeout: 120_000 }, async () => {
    await page.goto(`${server.url}/#calibration`);
    const before_ = await queuedOnPage(page);
    await server.close();
    // Other footage on the camera: a frame that took an earlier id would look different.
    server = await start(path.join(DEMO, 'hikers.mp4'));
    for (let i = 0; i < 60; i++) {
      const { body } = await httpJson(api('/api/calibration/queue'));
      if ((body as { queue: unknown[] }).queue.length >= 2) break;
      await sleep(1000);
    }
    await page.reload();
    const after_ = await queuedOnPage(page);
    assert.deepEqual(after_.filter((id) => before_.includes(id)), [], `ids before the restart ${before_.join(', ')}, after ${after_.join(', ')}`);
    assert.ok(Math.min(...after_) > Math.max(...before_), `ids after the restart ${after_.join(', ')} follow those before ${before_.join(', ')}`);
    for (const id of after_) {
      const seen = await pageAndServer(page, api(`/api/calibration/queue/${id}/image`));
      if (seen) assert.ok(seen.page === seen.server, `frame ${id}: the page's picture is not the server's`);
    }
  });

  test('a deleted newest sample\'s id is not given to the next correction: a stale delete is a 404, the page shows the new picture', { timeout: 60_000 }, async () => {
    const correct = async () => {
      const res = await httpJson(api('/api/cameras/cam/corrections'), { method: 'POST', body: { label: 'WS' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return (res.body as { id: number }).id;
    };
    await correct();
    await sleep(700);
    const newest = await correct();
    await page.reload();
    await page.locator(`[data-testid="calibration-samples"] li[data-sample="${newest}"] img`).waitFor({ timeout: 15_000 });
    assert.equal((await httpJson(api(`/api/calibration/samples/${newest}`), { method: 'DELETE' })).status, 204);
    await sleep(700);
    const next = await correct();
    assert.ok(next > newest, `the next correction took id ${next}, the deleted one's was ${newest}`);
    // A second tab that still lists the deleted sample deletes it again: nothing of anyone else's goes.
    const stale = await httpJson(api(`/api/calibration/samples/${newest}`), { method: 'DELETE' });
    assert.equal(stale.status, 404);
    assert.equal((stale.body as { error: { code: string } }).error.code, 'NOT_FOUND');
    assert.equal((await fetch(api(`/api/calibration/samples/${newest}/image`))).status, 404);
    const listed = ((await httpJson(api('/api/calibration/samples'))).body as { samples: { id: number }[] }).samples.map((s) => s.id);
    assert.ok(listed.includes(next) && !listed.includes(newest), `samples listed: ${listed.join(', ')}`);
    await page.reload();
    await page.locator(`[data-testid="calibration-samples"] li[data-sample="${next}"] img`).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator(`[data-testid="calibration-samples"] li[data-sample="${newest}"]`).count(), 0);
    const seen = await pageAndServer(page, api(`/api/calibration/samples/${next}/image`));
    assert.ok(seen && seen.page === seen.server, `sample ${next}: the page's picture is not the server's`);
  });
});

describe('schema version 14: calibration sample ids', () => {
  test('a shot log from before keeps its samples and their ids, and a deleted newest sample\'s id is not given again', () => {
    const file = path.join(tempDir('shotscale-calibration-ids-v13-'), 'shotscale.sqlite');
    const sample = (label: string) => ({ cameraId: 'cam', capturedAt: 1000, source: 'live' as const, taxonomy: 'canonical', label, shown: 'MS', shotId: null, features: new Float32Array(MODEL_FEATURE_NAMES.length).fill(0.5), featureNames: MODEL_FEATURE_NAMES, rules: [0, 0, 0, 1, 0, 0, 0, 0], jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) });
    const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 13));
    const oldStore = new CalibrationStore(old);
    const ids = ['CU', 'MS', 'WS'].map((label) => oldStore.addSample(sample(label), 2000));
    old.close();

    const db = openDatabase(file);
    const store = new CalibrationStore(db);
    assert.deepEqual(store.listSamples().map((s) => [s.id, s.label, s.hasImage]), [[ids[2], 'WS', true], [ids[1], 'MS', true], [ids[0], 'CU', true]]);
    assert.deepEqual([...store.samplesForFit()[0]!.features.slice(0, 2)], [0.5, 0.5]);
    assert.ok(store.deleteSample(ids[2]!));
    const next = store.addSample(sample('EWS'), 3000);
    assert.ok(next > ids[2]!, `the next sample took id ${next}, the deleted newest one's was ${ids[2]}`);
    db.close();
  });
});
