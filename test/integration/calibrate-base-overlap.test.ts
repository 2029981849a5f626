/**
 * `shotscale calibrate` where what it is given meets the base knowledge it
 * starts from (the shipped head's: CinemaNet and HOHA): HOHA frames copied
 * into a folder of their own are in the base already (left out of it, so no
 * fold is scored on a frame it saw, and each frame is kept once), also when
 * read back from --samples (whose "before" is then in-sample, not "never
 * fitted on"); sets named as base sets replace them, and say so; and a set
 * cross-validated in fewer folds than asked says how many, and why. Real
 * frames through the shipped classifier, or made-up analysed frames where no
 * detector is needed.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBaseKnowledge } from '../../server/calibration/base-knowledge.js';
import { parseLabels } from '../../server/evaluation/labels-file.js';
import { MODEL_FEATURE_NAMES } from '../../server/inference/framing/framing-model.js';
import { softScale } from '../../server/inference/framing/framing-rules.js';
import { seededRandom } from '../../server/shared/seeded-random.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { SHARED_DIR } from '../support/server-harness.js';

interface Report {
  replacedBaseSets?: { name: string; baseFrames: number; givenFrames: number }[];
  sets: { name: string; folds: number; inBase?: { set: string; frames: number; by: string }[]; beforeInSample?: { inSample: boolean | null; set?: string; imagesNotFound?: number } }[];
  options: { folds: number };
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Report;
const names = (file: string) => loadBaseKnowledge(file, MODEL_FEATURE_NAMES).map((s) => [s.name, s.samples.length]);

/** Analysed frames as --save-samples writes them, made up (features at random): per set, `perClass[i]` frames of cinemanet's class i. */
function madeUpSamples(dir: string, sets: { name: string; perClass: number[] }[]): string {
  const random = seededRandom(11);
  const file = path.join(dir, 'made-up.samples');
  writeFileSync(file, JSON.stringify({
    model: 'framing-default',
    featureNames: MODEL_FEATURE_NAMES,
    sets: sets.map(({ name, perClass }) => ({
      name,
      labels: path.join(dir, 'gone', name, 'labels.csv'),
      taxonomy: 'cinemanet',
      samples: perClass.flatMap((n, label) => Array.from({ length: n }, (_, i) => ({ file: `img/${label}-${i}.jpg`, label, features: MODEL_FEATURE_NAMES.map(() => random()), rules: softScale(1 + label, 0.5) }))),
    })),
  }));
  return file;
}

