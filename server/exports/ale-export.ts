/**
 * The shot log as an Avid Log Exchange (ALE) file: one master-clip row per
 * shot, which Media Composer imports into a bin (File > Import, or drag the
 * .ale onto a bin) and can then relink or batch-import against the source.
 *
 * Layout: "Heading" with FIELD_DELIM TABS, VIDEO_FORMAT 1080, AUDIO_FORMAT
 * 48khz and FPS; a blank line; "Column" and the tab-separated column names; a
 * blank line; "Data" and one tab-separated row per shot. Values never hold
 * tabs or line breaks (they would split a row), so free text is put on one
 * line. Start and End are timecodes at the timeline rate (timeline-layout.ts
 * converts shots logged at another rate); End is exclusive, as Avid writes
 * it. A clip's timecode cannot wrap, so a shot across midnight is two rows,
 * split there, the first ending at 24:00:00:00. Drop-frame shows in the ";"
 * of the timecodes: FPS says only 29.97 or 59.94. Tape is the same reel name as in the EDL export, so an EDL and an
 * ALE of the same log relink to each other; Name is the clip name the other
 * exports use, cut to the 32 characters Avid's log specification allows
 * (uniqueNames); Source File is the file name of
 * the source video in file mode. Lines end in CRLF: Media Composer reads CRLF
 * and LF, and CRLF is what it writes on Windows and what every other ALE
 * reader accepts.
 */
import { basename } from 'node:path';
import { SCALE_NAMES } from '../shared/scale.js';
import { describeNoPicture, describeTakeMark, shotFraming, shotWithoutPicture, type ShotRecord, type TimecodeRateName } from '../shared/shots.js';
import { framesToOutTimecode, framesToTimecode, type TimecodeRate } from '../shots/timecode.js';
import { oneLine, roundedNumber } from './export-text.js';
import { reelNames } from './reel-names.js';
import { clipName, scaleWord, shotComment } from './shot-description.js';
import { layoutTimeline, splitAtMidnight } from './timeline-layout.js';

const ALE_LINE_END = '\r\n';

export const ALE_COLUMNS = [
  'Name',
  'Tracks',
  'Start',
  'End',
  'Tape',
  'Source File',
  'Scale',
  'Scale Name',
  'Confidence',
  'Framing',
  'People',
  'Scene',
  'Take',
  'Take Mark',
  'Camera',
  'Comments',
  'Shot Info',
  'Tags',
  'Shot ID',
] as const;

/** The FPS heading value: the rate without its DF mark. */
export function aleFps(rate: TimecodeRate): string {
  return rate.name.replace('DF', '');
}

/** The longest clip name Avid's log specification allows under Name ("32 characters maximum"). */
export const ALE_NAME_LENGTH = 32;

/** `name` cut to leave room for `tail` within ALE_NAME_LENGTH characters (code points, never half an emoji), without a dangling separator. */
function fitName(name: string, tail: string): string {
  const room = ALE_NAME_LENGTH - tail.length;
  const chars = Array.from(name);
  return (chars.length <= room ? name : chars.slice(0, room).join('').replace(/[\s_-]+$/u, '')) + tail;
}

/**
 * Clip names ("cam-1_0012"), at most 32 characters: a long camera id is cut
 * before the shot number, which stays whole (the Camera column keeps the
 * full id). Names must be unique in a bin's import: a repeated one (the two
 * rows of a shot across midnight, or two long ids cut alike) gets "_2", "_3"...
 */
function uniqueNames(shots: readonly ShotRecord[]): string[] {
  const taken = new Set<string>();
  return shots.map((shot) => {
    const camera = oneLine(shot.cameraId);
    const number = clipName(shot).slice(camera.length);
    let name = fitName(camera, number);
    for (let n = 2; taken.has(name); n++) name = fitName(camera, `${number}_${n}`);
    taken.add(name);
    return name;
  });
}

export function aleLog(sortedShots: readonly ShotRecord[], rateName: TimecodeRateName, mediaPath: string | null): string {
  const layout = layoutTimeline(sortedShots, rateName);
  const { rate } = layout;
  // A master clip's timecode cannot cross midnight: a shot across it is two rows, split there (timeline-layout.ts).
  const events = splitAtMidnight(layout.events, rate);
  const reels = reelNames(events.map((e) => e.shot.cameraId));
  const names = uniqueNames(events.map((e) => e.shot));
  const sourceFile = mediaPath ? basename(mediaPath) : '';

  const rows = events.map(({ shot, srcIn, srcOut }, i) => {
    const noPicture = shotWithoutPicture(shot);
    const cells: Record<(typeof ALE_COLUMNS)[number], string> = {
      Name: names[i]!,
      Tracks: 'V',
      Start: framesToTimecode(srcIn, rate),
      End: framesToOutTimecode(srcOut, srcIn, rate),
      Tape: reels.get(shot.cameraId)!,
      'Source File': sourceFile,
      // A clip with no picture sorts apart in the bin ("BLACK"), not with the scale it carried over.
      Scale: scaleWord(shot),
      'Scale Name': noPicture ? describeNoPicture(noPicture) : SCALE_NAMES[shot.scale],
      // No picture from cut to cut: the classifier read nothing to be confident of.
      Confidence: shot.noPicture ? '' : roundedNumber(shot.confidence, 3),
      Framing: shotFraming(shot) ?? '',
      People: shot.subjects ? String(shot.subjects.count) : '',
      Scene: shot.scene ?? '',
      Take: shot.take ?? '',
      'Take Mark': shot.takeMark ? describeTakeMark(shot.takeMark) : '',
      Camera: shot.cameraId,
      Comments: shot.note ?? '',
      'Shot Info': shotComment(shot),
      Tags: shot.tags.join(', '),
      'Shot ID': String(shot.id),
    };
    return ALE_COLUMNS.map((column) => oneLine(cells[column])).join('\t');
  });

  const lines = [
    'Heading',
    'FIELD_DELIM\tTABS',
    'VIDEO_FORMAT\t1080',
    'AUDIO_FORMAT\t48khz',
    `FPS\t${aleFps(rate)}`,
    '',
    'Column',
    ALE_COLUMNS.join('\t'),
    '',
    'Data',
    ...rows,
  ];
  return lines.join(ALE_LINE_END) + ALE_LINE_END;
}
