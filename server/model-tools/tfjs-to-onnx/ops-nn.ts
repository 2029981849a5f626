/**
 * Convolution-family ops. All run in NCHW: the TF weights are permuted once at
 * conversion time, and TF's SAME padding is turned into explicit pads (TF puts
 * the odd extra pixel at the bottom/right, which explicit pads reproduce exactly).
 */
import { attr, type AttrValue } from '../onnx/onnx-builder.js';
import { ConvertContext, staticShape, transposeData, type Dim, type Val } from './convert-context.js';
import { tfAttr, type TfNodeDef } from './tfjs-model.js';

export type OpHandler = (ctx: ConvertContext, node: TfNodeDef, ins: Val[]) => Val[];

function input(ins: Val[], i: number, node: TfNodeDef): Val {
  const v = ins[i];
  if (!v) throw new Error(`${node.name} (${node.op}): missing input ${i}`);
  return v;
}
export { input as nodeInput };

interface Window { pads: [number, number]; out: number }

function window1d(inSize: number, k: number, s: number, d: number, padding: string, explicit?: [number, number]): Window {
  const eff = (k - 1) * d + 1;
  if (padding === 'VALID') return { pads: [0, 0], out: Math.floor((inSize - eff) / s) + 1 };
  if (padding === 'EXPLICIT' && explicit) {
    return { pads: explicit, out: Math.floor((inSize + explicit[0] + explicit[1] - eff) / s) + 1 };
  }
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return { pads: [before, total - before], out };
}

/** Spatial window (H and W) of a conv or pool on an NHWC shape. */
function windows(node: TfNodeDef, x: Val, kh: number, kw: number): { h: Window; w: Window; strides: number[]; dil: number[] } {
  const [, H, W] = staticShape(x.shape.slice(0, 3).map((d) => (d === 'batch' ? 1 : d)), node.name);
  const strides = tfAttr.ints(node, 'strides');
  const dil = tfAttr.ints(node, 'dilations');
  const padding = tfAttr.str(node, 'padding', 'VALID');
  const ex = tfAttr.ints(node, 'explicit_paddings');
  const sh = strides[1] ?? 1, sw = strides[2] ?? 1, dh = dil[1] ?? 1, dw = dil[2] ?? 1;
  return {
    h: window1d(H ?? 0, kh, sh, dh, padding, [ex[2] ?? 0, ex[3] ?? 0]),
    w: window1d(W ?? 0, kw, sw, dw, padding, [ex[4] ?? 0, ex[5] ?? 0]),
    strides: [sh, sw],
    dil: [dh, dw],
  };
}

/** Appends a fused or standalone activation in whatever layout `x` is in. */
export function activation(ctx: ConvertContext, kind: string, x: string, hint: string, node?: TfNodeDef): string {
  switch (kind) {
    case 'Relu': return ctx.g.op('Relu', [x], hint);
    case 'Relu6': {
      const lo = ctx.g.addFloat(`${hint}/min`, [0], []);
      const hi = ctx.g.addFloat(`${hint}/max`, [6], []);
      return ctx.g.op('Clip', [x, lo, hi], hint);
    }
    case 'Sigmoid': return ctx.g.op('Sigmoid', [x], hint);
    case 'Tanh': return ctx.g.op('Tanh', [x], hint);
    case 'Elu': return ctx.g.op('Elu', [x], hint);
    case 'LeakyRelu': {
      const alpha = node ? tfAttr.float(node, 'leakyrelu_alpha', tfAttr.float(node, 'alpha', 0.2)) : 0.2;
      return ctx.g.op('LeakyRelu', [x], hint, { alpha: attr.float(alpha) });
    }
    default: throw new Error(`unsupported activation ${kind}`);
  }
}

function conv(ctx: ConvertContext, node: TfNodeDef, ins: Val[], depthwise: boolean): Val[] {
  const x = input(ins, 0, node);
  const w = input(ins, 1, node).konst;
  if (!w || w.shape.length !== 4) throw new Error(`${node.name}: conv weights must be a rank-4 constant`);
  const [kh = 1, kw = 1, cin = 1, cm = 1] = w.shape;
  // TF HWIO -> ONNX OIHW; depthwise HW(C,mult) -> (C*mult)1HW with group = C.
  const weight = depthwise
    ? ctx.constInit(`${node.name}/W`, { ...w, data: transposeData(w.data, [kh, kw, cin * cm], [2, 0, 1]) }, [cin * cm, 1, kh, kw])
    : ctx.constInit(`${node.name}/W`, { ...w, data: transposeData(w.data, w.shape, [3, 2, 0, 1]) }, [cm, cin, kh, kw]);
  const cout = depthwise ? cin * cm : cm;
  const win = windows(node, x, kh, kw);
  const fused = tfAttr.strs(node, 'fused_ops');
  const inputs = [ctx.nchw(x, node.name), weight];
  let rest = fused;
  if (fused[0] === 'BiasAdd') {
    const b = input(ins, 2, node).konst;
    if (!b) throw new Error(`${node.name}: bias must be constant`);
    inputs.push(ctx.constInit(`${node.name}/B`, b));
    rest = fused.slice(1);
  } else if (fused.length > 0) {
    throw new Error(`${node.name}: unsupported fused ops ${fused.join(',')}`);
  }
  const attrs: Record<string, AttrValue> = {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(win.strides),
    dilations: attr.ints(win.dil),
    pads: attr.ints([win.h.pads[0], win.w.pads[0], win.h.pads[1], win.w.pads[1]]),
    group: attr.int(depthwise ? cin : 1),
  };
  let y = ctx.g.op('Conv', inputs, rest.length ? `${node.name}/conv` : node.name, attrs);
  for (const [i, act] of rest.entries()) y = activation(ctx, act, y, i === rest.length - 1 ? node.name : `${node.name}/${act}`, node);
  return [{ shape: [x.shape[0] ?? 'batch', win.h.out, win.w.out, cout], dtype: 'float32', nchw: y }];
}

