/**
 * The shot log as timeline markers, in the EDL dialect DaVinci Resolve uses
 * for markers: each marker is a one-frame cut event at the shot's in point
 * followed by a line " |C:<colour> |M:<name> |D:<frames>".
 *   - Resolve: Timelines > Import > Timeline Markers from EDL reads the event's
 *     record in as the marker position, |C: as its colour (ResolveColor...),
 *     |M: as its name and |D: as its duration in frames (here: the shot's
 *     length, so each marker spans its shot).
 *   - Premiere Pro and other CMX3600 readers open it as an ordinary EDL of
 *     one-frame events (reel 001) at the shot in points; the marker line is
 *     not a CMX comment and carries nothing for them.
 * Record time follows the CMX3600 export's rule (timeline-layout.ts), so the
 * markers land on the cuts of the same timeline; like any CMX3600 list it
 * holds at most 999 events, a longer one is refused (edl-lines.ts). Names never hold "|", which
 * separates the fields; they keep their text as written (for Resolve), while
 * the TITLE line is ASCII as in the CMX3600 export (edl-lines.ts).
 */
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import { edlEventLine, edlHeader, joinEdlLines, refuseLongEdl } from './edl-lines.js';
import { oneLine } from './export-text.js';
import { markerColour } from './scale-colours.js';
import { framingWord, scaleWord } from './shot-description.js';
import { edlLayout } from './timeline-layout.js';

/** Resolve puts every marker on reel 001; it ignores the reel on import. */
const MARKER_REEL = '001';

/** "MCU cam-1 single": what the editor reads on the marker. */
function markerName(shot: ShotRecord): string {
  const words = [scaleWord(shot), oneLine(shot.cameraId), framingWord(shot)].filter((w) => w !== '');
  return words.join(' ').replaceAll('|', '/');
}

export function markerEdl(sortedShots: readonly ShotRecord[], title: string, rateName: TimecodeRateName): string {
  const layout = edlLayout(sortedShots, rateName, 'markers');
  const { rate } = layout;
  refuseLongEdl(layout.events.length, layout.events.length, 'markers');
  const lines = [...edlHeader(title, rate), ''];
  layout.events.forEach((event, index) => {
    const { shot, recIn } = event;
    lines.push(`${edlEventLine({ index, reel: MARKER_REEL, srcIn: recIn, srcOut: recIn + 1, recIn, recOut: recIn + 1 }, rate)}  `);
    lines.push(` |C:${markerColour('resolve', shot)} |M:${markerName(shot)} |D:${event.recOut - event.recIn}`);
    lines.push('');
  });
  return joinEdlLines(lines);
}
