/**
 * The fuzzers' judgement, checked on answers made up to be wrong: a fuzzer
 * whose oracle passes everything finds nothing and says so with a straight
 * face. Also the README's tables as the fuzzers read them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from '../../server/shared/access-roles.js';
import { readRouteTable, readSocketEventTable, routeMatches } from '../support/route-table.js';
import type { HttpCase } from '../fuzz/http-cases.js';
import { judgeHttp, pathReadings, rolesCarried, type HttpOutcome, type OracleContext } from '../fuzz/http-oracle.js';
import { Rng, deepJson } from '../fuzz/fuzz-values.js';

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');
const TOKENS: Record<Role, string> = { admin: 'admin-token-0123456789', operator: 'operator-token-0123456789', viewer: 'viewer-token-0123456789', publish: 'publish-token-0123456789' };
const PAGE = '<!doctype html><title>shotscale</title>';
const SCRIPT = `var e=Object.defineProperty;${'x'.repeat(2000)}`;
const ctx: OracleContext = {
  routes: readRouteTable(readme),
  tokens: TOKENS,
  publicFiles: { names: ['index.html', 'assets/index.js'], bodies: new Set([PAGE, SCRIPT]), sizes: new Set([PAGE.length, SCRIPT.length]) },
  secrets: [...Object.values(TOKENS), 'cam-a'],
};

function httpCase(method: string, target: string, headers: [string, string][] = []): HttpCase {
  return { id: 0, route: '(test)', method, target, headers, transport: 'http', mutations: [], mayClose: false };
}
const answer = (status: number, body: string, headers: Record<string, unknown> = {}): HttpOutcome => ({ kind: 'response', status, headers, body, ms: 1 });
const kinds = (c: HttpCase, o: HttpOutcome) => judgeHttp(c, o, ctx).map((v) => v.kind);

test("the README's tables: every route with its role, the Socket.IO events, GET /* and WHIP's OPTIONS public", () => {
  const routes = readRouteTable(readme);
  assert.ok(routes.length >= 25, `${routes.length} routes`);
  assert.deepEqual(routes.find((r) => r.url === '/api/health'), { method: 'GET', url: '/api/health', access: 'viewer' });
  assert.deepEqual(routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`), ['GET /api/health/ready', 'OPTIONS /whip/:cameraId', 'OPTIONS /whip/:cameraId/sessions/:sessionId', 'GET /*']);
  assert.deepEqual(readRouteTable('| `POST /api/x/:id` | operator | y |\n| `nope` | viewer |'), [{ method: 'POST', url: '/api/x/:id', access: 'operator' }]);
  const events = readSocketEventTable(readme);
  assert.deepEqual(events.find((e) => e.event === 'take:start'), { event: 'take:start', access: 'operator' });
  assert.ok(events.length >= 4);
});

test('route patterns match whole segments; a trailing * takes the rest', () => {
  assert.ok(routeMatches('/api/cameras/:id', '/api/cameras/cam-a'));
  assert.ok(!routeMatches('/api/cameras/:id', '/api/cameras/'));
  assert.ok(!routeMatches('/api/cameras/:id', '/api/cameras/a/b'));
  assert.ok(routeMatches('/*', '/'));
  assert.ok(routeMatches('/*', '/assets/x.js'));
  assert.ok(!routeMatches('/api/takes', '/api/takes/end'));
});

test('a token counts wherever a server might read it, and only when whole', () => {
  assert.deepEqual(rolesCarried(httpCase('GET', '/api/x', [['Authorization', `Bearer ${TOKENS.viewer}`]]), TOKENS), ['viewer']);
  assert.deepEqual(rolesCarried(httpCase('GET', `/api/x?token=${encodeURIComponent(TOKENS.admin).replace('a', '%61')}`), TOKENS), ['admin']);
  assert.deepEqual(rolesCarried(httpCase('GET', `/api/x?token=${TOKENS.admin}x`), TOKENS), []);
  assert.deepEqual(rolesCarried(httpCase('GET', '/api/x', [['Authorization', `Bearer ${TOKENS.operator.slice(0, -1)}`]]), TOKENS), []);
});

test('paths are read every way a router might: decoded, dot segments, absolute form', () => {
  assert.ok(pathReadings('/%61pi/cameras').includes('/api/cameras'));
  assert.ok(pathReadings('/x/%2e%2e/api/takes').includes('/api/takes'));
  assert.ok(pathReadings('http://host:1/api/takes?x=1').includes('/api/takes'));
  assert.ok(pathReadings('/%2561pi/takes').includes('/api/takes'));
});

test('flagged: data without a token, a viewer past an operator route, a 5xx, a refusal that talks', () => {
  assert.deepEqual(kinds(httpCase('GET', '/%61pi/cameras'), answer(200, '[{"cameraId":"cam-a"}]')), ['bypass']);
  assert.deepEqual(kinds(httpCase('DELETE', '/api/cameras/cam-a', [['Authorization', `Bearer ${TOKENS.viewer}`]]), answer(204, '')), ['bypass']);
  assert.deepEqual(kinds(httpCase('POST', '/api/takes', [['Authorization', `Bearer ${TOKENS.viewer}`]]), answer(201, '{}')), ['bypass']);
  assert.deepEqual(kinds(httpCase('POST', '/api/takes', [['Authorization', `Bearer ${TOKENS.publish}`]]), answer(201, '{}')), ['bypass']);
  assert.deepEqual(kinds(httpCase('GET', '/api/health', [['Authorization', `Bearer ${TOKENS.admin}`]]), answer(500, '{"error":{"code":"INTERNAL","message":"x"}}')), ['5xx']);
  assert.deepEqual(kinds(httpCase('GET', '/api/health'), answer(401, '{"error":{"code":"UNAUTHORIZED","message":"cam-a is here"}}')), ['leak']);
  assert.deepEqual(kinds(httpCase('GET', '/api/shots', [['Authorization', `Bearer ${TOKENS.publish}`]]), answer(403, '{"error":{"code":"FORBIDDEN","message":"no"},"shots":[]}')), ['leak']);
  assert.deepEqual(kinds(httpCase('OPTIONS', '/whip/cam-a'), answer(200, '{"cameraId":"cam-a"}')), ['bypass'], 'a public route that names something');
  assert.deepEqual(kinds(httpCase('GET', '/api/health/ready'), answer(200, '{"ready":true}')), [], 'the readiness probe: one word, no token');
  assert.deepEqual(kinds(httpCase('HEAD', '/api/health/ready'), answer(200, '')), [], 'and its HEAD');
  assert.deepEqual(kinds(httpCase('GET', '/api/health/ready'), answer(200, '{"ready":true,"problems":[]}')), ['bypass'], 'the probe saying more than ready');
  assert.deepEqual(kinds(httpCase('GET', '/'), { kind: 'timeout', message: 'x', ms: 5000 }), ['hang']);
  assert.deepEqual(kinds(httpCase('GET', '/'), { kind: 'closed', message: 'reset', ms: 5 }), ['closed']);
});

test('passed: the page without a token, a role on its own routes, refusals that say only no', () => {
  assert.deepEqual(kinds(httpCase('GET', '/'), answer(200, PAGE)), []);
  assert.deepEqual(kinds(httpCase('HEAD', '/index.html'), answer(200, '', { 'content-length': String(PAGE.length) })), []);
  assert.deepEqual(kinds(httpCase('POST', '/api/takes', [['Authorization', `Bearer ${TOKENS.operator}`]]), answer(201, '{}')), []);
  assert.deepEqual(kinds(httpCase('DELETE', '/api/cameras/x', [['Authorization', `bearer  ${TOKENS.admin} `]]), answer(204, '')), []);
  assert.deepEqual(kinds(httpCase('POST', '/whip/cam-a', [['Authorization', `Bearer ${TOKENS.publish}`]]), answer(201, 'v=0')), []);
  assert.deepEqual(kinds(httpCase('OPTIONS', '/whip/cam-a'), answer(204, '')), [], "WHIP's preflight answer, public and bodiless");
  const overSocket = { ...httpCase('GET', '/assets/index.js'), transport: 'socket' as const };
  assert.deepEqual(kinds(overSocket, answer(200, SCRIPT.slice(0, 1000))), [], 'a page file cut short over a raw socket');
  assert.deepEqual(kinds(overSocket, answer(200, `{"shots":[${'1,'.repeat(300)}1]}`)), ['bypass'], 'not data that starts no page file');
  assert.deepEqual(kinds(httpCase('GET', '/assets/index.js'), answer(200, SCRIPT.slice(0, 1000))), ['bypass'], 'over HTTP an answer is whole');
  assert.deepEqual(kinds(httpCase('GET', '/socket.io/?EIO=4&transport=polling'), answer(200, '0{"sid":"abc","upgrades":["websocket"]}')), []);
  assert.deepEqual(kinds(httpCase('GET', '/api/health'), answer(401, '{"error":{"code":"UNAUTHORIZED","message":"a valid access token is required"}}')), []);
});

test('generated JSON nests as deep as asked and stays JSON where meant to', () => {
  const rng = new Rng(3);
  for (let i = 0; i < 20; i++) {
    const text = deepJson(rng, 10_000);
    if (!text.endsWith('[')) assert.doesNotThrow(() => JSON.parse(text));
    assert.ok(text.length >= 10_000);
  }
});
