/**
 * A server stops when asked, whoever is still connected: a dashboard that
 * keeps polling on a kept-alive connection, a Socket.IO client, or a client
 * that sends half a request and waits. SIGTERM under a supervisor must not
 * hang on any of them. A real server on a free port; plain HTTP clients.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { connectClient, startTestServer } from '../support/server-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long `server.close()` took, or null when it had not resolved within `limitMs`. */
async function closeWithin(server: RunningServer, limitMs: number): Promise<number | null> {
  const started = Date.now();
  const closed = await Promise.race([server.close().then(() => true), sleep(limitMs).then(() => false)]);
  return closed ? Date.now() - started : null;
}

test('close() ends while a page polls on a kept-alive connection and a Socket.IO client is connected', { timeout: 60_000 }, async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server.url);
  // One kept-alive connection, asked again more often than the server's keep-alive timeout lets it lapse.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let polling = true;
  let answered = 0;
  const statuses = new Set<number>();
  const poll = (async () => {
    while (polling) {
      await new Promise<void>((resolve) => {
        const req = http.get(`${server.url}/api/health`, { agent }, (res) => {
          statuses.add(res.statusCode ?? 0);
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', () => resolve());
      });
      answered += 1;
      await sleep(300);
    }
  })();
  try {
    await sleep(1000);
    assert.ok(answered >= 2, `the poller was answered ${answered} times before the close`);
    const tookMs = await closeWithin(server, 15_000);
    assert.ok(tookMs !== null, 'close() had not returned 15 s after it was called, with a page still polling');
    assert.ok(tookMs < 10_000, `close() took ${tookMs} ms`);
    assert.ok(client.disconnected, 'the Socket.IO client was let go');
  } finally {
    polling = false;
    await poll;
    agent.destroy();
    client.close();
  }
});

test('close() ends while a client holds half a request open', { timeout: 60_000 }, async () => {
  const server = await startTestServer();
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('error', reject));
  // A body promised and never sent: the request stays in flight until the server gives up on it.
  socket.write('POST /api/cameras HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"id":');
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await sleep(500);
  try {
    const tookMs = await closeWithin(server, 20_000);
    assert.ok(tookMs !== null, 'close() had not returned 20 s after it was called, with a request half sent');
    assert.ok(tookMs < 15_000, `close() took ${tookMs} ms`);
    await Promise.race([ended, sleep(2000)]);
    assert.ok(socket.destroyed || socket.readableEnded, 'the half-sent request\'s connection was closed');
  } finally {
    socket.destroy();
  }
});
