/**
 * A server with publish tokens alone leaves its API and wall open to this
 * machine. A proxy or script that sends its only token, the publish token,
 * with every request was refused there 403 ("this needs the viewer or
 * operator or admin role; the token given is a publish token"), though the
 * same request without it was let in. A wrong token is still refused. And
 * /api/session says so: no token required (it said true, counting the
 * publish tokens).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { connectClient, httpJson, startTestServer } from '../support/server-harness.js';
import { errorCode, rawRequest } from '../support/raw-http.js';

const PUBLISH = 'publish-token-open-api-0123456789';
const WRONG = 'wrong-token-open-api-0123456789';

describe('publish tokens alone: the publish token sent to the open API', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ server: { publishTokens: [PUBLISH], authAttempts: { maxFailures: 100_000 } } });
  });

  after(async () => {
    await server?.close();
  });

  test('HTTP: let in as without it, by header and by ?token=; a wrong token is still 401', async () => {
    assert.equal((await httpJson(`${server.url}/api/cameras`)).status, 200, 'without a token');
    const withHeader = await httpJson(`${server.url}/api/cameras`, { token: PUBLISH });
    assert.equal(withHeader.status, 200, JSON.stringify(withHeader.body));
    const viaQuery = await rawRequest(server.url, 'GET', `/api/cameras?token=${PUBLISH}`);
    assert.equal(viaQuery.status, 200, viaQuery.body);
    const wrong = await rawRequest(server.url, 'GET', '/api/cameras', { headers: { authorization: `Bearer ${WRONG}` } });
    assert.equal(wrong.status, 401, wrong.body);
    assert.equal(errorCode(wrong.body), 'UNAUTHORIZED');
  });

  test('/api/session says no token is needed, as the API lets requests in without one', async () => {
    const session = await httpJson(`${server.url}/api/session`);
    assert.equal(session.status, 200, JSON.stringify(session.body));
    assert.deepEqual(session.body, { role: 'admin', name: 'local', tokensRequired: false });
    assert.deepEqual((await httpJson(`${server.url}/api/session`, { token: PUBLISH })).body, { role: 'admin', name: 'local', tokensRequired: false }, 'with the publish token');
  });

  test('Socket.IO: the wall connects with it, as the local user; a wrong token does not', async () => {
    const { client, info } = await connectClient(server.url, { token: PUBLISH });
    try {
      assert.equal(info.role, 'admin');
    } finally {
      client.close();
    }
    await assert.rejects(connectClient(server.url, { token: WRONG }), /unauthorized/);
  });
});
