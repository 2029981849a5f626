/**
 * Circling and NG-ing takes in the Coverage view, in a real browser
 * (Debian's Chromium through playwright-core) against a real server: an
 * operator's buttons say what they do to which take and show their state
 * (aria-pressed), an NG take's line says its shots are not counted and the
 * scene's plan loses what only it covered; a viewer sees the marks and no
 * buttons. The Shots view's edit form sets a shot's framing; a mark or a
 * framing set on any dashboard (here: over the API) shows in an open Shots
 * view without a reload. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { ShotRecord, Take } from '../../server/shared/shots.js';
import { httpJson, REPO_DIR, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const OPERATOR = 'operator-token-view-0123456789';
const VIEWER = 'viewer-token-view-0123456789';

describe('take marks in the Coverage view, and a framing in the Shots view', () => {
  let server: RunningServer;
  let browser: Browser;
  const takes: Take[] = [];

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: 'admin-token-view-0123456789', tokens: [{ role: 'viewer', token: VIEWER }, { role: 'operator', token: OPERATOR }] },
      coverage: { plans: [{ scene: '12', items: [{ id: 'master', scale: 'WS+' }] }] },
      // The shots' camera, known to the dashboard (disabled: nothing to decode), so its shot events reach it.
      cameras: [{ id: 'cam-1', name: 'Camera 1', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } }],
    });
    // Take 1 holds the scene's only master; take 2 a close shot.
    for (const [number, scale] of [['1', 'WS'], ['2', 'CU']] as const) {
      const take = (await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { scene: '12', take: number }, token: OPERATOR })).body as Take;
      takes.push(take);
      const inTime = Date.now() - 10_000;
      const shot: ShotRecord = {
        id: 0, cameraId: 'cam-1', status: 'closed', inTime, outTime: inTime + 5000, rate: '25', inFrame: 0, outFrame: 125, tcIn: '00:00:00:00', tcOut: '00:00:05:00',
        durationS: 5, startS: 0, scale, scaleStart: scale, scaleEnd: scale, confidence: 0.9, probabilities: CANONICAL_SCALES.map((s) => (s === scale ? 1 : 0)), readouts: 10,
        subjects: null, reason: null, cutIn: 'take', cutOut: 'take', scene: '12', take: number, tags: [], note: null, hasThumbnail: false,
      };
      server.shotLog!.shots.add(shot, take.id);
      await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {}, token: OPERATOR });
    }
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function coverageView(token: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?token=${token}`);
    await page.locator('[data-testid="role"]').waitFor({ timeout: 10_000 });
    await page.keyboard.press('c');
    await page.locator('[data-testid="scene-card"][data-scene="12"] [data-testid="take-mark-line"][data-take="2"]').waitFor({ timeout: 10_000 });
    return page;
  }

  const line = (page: Page, take: string) => page.locator(`[data-testid="scene-card"][data-scene="12"] [data-testid="take-mark-line"][data-take="${take}"]`);

  test('an operator circles take 2 and marks take 1 NG: the lines say so, the buttons show it, the master goes missing; Clear counts it again', async () => {
    const page = await coverageView(OPERATOR);
    const card = page.locator('[data-testid="scene-card"][data-scene="12"]');
    assert.equal(await card.locator('[data-testid="plan-item"][data-item-id="master"]').getAttribute('data-met'), 'true');

    const circle = line(page, '2').locator('[data-testid="take-mark-circled"]');
    assert.equal(await circle.getAttribute('aria-label'), 'Circle take 2 of scene 12');
    assert.equal(await circle.getAttribute('aria-pressed'), 'false');
    assert.equal(await line(page, '2').locator('[data-testid="take-mark-clear"]').isDisabled(), true, 'nothing to clear yet');
    await circle.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="take-mark-line"][data-take="2"]')?.getAttribute('data-mark') === 'circled', null, { timeout: 15_000 });
    assert.equal(await circle.getAttribute('aria-pressed'), 'true');
    assert.equal((await line(page, '2').locator('[data-testid="take-mark-text"]').textContent())?.trim(), 'Take 2 · circled');

    const ng = line(page, '1').locator('[data-testid="take-mark-ng"]');
    assert.equal(await ng.getAttribute('aria-label'), 'Mark NG take 1 of scene 12');
    await ng.click();
    // The coverage push follows the mark within a second or so: the master was in take 1 alone.
    await card.locator('[data-testid="plan-item"][data-item-id="master"][data-met="false"]').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="take-mark-line"][data-take="1"] [data-testid="take-mark-text"]')?.textContent?.includes('(1 shot)'), null, { timeout: 15_000 });
    assert.equal((await line(page, '1').locator('[data-testid="take-mark-text"]').textContent())?.trim(), 'Take 1 · NG: not counted (1 shot)');
    assert.equal(await ng.getAttribute('aria-pressed'), 'true');
    await page.screenshot({ path: path.join(ARTIFACTS, 'take-marks-operator.png') });
    assert.deepEqual(((await httpJson(`${server.url}/api/takes?scene=12`, { token: VIEWER })).body as { takes: Take[] }).takes.map((t) => t.mark), ['ng', 'circled']);

    await line(page, '1').locator('[data-testid="take-mark-clear"]').click();
    await card.locator('[data-testid="plan-item"][data-item-id="master"][data-met="true"]').waitFor({ timeout: 15_000 });
    await page.close();
  });

  test("the Shots view's edit form sets a shot's framing, shown as set by the operator", async () => {
    const page = await coverageView(OPERATOR);
    const [first] = ((await httpJson(`${server.url}/api/shots?scene=12`, { token: OPERATOR })).body as { shots: ShotRecord[] }).shots;
    await page.keyboard.press('s');
    const row = page.locator(`[data-testid="shot-row"][data-shot-id="${first!.id}"]`);
    await row.locator('[data-testid="shot-edit"]').click();
    const framing = row.locator('[data-testid="shot-framing-input"]');
    assert.equal(await framing.getAttribute('aria-label'), `framing of shot ${first!.id}`);
    await framing.selectOption('two-shot');
    await row.locator('[data-testid="shot-save"]').click();
    await row.locator('[data-testid="framing-by-operator"]').waitFor({ timeout: 15_000 });
    assert.equal((await row.locator('[data-testid="framing-by-operator"]').textContent())?.trim(), 'two-shot');
    assert.equal(((await httpJson(`${server.url}/api/shots/${first!.id}`, { token: OPERATOR })).body as ShotRecord).operatorFraming, 'two-shot');
    await page.close();
  });

  test('an open Shots view shows a take circled, marked NG or cleared on another dashboard at once, without listing the shots again', async () => {
    const page = await coverageView(VIEWER);
    await page.keyboard.press('s');
    const shots = ((await httpJson(`${server.url}/api/shots?scene=12`, { token: VIEWER })).body as { shots: ShotRecord[] }).shots;
    const row = (take: string) => page.locator(`[data-testid="shot-row"][data-shot-id="${shots.find((s) => s.take === take)!.id}"]`);
    const mark = (take: string) => row(take).locator('[data-testid="shot-take-mark"]');
    await row('1').waitFor({ timeout: 10_000 });
    // As the first test left them: take 2 circled, take 1 cleared.
    assert.equal((await mark('2').textContent())?.trim(), 'circled');
    assert.equal(await mark('1').count(), 0);
    const listed: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/shots') listed.push(request.url());
    });

    await httpJson(`${server.url}/api/takes/${takes[0]!.id}`, { method: 'PATCH', body: { mark: 'ng' }, token: OPERATOR });
    await mark('1').waitFor({ timeout: 15_000 });
    assert.equal((await mark('1').textContent())?.trim(), 'NG');
    await httpJson(`${server.url}/api/takes/${takes[1]!.id}`, { method: 'PATCH', body: { mark: null }, token: OPERATOR });
    await mark('2').waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal((await mark('1').textContent())?.trim(), 'NG', 'the other take keeps its mark');
    await page.screenshot({ path: path.join(ARTIFACTS, 'take-marks-shots-view.png') });
    assert.deepEqual(listed, [], 'the marks came with take:mark, not by listing the shots again');

    await httpJson(`${server.url}/api/takes/${takes[1]!.id}`, { method: 'PATCH', body: { mark: 'circled' }, token: OPERATOR });
    await mark('2').waitFor({ timeout: 15_000 });
    await page.close();
  });

  test("an open Shots view shows a framing set on another dashboard, as set by the operator, as it does a scale", async () => {
    const page = await coverageView(VIEWER);
    await page.keyboard.press('s');
    // The shot the edit form above left without a framing.
    const shot = ((await httpJson(`${server.url}/api/shots?scene=12`, { token: VIEWER })).body as { shots: ShotRecord[] }).shots.find((s) => !s.operatorFraming)!;
    const row = page.locator(`[data-testid="shot-row"][data-shot-id="${shot.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('[data-testid="framing-by-operator"]').count(), 0);
    await httpJson(`${server.url}/api/shots/${shot.id}`, { method: 'PATCH', body: { framing: 'group', scale: 'MS' }, token: OPERATOR });
    await row.locator('[data-testid="framing-by-operator"]').waitFor({ timeout: 15_000 });
    assert.equal((await row.locator('[data-testid="framing-by-operator"]').textContent())?.trim(), 'group');
    assert.equal(await row.getAttribute('data-scale'), 'MS');
    assert.equal((await row.locator('[data-testid="scale-by-operator"]').textContent())?.trim(), `✎ ${shot.scale}`, "the classifier's scale beside the operator's");
    await page.close();
  });

  test('a viewer sees the marks and no buttons', async () => {
    await httpJson(`${server.url}/api/takes/${takes[0]!.id}`, { method: 'PATCH', body: { mark: 'ng' }, token: OPERATOR });
    const page = await coverageView(VIEWER);
    await page.waitForFunction(() => document.querySelector('[data-testid="take-mark-line"][data-take="1"]')?.getAttribute('data-mark') === 'ng', null, { timeout: 15_000 });
    assert.equal(await line(page, '2').getAttribute('data-mark'), 'circled');
    assert.equal(await page.locator('[data-testid="take-mark-circled"], [data-testid="take-mark-ng"], [data-testid="take-mark-clear"]').count(), 0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'take-marks-viewer.png') });
    await page.close();
  });
});
