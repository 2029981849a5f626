/**
 * What the Coverage view says, in Chromium, against a real server, where it
 * used to say something else or nothing:
 * - a take marked from the keyboard keeps the focus in its row (the buttons
 *   were disabled while the mark was sent, and Clear once it was gone,
 *   dropping the focus to the top of the page);
 * - a scene whose every take is NG says its shots were not counted, not
 *   "no shots yet";
 * - a plan item's label or tag longer than the server takes, and a scene
 *   name too long to plan, are said at the field, numbered as the editor
 *   numbers items, before anything is sent (the server's answer named
 *   "items[1]" and marked nothing; the editor opened on a name it refused);
 * - an operator or a viewer is told in sight why plans cannot be changed,
 *   and the buttons look disabled;
 * - a read of the takes that answers late, after a newer one, no longer
 *   puts an ended take back as running;
 * - a scene whose takes left no shot and that has no plan stays listed,
 *   its takes to be marked (it vanished once another scene was slated);
 * - the take line's missing items are apart by "; " (labels hold commas);
 * - after a server restart the last take's scene is still marked the last
 *   slated, with its take line (the server forgot its last take).
 * Shots are stored directly (a disabled camera: nothing decodes, so nothing
 * else moves the page meanwhile).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, type Route } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Take } from '../../server/shared/shots.js';
import { tempDir } from '../support/media.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';
import { wideShotOfTake } from '../support/shot-records.js';

const ADMIN = 'admin-token-coverage-states-0123456789';
const OPERATOR = 'operator-token-coverage-states-0123456789';
const VIEWER = 'viewer-token-coverage-states-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the coverage view says what is true', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  const card = (scene: string) => page.locator(`[data-testid="scene-card"][data-scene="${scene}"]`);
  const takeLine = (scene: string, take: string) => card(scene).locator(`[data-testid="take-mark-line"][data-take="${take}"]`);

  async function slate(scene: string): Promise<Take> {
    const answer = await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { scene }, token: OPERATOR });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body as Take;
  }
  const endTakes = async () => assert.equal((await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {}, token: OPERATOR })).status, 200);

  /** A 5 s WS shot of cam-1 in `take`, stored as the shot log would have it. */
  const addShot = (take: Take): void => void server.shotLog!.shots.add(wideShotOfTake(take), take.id);

  // Kept for a restart on the same port and shot log.
  const dataDir = tempDir('coverage-states-');
  const config = (port = 0) => ({
    server: { port, accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }, { role: 'viewer', token: VIEWER }] },
    shots: { dataDir },
    coverage: { plans: [{ scene: '30', items: [{ id: 'master', scale: 'WS+' }] }] },
    // Known to the dashboard, disabled: nothing decodes.
    cameras: [{ id: 'cam-1', name: 'Camera 1', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } }],
  });

  before(async () => {
    ensureWebBuild();
    server = await startTestServer(config());
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openCoverage(token: string, scene: string): Promise<void> {
    await page.goto(`${server.url}/?token=${token}`);
    await page.locator('[data-testid="role"]').waitFor({ timeout: 10_000 });
    await page.keyboard.press('c');
    await card(scene).waitFor({ timeout: 10_000 });
  }

  const focused = () => page.evaluate(() => `${document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName} ${document.activeElement?.closest<HTMLElement>('[data-take]')?.dataset.take ?? ''}`.trim());

  test('a take marked from the keyboard keeps the focus on its buttons: Circle stays focused, and Clear hands it to Circle', async () => {
    await slate('10');
    await slate('10');
    await endTakes();
    await openCoverage(OPERATOR, '10');
    await takeLine('10', '2').waitFor({ timeout: 10_000 });

    await takeLine('10', '1').locator('[data-testid="take-mark-circled"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-scene="10"] [data-take="1"]')?.getAttribute('data-mark') === 'circled', null, { timeout: 15_000 });
    await sleep(200);
    assert.equal(await focused(), 'take-mark-circled 1', 'the focus stayed on Circle while the mark was sent');

    // The keyboard goes on from there: Tab to NG, Tab to Clear, Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'take-mark-clear 1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-scene="10"] [data-take="1"]')?.getAttribute('data-mark') === '', null, { timeout: 15_000 });
    await sleep(200);
    assert.equal(await takeLine('10', '1').locator('[data-testid="take-mark-clear"]').isDisabled(), true, 'nothing left to clear');
    assert.equal(await focused(), 'take-mark-circled 1', 'Clear, disabled once the mark is gone, handed the focus to Circle of the same take');
  });

  test('a scene whose only take is NG says its shot is not counted, not "no shots yet"', async () => {
    const take = await slate('30');
    addShot(take);
    await endTakes();
    await openCoverage(OPERATOR, '30');
    await card('30').locator('[data-testid="scene-stats"]', { hasText: '1 shot' }).waitFor({ timeout: 10_000 });
    assert.equal(await card('30').locator('[data-testid="plan-item"][data-item-id="master"]').getAttribute('data-met'), 'true');

    await takeLine('30', take.take).locator('[data-testid="take-mark-ng"]').click();
    await card('30').locator('[data-testid="plan-item"][data-item-id="master"][data-met="false"]').waitFor({ timeout: 15_000 });
    assert.equal(await card('30').locator('[data-testid="scene-stats"]').innerText(), 'no shots counted: 1 shot in NG takes');
    const coverage = (await httpJson(`${server.url}/api/coverage/live`, { token: VIEWER })).body as { scenes: { scene: string; stats: { shots: number }; marks?: { mark: string; shots: number }[] }[] };
    const scene = coverage.scenes.find((s) => s.scene === '30')!;
    assert.equal(scene.stats.shots, 0, 'the server counts none');
    assert.deepEqual(scene.marks?.map((m) => [m.mark, m.shots]), [['ng', 1]]);

    // Cleared, it counts again.
    await takeLine('30', take.take).locator('[data-testid="take-mark-clear"]').click();
    await card('30').locator('[data-testid="scene-stats"]', { hasText: /^1 shot · average 5\.0 s/ }).waitFor({ timeout: 15_000 });
  });

  test('a label or tag too long for the server is said at its field, as item 2, and nothing is sent', async () => {
    await openCoverage(ADMIN, '30');
    const editor = card('30').locator('[data-testid="plan-editor"]');
    await card('30').locator('[data-testid="plan-edit"]').click();
    await editor.locator('[data-testid="plan-row"]').first().waitFor({ timeout: 5000 });
    await editor.locator('[data-testid="plan-add-row"]').click();
    const row = editor.locator('[data-testid="plan-row"]').nth(1);
    await row.locator('[data-testid="plan-scale"]').fill('MS');
    await row.locator('[data-testid="plan-label"]').fill('x'.repeat(130));
    await row.locator('[data-testid="plan-tag"]').fill('T'.repeat(70));
    const puts: string[] = [];
    const onRequest = (request: { method(): string; url(): string }) => {
      if (request.method() === 'PUT') puts.push(request.url());
    };
    page.on('request', onRequest);
    try {
      await editor.locator('[data-testid="plan-save"]').click();
      await editor.locator('[data-testid="plan-problems"]').waitFor({ timeout: 5000 });
      assert.deepEqual((await editor.locator('[data-testid="plan-problems"] li').allInnerTexts()).map((t) => t.trim()), [
        'item 2: the label has 130 characters, at most 120',
        'item 2: the tag has 70 characters, at most 64',
      ]);
      assert.equal(await row.locator('[data-testid="plan-label"]').getAttribute('aria-invalid'), 'true');
      assert.equal(await row.locator('[data-testid="plan-tag"]').getAttribute('aria-invalid'), 'true');
      assert.equal(await editor.locator('[data-testid="plan-error"]').count(), 0);
      assert.deepEqual(puts, [], 'nothing was sent');
    } finally {
      page.off('request', onRequest);
    }
    // Shortened, it saves.
    await row.locator('[data-testid="plan-label"]').fill('Two-shot');
    await row.locator('[data-testid="plan-tag"]').fill('Anna');
    await editor.locator('[data-testid="plan-save"]').click();
    await editor.locator('[data-testid="plan-notice"]', { hasText: 'Saved the plan of scene 30 (2 items)' }).waitFor({ timeout: 15_000 });
    const plan = (await httpJson(`${server.url}/api/plans/30`, { token: VIEWER })).body as { items: { label: string; tag?: string }[] };
    assert.deepEqual(plan.items.map((item) => [item.label, item.tag ?? null]), [['WS or wider', null], ['Two-shot', 'Anna']]);
  });

  test('a scene name too long to plan is refused at the field, and opens no editor that could not be saved', async () => {
    await openCoverage(ADMIN, '30');
    const field = page.locator('[data-testid="plan-new-scene"]');
    await field.fill('S'.repeat(70));
    await page.locator('[data-testid="plan-new"]').click();
    const problem = page.locator('[data-testid="plan-new-scene-problem"]');
    await problem.waitFor({ timeout: 5000 });
    assert.equal(await problem.innerText(), 'Not planned: a scene name has at most 64 characters (this one has 70).');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await field.getAttribute('aria-describedby'), await problem.getAttribute('id'));
    assert.equal(await page.locator('[data-testid="plan-editor"]').count(), 0, 'no editor opened');
    assert.equal(await field.inputValue(), 'S'.repeat(70), 'the name is kept to be shortened');

    // Typing clears it; a name of 64 opens the editor.
    await field.fill('S'.repeat(64));
    assert.equal(await problem.count(), 0);
    await page.locator('[data-testid="plan-new"]').click();
    await page.locator(`[data-testid="plan-editor"][data-scene="${'S'.repeat(64)}"]`).waitFor({ timeout: 5000 });
    await page.locator('[data-testid="plan-close"]').click();
  });

  test('an operator and a viewer are told in sight why plans cannot be changed; the buttons look disabled; an admin is told nothing', async () => {
    for (const [token, words] of [
      [OPERATOR, 'this page has an operator token'],
      [VIEWER, 'this page has a viewer token'],
    ] as const) {
      await openCoverage(token, '30');
      const note = page.locator('[data-testid="coverage-read-only"]');
      assert.equal(await note.innerText(), `Planning coverage needs an admin token; ${words}.`);
      assert.ok(await note.isVisible());
      assert.equal(await page.locator('[data-testid="plan-new-scene"]').isDisabled(), true, 'no scene to type that could not be planned');
      for (const button of [page.locator('[data-testid="plan-new"]'), card('30').locator('[data-testid="plan-edit"]')]) {
        assert.equal(await button.isDisabled(), true);
        assert.equal(await button.getAttribute('aria-describedby'), await note.getAttribute('id'));
        const opacity = Number(await button.evaluate((el) => getComputedStyle(el).opacity));
        assert.ok(opacity < 0.7, `a disabled plan button is dimmed (opacity ${opacity})`);
      }
    }
    await openCoverage(ADMIN, '30');
    assert.equal(await page.locator('[data-testid="coverage-read-only"]').count(), 0);
    assert.equal(Number(await card('30').locator('[data-testid="plan-edit"]').evaluate((el) => getComputedStyle(el).opacity)), 1);
  });

  test('a scene slated with no shot (its camera down) and no plan stays listed once another is slated, so its take can be marked', async () => {
    await slate('60');
    await slate('61');
    await endTakes();
    await openCoverage(OPERATOR, '61');
    await takeLine('60', '1').waitFor({ timeout: 15_000 });
    assert.equal(await card('60').locator('[data-testid="scene-stats"]').innerText(), 'no shots yet');
    await takeLine('60', '1').locator('[data-testid="take-mark-ng"]').click();
    await page.locator('[data-scene="60"] [data-take="1"][data-mark="ng"]').waitFor({ timeout: 15_000 });
  });

  test("the take line names the items the take is missing apart by \"; \", as labels hold commas", async () => {
    const plan = { items: [{ id: 'mid', scale: 'MS..MWS' }, { id: 'cu-anna', scale: 'CU-', framing: 'single', tag: 'Anna' }] };
    assert.equal((await httpJson(`${server.url}/api/plans/70`, { method: 'PUT', body: plan, token: ADMIN })).status, 200);
    await slate('70');
    try {
      await openCoverage(OPERATOR, '70');
      const line = card('70').locator('[data-testid="take-coverage"]');
      await line.waitFor({ timeout: 15_000 });
      assert.equal((await line.innerText()).trim(), 'Take 1: 0 of 2 met · missing in this take: MS to MWS; CU or tighter, single, Anna');
    } finally {
      await endTakes();
    }
  });

  test('a read of the takes that answers after a newer one does not put an ended take back as running', async () => {
    // A shot keeps the scene listed once its take has ended.
    const other = await slate('49');
    addShot(await slate('50'));
    await openCoverage(OPERATOR, '50');
    await takeLine('50', '1').locator('[data-testid="take-mark-text"]', { hasText: 'Take 1 · running' }).waitFor({ timeout: 10_000 });

    // The next read of the takes is answered as the server had it then, but only later, after the take has ended.
    let held: { route: Route; answer: Promise<Awaited<ReturnType<Route['fetch']>>> } | null = null;
    let answered!: () => void;
    const fetched = new Promise<void>((resolve) => (answered = resolve));
    await page.route('**/api/takes', async (route) => {
      if (route.request().method() !== 'GET' || held) return route.continue();
      const answer = route.fetch();
      held = { route, answer };
      await answer;
      answered();
    });
    try {
      // Another take marked (here over the API): the page reads the takes after the coverage push; that read is held.
      assert.equal((await httpJson(`${server.url}/api/takes/${other.id}`, { method: 'PATCH', body: { mark: 'circled' }, token: OPERATOR })).status, 200);
      await fetched;
      await endTakes();
      await takeLine('50', '1').locator('[data-testid="take-mark-text"]', { hasText: /^Take 1$/ }).waitFor({ timeout: 15_000 });
      // The end's coverage push (at most one a second) read the takes too: all of it over before the late answer comes.
      await sleep(1500);
      const late = held!;
      await late.route.fulfill({ response: await late.answer });
      await sleep(1000);
      assert.equal(await takeLine('50', '1').locator('[data-testid="take-mark-text"]').innerText(), 'Take 1', 'the ended take stays ended');
      assert.notEqual(await card('50').getAttribute('data-mark'), 'shooting', 'and its scene is not shooting');
    } finally {
      await page.unroute('**/api/takes');
    }
  });

  test('after a server restart the last take is still the last: its scene marked so, its take line kept, once the page has reconnected by itself', async () => {
    assert.equal((await httpJson(`${server.url}/api/plans/80`, { method: 'PUT', body: { items: [{ id: 'master', scale: 'WS+' }] }, token: ADMIN })).status, 200);
    addShot(await slate('80'));
    await endTakes();
    await openCoverage(OPERATOR, '80');
    await card('80').locator('[data-testid="take-coverage"]').waitFor({ timeout: 15_000 });
    assert.equal(await card('80').getAttribute('data-mark'), 'last');

    const port = Number(new URL(server.url).port);
    await server.close();
    await page.locator('[data-testid="connection-lost"]').waitFor({ timeout: 10_000 });
    server = await startTestServer(config(port));
    await page.locator('[data-testid="connection-lost"]').waitFor({ state: 'detached', timeout: 20_000 });
    await sleep(1500);
    assert.equal(await card('80').getAttribute('data-mark'), 'last', 'still the last slated');
    assert.equal((await card('80').locator('[data-testid="scene-mark"]').innerText()).trim(), 'last slated');
    assert.equal((await card('80').locator('[data-testid="take-coverage"]').innerText()).trim(), 'Take 1: 1 of 1 met');
    assert.equal(await takeLine('80', '1').locator('[data-testid="take-mark-text"]').innerText(), 'Take 1');
  });
});
