/**
 * Element-wise ops. Three paths: fold small int "shape arithmetic" at
 * conversion time, fold constant-only maths, or emit an ONNX op in the layout
 * the non-constant operand already has (constants are re-laid out to match).
 */
import { ConvertContext, numel, onnxType, type Dim, type KnownInts, type Val } from './convert-context.js';
import { activation, nodeInput, type OpHandler } from './ops-nn.js';
import type { ConstTensor, TfNodeDef } from './tfjs-model.js';

type Fn = (a: number, b: number) => number;

const binaryFns: Record<string, { onnx: string; fn: Fn }> = {
  Add: { onnx: 'Add', fn: (a, b) => a + b },
  AddV2: { onnx: 'Add', fn: (a, b) => a + b },
  BiasAdd: { onnx: 'Add', fn: (a, b) => a + b },
  Sub: { onnx: 'Sub', fn: (a, b) => a - b },
  Mul: { onnx: 'Mul', fn: (a, b) => a * b },
  RealDiv: { onnx: 'Div', fn: (a, b) => a / b },
  Div: { onnx: 'Div', fn: (a, b) => a / b },
  FloorDiv: { onnx: 'Div', fn: (a, b) => Math.floor(a / b) },
  Maximum: { onnx: 'Max', fn: Math.max },
  Minimum: { onnx: 'Min', fn: Math.min },
  Pow: { onnx: 'Pow', fn: Math.pow },
  SquaredDifference: { onnx: 'SquaredDifference', fn: (a, b) => (a - b) * (a - b) },
};

function broadcastShape(a: Dim[], b: Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Constant folding for a constant op scalar or equal shapes (enough for TF.js graphs, which are already folded). */
function foldConst(a: ConstTensor, b: ConstTensor, fn: Fn): ConstTensor | undefined {
  const na = numel(a.shape), nb = numel(b.shape);
  if (na !== nb && na !== 1 && nb !== 1) return undefined;
  const n = Math.max(na, nb);
  const out = a.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = fn(a.data[na === 1 ? 0 : i] ?? 0, b.data[nb === 1 ? 0 : i] ?? 0);
  return { dtype: a.dtype, shape: na >= nb ? a.shape : b.shape, data: out };
}

function foldKnown(a: KnownInts, b: KnownInts, fn: Fn): KnownInts {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length === 1 ? 0 : i], y = b[b.length === 1 ? 0 : i];
    return x == null || y == null ? null : Math.trunc(fn(x, y));
  });
}

function binary(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const spec = binaryFns[node.op];
  if (!spec) throw new Error(`unsupported binary op ${node.op}`);
  const a = nodeInput(ins, 0, node), b = nodeInput(ins, 1, node);
  const shape = broadcastShape(a.shape, b.shape);
  if (a.known && b.known && a.dtype === 'int32') return [{ shape, dtype: 'int32', known: foldKnown(a.known, b.known, spec.fn) }];
  if (a.konst && b.konst) {
    const k = foldConst(a.konst, b.konst, spec.fn);
    if (k) return [{ shape, dtype: a.dtype, konst: k }];
  }
  const live = [a, b].filter((v) => !v.konst);
  const useNchw = shape.length === 4 && live.every((v) => v.shape.length === 4) && live.some((v) => ctx.isNchw(v));
  const operand = (v: Val, i: number): string => {
    const hint = `${node.name}/${i}`;
    if (!useNchw) return ctx.nhwc(v, hint);
    return v.konst ? ctx.constForNchw(v.konst, hint) : ctx.nchw(v, hint);
  };
  const [x, y] = [operand(a, 0), operand(b, 1)];
  let out: string;
  if (spec.onnx === 'SquaredDifference') {
    const d = ctx.g.op('Sub', [x, y], `${node.name}/diff`);
    out = ctx.g.op('Mul', [d, d], node.name);
  } else if (node.op === 'FloorDiv' && a.dtype === 'float32') {
    out = ctx.g.op('Floor', [ctx.g.op('Div', [x, y], `${node.name}/div`)], node.name);
  } else {
    out = ctx.g.op(spec.onnx, [x, y], node.name);
  }
  return [useNchw ? { shape, dtype: a.dtype, nchw: out } : { shape, dtype: a.dtype, nhwc: out }];
}

/** Unary ops keep the operand's layout: they do not care about axes. */
function unary(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = nodeInput(ins, 0, node);
  const nchw = ctx.isNchw(x);
  const src = nchw ? ctx.nchw(x, node.name) : ctx.nhwc(x, node.name);
  const simple: Record<string, string> = {
    Exp: 'Exp', Abs: 'Abs', Sqrt: 'Sqrt', Neg: 'Neg', Floor: 'Floor', Log: 'Log', Reciprocal: 'Reciprocal',
  };
  let y: string;
  if (simple[node.op]) y = ctx.g.op(simple[node.op] as string, [src], node.name);
  else if (node.op === 'Rsqrt') y = ctx.g.op('Reciprocal', [ctx.g.op('Sqrt', [src], `${node.name}/sqrt`)], node.name);
  else if (node.op === 'Square') y = ctx.g.op('Mul', [src, src], node.name);
  else y = activation(ctx, node.op, src, node.name, node);
  return [nchw ? { shape: x.shape, dtype: x.dtype, nchw: y } : { shape: x.shape, dtype: x.dtype, nhwc: y }];
}

function cast(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = nodeInput(ins, 0, node);
  const dst = node.attr?.DstT?.type;
  const dtype = dst === 'DT_FLOAT' ? 'float32' : dst === 'DT_INT32' ? 'int32' : dst === 'DT_BOOL' ? 'bool' : undefined;
  if (!dtype) throw new Error(`${node.name}: unsupported cast to ${dst}`);
  if (x.known) return [{ ...x, dtype }];
  if (x.konst) {
    const data = dtype === 'float32' ? Float32Array.from(x.konst.data) : Int32Array.from(x.konst.data, Math.trunc);
    return [{ shape: x.shape, dtype, konst: { dtype, shape: x.konst.shape, data } }];
  }
  if (dtype === x.dtype) return [x];
  const nchw = ctx.isNchw(x);
  const y = ctx.g.op('Cast', [nchw ? ctx.nchw(x, node.name) : ctx.nhwc(x, node.name)], node.name, {
    to: { kind: 'int', value: onnxType(dtype) },
  });
  return [nchw ? { shape: x.shape, dtype, nchw: y } : { shape: x.shape, dtype, nhwc: y }];
}

export const mathOps: Record<string, OpHandler> = {
  ...Object.fromEntries(Object.keys(binaryFns).map((op) => [op, binary])),
  ...Object.fromEntries(
    ['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Elu', 'LeakyRelu', 'Exp', 'Abs', 'Sqrt', 'Neg', 'Floor', 'Log', 'Reciprocal', 'Rsqrt', 'Square']
      .map((op) => [op, unary]),
  ),
  Cast: cast,
};
