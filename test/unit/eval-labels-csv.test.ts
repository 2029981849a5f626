import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, formatCsvRow, parseCsv } from '../../server/evaluation/csv-table.js';
import { parseLabels } from '../../server/evaluation/labels-file.js';

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

  test('malformed quoting is an error with the line', () => {
    assert.throws(() => parseCsv('a,b\n1,"open\n', 'l.csv'), /l\.csv:2: a quoted field is not closed/);
    assert.throws(() => parseCsv('a,b\n1,x"y"\n', 'l.csv'), /l\.csv:2: a quote inside an unquoted field/);
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

  test('missing columns, empty cells and empty files are clear errors', () => {
    assert.throws(() => parseLabels('path,scale\na.jpg,CU\n', 'l.csv'), /l\.csv:1: the header needs columns "file" and "label" \(missing file, label; found path, scale\)/);
    assert.throws(() => parseLabels('file,label\na.jpg,CU\nb.jpg,\n,MS\n', 'l.csv'), /rows without a file or a label on lines 3, 4/);
    assert.throws(() => parseLabels('', 'l.csv'), /empty labels file/);
    assert.throws(() => parseLabels('file,label\n', 'l.csv'), /no rows below the header/);
  });
});
