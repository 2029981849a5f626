/**
 * Static int8 quantization of a converted graph, in onnxruntime's QDQ form:
 * each quantized tensor is followed by QuantizeLinear + DequantizeLinear, and
 * each quantized convolution's weights (int8, one scale per output channel)
 * and bias (int32) by a DequantizeLinear. onnxruntime's graph optimizer fuses
 * DQ -> Conv -> Q into an integer convolution (QLinearConv), which runs on the
 * CPU's int8 dot-product instructions; the graph itself stays valid ONNX that
 * any runtime can execute in float.
 *
 * Activations are uint8 with a zero point over the range calibration found
 * (calibrate.ts); weights are symmetric int8. A convolution followed by its
 * ReLU / ReLU6 has the activation's output quantized instead of its own: the
 * range [0, max] already clips, and onnxruntime drops the activation.
 */
import { float16ToFloat32 } from '../tfjs-to-onnx/tfjs-model.js';
import type { NodeSpec, OnnxGraphBuilder } from '../onnx/onnx-builder.js';
import { OnnxDataType } from '../onnx/onnx-schema.js';

export interface QuantizePlan {
  /** The nodes (by ONNX name) made int8; the rest stay in float. */
  int8Nodes: RegExp;
}

export interface TensorRange {
  min: number;
  max: number;
}

export interface QuantizeSummary {
  convolutions: number;
  additions: number;
  tensors: number;
  /** Convolutions left in float. */
  floatConvolutions: number;
}

const QUANTIZED_OPS = new Set(['Conv', 'Add']);
const FOLDED_ACTIVATIONS = new Set(['Relu', 'Clip']);

interface GraphIndex {
  producer: Map<string, NodeSpec>;
  consumers: Map<string, NodeSpec[]>;
  initializers: Set<string>;
}

