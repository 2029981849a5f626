/**
 * RFC 4180 CSV, both ways: quoted fields may hold commas, doubled quotes and
 * line breaks (source paths and model reasons do), CRLF or LF line ends, an
 * optional UTF-8 BOM (spreadsheets write one).
 */
import { EvalInputError } from './eval-error.js';

export interface CsvRecord {
  /** 1-based line on which the record starts, for error messages. */
  line: number;
  fields: string[];
}

const QUOTE_HINT = 'a field holding a comma, a quote or a line break is written in double quotes, each quote inside it doubled ("say ""hi"""), as spreadsheets write CSV';

export function parseCsv(text: string, source = 'CSV'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  // Where the open quoted field starts, for the error when it is never closed.
  let quoteLine = 1;
  let quoteColumn = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Where the current line starts, for the column in an error (1-based, in characters).
  let lineStart = i;
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record (trailing newlines, spacing in hand-made files).
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (ch === '\n') {
          line += 1;
          lineStart = i + 1;
        }
        field += ch;
      }
    } else if (ch === '"') {
      if (field !== '') throw new EvalInputError(`${source}:${line}:${i - lineStart + 1}: a quote inside an unquoted field (field ${fields.length + 1})`, QUOTE_HINT);
      quoted = true;
      quoteLine = line;
      quoteColumn = i - lineStart + 1;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      recordLine = line;
      lineStart = i + 1;
    } else field += ch;
  }
  if (quoted) throw new EvalInputError(`${source}:${quoteLine}:${quoteColumn}: a quoted field is not closed`, QUOTE_HINT);
  endRecord();
  return records;
}

/** A field as CSV: quoted only when it must be. */
export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatCsvRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(',');
}
