/**
 * The reference side of the converter checks: the original TF.js graph model
 * run by the pure-JS CPU backend, loaded from the local files (no network).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { readTfjsArtifacts } from '../../server/model-tools/tfjs-to-onnx/tfjs-model.js';

export async function loadReference(jsonPath: string): Promise<GraphModel> {
  await tf.setBackend('cpu');
  await tf.ready();
  const { json, weightSpecs, weightData } = await readTfjsArtifacts(jsonPath);
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[],
    weightData,
    format: 'graph-model',
  });
  return loadGraphModel(handler);
}

/** Runs one NHWC image (batch 1) to the named intermediate tensors. */
export function runReference(
  model: GraphModel, inputName: string, input: Float32Array, shape: number[], dtype: 'float32' | 'int32', outputs: string[],
): Float32Array[] {
  return tf.tidy(() => {
    const x = dtype === 'int32' ? tf.tensor(Int32Array.from(input), shape, 'int32') : tf.tensor(input, shape, 'float32');
    const res = model.execute({ [inputName]: x }, outputs);
    const list = Array.isArray(res) ? res : [res];
    return list.map((t) => t.dataSync() as Float32Array);
  });
}
