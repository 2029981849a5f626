/**
 * `shotscale export`: the shot log in an editing or archive format, from the
 * server's database (its config's data directory) or any shot log file (a
 * file-mode DIR/shotscale.sqlite), filtered like GET /api/shots. The file is
 * only ever read: a file that is not a shot log is refused, an older one is
 * migrated in a copy in memory (see read-only-database.ts). Written to
 * standard output, a write that fails is OUTPUT_UNWRITABLE (standard-output.ts).
 *
 * A file-mode log records the file it was made from (media-source-store.ts):
 * its exports then link to that file and keep its rate and title, as the
 * ones `shotscale log` wrote beside it, and --from/--to also take a point in
 * the film (its timecode, or seconds into it).
 */
import path from 'node:path';
import { shotFilterFrom } from '../api/shot-routes.js';
import { windowInverted } from '../api/filter-times.js';
import { resolveConfigPath } from '../config/load-config.js';
import { isShotscaleError } from '../errors.js';
import { EXPORT_FORMATS, exportShots, isExportFormat } from '../exports/export-shots.js';
import type { ShotRecord } from '../shared/shots.js';
import { DATABASE_FILE, type Db } from '../store/database.js';
import { MediaSourceStore, type MediaSource } from '../store/media-source-store.js';
import { openShotLogReadOnly } from '../store/read-only-database.js';
import { ShotStore, type ShotFilter } from '../store/shot-store.js';
import { TakeStore } from '../store/take-store.js';
import { logSpelling } from '../shots/slate-spelling.js';
import { framesPerDay, timecodeAtRate, timecodeRate, timecodeToFrames, type TimecodeRate } from '../shots/timecode.js';
import { parseCommandArgs, UsageError } from './command-options.js';
import { checkNotInputFile, writeOutputFile } from './output-files.js';
import { writeStandardOutput } from './standard-output.js';
import { configFromArgs } from './config-args.js';
import { checkShotLogFile } from './input-file.js';
import { refuseCamerasNotInLog } from './export-cameras.js';

export async function runExport(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      config: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      camera: { type: 'string' },
      scene: { type: 'string' },
      take: { type: 'string' },
      scale: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      title: { type: 'string' },
    },
  });
  if (values.format === undefined) throw new UsageError(`--format is required: one of ${EXPORT_FORMATS.join(', ')}`);
  if (!isExportFormat(values.format)) throw new UsageError(`--format ${JSON.stringify(values.format)}: not known (known: ${EXPORT_FORMATS.join(', ')})`);
  const format = values.format;
  if (values.db !== undefined && values.config !== undefined) {
    throw new UsageError(`--db ${values.db} and --config ${values.config}: give one (--db: a shot log file; --config: the log in that config's data directory)`);
  }
  // The name does not matter (a copy may be called anything): the contents are checked (DATABASE_FOREIGN).
  const loaded = values.db === undefined ? configFromArgs({ config: values.config }) : null;
  const file = loaded ? path.join(resolveConfigPath(loaded, loaded.config.shots.dataDir), DATABASE_FILE) : path.resolve(values.db!);
  // Before anything is read or written: an export over the log it reads would replace the log.
  // "-" is stdout, as with no --out: a file named "-" is never what was meant.
  const toFile = Boolean(values.out && values.out !== '-');
  if (toFile) checkNotInputFile('--out', values.out!, values.db !== undefined ? `--db ${values.db}` : `the shot log of ${values.config === undefined ? 'the default config' : `--config ${values.config}`} (${file})`, file);
  checkShotLogFile(file);
  const db = openShotLogReadOnly(file);
  try {
    const store = new ShotStore(db, timecodeAtRate);
    const media = new MediaSourceStore(db).all();
    const from = filmTime(store, media, values.from, '--from');
    const to = filmTime(store, media, values.to, '--to');
    // As the server spells them: --scene kitchen finds the scene slated "Kitchen" (a plan is no scene of a shot).
    const spelling = logSpelling(new TakeStore(db), null, store);
    const filter = spelling.slated(optionsFilter({ camera: values.camera, scene: values.scene, take: values.take, scale: values.scale, from: from ?? values.from, to: to ?? values.to }, media.length === 1));
    if (windowInverted(filter.from, filter.to, values.to)) {
      throw new UsageError(`--from ${values.from} is after --to ${values.to}: no shot can end after the one and start before the other`, 'swap them');
    }
    // Before the export is built or a file written: a typo'd camera leaves no file behind (and exits 1, not 0).
    refuseCamerasNotInLog(db, filter.cameraIds, format, loaded);
    const shots = store.list(filter);
    const source = sourceOf(media, shots);
    const result = exportShots(shots, format, {
      title: values.title ?? source?.title ?? `shotscale ${path.basename(path.dirname(file))}`,
      // Standard output goes to a script or a pipe, not to Excel: the CSV's byte-order mark would be a stray first character there.
      csvByteOrderMark: toFile,
      // A server's log: its configured rate for no shots, or cameras at several rates (--db alone names none: 25).
      ...(loaded ? { projectRate: loaded.config.shots.timecode.rate } : {}),
      ...(source ? { mediaPath: source.path, rate: source.rate, media: source } : {}),
    });
    if (!shots.length) process.stderr.write(`shotscale export: no shots match${describeFilter(values)}; ${describeLog(db, store, media)}\n`);
    if (toFile) {
      writeOutputFile('--out', values.out!, result.body);
      process.stderr.write(`${shots.length} shots written to ${values.out}\n`);
    } else {
      // Waited for: main exits straight after, and a write that failed (> /dev/full) exited 0, the export lost.
      await writeStandardOutput(result.body);
    }
  } finally {
    db.close();
  }
  return 0;
}

