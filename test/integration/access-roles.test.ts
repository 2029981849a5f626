/**
 * Roles on every route and event: a server with a token of each role, every
 * HTTP route walked with every role (and none, and a wrong token), every
 * Socket.IO event tried with each role, the README's table held against the
 * routes the server really has, and the token bypasses once found (encoded
 * paths, absolute-form targets) kept closed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { SOCKET_EVENT_ACCESS } from '../../server/api/socket-hub.js';
import { grants, type Access, type Role } from '../../server/shared/access-roles.js';
import { createLogger } from '../../server/shared/logger.js';
import type { SubscribeAck, TakeAck } from '../../server/shared/socket-events.js';
import { connectClient, REPO_DIR, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { errorCode, rawRequest } from '../support/raw-http.js';
import { readRouteTable, readSocketEventTable } from '../support/route-table.js';

const TOKENS: Record<Role, string> = {
  admin: 'admin-token-roles-0123456789',
  operator: 'operator-token-roles-0123456789',
  viewer: 'viewer-token-roles-0123456789',
  publish: 'publish-token-roles-0123456789',
};
const WRONG = 'wrong-token-roles-0123456789';

let server: RunningServer;

/** The server's log, to check what refusals leave in it. */
const logLines: string[] = [];

before(async () => {
  server = await startTestServer({
    server: {
      accessToken: TOKENS.admin,
      tokens: [
        { role: 'operator', token: TOKENS.operator, name: 'floor' },
        { role: 'viewer', token: TOKENS.viewer },
      ],
      publishTokens: [TOKENS.publish],
      // The walk sends wrong tokens on purpose; the limiter is tested apart.
      authAttempts: { maxFailures: 100_000 },
    },
    cameras: [testsrcCamera('cam-a')],
  }, createLogger('test', 'warn', (line) => logLines.push(line)));
});

after(async () => {
  await server?.close();
});

/** A concrete path for a route pattern: ids that do not exist, so allowed requests change nothing. */
function concrete(url: string): string {
  return url
    .replace(':cameraId', 'walk-cam')
    .replace(':sessionId', 'no-such-session')
    .replace(':id', '999999')
    .replace(':scene', 'walk-scene')
    .replace(':key', 'no-such-alert')
    .replace('*', 'index.html');
}

const bearer = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

describe('every route, every role', () => {
  test('every route declares its access', () => {
    const undeclared = server.routes.filter((r) => r.access === null);
    assert.deepEqual(undeclared, [], 'routes without an access rule');
    assert.ok(server.routes.length >= 25, `only ${server.routes.length} routes seen`);
  });

  test('each role gets in exactly where it may: 401 without or with a wrong token, 403 below the role', async () => {
    const callers: { who: string; token: string | null; role: Role | null }[] = [
      { who: 'nobody', token: null, role: null },
      { who: 'wrong token', token: WRONG, role: null },
      ...(Object.entries(TOKENS) as [Role, string][]).map(([role, token]) => ({ who: role, token, role })),
    ];
    let checked = 0;
    for (const route of server.routes) {
      if (route.method === 'HEAD' || route.method === 'OPTIONS') continue;
      const access = route.access as Access;
      for (const caller of callers) {
        const target = concrete(route.url);
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}';
        const response = await rawRequest(server.url, route.method, target, { headers: { ...bearer(caller.token), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) });
        const where = `${route.method} ${target} as ${caller.who} (needs ${access}): ${response.status} ${response.body.slice(0, 120)}`;
        assert.ok(response.status < 500, where);
        const allowed = access === 'public' || (caller.role !== null && grants(caller.role, access));
        if (allowed) {
          assert.ok(![401, 403, 429].includes(response.status), where);
        } else if (caller.role === null) {
          assert.equal(response.status, 401, where);
          assert.equal(errorCode(response.body), 'UNAUTHORIZED', where);
        } else {
          assert.equal(response.status, 403, where);
          assert.equal(errorCode(response.body), 'FORBIDDEN', where);
        }
        checked += 1;
      }
    }
    assert.ok(checked > 100, `${checked} requests`);
    assert.ok(server.cameras.has('cam-a') && !server.cameras.has('walk-cam'), 'nothing was created or removed');
  });

  test('/api/session names the token\'s role and says tokens are required', async () => {
    const session = await rawRequest(server.url, 'GET', '/api/session', { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    assert.equal(session.status, 200, session.body);
    assert.deepEqual(JSON.parse(session.body), { role: 'viewer', name: 'viewer token 2', tokensRequired: true });
  });

  test("the README's table lists every route with the access it really needs", () => {
    const readme = readFileSync(path.join(REPO_DIR, 'README.md'), 'utf8');
    const documented = new Map(readRouteTable(readme).map((r) => [`${r.method} ${r.url}`, r.access]));
    const actual = new Map(server.routes.filter((r) => r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r.access]));
    assert.deepEqual(Object.fromEntries([...documented].sort()), Object.fromEntries([...actual].sort()));
    const events = new Map(readSocketEventTable(readme).map((e) => [e.event, e.access]));
    assert.deepEqual(Object.fromEntries([...events].sort()), Object.fromEntries(Object.entries(SOCKET_EVENT_ACCESS).sort()));
  });
});

