/**
 * "Label these": a frame pushed out of its camera's four by better ones is
 * not listed any more, but a label given to it from a page still showing it
 * lands for two minutes (the latest eight pushed out); then it is refused as
 * an expired frame is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelQueue, type QueueFrame } from '../../server/calibration/label-queue.js';
import { isShotscaleError } from '../../server/errors.js';

/** Two likeliest classes at `p` and 1 - p, the rules agreeing: the closer to 0.5, the more worth a label. */
const reading = (p: number) => [p, 1 - p, 0, 0, 0, 0, 0, 0];

function queue() {
  let now = 1_000_000;
  const q = new LabelQueue<QueueFrame>(() => now);
  /** A frame of cam-1 considered (one every 2 s); the ids listed after it. */
  const consider = (p: number): number[] => {
    now += 2000;
    q.consider('cam-1', { frame: { captureTime: now }, rules: reading(p), shown: 'ECU' }, reading(p));
    return q.list().map((item) => item.id);
  };
  return { q, consider, advance: (ms: number) => (now += ms) };
}

const refused = (error: unknown) => isShotscaleError(error) && error.code === 'NOT_FOUND';

test('a frame pushed out of the four is no longer listed, but a label for it still lands; once labelled it is gone', () => {
  const { q, consider } = queue();
  const [weak] = consider(0.9);
  let listed: number[] = [];
  for (const p of [0.6, 0.55, 0.52, 0.51]) listed = consider(p);
  assert.equal(listed.length, 4);
  assert.ok(!listed.includes(weak!), 'pushed out of the list by four better frames');
  assert.equal(q.get(weak!).id, weak, 'a page still showing it labels it');
  q.remove(weak!);
  assert.throws(() => q.get(weak!), refused);
});

test('a frame pushed out is refused two minutes later', () => {
  const { q, consider, advance } = queue();
  const [weak] = consider(0.9);
  for (const p of [0.6, 0.55, 0.52, 0.51]) consider(p);
  advance(60_000);
  assert.equal(q.get(weak!).id, weak);
  advance(60_000);
  assert.throws(() => q.get(weak!), refused);
});

test('only the latest eight frames pushed out are kept to be labelled', () => {
  const { q, consider } = queue();
  // Each frame more worth a label than the last: each pushes the weakest listed out.
  const seen = new Set<number>();
  let listed: number[] = [];
  for (let i = 0; i < 14; i++) {
    listed = consider(0.99 - i * 0.03);
    for (const id of listed) seen.add(id);
  }
  const pushed = [...seen].filter((id) => !listed.includes(id)).sort((a, b) => a - b);
  assert.equal(pushed.length, 10);
  for (const id of pushed.slice(0, 2)) assert.throws(() => q.get(id), refused, `frame ${id}: the oldest pushed out, not kept`);
  for (const id of pushed.slice(2)) assert.equal(q.get(id).id, id);
});
