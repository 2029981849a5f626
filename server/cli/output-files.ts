/**
 * Where the commands write their results (--out, --json, --csv, ...). A path
 * that cannot be written is said with OUTPUT_UNWRITABLE, the option and the
 * reason; commands check their outputs before the work that fills them, so
 * that minutes of analysis are not lost to a typo in an output path. A file
 * is written whole or not at all: beside it first, then renamed over it, so
 * an earlier file of the same name survives a failed write.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ShotscaleError } from '../errors.js';

function unwritable(option: string, target: string, error: unknown, folder?: string): ShotscaleError {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EEXIST: 'a file stands where a folder is needed',
    ENOTDIR: 'a file stands where a folder is needed',
    EISDIR: 'it is a folder; name a file',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
  };
  const reason = (code && why[code]) ?? (error instanceof Error ? error.message : String(error));
  return new ShotscaleError('OUTPUT_UNWRITABLE', `${option} ${target}: cannot be written (${folder ? `its folder ${folder}: ` : ''}${reason})`, { hint: `name another ${option === '--out' ? 'path' : 'file'}, or make its folder writable` });
}

/** Creates `dir` (and its parents) or says why it cannot be. */
export function makeOutputDir(option: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw unwritable(option, dir, error);
  }
  if (!statSync(dir).isDirectory()) throw unwritable(option, dir, Object.assign(new Error('not a folder'), { code: 'EEXIST' }));
}

/** Before the work: the file's folder exists (or is made) and the file itself is not a folder. */
export function checkOutputFile(option: string, file: string): void {
  const folder = path.dirname(path.resolve(file));
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw unwritable(option, file, error, folder);
  }
  let isFolder = false;
  try {
    isFolder = statSync(file).isDirectory();
  } catch {
    // Not there yet: it is written later.
  }
  if (isFolder) throw unwritable(option, file, Object.assign(new Error('a folder'), { code: 'EISDIR' }));
}

/** Whether `file` is absent or a plain file (not a link, a pipe or a device such as /dev/stdout). */
function plainOrAbsent(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return true;
  }
}

/**
 * Writes `body` to `file` whole: beside it first, then renamed over it. A
 * link, a pipe or a device (--csv /dev/stdout) is written in place, so that
 * it stays what it is.
 */
export function writeOutputFile(option: string, file: string, body: string | Uint8Array): void {
  checkOutputFile(option, file);
  if (!plainOrAbsent(file)) {
    try {
      writeFileSync(file, body);
    } catch (error) {
      throw unwritable(option, file, error);
    }
    return;
  }
  const partial = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.partial`);
  try {
    writeFileSync(partial, body);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw unwritable(option, file, error);
  }
}
