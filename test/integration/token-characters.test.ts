/**
 * Tokens the Authorization header can carry. The config took any string of
 * 16 characters: a token read from a secrets file with its trailing newline,
 * or one with a zero-width space in it, started the server without a word, and then every
 * `Authorization: Bearer` request (Prometheus, scripts, OBS) was refused 401
 * "not valid" while ?token= and Socket.IO let the same token in. Now
 * surrounding whitespace is dropped at start, and from a token sent, so
 * every transport takes the token; a character a header cannot carry as the
 * config has it (a control or invisible one, one past U+00FF) is
 * CONFIG_INVALID naming the key and where (never the token). A passphrase
 * with spaces and a Latin-1 letter, which always went through, still do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { validateConfig } from '../../server/config/load-config.js';
import { isShotscaleError } from '../../server/errors.js';
import { errorCode, rawRequest } from '../support/raw-http.js';
import { connectClient, httpJson, startTestServer } from '../support/server-harness.js';

/** The config's error for a server section, or null when it is taken. */
function refusal(server: Record<string, unknown>): string | null {
  try {
    validateConfig({ server }, '(test)');
    return null;
  } catch (error) {
    assert.ok(isShotscaleError(error, 'CONFIG_INVALID'), String(error));
    return error.message;
  }
}

describe('token characters in the config', () => {
  test('a character a header cannot carry as the config has it is CONFIG_INVALID naming the key, where and what kind, never the token nor its length', () => {
    const cases = [
      [{ publishTokens: ['publish-token-bbbbbbbbbb', 'publish\u0007token-bbbbbbbbbb'] }, 'server.publishTokens[1]', /character 8 of the token is a control character/, 'publish\u0007'],
      [{ tokens: [{ role: 'operator', token: 'operator-token\u200b-dddddddd' }] }, 'server.tokens[0].token', /character 15 of the token is an invisible character/, 'operator-token'],
      [{ tokens: [{ role: 'viewer', token: 'viewer-token\tcccccccccccc' }] }, 'server.tokens[0].token', /character 13 of the token is a control character \(a tab, a line break \.\.\.\), which an Authorization: Bearer header cannot carry/, 'viewer-token'],
      [{ accessToken: 'admin\u00a0token aaaaaaaaaaaa' }, 'server.accessToken', /character 6 of the token is an invisible character/, 'admin'],
      [{ tokens: [{ role: 'viewer', token: 'viewer-\u0142oken-cccccccccccc' }] }, 'server.tokens[0].token', /character 8 of the token is a character past U\+00FF/, '\u0142oken'],
    ] as const;
    for (const [server, key, what, secret] of cases) {
      const message = refusal(server);
      assert.ok(message, `${key} was taken`);
      assert.ok(message.includes(`${key}: `), message);
      assert.match(message, what);
      assert.ok(!message.includes(secret), `the message quotes the token: ${message}`);
      assert.doesNotMatch(message, / of \d+ of the token/, 'nor its length');
    }
    // What every transport carries as it is: a passphrase with spaces between its words, a Latin-1 letter.
    assert.equal(refusal({ accessToken: 'correct horse battery staple 42' }), null);
    assert.equal(refusal({ tokens: [{ role: 'viewer', token: 'v\u00efewer-t\u00f8ken-ccccccccccc' }] }), null);
  });

  test('surrounding whitespace is dropped (a secrets file with its newline); the length counts without it', () => {
    const config = validateConfig({ server: { accessToken: ' admin-token-aaaaaaaaaaaa\r\n', tokens: [{ role: 'viewer', token: '\tviewer-token-cccccccccccc\n' }], publishTokens: ['publish-token-bbbbbbbbbb\n'] } }, '(test)');
    assert.equal(config.server.accessToken, 'admin-token-aaaaaaaaaaaa');
    assert.equal(config.server.tokens[0]!.token, 'viewer-token-cccccccccccc');
    assert.deepEqual(config.server.publishTokens, ['publish-token-bbbbbbbbbb']);
    assert.match(refusal({ accessToken: 'short-token\n\n\n\n\n\n' }) ?? '', /server\.accessToken: at least 16 characters/);
    // Two tokens that differ only in the whitespace dropped are one token given twice.
    assert.match(refusal({ accessToken: 'admin-token-aaaaaaaaaaaa', publishTokens: ['admin-token-aaaaaaaaaaaa\n'] }) ?? '', /server\.publishTokens\[0\]: this token is also given elsewhere/);
  });
});

