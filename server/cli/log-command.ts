/**
 * `shotscale log VIDEO --out DIR`: the live pipeline run on a file as fast as
 * the machine allows. One ffmpeg child decodes the file once into analysis
 * frames and cut frames; the classifier, smoother and shot tracker are the
 * server's; the shot log is a SQLite database in DIR, and every export is
 * written beside it, with a thumbnail per shot and a summary (average shot
 * length, scale distribution) for film analysis.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ReadoutBuilder } from '../analysis/readout-builder.js';
import { resolveConfigPath } from '../config/load-config.js';
import { computeCoverage } from '../coverage/coverage-stats.js';
import { errorMessage } from '../errors.js';
import { UsageError, wholeNumberOption } from './command-options.js';
import { filmReport } from '../reports/film-report.js';
import { EXPORT_FORMATS, exportShots, isExportFormat, type ExportFormat } from '../exports/export-shots.js';
import { resolveFfmpeg } from '../ingest/ffmpeg-binary.js';
import { decodeFileWithCuts, type DecodedFrame } from '../ingest/file-decoder.js';
import { probeMedia } from '../ingest/media-probe.js';
import { feedViews, runModels } from '../inference/inference-runner.js';
import { ModelSet } from '../inference/model-set.js';
import { withoutInfo, type Logger } from '../shared/logger.js';
import { CANONICAL_SCALES } from '../shared/scale.js';
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { DATABASE_FILE } from '../store/database.js';
import { ShotLog } from '../shots/shot-log.js';
import { isTimecodeRateName, rateFromFps, timecodeRate, timecodeToFrames } from '../shots/timecode.js';
import { checkInputFile } from './input-file.js';
import { makeOutputDir, writeOutputFile } from './output-files.js';
import { ProgressLine } from './progress-line.js';
import { configFromArgs } from './serve-command.js';

export interface LogSummary {
  file: string;
  durationS: number;
  shots: number;
  averageShotLengthS: number;
  cuts: Record<string, number>;
  scaleShare: Record<string, number>;
  scaleCount: Record<string, number>;
  /** Shots with no picture from cut to cut (black, white, one plain colour), which count in no scale. */
  noPicture: { shots: number; seconds: number };
  rate: TimecodeRateName;
  analysisFps: number;
  elapsedS: number;
  speedX: number;
}

/** A mistake on the command line: BAD_REQUEST, exit 2 with log's usage (main.ts), as for every command. */
function fail(message: string): never {
  throw new UsageError(message);
}

