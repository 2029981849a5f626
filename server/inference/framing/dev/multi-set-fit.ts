/**
 * Dev: the calibration of `shotscale calibrate` (per set: rules alone, CV
 * within the set with the other sets in training, leave-one-set-out) on the
 * caches of set-cache.ts, so that a change of features, rules or training
 * options is judged across sets in a minute instead of re-running the
 * detectors; --inputs picks which features the head sees. Frames are scored
 * as `shotscale eval` reads them, the mean of the picture and its mirror
 * (--views as-is: the picture alone).
 *
 * --shot-types adds CinemaNet's shot-type set as a third, coarse set (over the
 * shoulder: ECU to MS; master: MWS to EWS), without its pictures that are
 * byte for byte in the scale set (cache it first with set-cache.ts
 * ../shared/evalset/cinemanet-type/labels.csv, and VIEW=mirrored).
 *
 *   npx tsx server/inference/framing/dev/multi-set-fit.ts [--views both|as-is] [--shot-types] [--inputs geometry,spectral,embedding] [--l2 0.1] [--ordinal 0.3] [--within 1] [--epochs 300] [--folds 5] [--noise 0.1] [--shift 0.5] [--random-relu 32] [--rules-inputs] [--turned] [--per-set-scale] [--no-hold] [--drop name,...] [--sets cinemanet,hoha] [--matrix]
 */
import { parseArgs } from 'node:util';
import { CALIBRATION_TRAIN_OPTIONS, evaluateSets, type LabelledSet } from '../../../calibration/multi-set-calibration.js';
import { rulesOffset } from '../../../calibration/set-label-training.js';
import { DEFAULT_HEAD_HOLD, fitReading, holdTest } from '../../../calibration/head-hold.js';
import { formatReports } from '../../../cli/calibrate-command.js';
import { defineTaxonomy, findTaxonomy, normaliseLabel, type Taxonomy } from '../../../evaluation/taxonomies.js';
import { featureVector, FRAMING_FEATURE_NAMES } from '../framing-features.js';
import { framingRules } from '../framing-rules.js';
import { SCALE_COUNT } from '../../../shared/scale.js';
import { seededRandom } from '../../../shared/seeded-random.js';
import { standardiser } from '../../../calibration/softmax-regression.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { labelsOf, SHARED_SETS } from './analysed-sets.js';
import { cachedFeatures, DEFAULT_MANIFEST, loadSet, readLabelsCsv, type CachedSetFrame } from './set-cache.js';

const SHOT_TYPES = defineTaxonomy('shot-types', "CinemaNet's shot types as scales", [
  { name: 'over_the_shoulder', aliases: [], canonical: ['ECU', 'CU', 'MCU', 'MS'] },
  { name: 'master', aliases: [], canonical: ['MWS', 'FS', 'WS', 'EWS'] },
]);
const SETS: { labels: string; taxonomy: string | Taxonomy }[] = SHARED_SETS.map((s) => ({ labels: labelsOf(s.name), taxonomy: s.taxonomy }));

