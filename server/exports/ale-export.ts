/**
 * The shot log as an Avid Log Exchange (ALE) file: one master-clip row per
 * shot, which Media Composer imports into a bin (File > Import, or drag the
 * .ale onto a bin) and can then relink or batch-import against the source.
 *
 * Layout: "Heading" with FIELD_DELIM TABS, VIDEO_FORMAT, AUDIO_FORMAT and
 * FPS; a blank line; "Column" and the tab-separated column names; a blank
 * line; "Data" and one tab-separated row per shot. Values never hold tabs or
 * line breaks (they would split a row), so free text is put on one line.
 * Start and End are the camera's own timecodes at its own rate (FPS), so an
 * ALE of cameras at several frame rates is refused (timeline-layout.ts
 * oneRateOnly); cameras that number the same frames drop-frame and not
 * (29.97DF and 29.97, one FPS: 29.97) go together, each row in its camera's
 * own numbering (";" before drop-frame frames, ":" before non-drop: the
 * mark Avid reads drop-frame by). End is exclusive, as Avid writes
 * it. A clip's timecode cannot wrap, so a shot across midnight is two rows,
 * split there, the first ending at 24:00:00:00 (the end of the day: an
 * exclusive out has no other spelling there, and 00:00:00:00 would read as
 * an End before its Start). Drop-frame shows in the ";" of the timecodes:
 * FPS says only the rate, spelled as Avid's log specification lists it
 * (23.98, not 23.976: aleFps). Tape is the same reel name as in the EDL
 * export, so an EDL and an ALE of the same log relink to each other (in
 * file mode the file's reel as it is, which the EDL spells in 8 characters:
 * reel-names.ts); Name is
 * the clip name the other exports use, cut to the 32 characters Avid's log
 * specification allows (uniqueNames); Source File is the file name of the
 * source video in file mode. Lines end in CRLF: Media Composer reads CRLF
 * and LF, and CRLF is what it writes on Windows and what every other ALE
 * reader accepts.
 *
 * Format headings and Tracks: a live feed is logged as 1080 picture without
 * sound (Tracks "V", Avid's value for a clip without sound; the wall sends
 * none), as the FCPXML export does. In file mode they are the source
 * file's: VIDEO_FORMAT by its picture size as Avid names project formats
 * (CUSTOM above HD, 720, PAL, NTSC, else 1080: aleVideoFormat), since Media
 * Composer refuses an ALE whose VIDEO_FORMAT is not the project's;
 * AUDIO_FORMAT by its sample rate; and Tracks V plus one A track per channel
 * ("VA1A2" for stereo, written without spaces as Avid writes it), so a
 * relink or batch import brings the sound in with the picture. Tags are one
 * cell, ", " between them (tagsCell).
 */
import { basename } from 'node:path';
import { SCALE_NAMES } from '../shared/scale.js';
import type { MediaFormat } from './media-format.js';
import { displaySize } from './picture-size.js';
import { describeNoPicture, describeTakeMark, shotFraming, shotWithoutPicture, type ShotRecord, type TimecodeRateName } from '../shared/shots.js';
import { framesToOutTimecode, framesToTimecode, timecodeRate, type TimecodeRate } from '../shots/timecode.js';
import { oneLine, roundedNumber } from './export-text.js';
import { fileReel, reelNames } from './reel-names.js';
import { classifierRead, clipName, scaleWord, shotComment } from './shot-description.js';
import { layoutTimeline, oneRateOnly, sourceRateOf, splitAtMidnight } from './timeline-layout.js';

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

/**
 * The FPS heading value: the rate without its DF mark, 23.976 as "23.98".
 * Avid's log specification lists 23.98, 24, 25 and 29.97 as the FPS values
 * (23.976 is not among them), and the per-clip FPS column of Avid logs says
 * 23.98 for this rate; the rates the specification predates (50, 59.94, 60)
 * keep their usual names.
 */
export function aleFps(rate: TimecodeRate): string {
  return rate.name === '23.976' ? '23.98' : rate.name.replace('DF', '');
}

/**
 * VIDEO_FORMAT by picture size, as Avid names project formats: a picture
 * larger than HD in either direction (UHD, DCI 2K and 4K) is CUSTOM, which
 * is what Media Composer writes for such projects; 1280x720 is 720, SD PAL
 * and NTSC rasters are PAL and NTSC. Any other picture (a 640x360 web file,
 * a 1280x536 scope crop) is 1080: it comes into an HD project, and an ALE
 * whose VIDEO_FORMAT is not the project's is refused. The SD rasters are PAL
 * and NTSC whatever their pixel aspect (a 16:9 PAL project holds 720x576 at
 * 64:45); any other size is the picture as displayed (picture-size.ts), so
 * DVCPRO HD's 960x720 at 4:3 is 720 and an anamorphic 1920x1080 at 4:3
 * (shown 2560x1080) is CUSTOM, as the projects they are cut in.
 */
