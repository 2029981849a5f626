/** Zod issues in words, with the key path written as a user types it (cameras[2].source.url). */
import type { z } from 'zod';

/** Renders a zod path like cameras[2].source.kind. */
export function formatKeyPath(keyPath: readonly PropertyKey[]): string {
  let out = '';
  for (const part of keyPath) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return issue.message;
}
