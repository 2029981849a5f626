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
 * and the direction overrides and isolates, which make a name read one way
 * and sort, match and export another.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A high surrogate without its low one, or a low one without its high one. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const NO_CONTROL_CHARACTERS = 'no control characters (NUL, newline, tab, escape, line separators, direction overrides...)';

/**
 * Whether the text has a control character, or a lone UTF-16 surrogate
 * (which SQLite and every export would store as U+FFFD: the text read back
 * would not be the text sent).
 */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text) || LONE_SURROGATE.test(text);
}

/**
 * A message as a client or a log may show it: a control character, a
 * direction override or isolate, a line separator or a lone surrogate is
 * written as its \uXXXX escape. Messages quote what was sent (a camera id,
 * a key), and a right-to-left override quoted as it is reverses the rest of
 * the line on the screen or in the log that shows it.
 */
export function visibleText(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, (char) => (hasControlCharacter(char) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char));
}

/** What is said of a take (or scene) sent as a number that no slate shows: a fraction, or below 0. */
export const SLATE_NUMBER_WHOLE = 'a whole number, or text such as "12A"';
export const SLATE_NUMBER_NOT_NEGATIVE = 'not negative';

/** Text that reads as a number: "-1", "1.5", "+2", ".5", "1e3". */
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Why a take written as a number ("-1", "1.5") is not one a slate shows, in
 * the words said of the same take sent as a number (-1, 1.5): the number -1
 * was refused while the text "-1" was slated. Any other text ("12A", "3")
 * has none.
 */
export function takeNumberProblems(text: string): string[] {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return [];
  const value = Number(trimmed);
  return [...(Number.isInteger(value) ? [] : [SLATE_NUMBER_WHOLE]), ...(value < 0 ? [SLATE_NUMBER_NOT_NEGATIVE] : [])];
}

/**
 * Bounds on what a plan may ask for. A scene needs a handful of framings
 * (a master, singles, inserts: 5 to 30); coverage is worked out over every
 * plan for each update and each dashboard that connects, so a few dozen
 * plans of thousands of items once held the server for seconds at a time.
 */
export const MAX_PLAN_ITEMS = 64;
export const MAX_LABEL_LENGTH = 120;

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
