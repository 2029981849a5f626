/**
 * Dev script: fits the over-the-shoulder hint as a small logistic model on
 * the framing features. Positives: CinemaNet "over_the_shoulder" frames;
 * negatives: CinemaNet "master" frames and the scale set (film frames of
 * every scale, few of them over-the-shoulder; --scale-every N takes every
 * Nth). Prints, per threshold, cross-validated precision and recall and, out
 * of set, what the fitted head flags on HOHA frames labelled by eye
 * (test/fixtures/hoha-over-the-shoulder.csv), and writes the head JSON.
 * --inputs picks the feature groups the head sees (geometry, spectral,
 * embedding); --threshold the probability at which the hint is on (the
 * defaults are the shipped head's: without the scene descriptor, which read
 * lone figures seen from behind as over the shoulder; on where
 * cross-validated precision reaches 0.8). The
 * frames' features are cached (keyed by the pose and face models and the
 * files), so trying inputs again takes seconds.
 *   npx tsx server/inference/framing/dev/fit-ots.ts [out.json] [--inputs geometry,embedding] [--threshold 0.9] [--scale-every 1]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stratifiedFolds } from '../../../calibration/cross-validation.js';
import { predictProbabilities, trainSoftmax } from '../../../calibration/softmax-regression.js';
import { silentLogger } from '../../../shared/logger.js';
import { EMBEDDING_FEATURE_NAMES } from '../backbone-embedding.js';
import { FRAMING_FEATURE_NAMES } from '../framing-features.js';
import { FramingModel, MODEL_FEATURE_NAMES } from '../framing-model.js';
import { SPECTRAL_FEATURE_NAMES } from '../spectral-descriptor.js';
import { decodeFrames } from './detect-cache.js';
import { CACHE_DIR, modelKey } from './set-cache.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const shared = path.resolve(repo, '..', 'shared', 'evalset');
const BY_EYE = path.join(repo, 'test', 'fixtures', 'hoha-over-the-shoulder.csv');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { inputs: { type: 'string', default: 'geometry,embedding' }, threshold: { type: 'string', default: '0.9' }, 'scale-every': { type: 'string', default: '1' } } });
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const out = positionals[0] ?? '/tmp/ots-head.json';
const GROUPS: Record<string, readonly string[]> = { geometry: FRAMING_FEATURE_NAMES, spectral: SPECTRAL_FEATURE_NAMES, embedding: EMBEDDING_FEATURE_NAMES };
const inputNames = values.inputs.split(',').flatMap((g) => {
  if (!GROUPS[g]) throw new Error(`--inputs: ${g} is not one of ${Object.keys(GROUPS).join(', ')}`);
  return GROUPS[g];
});
const inputIndex = inputNames.map((n) => MODEL_FEATURE_NAMES.indexOf(n));
const chosen = Number(values.threshold);

function rows(csv: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}

const typeRows = rows(path.join(shared, 'cinemanet-type', 'labels.csv'));
// The scale set holds some of the type set's pictures byte for byte (258 of
// 796): those are labelled by the type set, not taken as negatives.
const typeBytes = new Set(typeRows.map((r) => sha256(path.join(shared, 'cinemanet-type', r.file!))));
const scaleEvery = Number(values['scale-every']);
const scaleRows = rows(path.join(shared, 'cinemanet', 'labels.csv'))
  .filter((r) => !typeBytes.has(sha256(path.join(shared, 'cinemanet', r.file!))))
  .filter((_, i) => i % scaleEvery === 0);
const items = [
  ...typeRows.map((r) => ({ file: path.join(shared, 'cinemanet-type', r.file!), ots: r.type === 'over_the_shoulder' ? 1 : 0 })),
  ...scaleRows.map((r) => ({ file: path.join(shared, 'cinemanet', r.file!), ots: 0 })),
];
const manifestPath = path.join(repo, 'models/framing-default.manifest.json');
const features = await analysedFeatures(manifestPath, items.map((it) => it.file));
const labels = items.map((it) => it.ots);
const x = features.map((f) => inputIndex.map((i) => f[i]!));
const folds = stratifiedFolds(labels, 5, 1);
const scores = new Array<number>(items.length).fill(0);
for (let f = 0; f < 5; f++) {
  const train = x.flatMap((row, i) => (folds[i] !== f ? [i] : []));
  const m = trainSoftmax(train.map((i) => x[i]!), train.map((i) => labels[i]!), 2, {});
  x.forEach((row, i) => {
    if (folds[i] === f) scores[i] = predictProbabilities(m, row)[1]!;
  });
}
const final = trainSoftmax(x, labels, 2, {});

// Out of set: HOHA film frames (close-ups to medium shots) labelled by eye
// for a foreground figure's shoulder or head; the head never sees them.
const hoha = rows(BY_EYE).map((r) => ({ file: path.join(shared, 'hoha', r.file!), ots: Number(r.ots) }));
const hohaScores = (await analysedFeatures(manifestPath, hoha.map((h) => h.file))).map((f) => predictProbabilities(final, inputIndex.map((i) => f[i]!))[1]!);

interface Counts { tp: number; fp: number; positives: number; negatives: number }
const counts = (s: readonly number[], truth: readonly number[], threshold: number): Counts => ({
  tp: s.filter((v, i) => v >= threshold && truth[i] === 1).length,
  fp: s.filter((v, i) => v >= threshold && truth[i] === 0).length,
  positives: truth.filter((t) => t === 1).length,
  negatives: truth.filter((t) => t === 0).length,
});
const precision = (c: Counts): number => c.tp / Math.max(1, c.tp + c.fp);
const recall = (c: Counts): number => c.tp / Math.max(1, c.positives);
const hohaTruth = hoha.map((h) => h.ots);
for (const threshold of [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]) {
  const cv = counts(scores, labels, threshold), out = counts(hohaScores, hohaTruth, threshold);
  const masterFp = scores.filter((s, i) => s >= threshold && i < typeRows.length && labels[i] === 0).length;
  process.stdout.write(
    `threshold ${threshold}: CinemaNet CV precision ${precision(cv).toFixed(3)}, recall ${recall(cv).toFixed(3)} (${cv.tp}/${cv.positives}), ` +
    `false positives ${cv.fp} (${masterFp} masters) | HOHA by eye: ${out.tp}/${out.positives} found, ${out.fp}/${out.negatives} others flagged\n`,
  );
}
const threshold = chosen;
const cv = counts(scores, labels, threshold), outOfSet = counts(hohaScores, hohaTruth, threshold);
writeFileSync(
  out,
  JSON.stringify({
    kind: 'ots-head',
    featureNames: inputNames,
    model: final,
    threshold,
    provenance: {
      positives: `${cv.positives} CinemaNet over_the_shoulder frames`,
      negatives: `${cv.negatives} frames: CinemaNet master frames and ${scaleEvery === 1 ? 'every' : `every ${scaleEvery}th`} frame of the CinemaNet scale set that is not also in the shot-type set`,
      inputs: values.inputs,
      command: `npx tsx server/inference/framing/dev/fit-ots.ts models/framing-ots.head.json --inputs ${values.inputs} --threshold ${threshold}${scaleEvery === 1 ? '' : ` --scale-every ${scaleEvery}`}`,
      trainedAt: new Date().toISOString(),
    },
    crossValidation: { folds: 5, threshold, precision: precision(cv), recall: recall(cv) },
    outOfSet: { frames: 'test/fixtures/hoha-over-the-shoulder.csv (HOHA, labelled by eye)', threshold, found: `${outOfSet.tp} of ${outOfSet.positives}`, othersFlagged: `${outOfSet.fp} of ${outOfSet.negatives}` },
  }),
);
process.stdout.write(`wrote ${out} (${inputNames.length} inputs: ${values.inputs}; on at ${threshold})\n`);

/** Each file's model features (MODEL_FEATURE_NAMES order), from a cache keyed by the detectors the manifest names and the files. */
async function analysedFeatures(manifest: string, files: readonly string[]): Promise<number[][]> {
  const hash = createHash('sha256').update(modelKey(manifest));
  for (const file of files) hash.update(file);
  const cacheFile = path.join(CACHE_DIR, `ots-features-${hash.digest('hex').slice(0, 12)}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as number[][];
  const model = await FramingModel.load(manifest, { executionProviders: ['cpu'], intraOpThreads: 0 }, silentLogger);
  const result: number[][] = [];
  for (let i = 0; i < files.length; i += 16) {
    const frames = await decodeFrames(files.slice(i, i + 16), model.input.width, model.input.height);
    for (const a of await model.analyse(frames)) result.push(Array.from(a.features));
    process.stderr.write(`\r${result.length}/${files.length}`);
  }
  process.stderr.write('\n');
  await model.dispose();
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(result));
  return result;
}
