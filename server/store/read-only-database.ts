/**
 * Opens a shot log for reading only (`shotscale export --db FILE`): whatever
 * file it is given is never written, and nothing is made beside it. openDatabase
 * would create tables in a file that is not a shot log and migrate an older
 * one in place; an export must do neither. So: anything that is not a shot
 * log (not SQLite, no schema version, no shots table) is refused; a newer one
 * is refused as the server refuses it; an older one is migrated in a copy,
 * leaving the file as it was.
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
 * - otherwise (no -wal: a server or a log that closed it; or a -wal with
 *   shots in it and no -shm: a server that crashed, its files copied without
 *   it): the log, and its -wal where it has shots, are copied into a folder
 *   of our own (SQLite replays a -wal only where it may write), read there,
 *   and the folder removed when the log is closed (or the process exits).
 *   On disk, not in memory: a log with its thumbnails passes 2 GiB in a few
 *   days of shooting, more than Node reads into one buffer.
 * (better-sqlite3 takes no URI filenames, so SQLite's immutable=1 is not to be had.)
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ShotscaleError, errorMessage } from '../errors.js';
import { BUSY_TIMEOUT_MS, migrate, schemaVersion, type Db } from './database.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { isLockFault, sqliteCode } from './storage-fault.js';

/** A log read in place, or a copy of our own that may be migrated. */
interface Opened {
  db: Db;
  copied: boolean;
}

export function openShotLogReadOnly(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  let opened: Opened | undefined;
  let version: number;
  try {
    opened = openUntouched(file);
    const { db } = opened;
    version = schemaVersion(db);
    const hasShots = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shots'").get() !== undefined;
    if (version === 0 || !hasShots) throw foreign(file, version === 0 ? 'it has no schema version' : 'it has no shots table');
  } catch (error) {
    opened?.db.close();
    throw readFailure(file, error);
  }
  const latest = migrations.at(-1)?.version ?? 0;
  if (version >= latest || opened.copied) {
    // The same version, or a newer one that migrate() refuses (and closes), named as the file;
    // an older one copied already is migrated in the copy, where the file is not.
    migrate(opened.db, version < latest ? `${file} (a copy)` : file, migrations);
    return opened.db;
  }
  // An older log read in place (a server of that version may have it open): migrated in a copy.
  opened.db.close();
  const copy = copied(file);
  try {
    migrate(copy, `${file} (a copy)`, migrations);
  } catch (error) {
    copy.close();
    throw error;
  }
  return copy;
}

/** The log opened for reading, in place or as a copy (see the top of this file); the first read says whether it is one. */
function openUntouched(file: string): Opened {
  if (existsSync(`${file}-wal`) && existsSync(`${file}-shm`)) {
    try {
      return { db: openInPlace(file), copied: false };
    } catch (error) {
      // A read-only folder or file: its -shm cannot be written, so the log is read as a crashed server's.
      if (!/^SQLITE_(READONLY|CANTOPEN)/.test(sqliteCode(error) ?? '')) throw error;
    }
  }
  return { db: copied(file), copied: true };
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

/**
 * The log, with its -wal's shots where it has any, copied into a folder of
 * our own and opened there (SQLite replays a -wal only where it may write).
 * The folder goes when the log is closed, or when the process exits.
 */
function copied(file: string): Db {
  const folder = mkdtempSync(path.join(tmpdir(), 'shotscale-log-'));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  process.once('exit', remove);
  const dispose = () => {
    process.off('exit', remove);
    remove();
  };
  try {
    const copy = path.join(folder, path.basename(file));
    copyInput(file, copy);
    const wal = `${file}-wal`;
    if ((statSync(wal, { throwIfNoEntry: false })?.size ?? 0) > 0) copyInput(wal, `${copy}-wal`);
    const db = new Database(copy);
    const close = db.close.bind(db);
    db.close = () => {
      close();
      dispose();
      return db;
    };
    try {
      schemaVersion(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  } catch (error) {
    dispose();
    throw error;
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
