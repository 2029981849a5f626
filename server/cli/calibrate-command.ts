/**
 * `shotscale calibrate --labels labels.csv --out head.json`: fits the
 * calibration head of the default classifier on a folder of labelled frames,
 * reports cross-validated accuracy next to the rules alone, and saves the
 * head for `model.calibration` or a camera's `calibration` to load.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crossValidate, type CrossValidationReport, type LabelledSample } from '../calibration/cross-validation.js';
import { headInput, headInputNames, saveHead, type FramingHead } from '../calibration/framing-head.js';
import { trainSoftmax, DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../calibration/softmax-regression.js';
import { evaluateImages } from '../evaluation/run-evaluation.js';
import type { Taxonomy } from '../evaluation/taxonomies.js';
import type { Logger } from '../shared/logger.js';
import { imageSource, labelledImagesFromArgs, progressReporter, type LabelledImages } from './labelled-images.js';
import { openOfflineClassifier } from './offline-classifier.js';
import { ProgressLine } from './progress-line.js';

const OPTIONS = {
  labels: { type: 'string', short: 'l' },
  images: { type: 'string' },
  taxonomy: { type: 'string', short: 't' },
  out: { type: 'string', short: 'o' },
  json: { type: 'string' },
  config: { type: 'string', short: 'c' },
  folds: { type: 'string', default: '5' },
  hidden: { type: 'string', default: '0' },
  epochs: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.epochs) },
  l2: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.l2) },
  lr: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.learningRate) },
  limit: { type: 'string' },
  'save-samples': { type: 'string' },
  samples: { type: 'string' },
} as const;

interface SavedSamples {
  taxonomy: string;
  model: string;
  featureNames: string[];
  samples: { file: string; label: number; features: number[]; rules: number[] }[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function formatComparison(taxonomy: Taxonomy, cv: CrossValidationReport): string {
  const names = taxonomy.classes.map((c) => c.name);
  const lines = [
    `${cv.folds}-fold cross-validation (${taxonomy.name}):`,
    `  rules alone: exact ${pct(cv.rules.accuracy)}, within one ${pct(cv.rules.withinOne)}`,
    `  with head:   exact ${pct(cv.head.accuracy)}, within one ${pct(cv.head.withinOne)}`,
    `  recall per class (rules -> head): ${names.map((n, i) => `${n} ${pct(cv.rules.recall[i]!)} -> ${pct(cv.head.recall[i]!)}`).join(', ')}`,
  ];
  return lines.join('\n') + '\n';
}

/** Runs the configured framing model over the labelled frames: features, rule probabilities, labels. */
async function analyseFrames(values: { config?: string | undefined }, items: LabelledImages['items'], taxonomy: Taxonomy, log: Logger): Promise<{ featureNames: readonly string[]; modelName: string; samples: LabelledSample[]; files: string[] } | null> {
  const classifier = await openOfflineClassifier(values, log);
  const featureNames = classifier.model.featureNames;
  if (!featureNames) {
    await classifier.dispose();
    process.stderr.write(`shotscale calibrate: the configured model (${classifier.model.name}) has no framing features; calibration applies to the framing classifier\n`);
    return null;
  }
  const progress = new ProgressLine(items.length, 'images');
  try {
    const outcome = await evaluateImages(items, taxonomy, imageSource(classifier), { batchSize: 8, progress: progressReporter(progress) });
    progress.done(`${outcome.results.length} of ${items.length} images analysed, ${outcome.unreadable.length} unreadable`);
    const analysed = outcome.results.filter((r) => r.analysis);
    return {
      featureNames,
      modelName: classifier.model.name,
      samples: analysed.map((r) => ({ features: r.analysis!.features, rules: r.analysis!.rules, label: r.truth })),
      files: analysed.map((r) => r.file),
    };
  } finally {
    await classifier.dispose();
  }
}

function usageError(message: string): number {
  process.stderr.write(`shotscale calibrate: ${message}\n`);
  return 2;
}

