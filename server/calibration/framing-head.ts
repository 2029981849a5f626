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
import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { z } from 'zod';
import { ShotscaleError } from '../errors.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';
import { holdTest, type HeadHold, type HoldTest } from './head-hold.js';
import { predictWithOffset, rulesOffset } from './set-label-training.js';
import { predictProbabilities, type SoftmaxModel } from './softmax-regression.js';

export interface FramingHead {
  schemaVersion: 1;
  kind: 'framing-head';
  taxonomy: string;
  classes: string[];
  /** groups[i]: the canonical classes that class i stands for. */
  groups: CanonicalScale[][];
  featureNames: string[];
  /**
   * How the head's outputs become canonical probabilities. 'groups' (the
   * default): one output per class of `taxonomy`, split inside each class by
   * the rules. 'rules-residual': one logit per canonical class, added to the
   * log of the rules' probabilities (a correction of the rules).
   */
  output?: 'groups' | 'rules-residual';
  model: SoftmaxModel;
  /** Where the head leaves the rules' reading alone (head-hold.ts); absent: nowhere. */
  hold?: HeadHold;
  provenance: { labels: string; count: number; trainedAt: string; options: Record<string, unknown>; sets?: HeadSetProvenance[] };
  crossValidation?: unknown;
  /** Runtime only (not saved): where the head's features are in the model's feature vector. */
  pick?: number[];
}

/** A labelled set a head was fitted on, with what it scores there. */
export interface HeadSetProvenance {
  name: string;
  labels: string;
  taxonomy: string;
  count: number;
  /** Cross-validated within the set, the other sets in training (k-fold). */
  crossValidated?: { exact: number; withinOne: number };
  /** Fitted on the other sets only, scored on this one. */
  leaveOneSetOut?: { exact: number; withinOne: number };
}

const layerSchema = z.strictObject({ weights: z.array(z.array(z.number())), bias: z.array(z.number()) });
const headSchema = z.strictObject({
  schemaVersion: z.literal(1),
  kind: z.literal('framing-head'),
  taxonomy: z.string(),
  classes: z.array(z.string()).min(2),
  groups: z.array(z.array(z.enum(CANONICAL_SCALES)).min(1)),
  featureNames: z.array(z.string()),
  output: z.enum(['groups', 'rules-residual']).optional(),
  model: z.strictObject({ mean: z.array(z.number()), std: z.array(z.number()), layers: z.array(layerSchema).min(1) }),
  hold: z.strictObject({ ecuFaceHeight: z.number().positive(), ecuRoundEye: z.number().positive().optional() }).optional(),
  provenance: z.strictObject({
    labels: z.string(),
    count: z.number(),
    trainedAt: z.string(),
    options: z.record(z.string(), z.unknown()),
    sets: z
      .array(
        z.strictObject({
          name: z.string(),
          labels: z.string(),
          taxonomy: z.string(),
          count: z.number(),
          crossValidated: z.strictObject({ exact: z.number(), withinOne: z.number() }).optional(),
          leaveOneSetOut: z.strictObject({ exact: z.number(), withinOne: z.number() }).optional(),
        }),
      )
      .optional(),
  }),
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

/** Where each of `wanted` is in `available` (names known to be there). */
export function pickIndices(wanted: readonly string[], available: readonly string[]): number[] {
  const at = new Map(available.map((n, i) => [n, i]));
  return wanted.map((n) => at.get(n)!);
}

/** The head's own features, in its order, out of the model's feature vector. */
export function headFeatures(head: FramingHead, features: ArrayLike<number>): ArrayLike<number> {
  return head.pick ? head.pick.map((i) => features[i]!) : features;
}

const holdTests = new WeakMap<FramingHead, HoldTest | null>();

function headHolds(head: FramingHead, picked: ArrayLike<number>, rules: readonly number[]): boolean {
  if (!head.hold) return false;
  if (!holdTests.has(head)) holdTests.set(head, holdTest(head.hold, head.featureNames));
  return holdTests.get(head)?.(picked, rules) ?? false;
}

export function applyHead(head: FramingHead, features: ArrayLike<number>, rules: readonly number[]): number[] {
  const picked = headFeatures(head, features);
  if (headHolds(head, picked, rules)) return [...rules];
  if (head.output === 'rules-residual') return predictWithOffset(head.model, picked, rulesOffset(rules));
  return toCanonical(predictProbabilities(head.model, headInput(picked, rules)), head.groups, rules);
}

/** The head as saved: without what was resolved at load (`pick`). */
export function saveHeadObject(head: FramingHead): Omit<FramingHead, 'pick'> {
  const { pick: _pick, ...saved } = head;
  return saved;
}

export function saveHead(head: FramingHead, file: string): void {
  writeFileSync(file, JSON.stringify(saveHeadObject(head)) + '\n');
}

/**
 * Largest head file read. Heads are tens to hundreds of KB (the shipped one
 * is 62 KB, its provenance and cross-validation included); 16 MB leaves room
 * for heads fitted on many sets and still refuses a log file or a disk image
 * before it is read into memory on the server's only thread.
 */
export const MAX_HEAD_BYTES = 16 * 1024 * 1024;

/** A head file's problem in words: what is wrong with it, never what is in it. */
function headFileProblem(file: string, stats: Stats): ShotscaleError | null {
  if (!stats.isFile()) return new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file} is not a regular file`);
  if (stats.size > MAX_HEAD_BYTES) return new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file} is larger than ${MAX_HEAD_BYTES / 1024 / 1024} MB; a head is a JSON file of a few hundred KB at most`);
  return null;
}