test('HOHA frames in a folder of their own: left out of the base set that holds them, kept once; from --samples too, whose "before" is in-sample', { timeout: 240_000 }, async () => {
  const dir = tempDir();
  const hoha = path.join(SHARED_DIR, 'evalset', 'hoha');
  const rows = parseLabels(readFileSync(path.join(hoha, 'labels.csv'), 'utf8'), 'labels.csv');
  // Two frames of each of CU, MCU, MS, LS and ELS, copied (not linked: a copy is the same frame by its name and size).
  const picked = ['CU', 'MCU', 'MS', 'LS', 'ELS'].flatMap((label) => rows.filter((r) => r.label === label).slice(0, 2));
  const prod = path.join(dir, 'sets', 'prod');
  mkdirSync(path.join(prod, 'img'), { recursive: true });
  for (const r of picked) copyFileSync(path.join(hoha, r.file), path.join(prod, r.file));
  writeFileSync(path.join(prod, 'labels.csv'), ['file,label', ...picked.map((r) => `${r.file},${r.label}`)].join('\n') + '\n');
  const samples = path.join(dir, 'prod.samples');
  const json = path.join(dir, 'x.json');
  const res = await runCli(['calibrate', '--labels', `${path.join(prod, 'labels.csv')}=cinescale`, '--out', path.join(dir, 'x.head.json'), '--json', json, '--save-samples', samples, '--epochs', '20'], { timeoutMs: 200_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^ {2}10 of these 10 frames are in the base set hoha too \(the same file name and size\): left out of it \(545 of its 555 frames fitted on\), so each counts once, with this set's label, and no fold is scored on a frame its fit saw$/m);
  assert.match(res.stdout, /^ {2}new head, 5-fold CV: +exact \d+\.\d%/m);
  assert.deepEqual(read(json).sets[0]!.inBase, [{ set: 'hoha', frames: 10, by: 'frames' }]);
  assert.deepEqual(names(path.join(dir, 'x.base.json.gz')), [['cinemanet', 1979], ['hoha', 545], ['prod', 10]], 'each frame once, under the given set');
  assert.match(res.stderr, /fitted on cinemanet \+ hoha \(545 of its 555 frames: the others are given frames\) \+ prod, saved/);

  // Read back from --samples: the frames are still known (their images, and the base's copies of them).
  const again = path.join(dir, 'y.json');
  const res2 = await runCli(['calibrate', '--samples', samples, '--out', path.join(dir, 'y.head.json'), '--json', again, '--epochs', '20'], { timeoutMs: 100_000 });
  assert.equal(res2.code, 0, res2.stderr);
  assert.match(res2.stdout, /^ {2}the configured head \(in-sample\): +exact \d+\.\d%/m);
  assert.doesNotMatch(res2.stdout, /never fitted/);
  assert.match(res2.stdout, /^ {2}10 of these 10 frames are in the base set hoha too/m);
  const set = read(again).sets[0]!;
  assert.equal(set.beforeInSample?.inSample, true);
  assert.equal(set.beforeInSample?.set, 'hoha');
  assert.deepEqual(names(path.join(dir, 'y.base.json.gz')), [['cinemanet', 1979], ['hoha', 545], ['prod', 10]]);
});

test('sets named as the base sets replace them, and it is said; a set cross-validated in fewer folds than asked says how many and why', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  // cinemanet's ECU 2, CU 6, Medium 6: the smallest class has 2 frames.
  const samples = madeUpSamples(dir, [{ name: 'hoha', perClass: [2, 6, 6] }, { name: 'cinemanet', perClass: [6, 6, 6] }]);
  const json = path.join(dir, 'a.json');
  const res = await runCli(['calibrate', '--samples', samples, '--out', path.join(dir, 'a.head.json'), '--json', json, '--folds', '4', '--epochs', '5'], { timeoutMs: 100_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^base knowledge \S+framing-default\.base\.json\.gz: its sets replaced by the given sets of the same names: cinemanet \(1979 frames there, 18 given\), hoha \(555 frames there, 14 given\); no base set is left, so the head is fitted on the given sets alone, as with --from-scratch/m);
  assert.match(res.stdout, /^ {2}2-fold CV within the set: +exact \d+\.\d%.*\(4 asked: its smallest class has 2 frames\)$/m);
  assert.match(res.stdout, /^ {2}4-fold CV within the set: +exact \d+\.\d%.*\(the other sets in training\)$/m);
  assert.doesNotMatch(res.stdout, /5-fold/);
  const report = read(json);
  assert.deepEqual(report.replacedBaseSets, [{ name: 'cinemanet', baseFrames: 1979, givenFrames: 18 }, { name: 'hoha', baseFrames: 555, givenFrames: 14 }]);
  assert.deepEqual(report.sets.map((s) => [s.name, s.folds]), [['hoha', 2], ['cinemanet', 4]]);
  assert.equal(report.options.folds, 4);
  assert.deepEqual(names(path.join(dir, 'a.base.json.gz')), [['hoha', 14], ['cinemanet', 18]]);
});

test('frames from --samples whose images are not found and that the base does not hold: whether the configured head saw them cannot be told', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  // Three frames: 5 folds asked, 3 held out one by one.
  const samples = madeUpSamples(dir, [{ name: 'studio', perClass: [1, 1, 1] }]);
  const json = path.join(dir, 's.json');
  const res = await runCli(['calibrate', '--samples', samples, '--out', path.join(dir, 's.head.json'), '--json', json, '--epochs', '5'], { timeoutMs: 100_000 });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^ {2}the configured head \(in-sample or not: unknown\): exact \d+\.\d%/m);
  assert.match(res.stdout, /^ {4}whether the configured head was fitted on these frames cannot be told: their images are not found from here/m);
  assert.doesNotMatch(res.stdout, /never fitted/);
  assert.match(res.stdout, /^ {2}new head, 3-fold CV: +exact \d+\.\d%.*\(5 asked: 3 frames to hold out\)$/m);
  const set = read(json).sets[0]!;
  assert.deepEqual([set.beforeInSample?.inSample, set.beforeInSample?.imagesNotFound, set.folds, set.inBase], [null, 3, 3, []]);
});
