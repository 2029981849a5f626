/**
 * The Coverage view's plan editor in a real browser, two dashboards on one
 * server as two script supervisors: a change by one reaches the other's open
 * editor (reloaded when untouched, a plain conflict with both versions when
 * it has edits, nothing lost until the operator chooses); deleting a plan
 * confirms it and opens no new editor; a config file's plan offers no delete;
 * Esc closes the editor and focus goes back to the scene's plan button;
 * opened from the keyboard, the editor takes it (Esc did nothing: the focus
 * stayed on the button, outside the editor), and Esc on that button closes it;
 * unsaved edits survive a switch of views and are discarded only on request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { ensureWebBuild } from '../support/web-build.js';

describe('plan editor', () => {
  let server: RunningServer;
  let browser: Browser;
  let a: Page;
  let b: Page;

  const card = (page: Page, scene: string) => page.locator(`[data-testid="scene-card"][data-scene="${scene}"]`);
  const editor = (page: Page, scene: string) => page.locator(`[data-testid="plan-editor"][data-scene="${scene}"]`);
  const openEditor = async (page: Page, scene: string) => {
    await card(page, scene).locator('[data-testid="plan-edit"]').click();
    await editor(page, scene).locator('[data-testid="plan-row"]').first().waitFor({ timeout: 5000 });
  };
  const rows = (page: Page, scene: string) => editor(page, scene).locator('[data-testid="plan-row"]');
  const openCoverage = async (page: Page) => {
    await page.goto(server.url);
    await page.click('nav [data-view="coverage"]');
  };

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ coverage: { plans: [{ scene: '12', items: [{ id: 'master', scale: 'WS+' }] }] } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    a = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    b = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("two editors of one plan: B's edits meet A's save as a conflict showing A's version; nothing is lost until B chooses", async () => {
    const put = await httpJson(`${server.url}/api/plans/59`, { method: 'PUT', body: { items: [{ id: 'master', scale: 'WS+' }, { id: 'ms', scale: 'MS' }, { id: 'cu', scale: 'CU-' }] } });
    assert.equal(put.status, 200);
    await openCoverage(a);
    await openCoverage(b);
    await openEditor(a, '59');
    await openEditor(b, '59');
    // B starts relabelling the master; A adds an item and saves.
    await editor(b, '59').locator('[data-testid="plan-label"]').first().fill('Master, wide');
    await editor(a, '59').locator('[data-testid="plan-add-row"]').click();
    await rows(a, '59').nth(3).locator('[data-testid="plan-scale"]').fill('MCU..MS');
    await editor(a, '59').locator('[data-testid="plan-save"]').click();
    await editor(a, '59').locator('[data-testid="plan-notice"]', { hasText: 'Saved the plan of scene 59 (4 items)' }).waitFor({ timeout: 15_000 });

    const conflict = editor(b, '59').locator('[data-testid="plan-conflict"]');
    await conflict.waitFor({ timeout: 15_000 });
    assert.match(await conflict.innerText(), /Someone else changed the plan of scene 59/);
    assert.match(await conflict.locator('[data-testid="plan-conflict-theirs"]').innerText(), /4 items/);
    assert.equal(await editor(b, '59').locator('[data-testid="plan-label"]').first().inputValue(), 'Master, wide', "B's typing is kept");
    assert.equal(await rows(b, '59').count(), 3);

    // B saves theirs over A's, knowingly; A's untouched editor follows.
    await conflict.locator('[data-testid="plan-conflict-overwrite"]').click();
    await editor(b, '59').locator('[data-testid="plan-notice"]', { hasText: 'Saved the plan of scene 59 (3 items)' }).waitFor({ timeout: 15_000 });
    await editor(a, '59').locator('[data-testid="plan-notice"]', { hasText: 'changed by someone else' }).waitFor({ timeout: 15_000 });
    assert.equal(await rows(a, '59').count(), 3);
    assert.equal(await editor(a, '59').locator('[data-testid="plan-label"]').first().inputValue(), 'Master, wide');

    // A edits again, B changes the plan again: A loads B's version when A chooses to.
    await editor(a, '59').locator('[data-testid="plan-tag"]').first().fill('Anna');
    const latest = (await httpJson(`${server.url}/api/plans/59`)).body as { revision: number };
    const headers = { 'content-type': 'application/json', 'if-match': `"${latest.revision}"` };
    const response = await fetch(`${server.url}/api/plans/59`, { method: 'PUT', headers, body: JSON.stringify({ items: [{ id: 'master', scale: 'WS+' }, { id: 'ms', scale: 'MS' }] }) });
    assert.equal(response.status, 200);
    const conflictA = editor(a, '59').locator('[data-testid="plan-conflict"]');
    await conflictA.waitFor({ timeout: 15_000 });
    await conflictA.locator('[data-testid="plan-conflict-reload"]').click();
    assert.equal(await rows(a, '59').count(), 2);
    assert.equal(await conflictA.count(), 0);
  });

  test('deleting a plan of a scene without shots confirms it and opens no new editor; other dashboards drop it too', async () => {
    await editor(a, '59').locator('[data-testid="plan-delete"]').click();
    await editor(a, '59').locator('[data-testid="plan-delete"]').click();
    await a.locator('[data-testid="plan-view-notice"]', { hasText: 'Deleted the plan of scene 59.' }).waitFor({ timeout: 15_000 });
    await card(a, '59').waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal(await a.locator('[data-testid="plan-editor"]').count(), 0, 'no "(new)" editor pops up');
    assert.equal(await a.locator('[data-testid="plan-view-notice"]').innerText(), 'Deleted the plan of scene 59.');
    // B's untouched editor closes, saying why, and the card goes without a reload.
    await b.locator('[data-testid="plan-view-notice"]', { hasText: 'deleted by someone else' }).waitFor({ timeout: 15_000 });
    await card(b, '59').waitFor({ state: 'detached', timeout: 15_000 });
  });

  test("a config file's plan offers no delete and says where it is changed", async () => {
    await openEditor(a, '12');
    await editor(a, '12').locator('[data-testid="plan-config-note"]').waitFor();
    assert.match(await editor(a, '12').locator('[data-testid="plan-config-note"]').innerText(), /cannot be deleted here \(edit the config file/);
    assert.equal(await editor(a, '12').locator('[data-testid="plan-delete"]').count(), 0);
  });

  test('Esc closes the editor and focus returns to the scene\'s plan button; unsaved edits survive a switch of views', async () => {
    await editor(a, '12').locator('[data-testid="plan-label"]').first().focus();
    await a.keyboard.press('Escape');
    await editor(a, '12').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await a.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid), 'plan-edit');
    assert.equal(await a.evaluate(() => document.activeElement?.closest<HTMLElement>('[data-testid="scene-card"]')?.dataset.scene), '12');

    await openEditor(a, '12');
    await editor(a, '12').locator('[data-testid="plan-label"]').first().fill('Wide master');
    await a.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await a.keyboard.press('w');
    await editor(a, '12').waitFor({ state: 'detached', timeout: 5000 });
    await a.keyboard.press('c');
    await editor(a, '12').locator('[data-testid="plan-notice"]', { hasText: 'unsaved edits were kept' }).waitFor({ timeout: 5000 });
    assert.equal(await editor(a, '12').locator('[data-testid="plan-label"]').first().inputValue(), 'Wide master');

    // With edits, Esc asks first; a second Esc discards them.
    await editor(a, '12').locator('[data-testid="plan-label"]').first().focus();
    await a.keyboard.press('Escape');
    await editor(a, '12').locator('[data-testid="plan-close-confirm"]').waitFor();
    await a.keyboard.press('Escape');
    await editor(a, '12').waitFor({ state: 'detached', timeout: 5000 });
    await openEditor(a, '12');
    assert.equal(await editor(a, '12').locator('[data-testid="plan-label"]').first().inputValue(), '');
  });

  test('from the keyboard: Enter on Edit plan puts the keyboard on its first field; Esc there, or back on the button, closes it and leaves the keyboard on the button', async () => {
    const toggle = card(a, '12').locator('[data-testid="plan-edit"]');
    const active = () => a.evaluate(() => ({ testid: document.activeElement?.getAttribute('data-testid'), label: document.activeElement?.getAttribute('aria-label'), text: document.activeElement?.textContent?.trim(), scene: document.activeElement?.closest<HTMLElement>('[data-testid="scene-card"]')?.dataset.scene }));
    if (await editor(a, '12').count()) {
      await toggle.click();
      await editor(a, '12').waitFor({ state: 'detached', timeout: 5000 });
    }
    await toggle.focus();
    await a.keyboard.press('Enter');
    await a.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'plan-id', null, { timeout: 5000 });
    assert.deepEqual(await active(), { testid: 'plan-id', label: 'id of item 1', text: '', scene: '12' });
    await a.keyboard.press('Escape');
    await editor(a, '12').waitFor({ state: 'detached', timeout: 5000 });
    assert.deepEqual(await active(), { testid: 'plan-edit', label: null, text: 'Edit plan', scene: '12' });

    // Opened again and edited, back on the button with Shift+Tab: Esc there asks first, as in the editor, then closes it.
    await a.keyboard.press('Enter');
    await a.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'plan-id', null, { timeout: 5000 });
    await a.keyboard.press('End');
    await a.keyboard.type('-wide');
    for (let i = 0; i < 12 && (await active()).testid !== 'plan-edit'; i++) await a.keyboard.press('Shift+Tab');
    assert.deepEqual(await active(), { testid: 'plan-edit', label: null, text: 'Close editor', scene: '12' });
    await a.keyboard.press('Escape');
    await editor(a, '12').locator('[data-testid="plan-close-confirm"]').waitFor({ timeout: 5000 });
    assert.equal((await active()).testid, 'plan-edit');
    await a.keyboard.press('Escape');
    await editor(a, '12').waitFor({ state: 'detached', timeout: 5000 });
    assert.deepEqual(await active(), { testid: 'plan-edit', label: null, text: 'Edit plan', scene: '12' });
  });
});
