/**
 * The labels CSV of an evaluation: a header row naming at least `file` and
 * `label`; other columns (source_label, vetted_film_frame, ...) are ignored.
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

export function parseLabels(text: string, source: string): LabelRow[] {
  const [header, ...records] = parseCsv(text, source);
  if (!header) throw new EvalInputError(`${source}: empty labels file`);
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const fileAt = columns.indexOf('file');
  const labelAt = columns.indexOf('label');
  const missing = [fileAt < 0 ? 'file' : null, labelAt < 0 ? 'label' : null].filter(Boolean);
  if (missing.length) {
    throw new EvalInputError(`${source}:${header.line}: the header needs columns "file" and "label" (missing ${missing.join(', ')}; found ${header.fields.join(', ')})`);
  }
  const rows = records.map(({ line, fields }) => ({ line, file: (fields[fileAt] ?? '').trim(), label: (fields[labelAt] ?? '').trim() }));
  const empty = rows.filter((r) => !r.file || !r.label);
  if (empty.length) {
    throw new EvalInputError(`${source}: rows without a file or a label on line${empty.length > 1 ? 's' : ''} ${empty.slice(0, 10).map((r) => r.line).join(', ')}${empty.length > 10 ? ', ...' : ''}`);
  }
  if (!rows.length) throw new EvalInputError(`${source}: no rows below the header`);
  return rows;
}
