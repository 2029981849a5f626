/**
 * With an access token configured, HTTP API, /metrics and Socket.IO refuse
 * requests without it; the page itself still loads so it can ask for one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { connectClient, httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';

const TOKEN = 'correct-horse-battery-staple';
let server: RunningServer;

before(async () => {
  server = await startTestServer({ server: { accessToken: TOKEN }, cameras: [testsrcCamera('cam-a')] });
});

after(async () => {
  await server?.close();
});

test('HTTP: 401 with a code without the token or with a wrong one; 200 with it', async () => {
  for (const path of ['/api/health', '/api/cameras', '/metrics']) {
    const none = await httpJson(`${server.url}${path}`);
    assert.equal(none.status, 401, path);
    assert.equal((none.body as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    assert.equal((await httpJson(`${server.url}${path}`, { token: 'wrong-token-wrong-token' })).status, 401, path);
    assert.equal((await httpJson(`${server.url}${path}`, { token: TOKEN })).status, 200, path);
  }
  assert.equal((await httpJson(`${server.url}/api/health?token=${TOKEN}`)).status, 200, '?token= works for links');
  const post = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: testsrcCamera('sneaky') });
  assert.equal(post.status, 401);
  assert.throws(() => server.cameras.get('sneaky'), /no camera/);
});

test('the page loads without a token', async () => {
  assert.equal((await fetch(server.url)).status, 200);
});

test('Socket.IO: refused without the token, hello with it', async () => {
  await assert.rejects(connectClient(server.url), /unauthorized/);
  await assert.rejects(connectClient(server.url, { token: 'nope' }), /unauthorized/);
  const { client, cameras } = await connectClient(server.url, { token: TOKEN });
  assert.deepEqual(cameras.map((c) => c.cameraId), ['cam-a']);
  client.close();
});
