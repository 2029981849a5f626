/**
 * samples import reads a labels file in the taxonomy its taxonomy column
 * states (samples export writes one): ignored, an export of CU and MS alone
 * was inferred as another taxonomy. Rows that disagree, and a column that
 * contradicts --taxonomy or the file's name, are refused, coded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { isShotscaleError } from '../../server/errors.js';
import { statedTaxonomy } from '../../server/cli/samples-import-rows.js';
import { tempDir } from '../support/media.js';

function labelsFile(text: string): string {
  const file = path.join(tempDir(), 'labels.csv');
  writeFileSync(file, text);
  return file;
}

const HEADER = 'file,label,taxonomy,camera,captured_at,shown,source,shot_id\n';

describe('the taxonomy a labels file states', () => {
  test('an export\'s column, the same on every row: that taxonomy, whatever its labels would suggest', () => {
    const file = labelsFile(`${HEADER}img/1.jpg,CU,canonical,cam,,,live,\nimg/2.jpg,MS,canonical,cam,,,live,\n`);
    assert.equal(statedTaxonomy(file, undefined), 'canonical');
    assert.equal(statedTaxonomy(file, { name: 'canonical', by: '--taxonomy' }), 'canonical', 'the same, given again');
  });

  test('no column, or an empty one: what was given, else undefined (inferred)', () => {
    assert.equal(statedTaxonomy(labelsFile('file,label\nimg/1.jpg,CU\n'), undefined), undefined);
    assert.equal(statedTaxonomy(labelsFile('file,label\nimg/1.jpg,CU\n'), { name: 'six', by: '--taxonomy' }), 'six');
    assert.equal(statedTaxonomy(labelsFile('file,label,taxonomy\nimg/1.jpg,CU,\n'), undefined), undefined);
    assert.equal(statedTaxonomy(path.join(tempDir(), 'absent.csv'), undefined), undefined, 'the labels reader says what is wrong');
  });

  test('rows that disagree: refused, naming both lines', () => {
    const file = labelsFile(`${HEADER}img/1.jpg,CU,canonical,cam,,,live,\nimg/2.jpg,MS,six,cam,,,live,\n`);
    assert.throws(
      () => statedTaxonomy(file, undefined),
      (e) => isShotscaleError(e, 'INPUT_UNREADABLE') && (e as Error).message === `${file}:3, column 3 ("taxonomy"): six, while line 2 says canonical: a labels file is read in one taxonomy`,
    );
  });

  test('no taxonomy: refused, listing the known ones', () => {
    const file = labelsFile(`${HEADER}img/1.jpg,CU,canonicl,cam,,,live,\n`);
    assert.throws(() => statedTaxonomy(file, undefined), (e) => isShotscaleError(e, 'INPUT_UNREADABLE') && /:2, column 3 \("taxonomy"\): "canonicl" is no taxonomy \(known: canonical, /.test((e as Error).message));
  });

  test('against --taxonomy: a usage error; against the file\'s name: the file is refused', () => {
    const file = labelsFile(`${HEADER}img/1.jpg,CU,canonical,cam,,,live,\n`);
    assert.throws(
      () => statedTaxonomy(file, { name: 'cinemanet', by: '--taxonomy' }),
      (e) => isShotscaleError(e, 'BAD_REQUEST') && (e as Error).message === `${file}: --taxonomy cinemanet, but its taxonomy column says canonical (line 2)`,
    );
    assert.throws(() => statedTaxonomy(file, { name: 'six', by: 'its name' }), (e) => isShotscaleError(e, 'INPUT_UNREADABLE') && /: its name says six, but its taxonomy column says canonical/.test((e as Error).message));
  });
});
