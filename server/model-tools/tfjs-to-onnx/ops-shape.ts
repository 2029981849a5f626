/**
 * Shape ops. TF graphs compute reshape targets and resize sizes at run time
 * (Shape -> StridedSlice -> Pack); with static spatial sizes these fold to
 * constants here, leaving only the batch entry symbolic. Data-moving shape ops
 * work on the NHWC view since their axes are TF's.
 */
import { ConvertContext, knownToConst, numel, type Dim, type KnownInts, type Val } from './convert-context.js';
import { nodeInput, type OpHandler } from './ops-nn.js';
import { tfAttr, type TfNodeDef } from './tfjs-model.js';

function knownOf(v: Val | undefined, what: string): KnownInts {
  if (v?.known) return v.known;
  if (v?.konst && v.konst.dtype === 'int32') return Array.from(v.konst.data);
  throw new Error(`${what} must be known at conversion time`);
}

const toKnown = (shape: Dim[]): KnownInts => shape.map((d) => (d === 'batch' ? null : d));
const fromKnown = (k: KnownInts): Dim[] => k.map((d) => (d === null ? 'batch' : d));

interface AxisSlice { start: number; end: number; step: number; shrink: boolean }

/** Resolves a StridedSlice spec (no ellipsis) into per-input-axis slices plus new-axis positions. */
function resolveSlice(node: TfNodeDef, shape: Dim[], begin: KnownInts, end: KnownInts, strides: KnownInts) {
  const bm = tfAttr.int(node, 'begin_mask', 0), em = tfAttr.int(node, 'end_mask', 0);
  const sm = tfAttr.int(node, 'shrink_axis_mask', 0), nm = tfAttr.int(node, 'new_axis_mask', 0);
  if (tfAttr.int(node, 'ellipsis_mask', 0)) throw new Error(`${node.name}: ellipsis_mask unsupported`);
  const slices: AxisSlice[] = [];
  const newAxes: number[] = [];
  let axis = 0;
  for (let j = 0; j < begin.length; j++) {
    if (nm & (1 << j)) { newAxes.push(j); continue; }
    const dim = shape[axis++];
    const size = typeof dim === 'number' ? dim : Number.MAX_SAFE_INTEGER;
    const step = strides[j] ?? 1;
    if (step === null || step <= 0) throw new Error(`${node.name}: only positive static strides`);
    const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
    let s = bm & (1 << j) ? 0 : norm(begin[j] ?? 0);
    let e = em & (1 << j) ? size : norm(end[j] ?? size);
    if (sm & (1 << j)) { s = norm(begin[j] ?? 0); e = s + 1; }
    slices.push({ start: s, end: e, step, shrink: (sm & (1 << j)) !== 0 });
  }
  while (axis < shape.length) {
    const dim = shape[axis++];
    slices.push({ start: 0, end: typeof dim === 'number' ? dim : Number.MAX_SAFE_INTEGER, step: 1, shrink: false });
  }
  return { slices, newAxes };
}

function stridedSlice(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = nodeInput(ins, 0, node);
  const [begin, end, strides] = [1, 2, 3].map((i) => knownOf(ins[i], `${node.name} slice spec`)) as [KnownInts, KnownInts, KnownInts];
  const { slices, newAxes } = resolveSlice(node, x.shape, begin, end, strides);
  const outDims: Dim[] = [];
  slices.forEach((s, i) => {
    if (s.shrink) return;
    const d = x.shape[i];
    outDims.push(d === 'batch' && s.start === 0 && s.step === 1 && s.end >= Number.MAX_SAFE_INTEGER ? 'batch'
      : Math.max(0, Math.ceil((Math.min(s.end, typeof d === 'number' ? d : s.end) - s.start) / s.step)));
  });
  for (const a of newAxes) outDims.splice(a, 0, 1);
  const src = x.known ?? (x.konst?.dtype === 'int32' && x.shape.length <= 1 ? Array.from(x.konst.data) : undefined);
  if (src && x.shape.length <= 1) {
    const s = slices[0] ?? { start: 0, end: src.length, step: 1, shrink: false };
    const vals: KnownInts = [];
    for (let i = s.start; i < Math.min(s.end, src.length); i += s.step) vals.push(src[i] ?? null);
    return [{ shape: outDims, dtype: x.dtype, known: vals }];
  }
  const live = slices.map((s, i) => ({ ...s, axis: i })).filter((s) => !(s.start === 0 && s.step === 1 && s.end >= (typeof x.shape[s.axis] === 'number' ? (x.shape[s.axis] as number) : Number.MAX_SAFE_INTEGER)));
  let y = ctx.nhwc(x, node.name);
  if (live.length) {
    const g = ctx.g;
    y = g.op('Slice', [y, g.addInt64(`${node.name}/starts`, live.map((s) => s.start)), g.addInt64(`${node.name}/ends`, live.map((s) => s.end)),
      g.addInt64(`${node.name}/axes`, live.map((s) => s.axis)), g.addInt64(`${node.name}/steps`, live.map((s) => s.step))], `${node.name}/slice`);
  }
  const shrink = slices.flatMap((s, i) => (s.shrink ? [i] : []));
  if (shrink.length) y = ctx.g.op('Squeeze', [y, ctx.g.addInt64(`${node.name}/sq`, shrink)], `${node.name}/squeeze`);
  if (newAxes.length) y = ctx.g.op('Unsqueeze', [y, ctx.g.addInt64(`${node.name}/unsq`, newAxes)], `${node.name}/unsqueeze`);
  return [{ shape: outDims, dtype: x.dtype, nhwc: ctx.g.op('Identity', [y], node.name) }];
}

