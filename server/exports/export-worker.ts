/**
 * Exports and film reports built on a thread of their own. A day's log of
 * 8,102 shots over 8 cameras held the server's loop for ~10 s building its
 * FCPXML, ~6 s its OTIO and ~20 s its report (142 MB of HTML, every
 * thumbnail embedded): long enough for a live camera to be declared stalled
 * and its ffmpeg restarted. Here the same pure functions run off the loop;
 * the body comes back as bytes whose buffer is transferred, not copied.
 *
 * A report's thumbnails are read here, from the shot log file opened
 * read-only (thousands of synchronous reads kept off the loop too); a log
 * with no file (":memory:") hands them over instead.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { isShotscaleError, type ErrorCode } from '../errors.js';
import { filmReport } from '../reports/film-report.js';
import type { ShotRecord } from '../shared/shots.js';
import { exportShots, type ExportFormat, type ExportOptions } from './export-shots.js';

/** Where a report's thumbnails come from: the shot log file, or given (shot id -> JPEG). */
export type ReportThumbnails = { databaseFile: string } | { given: Map<number, Uint8Array> };

export type ExportJob =
  | { kind: 'export'; shots: readonly ShotRecord[]; format: ExportFormat; options: ExportOptions }
  | { kind: 'report'; shots: readonly ShotRecord[]; title: string; subtitle: string; thumbnails: ReportThumbnails };

/** A failure carries the error's code where it had one (an EDL refused: BAD_REQUEST). */
export type ExportReply = { ok: true; body: Uint8Array } | { ok: false; message: string; code?: ErrorCode; hint?: string };

/** How long a thumbnail read waits for a writer's lock (the server writes shots meanwhile). */
const BUSY_TIMEOUT_MS = 5000;

function reportWithThumbnails(job: Extract<ExportJob, { kind: 'report' }>): string {
  const options = { title: job.title, subtitle: job.subtitle };
  if ('given' in job.thumbnails) {
    const { given } = job.thumbnails;
    return filmReport(job.shots, { ...options, thumbnail: (shot) => bufferOf(given.get(shot.id)) });
  }
  const db = new Database(job.thumbnails.databaseFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const read = db.prepare('SELECT jpeg FROM thumbnails WHERE shot_id = ?');
    return filmReport(job.shots, { ...options, thumbnail: (shot) => (shot.hasThumbnail ? ((read.get(shot.id) as { jpeg: Buffer } | undefined)?.jpeg ?? null) : null) });
  } finally {
    db.close();
  }
}

/** A structured clone turns a Buffer into a plain Uint8Array: the same bytes, viewed as a Buffer again. */
function bufferOf(bytes: Uint8Array | undefined): Buffer | null {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
}

/** The job's body as text: the same function the CLI calls directly. */
export function runExportJob(job: ExportJob): string {
  return job.kind === 'export' ? exportShots(job.shots, job.format, job.options).body : reportWithThumbnails(job);
}

if (parentPort && workerData?.exportJob) {
  let reply: ExportReply;
  try {
    // TextEncoder gives bytes in a buffer of their own (Buffer.from may use a shared pool), which can be transferred.
    reply = { ok: true, body: new TextEncoder().encode(runExportJob(workerData.exportJob as ExportJob)) };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error), ...(isShotscaleError(error) ? { code: error.code, ...(error.hint ? { hint: error.hint } : {}) } : {}) };
  }
  parentPort.postMessage(reply, reply.ok ? [reply.body.buffer as ArrayBuffer] : []);
}
