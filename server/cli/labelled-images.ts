/**
 * A labelled folder of images, as `eval` and `calibrate` read it: the labels
 * CSV, the taxonomy its labels belong to, and an image source that decodes
 * each file through ffmpeg exactly as a camera frame would be.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, ShotscaleError } from '../errors.js';
import { EvalInputError } from '../evaluation/eval-error.js';
import { readLabelsTable, type LabelsTable } from '../evaluation/labels-file.js';
import type { EvalItem, EvalProgress, ImageSource } from '../evaluation/run-evaluation.js';
import { classIndexOf, findTaxonomy, normaliseLabel, TAXONOMIES, type Taxonomy } from '../evaluation/taxonomies.js';
import { checkLabels, inferTaxonomy, type LabelLocator } from '../evaluation/taxonomy-inference.js';
import type { DecodedFrame } from '../ingest/file-decoder.js';
import { UsageError, wholeNumberOption } from './command-options.js';
import type { OfflineClassifier } from './offline-classifier.js';
import type { ProgressLine } from './progress-line.js';

export interface LabelledImages {
  taxonomy: Taxonomy;
  /** Which taxonomy, and why (also printed on stderr when inferred). */
  reason: string;
  items: EvalItem[];
  /** The labels file and each item's line in it (by path), for the note on an image that cannot be read. */
  labels: string;
  lineOf: ReadonlyMap<string, number>;
  /** Where --limit left rows out: the limit, the file's rows and the classes they name (null: every row read). */
  limited: LimitedRows | null;
}

/** What --limit kept of a labels file: `limit` of its `rows` rows, which name `classes` classes of the taxonomy. */
export interface LimitedRows {
  limit: number;
  rows: number;
  classes: number;
}

const unreadable = (message: string, hint?: string) => new ShotscaleError('INPUT_UNREADABLE', message, hint === undefined ? undefined : { hint });

/**
 * The labels file's text. Only a regular file: a folder reads as EISDIR, and
 * a pipe without a writer would wait for ever (the images are found beside
 * the file, so a pipe has no place for them anyway).
 */
function readLabelsText(file: string, missingHint: string): string {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw unreadable(`no labels file at ${file}`, taxonomySuffixHint(file) ?? missingHint);
    throw unreadable(`cannot read the labels file ${file}: ${errorMessage(error)}`);
  }
  if (stats.isDirectory()) {
    const inside = path.join(file, 'labels.csv');
    throw unreadable(`${file}: a folder, not a labels file`, existsSync(inside) ? `name the CSV inside it: --labels ${inside}` : 'name the labels CSV (columns file and label) with --labels');
  }
  if (!stats.isFile()) throw unreadable(`${file}: not a labels file (a pipe or device)`, 'write the labels to a file first; the images are found beside it');
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(`cannot read the labels file ${file}: ${errorMessage(error)}`, 'check its permissions');
  }
}

/** FILE=TAXONOMY, as calibrate takes a labels file, where a command takes one file and --taxonomy: say so rather than that FILE=TAXONOMY is missing. */
function taxonomySuffixHint(file: string): string | undefined {
  const at = file.lastIndexOf('=');
  const taxonomy = at > 0 ? findTaxonomy(file.slice(at + 1)) : undefined;
  if (!taxonomy) return undefined;
  return `name the taxonomy with --taxonomy: --labels ${file.slice(0, at)} --taxonomy ${taxonomy.name} (FILE=TAXONOMY is calibrate's way, for several labels files)`;
}

/**
 * --limit N: N rows spread evenly over the file (the first, then every
 * (rows/N)th), in file order. The first N rows were taken: the shipped
 * evalset files are sorted by class, so `calibrate --limit 60` read 60 frames
 * of one class and was refused. Spread, the rows keep the file's mix of
 * classes (an eval's figures stay those of the whole file, in small); in a
 * file sorted by class, every class with at least rows/N rows is in.
 */
