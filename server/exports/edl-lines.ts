/**
 * The CMX3600 lines both EDL exports write: the TITLE and FCM header and the
 * fixed-width event line. CMX3600 readers (Avid, Resolve, Premiere, EDL
 * tools) cut the event line by column, so the widths are exact:
 *
 *   001  CAM_1    V     C        10:00:00:00 10:00:04:12 10:00:00:00 10:00:04:12
 *   |    |        |     |    |   source in   source out  record in   record out
 *   |    |        |     |    transition length (3, blank for a cut)
 *   |    |        |     transition (4), track (5), reel (8), event (3)
 *
 * Event numbers have three digits, so an EDL holds at most 999 events
 * (CMX 340, 3400 and 3600 alike; a four-digit number would shift every
 * column). A longer list is refused (BAD_REQUEST, refuseLongEdl) with how
 * many events it has and how to narrow it, as conform tools expect such a
 * list divided: numbering that started again at 001 after 999 made each
 * number name two or more events, without a word to the user.
 *
 * Lines end in CRLF, as CMX3600 files traditionally do; every tool above
 * also reads LF. CMX3600 is an ASCII format, so the title is ASCII
 * (export-text.ts asciiText: "Grüße" -> "Grusse", CJK and emoji "?").
 */
import { ShotscaleError } from '../errors.js';
import { framesToOutTimecode, framesToTimecode, type TimecodeRate } from '../shots/timecode.js';
import { asciiText, oneLine, oneLineMax } from './export-text.js';

export const EDL_LINE_END = '\r\n';
export const MAX_EDL_EVENTS = 999;
export const EDL_TITLE_LENGTH = 70;

/** The three-digit number of the event at `index` (0-based): 001..999 (a longer list is refused first: refuseLongEdl). */
export function edlEventNumber(index: number): string {
  if (index < 0 || index >= MAX_EDL_EVENTS) throw new RangeError(`EDL event index ${index} is outside 0..${MAX_EDL_EVENTS - 1}`);
  return String(index + 1).padStart(3, '0');
}

/**
 * Refuses (BAD_REQUEST) an EDL of more than 999 events, as edlLayout refuses
 * one past the end of the day: the message says how many events there are
 * (a shot across midnight is two) and how to narrow the export.
 */
export function refuseLongEdl(events: number, shots: number, format: 'edl' | 'markers'): void {
  if (events <= MAX_EDL_EVENTS) return;
  const of = events === shots ? '' : ` (of ${shots} shots; a shot across midnight is two events)`;
  throw new ShotscaleError(
    'BAD_REQUEST',
    `${format}: ${events} events${of} are more than the ${MAX_EDL_EVENTS} a CMX3600 EDL can number (three-digit event numbers), and conform tools expect a longer list divided: ` +
      `export fewer shots at a time (one camera, scene, take, or a from/to range: camera=, scene=, take=, from=, to=; shotscale export --camera, --scene, --take, --from, --to), ` +
      'or use otio, fcpxml or ale, which have no such limit',
  );
}

/** The frame code mode line: drop-frame or not, from the rate. */
export function fcmLine(rate: TimecodeRate): string {
  return `FCM: ${rate.dropFrame ? 'DROP FRAME' : 'NON-DROP FRAME'}`;
}

/** TITLE (ASCII, at most 70 characters) and FCM lines (drop-frame or not, from the rate). */
export function edlHeader(title: string, rate: TimecodeRate): string[] {
  return [`TITLE: ${oneLineMax(asciiText(oneLine(title)), EDL_TITLE_LENGTH) || 'shotscale'}`, fcmLine(rate)];
}

export interface EdlEvent {
  index: number;
  reel: string;
  /** Frames at `rate`; outs exclusive. */
  srcIn: number;
  srcOut: number;
  recIn: number;
  recOut: number;
}

/**
 * One video cut event in CMX3600 columns: record times at `rate`, source
 * times at `sourceRate` (the same frames numbered as the camera numbers them:
 * 29.97 non-drop on a 29.97DF timeline).
 */
export function edlEventLine(event: EdlEvent, rate: TimecodeRate, sourceRate: TimecodeRate = rate): string {
  const tc = (frames: number, at: TimecodeRate) => framesToTimecode(frames, at);
  // An out at midnight is 24:00:00:00 (a source split there, a record time ending with the day).
  const out = (frames: number, from: number, at: TimecodeRate) => framesToOutTimecode(frames, from, at);
  const reel = event.reel.slice(0, 8).padEnd(8);
  const source = `${tc(event.srcIn, sourceRate)} ${out(event.srcOut, event.srcIn, sourceRate)}`;
  return `${edlEventNumber(event.index)}  ${reel} ${'V'.padEnd(5)} ${'C'.padEnd(4)} ${'   '} ${source} ${tc(event.recIn, rate)} ${out(event.recOut, event.recIn, rate)}`;
}

/** Lines to one EDL text with CRLF ends and a final line end. */
export function joinEdlLines(lines: readonly string[]): string {
  return lines.join(EDL_LINE_END) + EDL_LINE_END;
}
