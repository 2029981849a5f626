import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { oneRowPerImage } from '../../server/cli/labelled-images.js';
import { EvalInputError } from '../../server/evaluation/eval-error.js';
import type { LabelsTable } from '../../server/evaluation/labels-file.js';

const CLASSES = ['ECU', 'CU', 'MS'];

/** Rows FILE,LABEL from line 2, the file names standing for their resolved paths. */
function check(rows: [string, string][]): { kept: number[]; warnings: string[] } {
  const table: LabelsTable = { rows: rows.map(([file, label], i) => ({ file, label, line: i + 2 })), fileColumn: 1, labelColumn: 2 };
  return oneRowPerImage('l.csv', table, rows.map(([file]) => file), (label) => CLASSES.indexOf(label.toUpperCase()), (c) => CLASSES[c]!);
}

describe('one row per image in a labels file', () => {
  test('distinct images: every row kept, nothing said', () => {
    assert.deepEqual(check([['a', 'CU'], ['b', 'MS']]), { kept: [0, 1], warnings: [] });
  });

  test('an image again with the same class (spelt otherwise): its first row kept, in file order, and said', () => {
    const { kept, warnings } = check([['a', 'CU'], ['b', 'MS'], ['a', 'cu'], ['c', 'ECU'], ['a', 'CU']]);
    assert.deepEqual(kept, [0, 1, 3]);
    assert.deepEqual(warnings, ['warning: l.csv:4: a is listed 3 times (lines 2, 4, 6, all CU): counted once, as line 2']);
  });

  test('three classes for one image, and a second image in conflict: refused, every line named', () => {
    assert.throws(
      () => check([['a', 'MS'], ['a', 'CU'], ['b', 'MS'], ['a', 'ECU'], ['b', 'CU']]),
      (error: unknown) =>
        error instanceof EvalInputError &&
        error.message === 'l.csv:3, column 2 ("label"): a is labelled MS on line 2, CU on line 3 and ECU on line 5; also b is labelled MS on line 4 and CU on line 6: one frame carries one label' &&
        /keep one row per image/.test(error.hint ?? ''),
    );
  });

  test('many repeated images: ten said one by one, the rest counted', () => {
    const rows = Array.from({ length: 12 }, (_, i): [string, string] => [`f${i}`, 'MS']);
    const { kept, warnings } = check([...rows, ...rows]);
    assert.equal(kept.length, 12);
    assert.equal(warnings.length, 11);
    assert.equal(warnings.at(-1), 'warning: l.csv: and 2 more images listed more than once, each counted once');
  });
});
