/**
 * `shotscale log VIDEO --out DIR`: the live pipeline run on a file as fast as
 * the machine allows. One ffmpeg child decodes the file once into analysis
 * frames and cut frames; the classifier, smoother and shot tracker are the
 * server's; the shot log is a SQLite database in DIR, and every export is
 * written beside it, with a thumbnail per shot and a summary (average shot
 * length, scale distribution) for film analysis.
 *
 * DIR is locked for the run, as a server locks its data directory. A log is
 * of one run: it is made in a work folder inside DIR and replaces an earlier
 * file's log (with that run's exports and thumbnails) only once complete, so
 * a failed run loses nothing; a run stopped by a signal writes its partial
 * log unless DIR holds a complete one, which it keeps; a server's log in DIR
 * is never replaced.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReadoutBuilder } from '../analysis/readout-builder.js';
import type { LoadedConfig } from '../config/load-config.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { MAX_BATCH, parseCommandArgs, UsageError, wholeNumberOption } from './command-options.js';
import { filmReport } from '../reports/film-report.js';
import { EXPORT_EXTENSIONS, EXPORT_FORMATS, exportShots, isExportFormat, type ExportFormat, type ExportOptions, type ExportResult } from '../exports/export-shots.js';
import { configuredFfmpeg, type FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import { decodeFileWithCuts, isImageFile, type DecodedFrame } from '../ingest/file-decoder.js';
import { probeMedia, type MediaInfo } from '../ingest/media-probe.js';
import { feedViews, runModels } from '../inference/inference-runner.js';
import { ModelSet } from '../inference/model-set.js';
import { withoutInfo, type Logger } from '../shared/logger.js';
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { LOCK_FILE, lockDataDir, type DataDirLock } from '../store/data-dir-lock.js';
import { DATABASE_FILE } from '../store/database.js';
import { MediaSourceStore } from '../store/media-source-store.js';
import { ShotLog } from '../shots/shot-log.js';
import { isTimecodeRateName, rateFromFps, TIMECODE_RATE_NAMES, timecodeRate, timecodeToFrames } from '../shots/timecode.js';
import { checkInputFile, READ_PROBLEM_HINTS, unreadableFile } from './input-file.js';
import { makeOutputDir, writeOutputFile } from './output-files.js';
import { ProgressLine } from './progress-line.js';
import { EXIT_TRUNCATED, truncationWarning, videoEnd } from './truncated-file.js';
import { earlierLog, FILE_CAMERA, refuseOthersFiles, removeEarlierFiles, REPORT_FILE, SUMMARY_FILE, THUMBNAIL_DIR, THUMBNAIL_NAME, type EarlierLog } from './earlier-log.js';
import { configFromArgs } from './config-args.js';
import { extentWords, formatSummary, plural, summarise, type LogExtent } from './log-summary.js';

/** A mistake on the command line: BAD_REQUEST, exit 2 with log's usage (main.ts), as for every command. */
function fail(message: string): never {
  throw new UsageError(message);
}

/**
 * Exit status of a log of a file that ended before its container says it
 * does (a copy cut short): the log covers what was decoded, every file is
 * written for it, and a script can tell it from a whole log (0).
 */
export { EXIT_TRUNCATED };

/** The folder in DIR a log is made in before it takes the earlier log's place. */
const WORK_PREFIX = '.shotscale-log-';

