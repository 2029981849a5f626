/**
 * Text cleaning shared by the exports. Operator notes, tags and model reasons
 * are free text, but most exchange formats are line- or tab-structured: a tab
 * in an ALE cell or a newline in an EDL comment would split a record and
 * corrupt every line after it. Spreadsheets run cells that start with
 * = + - @ as formulas (CSV injection), so user text in CSV gets a leading '.
 */

/** Line and field breakers (tabs, CR, LF, VT, FF, NEL, LS, PS) and other control characters. */
const BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g;

/** Free text on one line without tabs: breaks become a single space, ends trimmed. */
export function oneLine(text: string | null | undefined): string {
  if (!text) return '';
  return text.replace(BREAKS_AND_CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * One line, cut to at most `max` characters (plainly: an ellipsis is not ASCII, and EDL readers expect ASCII headers).
 * Characters are code points, so a cut never splits an emoji or other character outside the BMP into a lone half,
 * which would reach the file as U+FFFD.
 */
export function oneLineMax(text: string | null | undefined, max: number): string {
  return Array.from(oneLine(text)).slice(0, max).join('').trimEnd();
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP's list: = + - @, tab, CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell of user text that a spreadsheet would evaluate gets a leading apostrophe. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A number with at most `decimals` decimals, without trailing zeros or exponent noise ("0.8200" -> "0.82"). */
export function roundedNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return '';
  const rounded = Number(value.toFixed(decimals));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}
