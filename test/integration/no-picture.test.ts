/**
 * A camera that loses its picture (a converter with no signal, a capped
 * lens) and one whose picture freezes (a capture card holding its last
 * frame): real ffmpeg plays clips whose middle is black or frozen, through
 * the real model, smoother, shot log and alerts, into a real Socket.IO
 * client and the dashboard in Chromium. The black says "no picture" instead
 * of a scale, holds the label, raises an alert and is left out of its shot;
 * the frozen picture raises its own alert. Real film frames, the flattest of
 * the shared sets, are never taken for black.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { noPictureIn } from '../../server/analysis/picture-check.js';
import { videoFilter } from '../../server/ingest/ffmpeg-args.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Alert, ShotRecord } from '../../server/shared/shots.js';
import type { Readout } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { connectClient, httpJson, REPO_DIR, SHARED_DIR, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';

const ARTIFACTS = path.join(REPO_DIR, 'test-artifacts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 4 s of a moving pattern, 8 s of black, 4 s of pattern again, looped. */
function blackoutClip(dir: string): string {
  const out = path.join(dir, 'blackout.mp4');
  const part = (source: string) => ['-f', 'lavfi', '-i', `${source}:size=320x240:rate=25`];
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    ...part('testsrc2=duration=4'), ...part('color=c=black:duration=8'), ...part('testsrc2=duration=4'),
    '-filter_complex', '[0:v]trim=duration=4[a];[1:v]trim=duration=8[b];[2:v]trim=duration=4,setpts=PTS-STARTPTS[c];[a][b][c]concat=n=3:v=1[v]',
    '-map', '[v]', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/**
 * 4 s of a moving pattern, then its last frame held for 12 s, looped. Lossless, so the held frames decode identical, as
 * a capture card's held frame is (a lossy encoder refines a still picture frame after frame).
 */
function freezeClip(dir: string): string {
  const out = path.join(dir, 'freeze.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=duration=4:size=320x240:rate=25',
    '-vf', 'tpad=stop_mode=clone:stop_duration=12', '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

describe('a camera with no picture', () => {
  let server: RunningServer;
  let client: TestClient;
  const readouts: Readout[] = [];
  const frozenReadouts: Readout[] = [];
  const alerts: Alert[] = [];

  before(async () => {
    const dir = tempDir();
    server = await startTestServer({
      cameras: [
        { id: 'cam-b', name: 'Camera B', analysisFps: 5, source: { kind: 'file', path: blackoutClip(dir), loop: true, realtime: true } },
        { id: 'cam-f', name: 'Camera F', analysisFps: 5, source: { kind: 'file', path: freezeClip(dir), loop: true, realtime: true } },
      ],
      coverage: { alerts: { noPictureS: 2, frozenS: 3 } },
    });
    ({ client } = await connectClient(server.url));
    client.on('readout', (r) => {
      if (r.cameraId === 'cam-b') readouts.push(r);
      else frozenReadouts.push(r);
    });
    client.on('alert', (a) => alerts.push(a));
    await waitForStatus(client, (s) => s.cameraId === 'cam-b' && s.state === 'live', 20_000);
    await waitForStatus(client, (s) => s.cameraId === 'cam-f' && s.state === 'live', 20_000);
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('the black says no picture, holds the label the picture had, raises an alert and clears it when the picture returns', async () => {
    const deadline = Date.now() + 40_000;
    const resolved = () => alerts.some((a) => a.kind === 'no-picture' && a.resolvedAt !== null);
    while (!resolved() && Date.now() < deadline) await sleep(250);
    const raised = alerts.find((a) => a.kind === 'no-picture' && a.resolvedAt === null);
    assert.ok(!alerts.some((a) => a.kind === 'frozen' && a.cameraIds.includes('cam-b')), 'the black is no picture, not a frozen picture');
    assert.ok(raised, `a no-picture alert within 40 s; alerts: ${JSON.stringify(alerts.map((a) => a.key))}`);
    assert.deepEqual(raised.cameraIds, ['cam-b']);
    assert.match(raised.message, /^Camera B has sent a black picture for \d+ s: no signal, or a capped lens\?$/);
    assert.ok(resolved(), 'resolved when the pattern came back');

    const first = readouts.findIndex((r) => r.noPicture);
    assert.ok(first > 0, 'readouts with a picture, then without');
    const blank = readouts.slice(first).filter((r, i, all) => all.slice(0, i + 1).every((x) => x.noPicture));
    assert.ok(blank.length >= 20, `about 8 s of black at 5 fps, got ${blank.length} readouts`);
    for (const r of blank) {
      assert.equal(r.noPicture, 'black');
      assert.equal(r.reason, 'no picture (black)');
    }
    // The label of the last frame with a picture is held through the black: it does not follow what the model reads in it.
    const before = readouts[first - 1]!;
    assert.ok(blank.every((r) => r.label === before.label), `held ${before.label}: ${[...new Set(blank.map((r) => r.label))].join(', ')}`);
    assert.ok(readouts.slice(first + blank.length).some((r) => !r.noPicture), 'a picture again after the black');
  });

  test('the shot that spans the black takes its scale, reason and frame count from the frames with a picture', async () => {
    // The camera never cut (a flat frame is no shot of its own to the cut detector): one shot, its black left out.
    const shots = ((await httpJson(`${server.url}/api/shots?camera=cam-b`)).body as { shots: ShotRecord[] }).shots;
    const spanning = shots.find((s) => s.durationS > 11);
    assert.ok(spanning, `a shot over the 4 s of pattern and 8 s of black: ${JSON.stringify(shots.map((s) => [s.status, s.durationS, s.readouts]))}`);
    assert.doesNotMatch(spanning.reason ?? '', /no picture/);
    // Analysed at 5 fps, half the loop black: the readouts counted are about half the frames (all of them, before).
    const analysed = spanning.durationS * 5;
    assert.ok(spanning.readouts > 0.2 * analysed && spanning.readouts < 0.75 * analysed, `${spanning.readouts} readouts in ${spanning.durationS} s`);
    // Its black is timed, and counts in no scale: a whole spell of 8 s at least (to a readout), never the time its pictured readouts cover.
    assert.equal(spanning.noPicture, undefined, 'the shot had a picture');
    const blank = spanning.noPictureS ?? 0;
    assert.ok(blank >= 7.5 && blank <= spanning.durationS - spanning.readouts / 5 + 0.5, `${blank} s without a picture in ${spanning.durationS} s, ${spanning.readouts} readouts with one`);
    // Coverage counts it apart: a whole spell at least, and no more than the shots listed after it say (an open shot only grows).
    const coverage = (await httpJson(`${server.url}/api/coverage?camera=cam-b`)).body as { stats: { seconds: number; noPicture: { seconds: number } } };
    const later = ((await httpJson(`${server.url}/api/shots?camera=cam-b`)).body as { shots: ShotRecord[] }).shots;
    const logged = later.reduce((sum, s) => sum + (s.noPictureS ?? 0), 0);
    assert.ok(coverage.stats.noPicture.seconds >= 7.5 && coverage.stats.noPicture.seconds <= logged + 0.5, `${JSON.stringify(coverage.stats.noPicture)}; shots say ${logged} s`);
  });

  test('a take slated and ended in the black logs a shot with no picture from cut to cut: no scale in the log, the exports or the Shots table', async () => {
    // Wait for the black to begin again, slate a take on it, end the take 3 s later (of 8 s of black).
    const seen = readouts.length;
    const deadline = Date.now() + 30_000;
    const blackBegan = () => readouts.slice(Math.max(seen, 1)).some((r, i, all) => r.noPicture && !(i ? all[i - 1] : readouts[seen - 1])?.noPicture);
    while (!blackBegan() && Date.now() < deadline) await sleep(100);
    assert.ok(blackBegan(), 'the loop went black again');
    const started = await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { scene: '9', cameras: ['cam-b'] } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    await sleep(3000);
    // Three seconds into the black (noPictureS 2): the alert is active, and /metrics says of which kind.
    const metrics = (await httpJson(`${server.url}/metrics`)).body as string;
    assert.match(metrics, /^shotscale_alerts_active\{kind="no-picture"\} 1$/m, metrics.split('\n').filter((l) => l.startsWith('shotscale_alerts')).join('\n'));
    assert.match(metrics, /^shotscale_alerts_active\{kind="storage"\} 0$/m, 'every kind is there, 0 when none');
    assert.equal((await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: { cameras: ['cam-b'] } })).status, 200);
    let black: ShotRecord | undefined;
    for (const until = Date.now() + 15_000; !black && Date.now() < until; await sleep(250)) {
      const shots = ((await httpJson(`${server.url}/api/shots?camera=cam-b&scene=9`)).body as { shots: ShotRecord[] }).shots;
      black = shots.find((s) => s.status === 'closed');
    }
    assert.ok(black, 'the take\'s shot closed');
    assert.deepEqual([black.noPicture, black.readouts, black.reason, black.noPictureS], ['black', 0, 'no picture (black) throughout', black.durationS]);
    const coverage = (await httpJson(`${server.url}/api/coverage?camera=cam-b&scene=9`)).body as { stats: { shots: number; seconds: number; noPicture: { count: number; seconds: number } } };
    assert.deepEqual([coverage.stats.shots, coverage.stats.seconds, coverage.stats.noPicture.count], [0, 0, 1]);
    const csv = await (await fetch(`${server.url}/api/shots?camera=cam-b&scene=9&format=csv`)).text();
    assert.match(csv.split('\r\n')[1] ?? '', /,black,\d+(\.\d+)?,/, csv);
    const edl = await (await fetch(`${server.url}/api/shots?camera=cam-b&scene=9&format=edl`)).text();
    assert.match(edl, /\* LOC: \S+ BLACK +BLACK/);

    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(server.url);
      await page.keyboard.press('s');
      const row = page.locator(`[data-testid="shot-row"][data-shot-id="${black.id}"]`);
      await row.waitFor({ timeout: 15_000 });
      assert.equal((await row.locator('[data-testid="shot-no-picture"]').textContent())?.trim(), 'no picture (black)');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'no-picture-shots.png') });
      // An operator who saw a picture there gives it a scale: the select starts at none, and the scale chosen counts.
      await row.locator('[data-testid="shot-edit"]').click();
      const select = row.locator('[data-testid="shot-scale-input"]');
      assert.equal(await select.inputValue(), '');
      await select.selectOption(black.scale);
      await row.locator('[data-testid="shot-save"]').click();
      await row.locator('[data-testid="scale-by-operator"]').waitFor({ timeout: 10_000 });
      assert.equal(await row.locator('[data-testid="shot-no-picture"]').count(), 0);
      const set = ((await httpJson(`${server.url}/api/shots?camera=cam-b&scene=9`)).body as { shots: ShotRecord[] }).shots.find((s) => s.id === black.id)!;
      assert.deepEqual([set.scale, set.noPicture], [black.scale, 'black'], 'the flag stays; the operator\'s scale counts (shotWithoutPicture)');
      // Set by an operator, with no classifier scale beside it: the one it carried over from the shot before was never read.
      assert.ok('classifierScale' in set && set.classifierScale === null, JSON.stringify(set.classifierScale));
      const setCsv = (await (await fetch(`${server.url}/api/shots?camera=cam-b&scene=9&format=csv`)).text()).split('\r\n');
      const cells = Object.fromEntries(setCsv[0]!.split(',').map((name, i) => [name, setCsv[1]!.split(',')[i]]));
      assert.deepEqual([cells.scale, cells.scale_set_by, cells.classifier_scale, cells.confidence], [black.scale, 'operator', '', '']);
    } finally {
      await browser?.close();
    }
  });

  test('a picture held still raises a frozen alert from its first held frame, resolved when it moves again', async () => {
    const deadline = Date.now() + 40_000;
    const frozen = (resolved: boolean) => alerts.find((a) => a.kind === 'frozen' && a.cameraIds.includes('cam-f') && (a.resolvedAt !== null) === resolved);
    while (!frozen(true) && Date.now() < deadline) await sleep(250);
    const raised = frozen(false);
    assert.ok(raised, `a frozen alert within 40 s; alerts: ${JSON.stringify(alerts.map((a) => a.key))}; held readouts ${frozenReadouts.filter((r) => r.stillSince !== undefined).length} of ${frozenReadouts.length}`);
    assert.match(raised.message, /^The picture of Camera F has not changed for \d+ s: a frozen feed, or a still picture \(bars, a slate\)\?$/);
    assert.ok(frozen(true), 'resolved when the loop starts the pattern again');
    // The held frames say since when: the first held frame, within a frame or two of the 4 s of pattern.
    const held = frozenReadouts.filter((r) => r.stillSince !== undefined);
    assert.ok(held.length >= 15, `held readouts: ${held.length}`);
    const moving = frozenReadouts.filter((r) => r.stillSince === undefined);
    assert.ok(moving.length >= 10, 'the pattern moves before the freeze');
    assert.ok(raised.since === held[0]!.stillSince || Math.abs(raised.since - held[0]!.stillSince!) < 1000);
  });

  test('the wall shows "no picture" in place of the scale, and how long a frozen picture has not changed', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(server.url);
      // The tile as drawn at one moment: the loop goes on (8 s of black, 8 of pattern), and reads one after another,
      // begun late in the black, read the pattern's tile for some of them.
      const tileNow = (black: boolean) =>
        page
          .waitForFunction((wanted) => {
            const tile = document.querySelector('[data-camera-id="cam-b"]');
            const scale = tile?.querySelector('.scale');
            if (!tile || !scale || scale.getAttribute('data-no-picture') !== (wanted ? 'black' : null)) return null;
            // No helper function in here: the test runner's transform names functions with a helper the page lacks.
            const [label, confidence, why] = ['.scale .label', '.scale .confidence', '.why'].map((selector) => tile.querySelector(selector)?.textContent?.trim() ?? null);
            return { label, confidence, why: why ?? '', corrections: tile.querySelectorAll('[data-testid="tile-correct"]').length };
          }, black, { timeout: black ? 40_000 : 20_000 })
          // Resolved only on a tile drawn so, never null.
          .then(async (shown) => (await shown.jsonValue())!);
      const black = await tileNow(true);
      assert.equal(black.label, 'no picture');
      assert.equal(black.confidence, '');
      assert.match(black.why, /no picture \(black\)/);
      // A black frame is nothing to label: the tile offers no correction while it lasts.
      assert.equal(black.corrections, 0);
      await page.screenshot({ path: path.join(tempDir(), 'no-picture.png') });
      // And the scale again when the pattern returns.
      assert.notEqual((await tileNow(false)).label, 'no picture');
      // The frozen camera's tile says how long its picture has not changed, beside its reason.
      const frozen = page.locator('[data-camera-id="cam-f"] [data-testid="tile-frozen"]');
      await frozen.waitFor({ timeout: 30_000 });
      assert.match((await frozen.textContent()) ?? '', /^picture unchanged for \d+ s$/);
    } finally {
      await browser?.close();
    }
  });
});

