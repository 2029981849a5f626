/**
 * Opens a shot log for reading only (`shotscale export --db FILE`): whatever
 * file it is given is never written. openDatabase would create tables in a
 * file that is not a shot log and migrate an older one in place; an export
 * must do neither. So: the file opens read-only; anything that is not a shot
 * log (not SQLite, no schema version, no shots table) is refused; a newer one
 * is refused as the server refuses it; an older one is copied into memory and
 * the copy is migrated, leaving the file as it was.
 */
import Database from 'better-sqlite3';
import { ShotscaleError, errorMessage } from '../errors.js';
import { BUSY_TIMEOUT_MS, migrate, schemaVersion, type Db } from './database.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** Bytes 18 and 19 of a database header: the file format versions, 2 in WAL mode, 1 in rollback mode. */
const FORMAT_VERSION_OFFSETS = [18, 19] as const;

export function openShotLogReadOnly(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  let db: Db;
  let version: number;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ShotscaleError('INPUT_UNREADABLE', `cannot open ${file}: ${errorMessage(error)}`);
  }
  try {
    // A reader waits out the moment a writer (a running server) resets the WAL.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    version = schemaVersion(db);
    const hasShots = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shots'").get() !== undefined;
    if (version === 0 || !hasShots) throw foreign(file, version === 0 ? 'it has no schema version' : 'it has no shots table');
  } catch (error) {
    db.close();
    // SQLITE_NOTADB: "file is not a database" on the first read.
    throw error instanceof ShotscaleError ? error : foreign(file, errorMessage(error));
  }
  const latest = migrations.at(-1)?.version ?? 0;
  if (version >= latest) {
    // The same version, or a newer one that migrate() refuses (and closes).
    migrate(db, file, migrations);
    return db;
  }
  const image = db.serialize();
  db.close();
  // A WAL database's header makes an in-memory copy unopenable (SQLITE_CANTOPEN);
  // the copy has no journal of its own anyway, so mark it a rollback database.
  for (const offset of FORMAT_VERSION_OFFSETS) image[offset] = 1;
  const copy = new Database(image);
  migrate(copy, `${file} (a copy in memory)`, migrations);
  return copy;
}

function foreign(file: string, why: string): ShotscaleError {
  return new ShotscaleError('DATABASE_FOREIGN', `${file} is not a shotscale shot log: ${why}`, {
    hint: 'name a shotscale.sqlite that shotscale serve or shotscale log wrote',
  });
}
