/**
 * Two scenes shot at once, in Chromium against a real server: scene 12
 * take 3 on cam-1 and cam-2, scene 14 take 1 on cam-3 (takes start per
 * camera). Each running take's card has its own "x of y met · missing in
 * this take" line (only the newer take had one; the other scene being shot
 * showed none). Scene 14 ended, its line goes and scene 12's stays; none
 * running, the take that ended last keeps its line. The live coverage
 * (`GET /api/coverage/live`, the `coverage` event) carries both takes in
 * `running`, newest first, beside `current`.
 * Shots are stored directly (disabled cameras: nothing decodes, so nothing
 * else moves the page meanwhile).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CoverageUpdate, Take } from '../../server/shared/shots.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';
import { wideShotOfTake } from '../support/shot-records.js';

const PLAN = { items: [{ id: 'master', label: 'Master', scale: 'WS+' }, { id: 'close', label: 'Close-up', scale: 'CU-' }] };

describe('every running take has its line in the Coverage view', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  const card = (scene: string) => page.locator(`[data-testid="scene-card"][data-scene="${scene}"]`);
  const lines = (scene: string) => card(scene).locator('[data-testid="take-coverage"]');

  async function slate(body: { scene: string; take?: string; cameras: string[] }): Promise<Take> {
    const answer = await httpJson(`${server.url}/api/takes`, { method: 'POST', body });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body as Take;
  }

  async function end(cameras?: string[]): Promise<void> {
    const answer = await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: cameras ? { cameras } : {} });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  }

  /** A 5 s WS shot of cam-1 in `take`, stored as the shot log would have it. */
  const addWideShot = (take: Take): void => void server.shotLog!.shots.add(wideShotOfTake(take), take.id);

  /** The take lines of a scene's card, once they read `expected` (polled: the coverage is pushed at most once a second). */
  async function linesRead(scene: string, expected: string[], what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = (await lines(scene).allInnerTexts()).map((text) => text.trim());
      if (JSON.stringify(found) === JSON.stringify(expected)) return;
      assert.ok(Date.now() < deadline, `${what}: scene ${scene}'s take lines are ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      coverage: { plans: ['12', '14'].map((scene) => ({ scene, ...PLAN })) },
      // Known to the dashboard, disabled: nothing decodes.
      cameras: ['cam-1', 'cam-2', 'cam-3'].map((id) => ({ id, enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } })),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('scene 12 take 3 and scene 14 take 1 running at once: both lines; scene 14 ended: its line goes, scene 12 keeps its own', async () => {
    const twelve = await slate({ scene: '12', take: '3', cameras: ['cam-1', 'cam-2'] });
    addWideShot(twelve);
    await slate({ scene: '14', cameras: ['cam-3'] });

    const live = (await httpJson(`${server.url}/api/coverage/live`)).body as CoverageUpdate;
    assert.deepEqual(
      live.running.map((c) => [c.scene, c.take, c.missing]),
      [
        ['14', '1', ['master', 'close']],
        ['12', '3', ['close']],
      ],
      'every running take, newest first',
    );
    assert.deepEqual([live.current?.scene, live.current?.take], ['14', '1'], '`current` is still the newest running take');

    await page.goto(`${server.url}/#coverage`);
    await card('12').waitFor({ timeout: 10_000 });
    await linesRead('14', ['Take 1: 0 of 2 met · missing in this take: Master; Close-up'], 'the newer take');
    await linesRead('12', ['Take 3: 1 of 2 met · missing in this take: Close-up'], 'the other scene being shot');

    // Scene 14 ends on cam-3; scene 12 take 3 runs on.
    await end(['cam-3']);
    await linesRead('14', [], 'an ended take beside a running one');
    await linesRead('12', ['Take 3: 1 of 2 met · missing in this take: Close-up'], 'the take still running');

    // None running: the take that ended last keeps its line.
    await end();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="scene-mark"][data-mark="shooting"], [data-testid="scene-card"][data-mark="shooting"]').length === 0, null, { timeout: 10_000 });
    await linesRead('12', ['Take 3: 1 of 2 met · missing in this take: Close-up'], 'the last ended take');
    await linesRead('14', [], 'a take that ended earlier');
    assert.deepEqual(((await httpJson(`${server.url}/api/coverage/live`)).body as CoverageUpdate).running, []);
  });
});
