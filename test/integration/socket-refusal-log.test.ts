/**
 * Socket.IO connections refused at the handshake are in the server's log as
 * refused HTTP requests are (http-refusal-log.test.ts): a few a minute per
 * address as they come, the rest summed up, the moment an address is blocked
 * told of, never the token itself. (A wall failing to connect, or someone
 * guessing tokens over WebSocket, left no line at all.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFUSALS_LOGGED_PER_MINUTE } from '../../server/api/refusal-log.js';
import { createLogger } from '../../server/shared/logger.js';
import { connectClient, startTestServer } from '../support/server-harness.js';

const TOKEN = 'right-token-5e1a7c3f9b';
const WRONG = 'wrong-token-8b2d4f6a0c';

/** The code a refused handshake's connect_error carries. */
async function refusedCode(url: string, token?: string): Promise<string | undefined> {
  try {
    const { client } = await connectClient(url, token === undefined ? undefined : { token });
    client.close();
  } catch (error) {
    return (error as { data?: { code?: string } }).data?.code;
  }
  assert.fail('the handshake was let in');
}

test('wrong tokens over Socket.IO: logged a few at a time, the block told of when it happens, no token in the log', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const server = await startTestServer({ server: { accessToken: TOKEN, authAttempts: { maxFailures: 3, windowS: 60, blockS: 60 } } }, createLogger('test', 'info', (line) => lines.push(line)));
  let closed = false;
  try {
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) codes.push(await refusedCode(server.url, WRONG));
    codes.push(await refusedCode(server.url, TOKEN));
    codes.push(await refusedCode(server.url));
    assert.deepEqual(codes, ['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'TOO_MANY_ATTEMPTS', 'TOO_MANY_ATTEMPTS', 'TOO_MANY_ATTEMPTS']);

    const refusals = lines.filter((l) => /Socket\.IO connection from .* refused: /.test(l));
    assert.equal(refusals.length, REFUSALS_LOGGED_PER_MINUTE, lines.join('\n'));
    assert.match(refusals[0]!, /WARN.*Socket\.IO connection from 127\.0\.0\.1 refused: UNAUTHORIZED \(wrong\): the token is not valid/);
    assert.match(refusals[3]!, /WARN.*Socket\.IO connection from 127\.0\.0\.1 refused: TOO_MANY_ATTEMPTS \(blocked\): too many wrong tokens from 127\.0\.0\.1/);
    const blocked = lines.filter((l) => /blocked for/.test(l));
    assert.equal(blocked.length, 1, lines.join('\n'));
    assert.match(blocked[0]!, /WARN.*127\.0\.0\.1 blocked for 60 s: too many wrong tokens/);

    await server.close();
    closed = true;
    // 6 refusals: 5 logged one by one, the last in the line summing up the minute.
    const summary = lines.filter((l) => /more refused connections? in the last minute/.test(l));
    assert.equal(summary.length, 1, lines.join('\n'));
    assert.match(summary[0]!, /127\.0\.0\.1: 1 more refused connection in the last minute, not logged one by one/);
    for (const line of lines) assert.ok(!line.includes(WRONG) && !line.includes(TOKEN), `no token in the log: ${line}`);
  } finally {
    if (!closed) await server.close();
  }
});

test('a handshake without a token is logged as missing one; one with the right token is not logged', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const server = await startTestServer({ server: { accessToken: TOKEN } }, createLogger('test', 'info', (line) => lines.push(line)));
  try {
    assert.equal(await refusedCode(server.url), 'UNAUTHORIZED');
    const { client } = await connectClient(server.url, { token: TOKEN });
    client.close();
    const refusals = lines.filter((l) => / refused: /.test(l));
    assert.equal(refusals.length, 1, lines.join('\n'));
    assert.match(refusals[0]!, /Socket\.IO connection from 127\.0\.0\.1 refused: UNAUTHORIZED \(missing\)/);
  } finally {
    await server.close();
  }
});
