/**
 * ms/frame of the converted detectors in onnxruntime-node (CPU) at batch 1
 * and 8, plus the TS decoders. Run: npx tsx server/model-tools/bench-models.ts
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { decodeBlazeFace } from '../inference/detectors/blazeface-decoder.js';
import { decodeMoveNet } from '../inference/detectors/movenet-decoder.js';
import { MODEL_SPECS } from './model-specs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ITER_FRAMES = 64;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

for (const spec of MODEL_SPECS) {
  const session = await ort.InferenceSession.create(join(root, 'models', `${spec.name}.onnx`));
  const [H, W, C] = spec.inputShape;
  for (const batch of [1, 8]) {
    // Random but realistic-range input; timing does not depend on content.
    const x = new Float32Array(batch * H * W * C).map(() => Math.round(Math.random() * 255));
    const feeds = { input: new ort.Tensor('float32', x, [batch, H, W, C]) };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    const times: number[] = [];
    let out: ort.InferenceSession.ReturnType = {};
    for (let i = 0; i < Math.max(5, ITER_FRAMES / batch); i++) {
      const t = performance.now();
      out = await session.run(feeds);
      times.push((performance.now() - t) / batch);
    }
    const d = (n: string): Float32Array => out[n]?.data as Float32Array;
    let t = 0;
    for (let rep = 0; rep < 3; rep++) {
    t = performance.now(); // last of 3 repetitions: JIT-warm
    for (let b = 0; b < batch; b++) {
      if (spec.name === 'movenet-multipose') {
        decodeMoveNet({ center: d('center'), keypointHeatmap: d('keypoint_heatmap'), keypointRegress: d('keypoint_regress'),
          keypointOffset: d('keypoint_offset'), boxScale: d('box_scale'), boxOffset: d('box_offset'), gridHeight: H / 4, gridWidth: W / 4 }, b);
      } else {
        decodeBlazeFace([[d('scores_16'), d('boxes_16')], [d('scores_8'), d('boxes_8')]], b, batch);
      }
    }
    }
    const decodeMs = (performance.now() - t) / batch;
    console.log(`${spec.name} ${H}x${W} batch ${batch}: ${median(times).toFixed(2)} ms/frame (median of ${times.length}), decode ${decodeMs.toFixed(2)} ms/frame`);
  }
}
