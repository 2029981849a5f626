/**
 * Sources that are not what a camera should be, against a real server and
 * real ffmpeg, as an operator meets them on the floor: a file with sound
 * and no picture, an MP4 cut short, a TCP port that accepts and sends junk,
 * a web page where a stream was expected. Each camera says what is wrong
 * and where in its status (not ffmpeg's least telling last line), keeps
 * retrying with backoff (a file with no picture, which cannot change by
 * itself, fails for good instead), and the camera beside it never stops.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { makeClip, tempDir } from '../support/media.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';

const dir = tempDir('shotscale-source-faults-');

/** Five seconds of a tone, AAC in MP4: a source with sound and no picture. */
function audioOnlyFile(): string {
  const out = path.join(dir, 'tone.m4a');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5', '-c:a', 'aac', out]);
  return out;
}

/** The first half of an MP4 whose index (moov) is at its end: a copy cut short. */
function cutShortFile(): string {
  const whole = readFileSync(makeClip(dir, 'whole.mp4', 4, 'testsrc2'));
  const out = path.join(dir, 'cut-short.mp4');
  writeFileSync(out, whole.subarray(0, Math.floor(whole.length / 2)));
  return out;
}

async function listen(server: TcpServer | HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('camera sources that are not video', () => {
  let server: RunningServer;
  let client: TestClient;
  let junk: TcpServer;
  let web: HttpServer;
  const sockets = new Set<Socket>();

  before(async () => {
    junk = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      const timer = setInterval(() => socket.write('this is not video\n'.repeat(50)), 100);
      socket.once('close', () => {
        clearInterval(timer);
        sockets.delete(socket);
      });
    });
    web = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>camera login</body></html>');
    });
    const junkPort = await listen(junk);
    const webPort = await listen(web);
    server = await startTestServer({
      // The junk port is found out by the first-frame watchdog: keep it short.
      supervisor: { firstFrameTimeoutS: 3 },
      cameras: [
        testsrcCamera('good'),
        { id: 'audio-only', analysisFps: 5, source: { kind: 'file', path: audioOnlyFile(), loop: true, realtime: true } },
        { id: 'cut-short', analysisFps: 5, source: { kind: 'file', path: cutShortFile(), loop: true, realtime: true } },
        { id: 'junk-port', analysisFps: 5, source: { kind: 'url', url: `tcp://127.0.0.1:${junkPort}` } },
        { id: 'web-page', analysisFps: 5, source: { kind: 'url', url: `http://127.0.0.1:${webPort}/live` } },
      ],
    });
    client = (await connectClient(server.url)).client;
  });

  after(async () => {
    client?.close();
    await server?.close();
    for (const socket of sockets) socket.destroy();
    junk?.close();
    web?.closeAllConnections();
    web?.close();
  });

  /** The camera's status once it has failed at least `times` times (statuses are re-sent every few seconds). */
  async function failed(cameraId: string, times = 1): Promise<CameraStatus> {
    const now = server.cameras.get(cameraId).status();
    if (now.reconnects >= times && now.lastError) return now;
    return waitForStatus(client, (s) => s.cameraId === cameraId && s.reconnects >= times && s.lastError !== null, 20_000);
  }

  /** The camera's status once it has failed for good. */
  async function failedForGood(cameraId: string): Promise<CameraStatus> {
    const now = server.cameras.get(cameraId).status();
    if (now.state === 'failed') return now;
    return waitForStatus(client, (s) => s.cameraId === cameraId && s.state === 'failed', 20_000);
  }

  test('a file with no video stream says so, naming the file, and is not retried', async () => {
    const status = await failedForGood('audio-only');
    assert.equal(status.reconnects, 0);
    assert.match(status.lastError ?? '', /tone\.m4a has no video stream \(audio or data only\)/);
    assert.doesNotMatch(status.lastError ?? '', /output file|Stream specifier|filtergraph/);
    assert.equal(status.errorCode, 'SOURCE_NOT_VIDEO');
    // ffmpeg's own lines stay available for whoever needs them.
    assert.ok(status.lastStderr.length > 0);
  });

  test('an MP4 cut short is named as such', async () => {
    const status = await failed('cut-short');
    assert.match(status.lastError ?? '', /cut-short\.mp4 is not a readable video \(moov atom not found: an MP4 cut short/);
    assert.equal(status.errorCode, 'SOURCE_NOT_VIDEO');
  });

  test('a web page where a stream was expected: not video, from where', async () => {
    const status = await failed('web-page');
    assert.match(status.lastError ?? '', /http:\/\/127\.0\.0\.1:\d+\/live (sent|answered with) something that is not a video stream/);
    assert.equal(status.errorCode, 'SOURCE_NOT_VIDEO');
  });

  test('a port that accepts and sends junk: no picture since the start, not a stall of a live feed', async () => {
    const status = await waitForStatus(client, (s) => s.cameraId === 'junk-port' && s.stalls >= 1, 20_000);
    assert.match(status.lastError ?? '', /^no picture within [\d.]+ s of starting ffmpeg: the source sent no video ffmpeg could decode, or sends it slower than that \(supervisor.firstFrameTimeoutS\)$/);
    assert.equal(status.errorCode, 'SOURCE_STALLED');
  });

  test('failing sources retry, each on its own, and the good camera never stops', async () => {
    const before = server.cameras.get('cut-short').status().reconnects;
    await collectReadouts(client, 10, (r) => r.cameraId === 'good', 20_000);
    await failed('cut-short', before + 1);
    // The file with no picture stays failed: nothing to retry.
    assert.equal(server.cameras.get('audio-only').status().state, 'failed');
    assert.equal(server.cameras.get('audio-only').status().reconnects, 0);
    for (const id of ['audio-only', 'cut-short', 'junk-port', 'web-page']) {
      assert.notEqual(server.cameras.get(id).status().state, 'live', id);
    }
    assert.equal(server.cameras.get('good').status().state, 'live');
    const health = await httpJson(`${server.url}/api/health`);
    assert.equal(health.status, 200);
  });
});

