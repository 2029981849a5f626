/** Zod issues in words, with the key path written as a user types it (cameras[2].source.url). */
import type { z } from 'zod';
import { visibleText } from '../shared/input-limits.js';

/** Longest key quoted in a message: a key is a client's text, and a message says where, not everything sent. */
const MAX_KEY_SHOWN = 64;

/** A key as a message quotes it: in JSON quotes (its controls escaped), cut to MAX_KEY_SHOWN characters. */
export function quotedKey(key: PropertyKey): string {
  const text = String(key);
  // JSON escapes the C0 controls; direction overrides and the like are escaped too (a CLI or a log shows the key).
  return visibleText(JSON.stringify(text.length > MAX_KEY_SHOWN ? `${text.slice(0, MAX_KEY_SHOWN)}...` : text));
}

/** Renders a zod path like cameras[2].source.kind; a key that is not a plain name is quoted (plans["scene 12"]). */
export function formatKeyPath(keyPath: readonly PropertyKey[]): string {
  let out = '';
  for (const part of keyPath) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && part.length <= MAX_KEY_SHOWN && /^[\w$-]+$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${quotedKey(part)}]`;
  }
  return out || '(top level)';
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(quotedKey).join(', ')}`;
  }
  return issue.message;
}
