/**
 * The shot log as Final Cut Pro XML (FCPXML 1.10, File > Import > XML in
 * Final Cut Pro 10.6 and later): a project whose timeline holds a clip per
 * shot, each carrying its scale, framing and tags as keywords (so the
 * browser's keyword collections sort the coverage by scale) and a marker
 * with the shot in words.
 *
 * Document: <resources> with one <format> (the timeline rate) and one <asset>
 * per camera; <library> > <event> > <project> > <sequence> > <spine>. Times
 * are rational seconds on the frame grid, written as frames times the frame
 * duration over its denominator ("3003/30000s" is 3 frames at 29.97), so no
 * time drifts off a frame however long the log: FCP refuses or nudges edits
 * that are "not on an edit frame boundary". Every time is at the timeline
 * rate (timeline-layout.ts converts shots logged at another rate), so one
 * format serves the sequence and the assets. Drop-frame rates differ only in
 * tcFormat="DF": FCPXML times count real frames, the DF mark tells FCP how to
 * number them.
 *
 * Assets: a live feed has no file, but FCPXML 1.10 requires a media-rep, so
 * each camera's asset points at a file named after the camera under
 * file:///shotscale/live/; FCP imports the clips as missing media, which the
 * editor relinks (File > Relink Files) to that camera's recording. The asset
 * spans the camera's shots in source timecode. In file mode the one asset is
 * the source video (URL-encoded file:// URL), starting at the file's first
 * frame, so its clips land on the file's own timecode; its picture size is
 * the file's (a preset format by name when FCP has one for it, else a custom
 * format of that size). A file with non-square pixels (HDV 1440x1080 at 4:3,
 * anamorphic PAL 720x576 at 64:45) gets two formats: the sequence's is the
 * picture as displayed, in square pixels (1920x1080, so HDV lands in a
 * 1080p project, not a custom 1440x1080 one), and the asset's is the stored
 * raster with its pixel aspect (paspH, paspV), for the editor to widen the
 * picture into that sequence (read back by the tests; not yet tried in
 * Final Cut or Resolve). A phone's portrait clip (stored 1920x1080, turned
 * a quarter on playback) is 1080x1920 throughout: the probe turns the
 * raster as ffmpeg turns the frames. Interlaced material keeps its field
 * order (fieldOrder="upper first" or "lower first" on its formats) and
 * FCP's interlaced presets: FFVideoFormat1080i5994 or 1080i50 for the
 * sequence, HDV's raster FFVideoFormat1440x1080i50, and SD as FCP's SD
 * projects are, one format of the raster with its pixel aspect
 * (FFVideoFormatDV720x480i5994, FFVideoFormat720x576i50_16x9). When the file has sound, the asset says so
 * (channels and sample rate) and the sequence takes its sample rate, so FCP
 * brings the sound in with the picture. A live feed's format is 1080p, as
 * the ALE's VIDEO_FORMAT, and its assets have no sound (the wall sends none).
 *
 * Layout: like the OTIO export, cameras stay in sync: the sequence starts
 * (tcStart) at the in point of the first shot in time and each clip sits at
 * its own source timecode, so one feed gets record time = source time, as in
 * the EDL. The first camera (camera-id order) is the primary storyline, with
 * <gap>s between its shots and a gap at the end to the last shot of any
 * camera; every other camera is a row of connected clips on its own lane
 * (lane 1, 2, ... in camera-id order), each anchored to the storyline element
 * under its first frame. This is the shape FCP itself writes for stacked
 * clips: the primary storyline holds real shots to cut, and a connected clip
 * needs a storyline element under it to anchor to (gaps may carry connected
 * clips; they cannot be connected themselves). A connected clip's offset is
 * in its parent's time (the parent's start plus the distance into it). A
 * shot that would start before the sequence does, or before the previous
 * shot of its camera ends (a log across midnight, a camera whose timecode
 * runs behind), follows directly instead.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeTakeMark, type ShotRecord, type TimecodeRateName } from '../shared/shots.js';
import type { MediaFormat } from './media-format.js';
import { secondsToFrames, type TimecodeRate } from '../shots/timecode.js';
import { oneLine } from './export-text.js';
import { displaySize } from './picture-size.js';
import { fileReel, reelNames, sortCameraIds } from './reel-names.js';
import { clipName, framingWord, scaleWord, shotComment, shotNotAnalysed } from './shot-description.js';
import { layoutTimeline, type TimelineEvent } from './timeline-layout.js';

/** The keyword of a shot no frame of which was analysed. */
const NOT_ANALYSED_KEYWORD = 'not analysed';

