/**
 * A head fitted on some of a labels file's images is in-sample on those only:
 * `calibrate --limit 40` of HOHA's 555, then `eval --limit 30` of it, shared
 * 10 frames with the fit and was called in-sample whole ("the same labels
 * file as its set hoha"); a full eval, 93% held out, too. The label now says
 * how many of the frames scored the head was fitted on: all, exactly N of M
 * (where the file's images leave no doubt), from N to K (which ones, the head
 * does not record), or that it cannot be told (it may be none).
 *
 * With them, three faults of the same commands:
 * - `--limit` chose the taxonomy from the rows it kept: `--limit 3` of HOHA
 *   inferred cinemanet, `--limit 5` six; the file is of one taxonomy;
 * - `calibrate --from-scratch --base FILE` ignored --base unsaid;
 * - a production fit of a set whose smallest class has fewer frames than the
 *   folds said "5-fold CV" unremarked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FramingHead, HeadSetProvenance } from '../../server/calibration/framing-head.js';
import type { LabelledSet } from '../../server/calibration/multi-set-calibration.js';
import { beforeLines, productionFoldsNote, runCalibrate } from '../../server/cli/calibrate-command.js';
import { UsageError } from '../../server/cli/command-options.js';
import { inSampleLine } from '../../server/cli/eval-command.js';
import { labelledImagesFromArgs } from '../../server/cli/labelled-images.js';
import { fittedAmong, headFittedOn, inSampleTag } from '../../server/evaluation/in-sample.js';
import { countFittedFrames } from '../../server/evaluation/in-sample-frames.js';
import { findTaxonomy } from '../../server/evaluation/taxonomies.js';
import { silentLogger } from '../../server/shared/logger.js';
import { tempDir } from '../support/media.js';

const provenance = (sets: HeadSetProvenance[]): Pick<FramingHead, 'provenance'> => ({ provenance: { labels: sets.map((s) => s.labels).join(', '), count: 0, trainedAt: '', options: {}, sets } });

/** `n` frames of different sizes in `dir/name/img`, with its labels file; `rows` as written (default: one CU row per frame). */
function writeSet(dir: string, name: string, n: number, rows?: string[]): { labels: string; images: string[] } {
  mkdirSync(path.join(dir, name, 'img'), { recursive: true });
  const files = Array.from({ length: n }, (_, i) => `img/${name}_${i}.jpg`);
  files.forEach((f, i) => writeFileSync(path.join(dir, name, f), 'x'.repeat(i + 1)));
  const labels = path.join(dir, name, 'labels.csv');
  writeFileSync(labels, ['file,label', ...(rows ?? files.map((f) => `${f},CU`))].join('\n') + '\n');
  return { labels, images: files.map((f) => path.join(dir, name, f)) };
}

