/**
 * A labelled folder of images, as `eval` and `calibrate` read it: the labels
 * CSV, the taxonomy its labels belong to, and an image source that decodes
 * each file through ffmpeg exactly as a camera frame would be.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EvalInputError } from '../evaluation/eval-error.js';
import { parseLabels, type LabelRow } from '../evaluation/labels-file.js';
import type { EvalItem, EvalProgress, ImageSource } from '../evaluation/run-evaluation.js';
import { classIndexOf, findTaxonomy, TAXONOMIES, type Taxonomy } from '../evaluation/taxonomies.js';
import { checkLabels, inferTaxonomy } from '../evaluation/taxonomy-inference.js';
import type { DecodedFrame } from '../ingest/file-decoder.js';
import type { OfflineClassifier } from './offline-classifier.js';
import type { ProgressLine } from './progress-line.js';

export interface LabelledImages {
  taxonomy: Taxonomy;
  /** Which taxonomy, and why (also printed on stderr when inferred). */
  reason: string;
  items: EvalItem[];
}

function readLabels(file: string, limit: number | null): LabelRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EvalInputError(`cannot read the labels file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const rows = parseLabels(text, file);
  return limit === null ? rows : rows.slice(0, limit);
}

/** The taxonomy named with --taxonomy (labels checked against it), else the inferred one. */
function chooseTaxonomy(named: Taxonomy | undefined, labels: readonly string[]): { taxonomy: Taxonomy; reason: string } {
  if (named) {
    checkLabels(named, labels);
    return { taxonomy: named, reason: 'chosen with --taxonomy' };
  }
  const choice = inferTaxonomy(labels);
  process.stderr.write(choice.reason + '\n');
  return { taxonomy: choice.taxonomy, reason: choice.reason };
}

/** Reads the labels; --images defaults to the labels file's folder, and file paths are relative to it. */
function readLabelledImages(labelsFile: string, imagesDir: string | undefined, named: Taxonomy | undefined, limit: number | null): LabelledImages {
  const dir = path.resolve(imagesDir ?? path.dirname(labelsFile));
  const rows = readLabels(labelsFile, limit);
  const { taxonomy, reason } = chooseTaxonomy(named, rows.map((r) => r.label));
  return { taxonomy, reason, items: rows.map((r) => ({ file: r.file, path: path.resolve(dir, r.file), truth: classIndexOf(taxonomy, r.label)! })) };
}

export interface LabelledArgs {
  labels: string;
  images?: string | undefined;
  taxonomy?: string | undefined;
  limit?: string | undefined;
}

/**
 * --labels, --images, --taxonomy and --limit, as eval and calibrate take
 * them. A number back is the exit code, its reason already on stderr: 2 for a
 * bad option, 1 for a labels file that cannot be used.
 */
export function labelledImagesFromArgs(command: string, args: LabelledArgs): LabelledImages | number {
  const fail = (code: number, message: string): number => {
    process.stderr.write(`shotscale ${command}: ${message}\n`);
    return code;
  };
  const limit = args.limit === undefined ? null : Number(args.limit);
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) return fail(2, '--limit must be a positive integer');
  const named = args.taxonomy === undefined ? undefined : findTaxonomy(args.taxonomy);
  if (args.taxonomy !== undefined && !named) return fail(2, `unknown taxonomy "${args.taxonomy}" (known: ${TAXONOMIES.map((t) => t.name).join(', ')})`);
  try {
    return readLabelledImages(args.labels, args.images, named, limit);
  } catch (error) {
    if (!(error instanceof EvalInputError)) throw error;
    return fail(1, error.message);
  }
}

/** One frame per image (the first), at the model's input size. */
export function imageSource(classifier: OfflineClassifier): ImageSource<DecodedFrame> {
  return {
    decode: async (file) => {
      // A missing file reads better as such than as ffmpeg's exit status.
      if (!existsSync(file)) throw new Error(`${file}: no such file`);
      let first: DecodedFrame | undefined;
      await classifier.decode(file, 1, (frame) => (first ??= frame));
      return first!;
    },
    predict: (frames) => classifier.predict(frames),
  };
}

export function progressReporter(progress: ProgressLine): EvalProgress {
  return {
    batchStarted: (file) => progress.update(file),
    imageDone: () => progress.tick(),
    unreadable: (file, error) => progress.note(`unreadable, skipped: ${file}: ${error}`),
  };
}
