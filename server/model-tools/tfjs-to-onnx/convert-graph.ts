/**
 * TF.js graph model -> ONNX. Only the subgraph feeding the requested outputs
 * is converted, which is how batch-1-only post-processing (TopK, NMS, gather
 * decoding) is cut off: name the raw heads as outputs and decode them in TS.
 */
import { encodeModel, type ModelOptions, type OnnxDim, type OnnxGraphBuilder } from '../onnx/onnx-builder.js';
import { OnnxDataType } from '../onnx/onnx-schema.js';
import { ConvertContext, NCHW_TO_NHWC, onnxType, type Val } from './convert-context.js';
import { mathOps } from './ops-math.js';
import { nnOps, type OpHandler } from './ops-nn.js';
import { shapeOps } from './ops-shape.js';
import type { TfjsGraphModel, TfNodeDef } from './tfjs-model.js';

export const CONVERTER_VERSION = '1.0.0';

const handlers: Record<string, OpHandler> = { ...nnOps, ...mathOps, ...shapeOps };

export interface OutputSpec {
  /** TF tensor, e.g. "StatefulPartitionedCall/Sigmoid" or "node:1". */
  tensor: string;
  /** ONNX output name. */
  name: string;
  description?: string;
}

export interface ConvertOptions {
  /** Static input size [H, W, C]; the batch dimension stays symbolic ("batch"). */
  inputShape: [number, number, number];
  inputName?: string;
  outputs: OutputSpec[];
  docString?: string;
  metadata?: Record<string, string>;
}

export interface ConvertResult {
  bytes: Uint8Array;
  input: { name: string; shape: OnnxDim[] };
  outputs: { name: string; shape: OnnxDim[]; description?: string }[];
  /** TF op -> count, of the converted (kept) nodes. */
  opsConverted: Record<string, number>;
  nodesDropped: number;
  /** The graph `bytes` encode, and how: for passes after conversion (quantization), which re-encode it. */
  graph: OnnxGraphBuilder;
  modelOptions: ModelOptions;
}

const nodeOf = (ref: string): string => ref.replace(/^\^/, '').split(':')[0] ?? ref;

/** Nodes needed for `outputs`, in dependency order. */
function neededNodes(nodes: TfNodeDef[], outputs: string[]): TfNodeDef[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const order: TfNodeDef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`cycle at ${name}`);
    const node = byName.get(name);
    if (!node) throw new Error(`no node ${name}`);
    state.set(name, 'visiting');
    for (const i of node.input ?? []) if (!i.startsWith('^')) visit(nodeOf(i));
    state.set(name, 'done');
    order.push(node);
  };
  for (const o of outputs) visit(nodeOf(o));
  return order;
}

export function convertTfjsGraph(model: TfjsGraphModel, opts: ConvertOptions): ConvertResult {
  const ctx = new ConvertContext();
  const inputName = opts.inputName ?? 'input';
  const [H, W, C] = opts.inputShape;
  const inputDims: OnnxDim[] = ['batch', H, W, C];
  const order = neededNodes(model.nodes, opts.outputs.map((o) => o.tensor));
  const opsConverted: Record<string, number> = {};
  for (const node of order) {
    opsConverted[node.op] = (opsConverted[node.op] ?? 0) + 1;
    if (node.op === 'Const') {
      const k = model.weights.get(node.name);
      if (!k) throw new Error(`const ${node.name} has no weight data`);
      const v: Val = { shape: k.shape, dtype: k.dtype, konst: k };
      if (k.dtype === 'int32' && k.shape.length <= 1) v.known = Array.from(k.data);
      ctx.set(node.name, 0, v);
      continue;
    }
    if (node.op === 'Placeholder') {
      // Always float32 NHWC: TF.js models declared int32 (MoveNet) cast to float first thing anyway.
      ctx.g.addInput(inputName, OnnxDataType.FLOAT, inputDims);
      ctx.set(node.name, 0, { shape: ['batch', H, W, C], dtype: 'float32', nhwc: inputName });
      continue;
    }
    const handler = handlers[node.op];
    if (!handler) throw new Error(`unsupported op ${node.op} (${node.name})`);
    const ins = (node.input ?? []).filter((i) => !i.startsWith('^')).map((i) => ctx.get(i));
    let outs: Val[];
    try {
      outs = handler(ctx, node, ins);
    } catch (e) {
      throw new Error(`converting ${node.name} (${node.op}): ${(e as Error).message}`);
    }
    outs.forEach((v, i) => ctx.set(node.name, i, v));
  }

  const outputs = opts.outputs.map((o) => {
    const v = ctx.get(o.tensor);
    const shape: OnnxDim[] = v.shape.map((d) => (d === 'batch' ? 'batch' : d));
    // Outputs go back to TF's NHWC layout so they compare 1:1 with TF.js.
    if (v.nchw && !v.nhwc) {
      ctx.g.addNode('Transpose', [v.nchw], o.name, { perm: { kind: 'ints', value: NCHW_TO_NHWC } });
    } else {
      ctx.g.addNode('Identity', [ctx.nhwc(v, o.name)], o.name);
    }
    ctx.g.addOutput(o.name, onnxType(v.dtype), shape, o.description);
    return { name: o.name, shape, ...(o.description ? { description: o.description } : {}) };
  });

  const modelOptions: ModelOptions = {
    producerVersion: CONVERTER_VERSION,
    ...(opts.docString ? { docString: opts.docString } : {}),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
  };
  const bytes = encodeModel(ctx.g, modelOptions);
  return { bytes, input: { name: inputName, shape: inputDims }, outputs, opsConverted, nodesDropped: model.nodes.length - order.length, graph: ctx.g, modelOptions };
}
