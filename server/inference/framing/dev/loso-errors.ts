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
import { CALIBRATION_TRAIN_OPTIONS, predictSample, rowsOf } from '../../../calibration/multi-set-calibration.js';
import { trainSetHead } from '../../../calibration/set-label-training.js';
import { predictClass } from '../../../evaluation/taxonomies.js';
import { DEFAULT_HEAD_HOLD, holdTest } from '../../../calibration/head-hold.js';
import { FRAMING_FEATURE_NAMES } from '../framing-features.js';
import { analysedSets, EVALSET, FIT_READING } from './analysed-sets.js';

const { values } = parseArgs({ options: { set: { type: 'string', default: 'cinemanet' }, truth: { type: 'string' }, predicted: { type: 'string' }, sheet: { type: 'string' }, far: { type: 'boolean', default: false } } });
const sets = await analysedSets();
const target = sets.find((s) => s.set.name === values.set);
if (!target) throw new Error(`--set ${values.set}: not one of ${sets.map((s) => s.set.name).join(', ')}`);
const head = trainSetHead(sets.filter((s) => s !== target).flatMap((s) => rowsOf(s.set, FIT_READING)), CALIBRATION_TRAIN_OPTIONS);
const names = target.taxonomy.classes.map((c) => c.name);
// As the shipped head reads a frame: the rules' ECU holds where a face fills the picture (head-hold.ts).
const hold = holdTest(DEFAULT_HEAD_HOLD, FRAMING_FEATURE_NAMES);
const picked: string[] = [];
for (const frame of target.frames) {
  const predicted = predictClass(target.taxonomy, predictSample(head, { features: frame.features, rules: frame.rules.probabilities, label: frame.label }, hold)).index;
  if (predicted === frame.label) continue;
  if (values.far && Math.abs(predicted - frame.label) < 2) continue;
  if (values.truth && names[frame.label] !== values.truth) continue;
  if (values.predicted && names[predicted] !== values.predicted) continue;
  const f = frame.f;
  process.stdout.write(`${path.basename(frame.file)}\t${names[frame.label]} -> ${names[predicted]}\t${frame.rules.reason}\tedge ${f.edge_density.toFixed(3)} sharp ${f.centre_sharpness.toFixed(2)} dark ${f.dark_fraction.toFixed(2)} sky ${f.sky_top.toFixed(2)} lum ${f.lum_mean.toFixed(2)}\n`);
  picked.push(frame.file);
}
process.stdout.write(`${picked.length} frames\n`);
if (values.sheet && picked.length) {
  try {
    execFileSync('montage', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('--sheet needs ImageMagick\'s montage (Debian package imagemagick)');
  }
  execFileSync('montage', [...picked.slice(0, 60).map((f) => path.resolve(EVALSET, values.set, f)), '-tile', '6x', '-geometry', '240x135+2+2', values.sheet]);
}
