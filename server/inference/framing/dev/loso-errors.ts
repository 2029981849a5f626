/**
 * Dev: the frames a head fitted on the other set only (leave-one-set-out)
 * gets wrong, with the rules' reason and the cues, so that a family of
 * mistakes can be looked at (and put in a contact sheet with --sheet).
 *
 *   npx tsx server/inference/framing/dev/loso-errors.ts --set cinemanet --truth ECU --predicted ELS [--sheet out.jpg]
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CALIBRATION_TRAIN_OPTIONS, rowsOf, type LabelledSet } from '../../../calibration/multi-set-calibration.js';
import { predictWithOffset, rulesOffset, trainSetHead } from '../../../calibration/set-label-training.js';
import { findTaxonomy, normaliseLabel, predictClass } from '../../../evaluation/taxonomies.js';
import { featureVector, framingFeatures } from '../framing-features.js';
import { framingRules } from '../framing-rules.js';
import { loadSet } from './set-cache.js';

const { values } = parseArgs({ options: { set: { type: 'string', default: 'cinemanet' }, truth: { type: 'string' }, predicted: { type: 'string' }, sheet: { type: 'string' }, far: { type: 'boolean', default: false } } });
const SPECS = [['cinemanet', 'cinemanet'], ['hoha', 'cinescale']] as const;
const sets = await Promise.all(SPECS.map(async ([name, taxonomyName]) => {
  const taxonomy = findTaxonomy(taxonomyName)!;
  const cached = await loadSet(`/work/shared/evalset/${name}/labels.csv`);
  const frames = cached.frames.map((frame) => {
    const f = framingFeatures(frame.detections, frame.active, frame.cues, frame.frameWidth, frame.frameHeight);
    const rules = framingRules(f);
    return { file: frame.file, f, reason: rules.reason, features: [...featureVector(f), ...frame.spectral, ...frame.embedding], rules: rules.probabilities, label: taxonomy.lookup.get(normaliseLabel(frame.label))! };
  });
  const set: LabelledSet = { name, labels: cached.labels, taxonomy, samples: frames };
  return { set, frames };
}));
const target = sets.find((s) => s.set.name === values.set)!;
const head = trainSetHead(sets.filter((s) => s !== target).flatMap((s) => rowsOf(s.set)), CALIBRATION_TRAIN_OPTIONS);
const names = target.set.taxonomy.classes.map((c) => c.name);
const picked: string[] = [];
for (const frame of target.frames) {
  const predicted = predictClass(target.set.taxonomy, predictWithOffset(head, frame.features, rulesOffset(frame.rules))).index;
  if (predicted === frame.label) continue;
  if (values.far && Math.abs(predicted - frame.label) < 2) continue;
  if (values.truth && names[frame.label] !== values.truth) continue;
  if (values.predicted && names[predicted] !== values.predicted) continue;
  const f = frame.f;
  process.stdout.write(`${path.basename(frame.file)}\t${names[frame.label]} -> ${names[predicted]}\t${frame.reason}\tedge ${f.edge_density.toFixed(3)} sharp ${f.centre_sharpness.toFixed(2)} dark ${f.dark_fraction.toFixed(2)} sky ${f.sky_top.toFixed(2)} lum ${f.lum_mean.toFixed(2)}\n`);
  picked.push(frame.file);
}
process.stdout.write(`${picked.length} frames\n`);
if (values.sheet && picked.length) {
  try {
    execFileSync('montage', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('--sheet needs ImageMagick\'s montage (Debian package imagemagick)');
  }
  execFileSync('montage', [...picked.slice(0, 60).map((f) => path.resolve(`/work/shared/evalset/${values.set}`, f)), '-tile', '6x', '-geometry', '240x135+2+2', values.sheet]);
}
