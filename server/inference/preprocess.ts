/**
 * Packs RGB24 frames into one input tensor (NCHW or NHWC, float32 or uint8)
 * with the manifest's normalisation. Per-channel lookup tables turn the
 * normalisation into one table read per byte.
 */
export interface PackSpec {
  layout: 'NCHW' | 'NHWC';
  dtype: 'float32' | 'uint8';
  colorOrder: 'RGB' | 'BGR';
  width: number;
  height: number;
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export function channelTables(spec: PackSpec): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v * spec.scale - spec.mean[c]!) / spec.std[c]!;
    return table;
  });
}

/** Writes frames into one batch buffer. Source channel order is always RGB. */
export function packBatch(frames: readonly { data: Uint8Array }[], spec: PackSpec, tables: Float32Array[]): Float32Array | Uint8Array {
  const plane = spec.width * spec.height;
  const per = plane * 3;
  const out = spec.dtype === 'uint8' ? new Uint8Array(frames.length * per) : new Float32Array(frames.length * per);
  // Output channel k reads source channel order[k].
  const order = spec.colorOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  frames.forEach((frame, b) => {
    if (frame.data.length !== per) throw new RangeError(`frame ${b} has ${frame.data.length} bytes, expected ${per}`);
    const src = frame.data;
    const base = b * per;
    if (spec.dtype === 'uint8') {
      packUint8(src, out as Uint8Array, base, plane, order, spec.layout);
      return;
    }
    const dst = out as Float32Array;
    for (let k = 0; k < 3; k++) {
      const s = order[k]!;
      const table = tables[k]!;
      if (spec.layout === 'NCHW') {
        const offset = base + k * plane;
        for (let i = 0; i < plane; i++) dst[offset + i] = table[src[i * 3 + s]!]!;
      } else {
        for (let i = 0; i < plane; i++) dst[base + i * 3 + k] = table[src[i * 3 + s]!]!;
      }
    }
  });
  return out;
}

function packUint8(src: Uint8Array, dst: Uint8Array, base: number, plane: number, order: number[], layout: 'NCHW' | 'NHWC'): void {
  if (layout === 'NHWC' && order[0] === 0) {
    dst.set(src, base);
    return;
  }
  for (let k = 0; k < 3; k++) {
    const s = order[k]!;
    for (let i = 0; i < plane; i++) {
      dst[layout === 'NCHW' ? base + k * plane + i : base + i * 3 + k] = src[i * 3 + s]!;
    }
  }
}

export function softmax(values: ArrayLike<number>, offset: number, length: number): Float64Array {
  const out = new Float64Array(length);
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, values[offset + i]!);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    out[i] = Math.exp(values[offset + i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < length; i++) out[i]! /= sum;
  return out;
}