export async function runLog(argv: string[], log: Logger): Promise<number> {
  const { values, positionals } = parseArgs({
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
  if (positionals.length !== 1 || !values.out) {
    process.stderr.write('usage: shotscale log VIDEO --out DIR [--fps 3] [--rate 25] [--start-tc 01:00:00:00] [--formats csv,json,...] [--config FILE]\n');
    return 2;
  }
  const video = path.resolve(positionals[0]!);
  const outDir = path.resolve(values.out);
  const analysisFps = Number(values.fps);
  const batchSize = wholeNumberOption('batch', values.batch, 1);
  if (!(analysisFps > 0 && analysisFps <= 60)) fail(`--fps ${values.fps}: analysed frames per second, more than 0 and at most 60`);
  const formats = values.formats.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = formats.filter((f) => !isExportFormat(f));
  if (unknown.length) fail(`--formats: ${unknown.join(', ')} not known (known: ${EXPORT_FORMATS.join(', ')})`);
  if (values.rate !== undefined && !isTimecodeRateName(values.rate)) fail(`--rate ${values.rate}: one of 23.976, 24, 25, 29.97, 29.97DF, 30, 50, 59.94, 59.94DF, 60`);
  checkInputFile(video, `${video}: no such file`, 'a video file');

  const loaded = configFromArgs(values);
  const { config } = loaded;
  const ffmpeg = resolveFfmpeg(config.ffmpeg.path ? resolveConfigPath(loaded, config.ffmpeg.path) : null);
  const info = await probeMedia(ffmpeg.path, video);
  // The file's own rate when it is a timecode rate; else the configured one (the cut frames are resampled to it).
  const rate = (values.rate as TimecodeRateName | undefined) ?? (info.fps ? rateFromFps(info.fps)?.name : undefined) ?? config.shots.timecode.rate;
  const start = values['start-tc'] ?? null;
  if (start) {
    try {
      timecodeToFrames(start, timecodeRate(rate));
    } catch (error) {
      fail(`--start-tc: ${errorMessage(error)}`);
    }
  }

  makeOutputDir('--out', outDir);
  // Loaded before the earlier log is let go of: a model that fails to load leaves that log as it was.
  const models = await ModelSet.load(loaded, withoutInfo(log));
  // A log is of one run: an earlier run's database in DIR is replaced, once nothing in the arguments can stop this one.
  for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(outDir, DATABASE_FILE + suffix), { force: true });

  const profile = models.defaultProfile();
  const model = models.default;
  const shotLog = ShotLog.open(outDir, config, Date.now, withoutInfo(log), { shot: () => undefined, takes: () => undefined, coverage: () => undefined, alert: () => undefined });
  const cameraId = 'file';
  const tracker = shotLog.attachCamera(
    { id: cameraId, timecode: { rate, ...(start ? { start, fromSource: false } : {}) } },
    { sourceStart: start ? null : info.timecode, offline: true },
  );
  // Wall-clock times of a file: its creation time (when tagged) plus the media time.
  const baseMs = info.createdAt ?? Date.now();
  const readouts = new ReadoutBuilder(config.pipeline.smoothing, () => Date.now());

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
      if (tracker.takeSmoothingReset(1, frame.timeS)) readouts.reset(cameraId);
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
        progress.update(`${tracker.shotsClosed} shots, ${speed.toFixed(1)}x real time`);
      }
    },
  );

  // Ctrl-C (or a supervisor's SIGTERM) stops the decoding, not the log: the shots so far are closed at the
  // last frame read and every file is written for them, as for a shorter film. A second Ctrl-C quits at once.
  let stoppedBy: NodeJS.Signals | null = null;
  const stop = (signal: NodeJS.Signals): void => {
    if (stoppedBy) process.exit(130);
    stoppedBy = signal;
    progress.update(`stopping (${signal}): writing the log so far; ${signal === 'SIGINT' ? 'Ctrl-C again' : 'SIGKILL'} quits at once`);
    decode.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await decode.done;
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
  const shots = shotLog.listShots({});
  const base = path.basename(video, path.extname(video));
  const written: string[] = [];
  for (const format of formats as ExportFormat[]) {
    const result = exportShots(shots, format, { title: path.basename(video), mediaPath: video, rate });
    const file = path.join(outDir, `${base}${result.extension}`);
    writeOutputFile('--out', file, result.body);
    written.push(path.basename(file));
  }
  const thumbnails = writeThumbnails(shotLog, shots, path.join(outDir, 'thumbnails'), base);
  writeOutputFile('--out', path.join(outDir, REPORT_FILE), filmReport(shots, { title: path.basename(video), thumbnail: (shot) => shotLog.shots.thumbnail(shot.id) }));
  // Stopped early, the log covers what was read, not the whole file.
  const durationS = stoppedBy || !info.durationS ? cutFrames / tracker.fps : info.durationS;
  const summary = summarise(path.basename(video), shots, durationS, rate, analysisFps, elapsedS);
  writeOutputFile('--out', path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  shotLog.close();
  await models.dispose();

  const stoppedAt = stoppedBy ? `; stopped by ${stoppedBy} ${durationS.toFixed(1)} s into the file, the log covers that much` : '';
  progress.done(`${shots.length} shots logged from ${path.basename(video)} (${summary.speedX.toFixed(1)}x real time)${stoppedAt}`);
  process.stdout.write(formatSummary(summary, outDir, [REPORT_FILE, ...written, 'summary.json', DATABASE_FILE, `thumbnails/ (${thumbnails})`]));
  // 128 + the signal's number, as a shell reports a command it stopped, so a script can tell a partial log.
  return stoppedBy ? (stoppedBy === 'SIGINT' ? 130 : 143) : 0;
}

/** The film report beside the exports: one page to look at (reports/film-report.ts). */
export const REPORT_FILE = 'report.html';

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

export function summarise(file: string, shots: readonly ShotRecord[], durationS: number, rate: TimecodeRateName, analysisFps: number, elapsedS: number): LogSummary {
  const stats = computeCoverage(shots);
  const cuts: Record<string, number> = {};
  for (const shot of shots) if (shot.cutOut && shot.cutOut !== 'end') cuts[shot.cutOut] = (cuts[shot.cutOut] ?? 0) + 1;
  const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    file,
    durationS: round(durationS),
    shots: shots.length,
    averageShotLengthS: round(stats.averageShotLengthS),
    cuts,
    scaleShare: Object.fromEntries(CANONICAL_SCALES.map((s, i) => [s, round(stats.histogram[i] ?? 0)])),
    scaleCount: Object.fromEntries(CANONICAL_SCALES.map((s) => [s, stats.byScale[s].count])),
    noPicture: { shots: stats.noPicture.count, seconds: round(stats.noPicture.seconds) },
    rate,
    analysisFps,
    elapsedS: round(elapsedS, 2),
    speedX: round(durationS / Math.max(elapsedS, 1e-6), 2),
  };
}

function formatSummary(summary: LogSummary, outDir: string, files: string[]): string {
  const bars = CANONICAL_SCALES.map((s) => {
    const share = summary.scaleShare[s] ?? 0;
    return `  ${s.padEnd(4)} ${'#'.repeat(Math.round(share * 40)).padEnd(40)} ${(share * 100).toFixed(1).padStart(5)}%  ${summary.scaleCount[s]} shots`;
  });
  const cuts = Object.entries(summary.cuts).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  return [
    `${summary.file}: ${summary.shots} shots in ${summary.durationS.toFixed(1)} s, average shot length ${summary.averageShotLengthS.toFixed(2)} s (cuts: ${cuts})`,
    'scale distribution (share of time):',
    ...bars,
    ...(summary.noPicture.shots ? [`  no picture: ${summary.noPicture.shots} shot${summary.noPicture.shots === 1 ? '' : 's'}, ${summary.noPicture.seconds.toFixed(1)} s (in no scale)`] : []),
    `written to ${outDir}: ${files.join(', ')}`,
    '',
  ].join('\n');
}
