/**
 * The shot log as a CMX3600 EDL: one cut event per shot on track V, reel =
 * the camera (reel-names.ts; a shot across midnight is split there into
 * two), source in/out = the shot's timecode, record
 * in/out by the rule in timeline-layout.ts (source timecode for one feed, end
 * to end from 01:00:00:00 for several cameras). After each event:
 *   * FROM CLIP NAME: cam-1 shot 12        (Avid, Resolve and Premiere name the clip from it)
 *   (file mode: * FROM CLIP NAME: day1.mov, the source file's name, as
 *   Premiere writes it, so every event relinks to the file at once; the
 *   shot follows as * COMMENT: file shot 12)
 *   * COMMENT: MCU 0.82 single person (...)
 *   * COMMENT: scene 4 take 2; tags: anna; note: ...   (only when there is any)
 *   * LOC: 10:00:00:00 CYAN    MCU          (an Avid locator at the shot's record in)
 * Avid Media Composer turns the LOC lines into locators when it imports the
 * EDL (and writes them the same way when it exports one).
 * CMX3600 is ASCII: every line is written in ASCII (export-text.ts asciiText:
 * accents dropped, typographic quotes and dashes spelled plainly, CJK and
 * emoji as "?"), as Premiere and Avid read an EDL's bytes in a single-byte
 * code page and would show UTF-8 as garbage. The ALE, OTIO and FCPXML keep
 * the text as it was written.
 */
import { basename } from 'node:path';
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { framesToTimecode } from '../shots/timecode.js';
import { edlEventLine, edlHeader, joinEdlLines } from './edl-lines.js';
import { asciiText, oneLine } from './export-text.js';
import { reelNames } from './reel-names.js';
import { markerColour } from './scale-colours.js';
import { scaleWord, shotComment, takeText } from './shot-description.js';
import { edlLayout, splitAtMidnight } from './timeline-layout.js';

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

export function cmx3600Edl(sortedShots: readonly ShotRecord[], title: string, rateName: TimecodeRateName, mediaPath: string | null = null): string {
  const layout = edlLayout(sortedShots, rateName, 'edl');
  const { rate } = layout;
  const reels = reelNames(layout.events.map((e) => e.shot.cameraId));
  const lines = [...edlHeader(title, rate), ''];
  // A shot across midnight is two events (timeline-layout.ts), each with the shot's clip name, comments and locator.
  splitAtMidnight(layout.events, rate).forEach((event, index) => {
    const { shot } = event;
    lines.push(edlEventLine({ index, reel: reels.get(shot.cameraId)!, ...event }, rate));
    const clip = `${oneLine(shot.cameraId)} shot ${shot.id}`;
    const comments = mediaPath ? [`FROM CLIP NAME: ${oneLine(basename(mediaPath))}`, `COMMENT: ${clip}`] : [`FROM CLIP NAME: ${clip}`];
    comments.push(`COMMENT: ${shotComment(shot)}`);
    const logger = loggerComment(shot);
    if (logger) comments.push(`COMMENT: ${logger}`);
    comments.push(`LOC: ${framesToTimecode(event.recIn, rate)} ${markerColour('avid', shot).padEnd(7)} ${scaleWord(shot)}`);
    lines.push(...comments.map((comment) => `* ${asciiText(comment)}`));
    lines.push('');
  });
  return joinEdlLines(lines);
}
