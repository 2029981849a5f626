/**
 * server/model-tools/quantize on a small graph built here (Conv + ReLU6, Conv,
 * a residual Add, a Conv left in float), run by onnxruntime: the calibrated
 * ranges, the QDQ rewrite, that onnxruntime fuses it into integer kernels,
 * and that the int8 graph computes what the float graph does to within its
 * quantization steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, attr, encodeModel } from '../../server/model-tools/onnx/onnx-builder.js';
import { OnnxDataType } from '../../server/model-tools/onnx/onnx-schema.js';
import { activationRanges } from '../../server/model-tools/quantize/calibrate.js';
import { quantizedTensors, quantizeGraph, uint8Params } from '../../server/model-tools/quantize/qdq-quantize.js';
import { seededRandom } from '../../server/shared/seeded-random.js';
import { optimizedOpTypes } from './optimized-ops.js';

const C = 8, S = 12; // channels, side
const random = seededRandom(11);
const noise = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);

/** input [1, C, S, S] (0..255) -> Conv3x3+ReLU6 -> Conv1x1 -> + skip -> Conv1x1 "head" (float) -> output. */
function smallGraph(): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder();
  const x = g.addInput('input', OnnxDataType.FLOAT, [1, C, S, S]);
  const scaled = g.op('Mul', [x, g.addFloat('k', [1 / 64], [])], 'scaled');
  const conv = (name: string, input: string, k: number): string => g.op('Conv', [input, g.addFloat(`${name}/W`, Array.from(noise(C * C * k * k, 0.3)), [C, C, k, k]), g.addFloat(`${name}/B`, Array.from(noise(C, 0.2)))], `${name}/conv`, { pads: attr.ints(k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0]) });
  const relu6 = g.op('Clip', [conv('body/a', scaled, 3), g.addFloat('lo', [0], []), g.addFloat('hi', [6], [])], 'body/a/relu6');
  const b = conv('body/b', relu6, 1);
  const sum = g.op('Add', [b, scaled], 'body/add');
  g.addNode('Identity', [conv('head/c', sum, 1)], 'output');
  g.addOutput('output', OnnxDataType.FLOAT, [1, C, S, S]);
  return g;
}

const PLAN = { int8Nodes: /^body\// };
const frames = (n: number): Uint8Array[] => Array.from({ length: n }, () => Uint8Array.from({ length: C * S * S }, () => Math.floor(random() * 256)));

async function run(bytes: Uint8Array, frame: Uint8Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    return (await s.run({ input: new ort.Tensor('float32', Float32Array.from(frame), [1, C, S, S]) })).output!.data as Float32Array;
  } finally {
    await s.release();
  }
}

describe('int8 quantization (QDQ)', () => {
  it('puts 0 exactly on the uint8 grid, with the range widened to include it', () => {
    const a = uint8Params({ min: -1, max: 3 });
    assert.equal(a.zeroPoint, 64);
    assert.ok(Math.abs(a.scale - 4 / 255) < 1e-9);
    assert.deepEqual(uint8Params({ min: 2, max: 5.1 }), { scale: 5.1 / 255, zeroPoint: 0 });
    assert.deepEqual(uint8Params({ min: 0, max: 0 }), { scale: 1, zeroPoint: 0 }, 'a constant-zero tensor');
  });

  it('quantizes the inputs and outputs of the int8 nodes, a convolution\'s output past its ReLU6', () => {
    const t = quantizedTensors(smallGraph(), PLAN);
    assert.deepEqual(t.sort(), ['body/a/relu6', 'body/add', 'body/b/conv', 'scaled'].sort());
  });

  it('calibrates, rewrites, and onnxruntime fuses the result into integer kernels that match the float graph', async () => {
    const g = smallGraph();
    const floatBytes = encodeModel(g);
    const ranges = await activationRanges(g, quantizedTensors(g, PLAN), frames(24), [C, S, S]);
    assert.equal(g.outputs.length, 1, 'calibration leaves the graph\'s outputs as they were');
    const relu = ranges.get('body/a/relu6')!;
    assert.ok(relu.min >= 0 && relu.max <= 6 && relu.max > 0.5, `ReLU6 output range ${JSON.stringify(relu)}`);
    const summary = quantizeGraph(g, PLAN, ranges);
    assert.deepEqual(summary, { convolutions: 2, additions: 1, tensors: 4, floatConvolutions: 1 });
    const weights = g.initializers.filter((i) => i.dataType === OnnxDataType.INT8 && i.dims.length === 4);
    assert.equal(weights.length, 2, 'both body convolutions carry int8 weights');
    for (const w of weights) assert.ok(Math.max(...Array.from(w.data as Int8Array, Math.abs)) === 127, `${w.name}: each channel scaled to use the full int8 range`);
    assert.ok(g.initializers.some((i) => i.name.startsWith('head/c/W')), 'the float convolution keeps its float weights');
    assert.equal(g.nodes.filter((n) => n.opType === 'Clip').length, 1, 'the ReLU6 stays in the graph; onnxruntime folds it');
    const bytes = encodeModel(g);

    const ops = await optimizedOpTypes(bytes);
    assert.equal(ops.filter((o) => o === 'QLinearConv').length, 2, `onnxruntime runs both body convolutions in int8: ${ops.join(' ')}`);
    assert.ok(ops.includes('QLinearAdd'), 'and the residual addition');
    assert.equal(ops.filter((o) => o === 'Conv').length, 1, 'the head stays a float convolution');

    let worst = 0, span = 0;
    for (const frame of frames(6)) {
      const [want, got] = [await run(floatBytes, frame), await run(bytes, frame)];
      for (let i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        span = Math.max(span, Math.abs(want[i]!));
      }
    }
    console.log(`# int8 vs float: max |diff| ${worst.toFixed(4)} on outputs up to ${span.toFixed(2)}`);
    assert.ok(worst > 0, 'the int8 graph is not the float graph');
    assert.ok(worst < span * 0.05, `int8 output off by ${worst} (outputs up to ${span})`);
  });

  it('refuses a tensor calibration did not measure', () => {
    const g = smallGraph();
    assert.throws(() => quantizeGraph(g, PLAN, new Map()), /no calibrated range for/);
  });
});
