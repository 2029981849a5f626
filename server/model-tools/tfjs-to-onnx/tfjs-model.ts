/**
 * Reads a TF.js graph model (model.json + .bin shards) from disk and decodes
 * its weights, dequantizing uint8/uint16/float16 storage back to float32 so the
 * ONNX model computes with exactly the values TF.js computes with.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface TfAttrValue {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  list?: { i?: (string | number)[]; s?: string[]; f?: number[] };
  tensor?: unknown;
}

export interface TfNodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}

export type ConstDtype = 'float32' | 'int32' | 'bool';

export interface ConstTensor {
  dtype: ConstDtype;
  shape: number[];
  data: Float32Array | Int32Array;
  /** Every value is exactly a float16 (source stored as float16): may be written back as float16 losslessly. */
  halfExact?: boolean;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

interface ModelJson {
  modelTopology: { node: TfNodeDef[] };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  signature?: unknown;
  userDefinedMetadata?: unknown;
}

export interface TfjsArtifacts {
  json: ModelJson;
  /** Flat weight specs and concatenated shard bytes, as tf.io.fromMemory wants them. */
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
}

export interface TfjsGraphModel {
  nodes: TfNodeDef[];
  weights: Map<string, ConstTensor>;
}

export async function readTfjsArtifacts(jsonPath: string): Promise<TfjsArtifacts> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  const weightSpecs: WeightSpec[] = [];
  const chunks: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) chunks.push(await readFile(join(dirname(jsonPath), p)));
  }
  const all = Buffer.concat(chunks);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return { json, weightSpecs, weightData };
}

/** IEEE 754 half -> float, exact (every half is representable as a float). */
export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float -> IEEE 754 half bits, round-to-nearest-even (exact for values that came from halves). */
export function float32ToFloat16(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rem > mid || (rem === mid && (half & 1)) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (rem > 0x1000 || (rem === 0x1000 && (half & 1)) ? half + 1 : half);
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function decodeWeight(spec: WeightSpec, bytes: Uint8Array): { tensor: ConstTensor; byteLength: number } {
  const n = size(spec.shape);
  const dtype: ConstDtype = spec.dtype === 'int32' ? 'int32' : spec.dtype === 'bool' ? 'bool' : 'float32';
  if (spec.dtype !== 'float32' && spec.dtype !== 'int32' && spec.dtype !== 'bool') {
    throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = spec.quantization;
  const out = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  if (!q) {
    const width = dtype === 'bool' ? 1 : 4;
    for (let k = 0; k < n; k++) {
      if (dtype === 'float32') out[k] = view.getFloat32(k * 4, true);
      else if (dtype === 'int32') out[k] = view.getInt32(k * 4, true);
      else out[k] = view.getUint8(k);
    }
    return { tensor: { dtype, shape: spec.shape, data: out }, byteLength: n * width };
  }
  if (q.dtype === 'float16') {
    for (let k = 0; k < n; k++) out[k] = float16ToFloat32(view.getUint16(k * 2, true));
    return { tensor: { dtype, shape: spec.shape, data: out, halfExact: dtype === 'float32' }, byteLength: n * 2 };
  }
  // Affine quantization, same formula as tfjs-core io.decodeWeights: v = q * scale + min.
  const width = q.dtype === 'uint8' ? 1 : 2;
  const scale = q.scale ?? 1;
  const min = q.min ?? 0;
  for (let k = 0; k < n; k++) {
    const raw = width === 1 ? view.getUint8(k) : view.getUint16(k * 2, true);
    out[k] = dtype === 'int32' ? Math.round(raw * scale + min) : raw * scale + min;
  }
  return { tensor: { dtype, shape: spec.shape, data: out }, byteLength: n * width };
}

export async function loadTfjsGraphModel(jsonPath: string): Promise<TfjsGraphModel> {
  const { json, weightSpecs, weightData } = await readTfjsArtifacts(jsonPath);
  const bytes = new Uint8Array(weightData);
  const weights = new Map<string, ConstTensor>();
  let offset = 0;
  for (const spec of weightSpecs) {
    const { tensor, byteLength } = decodeWeight(spec, bytes.subarray(offset));
    weights.set(spec.name, tensor);
    offset += byteLength;
  }
  if (offset !== bytes.byteLength) throw new Error(`weights: read ${offset} of ${bytes.byteLength} bytes`);
  return { nodes: json.modelTopology.node, weights };
}

/** Attribute helpers: TF.js keeps int64 as strings and strings as base64. */
export const tfAttr = {
  int(node: TfNodeDef, key: string, dflt?: number): number {
    const v = node.attr?.[key]?.i;
    if (v === undefined) {
      if (dflt === undefined) throw new Error(`${node.name}: missing attr ${key}`);
      return dflt;
    }
    return Number(v);
  },
  ints(node: TfNodeDef, key: string): number[] {
    return (node.attr?.[key]?.list?.i ?? []).map(Number);
  },
  float(node: TfNodeDef, key: string, dflt: number): number {
    return node.attr?.[key]?.f ?? dflt;
  },
  bool(node: TfNodeDef, key: string, dflt = false): boolean {
    return node.attr?.[key]?.b ?? dflt;
  },
  str(node: TfNodeDef, key: string, dflt = ''): string {
    const s = node.attr?.[key]?.s;
    return s === undefined ? dflt : Buffer.from(s, 'base64').toString('utf8');
  },
  strs(node: TfNodeDef, key: string): string[] {
    return (node.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  },
};
