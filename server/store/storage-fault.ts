/**
 * Which database errors are the storage's fault rather than the statement's:
 * a full or failing disk, or a lock another process holds. Such a fault can
 * pass (an operator frees space, the other process lets go), so the shot log
 * holds its own writes and retries them; any other error would fail the same
 * way again. Requests that write (takes, plans, edits) answer with a
 * ShotscaleError that says which file and why, never a raw SQLite error.
 */
import { ShotscaleError, errorMessage, isShotscaleError } from '../errors.js';
import type { Db } from './database.js';

/** Another connection holds the lock past busy_timeout. */
const LOCK_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED'];

/**
 * The disk or the file: full (SQLITE_FULL is how SQLite reports ENOSPC and
 * max_page_count alike), I/O errors (EIO, a disk gone), the file made
 * read-only or unlinked under us, out of memory, or damaged.
 */
const MEDIA_CODES = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL', 'SQLITE_CORRUPT', 'SQLITE_NOTADB'];

/** The SQLite result code of an error from better-sqlite3 (extended codes included, e.g. SQLITE_IOERR_WRITE), or null. */
export function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

function hasCode(error: unknown, primaries: readonly string[]): boolean {
  const code = sqliteCode(error);
  return code !== null && primaries.some((primary) => code === primary || code.startsWith(`${primary}_`));
}

export function isLockFault(error: unknown): boolean {
  return hasCode(error, LOCK_CODES) || isShotscaleError(error, 'DATABASE_LOCKED');
}

/** A fault that may pass: worth holding the write and trying again. */
export function isStorageFault(error: unknown): boolean {
  return hasCode(error, MEDIA_CODES) || isLockFault(error) || isShotscaleError(error, 'STORAGE_FULL');
}

/** "SQLITE_FULL: database or disk is full": what went wrong, for a message. */
export function describeFault(error: unknown): string {
  if (isShotscaleError(error) && error.cause !== undefined) return describeFault(error.cause);
  const code = sqliteCode(error);
  return code ? `${code}: ${errorMessage(error)}` : errorMessage(error);
}

/** A storage fault as the error a user reads: DATABASE_LOCKED or STORAGE_FULL, naming the file. */
export function storageError(file: string, error: unknown): ShotscaleError {
  if (isShotscaleError(error)) return error;
  if (isLockFault(error)) {
    return new ShotscaleError('DATABASE_LOCKED', `the shot log ${file} is locked by another process (${describeFault(error)})`, {
      hint: 'another shotscale on the same shots.dataDir? Stop it, or give this one its own shots.dataDir',
      cause: error,
    });
  }
  return new ShotscaleError('STORAGE_FULL', `the shot log ${file} cannot be written (${describeFault(error)})`, {
    hint: 'free space on its disk (or replace the failing disk) and try again; shots are held in memory meanwhile',
    cause: error,
  });
}

/** Runs a write that a request asked for; a storage fault leaves as STORAGE_FULL or DATABASE_LOCKED. */
export function guardWrite<T>(db: Db, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw isStorageFault(error) ? storageError(db.name, error) : error;
  }
}
