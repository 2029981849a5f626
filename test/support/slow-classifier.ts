/**
 * A deliberately slow real ONNX classifier, made on the fly with the
 * project's own ONNX writer: a stack of 3x3 convolutions over a 160x96 image,
 * `layers` deep, then pooled to 8 logits. Its cost per frame is set by its
 * depth, so a test can ask more of the model than it can do on any machine.
 */
import { OnnxDataType } from '../../server/model-tools/onnx/onnx-schema.js';
import { OnnxGraphBuilder, attr } from '../../server/model-tools/onnx/onnx-builder.js';
import { writeClassifier } from './tiny-classifier.js';

const CHANNELS = 32;

export function writeSlowClassifier(dir: string, layers: number, name = 'slow-convs'): string {
  const g = new OnnxGraphBuilder();
  g.addInput('image', OnnxDataType.FLOAT, ['batch', 96, 160, 3]);
  const nchw = g.op('Transpose', ['image'], 'nchw', { perm: attr.ints([0, 3, 1, 2]) });
  const widen = (i: number) => Array.from({ length: CHANNELS * 3 }, (_, k) => ((k * 7 + i) % 5) / 50 - 0.04);
  let x = g.op('Conv', [nchw, g.addFloat('w_in', widen(1), [CHANNELS, 3, 1, 1])], 'widened');
  // One weight tensor shared by every layer: the file stays small, the work does not.
  const w = g.addFloat('w_mid', Array.from({ length: CHANNELS * CHANNELS * 9 }, (_, k) => ((k * 13) % 11) / 400 - 0.0125), [CHANNELS, CHANNELS, 3, 3]);
  for (let i = 0; i < layers; i++) x = g.op('Relu', [g.op('Conv', [x, w], `conv${i}`, { pads: attr.ints([1, 1, 1, 1]) })], `relu${i}`);
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [x], 'pooled')], 'flat', { axis: attr.int(1) });
  const logits = g.op('MatMul', [pooled, g.addFloat('head', Array.from({ length: CHANNELS * 8 }, (_, k) => ((k * 3) % 7) / 10 - 0.3), [CHANNELS, 8])], 'scores');
  g.addOutput(logits, OnnxDataType.FLOAT, ['batch', 8]);
  return writeClassifier(dir, name, g, { width: 160, height: 96 });
}
