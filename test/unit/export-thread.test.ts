/**
 * Exports and reports built on a worker thread (export-thread.ts): the same
 * bytes as the synchronous functions the CLI calls, for every format and in
 * file mode; a job that fails or overruns answers a code (the job's own, or
 * EXPORT_FAILED), never hangs; and the report's thread reads thumbnails from
 * the shot log file itself.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isShotscaleError } from '../../server/errors.js';
import { EXPORT_FORMATS, exportShots, type ExportFormat, type ExportOptions } from '../../server/exports/export-shots.js';
import { buildOffThread, buildOnThread, EXPORT_THREAD_CHANNEL, EXPORT_THREADS, EXPORT_WAITING, exportPlace, type ExportThreadEvent } from '../../server/exports/export-thread.js';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { filmReport } from '../../server/reports/film-report.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { timecodeAtRate } from '../../server/shots/timecode.js';
import { tempDir } from '../support/media.js';
import { shot } from '../support/timecoded-shots.js';

const tc = (seconds: number) => `${String(10 + Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}:00`;

/** Three cameras of 40 shots each, notes and tags with text outside ASCII: every format has something to write. */
const SHOTS: ShotRecord[] = ['cam-1', 'camera-left-2', 'b cam'].flatMap((camera, c) =>
  Array.from({ length: 40 }, (_, i) =>
    shot({ camera, id: c * 100 + i + 1, rate: '25', tcIn: tc(i * 3), tcOut: tc(i * 3 + 3), scale: CANONICAL_SCALES[(i + c) % 8]!, extra: { note: i % 7 ? null : 'Grüße, "Anna"\nenters', tags: i % 5 ? [] : ['anna', 'ü'], hasThumbnail: i % 2 === 0 } }),
  ),
);
const OPTIONS: ExportOptions = { title: 'shotscale Küche', generatedAt: Date.UTC(2026, 11, 6), projectRate: '25' };
const FILE_MODE: ExportOptions = { ...OPTIONS, mediaPath: '/media/day 1/A001 Grüße.mov', media: { width: 1920, height: 1080, audio: { channels: 2, sampleRate: 48000 }, reel: 'A001' } };