describe('the bypasses once found stay closed', () => {
  const cases: [string, string][] = [
    ['GET', '/%61pi/cameras'],
    ['GET', '/%61pi/health'],
    ['POST', '/%61pi/cameras'],
    ['POST', '/%61pi/takes'],
    ['DELETE', '/%61pi/cameras/cam-a'],
    ['GET', '/%6detrics'],
    ['GET', '/%6D%65%74%72%69%63%73'],
    ['GET', '/api/%63ameras'],
    ['GET', '/%2561pi/cameras'],
    ['GET', '//api/cameras'],
    ['GET', '/api/./cameras'],
    ['GET', '/x/../api/cameras'],
    ['GET', '/api/cameras/'],
    ['GET', '/api%2Fcameras'],
    ['GET', '/API/cameras'],
    ['GET', '/api/cameras;token=x'],
    ['GET', '/api/cameras?token='],
    ['GET', '/api/cameras?token=a&token=b'],
    ['PATCH', '/%61pi/cameras/cam-a'],
    ['PUT', '/%61pi/plans/1'],
  ];

  test('percent-encoded and odd paths answer 401 or 404 without a token, never data', async () => {
    for (const [method, target] of cases) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify({ id: 'sneaky', source: { kind: 'testsrc' }, scene: '1', items: [{ scale: 'WS' }] });
      const response = await rawRequest(server.url, method, target, body ? { body, headers: { 'content-type': 'application/json' } } : {});
      assert.ok([400, 401, 404].includes(response.status), `${method} ${target}: ${response.status} ${response.body.slice(0, 200)}`);
      assert.ok(!/cam-a|shotscale_/.test(response.body), `${method} ${target} leaked: ${response.body.slice(0, 200)}`);
    }
    assert.equal(server.cameras.has('sneaky'), false);
    assert.equal(server.cameras.has('cam-a'), true);
    assert.deepEqual(server.shotLog!.runningTakes(), []);
  });

  test('a path under the API that matches no route needs a token before it learns so, as any unmatched path', async () => {
    for (const [method, target] of [['GET', '/api/no-such-route'], ['GET', '/%61pi/no-such-route'], ['GET', '/whip/a/b/c'], ['GET', '/metrics/x'], ['POST', '/api/no-such-route']] as const) {
      const without = await rawRequest(server.url, method, target);
      assert.equal(without.status, 401, `${method} ${target} without a token: ${without.status} ${without.body.slice(0, 120)}`);
      const viewer = await rawRequest(server.url, method, target, { headers: bearer(TOKENS.viewer) });
      assert.equal(viewer.status, 404, `${method} ${target} as a viewer`);
      assert.equal(errorCode(viewer.body), 'NOT_FOUND');
    }
    assert.equal((await rawRequest(server.url, 'GET', '/no-such-page.html')).status, 404, 'a page path is still public');
  });

  test('absolute-form targets are judged by the route they reach', async () => {
    const host = new URL(server.url).host;
    for (const target of [`http://${host}/api/health`, `http://${host}/api/cameras`, `http://${host}/%61pi/cameras`, `http://${host}/metrics`, `http://example.com/api/health`]) {
      const response = await rawRequest(server.url, 'GET', target);
      assert.ok([400, 401, 404].includes(response.status), `${target}: ${response.status} ${response.body.slice(0, 200)}`);
      assert.ok(!/cam-a|shotscale_/.test(response.body), `${target} leaked`);
    }
    const withToken = await rawRequest(server.url, 'GET', `http://${host}/api/cameras`, { headers: bearer(TOKENS.viewer) });
    assert.equal(withToken.status, 200, 'the same target with a token works, so the route really was reached');
  });

  test("the shot log's path on disk is shown to an admin, its file name alone to a viewer", async () => {
    const database = async (token: string) => (JSON.parse((await rawRequest(server.url, 'GET', '/api/health', { headers: bearer(token) })).body) as { shotLog: { database: string } }).shotLog.database;
    assert.ok(path.isAbsolute(await database(TOKENS.admin)));
    assert.equal(await database(TOKENS.viewer), path.basename(await database(TOKENS.admin)));
  });

  test('the page and its assets load without a token', async () => {
    const page = await rawRequest(server.url, 'GET', '/');
    assert.equal(page.status, 200);
    const asset = /src="(?:\.?\/)?(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    assert.ok(asset, 'the page names its script');
    assert.equal((await rawRequest(server.url, 'GET', `/${asset}`)).status, 200);
    assert.equal((await rawRequest(server.url, 'GET', '/../package.json')).status !== 200, true);
  });
});

/** shotscale_auth_refused_total{transport="socket",reason}. */
async function refusedCount(reason: string): Promise<number> {
  const metric = await server.metrics.authRefused.get();
  return metric.values.find((v) => v.labels.transport === 'socket' && v.labels.reason === reason)?.value ?? 0;
}

