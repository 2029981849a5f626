/**
 * A still picture (a slate, a test card) as a file camera. Looped as a
 * video, one JPEG gave no frame at all: ffmpeg exited 0 at once and the
 * camera restarted forever, saying only "ffmpeg exited with code 0", and
 * each attempt logged a shot of no analysed frame as ECU. Real ffmpeg and the
 * real server: a .jpg is shown as a picture, analysed at the camera's rate;
 * a file ffmpeg reads to its end with no picture is failed once, with a coded
 * reason naming it, and is not restarted.
 */
import { copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { collectReadouts, connectClient, httpJson, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a still image as a file camera', () => {
  let server: RunningServer;
  let client: TestClient;
  let jpeg: string;
  let stereo: string;

  before(async () => {
    const dir = tempDir();
    jpeg = path.join(dir, 'still720.jpg');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720', '-frames:v', '1', jpeg]);
    // A stereo pair (.jps): ffmpeg's image demuxer knows the name, yet as a looped video it gives no frame.
    stereo = path.join(dir, 'pair.jps');
    copyFileSync(jpeg, stereo);
    server = await startTestServer({ cameras: [] });
    ({ client } = await connectClient(server.url));
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('a JPEG is shown as a picture: live, analysed at the camera rate, never restarted, its shot read from its frames', async () => {
    const live = waitForStatus(client, (s) => s.cameraId === 'jpg' && s.state === 'live', 20_000);
    const added = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'jpg', analysisFps: 5, source: { kind: 'file', path: jpeg, loop: true, realtime: true } } });
    assert.ok(added.status < 300, JSON.stringify(added.body));
    await live;
    await collectReadouts(client, 10, (r) => r.cameraId === 'jpg', 20_000);
    await sleep(2000);
    const status = server.cameras.get('jpg').status();
    assert.equal(status.state, 'live', status.lastError ?? '');
    assert.equal(status.errorCode, null);
    assert.equal(status.reconnects, 0);
    assert.ok(status.measuredFps > 3 && status.measuredFps < 7, `about 5 fps: ${status.measuredFps}`);
    const { body } = await httpJson(`${server.url}/api/shots?camera=jpg`);
    const shots = (body as { shots: ShotRecord[] }).shots;
    assert.equal(shots.length, 1, JSON.stringify(shots.map((s) => [s.status, s.durationS, s.readouts])));
    assert.ok(shots[0]!.readouts > 0, 'the shot is read from its own frames');
  });

  test('a file read to its end without one picture is failed once, with a coded reason naming it, and not restarted', async () => {
    const failed = waitForStatus(client, (s) => s.cameraId === 'pair' && s.state === 'failed', 20_000);
    const added = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'pair', analysisFps: 5, source: { kind: 'file', path: stereo, loop: true, realtime: true } } });
    assert.ok(added.status < 300, JSON.stringify(added.body));
    const status: CameraStatus = await failed;
    assert.equal(status.errorCode, 'SOURCE_NOT_VIDEO');
    assert.ok(status.lastError?.startsWith(`${stereo}: ffmpeg read the file to its end and decoded no picture`), status.lastError ?? '');
    // Not restarted: a file reads the same way again.
    await sleep(3000);
    const later = server.cameras.get('pair').status();
    assert.equal(later.state, 'failed');
    assert.equal(later.reconnects, 0);
    const { body } = await httpJson(`${server.url}/api/shots?camera=pair`);
    const shots = (body as { shots: ShotRecord[] }).shots;
    assert.ok(shots.length <= 1, `one attempt, at most one shot: ${shots.length}`);
  });
});
