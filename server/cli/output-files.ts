/**
 * Where the commands write their results (--out, --json, --csv, ...). A path
 * that cannot be written is said with OUTPUT_UNWRITABLE, the option and the
 * reason; commands check their outputs before the work that fills them, so
 * that minutes of analysis are not lost to a typo in an output path (or to a
 * folder that cannot be written). A file is written whole or not at all:
 * beside it first, then renamed over it, so an earlier file of the same name
 * survives a failed write; files that belong together (a head and its base
 * knowledge) are all written before any of them is renamed.
 */
import { accessSync, constants, existsSync, lstatSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ShotscaleError } from '../errors.js';
import { makeFolder } from '../shared/make-folder.js';
import { UsageError } from './command-options.js';

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
    // A folder that exists but takes no new file (/proc); said without the name of the file tried there.
    ENOENT: 'the folder takes no new files',
  };
  const reason = (code && why[code]) ?? (error instanceof Error ? error.message : String(error));
  return new ShotscaleError('OUTPUT_UNWRITABLE', `${option} ${target}: cannot be written (${folder ? `its folder ${folder}: ` : ''}${reason})`, { hint: `name another ${option === '--out' ? 'path' : 'file'}, or make its folder writable` });
}

/** Creates `dir` (and its parents) or says why it cannot be. */
export function makeOutputDir(option: string, dir: string): void {
  try {
    makeFolder(dir);
  } catch (error) {
    throw unwritable(option, dir, error);
  }
  if (!statSync(dir).isDirectory()) throw unwritable(option, dir, Object.assign(new Error('not a folder'), { code: 'EEXIST' }));
}

/**
 * Before the work: the file's folder exists (or is made) and can be written,
 * and the file itself is not a folder. A pipe, a device or a link
 * (--csv /dev/stdout) is written in place, so it is the file that must be
 * writable, not its folder (/dev is not, to most users).
 */
export function checkOutputFile(option: string, file: string): void {
  const folder = path.dirname(path.resolve(file));
  try {
    makeFolder(folder);
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
  // A link to a file not there yet makes it in the link's target folder.
  const inPlace = !plainOrAbsent(file);
  const target = !inPlace ? folder : existsSync(file) ? file : path.dirname(path.resolve(folder, readlinkSync(file)));
  try {
    accessSync(target, constants.W_OK);
  } catch (error) {
    throw unwritable(option, file, error, target === file ? undefined : target);
  }
  if (inPlace) return;
  // Permission bits are not all (root passes them; /proc and a read-only mount refuse a new file all the
  // same): a file is made beside it and removed, as the write will make its partial file there.
  const probe = path.join(folder, `.shotscale-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
  } catch (error) {
    throw unwritable(option, file, error, folder);
  }
  rmSync(probe, { force: true });
}

/** Whether `file` is absent or a plain file (not a link, a pipe or a device such as /dev/stdout). */
function plainOrAbsent(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return true;
  }
}

/** A file written beside its target, not yet renamed over it. */
interface Staged {
  commit(): void;
  discard(): void;
}

/**
 * `body` written beside `file` (or, for a link, a pipe or a device, nothing
 * yet: it is written in place on commit, so that it stays what it is).
 */
function stage(option: string, file: string, body: string | Uint8Array): Staged {
  checkOutputFile(option, file);
  if (!plainOrAbsent(file)) {
    return {
      commit: () => {
        try {
          writeFileSync(file, body);
        } catch (error) {
          throw unwritable(option, file, error);
        }
      },
      discard: () => undefined,
    };
  }
  const partial = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.partial`);
  const discard = () => rmSync(partial, { force: true });
  try {
    writeFileSync(partial, body);
  } catch (error) {
    discard();
    throw unwritable(option, file, error);
  }
  return {
    commit: () => {
      try {
        renameSync(partial, file);
      } catch (error) {
        discard();
        throw unwritable(option, file, error);
      }
    },
    discard,
  };
}

/** Writes `body` to `file` whole: beside it first, then renamed over it. */
export function writeOutputFile(option: string, file: string, body: string | Uint8Array): void {
  stage(option, file, body).commit();
}

/**
 * Files that belong together (a head and its base knowledge): every one is
 * written beside its target before any is renamed, in the order given, so
 * that a failed write leaves all the earlier files as they were rather than
 * a new one beside an old one.
 */
export function writeOutputFiles(files: readonly { option: string; file: string; body: string | Uint8Array }[]): void {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(stage(f.option, f.file, f.body));
  } catch (error) {
    for (const s of staged) s.discard();
    throw error;
  }
  staged.forEach((s, i) => {
    try {
      s.commit();
    } catch (error) {
      for (const rest of staged.slice(i + 1)) rest.discard();
      throw error;
    }
  });
}

/** A path as the file system will meet it: links and `..` resolved as far as the path exists. */
function samePathKey(file: string): string {
  const full = path.resolve(file);
  try {
    return realpathSync(full);
  } catch {
    // Not there yet: its folder may still be a link.
    try {
      return path.join(realpathSync(path.dirname(full)), path.basename(full));
    } catch {
      return full;
    }
  }
}

/**
 * Before the work: no two outputs, and no output and input, are one file (the
 * later write would silently replace the earlier, or what was read). A
 * UsageError (exit 2) naming both options.
 */
export function checkDistinctFiles(outputs: readonly (readonly [string, string])[], inputs: readonly (readonly [string, string])[] = []): void {
  const seen = new Map<string, string>();
  for (const [option, file] of [...inputs, ...outputs]) {
    const key = samePathKey(file);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new UsageError(`${option} ${file}: the same file as ${earlier}`, 'name a file of its own for each output');
    seen.set(key, `${option} ${file}`);
  }
}

/**
 * Before the work: an output is not the SQLite database a command reads, nor
 * its -wal or -shm file beside it (writing there would replace the database,
 * or corrupt it). A UsageError (exit 2) naming the output and `input`, the
 * words that say where the database came from (`--db FILE`).
 */
export function checkNotInputFile(option: string, file: string, input: string, database: string): void {
  const key = samePathKey(file);
  for (const [suffix, what] of [['', 'the same file as'], ['-wal', 'the write-ahead log of'], ['-shm', 'the shared-memory file of']] as const) {
    if (samePathKey(database + suffix) === key) throw new UsageError(`${option} ${file}: ${what} ${input}, which would be overwritten`, `name another file for ${option}`);
  }
}