export function spreadRows<T>(rows: readonly T[], limit: number | null): T[] {
  if (limit === null || rows.length <= limit) return [...rows];
  return Array.from({ length: limit }, (_, i) => rows[Math.floor((i * rows.length) / limit)]!);
}

/**
 * The taxonomy named with --taxonomy (labels checked against it), else the
 * inferred one. An error names the line where each label it is about is
 * first used, and starts with the first of them.
 */
function chooseTaxonomy(named: Taxonomy | undefined, file: string, table: LabelsTable): { taxonomy: Taxonomy; reason: string } {
  const firstLine = new Map<string, number>();
  for (const row of table.rows) if (!firstLine.has(normaliseLabel(row.label))) firstLine.set(normaliseLabel(row.label), row.line);
  const cited: number[] = [];
  const where: LabelLocator = (label) => {
    const line = firstLine.get(normaliseLabel(label));
    if (line === undefined) return undefined;
    cited.push(line);
    return `line ${line}`;
  };
  const labels = table.rows.map((r) => r.label);
  try {
    if (named) {
      checkLabels(named, labels, TAXONOMIES, where);
      return { taxonomy: named, reason: 'chosen with --taxonomy' };
    }
    const choice = inferTaxonomy(labels, TAXONOMIES, where);
    process.stderr.write(choice.reason + '\n');
    return { taxonomy: choice.taxonomy, reason: choice.reason };
  } catch (error) {
    if (!(error instanceof EvalInputError)) throw error;
    if (!cited.length) throw new EvalInputError(`${file}: ${error.message}`, error.hint);
    const line = Math.min(...cited);
    // One label: its line leads the message, so "(line N)" after it says nothing more.
    const message = new Set(cited).size === 1 ? error.message.replace(` (line ${line})`, '') : error.message;
    throw new EvalInputError(`${file}:${line}, column ${table.labelColumn} ("label"): ${message}`, error.hint);
  }
}

/** --images, when given, must be a folder: a typo there would make every image "unreadable" after the model loads. */
function checkImagesDir(dir: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    throw unreadable(`--images ${dir}: no such folder`, 'name the folder the labels file\'s paths are relative to (without --images: the labels file\'s own folder)');
  }
  if (!isFolder) throw unreadable(`--images ${dir}: not a folder`, 'name the folder the labels file\'s paths are relative to (without --images: the labels file\'s own folder)');
}

/** Lines as words: "line 4", "lines 2, 3". */
const linesText = (lines: readonly number[]) => `line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}`;

/**
 * One frame counts once and carries one label. Rows that name the same image
 * (the same path once resolved: img/a.jpg and ./img/a.jpg are one) with the
 * same class are kept once, the first, and said on stderr: listed three times
 * it would count three times in a score, and in a fit sit on both sides of a
 * cross-validation fold. Rows that give one image different classes are
 * refused, naming the lines: whichever was kept, the score or the fit would
 * rest on a label the file itself contradicts, and only its author knows
 * which is right (the last row may be a correction, or a slip).
 * Returns the index of each row kept, in file order, and the warnings.
 */
