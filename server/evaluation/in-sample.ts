/**
 * Whether a calibration head was fitted on a labelled set: a figure of a head
 * on frames it was fitted on is in-sample, and must say so (the shipped head
 * scores 82% exact on HOHA, which it was fitted on, and 77% on HOHA fitted on
 * the other sets only). The head's provenance records each set it was fitted
 * on by name, labels file (as given to `shotscale calibrate`, relative to
 * where it ran) and taxonomy; no hash of the file. So a set is matched, in
 * this order, by:
 *   1. its labels file: the same file as one the provenance names;
 *   2. its frames: images (same file name, same size) listed by a labels
 *      file the provenance names, found from here;
 *   3. its name: a set of this name whose labels file is not found from here.
 * A set matched by none of them, against a head that lists its sets, was not
 * fitted on; a head that lists none cannot tell.
 *
 * A head fitted on only some of a file's images (`calibrate --limit 40` of
 * HOHA's 555) records how many, not which: a 30-frame eval of that file shared
 * 10 frames with the fit and was called in-sample whole. So how many of the
 * scored frames it was fitted on is counted: exact where the file's images
 * leave no doubt (a full eval of the file holds all 40), else the least and
 * most it can be, and "cannot be told" where it may be none; its base
 * knowledge, where it is beside it, then says which (in-sample-frames.ts).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FramingHead, HeadSetProvenance } from '../calibration/framing-head.js';
import { parseLabels } from './labels-file.js';

/** A labelled set a head's figures are read on. */
export interface ScoredSet {
  /** As calibrate names a set: its labels file's folder (evalset/hoha/labels.csv is "hoha"), else the file's name. */
  name: string;
  /** Its labels file as given; null where there is none (frames read back from --samples). */
  labels: string | null;
  /** The images scored (absolute paths); empty where unknown. */
  images: readonly string[];
}

export interface InSample {
  /** true: the head was fitted on these frames (all or some: `fitted`); false: on other sets only; null: cannot be told. */
  inSample: boolean | null;
  /** The head's set that holds them, as its provenance names it. */
  set?: string;
  /** How it was found: the same labels file, shared frames, or a set of the same name. */
  by?: 'labels-file' | 'frames' | 'name';
  /** With `by: 'frames'`: how many of the frames scored the head was fitted on. */
  frames?: number;
  /** How many frames of that set the head was fitted on (0 where it does not record it). */
  setCount?: number;
  /**
   * Where the head was fitted on only some of the images its set's labels
   * file lists: how many of the frames scored it was fitted on, `least` to
   * `most` (equal where exact), of the `of` scored. Absent: all of them.
   */
  fitted?: { least: number; most: number; of: number };
  /** With `fitted`: the images of its set's labels file it was fitted on, of those the file lists (which ones, it does not record). */
  fileImages?: { fitted: number; of: number };
  /** Where `fitted` was counted, not bounded: the frames scored found in the head's base knowledge (in-sample-frames.ts). */
  countedIn?: 'base-knowledge';
  /** The head's figures for that set, as its provenance records them (fitted without its frames). */
  leaveOneSetOut?: { exact: number; withinOne: number };
  crossValidated?: { exact: number; withinOne: number };
  /** The sets the head records (none: it records no sets). */
  headSets: string[];
}

/** The set name calibrate gives a labels file (calibrate-command.ts setName, without its de-duplication). */
export function setNameOf(labelsFile: string): string {
  const base = path.basename(labelsFile, path.extname(labelsFile));
  return base === 'labels' ? path.basename(path.dirname(path.resolve(labelsFile))) : base;
}

const realpath = (file: string): string | null => {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
};

/** A frame's identity across links and copies: file name and size (a copied or linked HOHA frame is still a HOHA frame). */
export function frameKey(file: string): string | null {
  try {
    const stats = statSync(file);
    return stats.isFile() ? `${path.basename(file)}:${stats.size}` : null;
  } catch {
    return null;
  }
}

