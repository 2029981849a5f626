/**
 * Bounds the server puts on names, plans and cameras, read by the schemas
 * that refuse what is past them and by the dashboard's forms, which say the
 * same at the field before sending. No zod here: the dashboard's bundle
 * imports this file.
 */

/** Scene, take and plan names, tags: what a slate or a dashboard cell shows (README: names 64 characters). */
export const MAX_NAME_LENGTH = 64;

/**
 * C0 controls (NUL to US), DEL and the C1 controls, the Unicode line and
 * paragraph separators (a line break to a JSON-reading or JavaScript tool),
 * and a lone UTF-16 surrogate (SQLite and every export store it as U+FFFD:
 * the text read back would not be the text sent). With the `u` flag a
 * surrogate class matches only a lone one: a pair is one code point.
 * Written into UNSAFE below.
 *
 * A zero-width joiner or non-joiner does a letter's or an emoji's work
 * between two non-ASCII letters, marks or symbols: family and flag emoji are
 * joined with U+200D ("👨‍👩‍👧"), Persian and Indic words need U+200C and U+200D.
 * Next to ASCII, a space, a digit or another format character it changes
 * nothing that shows.
 */
const JOINABLE = /^[\p{L}\p{M}\p{S}]$/u;

/**
 * What a name may not hold: the controls above, and every invisible format
 * character (Unicode category Cf) but a joiner inside a word: the direction
 * overrides and isolates, which make a name read one way and sort, match and
 * export another; zero-width spaces, word joiners, direction marks, the soft
 * hyphen, invisible operators, tag characters and a byte order mark, which
 * make "12" and "12\u2060" two scenes that look the same. One rule for a
 * byte order mark: where a name is trimmed (scenes, takes, tags, plans),
 * JavaScript trims it with the spaces, so one at either end goes; anywhere
 * else it is refused like the rest.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]|\p{Cf}/gu;

/** The code point that ends just before `at`, or null at the start. */
function codePointBefore(text: string, at: number): string | null {
  if (at === 0) return null;
  const low = text.charCodeAt(at - 1);
  const pair = at >= 2 && low >= 0xdc00 && low <= 0xdfff && text.charCodeAt(at - 2) >= 0xd800 && text.charCodeAt(at - 2) <= 0xdbff;
  return text.slice(pair ? at - 2 : at - 1, at);
}

/** Whether the character UNSAFE found at `at` is a joiner inside a word (JOINABLE on both sides, neither ASCII). */
function joinerInWord(text: string, char: string, at: number): boolean {
  if (char !== '\u200c' && char !== '\u200d') return false;
  const joins = (c: string | null) => c !== null && c.codePointAt(0)! > 0x7f && JOINABLE.test(c);
  const after = text.codePointAt(at + 1);
  return joins(codePointBefore(text, at)) && joins(after === undefined ? null : String.fromCodePoint(after));
}

export const NO_CONTROL_CHARACTERS = 'no control characters (NUL, newline, tab, escape, line separators, direction overrides, zero-width spaces and other invisible ones...)';

/** Whether the text has a control character, an invisible format character or a lone UTF-16 surrogate (UNSAFE above). */
export function hasControlCharacter(text: string): boolean {
  // Schema refinements may run on a field the shape check has already refused (absent): that is its fault, not this one.
  if (typeof text !== 'string') return false;
  for (const match of text.matchAll(UNSAFE)) if (!joinerInWord(text, match[0], match.index)) return true;
  return false;
}

/**
 * A message as a client or a log may show it: a control character, an
 * invisible format character (a direction override or isolate, a zero-width
 * space ...), a line separator or a lone surrogate is written as its \uXXXX
 * escape. Messages quote what was sent (a camera id, a key), and a
 * right-to-left override quoted as it is reverses the rest of the line on
 * the screen or in the log that shows it.
 */
