/**
 * Teaching the classifier a production's convention from the dashboard, in
 * Chromium: the default classifier on two file cameras playing real footage
 * (the first 1.5 s of a handheld selfie, looped: face and shoulders, MCU by
 * eye and by the classifier on every frame; hikers, FS). The selfie clip goes
 * on to other framings and a landscape, so the test plays only that stretch:
 * what it checks is what the corrections change, on frames that all read the
 * same before them. An operator who calls
 * the selfie CU and the hikers WS clicks "This frame is" in each camera's
 * large view, fits in the Calibration view and applies the head: the selfie
 * camera's readouts follow (CU); a rollback brings its labels back. In the
 * Shots view the operator sets a closed shot's scale: the export carries it,
 * marked as the operator's, with the classifier's own beside it, and the
 * shot's frame becomes a sample (a hikers shot: the looped selfie stretch
 * has no cut, so its shot stays open).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Readout } from '../../server/shared/socket-events.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { tempDir, trimClip } from '../support/media.js';
import { collectReadouts, connectClient, fileCamera, httpJson, REPO_DIR, startTestServer, type ConnectedClient } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const OPERATOR = 'operator-token-calibration-page-0123456789';
const ADMIN = 'admin-token-calibration-page-0123456789';

const DEMO = path.join(REPO_DIR, 'media', 'demo');
const share = (readouts: Readout[], label: string) => readouts.filter((r) => r.label === label).length / readouts.length;
/** The label read most often. */
const mostOften = (readouts: Readout[]) => [...new Set(readouts.map((r) => r.label))].sort((a, b) => share(readouts, b) - share(readouts, a))[0];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the calibration view', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let live: ConnectedClient;
  let before_: Readout[];

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }] },
      model: { manifest: path.join(REPO_DIR, 'models', 'framing-default.manifest.json'), calibration: path.join(REPO_DIR, 'models', 'framing-default.head.json') },
      // The selfie's stored 288x512 raster as square pixels (setsar=1), a portrait strip: so, the stretch reads MCU on
      // every frame. As the file says it is displayed (pixels 64:27, a 4:3 picture) it wavers between MCU and CU.
      cameras: [fileCamera('hikers', path.join(DEMO, 'hikers.mp4')), fileCamera('selfie', trimClip(path.join(DEMO, 'selfie.mp4'), tempDir(), 0, 1.5, 'selfie.mp4', 'setsar=1'))],
    });
    live = await connectClient(server.url, { token: OPERATOR });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    live?.client.close();
    await browser?.close();
    await server?.close();
  });

  /** Clicks "This frame is <label>" `count` times, a frame or so apart, and waits for each to be saved; returns the last note. */
  async function correctInFocus(cameraId: string, label: string, count: number): Promise<string> {
    await page.locator(`[data-camera-id="${cameraId}"]`).click();
    await page.locator(`[data-focus-camera="${cameraId}"] [data-correct="${label}"]`).waitFor({ timeout: 30_000 });
    for (let i = 0; i < count; i++) {
      // A new frame analysed since the last click: a click on the picture corrected last relabels its sample (one frame,
      // one sample), and the note never names the next one. 600 ms apart was a frame apart only while analysis kept up.
      if (i > 0) await collectReadouts(live.client, 1, (r) => r.cameraId === cameraId, 15_000);
      await sleep(600);
      await page.locator(`[data-focus-camera="${cameraId}"] [data-correct="${label}"]`).click();
      await page.waitForFunction((n) => document.querySelector('[data-testid="correction-note"]')?.textContent?.includes(`sample ${n}`) ?? false, String(samplesSoFar + i + 1), { timeout: 15_000 });
    }
    samplesSoFar += count;
    const note = (await page.locator('[data-testid="correction-note"]').textContent()) ?? '';
    await page.keyboard.press('Escape');
    return note;
  }
  let samplesSoFar = 0;

  test('before: the selfie reads MCU, not CU', async () => {
    await page.goto(`${server.url}/?token=${OPERATOR}`);
    await page.locator('[data-camera-id="selfie"][data-state="live"]').waitFor({ timeout: 30_000 });
    before_ = await collectReadouts(live.client, 25, (r) => r.cameraId === 'selfie', 40_000);
    assert.ok(share(before_, 'MCU') >= 0.6, `MCU share ${share(before_, 'MCU')}; most often ${mostOften(before_)}`);
    assert.ok(share(before_, 'CU') < 0.4, `CU share ${share(before_, 'CU')}`);
  });

  test('corrections in the large view, a fit and an apply in the Calibration view: the selfie follows', async () => {
    assert.match(await correctInFocus('selfie', 'CU', 10), /^CU saved \(sample 10; shown [A-Z]+\)$/);
    assert.match(await correctInFocus('hikers', 'WS', 8), /^WS saved \(sample 18; shown [A-Z]+\)$/);
    await page.keyboard.press('k');
    await page.locator('[data-testid="calibration-labels"]').waitFor({ timeout: 10_000 });
    const labels = await page.locator('[data-testid="calibration-labels"] tbody tr').allInnerTexts();
    assert.deepEqual(labels.map((t) => t.replace(/\s+/g, ' ').trim()).sort(), ['CU canonical 10', 'WS canonical 8']);
    assert.equal(await page.locator('[data-testid="calibration-samples"] li img').count(), 18);

    assert.ok(await page.locator('[data-testid="calibration-rollback"]').isDisabled(), 'no head applied yet: nothing to roll back');
    await page.locator('[data-testid="calibration-fit"]').click();
    await page.locator('[data-testid="calibration-fit-state"][data-state="done"]').waitFor({ timeout: 150_000 });
    const head = await page.locator('[data-testid="calibration-heads"] tbody tr').first().getAttribute('data-head');
    assert.match((await page.locator(`[data-head="${head}"]`).textContent()) ?? '', /canonical \(18 frames of \d+ shots?\): \d+\.\d% → (\d+\.\d%|no figure: .+)/);
    await page.locator(`[data-apply="${head}"]`).click();
    await page.waitForFunction((id) => document.querySelector('[data-testid="calibration-in-use"]')?.textContent === `head ${id}`, head, { timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'calibration-view.png'), fullPage: true });

    await sleep(1500);
    const after_ = await collectReadouts(live.client, 25, (r) => r.cameraId === 'selfie', 40_000);
    assert.ok(share(after_, 'CU') >= 0.6, `CU share ${share(after_, 'CU')} after the fit (before ${share(before_, 'CU')})`);
  });

  test('a rollback to the configured head brings the labels back', async () => {
    await page.locator('[data-testid="calibration-rollback"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="calibration-in-use"]')?.textContent === 'the configured head', null, { timeout: 10_000 });
    assert.ok(await page.locator('[data-testid="calibration-rollback"]').isDisabled(), 'nothing left to roll back: the button says so');
    await sleep(1500);
    const rolledBack = await collectReadouts(live.client, 25, (r) => r.cameraId === 'selfie', 40_000);
    assert.ok(share(rolledBack, 'CU') < 0.4, `CU share after the rollback ${share(rolledBack, 'CU')}`);
    assert.equal(mostOften(rolledBack), 'MCU');
  });

  test('a closed shot set to another scale in the Shots view: the export carries the operator\'s label and the classifier\'s; the frame is a sample', async () => {
    let shot: ShotRecord | undefined;
    const deadline = Date.now() + 60_000;
    while (!shot) {
      const { body } = await httpJson(`${server.url}/api/shots?camera=hikers&status=closed`, { token: OPERATOR });
      shot = (body as { shots: ShotRecord[] }).shots.find((s) => s.hasThumbnail && s.readouts > 0);
      assert.ok(shot || Date.now() < deadline, 'a closed shot with a thumbnail on the hikers camera within a minute');
      if (!shot) await sleep(1000);
    }
    const target = shot.scale === 'ECU' ? 'CU' : 'ECU';
    await page.keyboard.press('s');
    const row = page.locator(`[data-testid="shot-row"][data-shot-id="${shot.id}"]`);
    await row.locator('[data-testid="shot-edit"]').click();
    await row.locator('[data-testid="shot-scale-input"]').selectOption(target);
    await row.locator('[data-testid="shot-save"]').click();
    await page.locator(`[data-testid="shot-row"][data-shot-id="${shot.id}"][data-scale="${target}"] [data-testid="scale-by-operator"]`).waitFor({ timeout: 10_000 });

    const csv = await fetch(`${server.url}/api/shots?camera=hikers&format=csv&token=${OPERATOR}`).then((r) => r.text());
    const [header, ...rows] = csv.trim().split('\r\n');
    const columns = header!.split(',');
    const cells = rows.map((r) => r.split(',')).find((c) => c[0] === String(shot.id))!;
    const at = (name: string) => cells[columns.indexOf(name)];
    assert.deepEqual([at('scale'), at('scale_set_by'), at('classifier_scale')], [target, 'operator', shot.scale]);
    const edl = await fetch(`${server.url}/api/shots?camera=hikers&format=edl&token=${OPERATOR}`).then((r) => r.text());
    assert.match(edl, new RegExp(`COMMENT: ${target} \\(set by operator; classifier ${shot.scale}\\)`));

    const { body } = await httpJson(`${server.url}/api/calibration/samples?camera=hikers`, { token: OPERATOR });
    const fromShot = (body as { samples: { source: string; shotId: number | null; label: string; shown: string | null }[] }).samples.find((s) => s.source === 'shot');
    assert.deepEqual(fromShot && [fromShot.shotId, fromShot.label, fromShot.shown], [shot.id, target, shot.scale]);
  });

  test('a correction from a wall tile, and a frame labelled from "label these"', async () => {
    const count = () => server.shotLog!.db.prepare('SELECT COUNT(*) FROM calibration_samples').pluck().get() as number;
    const before = count();
    await page.keyboard.press('w');
    const tile = page.locator('[data-camera-id="hikers"]');
    await tile.locator('[data-testid="tile-correct"] summary').click();
    await tile.locator('[data-correct="FS"]').click();
    const deadline = Date.now() + 15_000;
    while (count() === before && Date.now() < deadline) await sleep(100);
    const last = server.shotLog!.db.prepare('SELECT camera_id, label, source FROM calibration_samples ORDER BY id DESC LIMIT 1').get();
    assert.deepEqual(last, { camera_id: 'hikers', label: 'FS', source: 'live' });

    await page.keyboard.press('k');
    // The queue moves on as frames come (an item may leave it under the click, as under an operator's): an item that
    // left without its label stored is labelled again on the queue's next first item, at most three times.
    for (let tries = 0; count() < before + 2 && tries < 3; tries++) {
      const queued = page.locator('[data-testid="calibration-queue"] li').first();
      await queued.waitFor({ timeout: 15_000 });
      const id = Number(await queued.getAttribute('data-queued'));
      // That item, by its id: `first()` is looked up again at the click, and the queue may have moved on meanwhile.
      const item = page.locator(`[data-testid="calibration-queue"] li[data-queued="${id}"]`);
      await item.locator('[data-queue-label="MS"]').click({ timeout: 5000 }).catch(() => undefined);
      await item.waitFor({ state: 'detached', timeout: 10_000 });
      const stored = Date.now() + 8000;
      while (count() < before + 2 && Date.now() < stored) await sleep(100);
    }
    assert.equal(count(), before + 2);
    const labelled = server.shotLog!.db.prepare('SELECT label, taxonomy FROM calibration_samples ORDER BY id DESC LIMIT 1').get();
    assert.deepEqual(labelled, { label: 'MS', taxonomy: 'canonical' });
  });
});