function reshape(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = nodeInput(ins, 0, node);
  const target = knownOf(ins[1], `${node.name} target shape`);
  const out: Dim[] = fromKnown(target);
  // Graphs exported at batch 1 bake a literal 1 into the target: keep the batch symbolic.
  if (out[0] === 1 && x.shape[0] === 'batch' && !out.includes('batch')) out[0] = 'batch';
  if (x.shape.includes('batch') !== out.includes('batch')) throw new Error(`${node.name}: reshape mixes the batch dim into others`);
  const total = numel(x.shape.filter((d): d is number => d !== 'batch'));
  const fixed = numel(out.filter((d): d is number => d !== 'batch' && d !== -1));
  const resolved = out.map((d) => (d === -1 ? total / fixed : d));
  if (x.konst) return [{ shape: resolved, dtype: x.dtype, konst: { ...x.konst, shape: resolved as number[] } }];
  if (x.known) return [{ shape: resolved, dtype: x.dtype, known: x.known }];
  const shapeInit = ctx.g.addInt64(`${node.name}/shape`, resolved.map((d) => (d === 'batch' ? -1 : d)));
  return [{ shape: resolved, dtype: x.dtype, nhwc: ctx.g.op('Reshape', [ctx.nhwc(x, node.name), shapeInit], node.name) }];
}

function concat(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const parts = ins.slice(0, -1);
  const axisRaw = knownOf(ins[ins.length - 1], `${node.name} axis`)[0] ?? 0;
  const first = nodeInput(parts, 0, node);
  const rank = first.shape.length;
  const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
  if (parts.every((p) => p.known)) return [{ shape: [parts.reduce((n, p) => n + (p.known?.length ?? 0), 0)], dtype: first.dtype, known: parts.flatMap((p) => p.known ?? []) }];
  const shape = [...first.shape];
  shape[axis] = parts.reduce((n, p) => n + (p.shape[axis] as number), 0);
  const nchw = rank === 4 && parts.every((p) => p.konst || ctx.isNchw(p));
  const names = parts.map((p, i) => (nchw ? (p.konst ? ctx.nchw(p, `${node.name}/${i}`) : ctx.nchw(p, node.name)) : ctx.nhwc(p, `${node.name}/${i}`)));
  const onnxAxis = nchw ? [0, 2, 3, 1][axis] ?? axis : axis;
  const y = ctx.g.op('Concat', names, node.name, { axis: { kind: 'int', value: onnxAxis } });
  return [nchw ? { shape, dtype: first.dtype, nchw: y } : { shape, dtype: first.dtype, nhwc: y }];
}

function pack(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const axis = tfAttr.int(node, 'axis', 0);
  const first = nodeInput(ins, 0, node);
  if (first.shape.length === 0 && axis === 0 && ins.every((v) => v.known || v.konst)) {
    return [{ shape: [ins.length], dtype: first.dtype, known: ins.map((v) => knownOf(v, node.name)[0] ?? null) }];
  }
  const ax = axis < 0 ? axis + first.shape.length + 1 : axis;
  const names = ins.map((v, i) => ctx.g.op('Unsqueeze', [ctx.nhwc(v, `${node.name}/${i}`), ctx.g.addInt64(`${node.name}/ax`, [ax])], `${node.name}/u${i}`));
  const shape = [...first.shape];
  shape.splice(ax, 0, ins.length);
  return [{ shape, dtype: first.dtype, nhwc: ctx.g.op('Concat', names, node.name, { axis: { kind: 'int', value: ax } }) }];
}

function squeezeOrExpand(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = nodeInput(ins, 0, node);
  const rank = x.shape.length;
  let shape: Dim[];
  let axes: number[];
  if (node.op === 'Squeeze') {
    const dims = tfAttr.ints(node, 'squeeze_dims');
    axes = (dims.length ? dims : x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => (a < 0 ? a + rank : a));
    if (axes.some((a) => x.shape[a] === 'batch')) throw new Error(`${node.name}: cannot squeeze the batch dim`);
    shape = x.shape.filter((_, i) => !axes.includes(i));
  } else {
    const a = knownOf(ins[1], `${node.name} dim`)[0] ?? 0;
    axes = [a < 0 ? a + rank + 1 : a];
    shape = [...x.shape];
    shape.splice(axes[0] ?? 0, 0, 1);
  }
  if (x.known) return [{ shape, dtype: x.dtype, known: x.known }];
  if (x.konst) return [{ shape, dtype: x.dtype, konst: { ...x.konst, shape: shape as number[] } }];
  const op = node.op === 'Squeeze' ? 'Squeeze' : 'Unsqueeze';
  return [{ shape, dtype: x.dtype, nhwc: ctx.g.op(op, [ctx.nhwc(x, node.name), ctx.g.addInt64(`${node.name}/axes`, axes)], node.name) }];
}

function transpose(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = nodeInput(ins, 0, node);
  const perm = knownOf(ins[1], `${node.name} perm`).map((p) => p ?? 0);
  const shape = perm.map((p) => x.shape[p] ?? 1);
  return [{ shape, dtype: x.dtype, nhwc: ctx.g.op('Transpose', [ctx.nhwc(x, node.name)], node.name, { perm: { kind: 'ints', value: perm } }) }];
}

function shapeOp(_ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = nodeInput(ins, 0, node);
  return [{ shape: [x.shape.length], dtype: 'int32', known: toKnown(x.shape) }];
}

export const shapeOps: Record<string, OpHandler> = {
  Shape: shapeOp,
  StridedSlice: stridedSlice,
  Reshape: reshape,
  ConcatV2: concat,
  Pack: pack,
  Squeeze: squeezeOrExpand,
  ExpandDims: squeezeOrExpand,
  Transpose: transpose,
  Identity: (_c, n, ins) => [nodeInput(ins, 0, n)],
};

export { knownToConst };
