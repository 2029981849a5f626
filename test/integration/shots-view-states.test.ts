/**
 * What the Shots view says, in Chromium, against a real server, where a
 * logger's review found it saying something else or nothing:
 * - the server killed or frozen, the list stayed as it was under no word at
 *   all, a running shot still "running" and its duration still counting; a
 *   Save over a frozen server said "Saving…" for ever. Now the view says
 *   "Not live" and since when, greys the rows, the running shot reads
 *   "not live" with its duration stopped, and a Save fails with its code
 *   (TIMEOUT, NETWORK), what was typed kept; so does an export;
 * - the filters were lost on a look at another view and on a reload (the
 *   view itself is kept in #shots); an empty filtered list said "No shots
 *   match these filters" without saying which; an export of no shots
 *   downloaded an empty file without a word;
 * - the edit form sent what the server refuses (a tag of 65 characters, a
 *   note of 2,001) and showed the server's BAD_REQUEST after the fact; Esc,
 *   Enter and Cancel left the keyboard on <body>; Esc did nothing from the
 *   scale and framing menus; Edit on another row dropped changes not saved
 *   without a word; a change made on another dashboard to the shot being
 *   edited was overwritten unseen; a save that timed out and answered after
 *   a later save of the shot put the row back to the older note;
 * - a viewer saw greyed Edit buttons and no reason;
 * - every live update greyed the Refresh button and wrote "Loading…" on it;
 * - a note of 1,700 characters made its row 2,800 px tall, and a tag of 64
 *   characters pushed the notes and the Edit buttons off the right edge.
 * The frozen and killed server runs in a child process (SIGSTOP, SIGKILL).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { MAX_NAME_LENGTH, MAX_NOTE_LENGTH } from '../../server/shared/input-limits.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { launchChromium } from '../support/browser.js';
import { killServeProcess, startServeProcess, writeServeConfig } from '../support/cli.js';
import { freePort } from '../support/cluster-engines.js';
import { tempDir } from '../support/media.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';
import { FILTER_KEY } from '../../web/src/lib/shots-view-state.js';

const ADMIN = 'admin-token-shots-view-states-0123456789';
const OPERATOR = 'operator-token-shots-view-states-0123456789';
const VIEWER = 'viewer-token-shots-view-states-0123456789';
/** The role each token opens the page with. */
const ROLES: Record<string, string> = { [ADMIN]: 'admin', [OPERATOR]: 'operator', [VIEWER]: 'viewer' };
const LONG_NAME = 'Kamera Süd — 東京 スタジオ';
const LONG_NOTE = 'The boom dips into the top of frame as Anna turns; '.repeat(34);

function record(fields: Partial<ShotRecord> & { scale: CanonicalScale; inTime: number }): ShotRecord {
  const open = fields.status === 'open';
  return {
    id: 0, cameraId: 'cam-1', status: 'closed', outTime: fields.inTime + 5000, rate: '25', inFrame: 0, outFrame: 125, tcIn: '10:00:00:00', tcOut: open ? '' : '10:00:05:00',
    durationS: open ? 0 : 5, startS: 0, scaleStart: fields.scale, scaleEnd: fields.scale, confidence: 0.9, probabilities: CANONICAL_SCALES.map((s) => (s === fields.scale ? 1 : 0)), readouts: 10,
    subjects: null, reason: null, cutIn: 'hard', cutOut: open ? null : 'hard', scene: '11', take: '1', tags: [], note: null, hasThumbnail: false,
    ...fields,
  };
}

