/**
 * Opens the shot log's SQLite database: WAL journal (readers never block the
 * writer, and a committed shot survives the process being killed), foreign
 * keys on, and the schema brought up to date by numbered migrations. A
 * database written by a newer version is refused rather than misread.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ShotscaleError, errorMessage } from '../errors.js';
import { MIGRATION_FUNCTIONS, MIGRATIONS, type Migration } from './migrations.js';
import { describeFault, isLockFault } from './storage-fault.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'shotscale.sqlite';

export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (file !== ':memory:') {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (error) {
      throw new ShotscaleError('DATABASE_FAILED', `cannot create the data directory ${path.dirname(file)}: ${errorMessage(error)}`);
    }
  }
  let db: Db | undefined;
  try {
    db = new Database(file);
    // First: journal_mode below already needs a lock, and before a timeout is
    // set a lock held elsewhere fails it at once instead of waiting a moment.
    // 2 s rides out another connection's commit and still fails the start fast
    // when another process holds the file.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash of this process (SIGKILL
    // included); only a power cut can lose the last transactions.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // In WAL mode a writer elsewhere does not stop the pragmas above: take the
    // write lock once now, so that a held lock fails the start, not the first shot.
    db.exec('BEGIN IMMEDIATE');
    db.exec('COMMIT');
  } catch (error) {
    db?.close();
    throw openFailure(file, error);
  }
  migrate(db, file, migrations);
  return db;
}

/** Milliseconds a statement waits for another connection's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 2000;

function openFailure(file: string, error: unknown): ShotscaleError {
  if (isLockFault(error)) {
    return new ShotscaleError('DATABASE_LOCKED', `the shot log ${file} is locked: another process holds it (${describeFault(error)} after ${BUSY_TIMEOUT_MS / 1000} s)`, {
      hint: 'another shotscale on the same shots.dataDir? Stop it, or give this one its own shots.dataDir',
      cause: error,
    });
  }
  return new ShotscaleError('DATABASE_FAILED', `cannot open the shot log ${file}: ${errorMessage(error)}`, {
    hint: 'check that the data directory is writable and the file is a shotscale SQLite database',
    cause: error,
  });
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the schema up to date, one transaction per step; refuses (and closes) a newer database. */
export function migrate(db: Db, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    db.close();
    throw new ShotscaleError('DATABASE_FAILED', `the shot log ${file} is at schema version ${current}, newer than this shotscale knows (${latest})`, {
      hint: 'upgrade shotscale, or point shots.dataDir at another directory',
    });
  }
  // Every connection that migrates, a read-only export's copy in memory too (read-only-database.ts).
  for (const [name, fn] of Object.entries(MIGRATION_FUNCTIONS)) db.function(name, { deterministic: true }, fn);
  for (const step of migrations) {
    if (step.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(step.sql);
        db.pragma(`user_version = ${step.version}`);
      })();
    } catch (error) {
      db.close();
      if (isLockFault(error)) throw openFailure(file, error);
      throw new ShotscaleError('DATABASE_FAILED', `migrating the shot log ${file} to version ${step.version} (${step.description}) failed: ${errorMessage(error)}`);
    }
  }
}