/**
 * The API's filter of the options: a value it refuses ("from: ... is neither ...") is a mistake on the command line.
 * On the log of one file (`filmLog`) a time may also be the film's (filmTime): the refusal says so.
 */
function optionsFilter(query: Record<string, string | undefined>, filmLog: boolean): ShotFilter {
  try {
    // A window the wrong way round is refused by the caller, naming the options as typed (--from 10s, not epoch ms).
    return shotFilterFrom(query, false);
  } catch (error) {
    if (!isShotscaleError(error, 'BAD_REQUEST')) throw error;
    const timeOption = /^(from|to): /.test(error.message);
    throw new UsageError(`--${error.message}${filmLog && timeOption ? ', nor, on this log of a file, a timecode (00:01:30:00) or seconds into it (90s)' : ''}`);
  }
}

/** The file behind the shots: the log's one media source when every shot exported is of it (or none is). */
function sourceOf(media: readonly MediaSource[], shots: readonly ShotRecord[]): MediaSource | null {
  if (media.length !== 1) return null;
  const [source] = media;
  return shots.every((shot) => shot.cameraId === source!.cameraId) ? source! : null;
}

const TIMECODE = /^\d{1,2}:\d{2}:\d{2}[:;.]\d{2}$/;
const SECONDS = /^(\d+(?:\.\d+)?)s$/;

/**
 * A point in the film of a file-mode log as the epoch ms the shots are
 * stored at: a timecode (the file's own, as in its exports; past midnight,
 * the next day's in a film that runs past midnight: placedInFilm) or seconds into
 * the film ("90s"). Undefined for anything else, which shotFilterFrom reads
 * as epoch ms or an ISO date, as for a server's log.
 */
