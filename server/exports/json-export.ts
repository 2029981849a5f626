/**
 * The shot log as JSON for scripts and archive systems: every ShotRecord as
 * the server stores it (each at its own rate), plus the long scale name, the
 * timeline rate and the figures a film analyst reads first. Versioned, so a
 * reader can tell when fields change.
 */
import { SCALE_NAMES } from '../shared/scale.js';
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';

export const SHOT_LOG_FORMAT = 'shotscale-shot-log';
export const SHOT_LOG_VERSION = 1;

export function shotsJson(sortedShots: readonly ShotRecord[], title: string, rate: TimecodeRateName, generatedAt: number): string {
  const seconds = sortedShots.reduce((sum, shot) => sum + shot.durationS, 0);
  const document = {
    format: SHOT_LOG_FORMAT,
    version: SHOT_LOG_VERSION,
    title,
    rate,
    generatedAt: new Date(generatedAt).toISOString(),
    shots: sortedShots.map((shot) => ({ ...shot, scaleName: SCALE_NAMES[shot.scale] })),
    summary: {
      shots: sortedShots.length,
      seconds,
      averageShotLengthS: sortedShots.length ? seconds / sortedShots.length : 0,
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
