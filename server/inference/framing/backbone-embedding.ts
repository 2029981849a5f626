/**
 * A generic image embedding for free: models/movenet-multipose-embed.onnx (and
 * its int8 form, which the default classifier runs) is
 * MoveNet MultiPose (same heads, same weights) plus average-pooled FPN feature
 * maps of its MobileNetV2 backbone, so the one pose session.run that already
 * happens per batch also gives [batch, C] pooled features. This module turns
 * those outputs into per-frame feature vectors for the calibration head.
 *
 * Raw pooled values, no normalisation: the head standardises every feature.
 * The output list must match MOVENET_EMBED_SPEC.pooled in
 * server/model-tools/model-specs.ts (test/unit/backbone-embedding.test.ts checks it).
 */

export interface EmbeddingOutput {
  /** ONNX output name in movenet-multipose-embed. */
  name: string;
  /** Values per frame (rows * cols * channels of the pooled map). */
  dims: number;
  /** Feature-name prefix. */
  prefix: string;
}

export const EMBEDDING_OUTPUTS: readonly EmbeddingOutput[] = [
  { name: 'embed_p5_gap', dims: 64, prefix: 'bb_p5' },
  { name: 'embed_p4_gap', dims: 32, prefix: 'bb_p4' },
  { name: 'embed_p3_gap', dims: 24, prefix: 'bb_p3' },
  { name: 'embed_p2_gap', dims: 24, prefix: 'bb_p2' },
];

export const EMBEDDING_DIMS = EMBEDDING_OUTPUTS.reduce((n, o) => n + o.dims, 0);

/** bb_p5_00 .. bb_p5_63, bb_p4_00 .. bb_p4_31, ...: one per value, in output order. */
export const EMBEDDING_FEATURE_NAMES: readonly string[] = EMBEDDING_OUTPUTS.flatMap((o) =>
  Array.from({ length: o.dims }, (_, i) => `${o.prefix}_${String(i).padStart(2, '0')}`));

/** What an onnxruntime output looks like here (ort.Tensor satisfies it). */
export interface TensorLike {
  data: unknown;
  dims: readonly number[];
}

/** The embedding of frame `b` of a batch: the outputs' rows for b, concatenated. */
export function embeddingAt(outputs: Readonly<Record<string, TensorLike | undefined>>, b: number): Float32Array {
  const out = new Float32Array(EMBEDDING_DIMS);
  let at = 0;
  for (const o of EMBEDDING_OUTPUTS) {
    const t = outputs[o.name];
    if (!t) throw new Error(`embedding output ${o.name} missing: is the pose model movenet-multipose-embed?`);
    if (!(t.data instanceof Float32Array)) throw new TypeError(`embedding output ${o.name} is not float32`);
    const [n = 0, d] = t.dims;
    if (t.dims.length !== 2 || d !== o.dims) throw new RangeError(`embedding output ${o.name} has dims [${t.dims.join(', ')}], expected [batch, ${o.dims}]`);
    if (!Number.isInteger(b) || b < 0 || b >= n) throw new RangeError(`batch index ${b} out of range 0..${n - 1}`);
    out.set(t.data.subarray(b * d, (b + 1) * d), at);
    at += d;
  }
  return out;
}
