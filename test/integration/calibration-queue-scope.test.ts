/**
 * GET /api/calibration/queue takes ?scope as GET /api/shots and /api/takes
 * do: cluster or node, and a misspelt scope ("NODE", "bogus") is refused
 * with BAD_REQUEST, never answered quietly for the whole cluster. A real
 * server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { httpJson, startTestServer } from '../support/server-harness.js';

let server: RunningServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.close();
});

test('a scope that is neither cluster nor node is refused with BAD_REQUEST, naming the parameter and the value, as the shots and takes refuse it', async () => {
  for (const scope of ['bogus', 'NODE', '']) {
    const answers = await Promise.all(['/api/calibration/queue', '/api/shots', '/api/takes'].map((p) => httpJson(`${server.url}${p}?scope=${encodeURIComponent(scope)}`)));
    for (const [i, answer] of answers.entries()) {
      assert.equal(answer.status, 400, `${['queue', 'shots', 'takes'][i]}, scope=${JSON.stringify(scope)}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body, { error: { code: 'BAD_REQUEST', message: `scope: ${JSON.stringify(scope)} is not cluster or node` } });
    }
  }
});

test('scope=node and scope=cluster answer the label-these list', async () => {
  for (const scope of ['node', 'cluster']) {
    const answer = await httpJson(`${server.url}/api/calibration/queue?scope=${scope}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(Array.isArray((answer.body as { queue: unknown[] }).queue));
  }
});
