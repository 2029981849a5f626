/**
 * The shot log as a CMX3600 EDL: one cut event per shot on track V, reel =
 * the camera (reel-names.ts; a shot across midnight is split there into
 * two), source in/out = the shot's timecode, record
 * in/out by the rule in timeline-layout.ts (source timecode for one feed, end
 * to end from 01:00:00:00 for several cameras). After each event:
 *   * FROM CLIP NAME: cam-1 shot 12        (Avid, Resolve and Premiere name the clip from it)
 *   * COMMENT: MCU 0.82 single person (...)
 *   * COMMENT: scene 4 take 2; tags: anna; note: ...   (only when there is any)
 *   * LOC: 10:00:00:00 CYAN    MCU          (an Avid locator at the shot's record in)
 * Avid Media Composer turns the LOC lines into locators when it imports the
 * EDL (and writes them the same way when it exports one).
 */
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { framesToTimecode } from '../shots/timecode.js';
import { edlEventLine, edlHeader, joinEdlLines } from './edl-lines.js';
import { oneLine } from './export-text.js';
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

export function cmx3600Edl(sortedShots: readonly ShotRecord[], title: string, rateName: TimecodeRateName): string {
  const layout = edlLayout(sortedShots, rateName, 'edl');
  const { rate } = layout;
  const reels = reelNames(layout.events.map((e) => e.shot.cameraId));
  const lines = [...edlHeader(title, rate), ''];
  // A shot across midnight is two events (timeline-layout.ts), each with the shot's clip name, comments and locator.
  splitAtMidnight(layout.events, rate).forEach((event, index) => {
    const { shot } = event;
    lines.push(edlEventLine({ index, reel: reels.get(shot.cameraId)!, ...event }, rate));
    lines.push(`* FROM CLIP NAME: ${oneLine(shot.cameraId)} shot ${shot.id}`);
    lines.push(`* COMMENT: ${shotComment(shot)}`);
    const logger = loggerComment(shot);
    if (logger) lines.push(`* COMMENT: ${logger}`);
    lines.push(`* LOC: ${framesToTimecode(event.recIn, rate)} ${markerColour('avid', shot).padEnd(7)} ${scaleWord(shot)}`);
    lines.push('');
  });
  return joinEdlLines(lines);
}