export function oneRowPerImage(labelsFile: string, table: LabelsTable, paths: readonly string[], classOf: (label: string) => number, className: (index: number) => string): { kept: number[]; warnings: string[] } {
  const byPath = new Map<string, number[]>();
  paths.forEach((p, i) => byPath.set(p, [...(byPath.get(p) ?? []), i]));
  const kept: number[] = [];
  const repeated: string[] = [];
  const conflicting: { line: number; text: string }[] = [];
  for (const indices of byPath.values()) {
    kept.push(indices[0]!);
    if (indices.length === 1) continue;
    const rows = indices.map((i) => table.rows[i]!);
    const lines = rows.map((r) => r.line);
    // Each class with the lines that give it, in the order first given.
    const perClass = new Map<number, number[]>();
    for (const r of rows) perClass.set(classOf(r.label), [...(perClass.get(classOf(r.label)) ?? []), r.line]);
    if (perClass.size === 1) {
      const times = rows.length === 2 ? 'twice' : `${rows.length} times`;
      repeated.push(`${labelsFile}:${lines[1]}: ${rows[0]!.file} is listed ${times} (${linesText(lines)}, ${rows.length === 2 ? 'both' : 'all'} ${className(classOf(rows[0]!.label))}): counted once, as line ${lines[0]}`);
      continue;
    }
    const given = [...perClass].map(([c, at]) => `${className(c)} on ${linesText(at)}`);
    conflicting.push({ line: [...perClass.values()][1]![0]!, text: `${rows[0]!.file} is labelled ${given.slice(0, -1).join(', ')} and ${given.at(-1)!}` });
  }
  if (conflicting.length) {
    const [first, ...more] = conflicting;
    const also = more.length ? `; also ${more.slice(0, 5).map((c) => c.text).join('; ')}${more.length > 5 ? `; and ${more.length - 5} more images` : ''}` : '';
    throw new EvalInputError(
      `${labelsFile}:${first!.line}, column ${table.labelColumn} ("label"): ${first!.text}${also}: one frame carries one label`,
      'keep one row per image, with the label it should have, and delete the others',
    );
  }
  // A long list of repeats is one mistake (a file pasted twice): its first lines say which.
  const warnings = repeated.slice(0, 10).map((w) => `warning: ${w}`);
  if (repeated.length > 10) warnings.push(`warning: ${labelsFile}: and ${repeated.length - 10} more images listed more than once, each counted once`);
  // In file order: an image's rows are grouped in the order of its first.
  return { kept, warnings };
}

/** Reads the labels; --images defaults to the labels file's folder, and file paths are relative to it. */
function readLabelledImages(labelsFile: string, imagesDir: string | undefined, named: Taxonomy | undefined, limit: number | null, missingHint: string): LabelledImages {
  if (imagesDir !== undefined) checkImagesDir(imagesDir);
  const dir = path.resolve(imagesDir ?? path.dirname(labelsFile));
  const whole = readLabelsTable(readLabelsText(labelsFile, missingHint), labelsFile);
  // The file is of one taxonomy, read from all its labels: from the rows --limit keeps, `--limit 3` of HOHA inferred cinemanet, `--limit 5` six.
  const { taxonomy, reason } = chooseTaxonomy(named, labelsFile, whole);
  const table = { ...whole, rows: spreadRows(whole.rows, limit) };
  // The classes of the whole file (those the taxonomy knows), so that a refusal can tell whether --limit left them out.
  const wholeClasses = new Set(whole.rows.map((r) => classIndexOf(taxonomy, r.label)).filter((c) => c !== undefined)).size;
  const limited = limit !== null && whole.rows.length > limit ? { limit, rows: whole.rows.length, classes: wholeClasses } : null;
  const classOf = (label: string) => classIndexOf(taxonomy, label)!;
  const { kept, warnings } = oneRowPerImage(labelsFile, table, table.rows.map((r) => path.resolve(dir, r.file)), classOf, (c) => taxonomy.classes[c]!.name);
  for (const warning of warnings) process.stderr.write(warning + '\n');
  const rows = kept.map((i) => table.rows[i]!);
  const items = rows.map((r) => ({ file: r.file, path: path.resolve(dir, r.file), truth: classOf(r.label) }));
  // Some missing images are skipped and reported; all of them missing is a wrong folder, said before the model loads.
  if (!items.some((item) => existsSync(item.path))) {
    const first = rows[0]!;
    throw unreadable(
      `none of the ${items.length} images listed in ${labelsFile} exists (line ${first.line}: ${first.file} is not at ${items[0]!.path})`,
      `the labels file's paths are relative to ${imagesDir === undefined ? `its own folder (${dir}); name another with --images DIR` : `--images ${dir}`}`,
    );
  }
  return { taxonomy, reason, items, labels: labelsFile, lineOf: new Map(rows.map((r, i) => [items[i]!.path, r.line])), limited };
}

