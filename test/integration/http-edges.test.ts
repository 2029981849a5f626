/**
 * Rough edges of the HTTP API a user met, each answered with a code of ours
 * and words that say what is wrong:
 * - a method a path does not have (PUT /api/cameras/cam-1) answered 404 "no
 *   route": now 405 METHOD_NOT_ALLOWED with Allow, and only past the check a
 *   path without a route gets (a viewer token), so a caller without a token
 *   learns nothing a 404 would not have told it;
 * - a form or a text/plain body answered 415 BAD_REQUEST "Unsupported Media
 *   Type", or "expected object, received string": now 415
 *   UNSUPPORTED_MEDIA_TYPE naming the type and the one the API reads;
 * - GET /api/plans/% answered "(FST_ERR_BAD_URL)": now where the path's
 *   percent-encoding breaks, in words;
 * - 413 did not say the limit;
 * - a message quoting a camera id echoed a right-to-left override (or an
 *   escape) as it came: now such characters are written as \uXXXX.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { errorCode, rawRequest, type RawResponse } from '../support/raw-http.js';
import { startTestServer, testsrcCamera } from '../support/server-harness.js';

const ADMIN = 'admin-token-http-edges-0123456789';
const VIEWER = 'viewer-token-http-edges-0123456789';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const messageOf = (response: RawResponse) => (JSON.parse(response.body) as { error: { message: string } }).error.message;

describe('HTTP API edges', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ server: { accessToken: ADMIN, tokens: [{ role: 'viewer', token: VIEWER }] }, cameras: [testsrcCamera('cam-1')] });
  });

  after(async () => {
    await server?.close();
  });

  const send = (method: string, target: string, options: { token?: string; body?: string; type?: string } = {}) =>
    rawRequest(server.url, method, target, {
      headers: { ...(options.token ? bearer(options.token) : {}), ...(options.type ? { 'content-type': options.type } : {}) },
      ...(options.body === undefined ? {} : { body: options.body }),
    });

  test('a method the path does not have: 405 METHOD_NOT_ALLOWED with Allow listing the methods it has', async () => {
    for (const [method, target, allow] of [
      ['PUT', '/api/cameras/cam-1', 'GET, HEAD, PATCH, DELETE'],
      ['DELETE', '/api/takes', 'GET, HEAD, POST'],
      ['POST', '/api/health', 'GET, HEAD'],
      ['PUT', '/api/cameras', 'GET, HEAD, POST'],
      // A path the router decodes is the path it reaches.
      ['POST', '/%61pi/health', 'GET, HEAD'],
    ] as const) {
      const response = await send(method, target, { token: VIEWER });
      const where = `${method} ${target}: ${response.status} ${response.body}`;
      assert.equal(response.status, 405, where);
      assert.equal(errorCode(response.body), 'METHOD_NOT_ALLOWED', where);
      assert.equal(response.headers.allow, allow, where);
      assert.equal(messageOf(response), `${method} is not a method of ${target}: it takes ${allow}`);
    }
    // Paths the API does not have stay 404, a page path too (only the page's catch-all takes it).
    for (const [method, target] of [['PUT', '/api/nope'], ['POST', '/nope/at/all'], ['PATCH', '/api/health/x'], ['PUT', `/api/cameras/${'a'.repeat(200)}`]] as const) {
      const response = await send(method, target, { token: VIEWER });
      assert.equal(response.status, 404, `${method} ${target}: ${response.status} ${response.body}`);
      assert.equal(errorCode(response.body), 'NOT_FOUND');
      assert.equal(response.headers.allow, undefined);
    }
    assert.ok(server.cameras.has('cam-1'));
  });

  test('without a token a wrong method is answered as a path without a route: the same 401, no Allow', async () => {
    const missing = await send('PUT', '/api/no-such-route');
    assert.equal(missing.status, 401);
    for (const token of [undefined, 'wrong-token-http-edges-0123456789']) {
      for (const [method, target] of [['PUT', '/api/cameras/cam-1'], ['DELETE', '/api/takes'], ['POST', '/api/health']] as const) {
        const response = await send(method, target, token ? { token } : {});
        const where = `${method} ${target} with ${token ? 'a wrong token' : 'no token'}: ${response.status} ${response.body}`;
        assert.equal(response.status, 401, where);
        assert.equal(errorCode(response.body), 'UNAUTHORIZED', where);
        assert.equal(response.headers.allow, undefined, where);
        if (!token) assert.equal(response.body, missing.body, `${where}: not what a path without a route gets`);
      }
    }
  });

  test('a body that is not JSON: 415 UNSUPPORTED_MEDIA_TYPE naming its type and the one the API reads; nothing done', async () => {
    const form = await send('POST', '/api/takes', { token: ADMIN, body: 'scene=1', type: 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415, form.body);
    assert.equal(errorCode(form.body), 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(messageOf(form), /content-type is "application\/x-www-form-urlencoded", not JSON.*content-type: application\/json/);
    const text = await send('POST', '/api/takes', { token: ADMIN, body: '{"scene":"1"}', type: 'text/plain;charset=UTF-8' });
    assert.equal(text.status, 415, text.body);
    assert.equal(errorCode(text.body), 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(messageOf(text), /content-type is "text\/plain", not JSON/);
    assert.doesNotMatch(messageOf(text), /received string/);
    const none = await send('PATCH', '/api/cameras/cam-1', { token: ADMIN, body: '{"name":"x"}' });
    assert.equal(none.status, 415, none.body);
    assert.match(messageOf(none), /no content-type.*content-type: application\/json/);
    assert.deepEqual(server.shotLog!.takeStore.list(), []);
  });

  test('a malformed percent-encoding in the path is said in words, with no framework code and no query echoed', async () => {
    for (const [target, words] of [
      ['/api/plans/%', /malformed percent-encoding after "\/api\/plans\/" \("%"\): a "%" must be followed by two hex digits \(a "%" itself is written %25\)/],
      ['/api/cameras/%zz?token=secret-in-url-0123456789', /malformed percent-encoding after "\/api\/cameras\/" \("%zz"\)/],
      ['/api/plans/ok%C3%28', /malformed percent-encoding after "\/api\/plans\/ok" \("%C3%28"\): the bytes these escapes stand for are not UTF-8 text/],
    ] as const) {
      const response = await send('GET', target);
      assert.equal(response.status, 400, `${target}: ${response.body}`);
      assert.equal(errorCode(response.body), 'BAD_REQUEST');
      assert.match(messageOf(response), words);
      assert.doesNotMatch(response.body, /FST_|secret-in-url/);
    }
  });

  test('a body over the limit: 413 naming the limit', async () => {
    const response = await send('POST', '/api/takes', { token: ADMIN, body: JSON.stringify({ scene: 'x'.repeat(300_000) }), type: 'application/json' });
    assert.equal(response.status, 413);
    assert.equal(errorCode(response.body), 'BODY_TOO_LARGE');
    assert.match(messageOf(response), /larger than 256 KB \(262144 bytes\), the most this route takes \(content-length: 300012\)/);
    // A WHIP offer has a limit of its own.
    const offer = await send('POST', '/whip/phone-1', { token: ADMIN, body: `v=0\r\n${'a=x\r\n'.repeat(15_000)}`, type: 'application/sdp' });
    assert.equal(offer.status, 413, offer.body);
    assert.match(messageOf(offer), /larger than 64 KB \(65536 bytes\), the most this route takes/);
    assert.ok(!server.cameras.has('phone-1'));
  });

  test('a message quoting what the client sent writes control and direction characters as \\uXXXX', async () => {
    for (const [target, shown] of [
      ['/api/cameras/%E2%80%AE', 'no camera "\\u202e"'],
      ['/api/cameras/a%1Bb', 'no camera "a\\u001bb"'],
      ['/api/cameras/x%E2%81%A6y%C2%85', 'no camera "x\\u2066y\\u0085"'],
    ] as const) {
      const response = await send('GET', target, { token: VIEWER });
      assert.equal(response.status, 404, response.body);
      assert.equal(errorCode(response.body), 'CAMERA_NOT_FOUND');
      const message = messageOf(response);
      assert.ok(message.includes(shown), `${target}: ${JSON.stringify(message)}`);
      assert.doesNotMatch(message, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    // Letters of other scripts are not control characters: quoted as they are.
    const accented = await send('GET', '/api/cameras/%C3%A9t%C3%A9', { token: VIEWER });
    assert.ok(messageOf(accented).includes('"été"'), accented.body);
  });
});
