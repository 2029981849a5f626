/**
 * `shotscale eval --labels labels.csv`: classifies every labelled image with
 * the configured model and scores it in a shot-scale taxonomy. The report
 * goes to stdout as text, and on request to JSON, a per-image CSV and an SVG
 * of the confusion matrix. Images that cannot be decoded are reported and
 * skipped; a bad labels file or an unknown label stops with exit 1.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { baseKnowledgePath, loadBaseKnowledge } from '../calibration/base-knowledge.js';
import { loadHead } from '../calibration/framing-head.js';
import { resolveConfigPath } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import { renderConfusionSvg } from '../evaluation/confusion-svg.js';
import { buildReport, matrixTitle, predictionsCsv, type EvalReport, type ImageResult } from '../evaluation/eval-report.js';
import { formatReportText } from '../evaluation/report-text.js';
import { evaluateImages, type EvalOutcome } from '../evaluation/run-evaluation.js';
import { countFittedFrames } from '../evaluation/in-sample-frames.js';
import { headFittedOn, honestFigure, fittedOnWords, inSampleTag, setNameOf, untoldWords, type InSample } from '../evaluation/in-sample.js';
import type { Taxonomy } from '../evaluation/taxonomies.js';
import { MAX_BATCH, parseCommandArgs, UsageError, wholeNumberOption } from './command-options.js';
import { imageSource, labelledImagesFromArgs, progressReporter, unreadableText } from './labelled-images.js';
import { openOfflineClassifier } from './offline-classifier.js';
import { checkDistinctFiles, checkOutputFile, writeOutputFile } from './output-files.js';
import { configFromArgs } from './config-args.js';
import { ProgressLine } from './progress-line.js';

const OPTIONS = {
  labels: { type: 'string', short: 'l' },
  images: { type: 'string' },
  taxonomy: { type: 'string', short: 't' },
  json: { type: 'string' },
  csv: { type: 'string' },
  matrix: { type: 'string' },
  config: { type: 'string', short: 'c' },
  limit: { type: 'string' },
  batch: { type: 'string', default: '8' },
} as const;

function writeOutput(option: string, file: string, text: string, what: string): void {
  writeOutputFile(option, file, text);
  process.stderr.write(`${what} written to ${file}\n`);
}

/** --matrix, else beside --json (eval.json -> eval.matrix.svg), else none. */
function matrixPath(values: { matrix?: string | undefined; json?: string | undefined }): string | null {
  if (values.matrix) return values.matrix;
  if (!values.json) return null;
  const parsed = path.parse(values.json);
  return path.join(parsed.dir, `${parsed.ext === '.json' ? parsed.name : parsed.base}.matrix.svg`);
}

/**
 * The report, the calibration head the model's figures were read through
 * (null: the rules alone, or a model without one), and whether that head was
 * fitted on these frames (null: no head), as its provenance says.
 */
type ReportWithHead = EvalReport & { calibration: string | null; inSample: InSample | null };

