/**
 * The whole pipeline with real parts: ffmpeg testsrc and file cameras ->
 * ring buffers -> batched onnxruntime inference -> smoothing -> a real
 * Socket.IO client, plus the HTTP API and /metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { CameraStatus, ServerInfo, SubscribeAck } from '../../server/shared/socket-events.js';
import { makeClip, tempDir } from '../support/media.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('live pipeline', () => {
  let server: RunningServer;
  let client: TestClient;
  let hello: { info: ServerInfo; cameras: CameraStatus[] };

  before(async () => {
    const clip = makeClip(tempDir());
    server = await startTestServer({
      cameras: [testsrcCamera('cam-a'), { id: 'cam-b', analysisFps: 5, source: { kind: 'file', path: clip, loop: true, realtime: true } }],
    });
    const connected = await connectClient(server.url);
    client = connected.client;
    hello = connected;
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('hello names the model, provider and every camera', () => {
    assert.equal(hello.info.model, 'movieshots-fixture');
    assert.equal(hello.info.executionProvider, 'cpu');
    assert.deepEqual(hello.info.labels, CANONICAL_SCALES);
    assert.deepEqual(hello.cameras.map((c) => c.cameraId).sort(), ['cam-a', 'cam-b']);
  });

  test('readouts arrive from the testsrc and the file camera, well-formed', async () => {
    const readouts = await collectReadouts(client, 12, () => true, 20_000);
    const byCamera = new Set(readouts.map((r) => r.cameraId));
    assert.ok(byCamera.has('cam-a') && byCamera.has('cam-b'), `readouts from ${[...byCamera].join(', ')}`);
    for (const r of readouts) {
      assert.ok(CANONICAL_SCALES.includes(r.label), r.label);
      assert.equal(r.raw.length, 8);
      assert.equal(r.smoothed.length, 8);
      assert.ok(Math.abs(sum(r.raw) - 1) < 1e-4, `raw sums to ${sum(r.raw)}`);
      assert.ok(Math.abs(sum(r.smoothed) - 1) < 1e-4, `smoothed sums to ${sum(r.smoothed)}`);
      assert.equal(r.confidence, r.smoothed[CANONICAL_SCALES.indexOf(r.label)]);
      assert.ok(r.latencyMs >= 0 && r.latencyMs < 2000, `latency ${r.latencyMs}`);
      assert.ok(Math.abs(Date.now() - r.captureTime) < 5000, 'capture time is recent wall-clock time');
      assert.equal(r.model, 'movieshots-fixture');
    }
  });

  test('each camera is analysed at about its analysis fps', async () => {
    const started = Date.now();
    const readouts = await collectReadouts(client, 20, (r) => r.cameraId === 'cam-a', 10_000);
    const seconds = (Date.now() - started) / 1000;
    const rate = readouts.length / seconds;
    assert.ok(rate > 3 && rate < 7, `cam-a at ${rate.toFixed(2)} readouts/s for analysisFps 5`);
    const ordered = readouts.map((r) => r.captureTime);
    assert.deepEqual(ordered, [...ordered].sort((a, b) => a - b), 'readouts of a camera arrive in capture order');
  });

  test('a client can narrow its readouts to a subset and widen again', async () => {
    const narrowed = await client.emitWithAck('subscribe', ['cam-b']);
    assert.deepEqual(narrowed, { ok: true, subscribed: ['cam-b'] });
    const seen = new Set<string>();
    const onReadout = (r: { cameraId: string }) => seen.add(r.cameraId);
    // Readouts already in flight before the ack may still land: skip a moment.
    await new Promise((r) => setTimeout(r, 300));
    client.on('readout', onReadout);
    await new Promise((r) => setTimeout(r, 2000));
    client.off('readout', onReadout);
    assert.deepEqual([...seen], ['cam-b']);
    assert.deepEqual(await client.emitWithAck('subscribe', null), { ok: true, subscribed: null });
    const again = await collectReadouts(client, 10);
    assert.ok(new Set(again.map((r) => r.cameraId)).size === 2);
  });

  test('a malformed subscribe is refused with a code and leaves the subscription in force', async () => {
    const answer = (await (client as unknown as { emitWithAck(e: string, v: unknown): Promise<unknown> }).emitWithAck('subscribe', 42)) as SubscribeAck;
    assert.ok(!answer.ok && answer.error.code === 'BAD_REQUEST' && answer.subscribed === null, JSON.stringify(answer));
    await collectReadouts(client, 2);
  });

  test('health, camera list and metrics', async () => {
    const health = await httpJson(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    assert.deepEqual((health.body as { cameras: unknown }).cameras, { total: 2, live: 2 });
    const cameras = (await httpJson(`${server.url}/api/cameras`)).body as CameraStatus[];
    const camA = cameras.find((c) => c.cameraId === 'cam-a')!;
    assert.equal(camA.state, 'live');
    assert.ok(camA.framesIn > 0 && camA.measuredFps > 3);
    const metrics = (await httpJson(`${server.url}/metrics`)).body as string;
    for (const name of [
      'shotscale_frames_in_total{camera="cam-a"}',
      'shotscale_frames_in_total{camera="cam-b"}',
      'shotscale_batch_size_bucket',
      'shotscale_inference_seconds_bucket',
      'shotscale_glass_to_readout_seconds_bucket{le="0.1",camera="cam-a"}',
      'shotscale_camera_up{camera="cam-a"} 1',
      'shotscale_process_resident_memory_bytes',
      'shotscale_nodejs_eventloop_lag_seconds',
    ]) {
      assert.ok(metrics.includes(name), `metrics include ${name}`);
    }
  });

  test('SIGKILL of one ffmpeg: that camera restarts and resumes, the other never stops', async () => {
    const other = collectReadouts(client, 8, (r) => r.cameraId === 'cam-b', 10_000);
    const pid = server.cameras.get('cam-a').pid;
    assert.ok(pid, 'cam-a has an ffmpeg child');
    const restarting = waitForStatus(client, (s) => s.cameraId === 'cam-a' && s.state === 'restarting');
    process.kill(pid, 'SIGKILL');
    const status = await restarting;
    assert.match(status.lastError ?? '', /killed by SIGKILL/);
    assert.ok(status.reconnects >= 1);
    await waitForStatus(client, (s) => s.cameraId === 'cam-a' && s.state === 'live');
    assert.notEqual(server.cameras.get('cam-a').pid, pid);
    await collectReadouts(client, 3, (r) => r.cameraId === 'cam-a');
    await other;
    const metrics = (await httpJson(`${server.url}/metrics`)).body as string;
    assert.match(metrics, /shotscale_ffmpeg_restarts_total\{camera="cam-a"\} [1-9]/);
  });

  test('a frozen ffmpeg is detected as stalled, killed and restarted', async () => {
    const pid = server.cameras.get('cam-b').pid!;
    const stalled = waitForStatus(client, (s) => s.cameraId === 'cam-b' && s.state === 'stalled', 10_000);
    process.kill(pid, 'SIGSTOP'); // alive but silent: only the watchdog can tell
    const status = await stalled;
    assert.match(status.lastError ?? '', /^no frame for [\d.]+ s$/, 'the state says "stalled": the reason does not repeat it');
    assert.ok(status.stalls >= 1);
    await waitForStatus(client, (s) => s.cameraId === 'cam-b' && s.state === 'live', 10_000);
    await collectReadouts(client, 3, (r) => r.cameraId === 'cam-b');
  });
});
