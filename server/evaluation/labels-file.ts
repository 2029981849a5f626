/**
 * The labels CSV of an evaluation: a header row naming at least `file` and
 * `label`; other columns (source_label, vetted_film_frame, ...) are ignored.
 * Every error says where (`FILE:LINE:`, the column where it helps) and what
 * to do about it.
 */
import { parseCsv } from './csv-table.js';
import { EvalInputError } from './eval-error.js';

export interface LabelRow {
  /** As written in the file: relative to the images folder, or absolute. */
  file: string;
  label: string;
  /** 1-based line in the labels file. */
  line: number;
}

/** The rows, and where the two columns are (1-based), for errors about a row's label or file. */
export interface LabelsTable {
  rows: LabelRow[];
  fileColumn: number;
  labelColumn: number;
}

const EXAMPLE = 'e.g.\n    file,label\n    img/0001.jpg,CU';

/** A header field as shown in an error: quoted, cut short, control characters escaped. */
const shown = (field: string) => JSON.stringify(field.length > 40 ? `${field.slice(0, 40)}...` : field);

/**
 * A control character (other than tab and line ends) is no text a CSV holds:
 * a spreadsheet (.xlsx, .ods), an image or a UTF-16 export given by mistake.
 */
function checkText(text: string, source: string): void {
  const at = text.search(/[\0-\x08\x0b\x0c\x0e-\x1f]/);
  if (at < 0) return;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  throw new EvalInputError(
    `${source}:${line}:${column}: not a CSV text file (binary byte 0x${text.charCodeAt(at).toString(16).padStart(2, '0')})`,
    'save the labels as CSV (UTF-8) from the spreadsheet, or name the CSV rather than the workbook or an image',
  );
}

export function readLabelsTable(text: string, source: string): LabelsTable {
  checkText(text, source);
  const [header, ...records] = parseCsv(text, source);
  if (!header) throw new EvalInputError(`${source}: the labels file is empty`, `write a header line naming the columns, then one line per image, ${EXAMPLE}`);
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const fileAt = columns.indexOf('file');
  const labelAt = columns.indexOf('label');
  const missing = [fileAt < 0 ? 'file' : null, labelAt < 0 ? 'label' : null].filter(Boolean);
  if (missing.length) {
    const found = header.fields.slice(0, 10).map(shown).join(', ') + (header.fields.length > 10 ? `, ... (${header.fields.length} columns)` : '');
    // A file whose first line is already a row ("a.jpg,CU") lacks its header line, not two columns.
    const headless = /\.[a-z0-9]{2,5}$/i.test(header.fields[0]?.trim() ?? '');
    throw new EvalInputError(
      `${source}:${header.line}: the header needs columns "file" and "label" (missing ${missing.join(', ')}; found ${found})`,
      headless ? `the first line looks like a row: add a header line above it, e.g. file,label` : `the first line names the columns (any but file and label are ignored), ${EXAMPLE}`,
    );
  }
  const rows = records.map(({ line, fields }) => ({ line, file: (fields[fileAt] ?? '').trim(), label: (fields[labelAt] ?? '').trim() }));
  const empty = rows.filter((r) => !r.file || !r.label);
  if (empty.length) {
    const first = empty[0]!;
    const what = !first.file ? `no file (column ${fileAt + 1}, "file")` : `no label (column ${labelAt + 1}, "label")`;
    const more = empty.slice(1, 11).map((r) => r.line);
    throw new EvalInputError(
      `${source}:${first.line}: a row with ${what}${more.length ? `; also on line${more.length > 1 ? 's' : ''} ${more.join(', ')}${empty.length > 11 ? ', ...' : ''}` : ''}`,
      'every row names an image and its label; fill them in or delete those rows',
    );
  }
  if (!rows.length) throw new EvalInputError(`${source}: no rows below the header (line ${header.line})`, `add one line per image below it: FILE,LABEL, e.g. img/0001.jpg,CU`);
  return { rows, fileColumn: fileAt + 1, labelColumn: labelAt + 1 };
}

export function parseLabels(text: string, source: string): LabelRow[] {
  return readLabelsTable(text, source).rows;
}