export const FCPXML_VERSION = '1.10';

/** Frame duration per rate as FCP writes it (numerator, denominator in seconds): 100/2500s, 1001/30000s. */
const FRAME_DURATION: Readonly<Record<TimecodeRateName, readonly [number, number]>> = {
  '23.976': [1001, 24000],
  '24': [100, 2400],
  '25': [100, 2500],
  '29.97': [1001, 30000],
  '29.97DF': [1001, 30000],
  '30': [100, 3000],
  '50': [100, 5000],
  '59.94': [1001, 60000],
  '59.94DF': [1001, 60000],
  '60': [100, 6000],
};

/** The rate part of FCP's own format names ("FFVideoFormat1080p2997"); FCP picks its preset by name. */
const FORMAT_SUFFIX: Readonly<Record<TimecodeRateName, string>> = {
  '23.976': '2398',
  '24': '24',
  '25': '25',
  '29.97': '2997',
  '29.97DF': '2997',
  '30': '30',
  '50': '50',
  '59.94': '5994',
  '59.94DF': '5994',
  '60': '60',
};

/** FCP's progressive preset names by picture size; any other size is a custom format (no name, its width and height). */
const PRESET_SIZES: Readonly<Record<string, string>> = {
  '1280x720': '720p',
  '1920x1080': '1080p',
  '3840x2160': '3840x2160p',
  '4096x2160': '4096x2160p',
};

/**
 * Interlaced material: FCP's presets run at 50 and 59.94 fields a second
 * only (1080i50, 1080i5994), named by the field rate; at any other rate an
 * interlaced format is a custom one with its field order.
 */
const FIELD_RATE_SUFFIX: Readonly<Partial<Record<TimecodeRateName, string>>> = { '25': '50', '29.97': '5994', '29.97DF': '5994' };

/** FCP's interlaced HD presets: 1080i by the picture as displayed; HDV and DVCPRO HD by the stored raster with its wide pixels. */
const INTERLACED_SEQUENCE_SIZES: Readonly<Record<string, string>> = { '1920x1080': '1080i' };
const INTERLACED_RASTER_SIZES: Readonly<Record<string, string>> = { '1440x1080': '1440x1080i', '1280x1080': '1280x1080i' };

/**
 * FCP's interlaced SD presets, by stored raster and field rate: an SD
 * project is the raster itself with its non-square pixels (NTSC DV
 * "FFVideoFormatDV720x480i5994", PAL "FFVideoFormat720x576i50"), with
 * "_16x9" for the widescreen variant.
 */
const INTERLACED_SD: Readonly<Record<string, string>> = { '720x480@5994': 'DV720x480i5994', '720x486@5994': '720x486i5994', '720x576@50': '720x576i50' };

/** Sample rates the sequence's audioRate may name (FCPXML's own list). */
const SEQUENCE_AUDIO_RATES: Readonly<Record<number, string>> = { 32000: '32k', 44100: '44.1k', 48000: '48k', 88200: '88.2k', 96000: '96k', 176400: '176.4k', 192000: '192k' };

/** A live feed's timeline: 1080p, as the ALE's VIDEO_FORMAT, without sound. */
const LIVE_FORMAT: MediaFormat = { width: 1920, height: 1080, audio: null };

