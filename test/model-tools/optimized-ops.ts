/** The operators onnxruntime actually runs: the graph after its optimizer (fusions, int8 kernels), read back from the file it writes. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelProto } from '../../server/model-tools/onnx/onnx-schema.js';

export async function optimizedOpTypes(model: string | Uint8Array): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-opt-'));
  try {
    const optimized = join(dir, 'optimized.onnx');
    // 'extended': the hardware-independent fusions (QDQ -> QLinearConv, Conv + activation), written as plain ONNX.
    const options = { optimizedModelFilePath: optimized, graphOptimizationLevel: 'extended' as const };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    await session.release();
    return (ModelProto.toObject(ModelProto.decode(readFileSync(optimized))) as { graph: { node: { opType: string }[] } }).graph.node.map((n) => n.opType);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
