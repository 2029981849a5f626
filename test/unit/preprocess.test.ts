import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { channelTables, packBatch, softmax, type PackSpec } from '../../server/inference/preprocess.js';

// A 2x1 image: pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60), RGB interleaved.
const IMG_A = Uint8Array.of(10, 20, 30, 40, 50, 60);
// A second image with different values, to check batch placement.
const IMG_B = Uint8Array.of(110, 120, 130, 140, 150, 160);

function spec(overrides: Partial<PackSpec> = {}): PackSpec {
  return { layout: 'NCHW', dtype: 'uint8', colorOrder: 'RGB', width: 2, height: 1, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], ...overrides };
}

function pack(frames: Uint8Array[], s: PackSpec): number[] {
  return [...packBatch(frames.map((data) => ({ data })), s, channelTables(s))];
}

describe('packBatch: uint8', () => {
  test('NCHW RGB: one plane per channel', () => {
    assert.deepEqual(pack([IMG_A], spec()), [10, 40, 20, 50, 30, 60]);
  });

  test('NHWC RGB: the bytes unchanged, in a new buffer', () => {
    const s = spec({ layout: 'NHWC' });
    const out = packBatch([{ data: IMG_A }], s, channelTables(s));
    assert.ok(out instanceof Uint8Array);
    assert.deepEqual([...out], [10, 20, 30, 40, 50, 60]);
    assert.notEqual(out.buffer, IMG_A.buffer);
  });

  test('NCHW BGR: blue plane first', () => {
    assert.deepEqual(pack([IMG_A], spec({ colorOrder: 'BGR' })), [30, 60, 20, 50, 10, 40]);
  });

  test('NHWC BGR: channels swapped per pixel', () => {
    assert.deepEqual(pack([IMG_A], spec({ layout: 'NHWC', colorOrder: 'BGR' })), [30, 20, 10, 60, 50, 40]);
  });

  test('uint8 ignores scale, mean and std (the model takes raw bytes)', () => {
    assert.deepEqual(pack([IMG_A], spec({ scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2] })), [10, 40, 20, 50, 30, 60]);
  });

  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const colorOrder of ['RGB', 'BGR'] as const) {
      test(`batch of 2 (${layout} ${colorOrder}): image 2 follows image 1`, () => {
        const s = spec({ layout, colorOrder });
        const both = pack([IMG_A, IMG_B], s);
        assert.equal(both.length, 12);
        assert.deepEqual(both.slice(0, 6), pack([IMG_A], s));
        assert.deepEqual(both.slice(6), pack([IMG_B], s));
      });
    }
  }
});

describe('packBatch: float32 normalisation', () => {
  // Values chosen so every channel's mean and std differ.
  const norm = { scale: 2, mean: [1, 2, 3] as const, std: [2, 4, 8] as const };
  /** (byte * scale - mean[k]) / std[k], rounded to float32 as the tables are. */
  const expect = (byte: number, k: 0 | 1 | 2) => Math.fround((byte * norm.scale - norm.mean[k]) / norm.std[k]);

  test('NCHW RGB: values at known pixels', () => {
    const s = spec({ dtype: 'float32', ...norm });
    const out = packBatch([{ data: IMG_A }], s, channelTables(s));
    assert.ok(out instanceof Float32Array);
    assert.deepEqual([...out], [expect(10, 0), expect(40, 0), expect(20, 1), expect(50, 1), expect(30, 2), expect(60, 2)]);
    assert.equal(out[0], 9.5); // (20 - 1) / 2
    assert.equal(out[3], 24.5); // (100 - 2) / 4
    assert.equal(out[5], 14.625); // (120 - 3) / 8
  });

  test('NHWC RGB', () => {
    const s = spec({ dtype: 'float32', layout: 'NHWC', ...norm });
    assert.deepEqual(pack([IMG_A], s), [expect(10, 0), expect(20, 1), expect(30, 2), expect(40, 0), expect(50, 1), expect(60, 2)]);
  });

  test('BGR: tensor channel 0 reads blue, and mean/std are indexed by tensor channel', () => {
    const nchw = spec({ dtype: 'float32', colorOrder: 'BGR', ...norm });
    assert.deepEqual(pack([IMG_A], nchw), [expect(30, 0), expect(60, 0), expect(20, 1), expect(50, 1), expect(10, 2), expect(40, 2)]);
    const nhwc = spec({ dtype: 'float32', colorOrder: 'BGR', layout: 'NHWC', ...norm });
    assert.deepEqual(pack([IMG_A], nhwc), [expect(30, 0), expect(20, 1), expect(10, 2), expect(60, 0), expect(50, 1), expect(40, 2)]);
  });

  test('ImageNet normalisation of black and white pixels', () => {
    const imagenet = { dtype: 'float32' as const, scale: 1 / 255, mean: [0.485, 0.456, 0.406] as const, std: [0.229, 0.224, 0.225] as const };
    const s = spec({ ...imagenet, width: 1, height: 2 });
    const out = pack([Uint8Array.of(0, 0, 0, 255, 255, 255)], s);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);
    // Channel R plane: black then white.
    close(out[0]!, -0.485 / 0.229);
    close(out[1]!, (1 - 0.485) / 0.229);
    close(out[2]!, -0.456 / 0.224);
    close(out[3]!, (1 - 0.456) / 0.224);
    close(out[4]!, -0.406 / 0.225);
    close(out[5]!, (1 - 0.406) / 0.225);
  });

  test('batch of 2: image 2 follows image 1', () => {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const s = spec({ dtype: 'float32', layout, ...norm });
      const both = pack([IMG_A, IMG_B], s);
      assert.equal(both.length, 12);
      assert.deepEqual(both.slice(0, 6), pack([IMG_A], s));
      assert.deepEqual(both.slice(6), pack([IMG_B], s));
      assert.equal(both[6], expect(110, 0), 'first value of image 2');
    }
  });

  test('a larger image: NCHW plane offsets', () => {
    const w = 4;
    const h = 3;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set([i, 100 + i, 200 + i], i * 3);
    const s = spec({ width: w, height: h });
    const out = pack([data], s);
    const plane = w * h;
    for (let i = 0; i < plane; i++) {
      assert.equal(out[i], i);
      assert.equal(out[plane + i], 100 + i);
      assert.equal(out[2 * plane + i], 200 + i);
    }
  });
});