describe('a token read with its trailing newline', () => {
  const VIEWER = 'viewer-token-cccccccccccc';
  const PUBLISH = 'publish-token-bbbbbbbbbb';
  const OPERATOR = 'operator-token-dddddddddd';
  const ADMIN = 'admin-token-aaaaaaaaaaaa';
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({
      server: { accessToken: ADMIN, tokens: [{ role: 'viewer', token: `${VIEWER}\n` }, { role: 'operator', token: OPERATOR }], publishTokens: [`${PUBLISH}\n`] },
      cameras: [],
    });
  });

  after(async () => {
    await server?.close();
  });

  test('every transport takes it: Authorization: Bearer, ?token= and Socket.IO', async () => {
    for (const path of ['/api/health', '/metrics']) {
      assert.equal((await httpJson(`${server.url}${path}`, { token: VIEWER })).status, 200, `Bearer on ${path}`);
      assert.equal((await httpJson(`${server.url}${path}?token=${VIEWER}`)).status, 200, `?token= on ${path}`);
    }
    const { client } = await connectClient(server.url, { token: VIEWER });
    client.close();
    // A client that sends the token with its newline too (read from the same file): the same token.
    assert.equal((await httpJson(`${server.url}/api/health?token=${VIEWER}%0A`)).status, 200, '?token= with a newline');
    const withNewline = await connectClient(server.url, { token: `${VIEWER}\n` });
    withNewline.client.close();
    // The publish token passes /whip's access check: the junk offer is then refused for what it is, not for the token.
    const offer = await rawRequest(server.url, 'POST', '/whip/cam-w', { headers: { authorization: `Bearer ${PUBLISH}`, 'content-type': 'application/sdp' }, body: 'v=0\r\nthis is not SDP\r\n' });
    assert.equal(offer.status, 400, offer.body);
    assert.equal(errorCode(offer.body), 'BAD_REQUEST');
  });

  test("who may publish (the README's WHIP section): publish, operator and admin tokens; a viewer token is refused 403", async () => {
    const post = (token: string) => rawRequest(server.url, 'POST', '/whip/cam-w', { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' }, body: 'v=0\r\nthis is not SDP\r\n' });
    for (const token of [PUBLISH, OPERATOR, ADMIN]) assert.equal(errorCode((await post(token)).body), 'BAD_REQUEST', 'past the access check, refused for the offer');
    const viewer = await post(VIEWER);
    assert.equal(viewer.status, 403, viewer.body);
    assert.equal(errorCode(viewer.body), 'FORBIDDEN');
  });
});

describe('a passphrase token with a Latin-1 letter', () => {
  const PASSPHRASE = 'correct h\u00f8rse battery staple 42';
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ server: { accessToken: PASSPHRASE }, cameras: [] });
  });

  after(async () => {
    await server?.close();
  });

  test('every transport takes it, as before: Authorization: Bearer, ?token= and Socket.IO', async () => {
    assert.equal((await httpJson(`${server.url}/api/health`, { token: PASSPHRASE })).status, 200, 'Bearer');
    assert.equal((await httpJson(`${server.url}/api/health?token=${encodeURIComponent(PASSPHRASE)}`)).status, 200, '?token=');
    const { client } = await connectClient(server.url, { token: PASSPHRASE });
    client.close();
  });
});
