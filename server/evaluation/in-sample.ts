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
  /** true: the head was fitted on these frames (all or some); false: on other sets only; null: cannot be told. */
  inSample: boolean | null;
  /** The head's set that holds them, as its provenance names it. */
  set?: string;
  /** How it was found: the same labels file, shared frames, or a set of the same name. */
  by?: 'labels-file' | 'frames' | 'name';
  /** With `by: 'frames'`: how many of the frames scored the head was fitted on. */
  frames?: number;
  /** How many frames of that set the head was fitted on (0 where it does not record it). */
  setCount?: number;
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

/** The images a recorded labels file lists (relative to its folder), or null where it cannot be read. */
function recordedFrames(labelsFile: string): Set<string> | null {
  try {
    const rows = parseLabels(readFileSync(labelsFile, 'utf8'), labelsFile);
    const keys = rows.map((r) => frameKey(path.resolve(path.dirname(labelsFile), r.file))).filter((k): k is string => k !== null);
    return new Set(keys);
  } catch {
    return null;
  }
}

function found(set: HeadSetProvenance, by: NonNullable<InSample['by']>, headSets: string[], frames?: number): InSample {
  return {
    inSample: true,
    set: set.name,
    by,
    ...(frames === undefined ? {} : { frames }),
    setCount: set.count,
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
    if (given && realpath(file) === given) return found(set, 'labels-file', headSets);
    const fitted = scored.images.length ? recordedFrames(file) : null;
    if (!fitted) {
      unresolved.push(set);
      continue;
    }
    scoredKeys ??= scored.images.map(frameKey).filter((k): k is string => k !== null);
    const shared = scoredKeys.filter((k) => fitted.has(k)).length;
    if (shared) return found(set, 'frames', headSets, shared);
  }
  // Its frames not found here to compare: a set of the same name is taken to be this one (an in-sample figure is never passed off as fresh).
  const named = unresolved.find((s) => s.name === scored.name);
  if (named) return found(named, 'name', headSets);
  return { inSample: sets.length ? false : null, headSets };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** What the head was fitted on, and how that is known: the words after "was fitted on". */
export function fittedOnWords(r: InSample, count: number): string {
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