describe('packBatch: errors and edge cases', () => {
  for (const dtype of ['uint8', 'float32'] as const) {
    test(`a frame of the wrong size throws (${dtype})`, () => {
      const s = spec({ dtype });
      assert.throws(() => packBatch([{ data: new Uint8Array(5) }], s, channelTables(s)), RangeError);
      assert.throws(() => packBatch([{ data: IMG_A }, { data: new Uint8Array(9) }], s, channelTables(s)), /frame 1 has 9 bytes, expected 6/);
    });
  }

  test('an empty batch gives an empty tensor of the right type', () => {
    const s = spec({ dtype: 'float32' });
    const out = packBatch([], s, channelTables(s));
    assert.ok(out instanceof Float32Array);
    assert.equal(out.length, 0);
  });
});

describe('channelTables', () => {
  test('one table of 256 entries per channel with the normalisation applied', () => {
    const tables = channelTables(spec({ scale: 0.5, mean: [1, 2, 3], std: [1, 2, 4] }));
    assert.equal(tables.length, 3);
    for (const t of tables) assert.equal(t.length, 256);
    assert.equal(tables[0]![0], -1);
    assert.equal(tables[0]![255], 126.5);
    assert.equal(tables[1]![10], 1.5);
    assert.equal(tables[2]![7], 0.125);
  });
});

describe('softmax', () => {
  const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

  test('sums to 1 and keeps the order of the logits', () => {
    const out = softmax([1, 2, 3, 0.5], 0, 4);
    assert.ok(Math.abs(sum(out) - 1) < 1e-12);
    assert.ok(out[2]! > out[1]! && out[1]! > out[0]! && out[0]! > out[3]!);
    assert.ok(Math.abs(out[2]! - Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(0.5))) < 1e-12);
  });

  test('equal logits give a uniform distribution', () => {
    assert.deepEqual([...softmax([7, 7, 7, 7], 0, 4)], [0.25, 0.25, 0.25, 0.25]);
  });

  test('is stable for large logits (no Infinity or NaN)', () => {
    const big = softmax([1000, 1001, 1002], 0, 3);
    const small = softmax([0, 1, 2], 0, 3);
    for (let i = 0; i < 3; i++) {
      assert.ok(Number.isFinite(big[i]!));
      assert.ok(Math.abs(big[i]! - small[i]!) < 1e-12);
    }
    const negative = softmax([-1000, -1001], 0, 2);
    assert.ok(Math.abs(sum(negative) - 1) < 1e-12);
    assert.ok(negative[0]! > negative[1]!);
    const huge = softmax(Float32Array.of(3e38, 0), 0, 2);
    assert.deepEqual([...huge], [1, 0]);
  });

  test('reads one row of a batch output by offset and length', () => {
    const logits = Float32Array.of(9, 9, 9, 0, Math.log(3), 100, 100);
    const row = softmax(logits, 3, 2);
    assert.equal(row.length, 2);
    assert.ok(Math.abs(row[0]! - 0.25) < 1e-7);
    assert.ok(Math.abs(row[1]! - 0.75) < 1e-7);
  });
});
