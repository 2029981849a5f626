import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader } from '../../server/ingest/frame-reader.js';
import { seededRandom } from '../../server/calibration/softmax-regression.js';

// A seeded PRNG, so failures reproduce.
const prng = seededRandom;

/** Frame i has a distinct, position-dependent byte pattern. */
function framePattern(i: number, frameBytes: number): Uint8Array {
  const out = new Uint8Array(frameBytes);
  for (let j = 0; j < frameBytes; j++) out[j] = (i * 31 + j * 7 + (j >> 8)) & 0xff;
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Emitted {
  data: Uint8Array;
  copy: Uint8Array;
  at: number;
}

function harness(frameBytes: number, clock: () => number = () => 0) {
  const frames: Emitted[] = [];
  const reader = new FrameReader(frameBytes, (data, at) => frames.push({ data, copy: Uint8Array.from(data), at }), clock);
  return { reader, frames };
}

function assertFrames(frames: readonly Emitted[], expected: readonly Uint8Array[]): void {
  assert.equal(frames.length, expected.length, 'frame count');
  frames.forEach((f, i) => {
    assert.equal(f.data.length, expected[i]!.length, `frame ${i} length`);
    assert.deepEqual(f.data, expected[i], `frame ${i} content`);
  });
}

describe('FrameReader', () => {
  test('rejects a frame size that is not a positive integer', () => {
    const noop = () => undefined;
    for (const bad of [0, -1, -300, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => new FrameReader(bad, noop, () => 0), RangeError, String(bad));
    }
    assert.doesNotThrow(() => new FrameReader(1, noop, () => 0));
  });

  test('one chunk that is exactly one frame', () => {
    const { reader, frames } = harness(12);
    const f = framePattern(0, 12);
    reader.push(f);
    assertFrames(frames, [f]);
    assert.equal(reader.partialBytes, 0);
  });

  test('several frames in one chunk, plus the start of the next', () => {
    const size = 48;
    const expected = [0, 1, 2, 3].map((i) => framePattern(i, size));
    const stream = concat(expected);
    const { reader, frames } = harness(size);
    reader.push(stream.subarray(0, size * 3 + 10));
    assertFrames(frames, expected.slice(0, 3));
    assert.equal(reader.partialBytes, 10);
    reader.push(stream.subarray(size * 3 + 10));
    assertFrames(frames, expected);
    assert.equal(reader.partialBytes, 0);
  });

  test('a chunk ending exactly at a frame boundary leaves nothing pending', () => {
    const size = 30;
    const expected = [0, 1, 2, 3, 4].map((i) => framePattern(i, size));
    const stream = concat(expected);
    const { reader, frames } = harness(size);
    // 1.5 frames, then 0.5 (ends at a boundary), then 2 whole frames, then 1.
    reader.push(stream.subarray(0, 45));
    assert.equal(frames.length, 1);
    assert.equal(reader.partialBytes, 15);
    reader.push(stream.subarray(45, 60));
    assert.equal(frames.length, 2);
    assert.equal(reader.partialBytes, 0);
    reader.push(stream.subarray(60, 120));
    assert.equal(frames.length, 4);
    assert.equal(reader.partialBytes, 0);
    reader.push(stream.subarray(120));
    assertFrames(frames, expected);
    assert.equal(reader.partialBytes, 0);
  });

  test('a partial frame completed by a chunk that holds several more frames', () => {
    const size = 8;
    const expected = [0, 1, 2, 3].map((i) => framePattern(i, size));
    const stream = concat(expected);
    const { reader, frames } = harness(size);
    reader.push(stream.subarray(0, 5));
    assert.equal(frames.length, 0);
    reader.push(stream.subarray(5));
    assertFrames(frames, expected);
  });

  test('a 1-byte chunk stream', () => {
    const size = 7;
    const expected = [0, 1, 2].map((i) => framePattern(i, size));
    const stream = concat(expected);
    const { reader, frames } = harness(size);
    for (let i = 0; i < stream.length; i++) {
      reader.push(stream.subarray(i, i + 1));
      assert.equal(frames.length, Math.floor((i + 1) / size), `after byte ${i}`);
      assert.equal(reader.partialBytes, (i + 1) % size, `partial after byte ${i}`);
    }
    assertFrames(frames, expected);
  });

  test('frame size 1: every byte is a frame', () => {
    const { reader, frames } = harness(1);
    reader.push(Uint8Array.of(9, 8, 7));
    assertFrames(frames, [Uint8Array.of(9), Uint8Array.of(8), Uint8Array.of(7)]);
  });

  test('empty chunks change nothing', () => {
    const { reader, frames } = harness(4);
    reader.push(new Uint8Array(0));
    assert.equal(reader.partialBytes, 0);
    reader.push(Uint8Array.of(1, 2));
    reader.push(new Uint8Array(0));
    assert.equal(reader.partialBytes, 2);
    assert.equal(frames.length, 0);
    reader.push(Uint8Array.of(3, 4));
    assertFrames(frames, [Uint8Array.of(1, 2, 3, 4)]);
  });

  for (const seed of [1, 2, 3, 42, 1234]) {
    test(`random chunk sizes over a stream of frames reassemble exactly (seed ${seed})`, () => {
      const rand = prng(seed);
      const size = 3 * (5 + Math.floor(rand() * 40)); // RGB-sized frames of 15..132 bytes
      const count = 60;
      const expected = Array.from({ length: count }, (_, i) => framePattern(i, size));
      const stream = concat(expected);
      const { reader, frames } = harness(size);
      let at = 0;
      while (at < stream.length) {
        // Mix tiny, around-one-frame and multi-frame chunks.
        const r = rand();
        const len = r < 0.3 ? 1 + Math.floor(rand() * 5) : r < 0.7 ? 1 + Math.floor(rand() * size * 1.5) : 1 + Math.floor(rand() * size * 5);
        const end = Math.min(stream.length, at + len);
        reader.push(stream.subarray(at, end));
        at = end;
        assert.equal(frames.length, Math.floor(at / size));
        assert.equal(reader.partialBytes, at % size);
      }
      assertFrames(frames, expected);
      assert.equal(reader.partialBytes, 0);
    });
  }

  test('reset drops the partial frame and the next bytes start a new frame', () => {
    const size = 6;
    const { reader, frames } = harness(size);
    reader.push(Uint8Array.of(1, 1, 1, 1));
    assert.equal(reader.partialBytes, 4);
    reader.reset();
    assert.equal(reader.partialBytes, 0);
    const next = framePattern(5, size);
    reader.push(next.subarray(0, 2));
    assert.equal(frames.length, 0, 'the 4 old bytes must not complete a frame');
    reader.push(next.subarray(2));
    assertFrames(frames, [next]);
  });

  test('reset with nothing pending is harmless', () => {
    const { reader, frames } = harness(3);
    reader.reset();
    reader.push(Uint8Array.of(1, 2, 3));
    assertFrames(frames, [Uint8Array.of(1, 2, 3)]);
  });

  test('each emitted frame is an independent copy of the source chunk', () => {
    const size = 4;
    const { reader, frames } = harness(size);
    // Whole frames inside one chunk, then a frame split across two chunks.
    const chunk1 = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    const chunk2 = Uint8Array.of(11, 12, 13, 14, 15, 16);
    reader.push(chunk1);
    reader.push(chunk2);
    assert.equal(frames.length, 4);
    chunk1.fill(0xee);
    chunk2.fill(0xee);
    for (const f of frames) assert.deepEqual(f.data, f.copy);
    assert.deepEqual(frames.map((f) => [...f.data]), [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ]);
    // Exactly frame-sized buffers (do not pin a larger chunk), none sharing memory.
    for (const f of frames) {
      assert.equal(f.data.byteLength, size);
      assert.equal(f.data.buffer.byteLength, size, 'frame must own its buffer');
    }
    assert.equal(new Set(frames.map((f) => f.data.buffer)).size, frames.length);
  });

  test('mutating an emitted frame does not change later frames', () => {
    const { reader, frames } = harness(2);
    reader.push(Uint8Array.of(1, 2, 3));
    frames[0]!.data.fill(0);
    reader.push(Uint8Array.of(4));
    assert.deepEqual([...frames[1]!.data], [3, 4]);
  });

  test('the completion time comes from the injected clock, read when the completing chunk arrives', () => {
    let now = 1000;
    const { reader, frames } = harness(4, () => now);
    reader.push(Uint8Array.of(1, 2)); // started at 1000
    now = 1500;
    reader.push(Uint8Array.of(3, 4, 5, 6, 7, 8, 9)); // completes frames 0 and 1 at 1500
    now = 2250.5;
    reader.push(Uint8Array.of(10, 11, 12)); // completes frame 2 at 2250.5
    assert.deepEqual(
      frames.map((f) => f.at),
      [1500, 1500, 2250.5],
    );
  });

  test('frameBytes is exposed', () => {
    assert.equal(harness(224 * 224 * 3).reader.frameBytes, 150528);
  });
});