describe('exports on a thread', () => {
  test('every format: byte-identical to exportShots, live and in file mode', async () => {
    for (const options of [OPTIONS, FILE_MODE]) {
      const shots = options === FILE_MODE ? SHOTS.filter((s) => s.cameraId === 'cam-1') : SHOTS;
      for (const format of EXPORT_FORMATS) {
        const body = await buildOffThread({ kind: 'export', shots, format, options });
        assert.ok(body.equals(Buffer.from(exportShots(shots, format, options).body, 'utf8')), `${format}${options === FILE_MODE ? ' (file mode)' : ''}`);
      }
    }
  });

  test("a job's own refusal keeps its code (an EDL of cameras at two rates: BAD_REQUEST)", async () => {
    const mixed = [...SHOTS.slice(0, 2), shot({ camera: 'b-cam', id: 999, rate: '23.976', tcIn: '10:00:00:00', tcOut: '10:00:01:00', scale: 'MS' })];
    const sync = (() => {
      try {
        exportShots(mixed, 'edl', OPTIONS);
      } catch (error) {
        return error as Error;
      }
      return null;
    })();
    await assert.rejects(buildOffThread({ kind: 'export', shots: mixed, format: 'edl', options: OPTIONS }), (error: unknown) => isShotscaleError(error, 'BAD_REQUEST') && error.message === sync?.message);
  });

  test('a thread that fails, or runs past its time limit, is EXPORT_FAILED: the caller is answered, never left waiting', async () => {
    await assert.rejects(buildOffThread({ kind: 'export', shots: SHOTS, format: 'nonsense' as ExportFormat, options: OPTIONS }), (error: unknown) => isShotscaleError(error, 'EXPORT_FAILED'));
    await assert.rejects(
      buildOffThread({ kind: 'report', shots: SHOTS, title: 't', subtitle: 's', thumbnails: { databaseFile: path.join(tempDir(), 'missing.sqlite') } }),
      (error: unknown) => isShotscaleError(error, 'EXPORT_FAILED') && /could not be built/.test(error.message),
    );
    await assert.rejects(buildOffThread({ kind: 'export', shots: SHOTS, format: 'fcpxml', options: OPTIONS }, { timeLimitMs: 1 }), (error: unknown) => isShotscaleError(error, 'EXPORT_FAILED') && /was stopped/.test(error.message));
  });

  test("the report: the thread reads each shot's thumbnail from the log file, as filmReport does from the store", async () => {
    const dir = tempDir();
    const file = path.join(dir, DATABASE_FILE);
    const db = openDatabase(file);
    const store = new ShotStore(db, timecodeAtRate);
    const jpegOf = (id: number) => Buffer.from(`jpeg of shot ${id}`);
    try {
      for (const record of SHOTS) {
        store.add({ ...record, status: 'open' }, null);
        store.finish(record, record.hasThumbnail ? jpegOf(record.id) : null);
      }
      const generatedAt = Date.now();
      const fromThread = (await buildOffThread({ kind: 'report', shots: SHOTS, title: 'the log', subtitle: '120 shots', thumbnails: { databaseFile: file } })).toString('utf8');
      const direct = filmReport(SHOTS, { title: 'the log', subtitle: '120 shots', generatedAt, thumbnail: (s) => store.thumbnail(s.id) });
      // "made at" is the minute each was made; everything else is the same.
      const made = /shot report made [^<·]* UTC/;
      assert.equal(fromThread.replace(made, ''), direct.replace(made, ''));
      assert.equal(fromThread.split(`data:image/jpeg;base64,${jpegOf(1).toString('base64')}`).length, 2, "shot 1's thumbnail, once");
      const given = new Map(SHOTS.filter((s) => s.hasThumbnail).map((s) => [s.id, jpegOf(s.id)]));
      const handed = (await buildOffThread({ kind: 'report', shots: SHOTS, title: 'the log', subtitle: '120 shots', thumbnails: { given } })).toString('utf8');
      assert.equal(handed.replace(made, ''), direct.replace(made, ''), 'thumbnails handed over (a log in memory) give the same page');
    } finally {
      db.close();
    }
  });

  test(`at most ${EXPORT_THREADS} threads at once: the other jobs wait their turn, and each gets its own body`, async () => {
    let now = 0;
    let most = 0;
    const seen = (message: unknown) => {
      now += (message as ExportThreadEvent).phase === 'started' ? 1 : -1;
      most = Math.max(most, now);
    };
    subscribe(EXPORT_THREAD_CHANNEL, seen);
    try {
      const formats = ['csv', 'json', 'otio', 'ale', 'fcpxml'] as const;
      const bodies = await Promise.all(formats.map((format) => buildOffThread({ kind: 'export', shots: SHOTS, format, options: OPTIONS })));
      bodies.forEach((body, i) => assert.equal(body.toString('utf8'), exportShots(SHOTS, formats[i]!, OPTIONS).body));
    } finally {
      unsubscribe(EXPORT_THREAD_CHANNEL, seen);
    }
    assert.equal(most, EXPORT_THREADS);
    assert.equal(now, 0);
  });

  test(`past ${EXPORT_THREADS} building and ${EXPORT_WAITING} waiting, EXPORT_BUSY; a job whose client goes gives its turn up; a thread whose client goes is stopped`, async () => {
    const held = await Promise.all(Array.from({ length: EXPORT_THREADS }, () => exportPlace()));
    const leaving = new AbortController();
    const waiters = Array.from({ length: EXPORT_WAITING }, (_, i) => exportPlace(i === 0 ? leaving.signal : undefined));
    await assert.rejects(exportPlace(), (error: unknown) => isShotscaleError(error, 'EXPORT_BUSY') && /try again in a minute/.test(error.message));
    leaving.abort();
    await assert.rejects(waiters[0]!, (error: unknown) => isShotscaleError(error, 'EXPORT_FAILED') && /gone/.test(error.message));
    // Its turn given up, one more may wait; each place freed goes to the next waiting, in order.
    const late = exportPlace();
    for (const release of held) release();
    for (const turn of [...waiters.slice(1), late]) (await turn)();
    // All given back: EXPORT_THREADS places free at once again.
    const again = await Promise.all(Array.from({ length: EXPORT_THREADS }, () => exportPlace()));
    for (const release of again) release();

    const gone = new AbortController();
    const building = buildOnThread({ kind: 'export', shots: SHOTS, format: 'fcpxml', options: OPTIONS }, { abandoned: gone.signal });
    gone.abort();
    await assert.rejects(building, (error: unknown) => isShotscaleError(error, 'EXPORT_FAILED') && /gone, so its thread was stopped/.test(error.message));
  });
});