/**
 * Where a provenance labels path may be: it was given relative to where
 * calibrate ran (the repo, for the shipped head: ../shared/evalset/...), so
 * from here, beside the head (or its base knowledge), and the folder above
 * it (the repo, for models/NAME.head.json). The first that is a file, or null.
 */
export function findRecordedLabels(labels: string, headFile: string): string | null {
  const headDir = path.dirname(path.resolve(headFile));
  const candidates = path.isAbsolute(labels) ? [labels] : [process.cwd(), headDir, path.dirname(headDir)].map((dir) => path.resolve(dir, labels));
  for (const file of candidates) {
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not there: the next place
    }
  }
  return null;
}

/** A recorded labels file's images (relative to its folder): the keys of those found here, and how many it lists; null where it cannot be read. */
function recordedFrames(labelsFile: string): { keys: Set<string>; images: number } | null {
  try {
    const rows = parseLabels(readFileSync(labelsFile, 'utf8'), labelsFile);
    // One image listed twice is one frame (calibrate fits it once).
    const images = [...new Set(rows.map((r) => path.resolve(path.dirname(labelsFile), r.file)))];
    return { keys: new Set(images.map(frameKey).filter((k): k is string => k !== null)), images: images.length };
  } catch {
    return null;
  }
}

/**
 * How many of `among` scored frames, all images of a labels file that lists
 * `images`, a head fitted on `count` of them was fitted on: all where it
 * was fitted on all (or does not record how many: 0); else at least those
 * of its `count` the unscored images cannot hold, at most `count`.
 */
export function fittedAmong(count: number, images: number, among: number): { least: number; most: number } {
  if (count === 0 || count >= images) return { least: among, most: among };
  return { least: Math.max(0, count - (images - among)), most: Math.min(count, among) };
}

/** Where the frames scored are images of the set's labels file: that file's images, how many of those scored are among them, and of how many scored. */
interface FileShare {
  file: { images: number } | null;
  among: number;
  of: number;
}

function found(set: HeadSetProvenance, by: NonNullable<InSample['by']>, headSets: string[], frames?: number, share?: FileShare): InSample {
  // Fitted on fewer images than the file lists: how many of those scored, as far as it can be told.
  const images = share?.file && set.count > 0 && set.count < share.file.images ? share.file.images : null;
  const bounds = images !== null && share!.among > 0 ? fittedAmong(set.count, images, share!.among) : null;
  return {
    inSample: images !== null && !bounds?.least ? null : true,
    set: set.name,
    by,
    ...(frames === undefined ? {} : { frames }),
    setCount: set.count,
    ...(images !== null ? { fileImages: { fitted: set.count, of: images } } : {}),
    ...(bounds ? { fitted: { ...bounds, of: share!.of } } : {}),
    ...(set.leaveOneSetOut ? { leaveOneSetOut: set.leaveOneSetOut } : {}),
    ...(set.crossValidated ? { crossValidated: set.crossValidated } : {}),
    headSets,
  };
}

