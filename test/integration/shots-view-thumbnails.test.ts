/**
 * The Shots view's thumbnail cell, in Chromium, against a real server on a
 * real shot log: a shot a kill -9 left open during a take (a full shot, 107
 * readouts) is closed at the next start with no thumbnail, and its cell read
 * "no picture", what the view says of a camera black (and filters on) though
 * its footage was fine. It says "no thumbnail" and why; a black shot still
 * says "no picture".
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { timecodeAtRate } from '../../server/shots/timecode.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { launchChromium } from '../support/browser.js';
import { tempDir } from '../support/media.js';
import { httpJson, startTestServer } from '../support/server-harness.js';
import { shotLog } from '../support/shot-records.js';
import { ensureWebBuild } from '../support/web-build.js';

const TOKEN = 'admin-token-shots-view-thumbnails-0123456789';

/** A data directory as a crash leaves it: a black shot closed, then a full shot still open (its close, and thumbnail, never written). */
function crashedLog(): { dir: string; black: number; crashed: number } {
  const dir = tempDir('shotscale-thumbnails-');
  const db = openDatabase(path.join(dir, DATABASE_FILE));
  try {
    const store = new ShotStore(db, timecodeAtRate);
    const shot = shotLog();
    const inTime = Date.now() - 10 * 60_000;
    const black = shot('MS', 10, { cameraId: 'cam-4', inTime, readouts: 0, noPicture: 'black', noPictureS: 10 });
    const blackId = store.add({ ...black, status: 'open' }, null);
    store.finish({ ...black, id: blackId }, null);
    const crashed = store.add({ ...shot('FS', 26.9, { cameraId: 'cam-4', readouts: 107, confidence: 0.56 }), status: 'open', cutOut: null }, null);
    return { dir, black: blackId, crashed };
  } finally {
    db.close();
  }
}

describe('the Shots view tells a shot with no thumbnail from a shot with no picture', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let ids: { black: number; crashed: number };

  before(async () => {
    ensureWebBuild();
    const log = crashedLog();
    ids = log;
    server = await startTestServer({
      server: { port: 7791, accessToken: TOKEN },
      shots: { dataDir: log.dir },
      cameras: [{ id: 'cam-4', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } }],
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a shot left open by a crash says "no thumbnail" and why; a black one says "no picture"', async () => {
    // The start closed the crash's shot as it closes any left open: cut out by the restart, no thumbnail.
    const listed = (await httpJson(`${server.url}/api/shots?camera=cam-4`, { token: TOKEN })).body as { shots: ShotRecord[] };
    const crashed = listed.shots.find((s) => s.id === ids.crashed)!;
    assert.deepEqual([crashed.status, crashed.cutOut, crashed.hasThumbnail, crashed.readouts], ['closed', 'restart', false, 107]);

    await page.goto(`${server.url}/?token=${TOKEN}#shots`);
    const cell = (id: number) => page.locator(`[data-testid="shot-row"][data-shot-id="${id}"] td.thumb span`);
    await cell(ids.crashed).waitFor({ timeout: 15_000 });
    assert.equal((await cell(ids.crashed).innerText()).trim(), 'no thumbnail');
    assert.match((await cell(ids.crashed).getAttribute('title')) ?? '', /closed by a restart without its thumbnail/);
    assert.equal((await cell(ids.black).innerText()).trim(), 'no picture');
    assert.match((await cell(ids.black).getAttribute('title')) ?? '', /^no picture \(black\) from cut to cut/);
  });
});
