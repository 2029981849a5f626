/**
 * What the token prompt says when the server refuses the page (the server's
 * code, then what to do), and which view the page's address names.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONNECT_REFUSAL } from '../../server/shared/socket-events.js';
import { blockedUntil, tokenRefusalText } from '../../web/src/lib/refusal.js';
import { viewFromHash } from '../../web/src/lib/view-hash.js';

const WRONG = { code: 'UNAUTHORIZED', message: 'the token is not valid' };

describe('tokenRefusalText', () => {
  test('a wrong token: the code and reason, and to check it for a typo', () => {
    const text = tokenRefusalText(CONNECT_REFUSAL.unauthorized, WRONG, { hasToken: true, acceptedBefore: false });
    assert.match(text ?? '', /^UNAUTHORIZED: the token is not valid\. /);
    assert.match(text ?? '', /typo/);
  });

  test('a token this page was let in with: changed or removed on the server, not mistyped', () => {
    const text = tokenRefusalText(CONNECT_REFUSAL.unauthorized, WRONG, { hasToken: true, acceptedBefore: true });
    assert.match(text ?? '', /^UNAUTHORIZED: /);
    assert.match(text ?? '', /changed or removed on the server/);
    assert.doesNotMatch(text ?? '', /typo/);
  });

  test('no token at all: the server needs one', () => {
    assert.equal(tokenRefusalText(CONNECT_REFUSAL.unauthorized, { code: 'UNAUTHORIZED', message: 'a valid access token is required' }, { hasToken: false, acceptedBefore: false }), 'This server needs an access token.');
  });

  test('an address blocked for wrong tokens: the code, the wait, and that the right token is refused too meanwhile', () => {
    const text = tokenRefusalText(CONNECT_REFUSAL.blocked, { code: 'TOO_MANY_ATTEMPTS', message: 'too many wrong tokens from 10.0.0.9; try again in 42 s' }, { hasToken: true, acceptedBefore: false });
    assert.match(text ?? '', /^TOO_MANY_ATTEMPTS: too many wrong tokens from 10\.0\.0\.9; try again in 42 s\. /);
    assert.match(text ?? '', /the right one too/);
  });

  test('a block\'s wait counts down from the server\'s figure, and says the page tries again by itself', () => {
    const blocked = { code: 'TOO_MANY_ATTEMPTS', message: 'too many wrong tokens from 10.0.0.9; try again in 17 s' };
    assert.equal(blockedUntil(blocked, 1_000_000), 1_017_000);
    assert.equal(blockedUntil({ code: 'TOO_MANY_ATTEMPTS', message: 'wait' }, 1_000_000), null);
    const later = tokenRefusalText(CONNECT_REFUSAL.blocked, blocked, { hasToken: true, acceptedBefore: false, waitS: 4.2, retries: true });
    assert.match(later ?? '', /^TOO_MANY_ATTEMPTS: too many wrong tokens from 10\.0\.0\.9; try again in 5 s\. /);
    assert.match(later ?? '', /tries its token again by itself/);
    assert.match(tokenRefusalText(CONNECT_REFUSAL.blocked, blocked, { hasToken: true, acceptedBefore: false, waitS: -1 }) ?? '', /try again in 0 s\. .*then connect again/);
  });

  test('a server that sends no details still gets a code', () => {
    assert.match(tokenRefusalText(CONNECT_REFUSAL.unauthorized, undefined, { hasToken: true, acceptedBefore: false }) ?? '', /^UNAUTHORIZED: the token is not valid\./);
    assert.match(tokenRefusalText(CONNECT_REFUSAL.blocked, undefined, { hasToken: true, acceptedBefore: false }) ?? '', /^TOO_MANY_ATTEMPTS: /);
  });

  test('other refusals are not the prompt\'s', () => {
    assert.equal(tokenRefusalText(CONNECT_REFUSAL.foreignPage, WRONG, { hasToken: false, acceptedBefore: false }), null);
    assert.equal(tokenRefusalText(CONNECT_REFUSAL.publishOnly, WRONG, { hasToken: true, acceptedBefore: false }), null);
  });
});

describe('viewFromHash', () => {
  const views = ['wall', 'shots', 'coverage'] as const;
  test('names a view with or without # and /', () => {
    assert.equal(viewFromHash('#shots', views), 'shots');
    assert.equal(viewFromHash('#/coverage', views), 'coverage');
    assert.equal(viewFromHash('Shots', views), 'shots');
  });
  test('nothing, or a name that is not among the views, names none', () => {
    assert.equal(viewFromHash('', views), null);
    assert.equal(viewFromHash('#', views), null);
    assert.equal(viewFromHash('#cameras', views), null);
    assert.equal(viewFromHash('#%zz', views), null);
  });
});
