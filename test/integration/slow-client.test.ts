/**
 * A client that stops reading must not slow the pipeline or the other
 * clients: its readouts are dropped (and counted) once its queue is full.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, type TestClient } from '../support/server-harness.js';

let server: RunningServer;
let fast: TestClient;
let stuck: WebSocket;

before(async () => {
  server = await startTestServer({ cameras: [1, 2, 3, 4].map((i) => testsrcCamera(`cam-${i}`, { analysisFps: 10 })) });
  fast = (await connectClient(server.url)).client;
  // A raw Socket.IO client over a WebSocket that connects, then never reads again.
  stuck = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    stuck.once('error', reject);
    stuck.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0')) stuck.send('40'); // engine.io open -> Socket.IO connect
      if (text.startsWith('40')) {
        ((stuck as unknown as { _socket: NetSocket })._socket).pause();
        resolve();
      }
    });
  });
});

after(async () => {
  stuck?.terminate();
  fast?.close();
  await server?.close();
});

test('a stuck client does not slow the pipeline or a fast client', async () => {
  // Let the stuck client fall behind for a while: 4 cameras x 10 fps = 40 readouts/s.
  await new Promise((r) => setTimeout(r, 4000));
  const started = Date.now();
  const readouts = await collectReadouts(fast, 120, () => true, 10_000);
  const rate = readouts.length / ((Date.now() - started) / 1000);
  assert.ok(rate > 30, `the fast client still gets ${rate.toFixed(1)} readouts/s of 40`);
  const latencies = readouts.map((r) => r.latencyMs).sort((a, b) => a - b);
  assert.ok(latencies[Math.floor(latencies.length * 0.95)]! < 500, 'readouts stay fresh');
  const metrics = (await httpJson(`${server.url}/metrics`)).body as string;
  assert.doesNotMatch(metrics, /shotscale_frames_dropped_total\{[^}]*reason="stale"\} [1-9]/, 'no frame went stale waiting for the stuck client');
  assert.match(metrics, /^shotscale_socket_clients 2$/m, 'the stuck client is still connected');
});