const LIVE_MEDIA_ROOT = 'file:///shotscale/live/';
const FORMAT_ID = 'r1';

/** A frame count as a rational time on the rate's frame grid ("0s" for zero, as FCP writes it). */
export function fcpxmlTime(frames: number, rate: TimecodeRate): string {
  if (!Number.isSafeInteger(frames)) throw new RangeError(`FCPXML time needs a whole frame count, got ${frames}`);
  const [numerator, denominator] = FRAME_DURATION[rate.name];
  return frames === 0 ? '0s' : `${frames * numerator}/${denominator}s`;
}

/** Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/F): dropped. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Text for element content or a quoted attribute; tabs and breaks as character references, which attributes keep (a parser turns literal ones into spaces). */
function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>"'\t\n\r]/g, (c) => ESCAPES[c]!);
}

type Attributes = readonly (readonly [string, string | number | null | undefined])[];

function tag(name: string, attributes: Attributes, selfClosing: boolean): string {
  const attrs = attributes.filter(([, value]) => value !== null && value !== undefined && value !== '').map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`);
  return `<${name}${attrs.join('')}${selfClosing ? '/>' : '>'}`;
}

/** An element as indented lines: self-closing without children. */
function element(name: string, attributes: Attributes, children: readonly string[] = []): string[] {
  if (!children.length) return [tag(name, attributes, true)];
  return [tag(name, attributes, false), ...children.map((line) => `    ${line}`), `</${name}>`];
}

/** A keyword value: FCP reads the value as a comma-separated list, so a comma inside a tag would split it. */
function keywordValue(text: string): string {
  return oneLine(text).replaceAll(',', ';');
}

/** Scale, framing and tags, each once, in that order; "not analysed" after the scale of a shot whose scale was carried over. */
function shotKeywords(shot: ShotRecord): string[] {
  // A circled or NG take as a keyword: an editor filters the browser on it, as on a script supervisor's report.
  const mark = shot.takeMark ? describeTakeMark(shot.takeMark) : '';
  // The scale of a shot no frame of which was analysed is the shot before's: a collection of its own finds such guesses.
  const carried = shotNotAnalysed(shot) ? NOT_ANALYSED_KEYWORD : '';
  const words = [scaleWord(shot), carried, framingWord(shot), shot.subjects?.overTheShoulder ? 'over the shoulder' : '', mark, ...shot.tags].map(keywordValue);
  return [...new Set(words.filter((word) => word !== ''))];
}

interface Placed {
  event: TimelineEvent;
  /** Timeline position of the first frame, in frames since 00:00:00:00 (the sequence starts at tcStart). */
  at: number;
  frames: number;
}

interface StorylineItem {
  placed: Placed | null;
  offset: number;
  /** The item's own time at its first frame: the clip's source in, or the gap's offset. */
  start: number;
  duration: number;
  anchored: { placed: Placed; lane: number }[];
}

/** One camera's shots on the timeline: at their timecode, never before the previous one ends. */
function placeCamera(events: readonly TimelineEvent[], start: number): Placed[] {
  let position = start;
  return events.map((event) => {
    const at = Math.max(event.srcIn, position);
    const frames = event.srcOut - event.srcIn;
    position = at + frames;
    return { event, at, frames };
  });
}

function storyline(primary: readonly Placed[], start: number, end: number): StorylineItem[] {
  const items: StorylineItem[] = [];
  let cursor = start;
  const gapTo = (to: number) => {
    if (to > cursor) items.push({ placed: null, offset: cursor, start: cursor, duration: to - cursor, anchored: [] });
  };
  for (const placed of primary) {
    gapTo(placed.at);
    items.push({ placed, offset: placed.at, start: placed.event.srcIn, duration: placed.frames, anchored: [] });
    cursor = placed.at + placed.frames;
  }
  gapTo(end);
  return items;
}

/** The storyline element under timeline frame `at` (items are in order and tile the timeline). */
function itemAt(items: readonly StorylineItem[], at: number): StorylineItem {
  let low = 0;
  let high = items.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (items[middle]!.offset <= at) low = middle;
    else high = middle - 1;
  }
  return items[low]!;
}

interface ClipContext {
  rate: TimecodeRate;
  tcFormat: 'DF' | 'NDF';
  assetIds: Map<string, string>;
  reels: Map<string, string>;
}

function clipLines(placed: Placed, offset: number, lane: number | null, children: readonly string[], context: ClipContext): string[] {
  const { rate } = context;
  const { shot, srcIn } = placed.event;
  const time = (frames: number) => fcpxmlTime(frames, rate);
  // The operator's note keeps its line breaks: a clip note in FCP is free text.
  const note = shot.note?.trim() ? [`<note>${escapeXml(shot.note.trim())}</note>`] : [];
  const keywords = shotKeywords(shot).flatMap((value) => element('keyword', [['start', time(srcIn)], ['duration', time(placed.frames)], ['value', value]]));
  // One frame, as Final Cut's own markers are (a marker marks a point); the keywords span the clip.
  const marker = element('marker', [['start', time(srcIn)], ['duration', time(1)], ['value', shotComment(shot)]]);
  // Final Cut's Reel, Scene, Take and Camera Angle fields; the reel is the ALE's Tape, and the EDL's but for a file's name longer than 8 characters (reel-names.ts).
  const metadata = [
    ['com.apple.proapps.studio.reel', context.reels.get(shot.cameraId)],
    ['com.apple.proapps.studio.scene', oneLine(shot.scene)],
    ['com.apple.proapps.studio.shot', oneLine(shot.take)],
    ['com.apple.proapps.studio.angle', oneLine(shot.cameraId)],
  ].filter(([, value]) => value) as [string, string][];
  const attributes: Attributes = [
    ['ref', context.assetIds.get(shot.cameraId)],
    ['lane', lane],
    ['offset', time(offset)],
    ['name', `${clipName(shot)} ${scaleWord(shot)}`],
    ['start', time(srcIn)],
    ['duration', time(placed.frames)],
    ['tcFormat', context.tcFormat],
  ];
  return element('asset-clip', attributes, [
    ...note,
    ...children,
    ...keywords,
    ...marker,
    ...(metadata.length ? element('metadata', [], metadata.flatMap(([key, value]) => element('md', [['key', key], ['value', value]]))) : []),
  ]);
}

function mediaUrl(mediaPath: string | null, cameraId: string): string {
  if (!mediaPath) return `${LIVE_MEDIA_ROOT}${encodeURIComponent(cameraId)}.mov`;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(mediaPath) ? mediaPath : pathToFileURL(mediaPath).href;
}

function assetLines(id: string, formatId: string, cameraId: string, events: readonly TimelineEvent[], rate: TimecodeRate, mediaPath: string | null, audio: MediaFormat['audio']): string[] {
  // File mode: the file's first frame is each shot's in point less its seconds into the file.
  const firstFrame = (e: TimelineEvent) => (mediaPath ? Math.max(0, e.srcIn - secondsToFrames(e.shot.startS, rate)) : e.srcIn);
  const start = events.reduce((first, e) => Math.min(first, firstFrame(e)), Infinity);
  const end = events.reduce((last, e) => Math.max(last, e.srcOut), -Infinity);
  const name = mediaPath ? basename(mediaPath) : oneLine(cameraId);
  const attributes: Attributes = [
    ['id', id],
    ['name', name],
    ['start', fcpxmlTime(start, rate)],
    ['duration', fcpxmlTime(end - start, rate)],
    ['hasVideo', '1'],
    ['format', formatId],
    ['videoSources', '1'],
    ...(audio
      ? ([
          ['hasAudio', '1'],
          ['audioSources', '1'],
          ['audioChannels', audio.channels],
          ['audioRate', audio.sampleRate],
        ] as const)
      : []),
  ];
  return element('asset', attributes, element('media-rep', [['kind', 'original-media'], ['src', mediaUrl(mediaPath, cameraId)]]));
}

interface Formats {
  lines: string[];
  /** The format the assets refer to: the sequence's, or the stored raster's when its pixels are not square. */
  assetFormatId: string;
}

/** An SD preset's name ("FFVideoFormatDV720x480i5994_16x9"), when the raster is SD with non-square pixels at 50 or 59.94 fields. */
function sdPresetName(width: number, height: number, fieldRate: string | undefined, aspect: MediaFormat['pixelAspect'], shown: { width: number; height: number }): string | null {
  const preset = fieldRate && aspect ? INTERLACED_SD[`${width}x${height}@${fieldRate}`] : undefined;
  if (!preset) return null;
  // 16:9 is 1.78, 4:3 1.33: a picture wider than halfway between them is the widescreen variant.
  return `FFVideoFormat${preset}${shown.width / shown.height > 1.55 ? '_16x9' : ''}`;
}

/**
 * The format elements: the sequence's, the picture as displayed (1920x1080
 * when not known), by FCP's preset name when it has one; and, for a file with
 * non-square pixels, the stored raster with its pixel aspect, for the asset.
 * Interlaced material says its field order on both, and is named by FCP's
 * interlaced presets (1080i, HDV 1440x1080i, DVCPRO HD 1280x1080i); an SD
 * one is a single format, its raster with its pixel aspect, as FCP's SD
 * projects are.
 */
function formatLines(rate: TimecodeRate, media: MediaFormat, rasterFormatId: string): Formats {
  const width = media.width ?? LIVE_FORMAT.width!;
  const height = media.height ?? LIVE_FORMAT.height!;
  // A pixel aspect or a field order means nothing without the raster it belongs to.
  const known = media.width !== null && media.height !== null;
  const aspect = known ? (media.pixelAspect ?? null) : null;
  const fieldOrder = known ? (media.fieldOrder ?? null) : null;
  const fieldRate = fieldOrder ? FIELD_RATE_SUFFIX[rate.name] : undefined;
  const shown = displaySize({ pixelAspect: aspect }, width, height);
  const frameDuration = fcpxmlTime(1, rate);
  const sd = fieldOrder ? sdPresetName(width, height, fieldRate, aspect, shown) : null;
  if (sd) {
    const lines = element('format', [
      ['id', FORMAT_ID],
      ['name', sd],
      ['frameDuration', frameDuration],
      ['fieldOrder', fieldOrder],
      ['width', width],
      ['height', height],
      ['paspH', aspect!.h],
      ['paspV', aspect!.v],
    ]);
    return { lines, assetFormatId: FORMAT_ID };
  }
  const presetName = (sizes: Readonly<Record<string, string>>, size: { width: number; height: number }, suffix: string | undefined) => {
    const preset = sizes[`${size.width}x${size.height}`];
    return preset && suffix ? `FFVideoFormat${preset}${suffix}` : null;
  };
  const sequence = element('format', [
    ['id', FORMAT_ID],
    ['name', fieldOrder ? presetName(INTERLACED_SEQUENCE_SIZES, shown, fieldRate) : presetName(PRESET_SIZES, shown, FORMAT_SUFFIX[rate.name])],
    ['frameDuration', frameDuration],
    ['fieldOrder', fieldOrder],
    ['width', shown.width],
    ['height', shown.height],
  ]);
  if (!aspect || (shown.width === width && shown.height === height)) return { lines: sequence, assetFormatId: FORMAT_ID };
  const raster = element('format', [
    ['id', rasterFormatId],
    // Named only as the stored raster of a 1080i picture (HDV's 1440x1080 at 4:3, DVCPRO HD's 1280x1080 at 3:2).
    ['name', fieldOrder && shown.width === 1920 && shown.height === 1080 ? presetName(INTERLACED_RASTER_SIZES, { width, height }, fieldRate) : null],
    ['frameDuration', frameDuration],
    ['fieldOrder', fieldOrder],
    ['width', width],
    ['height', height],
    ['paspH', aspect.h],
    ['paspV', aspect.v],
  ]);
  return { lines: [...sequence, ...raster], assetFormatId: rasterFormatId };
}

export function fcpxmlDocument(sortedShots: readonly ShotRecord[], title: string, rateName: TimecodeRateName, mediaPath: string | null, media: MediaFormat | null = null): string {
  const { rate, events } = layoutTimeline(sortedShots, rateName);
  // The source file's picture and sound in file mode; a live feed's placeholder otherwise.
  const source = mediaPath && media ? media : LIVE_FORMAT;
  const name = oneLine(title) || 'shotscale';
  const tcFormat = rate.dropFrame ? 'DF' : 'NDF';
  const cameras = sortCameraIds(events.map((e) => e.shot.cameraId));
  const eventsOf = new Map(cameras.map((camera) => [camera, events.filter((e) => e.shot.cameraId === camera)]));
  const assetIds = new Map(cameras.map((camera, i) => [camera, `r${i + 2}`]));
  const context: ClipContext = { rate, tcFormat, assetIds, reels: mediaPath ? new Map(cameras.map((c) => [c, fileReel(mediaPath, media?.reel)])) : reelNames(cameras) };

  // The first shot in time, not the smallest timecode: after midnight 00:00:05:00 comes later than 23:59:50:00.
  const start = events[0]?.srcIn ?? 0;
  const rows = cameras.map((camera) => placeCamera(eventsOf.get(camera)!, start));
  const end = rows.flat().reduce((last, p) => Math.max(last, p.at + p.frames), start);
  const items = storyline(rows[0] ?? [], start, end);
  rows.slice(1).forEach((row, i) => {
    for (const placed of row) itemAt(items, placed.at).anchored.push({ placed, lane: i + 1 });
  });

  const spine = items.flatMap((item) => {
    const anchored = item.anchored.flatMap(({ placed, lane }) => clipLines(placed, item.start + placed.at - item.offset, lane, [], context));
    if (item.placed) return clipLines(item.placed, item.offset, null, anchored, context);
    const time = (frames: number) => fcpxmlTime(frames, rate);
    return element('gap', [['name', 'Gap'], ['offset', time(item.offset)], ['start', time(item.start)], ['duration', time(item.duration)]], anchored);
  });

  // The stored raster's format, when there is one, takes the id after the assets'.
  const formats = formatLines(rate, source, `r${cameras.length + 2}`);
  const assets = cameras.flatMap((camera) => assetLines(assetIds.get(camera)!, formats.assetFormatId, camera, eventsOf.get(camera)!, rate, mediaPath, source.audio));
  const sequenceAttributes: Attributes = [
    ['format', FORMAT_ID],
    ['duration', fcpxmlTime(end - start, rate)],
    ['tcStart', fcpxmlTime(start, rate)],
    ['tcFormat', tcFormat],
    ['audioLayout', source.audio ? (source.audio.channels === 1 ? 'mono' : source.audio.channels === 2 ? 'stereo' : 'surround') : null],
    ['audioRate', source.audio ? SEQUENCE_AUDIO_RATES[source.audio.sampleRate] : null],
  ];
  const sequence = element('sequence', sequenceAttributes, element('spine', [], spine));
  const document = element('fcpxml', [['version', FCPXML_VERSION]], [
    ...element('resources', [], [...formats.lines, ...assets]),
    ...element('library', [], element('event', [['name', name]], element('project', [['name', name]], sequence))),
  ]);
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE fcpxml>', ...document, ''].join('\n');
}
