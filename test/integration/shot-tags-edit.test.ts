/**
 * Tags through an edit in the Shots view, in Chromium, against a real server.
 * A review found that an edit of the note alone saved every tag again, split
 * on commas and with case-only repeats dropped: a shot tagged "Smith, John",
 * "Anna" and "anna" came back as "Smith", "John" and "Anna", and the plan
 * item tagged "Smith, John" went from met back to missing. Now a field not
 * edited is not sent (nor does it undo a change made to it on another
 * dashboard meanwhile), and the tags field writes a tag with a comma in
 * quotes and reads it back whole.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { SceneCoverage, ShotRecord } from '../../server/shared/shots.js';
import { launchChromium } from '../support/browser.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

const ADMIN = 'admin-token-shot-tags-edit-0123456789';
const OPERATOR = 'operator-token-shot-tags-edit-0123456789';

describe('tags through an edit in the Shots view', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let id = 0;
  const patches: unknown[] = [];

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }] },
      cameras: [{ id: 'cam-1', name: 'Camera 1', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } }],
    });
    const inTime = Date.now() - 60_000;
    const shot: ShotRecord = {
      id: 0, cameraId: 'cam-1', status: 'closed', inTime, outTime: inTime + 5000, rate: '25', inFrame: 0, outFrame: 125, tcIn: '10:00:00:00', tcOut: '10:00:05:00',
      durationS: 5, startS: 0, scale: 'MS', scaleStart: 'MS', scaleEnd: 'MS', confidence: 0.9, probabilities: CANONICAL_SCALES.map((s) => (s === 'MS' ? 1 : 0)), readouts: 10,
      subjects: null, reason: null, cutIn: 'hard', cutOut: 'hard', scene: '7', take: '1', tags: [], note: null, hasThumbnail: false,
    };
    id = server.shotLog!.shots.add(shot, null);
    const plan = { items: [{ id: 'sj', scale: 'ECU..EWS', tag: 'Smith, John', minDurationS: 0 }] };
    assert.equal((await httpJson(`${server.url}/api/plans/7`, { method: 'PUT', body: plan, token: ADMIN })).status, 200);
    assert.equal((await httpJson(`${server.url}/api/shots/${id}`, { method: 'PATCH', body: { tags: ['Smith, John', 'Anna', 'anna'] }, token: OPERATOR })).status, 200);
    assert.equal(await smithJohnMet(), true, 'met before any edit in the page');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(request.postDataJSON());
    });
    await page.goto(`${server.url}/?token=${OPERATOR}#shots`);
    await row().waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = () => page.locator(`[data-testid="shot-row"][data-shot-id="${id}"]`);
  const savedTags = async () => ((await httpJson(`${server.url}/api/shots/${id}`, { token: OPERATOR })).body as ShotRecord).tags;

  async function smithJohnMet(): Promise<boolean> {
    const coverage = ((await httpJson(`${server.url}/api/coverage?scene=7`, { token: OPERATOR })).body as { scene: SceneCoverage | null }).scene;
    const item = coverage?.plan?.find((each) => each.id === 'sj');
    assert.ok(item, `the plan item sj is in the coverage: ${JSON.stringify(coverage)}`);
    return item.met;
  }

  test('an edit of the note alone sends the note alone: the tags, and the plan item they meet, stay as they were', async () => {
    await row().locator('[data-testid="shot-edit"]').click();
    const tags = row().locator('[data-testid="shot-tags-input"]');
    assert.equal(await tags.inputValue(), '"Smith, John", Anna, anna', 'a tag with a comma is shown in quotes, whole');
    assert.equal(await tags.getAttribute('aria-label'), `tags of shot ${id}, comma separated`);
    const help = row().locator('[data-testid="shot-tags-help"]');
    assert.match(await help.innerText(), /a tag with a comma in it goes in quotes: "Smith, John"/);
    assert.equal(await tags.getAttribute('aria-describedby'), await help.getAttribute('id'), 'the rule is read out with the field');

    const note = row().locator('[data-testid="shot-note-input"]');
    await note.fill('checked by scripty');
    await note.press('Enter');
    await row().locator('td.note', { hasText: 'checked by scripty' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(patches, [{ note: 'checked by scripty' }]);
    assert.deepEqual(await savedTags(), ['Smith, John', 'Anna', 'anna']);
    assert.equal(await smithJohnMet(), true, 'sj still met');
  });

  test('an edit of the tags keeps a tag with a comma whole, typed or kept, and leaves the tags not touched as they were', async () => {
    patches.length = 0;
    await row().locator('[data-testid="shot-edit"]').click();
    const tags = row().locator('[data-testid="shot-tags-input"]');
    await tags.waitFor({ timeout: 2000 });
    await tags.press('End');
    await tags.pressSequentially(', Ben, ben, "Doe, Jane"');
    await tags.press('Enter');
    await tags.waitFor({ state: 'detached', timeout: 15_000 });
    const expected = ['Smith, John', 'Anna', 'anna', 'Ben', 'Doe, Jane'];
    assert.deepEqual(patches, [{ tags: expected }], 'the typed "ben" merged into "Ben"; "anna", there before, kept');
    await page.waitForFunction(
      (shot) => [...document.querySelectorAll(`[data-testid="shot-row"][data-shot-id="${shot}"] .tag`)].map((tag) => tag.textContent).join('|') === 'Smith, John|Anna|anna|Ben',
      id,
      { timeout: 15_000 },
    );
    assert.deepEqual(await savedTags(), expected);
    assert.equal(await smithJohnMet(), true, 'sj still met');
  });

  test('tags changed on another dashboard while the note is edited here stay as changed, and the edit says so', async () => {
    patches.length = 0;
    await row().locator('[data-testid="shot-edit"]').click();
    const note = row().locator('[data-testid="shot-note-input"]');
    await note.fill('second look');
    const elsewhere = ['Smith, John', 'Cleo'];
    assert.equal((await httpJson(`${server.url}/api/shots/${id}`, { method: 'PATCH', body: { tags: elsewhere }, token: OPERATOR })).status, 200);
    const notice = row().locator('[data-testid="shot-changed-elsewhere"]');
    await notice.waitFor({ timeout: 15_000 });
    assert.equal(await notice.innerText(), 'Changed elsewhere since you opened this edit (tags): Save keeps the change to the tags (not edited here).');
    patches.length = 0;
    await note.press('Enter');
    await note.waitFor({ state: 'detached', timeout: 15_000 });
    assert.deepEqual(patches, [{ note: 'second look' }]);
    assert.deepEqual(await savedTags(), elsewhere);
  });
});
