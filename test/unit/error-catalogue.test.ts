/**
 * The README's table of codes ("Every code") is the error catalogue: every
 * code in server/errors.ts has its row with the same words, and the table
 * names no code the server cannot give. A code added without its row, or a
 * row left for a code that is gone, fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../server/errors.js';
import { REPO_DIR } from '../support/server-harness.js';

test("the README's table of codes is server/errors.ts's catalogue, row for row", () => {
  const readme = readFileSync(path.join(REPO_DIR, 'README.md'), 'utf8');
  const start = readme.indexOf('\n### Every code\n');
  assert.ok(start >= 0, 'README has a section "Every code"');
  const section = readme.slice(start + 1, readme.indexOf('\n#', start + 2));
  const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!] as const);
  assert.deepEqual(rows, Object.entries(ERROR_CODES));
});
