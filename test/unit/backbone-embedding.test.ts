/** The backbone embedding read from movenet-multipose-embed's pooled outputs. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EMBEDDING_DIMS, EMBEDDING_FEATURE_NAMES, EMBEDDING_OUTPUTS, embeddingAt, type TensorLike } from '../../server/inference/framing/backbone-embedding.js';
import { MOVENET_EMBED_SPEC } from '../../server/model-tools/model-specs.js';

/** Outputs of a batch of n where value = 1000 * b + 100 * output + i, easy to trace. */
function fakeOutputs(n: number): Record<string, TensorLike> {
  return Object.fromEntries(EMBEDDING_OUTPUTS.map((o, k) => [o.name, {
    dims: [n, o.dims],
    data: Float32Array.from({ length: n * o.dims }, (_, j) => 1000 * Math.floor(j / o.dims) + 100 * k + (j % o.dims)),
  }]));
}

describe('backbone embedding', () => {
  it('names one feature per value, uniquely', () => {
    assert.equal(EMBEDDING_FEATURE_NAMES.length, EMBEDDING_DIMS);
    assert.equal(new Set(EMBEDDING_FEATURE_NAMES).size, EMBEDDING_DIMS);
    assert.ok(EMBEDDING_DIMS <= 200);
  });

  it('reads the outputs the model spec and the shipped manifest define', () => {
    const pooled = MOVENET_EMBED_SPEC.pooled ?? [];
    assert.deepEqual(EMBEDDING_OUTPUTS.map((o) => [o.name, o.dims]), pooled.map((p) => [p.name, p.grid[0] * p.grid[1] * p.mapShape[2]]));
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'models', `${MOVENET_EMBED_SPEC.name}.manifest.json`), 'utf8')) as
      { outputs: { name: string; shape: (number | string)[] }[] };
    for (const o of EMBEDDING_OUTPUTS) assert.deepEqual(manifest.outputs.find((m) => m.name === o.name)?.shape, ['batch', o.dims]);
  });

  it('takes batch index b from every output, in output order', () => {
    const outputs = fakeOutputs(4);
    for (const b of [0, 1, 3]) {
      const e = embeddingAt(outputs, b);
      assert.equal(e.length, EMBEDDING_DIMS);
      let at = 0;
      EMBEDDING_OUTPUTS.forEach((o, k) => {
        assert.equal(e[at], 1000 * b + 100 * k);
        assert.equal(e[at + o.dims - 1], 1000 * b + 100 * k + o.dims - 1);
        at += o.dims;
      });
    }
    // Row b of a batch of 3 equals row 0 of a batch of 1 with the same data.
    const three = fakeOutputs(3);
    const one = Object.fromEntries(Object.entries(three).map(([name, t]) => {
      const d = t.dims[1]!;
      return [name, { dims: [1, d], data: (t.data as Float32Array).slice(d, 2 * d) }];
    }));
    assert.deepEqual(embeddingAt(three, 1), embeddingAt(one, 0));
  });

  it('rejects a missing output, wrong dims and an out-of-range index', () => {
    const outputs = fakeOutputs(2);
    const first = EMBEDDING_OUTPUTS[0]!;
    assert.throws(() => embeddingAt({ ...outputs, [first.name]: undefined }, 0), /missing/);
    assert.throws(() => embeddingAt({ ...outputs, [first.name]: { dims: [2, first.dims + 1], data: new Float32Array(2 * (first.dims + 1)) } }, 0), /dims/);
    assert.throws(() => embeddingAt(outputs, 2), /out of range/);
    assert.throws(() => embeddingAt(outputs, -1), /out of range/);
  });
});