function filmTime(store: ShotStore, media: readonly MediaSource[], value: string | undefined, option: string): string | undefined {
  if (value === undefined || !(TIMECODE.test(value) || SECONDS.test(value))) return undefined;
  if (media.length !== 1) {
    throw new UsageError(`${option} ${JSON.stringify(value)}: a timecode or seconds into the film is for the log of one file (shotscale log); this log's times are epoch milliseconds or ISO 8601 dates`);
  }
  const [first] = store.list({ cameraIds: [media[0]!.cameraId], limit: 1 });
  const [last] = store.list({ cameraIds: [media[0]!.cameraId], order: 'desc', limit: 1 });
  if (!first || !last) return undefined;
  const seconds = SECONDS.exec(value);
  let intoFilm: number;
  if (seconds) {
    intoFilm = Number(seconds[1]);
  } else {
    const rate = timecodeRate(first.rate);
    let frames: number;
    try {
      frames = timecodeToFrames(value, rate);
    } catch (error) {
      throw new UsageError(`${option}: ${(error as Error).message}`);
    }
    intoFilm = first.startS + (placedInFilm(frames, first, last, rate) - first.inFrame) / rate.fps;
  }
  // Every shot of a file is stored at the file's start time plus its seconds into the film.
  return String(first.inTime - first.startS * 1000 + intoFilm * 1000);
}

/**
 * A timecode's frame count placed in the film (the stored frame counts run
 * on past midnight unwrapped). In a film that runs past midnight, a timecode
 * before the film's start timecode is the next day's: in one that starts at
 * 23:59:55:00, 00:00:01:00 is 6 s in, not a day before it (as its EDL and
 * ALE count it). In one that does not, it is before the film: `--from
 * 00:00:00:00` of a film at 01:00:00:00 is its start, as it always was.
 */
function placedInFilm(frames: number, first: ShotRecord, last: ShotRecord, rate: TimecodeRate): number {
  const filmStart = first.inFrame - Math.round(first.startS * rate.fps);
  const day = framesPerDay(rate);
  const pastMidnight = last.outFrame >= day;
  return frames < filmStart && pastMidnight ? frames + day : frames;
}

function describeFilter(values: Record<string, string | undefined>): string {
  const parts = (['camera', 'scene', 'take', 'scale', 'from', 'to'] as const).filter((key) => values[key] !== undefined).map((key) => `--${key} ${values[key]}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/**
 * What the log holds, to set a filter by: its cameras and the span of their
 * shots. A file's log (shotscale log) is told in the film's time, timecode
 * and seconds, as --from and --to take it there; a server's in dates.
 */
function describeLog(db: Db, store: ShotStore, media: readonly MediaSource[]): string {
  if (media.length === 1) {
    const cameraIds = [media[0]!.cameraId];
    const [first] = store.list({ cameraIds, limit: 1 });
    const [last] = store.list({ cameraIds, order: 'desc', limit: 1 });
    if (first && last) {
      const { total } = db.prepare('SELECT COUNT(*) AS total FROM shots WHERE camera_id = ?').get(cameraIds[0]) as { total: number };
      const endS = last.startS + last.durationS;
      return `the log of ${media[0]!.title} holds ${total} shot${total === 1 ? '' : 's'} of camera ${cameraIds[0]}, from ${first.tcIn} (${first.startS.toFixed(1)}s) to ${last.tcOut} (${endS.toFixed(1)}s) of the film`;
    }
  }
  const rows = db
    .prepare('SELECT camera_id AS camera, COUNT(*) AS shots, MIN(in_time) AS first, MAX(out_time) AS last FROM shots GROUP BY camera_id ORDER BY camera_id')
    .all() as { camera: string; shots: number; first: number; last: number }[];
  if (!rows.length) return 'the log holds no shots';
  const total = rows.reduce((sum, row) => sum + row.shots, 0);
  const first = Math.min(...rows.map((row) => row.first));
  const last = Math.max(...rows.map((row) => row.last));
  const cameras = rows.map((row) => `${row.camera} (${row.shots})`).join(', ');
  return `the log holds ${total} shot${total === 1 ? '' : 's'} of camera${rows.length === 1 ? '' : 's'} ${cameras}, from ${new Date(first).toISOString()} to ${new Date(last).toISOString()}`;
}
