/**
 * Answers to hostile or malformed requests that once told the wrong story:
 * a path part over 100 characters answered 400 "cannot be routed" to
 * PATCH, POST and DELETE without any token (GET answered 404 past the
 * viewer check); WHIP's 405s carried BAD_REQUEST; a doubled ?token= read
 * as no token (401) where any other doubled key is a 400; and camera= with
 * no camera in it returned the whole shot log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { startTestServer } from '../support/server-harness.js';
import { errorCode, rawRequest, type RawResponse } from '../support/raw-http.js';

const VIEWER = 'viewer-token-hostile-routes-0123';
const ADMIN = 'admin-token-hostile-routes-01234';
const PUBLISH = 'publish-token-hostile-routes-012';

let server: RunningServer;

before(async () => {
  server = await startTestServer({
    server: { accessToken: ADMIN, tokens: [{ role: 'viewer', token: VIEWER }], publishTokens: [PUBLISH], authAttempts: { maxFailures: 100_000 } },
  });
});

after(async () => {
  await server?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const send = (method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> => rawRequest(server.url, method, target, { headers, ...(body === undefined ? {} : { body }) });
const messageOf = (response: RawResponse): string => (JSON.parse(response.body) as { error: { message: string } }).error.message;

describe('a path part longer than any id or name', () => {
  const LONG = [
    ['PATCH', `/api/cameras/${'a'.repeat(101)}`],
    ['DELETE', `/api/plans/${'b'.repeat(101)}`],
    ['POST', `/whip/${'a'.repeat(101)}`],
    ['DELETE', `/whip/cam/sessions/${'s'.repeat(101)}`],
    ['GET', `/api/cameras/${'a'.repeat(101)}`],
  ] as const;

  test('without a token: 401, as any path without a route; never a 400 that tells the route is there', async () => {
    for (const [method, target] of LONG) {
      const response = await send(method, target, { 'content-type': 'application/json' }, method === 'GET' || method === 'DELETE' ? undefined : '{}');
      assert.equal(response.status, 401, `${method} ${target.slice(0, 30)}: ${response.body}`);
      assert.equal(errorCode(response.body), 'UNAUTHORIZED');
      const wrong = await send(method, target, bearer('wrong-token-hostile-routes-0123'));
      assert.equal(wrong.status, 401, `${method} with a wrong token`);
    }
  });

  test('with a viewer token: the 404 GET answers, saying why, whatever the method', async () => {
    for (const [method, target] of LONG) {
      const response = await send(method, target, bearer(VIEWER));
      assert.equal(response.status, 404, `${method} ${target.slice(0, 30)}: ${response.body}`);
      assert.equal(errorCode(response.body), 'NOT_FOUND');
      assert.match(messageOf(response), /a part of the path is 101 characters long, and no id or name is longer than 100/);
    }
    const viaQuery = await send('PATCH', `/api/cameras/${'a'.repeat(101)}?token=${VIEWER}`);
    assert.equal(viaQuery.status, 404, 'a ?token= counts as the header does');
    assert.doesNotMatch(viaQuery.body, new RegExp(VIEWER), 'the token is not echoed');
  });

  test('a malformed percent-encoding is still a 400 saying where', async () => {
    const response = await send('PATCH', '/api/plans/%zz');
    assert.equal(response.status, 400);
    assert.match(messageOf(response), /malformed percent-encoding/);
  });
});

describe('a mistyped WHIP URL sent with a publish token', () => {
  // Once told "this needs the viewer or operator or admin role; the token given is a publish token": the
  // publisher looked for the fault in its token. The admin token was told 404 for the same paths.
  const MISTYPED = [
    ['POST', '/whip/cam/'],
    ['POST', '/whip'],
    ['POST', `/whip/${'a'.repeat(101)}`],
    ['DELETE', '/whip/cam/sessions/s1/'],
    ['DELETE', '/WHIP/CAM/SESSIONS/S1'],
    // GET lands on the page's catch-all, which holds the paths under /api/, /whip/ and /metrics that no route takes.
    ['GET', '/api/nope'],
    ['GET', '/whip/cam/'],
    ['GET', '/metricsx'],
    ['HEAD', '/api/nope'],
  ] as const;

  test('any valid token is told the path has no route: 404 NOT_FOUND; without a token or with a wrong one, 401 as before', async () => {
    for (const [method, target] of MISTYPED) {
      const body = method === 'POST' ? 'v=0\r\n' : undefined;
      const headers: Record<string, string> = method === 'POST' ? { 'content-type': 'application/sdp' } : {};
      for (const token of [PUBLISH, VIEWER, ADMIN]) {
        const response = await send(method, target, { ...headers, ...bearer(token) }, body);
        assert.equal(response.status, 404, `${method} ${target.slice(0, 30)} with ${token.split('-')[0]}: ${response.body}`);
        if (method !== 'HEAD') assert.equal(errorCode(response.body), 'NOT_FOUND');
      }
      const viaQuery = await send(method, `${target}?token=${PUBLISH}`, headers, body);
      assert.equal(viaQuery.status, 404, `${method} ${target.slice(0, 30)} with ?token=: ${viaQuery.body}`);
      const none = await send(method, target, headers, body);
      assert.equal(none.status, 401, `${method} ${target.slice(0, 30)} without a token: ${none.body}`);
      if (method !== 'HEAD') assert.equal(errorCode(none.body), 'UNAUTHORIZED');
      const wrong = await send(method, target, { ...headers, ...bearer('wrong-token-hostile-routes-0123') }, body);
      assert.equal(wrong.status, 401, `${method} ${target.slice(0, 30)} with a wrong token`);
    }
  });

  test('a route that is there still needs its role: a publish token on the API is refused 403', async () => {
    const response = await send('GET', '/api/cameras', bearer(PUBLISH));
    assert.equal(response.status, 403, response.body);
    assert.equal(errorCode(response.body), 'FORBIDDEN');
  });
});

describe('methods WHIP does not take', () => {
  test('GET, PUT and HEAD on the endpoint and PATCH on a session: 405 METHOD_NOT_ALLOWED with Allow', async () => {
    for (const method of ['GET', 'PUT']) {
      const response = await send(method, '/whip/cam-x', bearer(PUBLISH));
      assert.equal(response.status, 405, `${method}: ${response.body}`);
      assert.equal(errorCode(response.body), 'METHOD_NOT_ALLOWED', method);
      assert.match(String(response.headers.allow), /POST/);
    }
    const head = await send('HEAD', '/whip/cam-x', bearer(PUBLISH));
    assert.equal(head.status, 405);
    const patch = await send('PATCH', '/whip/cam-x/sessions/s1', { ...bearer(PUBLISH), 'content-type': 'application/trickle-ice-sdpfrag' }, 'a=candidate:1');
    assert.equal(patch.status, 405, patch.body);
    assert.equal(errorCode(patch.body), 'METHOD_NOT_ALLOWED');
    assert.match(messageOf(patch), /trickle ICE is not supported/);
    assert.match(String(patch.headers.allow), /DELETE/);
  });
});

describe('query parameters', () => {
  test('?token= given twice is a 400 naming it, as any other key given twice', async () => {
    for (const target of [`/api/health?token=${VIEWER}&token=${VIEWER}`, `/api/shots?token=${VIEWER}&token=x`, `/api/cameras/${'a'.repeat(101)}?token=${VIEWER}&token=${VIEWER}`]) {
      const response = await send('GET', target);
      assert.equal(response.status, 400, `${target.slice(0, 40)}: ${response.body}`);
      assert.equal(errorCode(response.body), 'BAD_REQUEST');
      assert.match(messageOf(response), /query parameter "token" is given more than once/);
      assert.doesNotMatch(response.body, new RegExp(VIEWER));
    }
    const other = await send('GET', '/api/shots?limit=1&limit=2', bearer(VIEWER));
    assert.match(messageOf(other), /query parameter "limit" is given more than once/);
    assert.equal((await send('GET', `/api/health?token=${VIEWER}`)).status, 200);
    assert.notEqual((await send('GET', `/api/nothing-here?token=${VIEWER}&token=${VIEWER}`)).status, 401, 'a path without a route too');
  });

  test('camera= that names no camera is refused, naming the parameter; it never means every camera', async () => {
    for (const query of ['camera=', 'camera=,,', 'camera=%20,%20']) {
      for (const route of ['/api/shots', '/api/coverage']) {
        const response = await send('GET', `${route}?${query}`, bearer(VIEWER));
        assert.equal(response.status, 400, `${route}?${query}: ${response.body}`);
        assert.equal(errorCode(response.body), 'BAD_REQUEST');
        assert.match(messageOf(response), /query parameter "camera" names no camera/);
      }
    }
    assert.equal((await send('GET', '/api/shots?camera=cam-a,,cam-b', bearer(VIEWER))).status, 200, 'a list with an empty entry still names cameras');
    assert.equal((await send('GET', '/api/shots', bearer(VIEWER))).status, 200);
  });

  test('scale= takes scales in any case and none; a word that is no scale, or none at all, is refused naming the scales; coverage takes no scale', async () => {
    for (const [query, says] of [
      ['scale=XL', /scale: "XL" is not a shot scale \(ECU, CU, MCU, MS, MWS, FS, WS, EWS, or none/],
      ['scale=CU,wide', /scale: "wide" is not a shot scale/],
      ['scale=', /scale: "" names no scale/],
      ['scale=,%20,', /names no scale: give one or more \(scale=CU,MCU/],
    ] as const) {
      for (const route of ['/api/shots', '/api/shots?format=edl&', '/api/report']) {
        const target = route.endsWith('&') ? `${route}${query}` : `${route}?${query}`;
        const response = await send('GET', target, bearer(VIEWER));
        assert.equal(response.status, 400, `${target}: ${response.body}`);
        assert.equal(errorCode(response.body), 'BAD_REQUEST');
        assert.match(messageOf(response), says);
      }
    }
    for (const query of ['scale=cu,MCU', 'scale=None', 'scale=EWS,,ECU']) assert.equal((await send('GET', `/api/shots?${query}`, bearer(VIEWER))).status, 200, query);
    const coverage = await send('GET', '/api/coverage?scale=CU', bearer(VIEWER));
    assert.equal(coverage.status, 400, coverage.body);
    assert.match(messageOf(coverage), /query parameter "scale": GET \/api\/coverage takes camera, scene, take, from/);
  });
});
