import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessGuard, type RefusalReason } from '../../server/api/access/access-guard.js';
import { AttemptLimiter } from '../../server/api/access/attempt-limiter.js';
import { TokenRegistry, tokenEntries } from '../../server/api/access/token-registry.js';
import { ACCESS_LEVELS, grants, rolesFor, type Access, type Role } from '../../server/shared/access-roles.js';

const ADMIN = 'admin-token-0123456789';
const OPERATOR = 'operator-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
const PUBLISH = 'publish-token-0123456789';

const SERVER = {
  accessToken: ADMIN,
  tokens: [
    { role: 'operator' as const, token: OPERATOR, name: 'floor' },
    { role: 'viewer' as const, token: VIEWER },
  ],
  publishTokens: [PUBLISH],
};

function guardWith(server: Parameters<typeof tokenEntries>[0] = SERVER, limits = { maxFailures: 3, windowS: 60, blockS: 30 }) {
  let now = 1_000_000;
  const refused: RefusalReason[] = [];
  const guard = new AccessGuard(new TokenRegistry(tokenEntries(server)), new AttemptLimiter(limits, () => now), (_t, reason) => refused.push(reason));
  return { guard, refused, advance: (ms: number) => (now += ms) };
}

describe('roles', () => {
  test('viewer < operator < admin; publish is its own', () => {
    const table: Record<Role, Access[]> = {
      viewer: ['public', 'viewer'],
      operator: ['public', 'publish', 'viewer', 'operator'],
      admin: ['public', 'publish', 'viewer', 'operator', 'admin'],
      publish: ['public', 'publish'],
    };
    for (const [role, allowed] of Object.entries(table) as [Role, Access[]][]) {
      for (const access of ACCESS_LEVELS) assert.equal(grants(role, access), allowed.includes(access), `${role} -> ${access}`);
    }
  });

  test('rolesFor lists the roles that may', () => {
    assert.deepEqual(rolesFor('operator'), ['operator', 'admin']);
    assert.deepEqual(rolesFor('publish'), ['operator', 'admin', 'publish']);
  });
});

describe('TokenRegistry', () => {
  test('each token speaks for its role and name; defaults name the role and place', () => {
    const registry = new TokenRegistry(tokenEntries(SERVER));
    assert.deepEqual(registry.identify(ADMIN), { role: 'admin', name: 'access token' });
    assert.deepEqual(registry.identify(OPERATOR), { role: 'operator', name: 'floor' });
    assert.deepEqual(registry.identify(VIEWER), { role: 'viewer', name: 'viewer token 2' });
    assert.deepEqual(registry.identify(PUBLISH), { role: 'publish', name: 'publish token 1' });
    assert.equal(registry.identify(`${VIEWER}x`), null);
    assert.equal(registry.identify(''), null);
  });

  test('no tokens: the local user may do anything; publish tokens alone close only publishing', () => {
    const open = new TokenRegistry([]);
    assert.equal(open.closed, false);
    for (const access of ACCESS_LEVELS) assert.equal(open.anonymous(access)?.role, 'admin', access);
    const publishOnly = new TokenRegistry(tokenEntries({ accessToken: null, tokens: [], publishTokens: [PUBLISH] }));
    assert.equal(publishOnly.anonymous('admin')?.role, 'admin');
    assert.equal(publishOnly.anonymous('publish'), null);
    const closed = new TokenRegistry(tokenEntries(SERVER));
    assert.equal(closed.anonymous('viewer'), null);
    assert.equal(closed.anonymous('public')?.role, 'viewer', 'the page is for anyone, who is no more than a viewer');
  });
});

