/**
 * Makes a folder and its missing parents, one level at a time. Node 20's
 * mkdirSync({ recursive: true }) loops for ever, at full CPU, under a file
 * system that answers ENOENT for a folder it will not make (/proc/x): a
 * typo in an output path would hang the command instead of failing.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

function notAFolder(dir: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
}

/** Whether `dir` is a folder (false: nothing there); throws ENOTDIR when something else is. */
function isFolder(dir: string): boolean {
  try {
    if (statSync(dir).isDirectory()) return true;
  } catch {
    return false;
  }
  throw notAFolder(dir);
}

export function makeFolder(dir: string): void {
  const full = path.resolve(dir);
  if (isFolder(full)) return;
  const parent = path.dirname(full);
  if (parent !== full) makeFolder(parent);
  try {
    mkdirSync(full);
  } catch (error) {
    // Made meanwhile by someone else: as good as made here.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isFolder(full)) throw error;
  }
}