export async function runLog(argv: string[], log: Logger): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      config: { type: 'string', short: 'c' },
      fps: { type: 'string', default: '3' },
      rate: { type: 'string' },
      'start-tc': { type: 'string' },
      formats: { type: 'string', default: EXPORT_FORMATS.join(',') },
      batch: { type: 'string', default: '8' },
    },
  });
  if (positionals.length === 0) fail('a VIDEO is required');
  if (positionals.length > 1) fail(`one VIDEO only (got ${positionals.length}: ${positionals.slice(0, 3).map((p) => JSON.stringify(p)).join(', ')}${positionals.length > 3 ? ', ...' : ''})`);
  if (!values.out) fail('--out DIR is required');
  // ffmpeg reads the video twice (its header, then its frames), which a pipe cannot give.
  if (positionals[0] === '-') fail('log -: reading the video from stdin is not supported (it is read twice: its header, then its frames); save it to a file and name that');
  // Every export, the thumbnails and the shot log are files of a folder: there is no one stream to write.
  if (values.out === '-') fail('--out -: log writes a folder (the shot log, every export, thumbnails); name a folder');
  const video = path.resolve(positionals[0]!);
  const outDir = path.resolve(values.out);
  const analysisFps = Number(values.fps);
  const batchSize = wholeNumberOption('batch', values.batch, 1, MAX_BATCH);
  if (!(analysisFps > 0 && analysisFps <= 60)) fail(`--fps ${values.fps}: analysed frames per second, more than 0 and at most 60`);
  const formats = values.formats.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = formats.filter((f) => !isExportFormat(f));
  if (unknown.length) fail(`--formats: ${unknown.join(', ')} not known (known: ${EXPORT_FORMATS.join(', ')})`);
  if (values.rate !== undefined && !isTimecodeRateName(values.rate)) fail(`--rate ${values.rate}: one of 23.976, 24, 25, 29.97, 29.97DF, 30, 50, 59.94, 59.94DF, 60`);
  checkInputFile(video, `${video}: no such file`, 'a video file');
  // In the words classify uses: ffmpeg says "Permission denied" of a video, and nothing of the kind of a picture.
  const problem = unreadableFile(video);
  if (problem) throw new ShotscaleError('INPUT_UNREADABLE', `${video}: ${problem}`, { hint: READ_PROBLEM_HINTS[problem] });
  // A still picture has no shots, cuts or timecode: logged, its one frame was held for a shot eight times
  // longer than the file (the image demuxer's 25 fps against 3 analysed frames a second). Refused, as a one-frame video is.
  if (isImageFile(video)) {
    throw new ShotscaleError('INPUT_UNREADABLE', `${video}: a still picture, not a video: there are no shots to log in it`, { hint: `shotscale classify ${positionals[0]} reads the scale of a still picture` });
  }
  refuseOverwritingVideo(video, outDir);

  const loaded = configFromArgs(values);
  const { config } = loaded;
  const ffmpeg = configuredFfmpeg(loaded);
  const info = await probeMedia(ffmpeg.path, video);
  const ownRate = fileRate(info);
  const start = values['start-tc'] ?? null;
  const rate = startRate(start, values.rate as TimecodeRateName | undefined, ownRate ?? config.shots.timecode.rate);
  if (start) {
    try {
      timecodeToFrames(start, timecodeRate(rate));
    } catch (error) {
      fail(`--start-tc: ${errorMessage(error)}`);
    }
  }

  // Every cut of a file counted at a rate not its own lands on the wrong frame of the file's timeline: said, not silent.
  if (values.rate === undefined && !ownRate) process.stderr.write(rateWarning(video, info, rate));

  const madeOut = !existsSync(outDir);
  let dirLock: DataDirLock | null = null;
  let work: string | null = null;
  // Ctrl-C (or SIGTERM) before the first frame is read, while the model loads: there is nothing to log. What
  // this run made in DIR goes (the lock, the work folder, DIR itself when it made it), and it dies of the signal.
  const stopBeforeFrames = (signal: NodeJS.Signals): void => {
    signalsTaken();
    try {
      if (work) rmSync(work, { recursive: true, force: true });
      dirLock?.release();
      if (madeOut) removeEmptyFolder(outDir);
      process.stderr.write(`${video}: stopped by ${signal} before any frame was read (the model was loading): nothing written, ${madeOut ? `${outDir} not made` : `${outDir} left as it was`}\n`);
    } finally {
      // As the second Ctrl-C of a log does: not process.exit, under a model still loading (see logFile).
      process.kill(process.pid, signal);
    }
  };
  const signalsTaken = (): void => {
    process.off('SIGINT', stopBeforeFrames);
    process.off('SIGTERM', stopBeforeFrames);
  };
  // Listened for before DIR is made and locked: until a listener is there, a signal ends the process at once
  // (the operating system's default), which left the lock file in DIR.
  process.on('SIGINT', stopBeforeFrames);
  process.on('SIGTERM', stopBeforeFrames);
  try {
    makeOutputDir('--out', outDir);
    // Before anything in DIR is read or touched: a server (or another log) at work in DIR holds this lock,
    // and its log is left alone. Released (and its file removed) whatever happens below.
    const lock = lockDataDir(outDir, { removeOnRelease: true });
    dirLock = lock;
    // Work folders of a run that was killed (SIGKILL, power): under the lock, nothing else is using them.
    for (const entry of readdirSync(outDir)) if (entry.startsWith(WORK_PREFIX)) rmSync(path.join(outDir, entry), { recursive: true, force: true });
    const earlier = earlierLog(outDir);
    refuseOthersFiles(outDir, path.basename(video, path.extname(video)), earlier);
    const models = await ModelSet.load(loaded, withoutInfo(log));
    // The log is made in a folder of its own inside DIR and takes the earlier log's place only when it is
    // complete: a run that fails (an unreadable file, a crash) leaves the earlier log and its files as they were.
    work = mkdtempSync(path.join(outDir, WORK_PREFIX));
    return await logFile({ video, outDir, work, earlier, info, rate, start, analysisFps, batchSize, formats: formats as ExportFormat[], config, ffmpeg, models, log, dirLock: lock, signalsTaken });
  } finally {
    signalsTaken();
    if (work) rmSync(work, { recursive: true, force: true });
    dirLock?.release();
  }
}

