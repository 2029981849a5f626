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

/** Characters beyond ASCII that NFKD does not take apart, by their usual ASCII spelling. */
const ASCII_SPELLINGS: Readonly<Record<string, string>> = {
  '\u00df': 'ss', // ß
  '\u00e6': 'ae',
  '\u00c6': 'AE',
  '\u0153': 'oe',
  '\u0152': 'OE',
  '\u00f8': 'o',
  '\u00d8': 'O',
  '\u0111': 'd',
  '\u0110': 'D',
  '\u00f0': 'd',
  '\u00d0': 'D',
  '\u0142': 'l',
  '\u0141': 'L',
  '\u00fe': 'th',
  '\u00de': 'Th',
  '\u0131': 'i',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2044': '/',
  '\u00d7': 'x',
  '\u2022': '*',
  '\u00b0': ' deg',
  '\u20ac': 'EUR',
  '\u00a3': 'GBP',
};

/**
 * Text for formats that are ASCII by definition (CMX3600 EDL): accents dropped
 * ("Grüße" -> "Grusse"), typographic quotes and dashes spelled plainly, and
 * each run of characters with no ASCII spelling (CJK, emoji) one "?", so a
 * reader that takes the bytes for Latin-1 or its system code page never shows
 * them as garbage.
 */
export function asciiText(text: string): string {
  let out = '';
  let spelled = true;
  for (const c of text.normalize('NFKD').replace(/\p{M}/gu, '')) {
    const ascii = c <= '\u007f' ? c : ASCII_SPELLINGS[c];
    if (ascii === undefined && spelled) out += '?';
    if (ascii !== undefined) out += ascii;
    spelled = ascii !== undefined;
  }
  return out;
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
