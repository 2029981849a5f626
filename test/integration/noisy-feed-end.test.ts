/**
 * A feed with bit errors on the way (a noisy link, a failing encoder) plays:
 * ffmpeg says "Invalid data found when processing input" for the packets it
 * cannot decode and goes on. When the sender then stops, the feed ended; it
 * once read as "not a video stream", from those lines of the middle of the
 * stream. Real ffmpeg on both ends: a TCP listener camera and a sender
 * pushing an MPEG-TS stream whose H.264 packets carry noise.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { freePort } from '../support/cluster-engines.js';
import { tempDir } from '../support/media.js';
import { collectReadouts, connectClient, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';

/**
 * 8 s of H.264 in MPEG-TS with 1 byte in 200 of each video packet changed
 * (the noise filter is deterministic): every frame still comes out, two of
 * them with "Invalid data found" from the decoder.
 */
function noisyStream(dir: string): string {
  const clean = path.join(dir, 'clean.ts');
  const noisy = path.join(dir, 'noisy.ts');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '8', '-c:v', 'libx264', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'mpegts', clean]);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', clean, '-c', 'copy', '-bsf:v', 'noise=amount=200', '-f', 'mpegts', noisy]);
  return noisy;
}

describe('a feed with decode errors that plays and then ends', () => {
  let server: RunningServer | undefined;
  let client: TestClient | undefined;
  let sender: ChildProcess | undefined;

  after(async () => {
    if (sender && sender.exitCode === null && sender.signalCode === null) sender.kill('SIGKILL');
    client?.close();
    await server?.close();
  });

  test('is reported as ended by its source, not as a source that is not video', async () => {
    const stream = noisyStream(tempDir());
    // The camera's ffmpeg meets the noise: its decoder says "Invalid data found" in the middle of the stream.
    const decoded = spawnSync(resolveFfmpeg(null).path, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', stream, '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decoded.status, 0);
    assert.match(decoded.stderr, /Invalid data found when processing input/);
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}?listen`;
    server = await startTestServer({ cameras: [{ id: 'noisy', analysisFps: 5, source: { kind: 'url', url } }] });
    client = (await connectClient(server.url)).client;
    if (server.cameras.get('noisy').status().state !== 'waiting') await waitForStatus(client, (s) => s.cameraId === 'noisy' && s.state === 'waiting', 10_000);

    const ended = waitForStatus(client, (s) => s.cameraId === 'noisy' && s.state === 'restarting' && s.errorCode !== null, 40_000);
    sender = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', stream, '-c', 'copy', '-f', 'mpegts', `tcp://127.0.0.1:${port}`], { stdio: 'ignore' });
    await collectReadouts(client, 5, (r) => r.cameraId === 'noisy', 20_000);
    const status = await ended;
    assert.equal(status.errorCode, 'SOURCE_ENDED', status.lastError ?? '');
    assert.equal(status.lastError, `${url} ended the stream`);
  });
});
