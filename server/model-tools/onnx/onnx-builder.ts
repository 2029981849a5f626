/**
 * A small in-memory ONNX graph builder and serializer. Keeps plain JS objects
 * until `encodeModel`, so converters can append nodes in any order of discovery
 * and only pay the protobuf cost once.
 */
import { ModelProto, OnnxAttrType, OnnxDataType, type OnnxDataTypeId } from './onnx-schema.js';

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

// Explicit constructors: a JS number cannot tell 0 (int) from 0.0 (float).
export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  ints: (value: number[]): AttrValue => ({ kind: 'ints', value }),
  floats: (value: number[]): AttrValue => ({ kind: 'floats', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
};

/** A dimension is a fixed size or a symbolic name (e.g. "batch"). */
export type OnnxDim = number | string;

export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export interface InitializerSpec {
  name: string;
  dataType: OnnxDataTypeId;
  dims: number[];
  data: TensorData;
}

export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
}

interface ValueInfoSpec {
  name: string;
  dataType: OnnxDataTypeId;
  /** null: shape left open (an intermediate tensor exposed for calibration). */
  dims: OnnxDim[] | null;
  doc?: string;
}

export class OnnxGraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: InitializerSpec[] = [];
  readonly inputs: ValueInfoSpec[] = [];
  readonly outputs: ValueInfoSpec[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A tensor name not used before; TF names are kept readable as prefixes. */
  uniqueName(prefix: string): string {
    let name = prefix;
    while (this.used.has(name)) name = `${prefix}__${++this.counter}`;
    this.used.add(name);
    return name;
  }

  addInput(name: string, dataType: OnnxDataTypeId, dims: OnnxDim[], doc?: string): string {
    this.used.add(name);
    this.inputs.push({ name, dataType, dims, ...(doc ? { doc } : {}) });
    return name;
  }

  addOutput(name: string, dataType: OnnxDataTypeId, dims: OnnxDim[] | null, doc?: string): void {
    this.outputs.push({ name, dataType, dims, ...(doc ? { doc } : {}) });
  }

  addInitializer(prefix: string, dataType: OnnxDataTypeId, dims: number[], data: TensorData): string {
    const name = this.uniqueName(prefix);
    this.initializers.push({ name, dataType, dims, data });
    return name;
  }

  /** Convenience for the int64 vectors ONNX wants for shapes, axes, pads. */
  addInt64(prefix: string, values: number[], scalar = false): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.addInitializer(prefix, OnnxDataType.INT64, scalar ? [] : [values.length], data);
  }

  addFloat(prefix: string, values: number[], dims?: number[]): string {
    return this.addInitializer(prefix, OnnxDataType.FLOAT, dims ?? [values.length], Float32Array.from(values));
  }

  /** Appends a node; returns its output names (`outputs` are name prefixes). */
  addNode(opType: string, inputs: string[], outputs: string[] | string, attrs: Record<string, AttrValue> = {}): string[] {
    const outs = (Array.isArray(outputs) ? outputs : [outputs]).map((o) => this.uniqueName(o));
    this.nodes.push({ opType, inputs, outputs: outs, name: outs[0] ?? opType, attrs });
    return outs;
  }

  /** Single-output shorthand. */
  op(opType: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}): string {
    const [out] = this.addNode(opType, inputs, output, attrs);
    if (out === undefined) throw new Error(`no output for ${opType}`);
    return out;
  }
}

export interface ModelOptions {
  opset?: number;
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  graphName?: string;
  metadata?: Record<string, string>;
}

function encodeAttr(name: string, a: AttrValue): Record<string, unknown> {
  switch (a.kind) {
    case 'int': return { name, type: OnnxAttrType.INT, i: a.value };
    case 'float': return { name, type: OnnxAttrType.FLOAT, f: a.value };
    case 'ints': return { name, type: OnnxAttrType.INTS, ints: a.value };
    case 'floats': return { name, type: OnnxAttrType.FLOATS, floats: a.value };
    case 'string': return { name, type: OnnxAttrType.STRING, s: Buffer.from(a.value, 'utf8') };
  }
}

function encodeValueInfo(v: ValueInfoSpec): Record<string, unknown> {
  return {
    name: v.name,
    ...(v.doc ? { docString: v.doc } : {}),
    type: {
      tensorType: {
        elemType: v.dataType,
        ...(v.dims ? { shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}),
      },
    },
  };
}

function rawBytes(data: TensorData): Uint8Array {
  // ONNX raw_data is little-endian, as are all platforms Node runs on here.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Serializes the graph to ONNX ModelProto bytes. */
export function encodeModel(g: OnnxGraphBuilder, opts: ModelOptions = {}): Uint8Array {
  const model = {
    irVersion: opts.irVersion ?? 8,
    opsetImport: [{ domain: '', version: opts.opset ?? 17 }],
    producerName: opts.producerName ?? 'shotscale-tfjs-to-onnx',
    producerVersion: opts.producerVersion ?? '0',
    docString: opts.docString ?? '',
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: opts.graphName ?? 'graph',
      node: g.nodes.map((n) => ({
        input: n.inputs,
        output: n.outputs,
        name: n.name,
        opType: n.opType,
        attribute: Object.entries(n.attrs).map(([k, a]) => encodeAttr(k, a)),
      })),
      initializer: g.initializers.map((t) => ({
        name: t.name,
        dims: t.dims,
        dataType: t.dataType,
        rawData: rawBytes(t.data),
      })),
      input: g.inputs.map(encodeValueInfo),
      output: g.outputs.map(encodeValueInfo),
    },
  };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`invalid ONNX model: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
