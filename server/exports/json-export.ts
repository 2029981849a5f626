/**
 * The shot log as JSON for scripts and archive systems: every ShotRecord as
 * the server stores it (each at its own rate), plus the long scale name, the
 * timeline rate and the figures a film analyst reads first. Versioned, so a
 * reader can tell when fields change (fields added keep the version).
 *
 * A shot with `noPicture` (a camera black from cut to cut) keeps the scale it
 * carried over from the shot before, as every shot has one; its scaleName is
 * null, and the summary counts it apart.
 */
import { SCALE_NAMES } from '../shared/scale.js';
import { shotWithoutPicture, type ShotRecord, type TimecodeRateName } from '../shared/shots.js';

export const SHOT_LOG_FORMAT = 'shotscale-shot-log';
export const SHOT_LOG_VERSION = 1;

export function shotsJson(sortedShots: readonly ShotRecord[], title: string, rate: TimecodeRateName, generatedAt: number): string {
  const seconds = sortedShots.reduce((sum, shot) => sum + shot.durationS, 0);
  const withoutPicture = sortedShots.filter((shot) => shotWithoutPicture(shot));
  const document = {
    format: SHOT_LOG_FORMAT,
    version: SHOT_LOG_VERSION,
    title,
    rate,
    generatedAt: new Date(generatedAt).toISOString(),
    shots: sortedShots.map((shot) => ({ ...shot, scaleName: shotWithoutPicture(shot) ? null : SCALE_NAMES[shot.scale] })),
    summary: {
      shots: sortedShots.length,
      seconds,
      averageShotLengthS: sortedShots.length ? seconds / sortedShots.length : 0,
      noPicture: { shots: withoutPicture.length, seconds: withoutPicture.reduce((sum, shot) => sum + shot.durationS, 0) },
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
