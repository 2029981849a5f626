/**
 * What an evaluation produces, from the per-image results: the JSON report,
 * the per-prediction CSV and the title of the matrix picture. Pure: the CLI
 * decides where each goes.
 */
import type { ScalePrediction } from '../inference/model.js';
import { CANONICAL_SCALES } from '../shared/scale.js';
import { formatCsvRow } from './csv-table.js';
import { confusionMatrix, scoreMatrix, type ClassScores } from './metrics.js';
import type { Taxonomy } from './taxonomies.js';

export interface ImageResult {
  /** As written in the labels file. */
  file: string;
  /** Class indices in the taxonomy. */
  truth: number;
  predicted: number;
  /** Summed probability of the predicted class. */
  confidence: number;
  /** Canonical probabilities, CANONICAL_SCALES order. */
  probabilities: readonly number[];
  reason?: string;
  /** Framing features and rule probabilities, when the model gives them (for calibration). */
  analysis?: ScalePrediction['analysis'];
}

export interface UnreadableImage {
  file: string;
  error: string;
}

export interface EvalRun {
  taxonomy: Taxonomy;
  /** How the taxonomy was chosen ("--taxonomy" or the inference's reason). */
  taxonomyReason: string;
  labelsFile: string;
  model: string;
  executionProvider: string;
  /** How each image was looked at: as it is, or both ways with the mean (mirror-view.ts). */
  views: 'as-is' | 'both';
  results: readonly ImageResult[];
  unreadable: readonly UnreadableImage[];
  /** Time spent in model.predict, over all images. */
  inferenceMs: number;
  wallMs: number;
}

export interface EvalReport {
  accuracy: number;
  withinOne: number;
  macroF1: number;
  /** Per-class recall, averaged over the classes with images. */
  meanRecall: number;
  taxonomy: string;
  taxonomyReason: string;
  classes: string[];
  count: number;
  perClass: Record<string, ClassScores>;
  /** Rows = truth, columns = predicted, both in `classes` order. */
  confusionMatrix: number[][];
  model: string;
  executionProvider: string;
  /** How each image was looked at: as it is, or as the mean of the picture and its mirror. */
  views: 'as-is' | 'both';
  /** Inference only (batched model.predict), per image. */
  msPerImage: number;
  /** Decoding and inference, per image, as a user waits for it. */
  wallMsPerImage: number;
  labels: string;
  unreadable: UnreadableImage[];
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

export function buildReport(run: EvalRun): EvalReport {
  const classes = run.taxonomy.classes.map((c) => c.name);
  const matrix = confusionMatrix(classes.length, run.results);
  const scores = scoreMatrix(matrix);
  const count = run.results.length;
  return {
    accuracy: round(scores.accuracy),
    withinOne: round(scores.withinOne),
    macroF1: round(scores.macroF1),
    meanRecall: round(scores.meanRecall),
    taxonomy: run.taxonomy.name,
    taxonomyReason: run.taxonomyReason,
    classes,
    count,
    perClass: Object.fromEntries(
      classes.map((name, i) => {
        const s = scores.perClass[i]!;
        return [name, { precision: round(s.precision), recall: round(s.recall), f1: round(s.f1), support: s.support }];
      }),
    ),
    confusionMatrix: matrix,
    model: run.model,
    executionProvider: run.executionProvider,
    views: run.views,
    msPerImage: count ? round(run.inferenceMs / count, 2) : 0,
    wallMsPerImage: count ? round(run.wallMs / count, 2) : 0,
    labels: run.labelsFile,
    unreadable: [...run.unreadable],
  };
}

export const PREDICTION_COLUMNS = ['file', 'truth', 'predicted', 'correct', 'withinOne', 'confidence', ...CANONICAL_SCALES, 'reason'] as const;

/** One row per evaluated image, header first. */
export function predictionsCsv(taxonomy: Taxonomy, results: readonly ImageResult[]): string {
  const rows = results.map((r) =>
    formatCsvRow([
      r.file,
      taxonomy.classes[r.truth]!.name,
      taxonomy.classes[r.predicted]!.name,
      r.truth === r.predicted ? 1 : 0,
      Math.abs(r.truth - r.predicted) <= 1 ? 1 : 0,
      round(r.confidence),
      ...r.probabilities.map((p) => round(p)),
      r.reason ?? '',
    ]),
  );
  return [formatCsvRow(PREDICTION_COLUMNS), ...rows].join('\n') + '\n';
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

export function matrixTitle(report: EvalReport): { title: string; subtitle: string } {
  return {
    title: `${report.model}: ${report.taxonomy} taxonomy`,
    subtitle: `accuracy ${percent(report.accuracy)}, within one ${percent(report.withinOne)}, ${report.count} images; colour = share of the truth row`,
  };
}
