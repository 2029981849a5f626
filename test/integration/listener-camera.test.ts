/**
 * Cameras that wait for a sender to push to them (UDP, SRT in listener
 * mode), against real ffmpeg on both ends, as an encoder on set would send:
 * while nobody sends, the camera says it is waiting and keeps its port open
 * (never restarted for want of a picture, which closed the port every 20 s);
 * a sender that starts then is taken at once; when it goes, the camera is
 * stalled, restarted and waits for the next one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { collectReadouts, connectClient, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';

/** Test ports of this file (47100-47399 are the tests' own). */
const UDP_PORT = 47231;
const SRT_PORT = 47232;
/** The system ffmpeg: the bundled one has no srt://. */
const SYSTEM_FFMPEG = '/usr/bin/ffmpeg';

/** Whether `port` can be bound on loopback now (false: someone holds it). */
async function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

function sendTo(ffmpeg: string, url: string): ChildProcess {
  return spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-c:v', 'mpeg2video', '-q:v', '5', '-g', '12', '-f', 'mpegts', url], { stdio: 'ignore' });
}

async function stopSender(sender: ChildProcess | undefined): Promise<void> {
  if (!sender || sender.exitCode !== null || sender.signalCode !== null) return;
  const exited = new Promise((resolve) => sender.once('exit', resolve));
  sender.kill('SIGKILL');
  await exited;
}

function hasSrt(ffmpeg: string): boolean {
  const run = spawnSync(ffmpeg, ['-hide_banner', '-protocols'], { encoding: 'utf8' });
  return run.status === 0 && /^\s*srt$/m.test(run.stdout);
}

describe('a UDP camera waiting for its sender', () => {
  let server: RunningServer;
  let client: TestClient;
  let sender: ChildProcess | undefined;

  after(async () => {
    await stopSender(sender);
    client?.close();
    await server?.close();
  });

  test('is waiting, not stalled, and its port stays open past the first-frame timeout', async () => {
    server = await startTestServer({
      supervisor: { firstFrameTimeoutS: 1, stallTimeoutS: 2 },
      cameras: [{ id: 'udp-in', analysisFps: 5, source: { kind: 'url', url: `udp://127.0.0.1:${UDP_PORT}?overrun_nonfatal=1&fifo_size=100000`, inputOptions: ['-f', 'mpegts'] } }],
    });
    client = (await connectClient(server.url)).client;
    const waiting = server.cameras.get('udp-in').status().state === 'waiting' ? null : waitForStatus(client, (s) => s.cameraId === 'udp-in' && s.state === 'waiting', 10_000);
    await waiting;
    const pid = server.cameras.get('udp-in').pid;
    // Four first-frame timeouts: the port is held throughout (a restart would free it for a moment).
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      assert.equal(await udpPortFree(UDP_PORT), false, 'the camera holds its port');
      await new Promise((r) => setTimeout(r, 50));
    }
    const status: CameraStatus = server.cameras.get('udp-in').status();
    assert.equal(status.state, 'waiting');
    assert.equal(status.lastError, `waiting for a sender on udp://127.0.0.1:${UDP_PORT}?overrun_nonfatal=1&fifo_size=100000`);
    assert.equal(status.errorCode, null, 'no sender yet is not a failure');
    assert.equal(status.stalls, 0);
    assert.equal(status.reconnects, 0);
    assert.equal(server.cameras.get('udp-in').pid, pid, 'the same ffmpeg');
  });

  test('a sender that starts is taken by the same ffmpeg; when it goes, the camera is stalled, then waits again', async () => {
    const pid = server.cameras.get('udp-in').pid;
    sender = sendTo('ffmpeg', `udp://127.0.0.1:${UDP_PORT}?pkt_size=1316`);
    await collectReadouts(client, 3, (r) => r.cameraId === 'udp-in', 20_000);
    assert.equal(server.cameras.get('udp-in').status().state, 'live');
    assert.equal(server.cameras.get('udp-in').pid, pid, 'no restart on the way');

    const waitingAgain = waitForStatus(client, (s) => s.cameraId === 'udp-in' && s.state === 'waiting' && s.stalls >= 1, 20_000);
    await stopSender(sender);
    const status = await waitingAgain;
    assert.equal(status.lastError, `waiting for a sender on udp://127.0.0.1:${UDP_PORT}?overrun_nonfatal=1&fifo_size=100000`);
    assert.equal(status.stalls, 1);
  });
});

describe('an SRT listener waiting for its caller', () => {
  let server: RunningServer | undefined;
  let client: TestClient | undefined;
  let sender: ChildProcess | undefined;

  after(async () => {
    await stopSender(sender);
    client?.close();
    await server?.close();
  });

  test('waits past the first-frame timeout, then takes the caller that comes', async (t) => {
    if (!hasSrt(SYSTEM_FFMPEG)) return t.skip(`${SYSTEM_FFMPEG} has no srt://`);
    server = await startTestServer({
      ffmpeg: { path: SYSTEM_FFMPEG },
      supervisor: { firstFrameTimeoutS: 1 },
      cameras: [{ id: 'srt-in', analysisFps: 5, source: { kind: 'url', url: `srt://127.0.0.1:${SRT_PORT}?mode=listener` } }],
    });
    client = (await connectClient(server.url)).client;
    if (server.cameras.get('srt-in').status().state !== 'waiting') await waitForStatus(client, (s) => s.cameraId === 'srt-in' && s.state === 'waiting', 10_000);
    const pid = server.cameras.get('srt-in').pid;
    await new Promise((r) => setTimeout(r, 3000));
    const status = server.cameras.get('srt-in').status();
    assert.equal(status.state, 'waiting');
    assert.equal(status.lastError, `waiting for a sender on srt://127.0.0.1:${SRT_PORT}?mode=listener`);
    assert.equal(status.reconnects, 0);
    assert.equal(server.cameras.get('srt-in').pid, pid);

    sender = sendTo(SYSTEM_FFMPEG, `srt://127.0.0.1:${SRT_PORT}?mode=caller`);
    await collectReadouts(client, 3, (r) => r.cameraId === 'srt-in', 20_000);
    assert.equal(server.cameras.get('srt-in').pid, pid, 'the caller was taken by the ffmpeg that waited');
  });
});