export function visibleText(text: string): string {
  return text.replace(UNSAFE, (char: string, at: number) => {
    if (joinerInWord(text, char, at)) return char;
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** What is said of a take (or scene) sent as a number that no slate shows: a fraction, or below 0. */
export const SLATE_NUMBER_WHOLE = 'a whole number, or text such as "12A"';
export const SLATE_NUMBER_NOT_NEGATIVE = 'not negative';

/** Text that reads as a number: "-1", "1.5", "+2", ".5", "1e3". */
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A whole number as a slate may write it: digits, with a leading "+",
 * leading zeros or a zero fraction ("01", "+1", "1.0"). It is that number:
 * take "01" is take 1. Read as text, not through Number(): a take past
 * 2^53 ("9007199254740993") is not rounded into another.
 */
const WHOLE_NUMBER_TEXT = /^([+-]?)(\d*)(?:\.0*)?$/;

/**
 * Scene and take text as stored, compared and answered: trimmed, each run
 * of spaces inside (of any width) one space, and in Unicode NFC, so that
 * "Küche" typed with a combining umlaut ("Ku\u0308che", as macOS file names
 * and some keyboards give it) is the scene "Küche" and not a second one that
 * looks the same, and "Scene  12" typed with two spaces is "Scene 12".
 */
export function slateText(text: string): string {
  // Spaces of any width (\p{Zs}: a no-break space too, which looks the same); tabs, newlines and invisible characters are refused where text comes in.
  return text.trim().replace(/\p{Zs}+/gu, ' ').normalize('NFC');
}

/**
 * What makes two spellings one scene (or one take of a scene): slateText
 * in lower case. "kitchen" typed on one dashboard and "Kitchen" on another
 * are one scene, spelled as it was first (ShotLog.sceneSpelling): coverage
 * split over two would call framings missing in each.
 */
export function slateKey(text: string): string {
  return slateText(text).toLowerCase();
}

/**
 * A take as stored, compared and answered: slateText, and a take written
 * as a whole number in another way is that number ("01", "+1", "1.0" are
 * take 1; README: a take number is used once per scene). Other text
 * ("12A", a number past what JavaScript holds exactly) is kept as written.
 */
export function canonicalTake(text: string): string {
  const take = slateText(text);
  const whole = /\d/.test(take) ? WHOLE_NUMBER_TEXT.exec(take) : null;
  if (!whole) return take;
  const digits = whole[2]!.replace(/^0+/, '') || '0';
  // "-0" is 0; "-1" is refused where it enters (takeNumberProblems), and kept as written here.
  return whole[1] === '-' && digits !== '0' ? take : digits;
}

/**
 * Why a take written as a number ("-1", "1.5") is not one a slate shows, in
 * the words said of the same take sent as a number (-1, 1.5): the number -1
 * was refused while the text "-1" was slated. A number written as code
 * ("0x1", "1e0", "Infinity") is refused, saying how to write it: kept as
 * text it would be a second take 1 beside "1", and a spreadsheet opening
 * the export reads it as 1 anyway. Any other text ("12A", "3") has none.
 */
export function takeNumberProblems(text: string): string[] {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || Number.isNaN(value)) return [];
  if (!NUMBER_TEXT.test(trimmed) || /e/i.test(trimmed)) {
    // Hexadecimal, octal or binary ("0x1"), an exponent ("1e0"), "Infinity": what JavaScript reads as a number and no slate writes.
    const digits = Number.isSafeInteger(value) && value >= 0 ? `"${value}"` : 'digits';
    return [`"${trimmed}" is a number written as code (hexadecimal, an exponent, Infinity); write the take as ${digits}, or as text such as "12A"`];
  }
  // The fraction read from the text: "1.000000000000000001" is 1 to Number() but not a whole number.
  return [...(/\.\d*[1-9]/.test(trimmed) ? [SLATE_NUMBER_WHOLE] : []), ...(value < 0 ? [SLATE_NUMBER_NOT_NEGATIVE] : [])];
}

/**
 * Bounds on what a plan may ask for. A scene needs a handful of framings
 * (a master, singles, inserts: 5 to 30); coverage is worked out over every
 * plan for each update and each dashboard that connects, so a few dozen
 * plans of thousands of items once held the server for seconds at a time.
 */
export const MAX_PLAN_ITEMS = 64;
export const MAX_LABEL_LENGTH = 120;

/**
 * The longest minimum shot length a plan item may ask for, in seconds: a
 * day. A locked-off wide may run for hours; a shot longer than a shoot day
 * is none, and an item asking 1e308 s was taken and shown "at least 1e+308
 * s" as missing for ever.
 */
export const MAX_MIN_DURATION_S = 24 * 3600;

/** Longest camera name: a tile's title, not a note. */
export const CAMERA_NAME_MAX = 128;

/**
 * An RTSP URL that names a host: `rtsp://` alone (or `rtsp://user:pw@/s`)
 * was taken, and the camera then restarted for ever with "connection
 * refused" at no address. The credentials part may hold an `@` of its own
 * (a password), so the host is what follows the last one.
 */
export const RTSP_URL_PATTERN = /^rtsps?:\/\/([^/?#]*@)?[^/?#:@\s][^/?#@\s]*([/?#]|$)/i;

/**
 * The largest test pattern: 8K UHD. lavfi allocates every frame at the size
 * asked for before the resize, so 100000x100000 (30 GB a frame in RGB) is
 * an out-of-memory kill, not a picture. The rate stops at 120 (the fastest
 * broadcast rate, ITU-R BT.2020): 8K at 1000 fps was taken, and ffmpeg
 * could not draw its first frame in time, so the camera restarted for ever
 * with "no frame" instead of being refused.
 */
export const TESTSRC_MAX = { width: 7680, height: 4320, fps: 120 } as const;

/** The camera id rule: what a URL path, a log line and a metric label can carry as they are (server/config/camera-id.ts). */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const CAMERA_ID_RULE = 'letters, digits, "-" and "_", at most 64, starting with a letter or digit';

/** Highest analysis rate a camera may ask for, frames per second (cameraSchema.analysisFps). */
export const MAX_ANALYSIS_FPS = 60;

/** A shot's note and tags (PATCH /api/shots/:id), checked by the Shots view's edit form at the field too. */
export const MAX_NOTE_LENGTH = 2000;
export const MAX_TAGS = 32;
