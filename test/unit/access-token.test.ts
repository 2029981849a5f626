import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertBindAllowed, isLoopback, tokenFromHttp } from '../../server/api/access/access-token.js';
import { TokenRegistry } from '../../server/api/access/token-registry.js';
import { isShotscaleError } from '../../server/errors.js';

const TOKEN = 'a-very-long-secret-token-1234';

/** Whether `given` is TOKEN, as the server decides it. */
const tokenMatches = (expected: string, given: unknown): boolean => new TokenRegistry([{ token: expected, role: 'admin', name: 'test' }]).identify(given) !== null;

describe('isLoopback', () => {
  test('loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.0.0.53', '127.1.2.3', 'localhost', '::1']) assert.equal(isLoopback(host), true, host);
  });

  test('a host name that merely starts with "127." is not loopback', () => {
    for (const host of ['127.example.com', '127.0.0.1.nip.io.evil.net', '127.', '127.0.0']) {
      assert.equal(isLoopback(host), false, host);
      assert.throws(() => assertBindAllowed(host, false), (e: unknown) => isShotscaleError(e, 'INSECURE_BIND'), host);
    }
  });

  test('reachable hosts', () => {
    for (const host of ['0.0.0.0', '::', '', '192.168.1.10', '10.0.0.1', '128.0.0.1', '1.127.0.0', 'example.com', '::2']) {
      assert.equal(isLoopback(host), false, host);
    }
  });
});

describe('assertBindAllowed', () => {
  test('loopback without a token is allowed', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) assert.doesNotThrow(() => assertBindAllowed(host, false));
  });

  test('a reachable address without a token throws INSECURE_BIND naming the host, with a hint', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      assert.throws(
        () => assertBindAllowed(host, false),
        (error: unknown) => {
          assert.ok(isShotscaleError(error, 'INSECURE_BIND'), String(error));
          assert.ok(error.message.includes(host));
          assert.match(error.hint ?? '', /accessToken/);
          return true;
        },
        host,
      );
    }
  });

  test('a reachable address with a token is allowed', () => {
    assert.doesNotThrow(() => assertBindAllowed('0.0.0.0', true));
    assert.doesNotThrow(() => assertBindAllowed('127.0.0.1', true));
  });
});

describe('token comparison (TokenRegistry.identify)', () => {
  test('the exact token matches', () => {
    assert.equal(tokenMatches(TOKEN, TOKEN), true);
  });

  test('the token with surrounding whitespace matches, as the config trims its own (a value read from a file with its newline)', () => {
    for (const given of [` ${TOKEN}`, `${TOKEN}\n`, `\t${TOKEN}\r\n`]) assert.equal(tokenMatches(TOKEN, given), true, JSON.stringify(given));
  });

  test('anything else does not', () => {
    for (const given of [`${TOKEN}x`, TOKEN.slice(0, -1), TOKEN.toUpperCase(), `${TOKEN.slice(0, 5)} ${TOKEN.slice(5)}`, 'x', '', ' ', undefined, null, 42, [TOKEN], { token: TOKEN }]) {
      assert.equal(tokenMatches(TOKEN, given), false, String(given));
    }
  });

  test('different lengths do not throw (timingSafeEqual needs equal lengths)', () => {
    assert.doesNotThrow(() => tokenMatches(TOKEN, 'a'.repeat(10_000)));
    assert.equal(tokenMatches(TOKEN, 'a'.repeat(10_000)), false);
  });
});

describe('tokenFromHttp', () => {
  test('Bearer header', () => {
    assert.equal(tokenFromHttp({ authorization: `Bearer ${TOKEN}` }, {}), TOKEN);
  });

  test('the Bearer scheme is case-insensitive and the token is trimmed', () => {
    assert.equal(tokenFromHttp({ authorization: `bearer ${TOKEN}` }, undefined), TOKEN);
    assert.equal(tokenFromHttp({ authorization: `BEARER ${TOKEN}  ` }, undefined), TOKEN);
    assert.equal(tokenFromHttp({ authorization: `BeArEr   ${TOKEN}` }, undefined), TOKEN);
  });

  test('the header wins over the query', () => {
    assert.equal(tokenFromHttp({ authorization: 'Bearer from-header' }, { token: 'from-query' }), 'from-header');
  });

  test('?token= is used when there is no Bearer header', () => {
    assert.equal(tokenFromHttp({}, { token: TOKEN }), TOKEN);
    assert.equal(tokenFromHttp({ authorization: 'Basic dXNlcjpwYXNz' }, { token: TOKEN }), TOKEN);
    assert.equal(tokenFromHttp({ authorization: 'Bearer' }, { token: TOKEN }), TOKEN, '"Bearer" without a space and token is not a bearer header');
  });

  test('nothing usable gives undefined', () => {
    assert.equal(tokenFromHttp({}, undefined), undefined);
    assert.equal(tokenFromHttp({}, {}), undefined);
    assert.equal(tokenFromHttp({}, { token: ['a', 'b'] }), undefined);
    assert.equal(tokenFromHttp({}, { token: 5 }), undefined);
    assert.equal(tokenFromHttp({ authorization: 'Basic abc' }, null), undefined);
    assert.equal(tokenFromHttp({ authorization: [`Bearer ${TOKEN}`] }, {}), undefined, 'array headers are not trusted');
  });

  test('end to end with tokenMatches', () => {
    assert.equal(tokenMatches(TOKEN, tokenFromHttp({ authorization: `Bearer ${TOKEN}` }, {})), true);
    assert.equal(tokenMatches(TOKEN, tokenFromHttp({ authorization: 'Bearer wrong' }, { token: TOKEN })), false);
    assert.equal(tokenMatches(TOKEN, tokenFromHttp({}, {})), false);
  });
});