describe('a source with no video stream, shots off (no cut-frame graph)', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({
      shots: { enabled: false },
      cameras: [{ id: 'audio-only', analysisFps: 5, source: { kind: 'file', path: audioOnlyFile(), loop: true, realtime: true } }],
    });
  });

  after(async () => {
    await server?.close();
  });

  test('says the source has no video stream, not that an output file is missing', async () => {
    const { client } = await connectClient(server.url);
    try {
      const now = server.cameras.get('audio-only').status();
      const status = now.lastError ? now : await waitForStatus(client, (s) => s.cameraId === 'audio-only' && s.lastError !== null, 20_000);
      assert.match(status.lastError ?? '', /has no video stream \(audio or data only\)/);
    } finally {
      client.close();
    }
  });
});

describe("a config's file camera whose file is missing at start (a drive mounted late)", () => {
  let server: RunningServer;
  const drive = tempDir('shotscale-late-drive-');
  const clipPath = path.join(drive, 'reel', 'take1.mp4');

  before(async () => {
    server = await startTestServer({
      supervisor: { backoffMaxS: 1 },
      cameras: [testsrcCamera('good'), { id: 'late-drive', analysisFps: 5, source: { kind: 'file', path: clipPath, loop: true, realtime: true } }],
    });
  });

  after(async () => {
    await server?.close();
  });

  test('the server starts, the others run, that camera says why and starts once the file is there', async () => {
    const { client } = await connectClient(server.url);
    try {
      const now = server.cameras.get('late-drive').status();
      const failed = now.state === 'failed' ? now : await waitForStatus(client, (s) => s.cameraId === 'late-drive' && s.state === 'failed', 10_000);
      assert.equal(failed.lastError, `${clipPath}: no such file (looked for again every 1 s)`);
      assert.equal(failed.errorCode, 'SOURCE_NOT_FOUND');
      await collectReadouts(client, 3, (r) => r.cameraId === 'good');
      const live = waitForStatus(client, (s) => s.cameraId === 'late-drive' && s.state === 'live', 20_000);
      // Made aside and moved in whole, as a drive's files appear when it is mounted.
      const made = makeClip(drive, 'staging.mp4', 3);
      mkdirSync(path.dirname(clipPath));
      renameSync(made, clipPath);
      const back = await live;
      assert.equal(back.state, 'live');
      assert.equal(back.errorCode, null, 'cleared once live');
    } finally {
      client.close();
    }
  });
});