function pool(ctx: ConvertContext, node: TfNodeDef, ins: Val[], opType: 'MaxPool' | 'AveragePool'): Val[] {
  const x = input(ins, 0, node);
  const k = tfAttr.ints(node, 'ksize');
  const kh = k[1] ?? 1, kw = k[2] ?? 1;
  const win = windows(node, x, kh, kw);
  const y = ctx.g.op(opType, [ctx.nchw(x, node.name)], node.name, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(win.strides),
    pads: attr.ints([win.h.pads[0], win.w.pads[0], win.h.pads[1], win.w.pads[1]]),
  });
  return [{ shape: [x.shape[0] ?? 'batch', win.h.out, win.w.out, x.shape[3] ?? 1], dtype: 'float32', nchw: y }];
}

function resizeBilinear(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = input(ins, 0, node);
  const size = input(ins, 1, node).known;
  const [, H = 1, W = 1, C = 1] = x.shape.map((d) => (d === 'batch' ? 1 : d));
  if (!size || size[0] == null || size[1] == null) throw new Error(`${node.name}: resize size must be static`);
  const [oh, ow] = [size[0], size[1]];
  const mode = tfAttr.bool(node, 'align_corners') ? 'align_corners'
    : tfAttr.bool(node, 'half_pixel_centers') ? 'half_pixel' : 'asymmetric';
  const scales = ctx.g.addFloat(`${node.name}/scales`, [1, 1, oh / H, ow / W]);
  const y = ctx.g.op('Resize', [ctx.nchw(x, node.name), '', scales], node.name, {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string(mode),
  });
  return [{ shape: [x.shape[0] ?? 'batch', oh, ow, C], dtype: 'float32', nchw: y }];
}

function pad(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = input(ins, 0, node);
  const p = input(ins, 1, node).konst;
  if (!p) throw new Error(`${node.name}: paddings must be constant`);
  const rank = x.shape.length;
  const pairs = Array.from({ length: rank }, (_, i) => [p.data[2 * i] ?? 0, p.data[2 * i + 1] ?? 0] as [number, number]);
  const nchw = rank === 4 && ctx.isNchw(x);
  const order = nchw ? [0, 3, 1, 2] : pairs.map((_, i) => i);
  const pads = [...order.map((a) => pairs[a]?.[0] ?? 0), ...order.map((a) => pairs[a]?.[1] ?? 0)];
  const inputs = [nchw ? ctx.nchw(x, node.name) : ctx.nhwc(x, node.name), ctx.g.addInt64(`${node.name}/pads`, pads)];
  const value = node.op === 'PadV2' ? ins[2]?.konst?.data[0] ?? 0 : 0;
  if (value !== 0) inputs.push(ctx.g.addFloat(`${node.name}/value`, [value], []));
  let mode = 'constant';
  if (node.op === 'MirrorPad') {
    if (tfAttr.str(node, 'mode') !== 'REFLECT') throw new Error(`${node.name}: only REFLECT mirror padding is supported`);
    mode = 'reflect';
  }
  const y = ctx.g.op('Pad', inputs, node.name, { mode: attr.string(mode) });
  const shape: Dim[] = x.shape.map((d, i) => (d === 'batch' ? d : d + (pairs[i]?.[0] ?? 0) + (pairs[i]?.[1] ?? 0)));
  return [nchw ? { shape, dtype: x.dtype, nchw: y } : { shape, dtype: x.dtype, nhwc: y }];
}

function depthToSpace(ctx: ConvertContext, node: TfNodeDef, ins: Val[]): Val[] {
  const x = input(ins, 0, node);
  const bs = tfAttr.int(node, 'block_size');
  // TF's NHWC depth_to_space channel order is ONNX's "DCR" mode.
  const y = ctx.g.op('DepthToSpace', [ctx.nchw(x, node.name)], node.name, { blocksize: attr.int(bs), mode: attr.string('DCR') });
  const [n = 'batch', h = 1, w = 1, c = 1] = x.shape;
  return [{ shape: [n, (h as number) * bs, (w as number) * bs, (c as number) / (bs * bs)], dtype: 'float32', nchw: y }];
}

export const nnOps: Record<string, OpHandler> = {
  Conv2D: (c, n, i) => conv(c, n, i, false),
  _FusedConv2D: (c, n, i) => conv(c, n, i, false),
  DepthwiseConv2dNative: (c, n, i) => conv(c, n, i, true),
  FusedDepthwiseConv2dNative: (c, n, i) => conv(c, n, i, true),
  MaxPool: (c, n, i) => pool(c, n, i, 'MaxPool'),
  AvgPool: (c, n, i) => pool(c, n, i, 'AveragePool'),
  ResizeBilinear: resizeBilinear,
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  DepthToSpace: depthToSpace,
};
