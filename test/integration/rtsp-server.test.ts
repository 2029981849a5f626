/**
 * Integration test for the RTSP test server harness: real GStreamer server,
 * real ffmpeg client pulling frames over RTSP/TCP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import { rtspSkipReason, startRtspServer } from '../support/rtsp-server.js';

const FRAMES = 5;
const OUT_WIDTH = 64;
const OUT_HEIGHT = 48;
const EXPECTED_BYTES = FRAMES * OUT_WIDTH * OUT_HEIGHT * 3; // rgb24
const FFMPEG_TIMEOUT_MS = 20_000;

const skip = rtspSkipReason();

interface FfmpegResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  bytes: number;
  stderr: string;
}

/** Pulls FRAMES frames from `url` as raw 64x48 RGB, like the app's reader does. */
function grabFrames(url: string): Promise<FfmpegResult> {
  return new Promise((resolve, reject) => {
    const ff = spawn(
      'ffmpeg',
      [
        '-nostdin',
        '-hide_banner',
        '-loglevel', 'error',
        '-rtsp_transport', 'tcp',
        '-i', url,
        '-frames:v', String(FRAMES),
        '-f', 'rawvideo',
        '-pix_fmt', 'rgb24',
        '-s', `${OUT_WIDTH}x${OUT_HEIGHT}`,
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let bytes = 0;
    let stderr = '';
    ff.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    ff.stderr.setEncoding('utf8');
    ff.stderr.on('data', (chunk: string) => (stderr += chunk));
    // Guard against ffmpeg hanging on a stalled stream.
    const timer = setTimeout(() => ff.kill('SIGKILL'), FFMPEG_TIMEOUT_MS);
    ff.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ff.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, bytes, stderr });
    });
  });
}

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

test('ffmpeg reads frames from the RTSP test server', { skip, timeout: 60_000 }, async () => {
  const server = await startRtspServer({ path: '/cam', width: 320, height: 240, fps: 15 });
  try {
    assert.match(server.url, /^rtsp:\/\/127\.0\.0\.1:\d+\/cam$/);
    assert.equal(new URL(server.url).port, String(server.port));

    const result = await grabFrames(server.url);
    assert.equal(result.code, 0, `ffmpeg failed: ${result.stderr}`);
    assert.equal(result.bytes, EXPECTED_BYTES);
  } finally {
    await server.stop();
  }
});

test('RTSP test server enforces basic auth', { skip, timeout: 60_000 }, async () => {
  const user = 'tester';
  const password = 's3cret-pw';
  const server = await startRtspServer({ path: '/secure', user, password });
  try {
    // The harness hands out a credential-free URL; tests add credentials.
    assert.doesNotMatch(server.url, /@/);
    assert.ok(!server.url.includes(password));

    const authed = await grabFrames(withCredentials(server.url, user, password));
    assert.equal(authed.code, 0, `ffmpeg with credentials failed: ${authed.stderr}`);
    assert.equal(authed.bytes, EXPECTED_BYTES);

    const anonymous = await grabFrames(server.url);
    assert.notEqual(anonymous.code, 0, 'ffmpeg without credentials should fail');
    assert.equal(anonymous.bytes, 0);
    assert.match(anonymous.stderr, /401|Unauthorized/i);

    const wrong = await grabFrames(withCredentials(server.url, user, 'wrong-pw'));
    assert.notEqual(wrong.code, 0, 'ffmpeg with a wrong password should fail');
    assert.equal(wrong.bytes, 0);
  } finally {
    await server.stop();
  }
});
