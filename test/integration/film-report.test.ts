/**
 * The film report of `shotscale log` on real footage (the shared montage of
 * nine clips, eleven hard cuts): report.html is written beside the exports,
 * opens in Chromium from disk with no console errors and no requests beyond
 * the file itself, and shows one row and one strip segment per shot of the
 * log, with their timecodes. A screenshot is kept as a test artefact.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

const MONTAGE = path.join(SHARED_DIR, 'fixtures', 'clips', 'montage_cc_pd_segments_640x360.mp4');
const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');

describe('film report', () => {
  let out: string;
  let stdout: string;
  let browser: Browser;

  before(async () => {
    out = tempDir();
    const run = await runCli(['log', MONTAGE, '--out', out], { timeoutMs: 180_000 });
    assert.equal(run.code, 0, run.stderr);
    stdout = run.stdout;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  test('report.html is in the output of shotscale log, and said so', () => {
    assert.ok(existsSync(path.join(out, 'report.html')));
    assert.match(stdout, /written to .*report\.html/);
  });

  test('opens in Chromium from disk: a row and a strip segment per shot, no console errors, nothing fetched', async () => {
    const shots = (JSON.parse(readFileSync(path.join(out, 'montage_cc_pd_segments_640x360.json'), 'utf8')) as { shots: { tcIn: string; scale: string }[] }).shots;
    assert.ok(shots.length >= 10, `${shots.length} shots`);
    const page = await browser.newPage({ viewport: { width: 1120, height: 1400 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const url = `file://${path.join(out, 'report.html')}`;
    await page.goto(url);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((r) => r !== url && !r.startsWith('data:')), [], 'self-contained');
    assert.equal(await page.locator('tbody tr').count(), shots.length);
    assert.equal(await page.locator('svg rect.shot').count(), shots.length);
    const firstRow = await page.locator('tbody tr').first().innerText();
    assert.ok(firstRow.includes(shots[0]!.tcIn) && firstRow.includes(shots[0]!.scale), firstRow);
    // Thumbnails are embedded and decode.
    const loaded = await page.locator('tbody img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length);
    assert.ok(loaded >= shots.length - 1, `${loaded} thumbnails shown`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'film-report.png');
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(statSync(file).size > 50_000);
    // Printable: the print layout keeps every row.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('tbody tr').count(), shots.length);
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 20_000);
    await page.close();
  });
});
