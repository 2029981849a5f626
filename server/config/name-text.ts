/**
 * Names as the config and the API take them (scenes, takes, tags, plan
 * items, camera names): printable text. A NUL, a newline or an escape in a
 * scene name breaks the exports that carry it (an EDL comment, an ALE row)
 * and forges lines in the log; no slate has one.
 */
import { z } from 'zod';

/** Scene, take and plan names, tags: what a slate or a dashboard cell shows (README: names 64 characters). */
export const MAX_NAME_LENGTH = 64;

/** C0 controls (NUL to US) and DEL. */
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A note has lines and may be indented; the other controls are as wrong there as in a name. */
const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const NO_CONTROL_CHARACTERS = 'no control characters (NUL, newline, tab, escape...)';

export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** A name of at most `max` characters without control characters. */
export function nameText(max = MAX_NAME_LENGTH): z.ZodType<string, string> {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((text) => !CONTROL.test(text), NO_CONTROL_CHARACTERS);
}

/** Free text (a note): newlines and tabs allowed, other control characters not. */
export function noteText(max: number): z.ZodType<string, string> {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((text) => !NOTE_CONTROL.test(text), 'no control characters other than newlines and tabs');
}