describe('a file camera whose path is a folder', () => {
  let server: RunningServer;
  const folder = tempDir('shotscale-folder-source-');

  before(async () => {
    server = await startTestServer({
      supervisor: { backoffMaxS: 1 },
      cameras: [testsrcCamera('good'), { id: 'folder', analysisFps: 5, source: { kind: 'file', path: folder, loop: true, realtime: true } }],
    });
  });

  after(async () => {
    await server?.close();
  });

  test('in the config: failed, saying it is a folder, and not restarted for ever; over the API: refused with CAMERA_INVALID', async () => {
    const { client } = await connectClient(server.url);
    try {
      const now = server.cameras.get('folder').status();
      const failed = now.state === 'failed' ? now : await waitForStatus(client, (s) => s.cameraId === 'folder' && s.state === 'failed', 10_000);
      assert.equal(failed.lastError, `${folder}: a folder, not a file (looked for again every 1 s)`);
      assert.equal(failed.errorCode, 'SOURCE_NOT_FOUND');
      // ffmpeg was restarted every second on it ("Is a directory", SOURCE_FAILED): no ffmpeg is started on a folder.
      await collectReadouts(client, 10, (r) => r.cameraId === 'good');
      const later = server.cameras.get('folder').status();
      assert.deepEqual([later.state, later.reconnects], ['failed', 0]);

      const added = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'folder-too', source: { kind: 'file', path: folder } } });
      assert.equal(added.status, 400);
      const error = (added.body as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'CAMERA_INVALID');
      assert.equal(error.message, `camera "folder-too": source.path: ${folder}: a folder, not a file`);
      assert.equal((await httpJson(`${server.url}/api/cameras/folder-too`)).status, 404, 'nothing of it is left');
      // A path through a file is no file either (it was taken, and its ffmpeg restarted for ever).
      writeFileSync(path.join(folder, 'x.mp4'), '');
      const through = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'through-file', source: { kind: 'file', path: path.join(folder, 'x.mp4', 'y') } } });
      assert.equal(through.status, 400);
      assert.match((through.body as { error: { message: string } }).error.message, /x\.mp4\/y: no such file$/);
    } finally {
      client.close();
    }
  });
});

describe('a missing file and an RTSP port nobody listens on: each coded in GET /api/cameras, the rest running', () => {
  let server: RunningServer;
  let deadPort: number;
  const missingPath = path.join(tempDir('shotscale-coded-'), 'take7.mp4');

  before(async () => {
    // A port that was free a moment ago and that nothing listens on now: connection refused.
    const probe = createTcpServer();
    deadPort = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    server = await startTestServer({
      supervisor: { backoffMaxS: 1 },
      cameras: [
        testsrcCamera('good'),
        { id: 'missing-file', analysisFps: 5, source: { kind: 'file', path: missingPath, loop: true, realtime: true } },
        { id: 'dead-rtsp', analysisFps: 5, source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${deadPort}/cam`, timeoutS: 2 } },
      ],
    });
  });

  after(async () => {
    await server?.close();
  });

  test('errorCode tells "not there" from "cannot reach it" without reading the words; the good camera has none', async () => {
    const { client } = await connectClient(server.url);
    try {
      // Over Socket.IO, as the dashboard gets it.
      const pushed = await waitForStatus(client, (s) => s.cameraId === 'dead-rtsp' && s.reconnects >= 1 && s.errorCode !== null, 20_000);
      assert.equal(pushed.errorCode, 'SOURCE_UNREACHABLE');
      await collectReadouts(client, 5, (r) => r.cameraId === 'good');
      const res = await httpJson(`${server.url}/api/cameras`);
      assert.equal(res.status, 200);
      const byId = new Map((res.body as CameraStatus[]).map((s) => [s.cameraId, s]));
      const missing = byId.get('missing-file');
      assert.equal(missing?.state, 'failed');
      assert.equal(missing?.errorCode, 'SOURCE_NOT_FOUND');
      assert.equal(missing?.lastError, `${missingPath}: no such file (looked for again every 1 s)`);
      const dead = byId.get('dead-rtsp');
      assert.notEqual(dead?.state, 'live');
      assert.equal(dead?.errorCode, 'SOURCE_UNREACHABLE');
      assert.match(dead?.lastError ?? '', new RegExp(`^rtsp://127\\.0\\.0\\.1:${deadPort}/cam: connection refused`));
      const good = byId.get('good');
      assert.equal(good?.state, 'live');
      assert.equal(good?.errorCode, null);
      assert.equal(good?.lastError, null);
      // Still failing on their own, and still coded, a while later: the good camera reads on.
      await collectReadouts(client, 5, (r) => r.cameraId === 'good');
      assert.equal(server.cameras.get('missing-file').status().errorCode, 'SOURCE_NOT_FOUND');
      assert.equal(server.cameras.get('dead-rtsp').status().errorCode, 'SOURCE_UNREACHABLE');
      assert.equal(server.cameras.get('good').status().state, 'live');
    } finally {
      client.close();
    }
  });
});
