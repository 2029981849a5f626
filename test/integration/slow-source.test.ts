/**
 * A camera slower than its analysis rate, beside one at a normal rate, on a
 * real server with real ffmpeg: the slow one is received at its own rate,
 * none of its frames counted dropped (ffmpeg's fps filter repeats each of its
 * frames to fill the analysis rate, in one burst when the next arrives: those
 * repeats are no frames of the source), and analysed no faster than it
 * delivers pictures. The times of both cameras' shots never run ahead of the
 * clock: not while a shot is open, not when a removed camera's shot closes,
 * and the log keeps the in time the shot was told with.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { launchChromium } from '../support/browser.js';
import { ensureWebBuild } from '../support/web-build.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';

/** One frame at the 25 fps timecode rate: a shot ends after its last frame. */
const FRAME_MS = 40;
/** Delivery from the tracker to this client (same machine). */
const SLACK_MS = 30;
/**
 * How late the frames that anchor a session may be read on a busy event loop
 * (the first burst, while the server and ffmpeg start), beside later frames read
 * promptly: an open shot's out time is ahead of their arrival by that much. A
 * shot anchored on the wrong frame runs a second or more ahead.
 */
const ANCHOR_JITTER_MS = 100;

const slow = { id: 'slow', analysisFps: 5, source: { kind: 'testsrc', pattern: 'testsrc2', width: 320, height: 240, fps: 1 } };

function metric(text: string, name: string, labels: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

describe('a source slower than its analysis rate', () => {
  let server: RunningServer;
  let client: TestClient;
  let browser: Browser | undefined;
  const shots: ShotRecord[] = [];

  before(async () => {
    ensureWebBuild();
    server = await startTestServer({ cameras: [slow, testsrcCamera('normal')] });
    client = (await connectClient(server.url)).client;
    client.on('shot', (shot) => shots.push(shot));
  });

  after(async () => {
    await browser?.close();
    client?.close();
    await server?.close();
  });

  async function status(id: string): Promise<CameraStatus> {
    const current = server.cameras.get(id).status();
    return current.state === 'live' ? current : waitForStatus(client, (s) => s.cameraId === id && s.state === 'live', 20_000);
  }

  test('it is received at its own rate, nothing counted dropped, analysed once per picture; the normal camera as before', async () => {
    await status('slow');
    await status('normal');
    await collectReadouts(client, 6, (r) => r.cameraId === 'slow', 20_000);
    const slowNow = server.cameras.get('slow').status();
    const normalNow = server.cameras.get('normal').status();
    assert.ok(slowNow.measuredFps > 0.7 && slowNow.measuredFps < 1.3, `slow camera received at ${slowNow.measuredFps} fps, its source sends 1`);
    assert.equal(slowNow.framesDropped, 0, 'no frame of the slow camera dropped');
    const liveS = (Date.now() - slowNow.since) / 1000;
    assert.ok(slowNow.framesIn <= liveS + 2, `${slowNow.framesIn} frames in over ${liveS.toFixed(1)} s of a 1 fps source`);
    assert.ok(normalNow.measuredFps > 4 && normalNow.measuredFps < 6, `normal camera received at ${normalNow.measuredFps} fps of 5`);

    const metrics = (await httpJson(`${server.url}/metrics`)).body as string;
    const into = metric(metrics, 'shotscale_frames_in_total', 'camera="slow"');
    const analysed = metric(metrics, 'shotscale_frames_analysed_total', 'camera="slow"');
    assert.equal(metric(metrics, 'shotscale_frames_dropped_total', 'camera="slow"'), 0, 'no drop of any reason in /metrics');
    assert.ok(into >= 6 && into <= liveS + 2, `frames in ${into} over ${liveS.toFixed(1)} s`);
    assert.ok(analysed <= into, `analysed ${analysed}, no more than the ${into} pictures received`);
  });

  test('the Health view finds nothing wrong with it: no frames dropped, no rate below what it asked for', async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.locator('[data-testid="role"]').waitFor({ timeout: 15_000 });
    await page.keyboard.press('h');
    const row = page.locator('[data-testid="health-row"][data-camera-id="slow"]');
    await row.waitFor({ timeout: 15_000 });
    // Two status pushes (every 2 s): the figures of a camera live for a while, not of its first frame.
    await page.waitForTimeout(4500);
    const text = await row.innerText();
    assert.equal(await row.getAttribute('data-level'), 'ok', `the slow camera's row: ${text}`);
    assert.match(text, /\b(0\.[89]|1\.[0-2]) \/ 5(\.0)? fps/, 'received about 1 fps of the 5 asked');
    assert.doesNotMatch(text, /dropped|receiving/);
    await page.close();
  });

  test('an open shot never ends after the frames that came in, at either rate', async () => {
    for (let poll = 0; poll < 6; poll++) {
      const before = Date.now();
      const listed = ((await httpJson(`${server.url}/api/shots?status=open`)).body as { shots: ShotRecord[] }).shots;
      const after = Date.now();
      for (const id of ['slow', 'normal']) {
        const open = listed.find((s) => s.cameraId === id && s.status === 'open');
        assert.ok(open, `camera ${id} has an open shot`);
        assert.ok(open.outTime <= after + FRAME_MS + ANCHOR_JITTER_MS, `camera ${id}: open shot ends ${open.outTime - before} ms after the poll began`);
        assert.ok(open.inTime <= open.outTime);
      }
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
  });

  test('a removed camera closes its shot at its last frame, not after it stopped', async () => {
    const closed = new Promise<ShotRecord>((resolve) => client.on('shot', (s) => s.cameraId === 'slow' && s.status === 'closed' && resolve(s)));
    const removing = Date.now();
    const res = await httpJson(`${server.url}/api/cameras/slow`, { method: 'DELETE' });
    const removed = Date.now();
    assert.equal(res.status, 204);
    const shot = await closed;
    assert.ok(shot.outTime <= removed + FRAME_MS + SLACK_MS, `the last shot closes ${shot.outTime - removing} ms after the removal was asked for (done ${removed - removing} ms later)`);
    // The log has the times the shot was told with: its in time, written when it opened, too.
    const logged = ((await httpJson(`${server.url}/api/shots?camera=slow`)).body as { shots: ShotRecord[] }).shots.find((s) => s.id === shot.id);
    assert.ok(logged, 'the closed shot is in the log');
    assert.ok(Math.abs(logged.inTime - shot.inTime) <= FRAME_MS, `logged in time ${logged.inTime - shot.inTime} ms from the one told`);
    assert.equal(logged.outTime, shot.outTime);
  });
});
