/**
 * One server per data directory. In WAL mode a running server holds no lock
 * on the shot log between writes, so a second server on the same
 * `shots.dataDir` would start, allocate the same shot ids and have its
 * inserts refused. A lock file held in SQLite's exclusive locking mode for
 * the whole run stops that at start; the operating system releases it when
 * the process ends, however it ends (a stale lock cannot outlive a crash).
 * Readers of the shot log itself (`shotscale export`) are not affected.
 *
 * A server leaves the lock file in its data directory (harmless: the lock is
 * the OS's, not the file's). `shotscale log` asks for it to go with the lock,
 * so that its output folder holds only what it wrote: the file is removed
 * while still locked, so a process that opened it a moment before cannot
 * lock it; one that opened it and locks it only after the release finds the
 * path gone and tries again on a new file.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ShotscaleError, errorMessage } from '../errors.js';
import { isLockFault } from './storage-fault.js';

export const LOCK_FILE = 'shotscale.lock';

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string, options: { removeOnRelease?: boolean } = {}): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 1; ; attempt += 1) {
    const held = tryLock(dataDir, file);
    // Locked a file that its last holder removed as it let go: nobody else would see this lock.
    if (!existsSync(file) && attempt < 3) {
      held.close();
      continue;
    }
    return {
      release: () => {
        if (options.removeOnRelease) rmSync(file, { force: true });
        held.close();
        // The journal an earlier version kept beside the lock (see tryLock), which a killed run left behind.
        if (options.removeOnRelease) rmSync(`${file}-journal`, { force: true });
      },
    };
  }
}

function tryLock(dataDir: string, file: string): Database.Database {
  let lock: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    lock = new Database(file);
    // No rollback journal beside it: in exclusive mode SQLite keeps shotscale.lock-journal as long as the
    // lock is held, and a run killed then left it in DIR (the table is made once; a lost write costs nothing).
    lock.pragma('journal_mode = MEMORY');
    lock.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock, and exclusive mode keeps it until the connection closes.
    lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (since INTEGER); COMMIT');
  } catch (error) {
    lock?.close();
    if (isLockFault(error)) {
      throw new ShotscaleError('DATABASE_LOCKED', `the data directory ${dataDir} is in use by another shotscale (${file} is locked)`, {
        hint: 'stop the other one, or give this one its own shots.dataDir',
      });
    }
    throw new ShotscaleError('DATABASE_FAILED', `cannot lock the data directory ${dataDir} (${file}): ${errorMessage(error)}`, { hint: 'check that the data directory is writable' });
  }
  return lock;
}
