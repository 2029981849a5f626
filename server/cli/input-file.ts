/**
 * A file a command reads (`log`'s video, the shot log of `export` and
 * `samples export`): it must be there and be a regular file. A folder or a
 * pipe is not one: SQLite calls a folder a disk I/O error and waits on a pipe
 * for ever, and `log` reads its video twice (header, then frames), so a pipe
 * would be empty the second time.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { ShotscaleError } from '../errors.js';

/** Throws INPUT_UNREADABLE with `missing` when `file` is absent, and saying it is not `what` when it is not a regular file. */
export function checkInputFile(file: string, missing: string, what: string, hints: { missing?: string; notFile?: string } = {}): void {
  if (!existsSync(file)) throw new ShotscaleError('INPUT_UNREADABLE', missing, hints.missing ? { hint: hints.missing } : undefined);
  if (!statSync(file).isFile()) throw new ShotscaleError('INPUT_UNREADABLE', `${file}: not ${what} (a folder, pipe or device)`, hints.notFile ? { hint: hints.notFile } : undefined);
}

/** The shot log a read-only command opens. */
export function checkShotLogFile(file: string): void {
  checkInputFile(file, `no shot log at ${file}`, 'a file', {
    missing: 'name one with --db, or the server config with --config',
    notFile: 'name a shotscale.sqlite that shotscale serve or shotscale log wrote',
  });
}

/**
 * Why `file` is no regular file to read ("no such file", "not a regular file
 * (a pipe or device)"), or null when it is one. For the commands that skip
 * such an input and go on (classify), where checkInputFile would stop.
 */
export function notRegularFile(file: string): string | null {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats) return 'no such file';
  if (stats.isDirectory()) return 'not a regular file (a folder)';
  return stats.isFile() ? null : 'not a regular file (a pipe or device)';
}

/** What each problem of unreadableFile asks of the user. */
export const READ_PROBLEM_HINTS = {
  'permission denied': 'make the file readable by the user running shotscale (chmod, chown), or run it as a user who may read it',
  'empty file (0 bytes)': 'the file was never written, or its copy failed; copy it again',
} as const;

/**
 * Why a regular file cannot be read, in the words every command uses:
 * "permission denied" (checked as the user running this process) or "empty
 * file (0 bytes)"; null when neither. Checked before ffmpeg opens it: ffmpeg
 * says either as "does not contain any stream" (an image), which read as a
 * file with only sound.
 */
export function unreadableFile(file: string): keyof typeof READ_PROBLEM_HINTS | null {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    return null; // gone meanwhile: said by whoever opens it next
  }
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats?.isFile() && stats.size === 0 ? 'empty file (0 bytes)' : null;
}