/** Whether the figures are in-sample, in words: a head scored on frames it was fitted on must say so, and on how many of them. */
export function inSampleLine(r: InSample, count: number): string {
  const untold = untoldWords(r, count);
  if (untold) return `whether the head in use was fitted on these frames cannot be told: ${untold}`;
  if (r.inSample === null) return 'whether the head in use was fitted on this set cannot be told: it records no sets it was fitted on';
  // Fitted on other frames of this set: the frames scored are held out all the same.
  if (!r.inSample && r.fitted) return `not in-sample: the head in use was fitted on ${fittedOnWords(r, count)}`;
  if (!r.inSample) return `not in-sample: the head in use was fitted on other sets (${r.headSets.join(', ')})`;
  const figure = honestFigure(r);
  return `${inSampleTag(r, count)}: the head in use was fitted on ${fittedOnWords(r, count)}; ${figure ? `its ${figure} (from the head's manifest)` : 'the head\'s manifest records no figure for it fitted without these frames'}`;
}

function writeReports(report: ReportWithHead, taxonomy: Taxonomy, results: readonly ImageResult[], values: { json?: string | undefined; csv?: string | undefined; matrix?: string | undefined }): void {
  // The head's line under the model's: the same images score differently through another head.
  const [modelLine, ...rest] = formatReportText(report).split('\n');
  const inSample = report.inSample ? [inSampleLine(report.inSample, report.count)] : [];
  process.stdout.write([modelLine, `calibration head: ${report.calibration ?? 'none (model.calibration is not set)'}`, ...inSample, ...rest].join('\n'));
  if (values.json) writeOutput('--json', values.json, JSON.stringify(report, null, 2) + '\n', 'report');
  if (values.csv) writeOutput('--csv', values.csv, predictionsCsv(taxonomy, results), 'predictions');
  const svg = matrixPath(values);
  if (svg) writeOutput('--matrix', svg, renderConfusionSvg({ classes: report.classes, matrix: report.confusionMatrix, ...matrixTitle(report) }), 'confusion matrix');
}

/** The head the offline classifier reads the default model through (model.calibration, resolved as the model set resolves it), or null. */
function configuredHead(values: { config?: string | undefined }): string | null {
  const loaded = configFromArgs(values);
  const file = loaded.config.model.calibration;
  return file ? resolveConfigPath(loaded, file) : null;
}

/**
 * Where the head was fitted on some of the file's images and its provenance
 * bounds how many of those scored: counted in its base knowledge, where that
 * is beside it (in-sample-frames.ts); the bounds stand where it is not, or
 * cannot be read.
 */
function countedInBase(r: InSample, headFile: string, featureNames: readonly string[], results: readonly ImageResult[]): InSample {
  if (!r.fitted || r.fitted.least === r.fitted.most) return r;
  const features = results.map((result) => result.analysis?.features);
  if (features.some((f) => f === undefined)) return r;
  const file = baseKnowledgePath(headFile);
  if (!existsSync(file)) return r;
  try {
    return countFittedFrames(r, loadBaseKnowledge(file, featureNames), features as ArrayLike<number>[]);
  } catch {
    // Unreadable, or of another model: what the provenance says stands.
    return r;
  }
}

export async function runEval(argv: string[], log: Logger): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: OPTIONS });
  if (!values.labels) throw new UsageError('--labels FILE is required (a CSV with columns file and label)');
  const batchSize = wholeNumberOption('batch', values.batch, 1, MAX_BATCH);
  const svg = matrixPath(values);
  const outputs = [['--json', values.json], ['--csv', values.csv], ['--matrix', svg]].filter((o): o is [string, string] => typeof o[1] === 'string');
  // One file named twice would be written over by the later output (or, the labels, lost).
  checkDistinctFiles(outputs, [['--labels', values.labels]]);
  const labelled = labelledImagesFromArgs({ ...values, labels: values.labels });
  const { taxonomy, items, reason } = labelled;
  // Before the images are classified: a bad output path found after the run would lose it.
  for (const [option, file] of outputs) checkOutputFile(option, file);
  const calibration = configuredHead(values);

  const classifier = await openOfflineClassifier(values, log);
  const progress = new ProgressLine(items.length, 'images');
  const started = performance.now();
  let outcome: EvalOutcome | undefined;
  try {
    outcome = await evaluateImages(items, taxonomy, imageSource(classifier), {
      batchSize,
      progress: progressReporter(progress, labelled),
    });
  } finally {
    progress.done(`${outcome ? outcome.results.length : 0} of ${items.length} images classified with ${classifier.model.name}`);
    await classifier.dispose();
  }
  if (!outcome.results.length) {
    throw new ShotscaleError('INPUT_UNREADABLE', `none of the ${items.length} images listed in ${values.labels} could be read (first: ${outcome.unreadable[0] ? unreadableText(labelled, outcome.unreadable[0].file, outcome.unreadable[0].error) : '?'})`, {
      hint: 'the images are decoded with ffmpeg (JPEG, PNG, ...): check that the listed files are pictures',
    });
  }
  // The head the classifier loaded (a model without framing features takes none), read for its provenance; the frames are those scored.
  const featureNames = classifier.model.featureNames;
  const scored = new Set(outcome.results.map((r) => r.file));
  const fittedOn = calibration && featureNames ? headFittedOn(loadHead(calibration, featureNames), calibration, { name: setNameOf(values.labels), labels: values.labels, images: items.filter((item) => scored.has(item.file)).map((item) => item.path) }) : null;
  const inSample = fittedOn && calibration && featureNames ? countedInBase(fittedOn, calibration, featureNames, outcome.results) : fittedOn;
  const report: ReportWithHead = { ...buildReport({
    taxonomy,
    taxonomyReason: reason,
    labelsFile: path.resolve(values.labels),
    model: classifier.model.name,
    executionProvider: classifier.model.executionProvider,
    views: classifier.views,
    results: outcome.results,
    unreadable: outcome.unreadable,
    inferenceMs: outcome.inferenceMs,
    wallMs: performance.now() - started,
  }), calibration, inSample };
  writeReports(report, taxonomy, outcome.results, values);
  return 0;
}
