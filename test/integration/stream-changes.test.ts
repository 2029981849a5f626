/**
 * A feed that changes under the camera, with real ffmpeg: the picture size
 * and aspect ratio change mid-stream (an encoder reconfigured on air), and a
 * picture that freezes (the same frame over and over). Neither is a failure:
 * the camera stays live on one ffmpeg, every frame is analysed at its size,
 * a change of picture is a cut where the picture changes, and a frozen
 * picture is one shot, not a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { connectClient, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';

const dir = tempDir('shotscale-stream-changes-');

/** 3 s of each picture, MPEG-TS with timestamps that run on: 640x360, then portrait 240x320, then 1280x240. */
function resizingStream(): string {
  const parts = [
    ['testsrc2=size=640x360:rate=25', 0],
    ['smptebars=size=240x320:rate=25', 3],
    ['mandelbrot=size=1280x240:rate=25', 6],
  ] as const;
  const chunks = parts.map(([graph, offset], i) => {
    const out = path.join(dir, `part${i}.ts`);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', graph, '-t', '3', '-c:v', 'mpeg2video', '-q:v', '5', '-output_ts_offset', String(offset), '-f', 'mpegts', out]);
    return readFileSync(out);
  });
  const file = path.join(dir, 'resizing.ts');
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** 1 s of moving picture, then the last frame repeated for 5 s. */
function freezingClip(): string {
  const file = path.join(dir, 'freezing.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25,trim=duration=1,tpad=stop_duration=5:stop_mode=clone', '-pix_fmt', 'yuv420p', file]);
  return file;
}

describe('a feed that changes under the camera', () => {
  let server: RunningServer;
  let client: TestClient;
  const shots: ShotRecord[] = [];
  const statuses: CameraStatus[] = [];

  before(async () => {
    const resizing = resizingStream();
    const freezing = freezingClip();
    server = await startTestServer({
      cameras: [
        { id: 'resizing', analysisFps: 5, source: { kind: 'file', path: resizing, loop: false, realtime: true } },
        { id: 'freezing', analysisFps: 5, source: { kind: 'file', path: freezing, loop: false, realtime: true } },
      ],
    });
    client = (await connectClient(server.url)).client;
    client.on('shot', (shot) => shot.status === 'closed' && shots.push(shot));
    client.on('camera:status', (status) => statuses.push(status));
    // Both files play to their end (9 s and 6 s in real time).
    for (const id of ['resizing', 'freezing']) {
      if (server.cameras.get(id).status().state !== 'stopped') await waitForStatus(client, (s) => s.cameraId === id && s.state === 'stopped', 30_000);
    }
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('a new picture size mid-stream: no restart, every frame analysed, a cut at each change', () => {
    const status = server.cameras.get('resizing').status();
    assert.equal(status.lastError, 'end of file');
    assert.equal(status.errorCode, 'SOURCE_ENDED');
    assert.equal(status.reconnects, 0);
    assert.equal(status.stalls, 0);
    assert.ok(Math.abs(status.framesIn - 45) <= 1, `${status.framesIn} frames: 9 s at 5 frames a second`);
    const cuts = shots.filter((s) => s.cameraId === 'resizing').map((s) => [s.cutIn, s.cutOut, Math.round(s.startS + s.durationS)]);
    assert.deepEqual(cuts, [
      ['start', 'hard', 3],
      ['hard', 'hard', 6],
      ['hard', 'end', 9],
    ]);
  });

  test('a frozen picture stays live and is one shot', () => {
    const status = server.cameras.get('freezing').status();
    assert.equal(status.reconnects, 0);
    assert.equal(status.stalls, 0);
    assert.ok(!statuses.some((s) => s.cameraId === 'freezing' && (s.state === 'stalled' || s.state === 'restarting')));
    const own = shots.filter((s) => s.cameraId === 'freezing');
    assert.deepEqual(own.map((s) => [s.cutIn, s.cutOut]), [['start', 'end']]);
    assert.equal(Math.round(own[0]!.durationS), 6);
  });
});
