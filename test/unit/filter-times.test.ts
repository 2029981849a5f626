/**
 * A shot filter's `from` and `to` (filter-times.ts): a date alone as `to` is
 * the whole day (its next midnight, which the filter excludes), as `from` it
 * is the day's first instant; both UTC days, whatever the server's zone; a
 * full timestamp or epoch ms as given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilterTime, windowInverted } from '../../server/api/filter-times.js';
import { shotFilterFrom } from '../../server/api/shot-routes.js';
import { isShotscaleError } from '../../server/errors.js';

const DEC_7 = Date.UTC(2026, 11, 7);
const DEC_8 = Date.UTC(2026, 11, 8);

test('a date alone: `from` its first instant, `to` the next midnight', () => {
  assert.equal(parseFilterTime('2026-12-07', 'from'), DEC_7);
  assert.equal(parseFilterTime('2026-12-07', 'to'), DEC_8, 'to=2026-12-07 is up to and including the 7th');
  assert.equal(parseFilterTime('2026-12-31', 'to'), Date.UTC(2027, 0, 1), 'the last day of a year');
  assert.equal(parseFilterTime('2028-02-29', 'to'), Date.UTC(2028, 2, 1), 'a leap day');
});

test('a date alone is a UTC day in any server zone, as `from` always read it', () => {
  const zone = process.env.TZ;
  process.env.TZ = 'Pacific/Auckland';
  try {
    assert.notEqual(new Date(DEC_7).getHours(), 0, 'the zone took');
    assert.equal(parseFilterTime('2026-12-07', 'from'), DEC_7);
    assert.equal(parseFilterTime('2026-12-07', 'to'), DEC_8);
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test('a full timestamp and epoch ms are as given, for `to` too', () => {
  assert.equal(parseFilterTime('2026-12-07T00:00:00Z', 'to'), DEC_7);
  assert.equal(parseFilterTime('2026-12-07T14:30:00.250+01:00', 'to'), Date.UTC(2026, 11, 7, 13, 30, 0, 250));
  assert.equal(parseFilterTime(String(DEC_7), 'to'), DEC_7);
  assert.equal(parseFilterTime('', 'to'), undefined);
  assert.equal(parseFilterTime(undefined, 'to'), undefined);
});

test('what is no time is still refused, naming the key', () => {
  for (const value of ['2026-02-30', 'yesterday', '-5', '2026-12-7']) {
    assert.throws(() => parseFilterTime(value, 'to'), (error: unknown) => isShotscaleError(error, 'BAD_REQUEST') && /^to: /.test(error.message), value);
  }
});

test('the filter: from and to of one date find that day; the next day as `from` is after it', () => {
  assert.deepEqual(shotFilterFrom({ from: '2026-12-07', to: '2026-12-07' }), { from: DEC_7, to: DEC_8 });
  assert.deepEqual(shotFilterFrom({ from: '2026-12-07T23:59:59.999Z', to: '2026-12-07' }), { from: DEC_8 - 1, to: DEC_8 }, 'the last instant of the day is in it');
  assert.throws(
    () => shotFilterFrom({ from: '2026-12-08', to: '2026-12-07' }),
    (error: unknown) => isShotscaleError(error, 'BAD_REQUEST') && /from "2026-12-08" is after to "2026-12-07"/.test(error.message),
  );
  assert.throws(() => shotFilterFrom({ from: '2026-12-08T00:00:00Z', to: '2026-12-07' }), (error: unknown) => isShotscaleError(error, 'BAD_REQUEST'));
  // A full `to` at the same instant as `from` is the shots over that instant, as before.
  assert.deepEqual(shotFilterFrom({ from: '2026-12-08', to: '2026-12-08T00:00:00Z' }), { from: DEC_8, to: DEC_8 });
});

test('windowInverted: `from` after `to`; at a date-alone `to` (its next midnight) too', () => {
  assert.equal(windowInverted(DEC_8, DEC_8, '2026-12-07'), true);
  assert.equal(windowInverted(DEC_8 - 1, DEC_8, '2026-12-07'), false);
  assert.equal(windowInverted(DEC_8, DEC_8, '2026-12-08T00:00:00Z'), false);
  assert.equal(windowInverted(DEC_8 + 1, DEC_8, String(DEC_8)), true);
  assert.equal(windowInverted(undefined, DEC_8, '2026-12-07'), false);
});
