/**
 * Opens a shot log for reading only (`shotscale export --db FILE`): whatever
 * file it is given is never written, and nothing is made beside it. openDatabase
 * would create tables in a file that is not a shot log and migrate an older
 * one in place; an export must do neither. So: anything that is not a shot
 * log (not SQLite, no schema version, no shots table) is refused; a newer one
 * is refused as the server refuses it; an older one is migrated in a copy in
 * memory, leaving the file as it was.
 *
 * A shot log is a WAL database, and SQLite reads one in place only by making
 * its -shm (and -wal) beside it: that fails in a read-only folder (an archive
 * on a write-protected drive: "attempt to write a readonly database") and
 * leaves two files beside the log in any other. So the log is read in place
 * only where a connection may be writing it now, and copied otherwise:
 * - its -wal and -shm are both there: a server may have it open (or one
 *   crashed). Only the -shm it shares tells which of the -wal's shots are
 *   committed, so the log is read in place, beside that server, as before;
 *   where that cannot be done (a crashed server's files in a read-only
 *   folder) it is copied as below.
 * - a -wal with shots in it, no -shm: a server that crashed and whose files
 *   were copied without it. The -wal holds its latest shots, so the log and
 *   its -wal are copied into a folder of our own, where SQLite replays the
 *   -wal, and read from there into memory.
 * - no -wal (a server or a log that closed it), or an empty one: the file
 *   holds every shot, and its bytes are read into memory.
 * (better-sqlite3 takes no URI filenames, so SQLite's immutable=1 is not to be had.)
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ShotscaleError, errorMessage } from '../errors.js';
import { BUSY_TIMEOUT_MS, migrate, schemaVersion, type Db } from './database.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { isLockFault, sqliteCode } from './storage-fault.js';

/** Bytes 18 and 19 of a database header: the file format versions, 2 in WAL mode, 1 in rollback mode. */
const FORMAT_VERSION_OFFSETS = [18, 19] as const;

export function openShotLogReadOnly(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  let db: Db | undefined;
  let version: number;
  try {
    db = openUntouched(file);
    version = schemaVersion(db);
    const hasShots = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shots'").get() !== undefined;
    if (version === 0 || !hasShots) throw foreign(file, version === 0 ? 'it has no schema version' : 'it has no shots table');
  } catch (error) {
    db?.close();
    throw readFailure(file, error);
  }
  const latest = migrations.at(-1)?.version ?? 0;
  if (version >= latest || db.memory) {
    // The same version, or a newer one that migrate() refuses (and closes), named as the file;
    // an older one read into memory already is migrated there, where the file is not.
    migrate(db, version < latest ? `${file} (a copy in memory)` : file, migrations);
    return db;
  }
  const copy = inMemory(db.serialize());
  db.close();
  migrate(copy, `${file} (a copy in memory)`, migrations);
  return copy;
}

/** The log opened for reading, in place or as a copy (see the top of this file); the first read says whether it is one. */
function openUntouched(file: string): Db {
  const wal = `${file}-wal`;
  if (existsSync(wal) && existsSync(`${file}-shm`)) {
    try {
      return openInPlace(file);
    } catch (error) {
      // A read-only folder or file: its -shm cannot be written, so the log is read as a crashed server's.
      if (!/^SQLITE_(READONLY|CANTOPEN)/.test(sqliteCode(error) ?? '')) throw error;
    }
  }
  const walBytes = statSync(wal, { throwIfNoEntry: false })?.size ?? 0;
  return walBytes > 0 ? replayedCopy(file, wal) : inMemory(readBytes(file));
}

function openInPlace(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // A reader waits out the moment a writer (a running server) resets the WAL.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    schemaVersion(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The log with its -wal's shots, read in a folder of our own: SQLite replays a -wal only where it may write. */
function replayedCopy(file: string, wal: string): Db {
  const folder = mkdtempSync(path.join(tmpdir(), 'shotscale-log-'));
  try {
    const copy = path.join(folder, path.basename(file));
    copyInput(file, copy);
    copyInput(wal, `${copy}-wal`);
    const db = new Database(copy);
    try {
      schemaVersion(db);
      return inMemory(db.serialize());
    } finally {
      db.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw unreadable(file, error);
  }
}

function copyInput(from: string, to: string): void {
  try {
    copyFileSync(from, to);
  } catch (error) {
    // Our own folder is writable: it is the log (or its -wal) that could not be read.
    throw unreadable(from, error);
  }
}

function inMemory(image: Buffer): Db {
  // A WAL database's header makes an in-memory copy unopenable (SQLITE_CANTOPEN);
  // the copy has no journal of its own anyway, so mark it a rollback database.
  for (const offset of FORMAT_VERSION_OFFSETS) if (image.length > offset) image[offset] = 1;
  return new Database(image);
}

/** An error on the way in, as the user reads it: not a shot log, locked by another process, or not readable. */
function readFailure(file: string, error: unknown): ShotscaleError {
  if (error instanceof ShotscaleError) return error;
  const code = sqliteCode(error);
  // SQLITE_NOTADB ("file is not a database") or a damaged one, on the first read.
  if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) return foreign(file, errorMessage(error));
  if (isLockFault(error)) {
    return new ShotscaleError('DATABASE_LOCKED', `the shot log ${file} is locked by another process (${code}: ${errorMessage(error)} after ${BUSY_TIMEOUT_MS / 1000} s)`, {
      hint: 'try again in a moment, or once the process that holds it has stopped',
      cause: error,
    });
  }
  return unreadable(file, error);
}

function unreadable(file: string, error: unknown): ShotscaleError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : errorMessage(error);
  return new ShotscaleError('INPUT_UNREADABLE', `cannot read ${file}: ${why}`, {
    hint: 'make the shot log (and its -wal, if there is one) readable by the user running shotscale, or run it as a user who may read it',
    cause: error,
  });
}

function foreign(file: string, why: string): ShotscaleError {
  return new ShotscaleError('DATABASE_FOREIGN', `${file} is not a shotscale shot log: ${why}`, {
    hint: 'name a shotscale.sqlite that shotscale serve or shotscale log wrote',
  });
}
