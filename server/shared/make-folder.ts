/**
 * Makes a folder and its missing parents, one level at a time. Node 20's
 * mkdirSync({ recursive: true }) loops for ever, at full CPU, under a file
 * system that answers ENOENT for a folder it will not make (/proc/x): a
 * typo in an output path would hang the command instead of failing.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function makeFolder(dir: string): void {
  const full = path.resolve(dir);
  try {
    if (statSync(full).isDirectory()) return;
  } catch {
    // Not there: made below.
  }
  const parent = path.dirname(full);
  if (parent !== full) makeFolder(parent);
  try {
    mkdirSync(full);
  } catch (error) {
    // Made meanwhile by someone else: as good as made here (a file of that name is said by the caller's checks).
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
