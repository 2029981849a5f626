/**
 * Names as the config and the API take them (scenes, takes, tags, plan
 * items, camera names): printable text. A NUL, a newline or an escape in a
 * scene name breaks the exports that carry it (an EDL comment, an ALE row)
 * and forges lines in the log; no slate has one.
 */
import { z } from 'zod';
import { hasControlCharacter, MAX_NAME_LENGTH, NO_CONTROL_CHARACTERS } from '../shared/input-limits.js';

export { hasControlCharacter, MAX_NAME_LENGTH, NO_CONTROL_CHARACTERS };

/** The largest take or scene given as a number: a slate's number, well inside what JSON and SQLite hold exactly. */
export const MAX_SLATE_NUMBER = 999_999_999;

/** A note has lines and may be indented; the other controls and invisible characters are as wrong there as in a name. */
const NOTE_LINE_BREAKS = /[\t\n\r]/g;

/** A name of at most `max` characters without control or invisible characters (hasControlCharacter). */
export function nameText(max = MAX_NAME_LENGTH): z.ZodType<string, string> {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((text) => !hasControlCharacter(text), NO_CONTROL_CHARACTERS);
}

/** Free text (a note): newlines and tabs allowed, other control and invisible characters not (the Shots view's form says the same). */
export function noteText(max: number): z.ZodType<string, string> {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((text) => !hasControlCharacter(text.replace(NOTE_LINE_BREAKS, '')), 'no control characters other than newlines and tabs, and no invisible ones (zero-width spaces, direction marks...)');
}
