/**
 * Dev script: fits the over-the-shoulder hint as a small logistic model on
 * the framing features. Positives: CinemaNet "over_the_shoulder" frames;
 * negatives: CinemaNet "master" frames and a sample of the scale set (film
 * frames of every scale, few of them over-the-shoulder). Prints
 * cross-validated precision and recall, and writes the head JSON.
 *   tsx server/inference/framing/dev/fit-ots.ts [out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { predictProbabilities, trainSoftmax } from '../../../calibration/softmax-regression.js';
import { silentLogger } from '../../../shared/logger.js';
import { FramingModel } from '../framing-model.js';
import { decodeFrames } from './detect-cache.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const shared = path.resolve(repo, '..', 'shared', 'evalset');
const out = process.argv[2] ?? '/tmp/ots-head.json';

function rows(csv: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

const typeRows = rows(path.join(shared, 'cinemanet-type', 'labels.csv'));
const scaleRows = rows(path.join(shared, 'cinemanet', 'labels.csv')).filter((_, i) => i % 3 === 0);
const items = [
  ...typeRows.map((r) => ({ file: path.join(shared, 'cinemanet-type', r.file!), ots: r.type === 'over_the_shoulder' ? 1 : 0 })),
  ...scaleRows.map((r) => ({ file: path.join(shared, 'cinemanet', r.file!), ots: 0 })),
];
const model = await FramingModel.load(path.join(repo, 'models/framing-default.manifest.json'), { executionProviders: ['cpu'], intraOpThreads: 0 }, silentLogger);
const features: Float32Array[] = [];
for (let i = 0; i < items.length; i += 16) {
  const frames = await decodeFrames(items.slice(i, i + 16).map((it) => it.file), model.input.width, model.input.height);
  for (const a of await model.analyse(frames)) features.push(a.features);
  process.stderr.write(`\r${features.length}/${items.length}`);
}
await model.dispose();
const labels = items.map((it) => it.ots);
const x = features.map((f) => Array.from(f));
const folds = stratifiedFolds(labels, 5, 1);
const scores = new Array<number>(items.length).fill(0);
for (let f = 0; f < 5; f++) {
  const train = x.flatMap((row, i) => (folds[i] !== f ? [i] : []));
  const m = trainSoftmax(train.map((i) => x[i]!), train.map((i) => labels[i]!), 2, {});
  x.forEach((row, i) => {
    if (folds[i] === f) scores[i] = predictProbabilities(m, row)[1]!;
  });
}
for (const threshold of [0.5, 0.6, 0.7, 0.8]) {
  const tp = scores.filter((s, i) => s >= threshold && labels[i] === 1).length;
  const fp = scores.filter((s, i) => s >= threshold && labels[i] === 0).length;
  const positives = labels.filter((l) => l === 1).length;
  const masterFp = scores.filter((s, i) => s >= threshold && i < typeRows.length && labels[i] === 0).length;
  process.stdout.write(`\nthreshold ${threshold}: precision ${(tp / Math.max(1, tp + fp)).toFixed(3)}, recall ${(tp / positives).toFixed(3)} (${tp}/${positives}); false positives: ${fp} (${masterFp} masters)`);
}
const final = trainSoftmax(x, labels, 2, {});
const threshold = 0.7;
const tp = scores.filter((s, i) => s >= threshold && labels[i] === 1).length;
const fp = scores.filter((s, i) => s >= threshold && labels[i] === 0).length;
const positives = labels.filter((l) => l === 1).length;
writeFileSync(
  out,
  JSON.stringify({
    kind: 'ots-head',
    featureNames: [...model.featureNames],
    model: final,
    threshold,
    provenance: {
      positives: `${positives} CinemaNet over_the_shoulder frames`,
      negatives: `${labels.length - positives} frames: CinemaNet master frames and every third frame of the CinemaNet scale set`,
      trainedAt: new Date().toISOString(),
    },
    crossValidation: { folds: 5, threshold, precision: tp / Math.max(1, tp + fp), recall: tp / positives },
  }),
);
process.stdout.write(`\nwrote ${out}\n`);
