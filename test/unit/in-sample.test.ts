import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FramingHead, HeadSetProvenance } from '../../server/calibration/framing-head.js';
import { fittedOnWords, headFittedOn, honestFigure, setNameOf } from '../../server/evaluation/in-sample.js';
import { tempDir } from '../support/media.js';

const provenance = (sets?: HeadSetProvenance[], labels = sets?.map((s) => s.labels).join(', ') ?? ''): Pick<FramingHead, 'provenance'> => ({ provenance: { labels, count: 0, trainedAt: '', options: {}, ...(sets ? { sets } : {}) } });

/** A set of `n` frames (a few bytes each, of different sizes) in `dir/name`, with its labels file. */
function writeSet(dir: string, name: string, n: number): { labels: string; images: string[] } {
  mkdirSync(path.join(dir, name, 'img'), { recursive: true });
  const files = Array.from({ length: n }, (_, i) => `img/${name}_${i}.jpg`);
  files.forEach((f, i) => writeFileSync(path.join(dir, name, f), 'x'.repeat(i + 1)));
  const labels = path.join(dir, name, 'labels.csv');
  writeFileSync(labels, ['file,label', ...files.map((f) => `${f},CU`)].join('\n') + '\n');
  return { labels, images: files.map((f) => path.join(dir, name, f)) };
}

describe('whether a head was fitted on a set, by its provenance', () => {
  const dir = tempDir();
  const hoha = writeSet(dir, 'hoha', 4);
  const other = writeSet(dir, 'other', 3);
  const headFile = path.join(dir, 'models', 'h.head.json');
  const sets: HeadSetProvenance[] = [{ name: 'hoha', labels: hoha.labels, taxonomy: 'cinescale', count: 4, leaveOneSetOut: { exact: 0.773, withinOne: 0.982 } }];

  test('the same labels file: in-sample, with the head\'s leave-one-set-out figure', () => {
    const r = headFittedOn(provenance(sets), headFile, { name: 'hoha', labels: hoha.labels, images: hoha.images });
    assert.deepEqual([r.inSample, r.by, r.set], [true, 'labels-file', 'hoha']);
    assert.equal(honestFigure(r), 'leave-one-set-out figure is 77.3% exact, 98.2% within one on the 4 frames of hoha');
  });

  test('a labels file given relative to the folder above the head (the repo, for models/NAME.head.json) is found', () => {
    const relative = provenance([{ ...sets[0]!, labels: path.relative(dir, hoha.labels) }]);
    assert.equal(headFittedOn(relative, headFile, { name: 'hoha', labels: hoha.labels, images: [] }).by, 'labels-file');
  });

  test('some of its frames, listed elsewhere under another name: in-sample by frames, how many said', () => {
    const r = headFittedOn(provenance(sets), headFile, { name: 'mine', labels: path.join(dir, 'mine.csv'), images: [hoha.images[1]!, other.images[0]!] });
    assert.deepEqual([r.inSample, r.by, r.frames], [true, 'frames', 1]);
    assert.equal(fittedOnWords(r, 2), 'some of these frames (1 of the 2 are in its set hoha)');
  });

  test('a set of its name whose labels file is not found here: taken as in-sample, by name', () => {
    const gone = provenance([{ ...sets[0]!, labels: 'nowhere/hoha/labels.csv' }]);
    const r = headFittedOn(gone, headFile, { name: 'hoha', labels: null, images: [] });
    assert.deepEqual([r.inSample, r.by], [true, 'name']);
  });

  test('another set: not in-sample, the head\'s sets listed', () => {
    const r = headFittedOn(provenance(sets), headFile, { name: 'other', labels: other.labels, images: other.images });
    assert.deepEqual([r.inSample, r.headSets], [false, ['hoha']]);
  });

  test('a head that records no sets: unknown, unless its labels files name this one', () => {
    assert.equal(headFittedOn(provenance(undefined, 'elsewhere/labels.csv'), headFile, { name: 'other', labels: other.labels, images: other.images }).inSample, null);
    assert.equal(headFittedOn(provenance(undefined, `${other.labels}, elsewhere/labels.csv`), headFile, { name: 'other', labels: other.labels, images: [] }).inSample, true);
  });

  test('a set is named as calibrate names it', () => {
    assert.equal(setNameOf('/x/evalset/hoha/labels.csv'), 'hoha');
    assert.equal(setNameOf('/x/stage-a.csv'), 'stage-a');
  });
});
