/**
 * Names as the config and the API take them (scenes, takes, tags, plan
 * items, camera names): printable text. A NUL, a newline or an escape in a
 * scene name breaks the exports that carry it (an EDL comment, an ALE row)
 * and forges lines in the log; no slate has one.
 */
import { z } from 'zod';
import { hasControlCharacter, LONE_SURROGATE, MAX_NAME_LENGTH, NO_CONTROL_CHARACTERS } from '../shared/input-limits.js';

export { hasControlCharacter, MAX_NAME_LENGTH, NO_CONTROL_CHARACTERS };

/** The largest take or scene given as a number: a slate's number, well inside what JSON and SQLite hold exactly. */
export const MAX_SLATE_NUMBER = 999_999_999;

/** A note has lines and may be indented; the other controls are as wrong there as in a name. */
const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A name of at most `max` characters without control characters. */
export function nameText(max = MAX_NAME_LENGTH): z.ZodType<string, string> {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((text) => !hasControlCharacter(text), NO_CONTROL_CHARACTERS);
}

/** Free text (a note): newlines and tabs allowed, other control characters not. */
export function noteText(max: number): z.ZodType<string, string> {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((text) => !NOTE_CONTROL.test(text) && !LONE_SURROGATE.test(text), 'no control characters other than newlines and tabs');
}
