/**
 * What `shotscale log` says of a file when it is done: the summary written
 * beside the log (summary.json) and printed, and how far the log got.
 */
import { computeCoverage } from '../coverage/coverage-stats.js';
import { CANONICAL_SCALES } from '../shared/scale.js';
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';

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
  /** False when the log covers less than the file: stopped by a signal, or the file ends early. */
  complete: boolean;
  /** Why the log ends before the file does: the signal that stopped it, or "truncated" (a file cut short); null when complete. */
  stoppedBy: NodeJS.Signals | 'truncated' | null;
  /** The file's own length as its container gives it (null where unknown); durationS is what the log covers. */
  fileDurationS: number | null;
}

/** How far a log got: stopped by a signal or at a file's early end, at `durationS` of the file's `fileDurationS`. */
export interface LogExtent {
  stoppedBy: NodeJS.Signals | 'truncated' | null;
  fileDurationS: number | null;
}

/** "1 shot", "2 shots". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A log that ends before its file, in words for the report ("stopped by SIGINT at 5.8 s of 72.0 s"); null for a whole one. */
export function extentWords(extent: LogExtent, durationS: number): string | null {
  const of = extent.fileDurationS !== null ? ` of ${extent.fileDurationS.toFixed(1)} s` : '';
  if (extent.stoppedBy === 'truncated') return `the file ends early: decoded ${durationS.toFixed(1)} s${of}`;
  if (extent.stoppedBy) return `stopped by ${extent.stoppedBy} at ${durationS.toFixed(1)} s${of}`;
  return null;
}

/** What a file's log says in sum: shots, cuts, the share of each scale, and how far it got. */
export function summarise(
  file: string,
  shots: readonly ShotRecord[],
  durationS: number,
  rate: TimecodeRateName,
  analysisFps: number,
  elapsedS: number,
  extent: LogExtent = { stoppedBy: null, fileDurationS: null },
): LogSummary {
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
    complete: extent.stoppedBy === null,
    stoppedBy: extent.stoppedBy,
    fileDurationS: extent.fileDurationS === null ? null : round(extent.fileDurationS),
  };
}

/** The summary as `shotscale log` prints it when done: counts and a bar per scale. */
export function formatSummary(summary: LogSummary, outDir: string, files: string[]): string {
  const bars = CANONICAL_SCALES.map((s) => {
    const share = summary.scaleShare[s] ?? 0;
    return `  ${s.padEnd(4)} ${'#'.repeat(Math.round(share * 40)).padEnd(40)} ${(share * 100).toFixed(1).padStart(5)}%  ${plural(summary.scaleCount[s] ?? 0, 'shot')}`;
  });
  const cuts = Object.entries(summary.cuts).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  return [
    `${summary.file}: ${plural(summary.shots, 'shot')} in ${summary.durationS.toFixed(1)} s, average shot length ${summary.averageShotLengthS.toFixed(2)} s (cuts: ${cuts})`,
    'scale distribution (share of time):',
    ...bars,
    ...(summary.noPicture.shots ? [`  no picture: ${summary.noPicture.shots} shot${summary.noPicture.shots === 1 ? '' : 's'}, ${summary.noPicture.seconds.toFixed(1)} s (in no scale)`] : []),
    `written to ${outDir}: ${files.join(', ')}`,
    '',
  ].join('\n');
}
