import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../../server/scheduling/ring-buffer.js';

describe('RingBuffer', () => {
  test('rejects a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new RingBuffer<number>(bad), RangeError, String(bad));
    assert.equal(new RingBuffer<number>(3).capacity, 3);
  });

  test('starts empty', () => {
    const ring = new RingBuffer<number>(2);
    assert.equal(ring.size, 0);
    assert.equal(ring.peekOldest(), undefined);
    assert.equal(ring.peekNewest(), undefined);
    assert.equal(ring.takeNewest(), undefined);
    assert.deepEqual(ring.drops, { overflow: 0, superseded: 0 });
  });

  test('fills up to capacity without dropping', () => {
    const ring = new RingBuffer<string>(3);
    assert.equal(ring.push('a'), undefined);
    assert.equal(ring.push('b'), undefined);
    assert.equal(ring.push('c'), undefined);
    assert.equal(ring.size, 3);
    assert.equal(ring.peekOldest(), 'a');
    assert.equal(ring.peekNewest(), 'c');
    assert.equal(ring.drops.overflow, 0);
  });

  test('overflow drops the oldest, returns it and counts it', () => {
    const ring = new RingBuffer<string>(2);
    ring.push('a');
    ring.push('b');
    assert.equal(ring.push('c'), 'a');
    assert.equal(ring.size, 2);
    assert.equal(ring.peekOldest(), 'b');
    assert.equal(ring.peekNewest(), 'c');
    assert.equal(ring.push('d'), 'b');
    assert.equal(ring.drops.overflow, 2);
    assert.equal(ring.peekOldest(), 'c');
    assert.equal(ring.peekNewest(), 'd');
  });

  test('capacity 1: newest always wins', () => {
    const ring = new RingBuffer<number>(1);
    assert.equal(ring.push(1), undefined);
    assert.equal(ring.push(2), 1);
    assert.equal(ring.push(3), 2);
    assert.equal(ring.size, 1);
    assert.equal(ring.peekOldest(), 3);
    assert.equal(ring.peekNewest(), 3);
    assert.equal(ring.drops.overflow, 2);
    assert.deepEqual(ring.takeNewest(), { item: 3, superseded: 0 });
    assert.equal(ring.drops.superseded, 0);
  });

  test('takeNewest returns the newest, empties the ring and counts the older ones as superseded', () => {
    const ring = new RingBuffer<string>(4);
    ring.push('a');
    ring.push('b');
    ring.push('c');
    assert.deepEqual(ring.takeNewest(), { item: 'c', superseded: 2 });
    assert.equal(ring.size, 0);
    assert.equal(ring.peekOldest(), undefined);
    assert.equal(ring.drops.superseded, 2);
    assert.equal(ring.takeNewest(), undefined);
    ring.push('d');
    assert.deepEqual(ring.takeNewest(), { item: 'd', superseded: 0 });
    assert.equal(ring.drops.superseded, 2);
    assert.equal(ring.drops.overflow, 0);
  });

  test('takeNewest after wrapping returns the most recently pushed item', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 0; i < 5; i++) ring.push(i);
    assert.deepEqual(ring.takeNewest(), { item: 4, superseded: 2 });
    assert.deepEqual(ring.drops, { overflow: 2, superseded: 2 });
  });

  test('clear empties without counting drops, and the ring is usable afterwards', () => {
    const ring = new RingBuffer<number>(2);
    ring.push(1);
    ring.push(2);
    ring.push(3);
    ring.clear();
    assert.equal(ring.size, 0);
    assert.equal(ring.peekOldest(), undefined);
    assert.equal(ring.peekNewest(), undefined);
    assert.deepEqual(ring.drops, { overflow: 1, superseded: 0 });
    ring.push(7);
    assert.equal(ring.peekOldest(), 7);
    assert.equal(ring.peekNewest(), 7);
    assert.equal(ring.size, 1);
  });

  test('wrap-around over many pushes keeps the last `capacity` items in order', () => {
    const capacity = 5;
    const ring = new RingBuffer<number>(capacity);
    let takes = 0;
    let superseded = 0;
    for (let i = 0; i < 1000; i++) {
      const dropped = ring.push(i);
      if (i >= capacity && ring.size === capacity && dropped !== undefined) assert.equal(dropped, i - capacity);
      assert.equal(ring.peekNewest(), i);
      // Oldest is the first item that still fits.
      assert.equal(ring.peekOldest(), Math.max(i - ring.size + 1, 0));
      // Every 97 pushes, drain: the head moves to an arbitrary position.
      if (i % 97 === 96) {
        const size = ring.size;
        const taken = ring.takeNewest();
        assert.deepEqual(taken, { item: i, superseded: size - 1 });
        takes += 1;
        superseded += size - 1;
        // After draining, the next pushes start a fresh window.
        ring.push(-1);
        assert.equal(ring.peekOldest(), -1);
        ring.clear();
      }
    }
    assert.ok(takes > 5);
    assert.equal(ring.drops.superseded, superseded);
    assert.equal(ring.size, capacity);
  });

  test('overflow count equals pushes beyond capacity between takes', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 0; i < 10; i++) ring.push(i);
    assert.equal(ring.drops.overflow, 7);
    assert.equal(ring.peekOldest(), 7);
    assert.equal(ring.peekNewest(), 9);
  });

  test('undefined-free generic objects keep identity', () => {
    const ring = new RingBuffer<{ n: number }>(2);
    const a = { n: 1 };
    const b = { n: 2 };
    ring.push(a);
    ring.push(b);
    assert.equal(ring.peekOldest(), a);
    assert.equal(ring.takeNewest()?.item, b);
  });
});
