/**
 * The JSON manifest beside every model file: what the model expects, what it
 * outputs, and how its labels map onto the 8 canonical classes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeIssue, formatKeyPath } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';

const canonicalWeights = z
  .partialRecord(z.enum(CANONICAL_SCALES), z.number().min(0))
  .refine((weights) => Object.values(weights).some((w) => w > 0), 'at least one positive weight')
  .describe('How one label spreads over canonical classes (normalised to sum 1)');

const sourceInfo = z.strictObject({
  package: z.string().optional(),
  version: z.string().optional(),
  url: z.string().optional(),
  notes: z.string().optional(),
});

export const classifierManifestSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    name: z.string().min(1),
    kind: z.literal('onnx-classifier'),
    description: z.string().default(''),
    file: z.string().min(1).describe('ONNX file, relative to the manifest'),
    license: z.string().default('unknown'),
    source: sourceInfo.optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    input: z.strictObject({
      name: z.string().min(1),
      layout: z.enum(['NCHW', 'NHWC']),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      dtype: z.enum(['float32', 'uint8']).default('float32'),
      colorOrder: z.enum(['RGB', 'BGR']).default('RGB'),
      resize: z.enum(['stretch', 'letterbox']).default('stretch'),
      scale: z.number().default(1 / 255).describe('Pixel byte * scale, then (x - mean) / std'),
      mean: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]),
      std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).default([1, 1, 1]),
    }),
    output: z.strictObject({
      name: z.string().min(1),
      activation: z.enum(['softmax', 'sigmoid', 'none']).default('softmax').describe('Applied to the raw output; none = already probabilities'),
    }),
    labels: z.array(z.string().min(1)).min(2),
    canonicalMapping: z.record(z.string(), canonicalWeights),
  })
  .superRefine((m, ctx) => {
    for (const label of m.labels) {
      if (!m.canonicalMapping[label]) ctx.addIssue({ code: 'custom', path: ['canonicalMapping'], message: `label "${label}" has no mapping` });
    }
    for (const key of Object.keys(m.canonicalMapping)) {
      if (!m.labels.includes(key)) ctx.addIssue({ code: 'custom', path: ['canonicalMapping', key], message: `"${key}" is not one of labels` });
    }
  });

export type ClassifierManifest = z.infer<typeof classifierManifestSchema>;

/** Reads and validates a manifest; resolves `file` against its directory. */
export function readManifest(manifestPath: string): { manifest: ClassifierManifest; modelPath: string } {
  if (!existsSync(manifestPath)) {
    throw new ShotscaleError('MODEL_MANIFEST_NOT_FOUND', `model manifest not found: ${manifestPath}`, {
      hint: 'set model.manifest in the config to a *.manifest.json beside an .onnx file',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `${manifestPath}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = classifierManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${manifestPath}: ${formatKeyPath(issue.path)}: ${describeIssue(issue)}`);
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `invalid model manifest\n${lines.join('\n')}`);
  }
  const modelPath = path.resolve(path.dirname(manifestPath), parsed.data.file);
  if (!existsSync(modelPath)) {
    throw new ShotscaleError('MODEL_FILE_NOT_FOUND', `model file not found: ${modelPath} (named by ${manifestPath})`, {
      hint: 'npm run models regenerates the shipped models',
    });
  }
  if (parsed.data.sha256) {
    const actual = createHash('sha256').update(readFileSync(modelPath)).digest('hex');
    if (actual !== parsed.data.sha256) {
      throw new ShotscaleError('MODEL_MISMATCH', `${modelPath}: sha256 is ${actual}, ${manifestPath} expects ${parsed.data.sha256}`, {
        hint: 'the model file was replaced or damaged; regenerate it or update the manifest',
      });
    }
  }
  return { manifest: parsed.data, modelPath };
}

/** A labels-by-canonical matrix: canonical[c] = sum_l p[l] * W[l][c], each row normalised. */
export function canonicalMatrix(labels: readonly string[], mapping: Record<string, Partial<Record<CanonicalScale, number>>>): Float64Array[] {
  return labels.map((label) => {
    const row = new Float64Array(CANONICAL_SCALES.length);
    const weights = mapping[label] ?? {};
    let sum = 0;
    CANONICAL_SCALES.forEach((scale, c) => {
      row[c] = weights[scale] ?? 0;
      sum += row[c]!;
    });
    for (let c = 0; c < row.length; c++) row[c]! /= sum;
    return row;
  });
}