function indexGraph(g: OnnxGraphBuilder): GraphIndex {
  const producer = new Map<string, NodeSpec>(), consumers = new Map<string, NodeSpec[]>();
  for (const n of g.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  return { producer, consumers, initializers: new Set(g.initializers.map((t) => t.name)) };
}

/** A constant: an initializer, or the float32 Cast of a float16 one. */
function isConstant(ix: GraphIndex, name: string): boolean {
  if (ix.initializers.has(name)) return true;
  const p = ix.producer.get(name);
  return p?.opType === 'Cast' && ix.initializers.has(p.inputs[0]!);
}

/** Float values of a constant tensor (see isConstant) and its dims. */
function constantValues(g: OnnxGraphBuilder, ix: GraphIndex, name: string): { values: Float32Array; dims: number[] } {
  const p = ix.producer.get(name);
  const source = p?.opType === 'Cast' ? p.inputs[0]! : name;
  const init = g.initializers.find((t) => t.name === source);
  if (!init) throw new Error(`${name} is not a constant`);
  if (init.dataType === OnnxDataType.FLOAT) return { values: init.data as Float32Array, dims: init.dims };
  if (init.dataType !== OnnxDataType.FLOAT16) throw new Error(`${name}: constant of type ${init.dataType}, expected float`);
  const bytes = init.data as Uint8Array;
  const bits = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { values: Float32Array.from(bits, float16ToFloat32), dims: init.dims };
}

/**
 * The activation tensors that get QuantizeLinear + DequantizeLinear: the
 * data inputs and outputs of every Conv and Add made int8 (a
 * convolution's output moves past its ReLU / ReLU6). Calibration measures these.
 */
export function quantizedTensors(g: OnnxGraphBuilder, plan: QuantizePlan): string[] {
  const ix = indexGraph(g);
  const out = new Set<string>();
  for (const n of g.nodes) {
    if (!QUANTIZED_OPS.has(n.opType) || !plan.int8Nodes.test(n.name)) continue;
    const dataInputs = n.opType === 'Conv' ? [n.inputs[0]!] : n.inputs;
    for (const i of dataInputs) if (!isConstant(ix, i)) out.add(i);
    const y = n.outputs[0]!;
    const next = ix.consumers.get(y) ?? [];
    out.add(n.opType === 'Conv' && next.length === 1 && FOLDED_ACTIVATIONS.has(next[0]!.opType) ? next[0]!.outputs[0]! : y);
  }
  return [...out];
}

/** uint8 scale and zero point over a range that includes 0 (so 0 is exact: padding, ReLU). */
export function uint8Params(r: TensorRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min), hi = Math.max(0, r.max);
  if (!(hi > lo)) return { scale: 1, zeroPoint: 0 };
  const scale = (hi - lo) / 255;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** Rewrites `g` in place into its QDQ form; `ranges` holds every tensor of quantizedTensors(g, plan). */
export function quantizeGraph(g: OnnxGraphBuilder, plan: QuantizePlan, ranges: ReadonlyMap<string, TensorRange>): QuantizeSummary {
  const ix = indexGraph(g);
  const tensors = quantizedTensors(g, plan);
  const params = new Map<string, { scale: number; zeroPoint: number; dq: string }>();
  const summary: QuantizeSummary = { convolutions: 0, additions: 0, tensors: tensors.length, floatConvolutions: 0 };
  const after = new Map<string, NodeSpec[]>(); // producer output -> its Q and DQ nodes
  const leading: NodeSpec[] = []; // weight DQs and QDQs of graph inputs
  const node = (opType: string, inputs: string[], output: string, attrs: NodeSpec['attrs'] = {}): NodeSpec => {
    const name = g.uniqueName(output);
    return { opType, inputs, outputs: [name], name, attrs };
  };

  for (const t of tensors) {
    const range = ranges.get(t);
    if (!range) throw new Error(`no calibrated range for ${t}`);
    const { scale, zeroPoint } = uint8Params(range);
    const s = g.addInitializer(`${t}/q_scale`, OnnxDataType.FLOAT, [], Float32Array.of(scale));
    const zp = g.addInitializer(`${t}/q_zero`, OnnxDataType.UINT8, [], Uint8Array.of(zeroPoint));
    const q = node('QuantizeLinear', [t, s, zp], `${t}/q`);
    const dq = node('DequantizeLinear', [q.outputs[0]!, s, zp], `${t}/dq`);
    params.set(t, { scale, zeroPoint, dq: dq.outputs[0]! });
    if (ix.producer.has(t)) after.set(t, [q, dq]);
    else leading.push(q, dq);
  }

  for (const n of g.nodes) {
    if (n.opType === 'Conv' && !plan.int8Nodes.test(n.name)) summary.floatConvolutions += 1;
    if (!QUANTIZED_OPS.has(n.opType) || !plan.int8Nodes.test(n.name)) continue;
    if (n.opType === 'Add') {
      summary.additions += 1;
      continue;
    }
    summary.convolutions += 1;
    const input = params.get(n.inputs[0]!);
    if (!input) throw new Error(`${n.name}: its input is not quantized`);
    const { values: w, dims } = constantValues(g, ix, n.inputs[1]!);
    const channels = dims[0]!, per = w.length / channels;
    const wq = new Int8Array(w.length), wScale = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      let amax = 0;
      for (let k = 0; k < per; k++) amax = Math.max(amax, Math.abs(w[c * per + k]!));
      const scale = amax > 0 ? amax / 127 : 1;
      wScale[c] = scale;
      for (let k = 0; k < per; k++) wq[c * per + k] = Math.max(-127, Math.min(127, Math.round(w[c * per + k]! / scale)));
    }
    const axis = { axis: { kind: 'int' as const, value: 0 } };
    const wDq = node('DequantizeLinear', [
      g.addInitializer(`${n.name}/w_int8`, OnnxDataType.INT8, dims, wq),
      g.addInitializer(`${n.name}/w_scale`, OnnxDataType.FLOAT, [channels], wScale),
      g.addInitializer(`${n.name}/w_zero`, OnnxDataType.INT8, [channels], new Int8Array(channels)),
    ], `${n.name}/w_dq`, axis);
    leading.push(wDq);
    n.inputs[1] = wDq.outputs[0]!;
    if (n.inputs[2]) {
      // int32 bias at the scale of input x weight, as QLinearConv accumulates.
      const { values: b } = constantValues(g, ix, n.inputs[2]);
      const bScale = Float32Array.from(wScale, (ws) => ws * input.scale);
      const bq = Int32Array.from(b, (v, c) => Math.round(v / bScale[c]!));
      const bDq = node('DequantizeLinear', [
        g.addInitializer(`${n.name}/b_int32`, OnnxDataType.INT32, [channels], bq),
        g.addInitializer(`${n.name}/b_scale`, OnnxDataType.FLOAT, [channels], bScale),
        g.addInitializer(`${n.name}/b_zero`, OnnxDataType.INT32, [channels], new Int32Array(channels)),
      ], `${n.name}/b_dq`, axis);
      leading.push(bDq);
      n.inputs[2] = bDq.outputs[0]!;
    }
  }

  // Consumers read the dequantized tensor; the Q node alone reads the original.
  for (const n of g.nodes) {
    n.inputs.forEach((i, k) => {
      const p = params.get(i);
      if (p) n.inputs[k] = p.dq;
    });
  }
  const ordered: NodeSpec[] = [...leading];
  for (const n of g.nodes) {
    ordered.push(n);
    for (const o of n.outputs) ordered.push(...(after.get(o) ?? []));
  }
  g.nodes.length = 0;
  g.nodes.push(...ordered);
  pruneUnused(g);
  return summary;
}

/** Drops nodes whose outputs nothing reads (the weights' float Casts) and initializers nothing reads. */
function pruneUnused(g: OnnxGraphBuilder): void {
  const outputs = new Set(g.outputs.map((o) => o.name));
  let changed = true;
  while (changed) {
    const read = new Set(g.nodes.flatMap((n) => n.inputs));
    const kept = g.nodes.filter((n) => n.outputs.some((o) => read.has(o) || outputs.has(o)));
    changed = kept.length !== g.nodes.length;
    g.nodes.length = 0;
    g.nodes.push(...kept);
  }
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  const inits = g.initializers.filter((t) => read.has(t.name));
  g.initializers.length = 0;
  g.initializers.push(...inits);
}