/** Whether `head` (read from `headFile`) was fitted on `scored`, by its provenance. */
export function headFittedOn(head: Pick<FramingHead, 'provenance'>, headFile: string, scored: ScoredSet): InSample {
  const sets: HeadSetProvenance[] = head.provenance.sets ?? [];
  const headSets = sets.map((s) => s.name);
  // A head that lists no sets (older heads) records only their labels files, joined with ", ".
  const recorded = sets.length ? sets : head.provenance.labels.split(', ').filter(Boolean).map((labels) => ({ name: setNameOf(labels), labels, taxonomy: '', count: 0 }));
  const given = scored.labels === null ? null : realpath(scored.labels);
  let scoredKeys: string[] | null = null;
  const unresolved: HeadSetProvenance[] = [];
  for (const set of recorded) {
    const file = findRecordedLabels(set.labels, headFile);
    if (!file) {
      unresolved.push(set);
      continue;
    }
    if (given && realpath(file) === given) return found(set, 'labels-file', headSets, undefined, { file: recordedFrames(file), among: scored.images.length, of: scored.images.length });
    const listed = scored.images.length ? recordedFrames(file) : null;
    if (!listed) {
      unresolved.push(set);
      continue;
    }
    scoredKeys ??= scored.images.map(frameKey).filter((k): k is string => k !== null);
    const shared = scoredKeys.filter((k) => listed.keys.has(k)).length;
    if (shared) return found(set, 'frames', headSets, shared, { file: listed, among: shared, of: scored.images.length });
  }
  // Its frames not found here to compare: a set of the same name is taken to be this one (an in-sample figure is never passed off as fresh).
  const named = unresolved.find((s) => s.name === scored.name);
  if (named) return found(named, 'name', headSets);
  return { inSample: sets.length ? false : null, headSets };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Of the labels file of the head's set (with `fileImages`): "of whose 555 images it was fitted on 40". */
const fittedThere = (r: InSample) => `of whose ${r.fileImages!.of} images it was fitted on ${r.fileImages!.fitted}`;

/** Of `count` frames scored: "in-sample" (the head was fitted on every one), "partly in-sample" (on some), or null (on none, or it cannot be told). */
export function inSampleTag(r: InSample, count: number): 'in-sample' | 'partly in-sample' | null {
  if (!r.inSample) return null;
  const least = r.fitted ? r.fitted.least : r.by === 'frames' ? (r.frames ?? count) : count;
  return least < count ? 'partly in-sample' : 'in-sample';
}

/** Where the head was fitted on some images of the labels file of the frames scored, and which may be none of them: why it cannot be told; null otherwise. */
export function untoldWords(r: InSample, count: number): string | null {
  if (r.inSample !== null || !r.fileImages) return null;
  const these = r.by === 'frames' ? `${r.frames} of the ${count} frames scored are listed by` : `the frames scored are of`;
  const most = r.fitted?.most ?? Math.min(r.fileImages.fitted, r.by === 'frames' ? (r.frames ?? count) : count);
  return `${these} the labels file of its set ${r.set}, ${fittedThere(r)} without recording which: from none to ${most} of the ${count} frames scored were fitted on`;
}

/** What the head was fitted on, and how that is known: the words after "was fitted on". */
export function fittedOnWords(r: InSample, count: number): string {
  if (r.fitted) {
    const { least, most } = r.fitted;
    const where = r.by === 'frames' ? `${r.frames} of them are listed by the labels file of its set ${r.set}` : `the same labels file as its set ${r.set}`;
    const how = least === most ? `${least === 0 ? 'none' : least}` : `${least} to ${most}`;
    const which = r.countedIn ? '; found by their features in its base knowledge' : least === most ? '' : ', which ones it does not record';
    return `${how} of the ${count} frames scored (${where}, ${fittedThere(r)}${which})`;
  }
  if (r.by === 'frames') return r.frames === count ? `these frames (${count === 1 ? 'the one frame is' : `all ${count} are`} in its set ${r.set})` : `some of these frames (${r.frames} of the ${count} are in its set ${r.set})`;
  if (r.by === 'name') return `a set of this name, ${r.set} (their frames could not be compared from here)`;
  return `these frames (the same labels file as its set ${r.set})`;
}

/** The head's own figure for the set, from its provenance: leave-one-set-out where recorded, else cross-validated; null where neither is. */
export function honestFigure(r: InSample): string | null {
  const on = r.setCount ? ` on the ${r.setCount} frames of ${r.set}` : '';
  if (r.leaveOneSetOut) return `leave-one-set-out figure is ${pct(r.leaveOneSetOut.exact)} exact, ${pct(r.leaveOneSetOut.withinOne)} within one${on}`;
  if (r.crossValidated) return `cross-validated figure is ${pct(r.crossValidated.exact)} exact, ${pct(r.crossValidated.withinOne)} within one${on}`;
  return null;
}