/**
 * Refused (BAD_REQUEST) before DIR is touched: a file the log writes or
 * replaces there (an export of any format, the report, the summary, the shot
 * log and its companions, a thumbnail, the lock, a work folder's contents)
 * that is the video itself, which the log would overwrite or delete.
 */
function refuseOverwritingVideo(video: string, outDir: string): void {
  let real: string;
  try {
    real = realpathSync(video);
  } catch {
    return; // checkInputFile has said why it cannot be read
  }
  const realOut = existingRealPath(outDir);
  const base = path.basename(video, path.extname(video));
  const names = [
    ...Object.values(EXPORT_EXTENSIONS).map((extension) => `${base}${extension}`),
    REPORT_FILE,
    SUMMARY_FILE,
    DATABASE_FILE,
    `${DATABASE_FILE}-wal`,
    `${DATABASE_FILE}-shm`,
    LOCK_FILE,
  ];
  const clash = names.find((name) => existingRealPath(path.join(realOut, name)) === real);
  const relative = path.relative(realOut, real);
  const [first, ...rest] = relative.split(path.sep);
  const inside = !relative.startsWith('..') && !path.isAbsolute(relative) && rest.length > 0;
  const removed = inside && (first!.startsWith(WORK_PREFIX) || (first === THUMBNAIL_DIR && rest.length === 1 && THUMBNAIL_NAME.test(rest[0]!)));
  if (!clash && !removed) return;
  const what = clash ? `its ${clash} would be written over the video` : first === THUMBNAIL_DIR ? `the video is named as a thumbnail the log writes or removes (${first}/${rest[0]})` : `the video is in ${first}/, an unfinished log's work folder, which the log removes`;
  throw new UsageError(`--out ${outDir}: ${what} (${video})`, 'name another folder for the log, or move the video out of it');
}

/** A path's real path (links followed), or, where it does not exist, its nearest existing folder's joined with the rest. */
function existingRealPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    const parent = path.dirname(file);
    return parent === file ? file : path.join(existingRealPath(parent), path.basename(file));
  }
}

/** A folder this run made, now empty; kept when anything else is in it. */
function removeEmptyFolder(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or gone: left as it is
  }
}

/** Said before the log runs when the file's rate is no timecode rate and --rate names none. */
function rateWarning(video: string, info: Pick<MediaInfo, 'fps'>, rate: TimecodeRateName): string {
  const own = info.fps ? `its frame rate, ${info.fps} fps, is not a timecode rate` : 'ffmpeg gives no frame rate for it';
  return (
    `warning INPUT_RATE_UNKNOWN: ${video}: ${own}: logged at ${rate} (shots.timecode.rate), so its cuts are on ${rate} fps frames, not the file's\n` +
    `  hint: name the rate its timeline counts in with --rate (one of ${TIMECODE_RATE_NAMES.join(', ')})\n`
  );
}

/**
 * The log's rate with --start-tc: a ";" before the frames asks for
 * drop-frame, so a 29.97 or 59.94 file whose timecode track is non-drop is
 * counted drop-frame from that start (the numbers the user wrote). A ";" with
 * --rate non-drop, or at a rate that has no drop-frame (25, 23.976), is
 * refused: the two ask for different timecodes, and which one was meant
 * cannot be told.
 */
export function startRate(start: string | null, asked: TimecodeRateName | undefined, own: TimecodeRateName): TimecodeRateName {
  const rate = asked ?? own;
  if (!start?.includes(';') || timecodeRate(rate).dropFrame) return rate;
  const dropFrame = `${rate}DF`;
  if (asked === undefined && isTimecodeRateName(dropFrame)) return dropFrame;
  const why = isTimecodeRateName(dropFrame) ? `--rate ${rate} is non-drop` : `${asked === undefined ? "the log's rate" : '--rate'} ${rate} has no drop-frame (only 29.97 and 59.94 do)`;
  return fail(`--start-tc ${start}: the ";" asks for drop-frame, but ${why}: write the start with ":" before the frames${isTimecodeRateName(dropFrame) ? `, or give --rate ${dropFrame}` : ''}`);
}

