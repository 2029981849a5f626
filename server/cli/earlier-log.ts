/**
 * The log an earlier `shotscale log` left in DIR: what a new run replaces
 * (its exports and thumbnails, by the base names of the files it logged),
 * whether it is complete (a run stopped by a signal never replaces a
 * complete log), and a refusal where DIR holds a server's log instead, or
 * files of the user's by the names a log writes.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isShotscaleError, ShotscaleError } from '../errors.js';
import { EXPORT_EXTENSIONS } from '../exports/export-shots.js';
import { DATABASE_FILE, type Db } from '../store/database.js';
import { MediaSourceStore } from '../store/media-source-store.js';
import { openShotLogReadOnly } from '../store/read-only-database.js';
import type { LogSummary } from './log-summary.js';

/** The camera of a file's log: its one camera. */
export const FILE_CAMERA = 'file';

/** Where a log's thumbnails go in DIR, its summary, and its film report (reports/film-report.ts). */
export const THUMBNAIL_DIR = 'thumbnails';
export const SUMMARY_FILE = 'summary.json';
export const REPORT_FILE = 'report.html';

/** A thumbnail's name: BASE_0001.jpg, BASE the file's name without its extension. */
export const THUMBNAIL_NAME = /^(.*)_\d{4,}\.jpg$/;

/** The base names of the files whose thumbnails are in DIR (thumbnails/BASE_0001.jpg). */
function thumbnailBases(outDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(path.join(outDir, THUMBNAIL_DIR));
  } catch {
    return [];
  }
  return [...new Set(entries.map((entry) => THUMBNAIL_NAME.exec(entry)?.[1]).filter((base): base is string => base !== undefined))];
}

/** Exports (every format) and thumbnails that a run on a file of one of these base names wrote in DIR. */
export function removeEarlierFiles(outDir: string, bases: readonly string[]): void {
  const names = new Set(bases);
  for (const name of names) for (const extension of Object.values(EXPORT_EXTENSIONS)) rmSync(path.join(outDir, `${name}${extension}`), { force: true });
  const thumbnails = path.join(outDir, THUMBNAIL_DIR);
  let entries: string[];
  try {
    entries = readdirSync(thumbnails);
  } catch {
    return; // none yet
  }
  for (const entry of entries) {
    const match = THUMBNAIL_NAME.exec(entry);
    if (match && names.has(match[1]!)) rmSync(path.join(thumbnails, entry), { force: true });
  }
}

export interface EarlierLog {
  /** The base names (file name without its extension) of the files the earlier run wrote exports and thumbnails for. */
  bases: string[];
  /** Its summary.json says it covers its whole file: a run stopped by a signal does not replace it (see keptLogLine). */
  complete: boolean;
  shots: number;
}

/**
 * The log an earlier `shotscale log` left in DIR, which this run replaces; or
 * refused when DIR holds anything else by that name (a server's log: its
 * cameras, takes, plans or calibration, all of it user's work), so that
 * nothing logged is lost.
 */
export function earlierLog(outDir: string): EarlierLog | null {
  const file = path.join(outDir, DATABASE_FILE);
  if (!existsSync(file)) return null;
  // Reading a WAL database makes its -wal and -shm files; those this look made (empty: a reader writes
  // nothing) go again, so a log that is refused is left as it was. The lock on DIR keeps others out meanwhile.
  const made = ['-wal', '-shm'].map((suffix) => file + suffix).filter((companion) => !existsSync(companion));
  try {
    return readEarlierLog(outDir, file);
  } finally {
    for (const companion of made) rmSync(companion, { force: true });
  }
}

function readEarlierLog(outDir: string, file: string): EarlierLog {
  let db: Db;
  try {
    db = openShotLogReadOnly(file);
  } catch (error) {
    if (isShotscaleError(error)) {
      throw new ShotscaleError(error.code, `--out ${outDir}: the ${DATABASE_FILE} there cannot be replaced: ${error.message}`, {
        hint: 'name another folder for this log, or move that file away',
      });
    }
    throw error;
  }
  try {
    const cameras = (db.prepare('SELECT DISTINCT camera_id AS id FROM shots ORDER BY camera_id').all() as { id: string }[]).map((row) => row.id);
    const others = cameras.filter((id) => id !== FILE_CAMERA);
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const held = [
      others.length ? `shots of camera${others.length === 1 ? '' : 's'} ${others.join(', ')}` : '',
      count('takes') ? `${count('takes')} takes` : '',
      count('plans') ? `${count('plans')} coverage plans` : '',
      count('calibration_samples') + count('calibration_heads') ? 'calibration samples or heads' : '',
    ].filter(Boolean);
    if (held.length) {
      throw new ShotscaleError('OUTPUT_UNWRITABLE', `--out ${outDir}: its ${DATABASE_FILE} is a server's shot log (${held.join('; ')}), not a file's; a log of this file would replace it`, {
        hint: "name another folder for this log (a file-mode log holds one file's shots alone)",
      });
    }
    const bases = new MediaSourceStore(db).all().map((source) => path.basename(source.path, path.extname(source.path)));
    const shots = (db.prepare('SELECT COUNT(*) AS n FROM shots').get() as { n: number }).n;
    // A log from before schema version 8 does not name its file: its thumbnails' names do.
    return { bases: bases.length ? bases : thumbnailBases(outDir), complete: summarySaysComplete(outDir), shots };
  } finally {
    db.close();
  }
}

/**
 * Whether DIR's summary.json is of a complete log. A log quit at once (a
 * second Ctrl-C) writes its database alone, so a log without a summary (or
 * with one that cannot be read) is taken as incomplete: a stopped run
 * replaces it, as it replaces one stopped before.
 */
function summarySaysComplete(outDir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(outDir, SUMMARY_FILE), 'utf8')) as Partial<LogSummary>).complete === true;
  } catch {
    return false;
  }
}

/**
 * Refused (OUTPUT_UNWRITABLE) before the log runs: a file in DIR by a name
 * this log writes or removes that no earlier log there wrote. With no
 * earlier log, a report.html or summary.json is the user's (a folder of their
 * own notes: it was overwritten silently); an export by this video's name
 * (clip.csv for clip.mp4) is an earlier log's only when that log was of a
 * file of that name. Other files in DIR are never touched, so not refused.
 */
export function refuseOthersFiles(outDir: string, base: string, earlier: EarlierLog | null): void {
  const names = [
    ...(earlier ? [] : [REPORT_FILE, SUMMARY_FILE]),
    ...(earlier?.bases.includes(base) ? [] : Object.values(EXPORT_EXTENSIONS).map((extension) => `${base}${extension}`)),
  ];
  const found = [...new Set(names)].filter((name) => existsSync(path.join(outDir, name)));
  if (!found.length) return;
  const one = found.length === 1;
  throw new ShotscaleError(
    'OUTPUT_UNWRITABLE',
    `--out ${outDir}: its ${found.join(', ')} ${one ? 'is' : 'are'} not of an earlier log there (${earlier ? `the log there is of another file: ${earlier.bases.join(', ') || 'unnamed'}` : `no ${DATABASE_FILE} beside ${one ? 'it' : 'them'}`}); this log would write over ${one ? 'it' : 'them'}`,
    { hint: `name another folder for this log, or move ${one ? 'that file' : 'those files'} away` },
  );
}