export async function runCalibrate(argv: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  if (!values.labels) return usageError('--labels FILE is required (a CSV with columns file and label)');
  if (!values.out) return usageError('--out FILE is required (where the head is saved, JSON)');
  const folds = Number(values.folds);
  const train: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, hidden: Number(values.hidden), epochs: Number(values.epochs), l2: Number(values.l2), learningRate: Number(values.lr) };
  if (!Number.isInteger(folds) || folds < 2) return usageError('--folds must be an integer of at least 2');
  if (!Number.isInteger(train.hidden) || train.hidden < 0 || !Number.isInteger(train.epochs) || train.epochs < 1 || !(train.l2 >= 0) || !(train.learningRate > 0)) {
    return usageError('--hidden and --epochs must be non-negative integers, --l2 a non-negative number');
  }
  const labelled = labelledImagesFromArgs('calibrate', { ...values, labels: values.labels });
  if (typeof labelled === 'number') return labelled;
  const { taxonomy, items } = labelled;
  let featureNames: readonly string[];
  let modelName: string;
  let samples: LabelledSample[];
  if (values.samples) {
    // Re-fitting with other options: the frames were analysed before (--save-samples).
    const saved = JSON.parse(readFileSync(values.samples, 'utf8')) as SavedSamples;
    if (saved.taxonomy !== taxonomy.name) return usageError(`${values.samples} holds ${saved.taxonomy} labels, not ${taxonomy.name}`);
    ({ featureNames, model: modelName } = saved);
    samples = saved.samples.map((s) => ({ features: Float32Array.from(s.features), rules: s.rules, label: s.label }));
    process.stderr.write(`${samples.length} analysed frames read from ${values.samples}\n`);
  } else {
    const analysed = await analyseFrames(values, items, taxonomy, log);
    if (!analysed) return 1;
    ({ featureNames, modelName, samples } = analysed);
    if (values['save-samples']) {
      const saved: SavedSamples = { taxonomy: taxonomy.name, model: modelName, featureNames: [...featureNames], samples: samples.map((s, i) => ({ file: analysed.files[i]!, label: s.label, features: Array.from(s.features), rules: [...s.rules] })) };
      writeFileSync(values['save-samples'], JSON.stringify(saved));
    }
  }
  const counts = taxonomy.classes.map((_, c) => samples.filter((s) => s.label === c).length);
  if (counts.filter((n) => n > 0).length < 2 || samples.length < folds) {
    process.stderr.write(`shotscale calibrate: need frames of at least 2 classes and at least ${folds} frames (got ${samples.length}: ${taxonomy.classes.map((c, i) => `${c.name} ${counts[i]}`).join(', ')})\n`);
    return 1;
  }

  const groups = taxonomy.classes.map((c) => [...c.canonical]);
  const cv = crossValidate(samples, groups, Math.min(folds, Math.max(2, Math.min(...counts.filter((n) => n > 0)))), train);
  process.stdout.write(formatComparison(taxonomy, cv));
  const model = trainSoftmax(samples.map((s) => headInput(s.features, s.rules)), samples.map((s) => s.label), groups.length, train);
  const head: FramingHead = {
    schemaVersion: 1,
    kind: 'framing-head',
    taxonomy: taxonomy.name,
    classes: taxonomy.classes.map((c) => c.name),
    groups,
    featureNames: [...featureNames],
    model,
    provenance: { labels: path.resolve(values.labels), count: samples.length, trainedAt: new Date().toISOString(), options: { ...train, folds: cv.folds, model: modelName } },
    crossValidation: { folds: cv.folds, head: cv.head, rules: cv.rules },
  };
  mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
  saveHead(head, values.out);
  process.stderr.write(`head (${headInputNames(featureNames).length} inputs, ${train.hidden ? `${train.hidden} hidden units` : 'logistic'}) saved to ${values.out}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ taxonomy: taxonomy.name, count: samples.length, ...cv, predictions: undefined }, null, 2) + '\n');
  return 0;
}