type InputPart = 'geometry' | 'spectral' | 'embedding';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: 'geometry,spectral,embedding' },
    views: { type: 'string', default: 'both' },
    l2: { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.l2) },
    ordinal: { type: 'string', default: '0.3' },
    within: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '300' },
    'label-power': { type: 'string', default: String(CALIBRATION_TRAIN_OPTIONS.labelPower) },
    folds: { type: 'string', default: '5' },
    /** Share of labels taken to be wrong at random (SetTrainOptions.labelNoise). */
    noise: { type: 'string', default: '0' },
    /** l2 of the shared closer/wider direction (SetTrainOptions.shiftL2); absent: none. */
    shift: { type: 'string' },
    matrix: { type: 'boolean', default: false },
    /** l2 factors per input group, e.g. geometry=1,spectral=0.3,embedding=0.1 (times --l2). */
    'l2-groups': { type: 'string', default: '' },
    /** Geometry features left out, by name. */
    drop: { type: 'string', default: '' },
    /** Random ReLU features of the geometry appended (a probe: does a non-linear read of the geometry help?). */
    'random-relu': { type: 'string', default: '0' },
    /** The rules' log-probabilities appended as inputs (the head may then rescale the rules' confidence). */
    'rules-inputs': { type: 'boolean', default: false },
    /** The face detector's best answer on the picture turned a quarter either way (caches of VIEW=rot-cw / rot-ccw set-cache.ts) appended. */
    turned: { type: 'boolean', default: false },
    /** Spectral and backbone inputs standardised per set by the set's own statistics (unsupervised adaptation to a set). */
    'per-set-scale': { type: 'boolean', default: false },
    /** The head applied everywhere, also where a face fills the picture and the rules read ECU (head-hold.ts). */
    'no-hold': { type: 'boolean', default: false },
    /** The sets fitted and scored, by name (default: every shared set). */
    sets: { type: 'string', default: SHARED_SETS.map((s) => s.name).join(',') },
    /** CinemaNet's shot-type set as a third, coarse set (see above). */
    'shot-types': { type: 'boolean', default: false },
  },
});
if (values['shot-types']) SETS.push({ labels: labelsOf('cinemanet-type'), taxonomy: SHOT_TYPES });
const imageHash = (labels: string, file: string): string => createHash('sha256').update(readFileSync(path.join(path.dirname(labels), file))).digest('hex');
// A shot-type picture that is also in the scale set would be scored on itself when the scale set is left out.
const scalePictures = values['shot-types'] ? new Set(readLabelsCsv(labelsOf('cinemanet')).map((r) => imageHash(labelsOf('cinemanet'), r.file))) : new Set<string>();
const dropped = new Set(values.drop.split(',').filter(Boolean));
const groupScale = Object.fromEntries(values['l2-groups'].split(',').filter(Boolean).map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])])) as Record<string, number>;
const parts = values.inputs.split(',') as InputPart[];
const sets: LabelledSet[] = [];
for (const spec of SETS.filter((s) => typeof s.taxonomy !== 'string' || values.sets.split(',').some((name) => s.labels === labelsOf(name)))) {
  const cached = await loadSet(spec.labels);
  const mirrors = values.views === 'as-is' ? null : (await loadSet(spec.labels, DEFAULT_MANIFEST, false, 'mirrored')).frames;
  const taxonomy = typeof spec.taxonomy === 'string' ? findTaxonomy(spec.taxonomy)! : spec.taxonomy;
  const turnedViews = values.turned ? await Promise.all((['rot-cw', 'rot-ccw'] as const).map(async (v) => (await loadSet(spec.labels, DEFAULT_MANIFEST, false, v)).frames)) : null;
  const turnedFace = (i: number): number[] => {
    if (!turnedViews) return [];
    let best = { score: 0, h: 0, w: 0 };
    for (const view of turnedViews) for (const f of view[i]!.detections.faces) if (f.score > best.score) best = { score: f.score, h: f.box.yMax - f.box.yMin, w: f.box.xMax - f.box.xMin };
    return [best.score, best.score * best.h, best.score * best.w];
  };
  const analyse = (frame: CachedSetFrame, i: number): { features: number[]; rules: number[] } => {
    const f = cachedFeatures(frame);
    const geometry = [...featureVector(f)].filter((_, i) => !dropped.has(FRAMING_FEATURE_NAMES[i]!));
    const features = [...(parts.includes('geometry') ? geometry : []), ...(parts.includes('spectral') ? frame.spectral : []), ...(parts.includes('embedding') ? frame.embedding : [])];
    const rules = framingRules(f).probabilities;
    const withTurned = [...features, ...turnedFace(i)];
    return { features: values['rules-inputs'] ? [...withTurned, ...rulesOffset(rules)] : withTurned, rules };
  };
  sets.push({
    name: cached.name,
    labels: spec.labels,
    taxonomy,
    samples: cached.frames.flatMap((frame, i) =>
      typeof spec.taxonomy !== 'string' && scalePictures.has(imageHash(spec.labels, frame.file)) ? [] : [{ ...analyse(frame, i), label: taxonomy.lookup.get(normaliseLabel(frame.label))!, ...(mirrors ? { mirrored: analyse(mirrors[i]!, i) } : {}) }],
    ),
  });
}
if (values['per-set-scale']) {
  const from = sizesGeometry();
  for (const set of sets) {
    const views = set.samples.flatMap((x) => [x, ...(x.mirrored ? [x.mirrored] : [])]);
    const { mean, std } = standardiser(views.map((v) => Array.from(v.features)));
    for (const v of views) v.features = Array.from(v.features).map((x, j) => (j >= from ? (x - mean[j]!) / std[j]! : x));
  }
}
const reluUnits = Number(values['random-relu']);
if (reluUnits > 0) appendRandomRelu(sets, sizesGeometry(), reluUnits);
const frame0 = (await loadSet(SETS[0]!.labels)).frames[0]!;
const sizes: Record<InputPart, number> = { geometry: sizesGeometry() + reluUnits, spectral: frame0.spectral.length, embedding: frame0.embedding.length };
const l2Scale = [...parts.flatMap((part) => new Array<number>(sizes[part]).fill(groupScale[part] ?? 1)), ...(values.turned ? [1, 1, 1] : []), ...(values['rules-inputs'] ? new Array<number>(SCALE_COUNT).fill(groupScale.rules ?? 1) : [])];
const options = { l2: Number(values.l2), l2Scale, ordinal: Number(values.ordinal), withinSet: Number(values.within), epochs: Number(values.epochs), labelPower: Number(values['label-power']), labelNoise: Number(values.noise), ...(values.shift !== undefined ? { shiftL2: Number(values.shift) } : {}) };
process.stdout.write(`views ${values.views}; inputs ${parts.join('+')} (${sets[0]!.samples[0]!.features.length}); ${JSON.stringify({ ...options, l2Scale: undefined })}${values['no-hold'] ? '; no hold' : ''}\n`);
const folds = Number(values.folds);
// Geometry comes first in every input vector, so its names place the hold's features.
const geometryNames = parts.includes('geometry') ? FRAMING_FEATURE_NAMES.filter((n) => !dropped.has(n)) : [];
const hold = values['no-hold'] ? null : holdTest(DEFAULT_HEAD_HOLD, geometryNames);
const reports = evaluateSets(sets, folds, options, undefined, hold, values['no-hold'] ? null : fitReading(DEFAULT_HEAD_HOLD, geometryNames));
process.stdout.write(formatReports(sets, reports, folds));
if (values.matrix) for (const r of reports) process.stdout.write(`${r.name} matrices (rows: truth), cross-validated ${JSON.stringify(r.crossValidated.matrix)}, leave-one-set-out ${JSON.stringify(r.leaveOneSetOut?.matrix)}\n`);

function sizesGeometry(): number {
  return parts.includes('geometry') ? FRAMING_FEATURE_NAMES.length - dropped.size : 0;
}

/**
 * relu(W z + b) of the standardised geometry z (the first `dims` inputs), W Gaussian, inserted after the
 * geometry. Standardised over every frame of every set: a probe of whether a non-linear read could help.
 */
function appendRandomRelu(all: LabelledSet[], dims: number, units: number): void {
  const random = seededRandom(7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const W = Array.from({ length: units }, () => Array.from({ length: dims }, () => gauss() / Math.sqrt(dims)));
  const b = Array.from({ length: units }, () => gauss() * 0.5);
  const views = all.flatMap((s) => s.samples.flatMap((x) => [x, ...(x.mirrored ? [x.mirrored] : [])]));
  const { mean, std } = standardiser(views.map((v) => Array.from(v.features).slice(0, dims)));
  for (const v of views) {
    const f = Array.from(v.features);
    const z = f.slice(0, dims).map((x, j) => (x - mean[j]!) / std[j]!);
    const h = W.map((row, u) => Math.max(0, row.reduce((a, w, j) => a + w * z[j]!, b[u]!)));
    v.features = [...f.slice(0, dims), ...h, ...f.slice(dims)];
  }
}
