/**
 * HTTP requests refused their token are in the server's log, as refused
 * Socket.IO events are: a few a minute per address as they come, the rest
 * summed up, never the token itself; and the moment an address is blocked
 * for too many wrong tokens has a line of its own. (11 wrong bearers to
 * /metrics, then the right one refused TOO_MANY_ATTEMPTS, left no line.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFUSALS_LOGGED_PER_MINUTE } from '../../server/api/refusal-log.js';
import { createLogger } from '../../server/shared/logger.js';
import { httpJson, startTestServer } from '../support/server-harness.js';

const TOKEN = 'right-token-7f3c9a1e5b';
const WRONG = 'wrong-token-2d8e6b4c0a';

test('wrong tokens to /metrics: logged a few at a time, the block told of when it happens, no token in the log', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const server = await startTestServer({ server: { accessToken: TOKEN, authAttempts: { maxFailures: 10, windowS: 60, blockS: 60 } } }, createLogger('test', 'info', (line) => lines.push(line)));
  let closed = false;
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await httpJson(`${server.url}/metrics`, { token: WRONG })).status);
    assert.deepEqual(statuses, [...Array<number>(10).fill(401), 429]);
    const right = await httpJson(`${server.url}/metrics`, { token: TOKEN });
    assert.equal(right.status, 429, 'the right token too, while the address is blocked');

    const refusals = lines.filter((l) => / refused: /.test(l));
    assert.equal(refusals.length, REFUSALS_LOGGED_PER_MINUTE, refusals.join('\n'));
    assert.match(refusals[0]!, /WARN.*GET \/metrics from 127\.0\.0\.1 refused: UNAUTHORIZED \(wrong\): the token is not valid/);
    const blocked = lines.filter((l) => /blocked for/.test(l));
    assert.equal(blocked.length, 1, lines.join('\n'));
    assert.match(blocked[0]!, /WARN.*127\.0\.0\.1 blocked for 60 s: too many wrong tokens/);

    await server.close();
    closed = true;
    // 12 refusals (10 wrong, then 2 while blocked): 5 logged one by one, the rest in one line.
    const summary = lines.filter((l) => /more refused requests? in the last minute/.test(l));
    assert.equal(summary.length, 1, lines.join('\n'));
    assert.match(summary[0]!, /127\.0\.0\.1: 7 more refused requests in the last minute, not logged one by one/);
    for (const line of lines) {
      assert.ok(!line.includes(WRONG) && !line.includes(TOKEN), `no token in the log: ${line}`);
    }
  } finally {
    if (!closed) await server.close();
  }
});

test('a token in the query string is not logged with the path', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const server = await startTestServer({ server: { accessToken: TOKEN } }, createLogger('test', 'info', (line) => lines.push(line)));
  try {
    assert.equal((await httpJson(`${server.url}/api/health?token=${WRONG}`)).status, 401);
    const refusal = lines.find((l) => / refused: /.test(l));
    assert.ok(refusal, lines.join('\n'));
    assert.match(refusal, /GET \/api\/health from 127\.0\.0\.1 refused: UNAUTHORIZED \(wrong\)/);
    assert.ok(!lines.some((l) => l.includes(WRONG)), lines.join('\n'));
  } finally {
    await server.close();
  }
});
