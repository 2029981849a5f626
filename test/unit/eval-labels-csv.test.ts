import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, formatCsvRow, parseCsv } from '../../server/evaluation/csv-table.js';
import { EvalInputError } from '../../server/evaluation/eval-error.js';
import { parseLabels, readLabelsTable } from '../../server/evaluation/labels-file.js';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('CSV parsing', () => {
  test('quoted fields hold commas, doubled quotes and line breaks', () => {
    const text = 'file,label,source_path\r\n"a, b.jpg",CU,"Framing/""Close Up""/x.jpg"\n"multi\nline.jpg",MS,plain\n';
    const records = parseCsv(text);
    assert.deepEqual(records.map((r) => r.fields), [
      ['file', 'label', 'source_path'],
      ['a, b.jpg', 'CU', 'Framing/"Close Up"/x.jpg'],
      ['multi\nline.jpg', 'MS', 'plain'],
    ]);
    assert.deepEqual(records.map((r) => r.line), [1, 2, 3], 'a record starts on its own line; the break inside quotes counts for the next');
  });

  test('BOM, blank lines, empty fields, no final newline', () => {
    assert.deepEqual(fields('\ufeffa,b\n\n1,\n,2'), [['a', 'b'], ['1', ''], ['', '2']]);
  });

  test('malformed quoting is an error with the line and column, and a hint', () => {
    assert.throws(() => parseCsv('a,b\n1,"open\n', 'l.csv'), /l\.csv:2:3: a quoted field is not closed/);
    assert.throws(() => parseCsv('a,b\n1,x"y"\n', 'l.csv'), /l\.csv:2:4: a quote inside an unquoted field \(field 2\)/);
    // The column counts from the start of the line, also after a quoted field with a line break in it.
    assert.throws(() => parseCsv('a,b\n"x\ny",z"\n', 'l.csv'), /l\.csv:3:5: a quote inside an unquoted field/);
    assert.throws(() => parseCsv('a,b\r\nc,d"\r\n', 'l.csv'), (error: unknown) => error instanceof EvalInputError && /l\.csv:2:4:/.test(error.message) && /double quotes/.test(error.hint ?? ''));
  });

  test('writing quotes only what must be quoted, and reads back the same', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField(undefined), '');
    const row = ['x.jpg', 'hips in frame, knees out -> "MS"', 0.25, true, 'two\nlines'];
    assert.deepEqual(fields(formatCsvRow(row)), [row.map(String)]);
  });
});

describe('labels file', () => {
  test('file and label by header name, other columns ignored, quoted fields', () => {
    const rows = parseLabels('vetted,label,file,source_path\n1,CU,img/a.jpg,"Framing/Close Up/a, b.jpg"\n0, ELS ,"img/b, c.jpg",x\n', 'labels.csv');
    assert.deepEqual(rows, [
      { line: 2, file: 'img/a.jpg', label: 'CU' },
      { line: 3, file: 'img/b, c.jpg', label: 'ELS' },
    ]);
  });

  test('the real evalset header', () => {
    const rows = parseLabels('file,label,source_label,vetted_film_frame,source_path\nimg/cn_0001.jpg,CU,Close Up,0,Framing/original_photos/Close Up/images.jpg\n', 'labels.csv');
    assert.deepEqual(rows, [{ line: 2, file: 'img/cn_0001.jpg', label: 'CU' }]);
  });

  /** The error parseLabels throws on `text`, with its hint. */
  const failure = (text: string): EvalInputError => {
    try {
      parseLabels(text, 'l.csv');
    } catch (error) {
      assert.ok(error instanceof EvalInputError);
      return error;
    }
    assert.fail('no error');
  };

  test('missing columns, empty cells and empty files are clear errors: where, and what to do', () => {
    const header = failure('path,scale\na.jpg,CU\n');
    assert.match(header.message, /^l\.csv:1: the header needs columns "file" and "label" \(missing file, label; found "path", "scale"\)$/);
    assert.match(header.hint!, /the first line names the columns/);
    const headless = failure('a.jpg,CU\nb.jpg,MS\n');
    assert.match(headless.hint!, /the first line looks like a row: add a header line above it/);
    const empty = failure('file,label\na.jpg,CU\nb.jpg,\n,MS\n');
    assert.match(empty.message, /^l\.csv:3: a row with no label \(column 2, "label"\); also on line 4$/);
    assert.match(failure('label,file\n,a.jpg\nCU,\n').message, /^l\.csv:2: a row with no label \(column 1, "label"\); also on line 3$/);
    assert.match(failure('file,label\n,CU\n').message, /^l\.csv:2: a row with no file \(column 1, "file"\)$/);
    const nothing = failure('');
    assert.match(nothing.message, /^l\.csv: the labels file is empty$/);
    assert.match(nothing.hint!, /file,label/);
    assert.match(failure('file,label\n').message, /^l\.csv: no rows below the header \(line 1\)$/);
  });

  test('a file that is not CSV text (a workbook, an image, UTF-16) is said to be one, with where', () => {
    const zip = failure('PK\u0003\u0004\u0014\u0000 rest of a workbook');
    assert.match(zip.message, /^l\.csv:1:3: not a CSV text file \(binary byte 0x03\)$/);
    assert.match(zip.hint!, /save the labels as CSV/);
    assert.match(failure('file,label\na.jpg,CU\nb\u0000.jpg,MS\n').message, /^l\.csv:3:2: not a CSV text file/);
    // Tabs and line ends are text; so is a Latin-1 accent read as UTF-8 (U+FFFD), which a path column may hold.
    assert.equal(parseLabels('file,label,note\na.jpg,CU,"tab\there"\r\nb.jpg,MS,caf\ufffd\n', 'l.csv').length, 2);
  });

  test('a long header is shown cut short', () => {
    const message = failure(`${'x'.repeat(500)},${Array.from({ length: 20 }, (_, i) => `c${i}`).join(',')}\na,b\n`).message;
    assert.ok(message.length < 400, message);
    assert.match(message, /\.\.\. \(21 columns\)\)$/);
  });

  test('the table says which columns hold the file and the label', () => {
    const table = readLabelsTable('note,label,file\nx,CU,a.jpg\n', 'l.csv');
    assert.deepEqual([table.fileColumn, table.labelColumn], [3, 2]);
  });
});
