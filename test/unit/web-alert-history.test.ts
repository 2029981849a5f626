import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../server/shared/shots.js';
import { earlierTimes, resolvedOnce } from '../../web/src/lib/alert-history.js';

const T = 1_800_000_000_000;
const alert = (key: string, since: number, resolvedAt: number | null = since + 10_000): Alert => ({
  key,
  kind: 'doubling',
  severity: 'warning',
  cameraIds: [],
  message: `${key} at ${since}`,
  since,
  resolvedAt,
});

test('an alert that comes and goes is listed once, its latest time first, with how often', () => {
  // Newest first, as the page keeps them: one doubling flickering among two others.
  const resolved = [alert('doubling:a+b', T + 90_000), alert('stalled:c', T + 80_000), alert('doubling:a+b', T + 60_000), alert('doubling:a+b', T + 30_000), alert('frozen:d', T + 20_000)];
  const listed = resolvedOnce(resolved, new Set(), 8);
  assert.deepEqual(
    listed.map((r) => [r.alert.key, r.alert.since, r.times, r.firstSince]),
    [
      ['doubling:a+b', T + 90_000, 3, T + 30_000],
      ['stalled:c', T + 80_000, 1, T + 80_000],
      ['frozen:d', T + 20_000, 1, T + 20_000],
    ],
  );
  assert.equal(resolvedOnce(resolved, new Set(), 2).length, 2, 'at most max, counted in alerts, not times');
});

test('an alert active again is not also listed as resolved; the active one says how often it came before', () => {
  const resolved = [alert('doubling:a+b', T + 60_000), alert('stalled:c', T + 50_000), alert('doubling:a+b', T + 30_000)];
  assert.deepEqual(
    resolvedOnce(resolved, new Set(['doubling:a+b']), 8).map((r) => r.alert.key),
    ['stalled:c'],
  );
  assert.equal(earlierTimes(resolved, 'doubling:a+b'), 2);
  assert.equal(earlierTimes(resolved, 'frozen:d'), 0);
});
