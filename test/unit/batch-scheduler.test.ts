import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { BatchScheduler, type SchedulerOptions } from '../../server/scheduling/batch-scheduler.js';
import { DEFAULT_GOVERNOR_OPTIONS } from '../../server/scheduling/capacity-governor.js';
import type { DropReason } from '../../server/scheduling/ring-buffer.js';
import type { Frame } from '../../server/shared/frame.js';

/** Lets pending promise callbacks (the end of a batch) run; setImmediate is not mocked. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const DEFAULTS: SchedulerOptions = { maxSize: 16, windowMs: 10, staleMs: 1000, ringBufferSize: 2 };

/**
 * A scheduler on a controlled clock and mocked setTimeout. `advance(ms)` moves
 * both together, 1 ms at a time so a timer sees the time it was due at.
 * `block = true` makes each batch wait until `release()`.
 */
function setup(t: TestContext, cameras: string[], options: Partial<SchedulerOptions> = {}) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  const batches: Frame[][] = [];
  const drops: { cameraId: string; reason: DropReason; count: number }[] = [];
  const errors: unknown[] = [];
  const pending: Deferred[] = [];
  const state = {
    block: false,
    throwNext: null as null | 'sync' | 'async',
  };
  const scheduler = new BatchScheduler(
    { ...DEFAULTS, ...options },
    {
      runBatch: (frames) => {
        batches.push(frames);
        const mode = state.throwNext;
        state.throwNext = null;
        if (mode === 'sync') throw new Error('sync failure');
        if (mode === 'async') return Promise.reject(new Error('async failure'));
        if (!state.block) return Promise.resolve();
        const d = deferred();
        pending.push(d);
        return d.promise;
      },
      onDrop: (cameraId, reason, count) => drops.push({ cameraId, reason, count }),
      onBatchError: (error) => errors.push(error),
    },
    () => now,
  );
  for (const id of cameras) scheduler.addCamera(id);
  let seq = 0;
  return {
    scheduler,
    batches,
    drops,
    errors,
    state,
    get now() {
      return now;
    },
    advance(ms: number) {
      for (let i = 0; i < ms; i++) {
        now += 1;
        t.mock.timers.tick(1);
      }
    },
    /** Pushes a frame for `cameraId` captured `ageMs` before now; returns it. */
    push(cameraId: string, ageMs = 0): Frame {
      const frame: Frame = { cameraId, seq: seq, session: 1, timeS: seq++ / 5, captureTime: now - ageMs, width: 1, height: 1, data: new Uint8Array(3) };
      scheduler.push(frame);
      return frame;
    },
    async release() {
      const d = pending.shift();
      assert.ok(d, 'no batch is waiting to be released');
      d.resolve();
      await flush();
    },
  };
}

const ids = (frames: readonly Frame[] | undefined) => (frames ?? []).map((f) => f.cameraId);

