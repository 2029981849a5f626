/**
 * An RTSP camera that drops mid-shot and comes back, against the real
 * GStreamer RTSP server (stopped and started again on the same port, as a
 * camera that reboots) and real ffmpeg: the open shot closes at its last
 * frame with "restart", the status says what happened and where while the
 * supervisor retries with backoff, the other camera never stops, and once the
 * camera is back a new shot opens, cut in by the restart, after a gap the
 * log keeps. Nothing is left behind: no ffmpeg child and no pipe of the
 * attempts in between.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { freePort } from '../support/cluster-engines.js';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { rtspSkipReason } from '../support/rtsp-server.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';

const SCRIPT = fileURLToPath(new URL('../support/rtsp-server.py', import.meta.url));

/** The RTSP server on a port of our choosing, so that it can come back where the camera looks for it. */
async function startRtspAt(port: number): Promise<ChildProcess> {
  const child = spawn('/usr/bin/python3', [SCRIPT, '--port', String(port), '--path', '/cam', '--width', '320', '--height', '240', '--fps', '15', '--exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('rtsp-server did not print READY within 15 s')), 15_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      if (!text.includes('READY')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`rtsp-server exited with ${code} before READY`)));
  });
  return child;
}

async function stopRtsp(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!child) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
}

/** Pipes this process holds open: each ffmpeg child holds three of them (stdout, stderr, cut frames). */
function openPipes(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('pipe:')) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
}

/** ffmpeg children of this process that read `needle`. */
function ffmpegChildrenReading(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('ffmpeg') && cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone while listed
    }
  }
  return pids;
}

describe('RTSP camera that drops and comes back', { skip: rtspSkipReason() }, () => {
  let port: number;
  let rtsp: ChildProcess | undefined;
  let server: RunningServer;
  let client: TestClient;
  const shots: ShotRecord[] = [];
  let dropped: ShotRecord;
  let pipesWhileLive: number;

  before(async () => {
    port = await freePort();
    rtsp = await startRtspAt(port);
    server = await startTestServer({
      supervisor: { backoffInitialS: 0.2, backoffMaxS: 1, stallTimeoutS: 3 },
      cameras: [{ id: 'stage', analysisFps: 5, source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${port}/cam`, transport: 'tcp', timeoutS: 2 } }, testsrcCamera('other')],
    });
    client = (await connectClient(server.url)).client;
    client.on('shot', (shot) => {
      if (shot.cameraId === 'stage') shots.push(shot);
    });
  });

  after(async () => {
    client?.close();
    await server?.close();
    await stopRtsp(rtsp);
  });

  test('the camera drops mid-shot: its shot closes with "restart", the status says why, the other camera runs on', async () => {
    if (server.cameras.get('stage').status().state !== 'live') await waitForStatus(client, (s) => s.cameraId === 'stage' && s.state === 'live', 20_000);
    await collectReadouts(client, 10, (r) => r.cameraId === 'stage', 20_000);
    pipesWhileLive = openPipes();
    const open = [...shots].reverse().find((s) => s.status === 'open');
    assert.ok(open, 'a shot is open on the live camera');

    const closed = new Promise<ShotRecord>((resolve) => client.on('shot', (s) => s.cameraId === 'stage' && s.id === open.id && s.status === 'closed' && resolve(s)));
    const restarting = waitForStatus(client, (s) => s.cameraId === 'stage' && s.state === 'restarting', 20_000);
    await stopRtsp(rtsp);
    rtsp = undefined;
    const status = await restarting;
    dropped = await closed;
    assert.equal(dropped.cutOut, 'restart');
    assert.ok(dropped.durationS > 0 && dropped.outTime > dropped.inTime);
    assert.match(status.lastError ?? '', new RegExp(`rtsp://127\\.0\\.0\\.1:${port}/cam (ended the stream|: connection refused)`));
    assert.equal(status.errorCode, /ended the stream/.test(status.lastError ?? '') ? 'SOURCE_ENDED' : 'SOURCE_UNREACHABLE');

    // While it is down: retries, each saying that nothing answers there; the other camera goes on.
    const other = collectReadouts(client, 10, (r) => r.cameraId === 'other', 20_000);
    const retried = await waitForStatus(client, (s) => s.cameraId === 'stage' && s.reconnects >= status.reconnects + 2, 20_000);
    assert.equal(retried.state, 'restarting');
    assert.match(retried.lastError ?? '', new RegExp(`rtsp://127\\.0\\.0\\.1:${port}/cam: connection refused: nothing accepts connections at that address and port`));
    assert.equal(retried.errorCode, 'SOURCE_UNREACHABLE');
    await other;
    const logged = ((await httpJson(`${server.url}/api/shots?camera=stage`)).body as { shots: ShotRecord[] }).shots.find((s) => s.id === dropped.id);
    assert.equal(logged?.status, 'closed');
    assert.equal(logged?.outTime, dropped.outTime);
  });

  test('it comes back on the same address: live again, a new shot cut in by the restart after the gap, nothing left behind', async () => {
    assert.ok(dropped, 'the drop test ran');
    const live = waitForStatus(client, (s) => s.cameraId === 'stage' && s.state === 'live', 30_000);
    rtsp = await startRtspAt(port);
    const status = await live;
    assert.equal(status.lastError, null);
    assert.equal(status.errorCode, null, 'cleared once live');
    await collectReadouts(client, 5, (r) => r.cameraId === 'stage', 20_000);

    const next = shots.find((s) => s.id !== dropped.id && s.inTime > dropped.inTime);
    assert.ok(next, 'a new shot opened');
    assert.equal(next.cutIn, 'restart', 'the shot after the drop is cut in by the restart, as the one before was cut out by it');
    assert.ok(next.inTime > dropped.outTime, 'the gap while the camera was down is kept between the shots');

    assert.deepEqual(ffmpegChildrenReading(`:${port}/cam`).length, 1, 'one ffmpeg for the camera: none of the failed attempts is left');
    assert.ok(openPipes() <= pipesWhileLive, `pipes open: ${openPipes()} now, ${pipesWhileLive} before the drop`);
  });
});