describe('AccessGuard', () => {
  test('decides by role: 401 without or with a wrong token, 403 below the role, ok at or above', () => {
    const { guard, refused } = guardWith();
    assert.equal(guard.decide('public', undefined, 'a', 'http').ok, true);
    const none = guard.decide('viewer', undefined, 'a', 'http');
    assert.equal(none.ok === false && none.status, 401);
    const low = guard.decide('operator', VIEWER, 'a', 'http');
    assert.ok(!low.ok && low.status === 403 && low.code === 'FORBIDDEN' && /operator or admin/.test(low.message), JSON.stringify(low));
    const ok = guard.decide('operator', OPERATOR, 'a', 'http');
    assert.ok(ok.ok && ok.principal.name === 'floor');
    assert.equal(guard.decide('publish', PUBLISH, 'a', 'http').ok, true);
    assert.equal(guard.decide('viewer', PUBLISH, 'a', 'http').ok, false, 'a publish token opens nothing else');
    assert.deepEqual(refused, ['missing', 'forbidden', 'forbidden']);
  });

  test('wrong tokens block the address, even for the right token, until blockS has passed; other addresses are not affected', () => {
    const { guard, refused, advance } = guardWith();
    for (let i = 0; i < 3; i++) assert.equal(guard.decide('viewer', 'guess-guess-guess-' + i, '10.0.0.9', 'socket').ok, false);
    const blocked = guard.decide('viewer', ADMIN, '10.0.0.9', 'http');
    assert.ok(!blocked.ok && blocked.status === 429 && blocked.code === 'TOO_MANY_ATTEMPTS' && blocked.retryAfterS === 30, JSON.stringify(blocked));
    assert.equal(guard.decide('viewer', ADMIN, '10.0.0.10', 'http').ok, true);
    assert.equal(guard.decide('public', undefined, '10.0.0.9', 'http').ok, true, 'the page stays reachable');
    assert.equal(guard.blockedAddresses(), 1);
    advance(30_001);
    assert.equal(guard.decide('viewer', ADMIN, '10.0.0.9', 'http').ok, true);
    assert.equal(guard.blockedAddresses(), 0);
    assert.deepEqual(refused, ['wrong', 'wrong', 'wrong', 'blocked']);
  });

  test('failures older than the window are forgotten', () => {
    const { guard, advance } = guardWith();
    guard.decide('viewer', 'nope-nope-nope-nope', 'b', 'http');
    guard.decide('viewer', 'nope-nope-nope-nope', 'b', 'http');
    advance(61_000);
    guard.decide('viewer', 'nope-nope-nope-nope', 'b', 'http');
    assert.equal(guard.decide('viewer', VIEWER, 'b', 'http').ok, true);
  });

  test('an open server (no tokens) lets everything through and ignores a stale token', () => {
    const { guard, refused } = guardWith({ accessToken: null, tokens: [], publishTokens: [] });
    for (const access of ACCESS_LEVELS) assert.equal(guard.decide(access, 'left-over-from-another-server', 'c', 'http').ok, true, access);
    assert.deepEqual(refused, []);
  });

  test('without a token, only a page on this machine (or no page) gets in: another site, a rebound name or a null origin is refused', () => {
    const { guard, refused } = guardWith({ accessToken: null, tokens: [], publishTokens: [] });
    const local = [
      {},
      { host: '127.0.0.1:8420' },
      { host: 'localhost:8420', origin: 'http://localhost:8420' },
      { host: '[::1]:8420', origin: 'http://[::1]:8420' },
      { host: '127.0.0.1:8420', origin: 'http://127.0.0.1:5173' },
      { host: 'dashboard.localhost', origin: 'https://dashboard.localhost' },
    ];
    for (const site of local) assert.equal(guard.decide('admin', undefined, '127.0.0.1', 'http', site).ok, true, JSON.stringify(site));
    const foreign = [
      { site: { host: 'evil.example:8420', origin: 'http://evil.example:8420' }, says: /sent to "evil.example:8420"/ },
      { site: { host: '127.0.0.1.evil.example' }, says: /not to a loopback name/ },
      { site: { host: 'localhost.evil.example:8420' }, says: /not to a loopback name/ },
      { site: { host: '127.0.0.1:8420', origin: 'https://evil.example' }, says: /came from the page "https:\/\/evil.example"/ },
      { site: { host: '127.0.0.1:8420', origin: 'null' }, says: /came from the page "null"/ },
      { site: { host: '127.0.0.1:8420', origin: 'file:///tmp/page.html' }, says: /came from the page/ },
    ];
    for (const { site, says } of foreign) {
      for (const transport of ['http', 'socket'] as const) {
        const decision = guard.decide('viewer', undefined, '127.0.0.1', transport, site);
        assert.ok(!decision.ok && decision.status === 403 && decision.code === 'FORBIDDEN', JSON.stringify({ site, decision }));
        assert.match(decision.message, says);
        assert.match(decision.message, /server\.accessToken/, 'it says how to allow it');
      }
    }
    const stale = guard.decide('admin', 'left-over-from-another-server', '127.0.0.1', 'http', { host: '127.0.0.1:8420', origin: 'https://evil.example' });
    assert.equal(stale.ok, false, 'a token an open server does not check proves nothing');
    assert.equal(guard.decide('public', undefined, '127.0.0.1', 'http', { host: 'evil.example' }).ok, true, 'the page itself is for anyone');
    assert.deepEqual(new Set(refused), new Set(['foreign-page']));
  });

  test('with a token the page does not matter: the token proves the request was meant', () => {
    const { guard } = guardWith();
    const site = { host: 'shotscale.studio.example:8420', origin: 'https://tools.studio.example' };
    assert.equal(guard.decide('operator', OPERATOR, '10.0.0.5', 'http', site).ok, true);
    assert.equal(guard.decide('viewer', VIEWER, '10.0.0.5', 'socket', site).ok, true);
    const none = guard.decide('viewer', undefined, '10.0.0.5', 'http', site);
    assert.ok(!none.ok && none.status === 401, 'no token is still a missing token');
    const publishOnly = guardWith({ accessToken: null, tokens: [], publishTokens: [PUBLISH] }).guard;
    assert.equal(publishOnly.decide('publish', PUBLISH, '127.0.0.1', 'http', { host: '127.0.0.1:8420', origin: 'https://evil.example' }).ok, true);
    assert.equal(publishOnly.decide('admin', undefined, '127.0.0.1', 'http', { host: '127.0.0.1:8420', origin: 'https://evil.example' }).ok, false, 'the API a publish token leaves open is open to this machine only');
  });
});

