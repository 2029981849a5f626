/**
 * A tiny real ONNX classifier made on the fly with the project's own ONNX
 * writer: mean colour of a 48x32 image -> 8 logits. Different input size and
 * layout from the fixture model, so fusion and resizing are exercised with
 * real onnxruntime sessions.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { OnnxDataType } from '../../server/model-tools/onnx/onnx-schema.js';
import { OnnxGraphBuilder, attr, encodeModel } from '../../server/model-tools/onnx/onnx-builder.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';

export function writeTinyClassifier(dir: string, name = 'tiny-colour'): string {
  const g = new OnnxGraphBuilder();
  g.addInput('image', OnnxDataType.FLOAT, ['batch', 32, 48, 3]);
  const nchw = g.op('Transpose', ['image'], 'nchw', { perm: attr.ints([0, 3, 1, 2]) });
  const pooled = g.op('GlobalAveragePool', [nchw], 'pooled');
  const flat = g.op('Flatten', [pooled], 'flat', { axis: attr.int(1) });
  // Red pushes towards close-ups, blue towards wide shots, green towards the middle.
  const weights = [4, 3, 2, 1, 0, -1, -2, -3, -1, 0, 1, 2, 2, 1, 0, -1, -3, -2, -1, 0, 1, 2, 3, 4];
  const logits = g.op('Add', [g.op('MatMul', [flat, g.addFloat('w', weights, [3, 8])], 'mm'), g.addFloat('b', new Array(8).fill(0))], 'scores');
  g.addOutput(logits, OnnxDataType.FLOAT, ['batch', 8]);
  return writeClassifier(dir, name, g, { width: 48, height: 32 });
}

/**
 * Writes a graph (input `image` NHWC, output `scores`: 8 logits in canonical
 * order) and its manifest as an onnx-classifier; returns the manifest's path.
 */
export function writeClassifier(dir: string, name: string, g: OnnxGraphBuilder, size: { width: number; height: number }): string {
  writeFileSync(path.join(dir, `${name}.onnx`), encodeModel(g));
  const manifest = path.join(dir, `${name}.manifest.json`);
  writeFileSync(
    manifest,
    JSON.stringify({
      schemaVersion: 1,
      name,
      kind: 'onnx-classifier',
      file: `${name}.onnx`,
      input: { name: 'image', layout: 'NHWC', ...size, resize: 'stretch', scale: 1 / 255 },
      output: { name: 'scores', activation: 'softmax' },
      labels: [...CANONICAL_SCALES],
      canonicalMapping: Object.fromEntries(CANONICAL_SCALES.map((s) => [s, { [s]: 1 }])),
    }),
  );
  return manifest;
}
