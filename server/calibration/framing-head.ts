/**
 * The calibration head of the default classifier: a small learned classifier
 * on the framing features (and the rules' own probabilities), trained on a
 * production's labelled frames in whatever taxonomy they were labelled in.
 *
 * The head predicts the training taxonomy's classes; each class is a group of
 * canonical classes (e.g. CinemaNet "Medium" = MCU + MS). Within a group the
 * rules decide the split, by definition (hips in frame or not), so a head
 * trained on 5 coarse classes still yields 8 canonical probabilities.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ShotscaleError } from '../errors.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';
import { predictProbabilities, type SoftmaxModel } from './softmax-regression.js';

export interface FramingHead {
  schemaVersion: 1;
  kind: 'framing-head';
  taxonomy: string;
  classes: string[];
  /** groups[i]: the canonical classes that class i stands for. */
  groups: CanonicalScale[][];
  featureNames: string[];
  model: SoftmaxModel;
  provenance: { labels: string; count: number; trainedAt: string; options: Record<string, unknown> };
  crossValidation?: unknown;
}

const layerSchema = z.strictObject({ weights: z.array(z.array(z.number())), bias: z.array(z.number()) });
const headSchema = z.strictObject({
  schemaVersion: z.literal(1),
  kind: z.literal('framing-head'),
  taxonomy: z.string(),
  classes: z.array(z.string()).min(2),
  groups: z.array(z.array(z.enum(CANONICAL_SCALES)).min(1)),
  featureNames: z.array(z.string()),
  model: z.strictObject({ mean: z.array(z.number()), std: z.array(z.number()), layers: z.array(layerSchema).min(1) }),
  provenance: z.strictObject({ labels: z.string(), count: z.number(), trainedAt: z.string(), options: z.record(z.string(), z.unknown()) }),
  crossValidation: z.unknown().optional(),
});

/** The head's input: the framing features, then the rules' 8 probabilities. */
export function headInput(features: ArrayLike<number>, rules: readonly number[]): number[] {
  return [...Array.from(features), ...rules];
}

export function headInputNames(featureNames: readonly string[]): string[] {
  return [...featureNames, ...CANONICAL_SCALES.map((s) => `rules_${s}`)];
}

/** Spreads class probabilities over canonical classes by the rules' split inside each group. */
export function toCanonical(classProbabilities: readonly number[], groups: readonly CanonicalScale[][], rules: readonly number[]): number[] {
  const out = new Array<number>(CANONICAL_SCALES.length).fill(0);
  groups.forEach((group, i) => {
    const indices = group.map((s) => CANONICAL_SCALES.indexOf(s));
    const ruleMass = indices.reduce((a, c) => a + rules[c]!, 0);
    for (const c of indices) out[c]! += classProbabilities[i]! * (ruleMass > 0 ? rules[c]! / ruleMass : 1 / indices.length);
  });
  return out;
}

export function applyHead(head: FramingHead, features: ArrayLike<number>, rules: readonly number[]): number[] {
  return toCanonical(predictProbabilities(head.model, headInput(features, rules)), head.groups, rules);
}

export function saveHead(head: FramingHead, file: string): void {
  writeFileSync(file, JSON.stringify(head) + '\n');
}

/** Loads and checks a head against the features the running model produces. */
export function loadHead(file: string, featureNames: readonly string[]): FramingHead {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file}: ${(error as Error).message}`);
  }
  const parsed = headSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const head = parsed.data as FramingHead;
  const expected = [...featureNames];
  if (head.featureNames.join(',') !== expected.join(',')) {
    const missing = expected.filter((n) => !head.featureNames.includes(n));
    const extra = head.featureNames.filter((n) => !expected.includes(n));
    throw new ShotscaleError('MODEL_MISMATCH', `calibration head ${file} was trained on other features (missing: ${missing.join(', ') || 'none'}; unknown: ${extra.join(', ') || 'none'}; or a different order)`, {
      hint: 'recalibrate with shotscale calibrate against this model',
    });
  }
  if (head.groups.length !== head.classes.length) throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file}: ${head.classes.length} classes but ${head.groups.length} groups`);
  return head;
}
