/**
 * SMPTE timecode: frame counts to and from "HH:MM:SS:FF" at the broadcast and
 * film rates, drop-frame included. Drop-frame (29.97 and 59.94) skips frame
 * numbers 0-1 (0-3 at 59.94) at the start of every minute except each tenth,
 * so the timecode stays within a frame or two of the clock; the frames
 * themselves are never dropped. Drop-frame timecode is written with ";"
 * before the frames, as editing tools expect.
 */
import { ShotscaleError } from '../errors.js';
import type { TimecodeRateName } from '../shared/shots.js';

export interface TimecodeRate {
  name: TimecodeRateName;
  /** Exact frames per second (30000/1001 for 29.97). */
  fps: number;
  /** Frames counted per timecode second (24, 25, 30, 50, 60). */
  nominal: number;
  dropFrame: boolean;
}

export const TIMECODE_RATE_NAMES: readonly TimecodeRateName[] = ['23.976', '24', '25', '29.97', '29.97DF', '30', '50', '59.94', '59.94DF', '60'];

const RATES: Record<TimecodeRateName, TimecodeRate> = {
  '23.976': { name: '23.976', fps: 24000 / 1001, nominal: 24, dropFrame: false },
  '24': { name: '24', fps: 24, nominal: 24, dropFrame: false },
  '25': { name: '25', fps: 25, nominal: 25, dropFrame: false },
  '29.97': { name: '29.97', fps: 30000 / 1001, nominal: 30, dropFrame: false },
  '29.97DF': { name: '29.97DF', fps: 30000 / 1001, nominal: 30, dropFrame: true },
  '30': { name: '30', fps: 30, nominal: 30, dropFrame: false },
  '50': { name: '50', fps: 50, nominal: 50, dropFrame: false },
  '59.94': { name: '59.94', fps: 60000 / 1001, nominal: 60, dropFrame: false },
  '59.94DF': { name: '59.94DF', fps: 60000 / 1001, nominal: 60, dropFrame: true },
  '60': { name: '60', fps: 60, nominal: 60, dropFrame: false },
};

export function timecodeRate(name: TimecodeRateName): TimecodeRate {
  return RATES[name];
}

export function isTimecodeRateName(value: string): value is TimecodeRateName {
  return Object.hasOwn(RATES, value);
}

/**
 * The standard rate nearest to a measured frame rate (within 0.1%), or null
 * for odd rates. 29.97 and 59.94 come back drop-frame unless asked otherwise.
 */
export function rateFromFps(fps: number, dropFrame = true): TimecodeRate | null {
  let best: TimecodeRate | null = null;
  let bestError = Infinity;
  for (const rate of Object.values(RATES)) {
    // 29.97 and 59.94 exist twice; only they can be drop-frame.
    const canDrop = rate.nominal % 30 === 0 && rate.fps !== rate.nominal;
    if (canDrop && rate.dropFrame !== dropFrame) continue;
    const error = Math.abs(fps - rate.fps) / rate.fps;
    if (error < bestError) [best, bestError] = [rate, error];
  }
  // 30 and 29.97 are 0.1% apart: half of that decides.
  return bestError < 0.0005 ? best : null;
}

/** Frame numbers skipped at each dropped minute: 2 at 29.97, 4 at 59.94. */
function droppedPerMinute(rate: TimecodeRate): number {
  return rate.dropFrame ? Math.round(rate.nominal / 15) : 0;
}

/** Timecode frames in 24 hours (the timecode wraps there). */
export function framesPerDay(rate: TimecodeRate): number {
  const drop = droppedPerMinute(rate);
  return 24 * 3600 * rate.nominal - 24 * 54 * drop;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Frame count since 00:00:00:00 to "HH:MM:SS:FF" ("HH:MM:SS;FF" when drop-frame); wraps at 24 h. */
export function framesToTimecode(frames: number, rate: TimecodeRate): string {
  if (!Number.isInteger(frames)) throw new RangeError(`timecode needs a whole frame count, got ${frames}`);
  const day = framesPerDay(rate);
  let n = ((frames % day) + day) % day;
  const drop = droppedPerMinute(rate);
  if (drop) {
    // Add back the frame numbers skipped so far, then count as non-drop.
    const perMinute = 60 * rate.nominal - drop;
    const perTenMinutes = 10 * 60 * rate.nominal - 9 * drop;
    const tens = Math.floor(n / perTenMinutes);
    const rest = n % perTenMinutes;
    n += 9 * drop * tens + (rest > drop ? drop * Math.floor((rest - drop) / perMinute) : 0);
  }
  const ff = n % rate.nominal;
  const totalSeconds = Math.floor(n / rate.nominal);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${rate.dropFrame ? ';' : ':'}${pad2(ff)}`;
}

/**
 * The exclusive out point of a span that starts at `inFrames`: as
 * framesToTimecode, except that a span ending at the end of a day (at
 * midnight) ends at 24:00:00:00, not 00:00:00:00, which would read as an out
 * before its in (an edit list splits a span across midnight there).
 */
export function framesToOutTimecode(outFrames: number, inFrames: number, rate: TimecodeRate): string {
  const day = framesPerDay(rate);
  if (outFrames > inFrames && outFrames % day === 0) return `24:00:00${rate.dropFrame ? ';' : ':'}00`;
  return framesToTimecode(outFrames, rate);
}

const TIMECODE_PATTERN = /^(\d{1,2}):(\d{2}):(\d{2})[:;.,](\d{2,3})$/;

/** "HH:MM:SS:FF" (or ";" / "." before the frames) to a frame count since 00:00:00:00. */
export function timecodeToFrames(timecode: string, rate: TimecodeRate): number {
  const match = TIMECODE_PATTERN.exec(timecode.trim());
  const bad = (why: string) => new ShotscaleError('BAD_REQUEST', `timecode "${timecode}" ${why} at ${rate.name} fps`);
  if (!match) throw bad('is not HH:MM:SS:FF');
  const [hh, mm, ss, ff] = match.slice(1).map(Number) as [number, number, number, number];
  if (hh > 23 || mm > 59 || ss > 59 || ff >= rate.nominal) throw bad('is out of range');
  const drop = droppedPerMinute(rate);
  if (drop && ss === 0 && mm % 10 !== 0 && ff < drop) throw bad('does not exist in drop-frame (skipped frame number)');
  const totalMinutes = 60 * hh + mm;
  return (3600 * hh + 60 * mm + ss) * rate.nominal + ff - drop * (totalMinutes - Math.floor(totalMinutes / 10));
}

/** The frame at `seconds` (rounded to the nearest frame). */
export function secondsToFrames(seconds: number, rate: TimecodeRate): number {
  return Math.round(seconds * rate.fps);
}

export function framesToSeconds(frames: number, rate: TimecodeRate): number {
  return frames / rate.fps;
}

/**
 * Time-of-day timecode of an epoch time in the machine's local time zone: what
 * a jam-synced camera would show, so feeds line up across cameras.
 */
export function timeOfDayFrames(epochMs: number, rate: TimecodeRate): number {
  const date = new Date(epochMs);
  const midnight = new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  // A drop-frame day is a few frames shorter than 24 h of real frames.
  return secondsToFrames((epochMs - midnight) / 1000, rate) % framesPerDay(rate);
}

/** Timecode of a frame count at a rate given by name, as stored (unknown names give the count). */
export function timecodeAtRate(frames: number, rateName: string): string {
  return isTimecodeRateName(rateName) ? framesToTimecode(frames, RATES[rateName]) : String(frames);
}
