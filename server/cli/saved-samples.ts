/**
 * The analysed frames `shotscale calibrate --save-samples` keeps and
 * `--samples` reads back, so that a refit with other options skips the
 * detectors; and which pictures they are (their images, where found).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { frameKey } from '../evaluation/in-sample.js';
import { errorMessage, ShotscaleError } from '../errors.js';
import { findTaxonomy } from '../evaluation/taxonomies.js';

/** Analysed frames, so that a refit with other options skips the detectors (--save-samples / --samples). */
export interface SavedSamples {
  model: string;
  featureNames: string[];
  sets: { name: string; labels: string; taxonomy: string; samples: SavedSample[] }[];
}

/**
 * One analysed frame. `path` (where its image was, absolute) and `size` (its
 * bytes) tell which picture it is, as `eval` tells it (file name and size):
 * whether the configured head, or the base knowledge, holds it already.
 * Files written before they were kept lack them.
 */
interface SavedSample {
  file: string;
  path?: string;
  size?: number;
  label: number;
  features: number[];
  rules: number[];
  mirrored?: { features: number[]; rules: number[] };
}

/** A --samples file as --save-samples wrote it, or INPUT_UNREADABLE saying what is wrong with it. */
export function readSavedSamples(file: string): SavedSamples {
  const bad = (why: string) => new ShotscaleError('INPUT_UNREADABLE', `--samples ${file}: ${why}`, { hint: 'name a file that calibrate --save-samples wrote' });
  let saved: Partial<SavedSamples>;
  // A pipe without a writer would wait for ever.
  if (existsSync(file) && !statSync(file).isFile() && !statSync(file).isDirectory()) throw bad('a pipe or device, not a file');
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedSamples>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw bad(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : error instanceof SyntaxError ? `not JSON (${error.message})` : errorMessage(error));
  }
  const setsOk = Array.isArray(saved?.sets) && saved.sets.every((s) => typeof s?.name === 'string' && findTaxonomy(s.taxonomy) && Array.isArray(s.samples));
  if (typeof saved?.model !== 'string' || !Array.isArray(saved.featureNames) || !setsOk) throw bad('not a file of analysed frames (model, featureNames and sets, each with a known taxonomy and its samples)');
  return saved as SavedSamples;
}

/** A given set's images: those found (absolute paths), each frame's key (file name and size; null where not known), and how many were not found. */
export interface SetFrames {
  images: string[];
  keys: (string | null)[];
  unknown: number;
}

/**
 * A --samples set's images: where --save-samples found each (or, in a file
 * that did not keep it, beside its labels file), if the picture there has
 * the size it had; the key from the size kept, even where the image is gone.
 */
export function savedFrames(set: SavedSamples['sets'][number]): SetFrames {
  const images: string[] = [];
  const keys = set.samples.map((x) => {
    const file = x.path ?? path.resolve(path.dirname(set.labels), x.file);
    const kept = typeof x.size === 'number' ? `${path.basename(file)}:${x.size}` : null;
    const now = frameKey(file);
    if (now !== null && (kept === null || now === kept)) images.push(file);
    return kept ?? now;
  });
  return { images, keys, unknown: set.samples.length - images.length };
}
