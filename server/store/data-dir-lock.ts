/**
 * One server per data directory. In WAL mode a running server holds no lock
 * on the shot log between writes, so a second server on the same
 * `shots.dataDir` would start, allocate the same shot ids and have its
 * inserts refused. A lock file held in SQLite's exclusive locking mode for
 * the whole run stops that at start; the operating system releases it when
 * the process ends, however it ends (a stale lock cannot outlive a crash).
 * Readers of the shot log itself (`shotscale export`) are not affected.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ShotscaleError, errorMessage } from '../errors.js';
import { isLockFault } from './storage-fault.js';

export const LOCK_FILE = 'shotscale.lock';

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  let lock: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    lock = new Database(file);
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
  const held = lock;
  return { release: () => held.close() };
}
