/**
 * The shot log a read-only command (`export`, `samples export`) opens: it
 * must be there and be a file. A folder or a pipe is not a shot log (SQLite
 * would call a folder a disk I/O error, and wait on a pipe for ever).
 */
import { existsSync, statSync } from 'node:fs';
import { ShotscaleError } from '../errors.js';

export function checkShotLogFile(file: string): void {
  if (!existsSync(file)) throw new ShotscaleError('INPUT_UNREADABLE', `no shot log at ${file}`, { hint: 'name one with --db, or the server config with --config' });
  if (!statSync(file).isFile()) throw new ShotscaleError('INPUT_UNREADABLE', `${file}: not a file (a folder, pipe or device)`, { hint: 'name a shotscale.sqlite that shotscale serve or shotscale log wrote' });
}
