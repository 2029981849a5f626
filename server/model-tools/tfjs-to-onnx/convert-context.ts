/**
 * Conversion state: what is known about every TF tensor while the graph is
 * walked. Image tensors are kept in NCHW (ONNX's native conv layout) once
 * they are transposed at the input; the NHWC view is materialized only when an
 * op needs TF's layout (Reshape, outputs), so a conv stack costs no transposes.
 */
import { OnnxGraphBuilder } from '../onnx/onnx-builder.js';
import { OnnxDataType, type OnnxDataTypeId } from '../onnx/onnx-schema.js';
import { float32ToFloat16, type ConstDtype, type ConstTensor } from './tfjs-model.js';

/** Below this many values a float16 copy + Cast node costs more than it saves. */
const HALF_STORAGE_MIN = 64;

/** A static size, or the symbolic batch dimension. */
export type Dim = number | 'batch';

/** Known value of a small int tensor; null marks entries only known at run time (the batch size). */
export type KnownInts = (number | null)[];

export interface Val {
  /** TF logical shape (NHWC for images). */
  shape: Dim[];
  dtype: ConstDtype;
  /** ONNX tensor holding the value in TF layout. */
  nhwc?: string;
  /** ONNX tensor holding a rank-4 value transposed to NCHW. */
  nchw?: string;
  /** Compile-time constant (weights and folded arithmetic). */
  konst?: ConstTensor;
  /** Shape arithmetic (Shape -> StridedSlice -> Pack ...) folded at conversion time. */
  known?: KnownInts;
}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

export function onnxType(dtype: ConstDtype): OnnxDataTypeId {
  return dtype === 'float32' ? OnnxDataType.FLOAT : dtype === 'int32' ? OnnxDataType.INT32 : OnnxDataType.BOOL;
}

export const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function staticShape(shape: Dim[], what: string): number[] {
  return shape.map((d) => {
    if (d === 'batch') throw new Error(`${what}: needs a static shape, got batch dim`);
    return d;
  });
}

/** Permutes the data of a dense constant (row-major) by `perm`. */
export function transposeData<T extends Float32Array | Int32Array>(data: T, shape: number[], perm: number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p] ?? 1);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = (inStrides[i + 1] ?? 1) * (shape[i + 1] ?? 1);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += (idx[i] ?? 0) * (inStrides[perm[i] ?? 0] ?? 0);
    out[o] = data[src] ?? 0;
    for (let i = rank - 1; i >= 0; i--) {
      idx[i] = (idx[i] ?? 0) + 1;
      if ((idx[i] ?? 0) < (outShape[i] ?? 1)) break;
      idx[i] = 0;
    }
  }
  return out;
}

export function knownToConst(known: KnownInts, shape: Dim[]): ConstTensor | undefined {
  if (known.some((k) => k === null)) return undefined;
  return { dtype: 'int32', shape: staticShape(shape, 'const'), data: Int32Array.from(known as number[]) };
}

export class ConvertContext {
  readonly g = new OnnxGraphBuilder();
  readonly vals = new Map<string, Val>();

  /** TF input refs look like "node", "node:1" or "^control". */
  static key(ref: string): string {
    return ref.includes(':') ? ref : `${ref}:0`;
  }

  get(ref: string): Val {
    const v = this.vals.get(ConvertContext.key(ref));
    if (!v) throw new Error(`unknown tensor ${ref}`);
    return v;
  }

  set(nodeName: string, index: number, v: Val): void {
    this.vals.set(`${nodeName}:${index}`, v);
  }

  /** Emits a constant as an initializer. */
  constInit(prefix: string, c: ConstTensor, shapeOverride?: number[]): string {
    const dims = shapeOverride ?? c.shape;
    if (c.dtype === 'bool') return this.g.addInitializer(prefix, OnnxDataType.BOOL, dims, Uint8Array.from(c.data));
    if (c.halfExact && c.dtype === 'float32' && c.data.length >= HALF_STORAGE_MIN) {
      // Lossless: the weights were float16 in the TF.js shard. Halves the .onnx; onnxruntime
      // constant-folds the Cast at session creation, so inference still runs in float32.
      const bits = Uint16Array.from(c.data, float32ToFloat16);
      const half = this.g.addInitializer(`${prefix}/f16`, OnnxDataType.FLOAT16, dims, new Uint8Array(bits.buffer));
      return this.g.op('Cast', [half], prefix, { to: { kind: 'int', value: OnnxDataType.FLOAT } });
    }
    return this.g.addInitializer(prefix, onnxType(c.dtype), dims, c.data);
  }

  /** ONNX name of the value in TF layout, creating it if needed. */
  nhwc(v: Val, hint: string): string {
    if (v.nhwc) return v.nhwc;
    if (v.nchw) {
      v.nhwc = this.g.op('Transpose', [v.nchw], `${hint}/nhwc`, { perm: { kind: 'ints', value: NCHW_TO_NHWC } });
      return v.nhwc;
    }
    const c = v.konst ?? (v.known ? knownToConst(v.known, v.shape) : undefined);
    if (!c) throw new Error(`${hint}: value only known at run time is not materialized`);
    v.nhwc = this.constInit(hint, c);
    return v.nhwc;
  }

  /** ONNX name of a rank-4 value in NCHW layout. */
  nchw(v: Val, hint: string): string {
    if (v.nchw) return v.nchw;
    if (v.shape.length !== 4) throw new Error(`${hint}: NCHW needs rank 4, got ${v.shape.length}`);
    if (v.konst) {
      const data = transposeData(v.konst.data, v.konst.shape, NHWC_TO_NCHW);
      v.nchw = this.constInit(hint, { ...v.konst, data }, NHWC_TO_NCHW.map((p) => v.konst?.shape[p] ?? 1));
      return v.nchw;
    }
    v.nchw = this.g.op('Transpose', [this.nhwc(v, hint)], `${hint}/nchw`, { perm: { kind: 'ints', value: NHWC_TO_NCHW } });
    return v.nchw;
  }

  /**
   * A constant operand of a broadcasting op whose other operand is NCHW:
   * right-align it to rank 4 (numpy rules) and move its channel axis.
   */
  constForNchw(c: ConstTensor, hint: string): string {
    if (c.shape.length === 0 || numel(c.shape) === 1) return this.constInit(hint, c, []);
    const shape4 = [...new Array<number>(4 - c.shape.length).fill(1), ...c.shape];
    const data = transposeData(c.data, shape4, NHWC_TO_NCHW);
    return this.constInit(hint, { ...c, data }, NHWC_TO_NCHW.map((p) => shape4[p] ?? 1));
  }

  /** Prefers NCHW when the value already lives there. */
  isNchw(v: Val): boolean {
    return v.nchw !== undefined && v.shape.length === 4;
  }
}
