/**
 * The shot log as a CMX3600 EDL (at most 999 events, else refused:
 * edl-lines.ts): one cut event per shot on track V, reel =
 * the camera, in file mode the file's reel (reel-names.ts; a shot across
 * midnight is split there into two), source in/out = the shot's timecode
 * (its camera's own, at its rate: shots at several frame rates are refused), record
 * in/out by the rule in timeline-layout.ts (source timecode for one feed, end
 * to end from 01:00:00:00 for several cameras). The header's FCM is the
 * record timecode's mode (the timeline's); cameras that number the same
 * frames drop-frame and not (29.97DF and 29.97) go in one EDL, with an
 * "FCM: DROP FRAME" / "FCM: NON-DROP FRAME" line before each event whose
 * source numbering differs from the one before it (the first event's from
 * the header's), as CMX3600 readers take it: a mid-list FCM sets the mode
 * of the source timecodes that follow, the record keeps the header's. Every
 * timecode also says its mode itself (";" before drop-frame frames), which
 * is what OpenTimelineIO's reader goes by instead of the FCM, so either kind
 * of reader takes the source and the record as written. After each event:
 *   * FROM CLIP NAME: cam-1 shot 12        (Avid, Resolve and Premiere name the clip from it)
 *   (file mode: * FROM CLIP NAME: day1.mov, the source file's name, as
 *   Premiere writes it, so every event relinks to the file at once; the
 *   shot follows as * COMMENT: file shot 12. A name outside ASCII has no
 *   exact ASCII spelling, so no file has the name on that line: the name
 *   as written follows on * SOURCE FILE: (UTF-8), the line DaVinci Resolve
 *   writes for an event's source file)
 *   * COMMENT: MCU 0.82 single person (...)
 *   * COMMENT: scene 4 take 2; tags: anna; note: ...   (only when there is any)
 *   * LOC: 10:00:00:00 CYAN    MCU          (an Avid locator at the shot's record in)
 * Avid Media Composer turns the LOC lines into locators when it imports the
 * EDL (and writes them the same way when it exports one).
 * CMX3600 is ASCII: every line but * SOURCE FILE: is written in ASCII (export-text.ts asciiText:
 * accents dropped, typographic quotes and dashes spelled plainly, CJK and
 * emoji as "?"), as Premiere and Avid read an EDL's bytes in a single-byte
 * code page and would show UTF-8 as garbage. The ALE, OTIO and FCPXML keep
 * the text as it was written.
 */
import { basename } from 'node:path';
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { framesToTimecode, timecodeRate } from '../shots/timecode.js';
import { edlEventLine, edlHeader, fcmLine, joinEdlLines, refuseLongEdl } from './edl-lines.js';
import { asciiText, oneLine } from './export-text.js';
import { fileEdlReel, reelNames } from './reel-names.js';
import { markerColour } from './scale-colours.js';
import { scaleWord, shotComment, takeText } from './shot-description.js';
import { edlLayout, oneRateOnly, sourceRateOf, splitAtMidnight } from './timeline-layout.js';

/** Scene, take, tags and note as one comment ("" when the shot has none). */
function loggerComment(shot: ShotRecord): string {
  const parts: string[] = [];
  if (shot.scene) parts.push(`scene ${oneLine(shot.scene)}`);
  if (shot.take) parts.push(takeText(shot));
  const tags = shot.tags.map(oneLine).filter((tag) => tag !== '');
  if (tags.length) parts.push(`tags: ${tags.join(', ')}`);
  if (oneLine(shot.note)) parts.push(`note: ${oneLine(shot.note)}`);
  return parts.join('; ');
}

export function cmx3600Edl(
  sortedShots: readonly ShotRecord[],
  title: string,
  rateName: TimecodeRateName,
  mediaPath: string | null = null,
  taggedReel: string | null = null,
): string {
  // Every source timecode at the one FCM rate is each camera's own only when every shot counts frames at that rate.
  oneRateOnly(sortedShots, timecodeRate(rateName), 'edl');
  const layout = edlLayout(sortedShots, rateName, 'edl');
  const { rate } = layout;
  const reels = reelNames(layout.events.map((e) => e.shot.cameraId));
  // File mode: the file's reel (its reel metadata, else its name), not the camera's "FILE" (reel-names.ts).
  const fileReel = mediaPath ? fileEdlReel(mediaPath, taggedReel) : null;
  const fileName = mediaPath ? oneLine(basename(mediaPath)) : '';
  // A name outside ASCII cannot be spelled in the ASCII clip name; it follows as written, in UTF-8, on a line of its own.
  const sourceFile = fileName !== asciiText(fileName) ? [`* SOURCE FILE: ${fileName}`] : [];
  const lines = [...edlHeader(title, rate), ''];
  // The source mode in force: the header's until an FCM line before an event changes it.
  let sourceDropFrame = rate.dropFrame;
  // A shot across midnight is two events (timeline-layout.ts), each with the shot's clip name, comments and locator.
  const events = splitAtMidnight(layout.events, rate);
  refuseLongEdl(events.length, layout.events.length, 'edl');
  events.forEach((event, index) => {
    const { shot } = event;
    const sourceRate = sourceRateOf(shot, rate);
    if (sourceRate.dropFrame !== sourceDropFrame) {
      lines.push(fcmLine(sourceRate));
      sourceDropFrame = sourceRate.dropFrame;
    }
    lines.push(edlEventLine({ index, reel: fileReel ?? reels.get(shot.cameraId)!, ...event }, rate, sourceRate));
    const clip = `${oneLine(shot.cameraId)} shot ${shot.id}`;
    const comments = mediaPath ? [`FROM CLIP NAME: ${fileName}`, `COMMENT: ${clip}`] : [`FROM CLIP NAME: ${clip}`];
    comments.push(`COMMENT: ${shotComment(shot)}`);
    const logger = loggerComment(shot);
    if (logger) comments.push(`COMMENT: ${logger}`);
    comments.push(`LOC: ${framesToTimecode(event.recIn, rate)} ${markerColour('avid', shot).padEnd(7)} ${scaleWord(shot)}`);
    const ascii = comments.map((comment) => `* ${asciiText(comment)}`);
    lines.push(...ascii.slice(0, 1), ...sourceFile, ...ascii.slice(1));
    lines.push('');
  });
  return joinEdlLines(lines);
}