describe('BatchScheduler', () => {
  test('runs at once when every camera has a frame, with the newest frame of each', (t) => {
    const h = setup(t, ['a', 'b', 'c']);
    h.push('a');
    const a1 = h.push('a');
    h.push('b');
    assert.equal(h.batches.length, 0, 'must not run before every camera has a frame');
    const c0 = h.push('c');
    assert.equal(h.batches.length, 1, 'must run without waiting for the window');
    assert.deepEqual(ids(h.batches[0]), ['a', 'b', 'c']);
    assert.equal(h.batches[0]![0], a1, 'newest frame of a');
    assert.equal(h.batches[0]![2], c0);
    assert.deepEqual(h.drops, [{ cameraId: 'a', reason: 'superseded', count: 1 }]);
    // The window timer was cancelled: no second, empty or duplicate batch.
    h.advance(50);
    assert.equal(h.batches.length, 1);
  });

  test('two lanes: the ready frames are split between them, a camera never has two frames in flight, a freed lane takes the next', async (t) => {
    const h = setup(t, ['a', 'b', 'c', 'd'], { lanes: 2 });
    h.state.block = true;
    for (const id of ['a', 'b', 'c', 'd']) h.push(id);
    assert.equal(h.batches.length, 2, 'both lanes start');
    assert.deepEqual([...ids(h.batches[0]), ...ids(h.batches[1])].sort(), ['a', 'b', 'c', 'd']);
    assert.equal(h.batches[0]!.length, 2, 'split evenly');
    // Every camera has a frame in flight: new frames wait, even past the window.
    for (const id of ['a', 'b']) h.push(id);
    h.advance(50);
    assert.equal(h.batches.length, 2);
    await h.release();
    // The first lane is free: the waiting frames of its cameras go, the others' cameras are still in flight.
    const freed = ids(h.batches[0]);
    const next = ids(h.batches[2]);
    assert.ok(next.length > 0 && next.every((id) => freed.includes(id)), `next ${next.join(',')} after ${freed.join(',')}`);
    await h.release();
    await h.release();
    await h.scheduler.idle();
  });

  test('a single camera runs at once', (t) => {
    const h = setup(t, ['solo']);
    h.push('solo');
    assert.equal(h.batches.length, 1);
  });

  test('runs after windowMs when only some cameras delivered (never waits for all)', (t) => {
    const h = setup(t, ['a', 'b', 'c'], { windowMs: 10 });
    h.push('a');
    h.advance(4);
    h.push('b');
    h.advance(5);
    assert.equal(h.batches.length, 0, 'before the window ends');
    h.advance(1);
    assert.equal(h.batches.length, 1, 'when the oldest frame has waited windowMs');
    assert.equal(h.now, 10);
    assert.deepEqual(ids(h.batches[0]), ['a', 'b']);
    h.advance(100);
    assert.equal(h.batches.length, 1);
  });

  test('the window counts from the oldest frame capture time, not from the push', (t) => {
    const h = setup(t, ['a', 'b'], { windowMs: 10 });
    h.push('a', 4); // captured 4 ms ago
    h.advance(5);
    assert.equal(h.batches.length, 0);
    h.advance(1);
    assert.equal(h.batches.length, 1);
  });

  test('a frame that has already waited windowMs runs at once', (t) => {
    const h = setup(t, ['a', 'b'], { windowMs: 10 });
    h.push('a', 10);
    assert.equal(h.batches.length, 1);
  });

  test('windowMs 0 runs every frame at once', (t) => {
    const h = setup(t, ['a', 'b', 'c'], { windowMs: 0 });
    h.push('a');
    assert.deepEqual(ids(h.batches[0]), ['a']);
  });

  test('maxSize caps the batch, and rotation gives every camera a turn', async (t) => {
    const h = setup(t, ['a', 'b', 'c'], { maxSize: 2, ringBufferSize: 3 });
    h.state.block = true;
    h.push('a');
    assert.equal(h.batches.length, 0);
    h.push('b'); // 2 ready == maxSize: full
    assert.deepEqual(ids(h.batches[0]), ['a', 'b']);
    // All three deliver while the batch runs.
    h.push('c');
    h.push('a');
    h.push('b');
    assert.equal(h.batches.length, 1, 'one batch at a time');
    await h.release();
    assert.equal(h.batches.length, 2);
    assert.equal(h.batches[1]!.length, 2);
    assert.deepEqual(ids(h.batches[1]), ['b', 'c'], 'rotation starts at the next camera');
    h.push('c');
    h.push('b');
    await h.release();
    assert.deepEqual(ids(h.batches[2]), ['c', 'a'], 'a, left out of batch 2, gets its turn');
    // Over the batches every camera appeared at least twice.
    const counts = new Map<string, number>();
    for (const batch of h.batches) for (const f of batch) counts.set(f.cameraId, (counts.get(f.cameraId) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), { a: 2, b: 2, c: 2 });
    for (const batch of h.batches) assert.ok(batch.length <= 2);
  });

  test('with many more cameras than maxSize, nobody starves', async (t) => {
    const cams = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const h = setup(t, cams, { maxSize: 3 });
    h.state.block = true;
    const seen = new Set<string>();
    for (let round = 0; round < cams.length; round++) {
      for (const id of cams) h.push(id);
      if (round > 0) await h.release();
    }
    await h.release();
    for (const batch of h.batches) {
      assert.ok(batch.length <= 3);
      for (const f of batch) seen.add(f.cameraId);
    }
    assert.deepEqual([...seen].sort(), cams);
  });

  test('frames older than staleMs are dropped as stale and not passed to runBatch', (t) => {
    const h = setup(t, ['a', 'b'], { staleMs: 100 });
    const fresh = h.push('b', 5);
    h.push('a', 150);
    assert.equal(h.batches.length, 1);
    assert.deepEqual(h.batches[0], [fresh]);
    assert.deepEqual(h.drops, [{ cameraId: 'a', reason: 'stale', count: 1 }]);
  });

  test('a lone stale frame is dropped without running a batch, and the next frame is used', (t) => {
    const h = setup(t, ['a', 'b'], { staleMs: 100, windowMs: 10 });
    h.push('a', 150);
    assert.equal(h.batches.length, 0);
    assert.deepEqual(h.drops, [{ cameraId: 'a', reason: 'stale', count: 1 }]);
    const a1 = h.push('a');
    h.advance(10);
    assert.deepEqual(h.batches, [[a1]]);
  });

  test('a frame exactly staleMs old is still used', (t) => {
    const h = setup(t, ['a'], { staleMs: 100 });
    h.push('a', 100);
    assert.deepEqual(ids(h.batches[0]), ['a']);
    assert.deepEqual(h.drops, []);
  });

  test('a frame that goes stale while waiting for the window is dropped', (t) => {
    const h = setup(t, ['a', 'b'], { windowMs: 20, staleMs: 15 });
    h.push('a');
    h.advance(20);
    assert.equal(h.batches.length, 0, 'an all-stale batch is not run');
    assert.deepEqual(h.drops, [{ cameraId: 'a', reason: 'stale', count: 1 }]);
  });

  test('frames arriving while a batch runs supersede older ones; the next batch starts right after', async (t) => {
    const h = setup(t, ['a', 'b'], { ringBufferSize: 3 });
    h.state.block = true;
    h.push('a');
    h.push('b');
    assert.equal(h.batches.length, 1);
    h.push('a');
    h.push('a');
    const a3 = h.push('a');
    const b1 = h.push('b');
    assert.equal(h.batches.length, 1, 'no second batch while one runs');
    await h.release(); // no time passes
    assert.equal(h.batches.length, 2, 'next batch starts as soon as the first ends');
    const second = [...(h.batches[1] ?? [])].sort((x, y) => x.cameraId.localeCompare(y.cameraId));
    assert.deepEqual(second, [a3, b1]);
    assert.deepEqual(h.drops, [{ cameraId: 'a', reason: 'superseded', count: 2 }]);
  });

  test('after a batch, partial readiness waits for the window again', async (t) => {
    const h = setup(t, ['a', 'b'], { windowMs: 10 });
    h.state.block = true;
    h.push('a');
    h.push('b');
    h.push('a');
    await h.release();
    assert.equal(h.batches.length, 1);
    h.advance(9);
    assert.equal(h.batches.length, 1);
    h.advance(1);
    assert.deepEqual(ids(h.batches[1]), ['a']);
  });

  test('overflow is reported when a ring is full', async (t) => {
    const h = setup(t, ['a', 'b'], { ringBufferSize: 2 });
    h.state.block = true;
    h.push('a');
    h.push('b');
    h.push('a');
    h.push('a');
    assert.deepEqual(h.drops, []);
    h.push('a');
    const a4 = h.push('a');
    assert.deepEqual(h.drops, [
      { cameraId: 'a', reason: 'overflow', count: 1 },
      { cameraId: 'a', reason: 'overflow', count: 1 },
    ]);
    await h.release();
    h.advance(10);
    assert.deepEqual(h.batches[1], [a4]);
    assert.deepEqual(h.drops.at(-1), { cameraId: 'a', reason: 'superseded', count: 1 });
  });

  for (const mode of ['async', 'sync'] as const) {
    test(`a runBatch that throws (${mode}) goes to onBatchError and the scheduler keeps working`, async (t) => {
      const h = setup(t, ['a']);
      h.state.throwNext = mode;
      h.push('a');
      await flush();
      assert.equal(h.errors.length, 1);
      assert.match(String(h.errors[0]), /failure/);
      h.push('a');
      await flush();
      assert.equal(h.batches.length, 2);
      assert.equal(h.errors.length, 1);
      await h.scheduler.idle();
    });
  }

  test('removeCamera: its frames are dropped and it no longer counts towards a full batch', (t) => {
    const h = setup(t, ['a', 'b', 'c'], { windowMs: 10 });
    h.push('c');
    h.scheduler.removeCamera('c');
    h.push('c');
    h.push('a');
    assert.equal(h.batches.length, 0);
    h.push('b'); // a and b are now every camera
    assert.equal(h.batches.length, 1);
    assert.deepEqual(ids(h.batches[0]), ['a', 'b']);
    h.push('c');
    h.advance(50);
    assert.equal(h.batches.length, 1);
  });

  test('frames for a camera never added are ignored', (t) => {
    const h = setup(t, ['a']);
    h.push('ghost');
    h.advance(50);
    assert.equal(h.batches.length, 0);
    assert.deepEqual(h.drops, []);
  });

  test('addCamera twice keeps the frames already waiting', (t) => {
    const h = setup(t, ['a', 'b'], { windowMs: 10 });
    const a0 = h.push('a');
    h.scheduler.addCamera('a');
    h.advance(10);
    assert.deepEqual(h.batches[0], [a0]);
  });

  test('push after close() is ignored and a pending window timer does not fire', (t) => {
    const h = setup(t, ['a', 'b']);
    h.push('a');
    h.scheduler.close();
    h.advance(50);
    for (let i = 0; i < 4; i++) h.push('a'); // would overflow the ring if kept
    h.push('b');
    h.advance(50);
    assert.equal(h.batches.length, 0);
    assert.deepEqual(h.drops, []);
  });

  test('close() while a batch runs: the batch finishes, nothing new starts', async (t) => {
    const h = setup(t, ['a']);
    h.state.block = true;
    h.push('a');
    h.scheduler.close();
    h.push('a');
    await h.release();
    assert.equal(h.batches.length, 1);
  });

  test('idle() resolves at once when no batch runs, and after the running batch otherwise', async (t) => {
    const h = setup(t, ['a']);
    await h.scheduler.idle();
    h.state.block = true;
    h.push('a');
    let idle = false;
    const waiting = h.scheduler.idle().then(() => {
      idle = true;
    });
    await flush();
    assert.equal(idle, false, 'idle() must wait for the running batch');
    await h.release();
    await waiting;
    assert.equal(idle, true);
  });

  test('a camera that stops sending has no demand left in capacity(), with no frame or batch to update it', async (t) => {
    const h = setup(t, ['stallcam'], { governor: DEFAULT_GOVERNOR_OPTIONS });
    for (let i = 0; i < 30; i++) {
      h.push('stallcam');
      await flush();
      h.advance(100);
    }
    assert.ok(h.scheduler.capacity()!.cameras['stallcam']!.arrivingFps > 5, JSON.stringify(h.scheduler.capacity()));
    // The publisher stops: it kept "arrivingFps 4.1" in /api/stats eight minutes on.
    h.advance(DEFAULT_GOVERNOR_OPTIONS.windowMs + DEFAULT_GOVERNOR_OPTIONS.updateMs);
    const later = h.scheduler.capacity()!;
    assert.equal(later.demandFps, 0, JSON.stringify(later));
    assert.equal(later.cameras['stallcam']!.arrivingFps, 0);
  });
});