describe('AccessGuard: a valid token of a lesser role', () => {
  test('publish tokens alone: the publish token sent to the open API goes on as the local user; a wrong token is still refused', () => {
    const { guard, refused } = guardWith({ accessToken: null, tokens: [], publishTokens: [PUBLISH] });
    for (const transport of ['http', 'socket'] as const) {
      for (const access of ['viewer', 'operator', 'admin'] as const) {
        const decision = guard.decide(access, PUBLISH, '127.0.0.1', transport, { host: '127.0.0.1:8420' });
        assert.ok(decision.ok && decision.principal.role === 'admin' && decision.principal.name === 'local', `${transport} ${access}: ${JSON.stringify(decision)}`);
      }
      const wrong = guard.decide('viewer', 'wrong-token-0123456789', '127.0.0.2', transport, { host: '127.0.0.1:8420' });
      assert.ok(!wrong.ok && wrong.status === 401 && wrong.code === 'UNAUTHORIZED', JSON.stringify(wrong));
    }
    // It is still the local user's API: a page from elsewhere is refused, as without the token.
    const foreign = guard.decide('viewer', PUBLISH, '127.0.0.1', 'http', { host: '127.0.0.1:8420', origin: 'https://evil.example' });
    assert.ok(!foreign.ok && foreign.reason === 'foreign-page', JSON.stringify(foreign));
    assert.deepEqual(refused, ['wrong', 'wrong', 'foreign-page']);
  });

  test('where the API needs a token, a publish token is still refused 403 there', () => {
    const { guard } = guardWith();
    const decision = guard.decide('viewer', PUBLISH, '127.0.0.1', 'http', { host: '127.0.0.1:8420' });
    assert.ok(!decision.ok && decision.status === 403 && decision.code === 'FORBIDDEN', JSON.stringify(decision));
  });

  test('a path no route takes: any valid token is told so, a publish token too; without one or with a wrong one, 401', () => {
    const { guard, refused } = guardWith();
    for (const token of [PUBLISH, VIEWER, OPERATOR, ADMIN]) {
      const decision = guard.decideUnrouted(token, '10.0.0.7', 'http');
      assert.ok(decision.ok, `${token}: ${JSON.stringify(decision)}`);
    }
    const none = guard.decideUnrouted(undefined, '10.0.0.7', 'http');
    assert.ok(!none.ok && none.status === 401 && none.code === 'UNAUTHORIZED', JSON.stringify(none));
    const wrong = guard.decideUnrouted('wrong-token-0123456789', '10.0.0.7', 'http');
    assert.ok(!wrong.ok && wrong.status === 401, JSON.stringify(wrong));
    assert.deepEqual(refused, ['missing', 'wrong']);
  });
});

describe('AttemptLimiter', () => {
  test('remembers at most 10,000 addresses', () => {
    const limiter = new AttemptLimiter({ maxFailures: 2, windowS: 60, blockS: 60 }, () => 0);
    limiter.fail('first');
    limiter.fail('first');
    for (let i = 0; i < 10_000; i++) limiter.fail(`addr-${i}`);
    assert.equal(limiter.blockedFor('first'), 0, 'the stalest address was forgotten');
    assert.equal(limiter.fail('addr-9999'), true, 'a recent one is still counted');
  });
});