/**
 * The file's own rate when it is a timecode rate, else null (the configured
 * one is used; the cut frames are resampled to it). A 29.97 or 59.94 file
 * counts its frames as its timecode track does: ";" before the frames is
 * drop-frame, ":" is not; with no timecode track, drop-frame.
 */
export function fileRate(info: Pick<MediaInfo, 'fps' | 'timecode'>): TimecodeRateName | null {
  if (!info.fps) return null;
  const dropFrame = info.timecode ? info.timecode.includes(';') : true;
  return rateFromFps(info.fps, dropFrame)?.name ?? null;
}

/**
 * A run stopped by a signal covers less than a complete log already in DIR
 * does: that log and its files are kept (a re-run stopped with Ctrl-C cost the
 * whole log it was meant to replace), and this line says so. Null when the
 * stopped run's partial log is written (DIR held none, or only an incomplete one).
 */
function keptLogLine(run: Pick<LogRun, 'earlier' | 'outDir'>, signal: NodeJS.Signals, shots: number | null): string | null {
  if (!run.earlier?.complete) return null;
  const thisRun = shots === null ? "this run's shots are" : `this run's ${plural(shots, 'shot')} ${shots === 1 ? 'is' : 'are'}`;
  return `stopped by ${signal}: the earlier complete log in ${run.outDir} (${plural(run.earlier.shots, 'shot')}) is kept; ${thisRun} not written\n`;
}

interface LogRun {
  video: string;
  outDir: string;
  work: string;
  earlier: EarlierLog | null;
  info: MediaInfo;
  rate: TimecodeRateName;
  start: string | null;
  analysisFps: number;
  batchSize: number;
  formats: ExportFormat[];
  config: LoadedConfig['config'];
  ffmpeg: FfmpegBinary;
  models: ModelSet;
  log: Logger;
  dirLock: DataDirLock;
  /** The log's own Ctrl-C handling is in place: runLog's, for before the first frame, stands down. */
  signalsTaken: () => void;
}