/**
 * A head file's text, read only when it is a regular file of at most
 * MAX_HEAD_BYTES: a path may come from an API request, and a FIFO would
 * block the server for good, /dev/zero fill its memory. Checked before
 * opening (opening some devices has effects) and again on what was opened
 * (the path may have changed in between); opened non-blocking, so a FIFO
 * swapped in cannot hang the open itself.
 */
function readHeadText(file: string): string {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ShotscaleError('MODEL_FILE_NOT_FOUND', `calibration head not found: ${file}`);
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file} cannot be read (${code ?? 'error'})`);
  }
  const before = headFileProblem(file, stats);
  if (before) throw before;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const opened = fstatSync(fd);
    const problem = headFileProblem(file, opened);
    if (problem) throw problem;
    // At most the size seen: a file growing meanwhile is cut short (and fails as JSON), never read without end.
    const buffer = Buffer.alloc(opened.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** What a rules-residual head's file holds where it is not the shape it should be, in words ("its mean has 3 values for its 270 feature names"); none when it is. */
function residualShapeProblems(head: FramingHead): string[] {
  const { layers, mean } = head.model;
  const names = head.featureNames.length;
  const found: string[] = [];
  if (layers.length !== 1) found.push(`it has ${layers.length} layers`);
  const outputs = layers.at(-1)!.bias.length;
  if (outputs !== CANONICAL_SCALES.length) found.push(`its ${layers.length === 1 ? '' : 'last '}layer has ${outputs} output${outputs === 1 ? '' : 's'}`);
  if (mean.length !== names) found.push(`its mean has ${mean.length} value${mean.length === 1 ? '' : 's'} for its ${names} feature name${names === 1 ? '' : 's'}`);
  return found;
}

/** Loads and checks a head against the features the running model produces. */
export function loadHead(file: string, featureNames: readonly string[]): FramingHead {
  const text = readHeadText(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it stopped at: no line of whatever file was named may reach an answer or the log.
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file} is not JSON (a head is the JSON file shotscale calibrate writes)`);
  }
  // Any other JSON file is refused as a whole, not key by key: its keys are its contents.
  if (!raw || typeof raw !== 'object' || (raw as { kind?: unknown }).kind !== 'framing-head') {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file} is not a calibration head (no "kind": "framing-head"; a head is the JSON file shotscale calibrate writes)`);
  }
  return parseHead(raw, file, featureNames);
}

/** Checks a head (read from a file, or stored in the database) against the features the running model produces; `file` names it in errors. */
export function parseHead(raw: unknown, file: string, featureNames: readonly string[]): FramingHead {
  const parsed = headSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const head = parsed.data as FramingHead;
  // The head picks its features by name, so a model that gains features keeps its heads working.
  const unknown = head.featureNames.filter((n) => !featureNames.includes(n));
  if (unknown.length) {
    throw new ShotscaleError('MODEL_MISMATCH', `calibration head ${file} was trained on features this model does not have: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`, {
      hint: 'recalibrate with shotscale calibrate against this model',
    });
  }
  head.pick = pickIndices(head.featureNames, featureNames);
  if (head.output === 'rules-residual') {
    const found = residualShapeProblems(head);
    if (found.length) throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file}: ${found.join(', ')}; a rules-residual head has one layer of ${CANONICAL_SCALES.length} outputs over its ${head.featureNames.length} features`, { hint: 'a head is the file shotscale calibrate writes, as it wrote it: fit it again, or name another' });
  }
  if (head.groups.length !== head.classes.length) throw new ShotscaleError('MODEL_MANIFEST_INVALID', `calibration head ${file}: ${head.classes.length} classes but ${head.groups.length} groups`);
  return head;
}