describe('real pictures are never no picture', () => {
  test('the flattest film frames of the shared sets (night scenes, luma mean 5-42) have a picture', () => {
    // The six frames with the least luma spread in CinemaNet and HOHA, at the model's 320x192.
    const files = ['cinemanet/img/cn_0564.jpg', 'cinemanet/img/cn_1117.jpg', 'cinemanet/img/cn_0321.jpg', 'hoha/img/hh_0415.jpg', 'hoha/img/hh_0237.jpg', 'hoha/img/hh_0484.jpg'];
    for (const file of files) {
      const data = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path.join(SHARED_DIR, 'evalset', file), '-vf', 'scale=320:192', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
      assert.equal(data.length, 320 * 192 * 3);
      assert.equal(noPictureIn({ data: new Uint8Array(data), width: 320, height: 192 }), null, file);
    }
  });

  test('nor inside the letterbox the pipeline pads them with: only the bars are left out, never the dark picture beside them', () => {
    const files = ['cinemanet/img/cn_0564.jpg', 'cinemanet/img/cn_1117.jpg', 'cinemanet/img/cn_0321.jpg', 'hoha/img/hh_0415.jpg', 'hoha/img/hh_0237.jpg', 'hoha/img/hh_0484.jpg'];
    const filter = videoFilter({ width: 320, height: 192, fps: null, resize: 'letterbox' });
    for (const file of files) {
      const data = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path.join(SHARED_DIR, 'evalset', file), '-vf', filter, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
      assert.equal(data.length, 320 * 192 * 3);
      assert.equal(noPictureIn({ data: new Uint8Array(data), width: 320, height: 192 }), null, file);
    }
  });
});