describe('Socket.IO roles', () => {
  const takeStart = (client: Awaited<ReturnType<typeof connectClient>>['client'], scene: string) =>
    new Promise<TakeAck>((resolve) => client.emit('take:start', { scene }, resolve));

  test('hello tells the role; a viewer watches but cannot slate; an operator can', async () => {
    const viewer = await connectClient(server.url, { token: TOKENS.viewer });
    assert.equal(viewer.info.role, 'viewer');
    const subscribed = await new Promise<SubscribeAck>((resolve) => viewer.client.emit('subscribe', ['cam-a'], resolve));
    assert.deepEqual(subscribed, { ok: true, subscribed: ['cam-a'] });
    const refused = await takeStart(viewer.client, '7');
    assert.ok(!refused.ok && refused.error.code === 'FORBIDDEN', JSON.stringify(refused));
    assert.deepEqual(server.shotLog!.runningTakes(), []);
    viewer.client.close();

    const operator = await connectClient(server.url, { token: TOKENS.operator });
    assert.equal(operator.info.role, 'operator');
    const started = await takeStart(operator.client, '7');
    assert.ok(started.ok && started.takes[0]!.scene === '7', JSON.stringify(started));
    const ended = await new Promise<TakeAck>((resolve) => operator.client.emit('take:end', null, resolve));
    assert.ok(ended.ok && ended.takes.length === 1);
    operator.client.close();
  });

  test('an unknown event is answered with a code; a client sending refused events in a loop leaves a few log lines, not one each', async () => {
    const viewer = await connectClient(server.url, { token: TOKENS.viewer });
    const emitRaw = viewer.client.emit.bind(viewer.client) as unknown as (event: string, ...args: unknown[]) => void;
    const unknown = await new Promise<TakeAck>((resolve) => emitRaw('take:stop', { scene: '1' }, resolve));
    assert.ok(!unknown.ok && unknown.error.code === 'BAD_REQUEST' && /no event "take:stop"/.test(unknown.error.message), JSON.stringify(unknown));
    // A direction override in what is quoted back is written as \u202e (it would turn the rest of the line around).
    const turned = await new Promise<TakeAck>((resolve) => emitRaw('take:\u202estop', { scene: '1' }, resolve));
    assert.ok(!turned.ok && turned.error.message.startsWith('no event "take:\\u202estop"'), JSON.stringify(turned));
    const before = logLines.length;
    const forbiddenBefore = await refusedCount('forbidden');
    for (let i = 0; i < 300; i++) {
      viewer.client.emit('take:start', { scene: `${i}` });
      emitRaw('no-such-event', i);
    }
    const last = await takeStart(viewer.client, 'last');
    assert.equal(last.ok, false, 'every refused event is still answered');
    const written = logLines.slice(before);
    assert.ok(written.length <= 10, `${written.length} log lines for 601 refused events:\n${written.slice(0, 12).join('\n')}`);
    assert.ok(written.some((line) => /refused/.test(line)), `the first refusals are logged as they come:\n${written.join('\n')}`);
    assert.equal((await refusedCount('forbidden')) - forbiddenBefore, 301, 'each refused event is counted in /metrics');
    viewer.client.close();
  });

  test('publish tokens and wrong tokens do not connect', async () => {
    await assert.rejects(connectClient(server.url, { token: TOKENS.publish }), (error: Error & { data?: { code?: string } }) => error.message === 'publish only' && error.data?.code === 'FORBIDDEN', 'a publish token is told it may only publish');
    await assert.rejects(connectClient(server.url, { token: WRONG }), /unauthorized/);
    await assert.rejects(connectClient(server.url), /unauthorized/);
  });
});

describe('wrong tokens are rate-limited per address', () => {
  let limited: RunningServer;

  before(async () => {
    limited = await startTestServer({ server: { accessToken: TOKENS.admin, authAttempts: { maxFailures: 3, windowS: 60, blockS: 30 } } });
  });

  after(async () => {
    await limited?.close();
  });

  test('after 3 wrong tokens even the right one waits (429, Retry-After); the page still loads; /metrics counts it all', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await rawRequest(limited.url, 'GET', '/api/health', { headers: bearer(`${WRONG}-${i}`) })).status, 401);
    const blocked = await rawRequest(limited.url, 'GET', '/api/health', { headers: bearer(TOKENS.admin) });
    assert.equal(blocked.status, 429);
    assert.equal(errorCode(blocked.body), 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(blocked.headers['retry-after']) > 0 && Number(blocked.headers['retry-after']) <= 30);
    await assert.rejects(connectClient(limited.url, { token: TOKENS.admin }), /too many attempts/);
    assert.equal((await rawRequest(limited.url, 'GET', '/')).status, 200);
    const metrics = await limited.metrics.registry.metrics();
    assert.match(metrics, /shotscale_auth_refused_total\{transport="http",reason="wrong"\} 3/);
    assert.match(metrics, /shotscale_auth_refused_total\{transport="http",reason="blocked"\} 1/);
    assert.match(metrics, /shotscale_auth_refused_total\{transport="socket",reason="blocked"\} 1/);
  });
});
