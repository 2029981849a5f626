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
import { MIGRATIONS, type Migration } from './migrations.js';

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
  let db: Db;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash of this process (SIGKILL
    // included); only a power cut can lose the last transactions.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
  } catch (error) {
    throw new ShotscaleError('DATABASE_FAILED', `cannot open the shot log ${file}: ${errorMessage(error)}`, {
      hint: 'check that the data directory is writable and the file is a shotscale SQLite database',
    });
  }
  migrate(db, file, migrations);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    db.close();
    throw new ShotscaleError('DATABASE_FAILED', `the shot log ${file} is at schema version ${current}, newer than this shotscale knows (${latest})`, {
      hint: 'upgrade shotscale, or point shots.dataDir at another directory',
    });
  }
  for (const step of migrations) {
    if (step.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(step.sql);
        db.pragma(`user_version = ${step.version}`);
      })();
    } catch (error) {
      db.close();
      throw new ShotscaleError('DATABASE_FAILED', `migrating the shot log ${file} to version ${step.version} (${step.description}) failed: ${errorMessage(error)}`);
    }
  }
}
