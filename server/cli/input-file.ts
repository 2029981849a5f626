/**
 * A file a command reads (`log`'s video, the shot log of `export` and
 * `samples export`): it must be there and be a regular file. A folder or a
 * pipe is not one: SQLite calls a folder a disk I/O error and waits on a pipe
 * for ever, and `log` reads its video twice (header, then frames), so a pipe
 * would be empty the second time.
 */
import { existsSync, statSync } from 'node:fs';
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
