/**
 * Dev benchmark: ms per frame of the whole framing stack (active picture,
 * both detectors, decoding, features, rules, subjects) on real eval frames,
 * onnxruntime CPU with 2 threads, at batch 1 and 8.
 *   tsx server/inference/framing/dev/bench-framing.ts [rounds]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../shared/logger.js';
import { FramingModel } from '../framing-model.js';
import { EVAL_ROOT, decodeFrames, readLabels } from './detect-cache.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const rounds = Number(process.argv[2] ?? 6);
const model = await FramingModel.load(path.join(repo, 'models/framing-default.manifest.json'), { executionProviders: ['cpu'], intraOpThreads: 2 }, silentLogger);
const files = readLabels().filter((_, i) => i % 120 === 0).slice(0, 16).map((l) => path.join(EVAL_ROOT, l.file));
const frames = await decodeFrames(files, model.input.width, model.input.height);
for (const batch of [1, 8]) {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s + batch <= frames.length; s += batch) {
      const t0 = performance.now();
      await model.predict(frames.slice(s, s + batch));
      times.push((performance.now() - t0) / batch);
    }
  }
  times.sort((a, b) => a - b);
  console.log(`batch ${batch}: median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms/frame, p90 ${times[Math.floor(times.length * 0.9)]!.toFixed(1)} ms/frame (${times.length} runs)`);
}
await model.dispose();
