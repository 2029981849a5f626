/**
 * Base knowledge: the analysed frames a head was fitted on (features, the
 * rules' probabilities and the label, never the images), shipped beside the
 * head as gzipped JSON. A production that teaches the classifier its own
 * convention fits on its 50 labels together with these thousands, so its
 * labels move the boundaries it cares about instead of replacing everything
 * the shipped head knew. Rows are stored per set, each in its own taxonomy,
 * with the features by name, so a model that gains features still reads it.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { ShotscaleError } from '../errors.js';
import { findTaxonomy } from '../evaluation/taxonomies.js';
import { pickIndices } from './framing-head.js';
import type { LabelledSet } from './multi-set-calibration.js';

export interface BaseKnowledgeFile {
  schemaVersion: 1;
  kind: 'framing-base-knowledge';
  /** The model whose features these are. */
  model: string;
  featureNames: string[];
  sets: { name: string; labels: string; taxonomy: string; rows: { label: number; features: number[]; rules: number[] }[] }[];
}

const fileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  kind: z.literal('framing-base-knowledge'),
  model: z.string(),
  featureNames: z.array(z.string()).min(1),
  sets: z.array(
    z.strictObject({
      name: z.string().min(1),
      labels: z.string(),
      taxonomy: z.string(),
      rows: z.array(z.strictObject({ label: z.number().int().min(0), features: z.array(z.number()), rules: z.array(z.number()).length(8) })),
    }),
  ),
});

/** Where a head's base knowledge lives: beside it, `name.head.json` -> `name.base.json.gz`. */
export function baseKnowledgePath(headFile: string): string {
  const dir = path.dirname(headFile);
  const stem = path.basename(headFile).replace(/(\.head)?\.json$/i, '');
  return path.join(dir, `${stem}.base.json.gz`);
}

// Five significant digits: the head standardises every feature, and the file stays a few MB.
const compact = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(5)) : 0);

/** The file's bytes (gzipped JSON), for a writer that writes it together with its head. */
export function encodeBaseKnowledge(model: string, featureNames: readonly string[], sets: readonly LabelledSet[]): Buffer {
  const body: BaseKnowledgeFile = {
    schemaVersion: 1,
    kind: 'framing-base-knowledge',
    model,
    featureNames: [...featureNames],
    sets: sets.map((s) => ({
      name: s.name,
      labels: s.labels,
      taxonomy: s.taxonomy.name,
      rows: s.samples.map((x) => ({ label: x.label, features: Array.from(x.features, compact), rules: Array.from(x.rules, compact) })),
    })),
  };
  return gzipSync(JSON.stringify(body), { level: 9 });
}

/** Written beside `file` first, then renamed over it: a crash mid-write leaves no truncated file for every later fit to trip on. */
export function saveBaseKnowledge(file: string, model: string, featureNames: readonly string[], sets: readonly LabelledSet[]): void {
  const partial = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.partial`);
  try {
    writeFileSync(partial, encodeBaseKnowledge(model, featureNames, sets));
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * The base sets, with each row's features picked (by name) in the order of
 * `featureNames`: the features the head being fitted will see.
 */
export function loadBaseKnowledge(file: string, featureNames: readonly string[]): LabelledSet[] {
  let raw: unknown;
  try {
    raw = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
  } catch (error) {
    throw new ShotscaleError('CALIBRATION_BASE_INVALID', `base knowledge ${file}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ShotscaleError('CALIBRATION_BASE_INVALID', `base knowledge ${file}: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const base = parsed.data;
  const missing = featureNames.filter((n) => !base.featureNames.includes(n));
  if (missing.length) {
    throw new ShotscaleError('MODEL_MISMATCH', `base knowledge ${file} (${base.model}) lacks features this model has: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`, {
      hint: 'fit from scratch (--from-scratch), or recalibrate the base sets against this model',
    });
  }
  const pick = pickIndices(featureNames, base.featureNames);
  return base.sets.map((set) => {
    const taxonomy = findTaxonomy(set.taxonomy);
    if (!taxonomy) throw new ShotscaleError('CALIBRATION_BASE_INVALID', `base knowledge ${file}: set ${set.name} has an unknown taxonomy "${set.taxonomy}"`);
    const bad = set.rows.findIndex((r) => r.label >= taxonomy.classes.length || r.features.length !== base.featureNames.length);
    if (bad >= 0) throw new ShotscaleError('CALIBRATION_BASE_INVALID', `base knowledge ${file}: set ${set.name}, row ${bad}: label or feature count out of range`);
    return {
      name: set.name,
      labels: set.labels,
      taxonomy,
      samples: set.rows.map((r) => ({ features: Float32Array.from(pick, (i) => r.features[i]!), rules: r.rules, label: r.label })),
    };
  });
}