describe('a head fitted on some images of a labels file: how many of those scored, said', () => {
  const dir = tempDir();
  const hoha = writeSet(dir, 'hoha', 12);
  const headFile = path.join(dir, 'models', 'h.head.json');
  // Fitted on 4 of the file's 12 images (calibrate --limit 4), as its provenance records: a count, not which.
  const fittedOn4 = provenance([{ name: 'hoha', labels: hoha.labels, taxonomy: 'cinescale', count: 4, leaveOneSetOut: { exact: 0.5, withinOne: 0.75 } }]);

  test('the bounds: all where it was fitted on every image (or the count is not recorded); else what the unscored images cannot hold, to the count', () => {
    assert.deepEqual(fittedAmong(12, 12, 5), { least: 5, most: 5 });
    assert.deepEqual(fittedAmong(0, 12, 5), { least: 5, most: 5 });
    assert.deepEqual(fittedAmong(40, 555, 555), { least: 40, most: 40 });
    assert.deepEqual(fittedAmong(40, 555, 30), { least: 0, most: 30 });
    assert.deepEqual(fittedAmong(4, 12, 10), { least: 2, most: 4 });
  });

  test('every image of the file scored: exactly 4 of the 12 were fitted on, "partly in-sample"', () => {
    const r = headFittedOn(fittedOn4, headFile, { name: 'hoha', labels: hoha.labels, images: hoha.images });
    assert.deepEqual([r.inSample, r.by, r.fitted, r.fileImages], [true, 'labels-file', { least: 4, most: 4, of: 12 }, { fitted: 4, of: 12 }]);
    assert.equal(inSampleTag(r, 12), 'partly in-sample');
    assert.equal(
      inSampleLine(r, 12),
      'partly in-sample: the head in use was fitted on 4 of the 12 frames scored (the same labels file as its set hoha, of whose 12 images it was fitted on 4); its leave-one-set-out figure is 50.0% exact, 75.0% within one on the 4 frames of hoha (from the head\'s manifest)',
    );
    const before = beforeLines(r, 12);
    assert.equal(before.label, 'the configured head (partly in-sample)');
    assert.match(before.note[0]!, /^ {4}partly in-sample: the configured head was fitted on 4 of the 12 frames scored \(/);
  });

  test('10 of the 12 scored: from 2 to 4 were fitted on, which ones not recorded', () => {
    const r = headFittedOn(fittedOn4, headFile, { name: 'hoha', labels: hoha.labels, images: hoha.images.slice(0, 10) });
    assert.deepEqual([r.inSample, r.fitted], [true, { least: 2, most: 4, of: 10 }]);
    assert.match(inSampleLine(r, 10), /^partly in-sample: the head in use was fitted on 2 to 4 of the 10 frames scored \(the same labels file as its set hoha, of whose 12 images it was fitted on 4, which ones it does not record\); /);
  });

  test('6 of the 12 scored (an eval --limit): perhaps none fitted on, so not called in-sample: it cannot be told', () => {
    const r = headFittedOn(fittedOn4, headFile, { name: 'hoha', labels: hoha.labels, images: hoha.images.slice(0, 6) });
    assert.equal(r.inSample, null);
    assert.equal(inSampleTag(r, 6), null);
    const line = inSampleLine(r, 6);
    assert.equal(line, 'whether the head in use was fitted on these frames cannot be told: the frames scored are of the labels file of its set hoha, of whose 12 images it was fitted on 4 without recording which: from none to 4 of the 6 frames scored were fitted on');
    assert.doesNotMatch(line, /^(partly )?in-sample/);
    const before = beforeLines(r, 6);
    assert.equal(before.label, 'the configured head (in-sample or not: unknown)');
    assert.match(before.note[0]!, /cannot be told: the frames scored are of the labels file of its set hoha, of whose 12 images it was fitted on 4 without recording which/);
  });

  test('a head fitted on every image of the file: in-sample, as before', () => {
    const all = provenance([{ name: 'hoha', labels: hoha.labels, taxonomy: 'cinescale', count: 12 }]);
    const r = headFittedOn(all, headFile, { name: 'hoha', labels: hoha.labels, images: hoha.images.slice(0, 6) });
    assert.deepEqual([r.inSample, r.fitted, r.fileImages], [true, undefined, undefined]);
    assert.equal(inSampleLine(r, 6), 'in-sample: the head in use was fitted on these frames (the same labels file as its set hoha); the head\'s manifest records no figure for it fitted without these frames');
    assert.equal(beforeLines(r, 6).label, 'the configured head (in-sample)');
  });

  test('frames listed elsewhere, some of them of its set: "partly in-sample", bounded by what the head was fitted on there', () => {
    const mine = writeSet(dir, 'mine', 2);
    const scored = [...hoha.images, ...mine.images];
    const r = headFittedOn(fittedOn4, headFile, { name: 'mine', labels: mine.labels, images: scored });
    assert.deepEqual([r.inSample, r.by, r.frames, r.fitted], [true, 'frames', 12, { least: 4, most: 4, of: 14 }]);
    assert.match(inSampleLine(r, 14), /^partly in-sample: the head in use was fitted on 4 of the 14 frames scored \(12 of them are listed by the labels file of its set hoha, of whose 12 images it was fitted on 4\)/);
    // The whole set fitted on: the frames found there, and no more, are in-sample ("partly": not the two others).
    const whole = headFittedOn(provenance([{ name: 'hoha', labels: hoha.labels, taxonomy: 'cinescale', count: 12 }]), headFile, { name: 'mine', labels: mine.labels, images: scored });
    assert.equal(inSampleTag(whole, 14), 'partly in-sample');
    assert.match(inSampleLine(whole, 14), /^partly in-sample: the head in use was fitted on some of these frames \(12 of the 14 are in its set hoha\)/);
  });
});

describe('which of them: counted in the head\'s base knowledge, where it is beside it', () => {
  const dir = tempDir();
  const hoha = writeSet(dir, 'hoha', 12);
  const headFile = path.join(dir, 'models', 'h.head.json');
  const fittedOn4 = provenance([{ name: 'hoha', labels: hoha.labels, taxonomy: 'cinescale', count: 4 }]);
  // 6 frames scored (perhaps none of the 4 fitted on, by the provenance alone); each frame's features its own.
  const scored = Array.from({ length: 6 }, (_, i) => Float32Array.from({ length: 5 }, (_, f) => (i + 1) * 10 + f * 0.37));
  const bounded = headFittedOn(fittedOn4, headFile, { name: 'hoha', labels: hoha.labels, images: hoha.images.slice(0, 6) });
  // Its base set: 4 frames, 2 of them scored here (stored to 5 significant digits, as base-knowledge.ts keeps them).
  const kept = (f: Float32Array) => ({ features: Array.from(f, (v) => Number(v.toPrecision(5))) });
  const other = (k: number) => ({ features: [k, k, k, k, k] });
  const base = [{ name: 'hoha', samples: [kept(scored[1]!), other(900), kept(scored[4]!), other(901)] }];

  test('2 of the 6 scored are frames of its set there: "partly in-sample", exactly', () => {
    assert.equal(bounded.inSample, null);
    const r = countFittedFrames(bounded, base, scored);
    assert.deepEqual([r.inSample, r.fitted, r.countedIn], [true, { least: 2, most: 2, of: 6 }, 'base-knowledge']);
    assert.match(inSampleLine(r, 6), /^partly in-sample: the head in use was fitted on 2 of the 6 frames scored \(the same labels file as its set hoha, of whose 12 images it was fitted on 4; found by their features in its base knowledge\); /);
    assert.equal(beforeLines(r, 6).label, 'the configured head (partly in-sample)');
  });

  test('none of them there: not in-sample, though the head was fitted on that file', () => {
    const r = countFittedFrames(bounded, [{ name: 'hoha', samples: [other(900), other(901), other(902), other(903)] }], scored);
    assert.deepEqual([r.inSample, r.fitted], [false, { least: 0, most: 0, of: 6 }]);
    assert.equal(inSampleLine(r, 6), 'not in-sample: the head in use was fitted on none of the 6 frames scored (the same labels file as its set hoha, of whose 12 images it was fitted on 4; found by their features in its base knowledge)');
    assert.equal(beforeLines(r, 6).label, 'the configured head (never fitted on them)');
  });

  test('no such set there, another number of frames in it, or a count outside the bounds: the bounds stand', () => {
    assert.equal(countFittedFrames(bounded, [], scored), bounded);
    assert.equal(countFittedFrames(bounded, [{ name: 'hoha', samples: base[0]!.samples.slice(0, 3) }], scored), bounded);
    const all = headFittedOn(fittedOn4, headFile, { name: 'hoha', labels: hoha.labels, images: hoha.images.slice(0, 10) });
    assert.deepEqual(all.fitted, { least: 2, most: 4, of: 10 });
    // Of 10 scored, at least 2 were fitted on: a count of none is not these frames.
    assert.equal(countFittedFrames(all, [{ name: 'hoha', samples: [other(900), other(901), other(902), other(903)] }], [...scored, ...scored.slice(0, 4)]), all);
  });
});

describe('--limit: the taxonomy is the whole file\'s', () => {
  // Sorted by class, as the shipped evalset files are: its labels name cinescale alone (MLS), the first and fifth rows (--limit 2) six too.
  const dir = tempDir();
  const labels = ['ELS', 'ELS', 'LS', 'LS', 'MCU', 'MCU', 'MLS', 'MLS'];
  const set = writeSet(dir, 'sorted', labels.length, labels.map((l, i) => `img/sorted_${i}.jpg,${l}`));

  test('inferred from every label, whatever --limit keeps', () => {
    for (const limit of [undefined, '2', '3', '5']) {
      const read = labelledImagesFromArgs({ labels: set.labels, limit });
      assert.equal(read.taxonomy.name, 'cinescale', `--limit ${limit}`);
    }
    assert.equal(labelledImagesFromArgs({ labels: set.labels, limit: '2' }).items.length, 2);
  });
});

describe('calibrate --from-scratch with --base', () => {
  test('refused as the other alternatives are (BAD_REQUEST, exit 2), before anything is read', async () => {
    const dir = tempDir();
    const run = runCalibrate(['--labels', path.join(dir, 'labels.csv'), '--out', path.join(dir, 'h.json'), '--from-scratch', '--base', path.join(dir, 'x.base.json.gz')], silentLogger);
    await assert.rejects(run, (error: unknown) => error instanceof UsageError && error.code === 'BAD_REQUEST' && /--from-scratch and --base: give one/.test(error.message));
  });
});

describe('a production fit\'s folds, where the set\'s smallest class has fewer frames', () => {
  const taxonomy = findTaxonomy('cinescale')!;
  const setOf = (labels: number[]): LabelledSet => ({ name: 'hoha', labels: 'hoha/labels.csv', taxonomy, samples: labels.map((label) => ({ features: new Float32Array(1), rules: [], label })) });

  test('said, as the fit on the given sets alone says why it used fewer folds', () => {
    // --limit 5 of HOHA: 5 frames, each its own fold; one class of 1 frame.
    assert.equal(productionFoldsNote({ folds: 5, groups: 5 }, 5, setOf([0, 1, 1, 3, 3])), ' (its smallest class has 1 frame, fewer than the folds: the fold that holds it out learns that class from the base knowledge alone)');
    assert.match(productionFoldsNote({ folds: 5, groups: 8 }, 5, setOf([0, 0, 1, 1, 1, 3, 3, 3])), /^ \(its smallest class has 2 frames, fewer than the folds: a fold that holds them all out learns/);
    assert.equal(productionFoldsNote({ folds: 3, groups: 3 }, 5, setOf([0, 1, 3])), ' (5 asked: 3 frames to hold out)');
    assert.equal(productionFoldsNote({ folds: 2, groups: 6 }, 2, setOf([0, 0, 0, 1, 1, 1])), '');
  });
});
