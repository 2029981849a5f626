/**
 * HTTPS, which phones need before a page may use their camera: a server
 * given a certificate serves the API, the page and Socket.IO over TLS; a
 * missing certificate file stops the start with its path.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import path from 'node:path';
import { test } from 'node:test';
import { io } from 'socket.io-client';
import { isShotscaleError } from '../../server/errors.js';
import { tempDir } from '../support/media.js';
import { startTestServer } from '../support/server-harness.js';

function getJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    // A self-signed certificate: the test trusts it as a phone would once accepted.
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (t: string) => (text += t));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('with server.tls the server speaks HTTPS, Socket.IO included', async () => {
  const dir = tempDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const server = await startTestServer({ server: { tls: { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') } } });
  try {
    assert.match(server.url, /^https:\/\//);
    const health = await getJson(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    assert.equal((health.body as { status: string }).status, 'ok');
    const client = io(server.url, { transports: ['websocket'], rejectUnauthorized: false, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('hello', () => resolve());
        client.once('connect_error', reject);
      });
    } finally {
      client.close();
    }
  } finally {
    await server.close();
  }
});

test('a missing certificate stops the start, naming the file', async () => {
  await assert.rejects(
    startTestServer({ server: { tls: { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' } } }),
    (error: unknown) => isShotscaleError(error, 'CONFIG_INVALID') && /server\.tls\.cert.*\/nonexistent\/cert\.pem/.test(error.message),
  );
});
