/**
 * Which record of the cluster's takes a shot is in, from its slate and its
 * first frame: a number slated again has several records, and a take cuts a
 * shot open at a frame a moment before the take's start as stamped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeIds } from '../../server/cluster/cluster-shot-log.js';

const T = Date.parse('2026-12-06T18:00:00Z');

const ids = takeIds([
  { id: 1, scene: '1', take: '1', startedAt: T, endedAt: T + 60_000 },
  { id: 9, scene: '4', take: '1', startedAt: T + 100_000, endedAt: T + 130_000 },
  // Scene 4 take 1 slated again, a second after the first ended.
  { id: 12, scene: '4', take: '1', startedAt: T + 131_000, endedAt: null },
  { id: 10, scene: '4', take: '2', startedAt: T + 120_000, endedAt: T + 125_000 },
]);

test('a shot is in the take of its slate running at its first frame', () => {
  assert.equal(ids('1', '1', T + 5000, T + 5000 + 1000), 1);
  assert.equal(ids('4', '1', T + 100_000, T + 100_000 + 1000), 9);
  assert.equal(ids('4', '1', T + 129_999, T + 129_999 + 1000), 9);
  assert.equal(ids('4', '1', T + 131_000, T + 131_000 + 1000), 12);
  assert.equal(ids('4', '1', T + 500_000, T + 500_000 + 1000), 12, 'the running take');
});

test('a shot that starts just before its take as stamped is in it; not one of the take before it', () => {
  assert.equal(ids('4', '1', T + 99_900, T + 99_900 + 1000), 9);
  assert.equal(ids('4', '1', T + 130_500, T + 130_500 + 1000), 12);
  assert.equal(ids('4', '1', T + 129_500, T + 129_500 + 1000), 9, 'still in the first take, though the second starts within the slack');
});

test('a shot cut open at a frame seconds before its take (a camera analysed at 0.2 fps) is in the take that started while it ran', () => {
  assert.equal(ids('4', '1', T + 95_000, T + 104_000), 9);
  assert.equal(ids('4', '1', T + 95_000, T + 99_000), null, 'ended before the take started: no take of it');
});

test('no record of the slate, or none near the shot: null', () => {
  assert.equal(ids('5', '1', T + 100_000, T + 100_000 + 1000), null);
  assert.equal(ids('1', '2', T + 5000, T + 5000 + 1000), null);
  assert.equal(ids('4', '2', T + 200_000, T + 200_000 + 1000), null, 'long after its take ended');
  assert.equal(ids('4', '1', T + 50_000, T + 50_000 + 1000), null, 'long before its take');
});
