/**
 * The time a camera watchdog lets off for a blocked event loop: a tick's
 * lateness only, counted from the last frame, so a blocked loop does not stall
 * a camera whose frames wait unread, and a real stall is still seen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopBlockAllowance } from '../../server/ingest/loop-block-allowance.js';

function ticking(everyMs: number) {
  let realMs = 0;
  const allowance = new LoopBlockAllowance(everyMs, () => realMs);
  return { allowance, at: (ms: number) => ((realMs = ms), allowance.tick()) };
}

test('ticks on time let nothing off', () => {
  const { at } = ticking(250);
  assert.equal(at(0), 0);
  assert.equal(at(250), 0);
  assert.equal(at(500), 0);
  assert.equal(at(749), 0, 'early by a millisecond is not negative');
});

test('a tick late by a blocked loop lets its lateness off, until the next frame', () => {
  const { allowance, at } = ticking(250);
  at(0);
  assert.equal(at(10_250), 10_000, 'the loop was blocked 10 s');
  assert.equal(at(10_500), 10_000, 'kept while no frame has come');
  allowance.reset();
  assert.equal(at(10_750), 0, 'a frame came: the block before it excuses nothing');
});

test('a loop late on every tick still lets the wait grow: a real stall is caught', () => {
  const { at } = ticking(250);
  at(0);
  // Each tick 500 ms late: 750 ms between ticks, 250 of them the watchdog's own wait.
  let blocked = 0;
  for (let tick = 1; tick <= 8; tick += 1) blocked = at(tick * 750);
  const elapsed = 8 * 750;
  assert.equal(blocked, 8 * 500);
  assert.equal(elapsed - blocked, 8 * 250);
});