export function aleVideoFormat(width: number | null, height: number | null, pixelAspect: MediaFormat['pixelAspect'] = null): string {
  if (width === null || height === null) return '1080';
  if (width === 720 && height === 576) return 'PAL';
  if (width === 720 && (height === 486 || height === 480)) return 'NTSC';
  const shown = displaySize({ pixelAspect }, width, height);
  if (shown.width > 1920 || shown.height > 1080) return 'CUSTOM';
  if (shown.width === 1280 && shown.height === 720) return '720';
  return '1080';
}

/** AUDIO_FORMAT by sample rate: Avid's values are 22khz, 24khz, 44khz and 48khz (48khz for any other rate, the video standard). */
function aleAudioFormat(audio: MediaFormat['audio']): string {
  const rate = audio?.sampleRate ?? 48000;
  if (rate >= 44000 && rate < 48000) return '44khz';
  if (rate >= 24000 && rate < 44000) return '24khz';
  if (rate < 24000) return '22khz';
  return '48khz';
}

/** Tracks: V, then A1, A2... for each audio channel ("VA1A2"), written without spaces as Avid's log specification has them. */
function aleTracks(audio: MediaFormat['audio']): string {
  const channels = audio ? Math.max(0, Math.floor(audio.channels)) : 0;
  return `V${Array.from({ length: channels }, (_, i) => `A${i + 1}`).join('')}`;
}

/** Tags as one cell, ", " between them; a comma inside a tag becomes ";" (as in the FCPXML keywords), so the cell splits back into the same tags. */
function tagsCell(tags: readonly string[]): string {
  return tags
    .map((tag) => oneLine(tag).replaceAll(',', ';'))
    .filter((tag) => tag !== '')
    .join(', ');
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

export function aleLog(sortedShots: readonly ShotRecord[], rateName: TimecodeRateName, mediaPath: string | null, media: MediaFormat | null = null): string {
  // One FPS heading: every Start and End is the camera's own timecode only when every shot counts frames at that rate.
  oneRateOnly(sortedShots, timecodeRate(rateName), 'ale');
  const layout = layoutTimeline(sortedShots, rateName);
  const { rate } = layout;
  // A master clip's timecode cannot cross midnight: a shot across it is two rows, split there (timeline-layout.ts).
  const events = splitAtMidnight(layout.events, rate);
  const reels = reelNames(events.map((e) => e.shot.cameraId));
  const names = uniqueNames(events.map((e) => e.shot));
  const sourceFile = mediaPath ? basename(mediaPath) : '';
  // File mode: the file's reel (its reel metadata, else its name), not the camera's "FILE" (reel-names.ts).
  const tape = mediaPath ? fileReel(mediaPath, media?.reel) : null;
  // The source file's picture and sound in file mode; a live feed's 1080 picture without sound otherwise.
  const source: MediaFormat = mediaPath && media ? media : { width: null, height: null, audio: null };
  const tracks = aleTracks(source.audio);

  const rows = events.map(({ shot, srcIn, srcOut }, i) => {
    const noPicture = shotWithoutPicture(shot);
    // The same frames, numbered as the camera numbers them (29.97 non-drop under a 29.97 drop-frame project).
    const own = sourceRateOf(shot, rate);
    const cells: Record<(typeof ALE_COLUMNS)[number], string> = {
      Name: names[i]!,
      Tracks: tracks,
      Start: framesToTimecode(srcIn, own),
      End: framesToOutTimecode(srcOut, srcIn, own),
      Tape: tape ?? reels.get(shot.cameraId)!,
      'Source File': sourceFile,
      // A clip with no picture sorts apart in the bin ("BLACK"), not with the scale it carried over.
      Scale: scaleWord(shot),
      'Scale Name': noPicture ? describeNoPicture(noPicture) : SCALE_NAMES[shot.scale],
      // No picture from cut to cut, or no frame analysed: the classifier read nothing to be confident of.
      Confidence: classifierRead(shot) ? roundedNumber(shot.confidence, 3) : '',
      Framing: shotFraming(shot) ?? '',
      People: shot.subjects ? String(shot.subjects.count) : '',
      Scene: shot.scene ?? '',
      Take: shot.take ?? '',
      'Take Mark': shot.takeMark ? describeTakeMark(shot.takeMark) : '',
      Camera: shot.cameraId,
      Comments: shot.note ?? '',
      'Shot Info': shotComment(shot),
      Tags: tagsCell(shot.tags),
      'Shot ID': String(shot.id),
    };
    return ALE_COLUMNS.map((column) => oneLine(cells[column])).join('\t');
  });

  const lines = [
    'Heading',
    'FIELD_DELIM\tTABS',
    `VIDEO_FORMAT\t${aleVideoFormat(source.width, source.height, source.pixelAspect)}`,
    `AUDIO_FORMAT\t${aleAudioFormat(source.audio)}`,
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