describe('the shots view says what is true', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  /** Shot ids by what the test calls them. */
  const ids: Record<string, number> = {};

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'operator', token: OPERATOR }, { role: 'viewer', token: VIEWER }] },
      // Known to the dashboard (disabled: nothing to decode), so their shot events reach it.
      cameras: [
        { id: 'cam-1', name: LONG_NAME, enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } },
        { id: 'cam-2', name: 'Camera 2', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } },
      ],
    });
    const now = Date.now();
    const add = (name: string, shot: ShotRecord) => (ids[name] = server.shotLog!.shots.add(shot, null));
    for (let i = 0; i < 8; i++) add(`plain-${i}`, record({ scale: CANONICAL_SCALES[i]!, inTime: now - (60 - i) * 60_000, cameraId: i % 2 ? 'cam-1' : 'cam-2', scene: i % 2 ? '11' : '12' }));
    add('long-note', record({ scale: 'MS', inTime: now - 20 * 60_000, note: LONG_NOTE }));
    add('many-tags', record({ scale: 'CU', inTime: now - 19 * 60_000, tags: Array.from({ length: 20 }, (_, k) => `Schauspielerin-${k}-Ünïcödé`) }));
    add('long-tag', record({ scale: 'WS', inTime: now - 18 * 60_000, tags: ['x'.repeat(MAX_NAME_LENGTH)] }));
    add('running', record({ scale: 'MCU', inTime: now - 30_000, status: 'open', scene: '12' }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = (id: number) => page.locator(`[data-testid="shot-row"][data-shot-id="${id}"]`);
  const focused = () => page.evaluate(() => ({ testid: document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName, shot: document.activeElement?.closest('[data-testid="shot-row"]')?.getAttribute('data-shot-id') }));

  /** The Shots view, with no filter kept from an earlier test. */
  async function openShots(token = OPERATOR): Promise<void> {
    const role = page.locator('[data-testid="role"] dd', { hasText: ROLES[token] });
    await page.goto(`${server.url}/?token=${token}#shots`);
    // The page takes the token out of the address at once and stores it only once the server lets it in: reloaded
    // before that (a loaded machine), it came back with no token, or the last test's, and never showed this role.
    await role.waitFor({ timeout: 15_000 });
    await page.evaluate((key) => sessionStorage.removeItem(key), FILTER_KEY);
    await page.reload();
    await role.waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="shot-row"]').first().waitFor({ timeout: 15_000 });
  }

  /** Another dashboard's edit, over the API: the server pushes the shot, and the list is read again. */
  const editElsewhere = (id: number, body: Record<string, unknown>) => httpJson(`${server.url}/api/shots/${id}`, { method: 'PATCH', body, token: OPERATOR });

  test('long notes, many tags and long names stay inside the table; newest first, the running shot counting', async () => {
    await openShots();
    const box = await page.locator('[data-testid="shot-table"]').evaluate((table) => {
      const scroller = table.closest('.scroller')!;
      return { scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth };
    });
    assert.ok(box.scrollWidth <= box.clientWidth + 1, `the table fits its box: ${JSON.stringify(box)}`);
    const height = (id: number) => row(id).evaluate((r) => r.getBoundingClientRect().height);
    assert.ok((await height(ids['long-note']!)) < 120, `a long note is cut to a few lines (${await height(ids['long-note']!)} px)`);
    assert.equal(await row(ids['long-note']!).locator('.note-text').getAttribute('title'), LONG_NOTE, 'the whole note in the title');
    assert.ok((await height(ids['many-tags']!)) < 180, `twenty tags do not make a tower (${await height(ids['many-tags']!)} px)`);
    assert.equal((await row(ids['many-tags']!).locator('[data-testid="shot-more-tags"]').innerText()).trim(), '+16 more');
    assert.equal(await row(ids['many-tags']!).locator('.camera').getAttribute('title'), `${LONG_NAME} (cam-1)`);
    await row(ids['long-tag']!).locator('[data-testid="shot-edit"]').isVisible();
    const edit = await row(ids['long-tag']!).locator('[data-testid="shot-edit"]').boundingBox();
    assert.ok(edit && edit.x + edit.width <= 1400, 'Edit in sight beside a tag of 64 characters');

    const first = page.locator('[data-testid="shot-row"]').first();
    assert.equal(await first.getAttribute('data-shot-id'), String(ids.running));
    assert.equal((await first.locator('td.dur').innerText()).trim().length > 0, true);
    const before = await first.locator('td.dur').innerText();
    await page.waitForFunction((was) => document.querySelector('[data-testid="shot-row"] td.dur')?.textContent !== was, before, { timeout: 5000 });
    assert.equal((await first.locator('[data-testid="shot-running"]').innerText()).trim(), 'running');
  });

  test('the filters hold through live updates, another view and a reload; none matching says which; an export of nothing says so', async () => {
    await openShots();
    const scene = page.locator('[data-testid="shots-filter-scene"]');
    await scene.fill('11');
    await page.waitForFunction(() => document.querySelector('[data-testid="shots-summary"]')?.textContent?.includes('matching the filters'), null, { timeout: 15_000 });
    const scenes = () => page.locator('[data-testid="shot-row"] td.scene').allInnerTexts();
    assert.ok((await scenes()).every((s) => s.trim() === '11'));
    const count = (await scenes()).length;

    // A shot edited elsewhere: the list is read again, filtered as before.
    await editElsewhere(ids['plain-1']!, { note: 'read again' });
    await row(ids['plain-1']!).locator('td.note', { hasText: 'read again' }).waitFor({ timeout: 15_000 });
    assert.equal(await scene.inputValue(), '11');
    assert.ok((await scenes()).every((s) => s.trim() === '11'));

    // A look at the wall and back, then a reload: filtered as left.
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('w');
    await page.locator('[data-testid="shots-filter-scene"]').waitFor({ state: 'detached', timeout: 5000 });
    await page.keyboard.press('s');
    await page.locator('[data-testid="shot-row"]').first().waitFor({ timeout: 10_000 });
    assert.equal(await scene.inputValue(), '11', 'back from the wall');
    assert.equal((await scenes()).length, count);
    await page.reload();
    await page.locator('[data-testid="shot-row"]').first().waitFor({ timeout: 15_000 });
    assert.equal(await scene.inputValue(), '11', 'after a reload');
    assert.equal(new URL(page.url()).hash, '#shots');
    assert.ok((await scenes()).every((s) => s.trim() === '11'));

    await scene.fill('99');
    await page.locator('[data-testid="shots-empty"]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('[data-testid="shots-empty"]').innerText(), /^No shots of scene “99”\. Show every shot$/);
    let downloaded = false;
    page.once('download', () => (downloaded = true));
    await page.locator('[data-testid="export-csv"]').click();
    await page.locator('[data-testid="shots-export-error"]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('[data-testid="shots-export-error"]').innerText(), /^CSV: nothing to export, no shots of scene “99”\./);
    assert.equal(downloaded, false, 'no empty file');
    await page.locator('[data-testid="shots-filter-clear"]').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="shots-summary"]')?.textContent?.includes('matching'), null, { timeout: 15_000 });
    await page.locator('[data-testid="shots-export-error"] button').click();
  });

  test('a live update does not grey the Refresh button nor write "Loading…" on it', async () => {
    await openShots();
    await page.evaluate(() => {
      const button = document.querySelector('[data-testid="shots-refresh"]')!;
      const seen: string[] = [];
      (window as unknown as { refreshSeen: string[] }).refreshSeen = seen;
      new MutationObserver(() => seen.push(`${(button as HTMLButtonElement).disabled}:${button.textContent?.trim()}`)).observe(button, { attributes: true, childList: true, characterData: true, subtree: true });
    });
    await editElsewhere(ids['plain-2']!, { note: 'first push' });
    await row(ids['plain-2']!).locator('td.note', { hasText: 'first push' }).waitFor({ timeout: 15_000 });
    await editElsewhere(ids['plain-2']!, { note: 'second push' });
    await row(ids['plain-2']!).locator('td.note', { hasText: 'second push' }).waitFor({ timeout: 15_000 });
    const seen = await page.evaluate(() => (window as unknown as { refreshSeen: string[] }).refreshSeen);
    assert.deepEqual(seen.filter((s) => s.startsWith('true') || s.includes('Loading')), [], `the button while the list was read in the background: ${JSON.stringify(seen)}`);
  });

  test('the edit form says at the field what the server would refuse, and sends none of it', async () => {
    await openShots();
    const id = ids['plain-3']!;
    const patches: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(request.url());
    });
    await row(id).locator('[data-testid="shot-edit"]').click();
    const tags = row(id).locator('[data-testid="shot-tags-input"]');
    const note = row(id).locator('[data-testid="shot-note-input"]');
    await tags.fill(`Anna, ${'y'.repeat(MAX_NAME_LENGTH + 1)}`);
    const tagsProblem = row(id).locator('[data-testid="shot-tags-problem"]');
    await tagsProblem.waitFor({ timeout: 2000 });
    assert.match(await tagsProblem.innerText(), new RegExp(`a tag has at most ${MAX_NAME_LENGTH} characters`));
    assert.equal(await tags.getAttribute('aria-invalid'), 'true');
    await note.fill('n'.repeat(MAX_NOTE_LENGTH + 1));
    assert.match(await row(id).locator('[data-testid="shot-note-problem"]').innerText(), new RegExp(`at most ${MAX_NOTE_LENGTH} characters \\(this one has ${MAX_NOTE_LENGTH + 1}\\)`));
    await note.press('Enter');
    await page.waitForTimeout(500);
    assert.deepEqual(patches, [], 'nothing the server would refuse is sent');
    assert.equal(await row(id).locator('[data-testid="shot-tags-input"]').count(), 1, 'still editing');

    await tags.fill('Anna');
    await note.fill('wide for the cut');
    assert.equal(await row(id).locator('[data-testid="shot-tags-problem"], [data-testid="shot-note-problem"]').count(), 0);
    await note.press('Enter');
    await row(id).locator('td.note', { hasText: 'wide for the cut' }).waitFor({ timeout: 15_000 });
    assert.equal(patches.length, 1);
  });

  test('Enter, Esc (from a field or a menu) and Cancel close the edit and give the keyboard back to its Edit button', async () => {
    await openShots();
    const id = ids['plain-3']!;
    const tags = row(id).locator('[data-testid="shot-tags-input"]');
    await row(id).locator('[data-testid="shot-edit"]').click();
    await row(id).locator('[data-testid="shot-note-input"]').fill('wide for the cut, again');
    await row(id).locator('[data-testid="shot-note-input"]').press('Enter');
    await row(id).locator('td.note', { hasText: 'wide for the cut, again' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(300);
    assert.deepEqual(await focused(), { testid: 'shot-edit', shot: String(id) }, 'after Enter, the keyboard is on the Edit button of the row');

    await page.keyboard.press('Enter');
    await tags.waitFor({ timeout: 2000 });
    await page.keyboard.press('Escape');
    await tags.waitFor({ state: 'detached', timeout: 2000 });
    assert.deepEqual(await focused(), { testid: 'shot-edit', shot: String(id) }, 'after Esc');
    await page.keyboard.press('Enter');
    await row(id).locator('[data-testid="shot-scale-input"]').focus();
    await page.keyboard.press('Escape');
    await tags.waitFor({ state: 'detached', timeout: 2000 });
    assert.deepEqual(await focused(), { testid: 'shot-edit', shot: String(id) }, 'after Esc on the scale menu');
    await page.keyboard.press('Enter');
    await row(id).locator('[data-testid="shot-cancel"]').click();
    await tags.waitFor({ state: 'detached', timeout: 2000 });
    assert.deepEqual(await focused(), { testid: 'shot-edit', shot: String(id) }, 'after Cancel');
  });

  test('what is typed survives a live update of its row, and a change made elsewhere meanwhile is said', async () => {
    await openShots();
    const id = ids['plain-5']!;
    await row(id).locator('[data-testid="shot-edit"]').click();
    const note = row(id).locator('[data-testid="shot-note-input"]');
    await note.click();
    await note.pressSequentially('typed here');
    // Another dashboard tags the same shot: the row is drawn again from the server's copy.
    await editElsewhere(id, { tags: ['Ben'] });
    await row(id).locator('[data-testid="shot-changed-elsewhere"]').waitFor({ timeout: 15_000 });
    assert.match(await row(id).locator('[data-testid="shot-changed-elsewhere"]').innerText(), /Changed elsewhere since you opened this edit \(tags\)/);
    assert.equal(await note.inputValue(), 'typed here');
    assert.deepEqual(await focused(), { testid: 'shot-note-input', shot: String(id) }, 'the keyboard stays in the field');
    await row(id).locator('[data-testid="shot-cancel"]').click();
  });

  test('a note with line breaks keeps them through an edit of another field; Shift + Enter starts a new line, Enter saves', async () => {
    await openShots();
    const id = ids['plain-3']!;
    assert.equal((await editElsewhere(id, { note: 'Take 1: boom in frame\nTake 2: clean' })).status, 200);
    // Shown on two lines (innerText keeps the break only where it is rendered).
    await page.waitForFunction((shot) => document.querySelector<HTMLElement>(`[data-testid="shot-row"][data-shot-id="${shot}"] .note-text`)?.innerText === 'Take 1: boom in frame\nTake 2: clean', id, { timeout: 15_000 });
    await row(id).locator('[data-testid="shot-edit"]').click();
    const tags = row(id).locator('[data-testid="shot-tags-input"]');
    await tags.fill('Anna');
    await tags.press('Enter');
    await tags.waitFor({ state: 'detached', timeout: 15_000 });
    const saved = async () => ((await httpJson(`${server.url}/api/shots/${id}`, { token: OPERATOR })).body as ShotRecord).note;
    assert.equal(await saved(), 'Take 1: boom in frame\nTake 2: clean', 'the line break kept');
    await row(id).locator('[data-testid="shot-edit"]').click();
    const note = row(id).locator('[data-testid="shot-note-input"]');
    await note.press('End');
    await note.press('Control+End');
    await note.press('Shift+Enter');
    await note.pressSequentially('Take 3: soft');
    assert.equal(await row(id).locator('[data-testid="shot-note-input"]').count(), 1, 'Shift + Enter did not save');
    await note.press('Enter');
    await note.waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal(await saved(), 'Take 1: boom in frame\nTake 2: clean\nTake 3: soft');
  });

  test('Edit on another row does not drop changes not saved: the open edit stays and says so', async () => {
    await openShots();
    const id = ids['plain-5']!;
    const other = ids['plain-4']!;
    await row(id).locator('[data-testid="shot-edit"]').click();
    const note = row(id).locator('[data-testid="shot-note-input"]');
    await note.fill('typed here');
    await row(other).locator('[data-testid="shot-edit"]').click();
    await page.waitForTimeout(300);
    assert.equal(await note.inputValue(), 'typed here', 'what was typed is still there');
    assert.equal(await row(other).locator('[data-testid="shot-tags-input"]').count(), 0);
    await row(id).locator('[data-testid="shot-edit-blocked"]').waitFor({ timeout: 2000 });
    assert.match(await row(id).locator('[data-testid="shot-edit-blocked"]').innerText(), new RegExp(`Shot ${other} is not opened: this edit has changes not saved`));
    await row(id).locator('[data-testid="shot-cancel"]').click();
    await row(other).locator('[data-testid="shot-edit"]').click();
    await row(other).locator('[data-testid="shot-tags-input"]').waitFor({ timeout: 2000 });
    await page.keyboard.press('Escape');
  });

  test('a viewer is told why the shots cannot be edited here', async () => {
    await openShots(VIEWER);
    const why = page.locator('[data-testid="shots-read-only"]');
    await why.waitFor({ timeout: 5000 });
    assert.equal((await why.innerText()).trim(), "Editing a shot's scale, framing, tags and note needs an operator token; this page has a viewer token.");
    const edit = page.locator('[data-testid="shot-edit"]').first();
    assert.equal(await edit.isDisabled(), true);
    assert.equal(await edit.getAttribute('aria-describedby'), 'shots-read-only');
  });

  test('a save that timed out and answers after a later save of the shot has answered changes nothing: the row keeps the later one', { timeout: 60_000 }, async () => {
    await openShots();
    const id = ids['plain-3']!;
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let patches = 0;
    const url = `**/api/shots/${id}`;
    await page.route(url, async (route) => {
      if (route.request().method() !== 'PATCH' || ++patches > 1) return route.continue();
      // The server saves "a" at once; its reply reaches the page only after "b"'s, when the server holds "b".
      const response = await route.fetch();
      await firstHeld;
      await route.fulfill({ response });
    });
    try {
      const note = row(id).locator('[data-testid="shot-note-input"]');
      await row(id).locator('[data-testid="shot-edit"]').click();
      await note.fill('a');
      await row(id).locator('[data-testid="shot-save"]').click();
      await page.waitForFunction((shot) => /TIMEOUT/.test(document.querySelector(`[data-testid="shot-row"][data-shot-id="${shot}"] [data-testid="shot-error"]`)?.textContent ?? ''), id, { timeout: 20_000 });
      await note.fill('b');
      await row(id).locator('[data-testid="shot-save"]').click();
      await note.waitFor({ state: 'detached', timeout: 10_000 });
      await page.waitForFunction((shot) => document.querySelector(`[data-testid="shot-row"][data-shot-id="${shot}"] .note-text`)?.textContent?.trim() === 'b', id, { timeout: 10_000 });
      const late = page.waitForEvent('requestfinished', (request) => request.method() === 'PATCH');
      releaseFirst();
      await late;
      // The late reply's own then(): a few frames after its body is read.
      for (let i = 0; i < 5; i++) await page.evaluate(() => new Promise(requestAnimationFrame));
      assert.equal((await row(id).locator('.note-text').innerText()).trim(), 'b');
      assert.equal(server.shotLog!.shot(id).note, 'b', 'the server holds "b"');
    } finally {
      releaseFirst();
      await page.unroute(url);
    }
  });
});

