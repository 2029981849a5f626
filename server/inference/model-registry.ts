/**
 * Loads a model from its manifest: the manifest's `kind` picks the plugin.
 * New model kinds register here and nowhere else.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import { ShotscaleError } from '../errors.js';
import { readManifest } from './model-manifest.js';
import type { ShotScaleModel } from './model.js';
import { FramingModel } from './framing/framing-model.js';
import { OnnxClassifier } from './onnx-classifier.js';
import type { SessionOptions } from './onnx-session.js';

type ModelLoader = (manifestPath: string, options: SessionOptions, log: Logger) => Promise<ShotScaleModel>;

const loaders: Record<string, ModelLoader> = {
  'onnx-classifier': async (manifestPath, options, log) => {
    const { manifest, modelPath } = readManifest(manifestPath);
    return OnnxClassifier.load(manifest, modelPath, options, log);
  },
  'framing-geometry': (manifestPath, options, log) => FramingModel.load(manifestPath, options, log),
};

export function registerModelKind(kind: string, loader: ModelLoader): void {
  loaders[kind] = loader;
}

function manifestKind(manifestPath: string): string {
  try {
    const kind = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { kind?: unknown }).kind;
    return typeof kind === 'string' ? kind : 'onnx-classifier';
  } catch {
    return 'onnx-classifier'; // readManifest reports the real problem
  }
}

export async function loadModel(manifestPath: string, options: SessionOptions, log: Logger): Promise<ShotScaleModel> {
  const kind = manifestKind(manifestPath);
  const loader = loaders[kind];
  if (!loader) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `${manifestPath}: unknown model kind "${kind}" (known: ${Object.keys(loaders).join(', ')})`);
  }
  return loader(manifestPath, options, log);
}