export interface LabelledArgs {
  labels: string;
  images?: string | undefined;
  taxonomy?: string | undefined;
  limit?: string | undefined;
}

/** A taxonomy by name, or a UsageError naming the option and listing the known ones. */
export function taxonomyOption(option: string, name: string): Taxonomy {
  const taxonomy = findTaxonomy(name);
  if (!taxonomy) throw new UsageError(`${option}: unknown taxonomy ${JSON.stringify(name)} (known: ${TAXONOMIES.map((t) => t.name).join(', ')})`, option === '--taxonomy' ? 'leave --taxonomy out to have it inferred from the labels' : 'write --labels FILE=TAXONOMY with one of those, or --labels FILE to have it inferred');
  return taxonomy;
}

/**
 * --labels, --images, --taxonomy and --limit, as eval, calibrate and samples
 * import take them. A bad option is a UsageError (exit 2); a labels file
 * that cannot be used, or a listed image folder that is not there,
 * INPUT_UNREADABLE (exit 1), saying where (FILE:LINE) and what to do.
 */
export function labelledImagesFromArgs(args: LabelledArgs, missingHint = 'name a CSV with columns file and label with --labels'): LabelledImages {
  const limit = args.limit === undefined ? null : wholeNumberOption('limit', args.limit, 1);
  const named = args.taxonomy === undefined ? undefined : taxonomyOption('--taxonomy', args.taxonomy);
  try {
    return readLabelledImages(args.labels, args.images, named, limit, missingHint);
  } catch (error) {
    if (!(error instanceof EvalInputError)) throw error;
    throw unreadable(error.message, error.hint);
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

/**
 * An image that cannot be read, as "file: why", the file as listed and named
 * once: the decoder's error (and ffmpeg's line in it) names the path it was
 * found at again.
 */
export function unreadableText(labelled: LabelledImages | undefined, file: string, error: string): string {
  const full = labelled?.items.find((item) => item.file === file)?.path ?? file;
  return `${file}: ${error.split(`${full}: `).join('')}`;
}

/**
 * Progress on stderr; an image that cannot be read is noted with its line in
 * the labels file. A batch's line counts the images before it done: batches
 * are pipelined (one decodes while the one before is predicted), so a line
 * drawn as a batch starts said "0/12 images" at the second batch too, and
 * away from a terminal, where lines are not redrawn, the count stayed at 0.
 * The line waits for the batches before it; one still waiting when the next
 * batch starts is shown then, with the count so far.
 */
export function progressReporter(progress: Pick<ProgressLine, 'update' | 'tick' | 'note'>, labelled?: LabelledImages): EvalProgress {
  const pathOf = new Map(labelled?.items.map((item) => [item.file, item.path]));
  const where = (file: string) => {
    const line = labelled?.lineOf.get(pathOf.get(file) ?? '');
    return line === undefined ? '' : `${labelled!.labels}:${line}: `;
  };
  // Images listed before each file (its first row): what must be done before its batch's line.
  const before = new Map<string, number>();
  labelled?.items.forEach((item, i) => before.has(item.file) || before.set(item.file, i));
  let done = 0;
  let waiting: { file: string; after: number } | null = null;
  const show = () => {
    if (waiting) progress.update(waiting.file);
    waiting = null;
  };
  return {
    batchStarted: (file) => {
      show();
      waiting = { file, after: before.get(file) ?? 0 };
      if (done >= waiting.after) show();
    },
    imageDone: () => {
      progress.tick();
      done += 1;
      if (waiting && done >= waiting.after) show();
    },
    unreadable: (file, error) => progress.note(`unreadable, skipped: ${where(file)}${unreadableText(labelled, file, error)}`),
  };
}
