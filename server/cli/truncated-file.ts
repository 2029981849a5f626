/**
 * A video that ends before its container says it does: a copy cut short.
 * ffmpeg exits 0 on one ("partial file"), so only the length decoded against
 * the container's duration tells it, with ffmpeg's complaint. Without a
 * complaint the picture simply ends before the sound does: a whole file.
 * `log` and `classify` tell it, and say it, alike.
 */

/** Exit status of a run whose file (one or more, for classify) ended early: a script can tell it from a whole run (0). */
export const EXIT_TRUNCATED = 3;

/** A decoded length short of the container's by more than this (and by more than the share below) is a file cut short. */
const TRUNCATION_TOLERANCE_S = 1;
const TRUNCATION_TOLERANCE_SHARE = 0.02;

/** How a decoded video ended: at its end, cut short ("truncated"), or with its picture ending before its sound. */
export type VideoEnd = 'whole' | 'truncated' | 'picture-ends';

export interface DecodedExtent {
  /** The container's duration; null where ffmpeg gives none (nothing to tell against: whole). */
  fileDurationS: number | null;
  decodedS: number;
  /** ffmpeg's last complaint on stderr, or null. */
  lastError: string | null;
  /** How finely decodedS is known (classify counts frames sampled at --fps: one interval); 0 for every frame. */
  resolutionS?: number;
}

export function videoEnd({ fileDurationS, decodedS, lastError, resolutionS = 0 }: DecodedExtent): VideoEnd {
  if (fileDurationS === null) return 'whole';
  const short = fileDurationS - decodedS > Math.max(TRUNCATION_TOLERANCE_S, TRUNCATION_TOLERANCE_SHARE * fileDurationS, resolutionS);
  if (!short) return 'whole';
  return lastError !== null ? 'truncated' : 'picture-ends';
}

/** The warning line for a file cut short; `covers` says what the output covers ("the log covers the 8.5 s decoded"). */
export function truncationWarning(file: string, extent: DecodedExtent & { fileDurationS: number }, covers: string): string {
  const { decodedS, fileDurationS, lastError } = extent;
  return `warning: ${file}: decoded ${decodedS.toFixed(1)} s of ${fileDurationS.toFixed(1)} s: the file ends early (cut short?); ffmpeg: ${lastError}; ${covers} (exit status ${EXIT_TRUNCATED})\n`;
}