describe('the shots view with the server frozen, then gone', () => {
  let browser: Browser;
  let child: ChildProcess | null = null;

  const kill = () => killServeProcess(child);

  before(async () => {
    ensureWebBuild();
    browser = await launchChromium();
  });

  after(async () => {
    await kill();
    await browser?.close();
  });

  test('not live, the running shot stopped; Save and export fail with their codes and keep what was typed; a save that timed out and then landed counts as saved; live again once the server is back', { timeout: 180_000 }, async () => {
    const dir = tempDir('shotscale-shots-view-states-');
    const config = path.join(dir, 'config.yaml');
    writeServeConfig(config, path.join(dir, 'data'), ['{ id: cam-a, analysisFps: 5, source: { kind: testsrc, pattern: testsrc2, width: 160, height: 120, fps: 10 } }'], await freePort());
    let served = await startServeProcess(config);
    child = served.child;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(`${served.url}/#shots`);
      const running = page.locator('[data-testid="shot-row"][data-status="open"]').first();
      await running.waitFor({ timeout: 60_000 });
      await page.locator('section.shots[data-live="yes"]').waitFor({ timeout: 5000 });
      const id = (await running.getAttribute('data-shot-id'))!;
      const row = page.locator(`[data-testid="shot-row"][data-shot-id="${id}"]`);
      await row.locator('[data-testid="shot-edit"]').click();
      const note = row.locator('[data-testid="shot-note-input"]');
      await note.fill('boom in frame');

      // Frozen: the socket stays up (its pings time out only after 45 s), the pushes stop.
      child.kill('SIGSTOP');
      try {
        await page.locator('section.shots[data-live="no"]').waitFor({ timeout: 15_000 });
        assert.match(await page.locator('[data-testid="shots-not-live"]').innerText(), /^Not live\. No word from the server for \d+ s: the shots are as of \S/);
        assert.equal((await row.locator('[data-testid="shot-running"]').innerText()).trim(), 'not live');
        const duration = await row.locator('[data-testid="shot-duration"]').innerText();
        await page.waitForTimeout(2200);
        assert.equal(await row.locator('[data-testid="shot-duration"]').innerText(), duration, 'the duration stops while not live');
        await row.locator('[data-testid="shot-save"]').click();
        const error = row.locator('[data-testid="shot-error"]');
        await error.waitFor({ timeout: 15_000 });
        assert.match(await error.innerText(), /^Not saved: TIMEOUT: the server did not answer the edit of shot \d+ within \d+ s .*What you typed is kept/);
        assert.equal(await note.inputValue(), 'boom in frame');
        assert.equal((await row.locator('[data-testid="shot-save"]').innerText()).trim(), 'Save', 'not "Saving…" for ever');
      } finally {
        child.kill('SIGCONT');
      }
      await page.locator('section.shots[data-live="yes"]').waitFor({ timeout: 15_000 });
      // The save that timed out reached the server once it woke: the row takes it, and the edit, nothing typed since, closes as a save does.
      await note.waitFor({ state: 'detached', timeout: 15_000 });
      assert.equal((await row.locator('.note-text').innerText()).trim(), 'boom in frame');
      await row.locator('[data-testid="shot-edit"]').click();
      await note.fill('boom in frame, soft');

      // Gone.
      await kill();
      await page.locator('[data-testid="connection-lost"]').waitFor({ timeout: 20_000 });
      await page.locator('section.shots[data-live="no"]').waitFor({ timeout: 5000 });
      assert.match(await page.locator('[data-testid="shots-not-live"]').innerText(), /^Not live\. Not connected to the server: the shots are as of \S/);
      await row.locator('[data-testid="shot-save"]').click();
      await page.waitForFunction(() => /NETWORK/.test(document.querySelector('[data-testid="shot-error"]')?.textContent ?? ''), null, { timeout: 10_000 });
      assert.match(await row.locator('[data-testid="shot-error"]').innerText(), /^Not saved: NETWORK: the server cannot be reached .*What you typed is kept/);
      assert.equal(await note.inputValue(), 'boom in frame, soft');
      await page.locator('[data-testid="export-csv"]').click();
      await page.locator('[data-testid="shots-export-error"]').waitFor({ timeout: 10_000 });
      assert.match(await page.locator('[data-testid="shots-export-error"]').innerText(), /^CSV not exported: NETWORK: the server cannot be reached/);

      // Back on the same port: live again without a reload, the edit still open.
      served = await startServeProcess(config);
      child = served.child;
      await page.locator('section.shots[data-live="yes"]').waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('[data-testid="shots-not-live"]').count(), 0);
      assert.equal(await note.inputValue(), 'boom in frame, soft');
      assert.equal(await row.locator('[data-testid="shot-changed-elsewhere"]').count(), 0, 'the late save is this edit\'s own, not news');
    } finally {
      await page.close();
      await kill();
    }
  });
});