async function logFile(run: LogRun): Promise<number> {
  const { video, outDir, work, info, rate, start, analysisFps, batchSize, config, ffmpeg, models, log } = run;
  const profile = models.defaultProfile();
  const model = models.default;
  let shotLog: ShotLog;
  try {
    shotLog = ShotLog.open(work, config, Date.now, withoutInfo(log), { shot: () => undefined, takes: () => undefined, coverage: () => undefined, alert: () => undefined });
  } catch (error) {
    await models.dispose();
    throw error;
  }
  const cameraId = FILE_CAMERA;
  const tracker = shotLog.attachCamera(
    { id: cameraId, timecode: { rate, ...(start ? { start, fromSource: false } : {}) } },
    { sourceStart: start ? null : info.timecode, offline: true },
  );
  const title = path.basename(video);
  // In the log itself, so that `shotscale export --db` of it alone links to the file as the exports here do.
  new MediaSourceStore(shotLog.db).save({ cameraId, path: video, title, rate, width: info.width, height: info.height, pixelAspect: info.pixelAspect, fieldOrder: info.fieldOrder ?? null, audio: info.audio, reel: info.reel ?? null });
  // Wall-clock times of a file: its creation time (when tagged) plus the media time.
  const baseMs = info.createdAt ?? Date.now();
  const readouts = new ReadoutBuilder({ ...config.pipeline.smoothing, pairViews: config.model.mirrorViews }, () => Date.now());

  const totalFrames = info.durationS ? Math.round(info.durationS * tracker.fps) : 0;
  const progress = new ProgressLine(totalFrames, 'frames');
  const started = performance.now();
  let cutFrames = 0;
  let lastProgress = 0;
  const pending: DecodedFrame[] = [];
  let chain = Promise.resolve();
  let inFlight = 0;

  // As a live feed is looked at: every other frame mirrored, the smoothing averages the views.
  const views = feedViews(config.model.mirrorViews);
  const analyse = async (batch: DecodedFrame[]) => {
    const frames = batch.map((f) => ({ cameraId, seq: f.index, session: 1, timeS: f.timeS, captureTime: baseMs + f.timeS * 1000, width: model.input.width, height: model.input.height, data: f.data }));
    const predictions = await runModels(frames, () => profile, views);
    frames.forEach((frame, i) => {
      // As live: a cut found after frames of its shot were read smooths them again from the cut.
      tracker.takeSmoothingReset(1, frame.timeS, (since) => readouts.restart(cameraId, since));
      const readout = readouts.build(frame, predictions[i]!, model.name);
      tracker.readout(1, frame.timeS, frame.captureTime, readout, { timeS: frame.timeS, width: frame.width, height: frame.height, data: frame.data });
    });
  };

  const decode = decodeFileWithCuts(
    ffmpeg.path,
    video,
    { ...model.input, fps: analysisFps },
    tracker.fps,
    { ffmpeg, logLevel: 'error', platform: process.platform },
    () => Date.now(),
    (frame) => {
      pending.push(frame);
      if (pending.length < batchSize) return;
      const batch = pending.splice(0);
      inFlight += 1;
      // Inference runs while ffmpeg decodes on; past two batches waiting, ffmpeg waits.
      if (inFlight >= 2) decode.pause();
      chain = chain.then(() => analyse(batch)).finally(() => {
        inFlight -= 1;
        if (inFlight < 2) decode.resume();
      });
    },
    (index, data) => {
      cutFrames = index + 1;
      tracker.cutFrame(1, index, data, baseMs + (index * 1000) / tracker.fps);
      const now = performance.now();
      if (now - lastProgress > 500) {
        lastProgress = now;
        progress.advanceTo(cutFrames);
        const speed = index / tracker.fps / ((now - started) / 1000);
        progress.update(`${plural(tracker.shotsClosed, 'shot')}, ${speed.toFixed(1)}x real time`);
      }
    },
  );

  // Ctrl-C (or a supervisor's SIGTERM) stops the decoding, not the log: the shots so far are closed at the
  // last frame read and every file is written for them, as for a shorter film. A second Ctrl-C quits at once.
  let stoppedBy: NodeJS.Signals | null = null;
  const stop = (signal: NodeJS.Signals): void => {
    if (stoppedBy) {
      // Quitting at once still leaves what was logged as DIR's shot log (its shots closed at their last frame),
      // unless DIR holds a complete log, which is kept.
      try {
        shotLog.close();
        const kept = keptLogLine(run, signal, null);
        if (kept) process.stderr.write(kept);
        else replaceDatabase(work, outDir);
        rmSync(work, { recursive: true, force: true });
        run.dirLock.release();
      } finally {
        // Die of the signal, as a program quit by Ctrl-C does (the shell sees 130 or 143): process.exit would
        // run native teardown under an inference still in flight, which can abort (Napi::Error, exit 134).
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.kill(process.pid, signal);
      }
      return;
    }
    stoppedBy = signal;
    progress.update(`stopping (${signal}): writing the log so far; ${signal === 'SIGINT' ? 'Ctrl-C again' : 'SIGKILL'} quits at once`);
    decode.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  run.signalsTaken();
  let lastError: string | null;
  try {
    ({ lastError } = await decode.done);
    await chain;
    if (pending.length) await analyse(pending.splice(0));
    tracker.endSession('end');
  } catch (error) {
    shotLog.close();
    await models.dispose();
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const elapsedS = (performance.now() - started) / 1000;
  const decodedS = cutFrames / tracker.fps;
  // A file cut short, or one whose picture ends before its sound (truncated-file.ts); a stopped log is neither.
  const ended = stoppedBy ? 'whole' : videoEnd({ fileDurationS: info.durationS, decodedS, lastError });
  const short = ended !== 'whole';
  const truncated = ended === 'truncated';
  // Stopped early or cut short, the log covers what was read, not the whole file.
  const durationS = stoppedBy || short || !info.durationS ? decodedS : info.durationS;
  const shots = shotLog.listShots({});
  const kept = stoppedBy ? keptLogLine(run, stoppedBy, shots.length) : null;
  if (stoppedBy && kept) {
    // Nothing of this run is written: the work folder goes (runLog), DIR is as it was.
    shotLog.close();
    await models.dispose();
    progress.note(kept.trimEnd());
    return stoppedBy === 'SIGINT' ? 130 : 143;
  }
  const base = path.basename(video, path.extname(video));
  // The earlier run's exports and thumbnails go with its log: none is left beside a log it does not match.
  removeEarlierFiles(outDir, [base, ...(run.earlier?.bases ?? [])]);
  const written: string[] = [];
  const exported = exportEachFormat(shots, run.formats, { title, mediaPath: video, rate, media: info });
  for (const result of exported.made) {
    const file = path.join(outDir, `${base}${result.extension}`);
    writeOutputFile('--out', file, result.body);
    written.push(path.basename(file));
  }
  const thumbnails = writeThumbnails(shotLog, shots, path.join(outDir, THUMBNAIL_DIR), base);
  const extent: LogExtent = { stoppedBy: stoppedBy ?? (truncated ? 'truncated' : null), fileDurationS: info.durationS };
  const subtitle = extentWords(extent, durationS) ?? undefined;
  writeOutputFile('--out', path.join(outDir, REPORT_FILE), filmReport(shots, { title, subtitle, thumbnail: (shot) => shotLog.shots.thumbnail(shot.id) }));
  const summary = summarise(title, shots, durationS, rate, analysisFps, elapsedS, extent);
  writeOutputFile('--out', path.join(outDir, SUMMARY_FILE), JSON.stringify(summary, null, 2) + '\n');
  // Everything in the main file before it moves: a WAL file left beside it in the work folder would be lost.
  shotLog.db.pragma('wal_checkpoint(TRUNCATE)');
  shotLog.close();
  await models.dispose();
  replaceDatabase(work, outDir);

  const stoppedAt = stoppedBy ? `; stopped by ${stoppedBy} ${durationS.toFixed(1)} s into the file, the log covers that much` : '';
  progress.done(`${plural(shots.length, 'shot')} logged from ${title} (${summary.speedX.toFixed(1)}x real time)${stoppedAt}`);
  for (const why of exported.notMade) process.stderr.write(`warning: ${why}\n`);
  if (truncated) {
    process.stderr.write(truncationWarning(video, { fileDurationS: info.durationS!, decodedS, lastError }, `the log covers the ${decodedS.toFixed(1)} s decoded`));
  } else if (short) {
    process.stderr.write(`note: ${video}: the picture ends at ${decodedS.toFixed(1)} s of the file's ${info.durationS!.toFixed(1)} s (its sound runs on?); the log covers the picture\n`);
  }
  process.stdout.write(formatSummary(summary, outDir, [REPORT_FILE, ...written, SUMMARY_FILE, DATABASE_FILE, `${THUMBNAIL_DIR}/ (${thumbnails})`]));
  // 128 + the signal's number, as a shell reports a command it stopped, so a script can tell a partial log.
  if (stoppedBy) return stoppedBy === 'SIGINT' ? 130 : 143;
  return truncated ? EXIT_TRUNCATED : 0;
}

/**
 * The new log takes the earlier one's name. The earlier log's WAL and shared
 * memory files go first: SQLite would otherwise read them as the new file's
 * and replay the earlier log's last writes into it.
 */
function replaceDatabase(work: string, outDir: string): void {
  const target = path.join(outDir, DATABASE_FILE);
  try {
    for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
    renameSync(path.join(work, DATABASE_FILE), target);
  } catch (error) {
    throw new ShotscaleError('OUTPUT_UNWRITABLE', `--out ${target}: cannot be written (${errorMessage(error)})`, { hint: 'make the folder writable, then log the file again' });
  }
}

/** The film report beside the exports: one page to look at (reports/film-report.ts). */
export { REPORT_FILE };

function writeThumbnails(shotLog: ShotLog, shots: readonly ShotRecord[], dir: string, base: string): number {
  let count = 0;
  mkdirSync(dir, { recursive: true });
  for (const shot of shots) {
    const jpeg = shotLog.shots.thumbnail(shot.id);
    if (!jpeg) continue;
    writeFileSync(path.join(dir, `${base}_${String(shot.id).padStart(4, '0')}.jpg`), jpeg);
    count += 1;
  }
  return count;
}

/**
 * Each format of a file's log; one that cannot hold it (an EDL of a film's
 * 1,000 shots and more: CMX3600 numbers 999 events) is said in `notMade`
 * and left out, so the analysis and every other format are kept, and
 * `shotscale export` makes it in parts from the log.
 */
export function exportEachFormat(shots: readonly ShotRecord[], formats: readonly ExportFormat[], options: ExportOptions): { made: ExportResult[]; notMade: string[] } {
  const made: ExportResult[] = [];
  const notMade: string[] = [];
  for (const format of formats) {
    try {
      made.push(exportShots(shots, format, options));
    } catch (error) {
      if (!isShotscaleError(error, 'BAD_REQUEST')) throw error;
      notMade.push(`${format} not written: ${error.message}`);
    }
  }
  return { made, notMade };
}
