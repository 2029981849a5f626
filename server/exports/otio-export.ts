/**
 * The shot log as an OpenTimelineIO timeline (.otio, JSON), which Resolve,
 * Premiere (through plug-ins), Nuke Studio / Hiero, RV and the OTIO adapters
 * (to FCP XML, AAF, ...) read.
 *
 * Shape: Timeline.1 > Stack.1 > one Track.1 (kind "Video") per camera, named
 * by the camera id, in camera-id order; in each track, Clip.2 per shot and
 * Gap.1 for the time between shots (Clip.2, with media_references and
 * active_media_reference_key, is what OTIO 0.15 and later write and read).
 * Times are RationalTime.1 in frames at the exact timeline rate (24000/1001
 * for 23.976), converted per timeline-layout.ts. A clip's source_range is the
 * shot's source timecode (start = in frame, duration = frames): the value
 * OpenTimelineIO's from_timecode gives for that timecode, drop-frame or not.
 * A RationalTime has no drop-frame flag, and OTIO's adapters number 29.97
 * and 59.94 as drop-frame when they write timecode, so whether the log counts
 * drop-frame stays in metadata.shotscale.rate ("29.97" or "29.97DF") and in
 * each clip's tcIn/tcOut.
 *
 * Layout: unlike an EDL, OTIO has a track per camera, so cameras stay in sync
 * with each other: global_start_time is the earliest in point of the log, and
 * each clip sits at its in point minus that, with gaps before it. A shot that
 * would start before the previous shot of its camera ends (only broken or
 * midnight-crossing logs do that) follows it directly instead. Across
 * midnight, a camera that reconnects after 00:00 starts its time-of-day
 * timecode again near 00:00:00:00: such in points (more than half a day
 * before the first shot in time) do not count as the earliest, or every
 * track would open with a gap of almost a day before its first shot.
 *
 * Each clip carries metadata.shotscale (scale, confidence, probabilities,
 * subjects, reason, scene, take, tags, note, times; notAnalysed: true where
 * no frame of the shot was analysed) and a Marker.2 spanning the
 * clip (name = scale, colour by scale, comment = the shot in words); a clip's
 * marker times are in the clip's source time, as OTIO defines. The media
 * reference is an ExternalReference.1 to the source video in file mode
 * (file:// URL), else MissingReference.1 (a live feed has no file).
 */
import { pathToFileURL } from 'node:url';
import { SCALE_NAMES } from '../shared/scale.js';
import { scaleSetByOperator, type ShotRecord, type TimecodeRateName } from '../shared/shots.js';
import { framesPerDay, type TimecodeRate } from '../shots/timecode.js';
import { sortCameraIds } from './reel-names.js';
import { markerColour } from './scale-colours.js';
import { clipName, scaleWord, shotComment, shotNotAnalysed } from './shot-description.js';
import { layoutTimeline, type TimelineEvent } from './timeline-layout.js';

const MEDIA_KEY = 'DEFAULT_MEDIA';

const rationalTime = (value: number, rate: TimecodeRate) => ({ OTIO_SCHEMA: 'RationalTime.1', rate: rate.fps, value });
const timeRange = (start: number, duration: number, rate: TimecodeRate) => ({
  OTIO_SCHEMA: 'TimeRange.1',
  start_time: rationalTime(start, rate),
  duration: rationalTime(duration, rate),
});

function mediaReference(mediaPath: string | null) {
  const common = { metadata: {}, name: '', available_range: null, available_image_bounds: null };
  if (!mediaPath) return { OTIO_SCHEMA: 'MissingReference.1', ...common };
  const targetUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(mediaPath) ? mediaPath : pathToFileURL(mediaPath).href;
  return { OTIO_SCHEMA: 'ExternalReference.1', ...common, target_url: targetUrl };
}

function shotMetadata(shot: ShotRecord) {
  return {
    shotscale: {
      id: shot.id,
      cameraId: shot.cameraId,
      scale: shot.scale,
      scaleName: SCALE_NAMES[shot.scale],
      confidence: shot.confidence,
      probabilities: shot.probabilities,
      subjects: shot.subjects,
      reason: shot.reason,
      // Only on a shot with no picture from cut to cut, whose scale is carried over from the shot before.
      ...(shot.noPicture ? { noPicture: shot.noPicture } : {}),
      // Only on a shot no frame of which was analysed: its scale, confidence and probabilities are the shot before's.
      ...(shotNotAnalysed(shot) ? { notAnalysed: true } : {}),
      // Only where an operator set the scale: the classifier's own beside it (null: it read no picture).
      ...(scaleSetByOperator(shot) ? { scaleSetBy: 'operator', classifierScale: shot.classifierScale ?? null } : {}),
      scene: shot.scene,
      take: shot.take,
      // Only where set: a circled or NG take, and a framing the operator set (subjects stay the detector's).
      ...(shot.takeMark ? { takeMark: shot.takeMark } : {}),
      ...(shot.operatorFraming ? { framing: shot.operatorFraming, framingSetBy: 'operator' } : {}),
      tags: shot.tags,
      note: shot.note,
      rate: shot.rate,
      tcIn: shot.tcIn,
      tcOut: shot.tcOut,
      inTime: new Date(shot.inTime).toISOString(),
      outTime: new Date(shot.outTime).toISOString(),
    },
  };
}

function clip(event: TimelineEvent, rate: TimecodeRate, mediaPath: string | null) {
  const { shot, srcIn, srcOut } = event;
  const range = timeRange(srcIn, srcOut - srcIn, rate);
  return {
    OTIO_SCHEMA: 'Clip.2',
    metadata: shotMetadata(shot),
    name: clipName(shot),
    source_range: range,
    effects: [],
    markers: [
      {
        OTIO_SCHEMA: 'Marker.2',
        metadata: {},
        name: scaleWord(shot),
        color: markerColour('otio', shot),
        marked_range: range,
        comment: shotComment(shot),
      },
    ],
    enabled: true,
    media_references: { [MEDIA_KEY]: mediaReference(mediaPath) },
    active_media_reference_key: MEDIA_KEY,
  };
}

function gap(frames: number, rate: TimecodeRate) {
  return { OTIO_SCHEMA: 'Gap.1', metadata: {}, name: '', source_range: timeRange(0, frames, rate), effects: [], markers: [], enabled: true };
}

function track(name: string, events: readonly TimelineEvent[], start: number, rate: TimecodeRate, mediaPath: string | null) {
  const children: object[] = [];
  let position = 0;
  for (const event of events) {
    const at = Math.max(event.srcIn - start, position);
    if (at > position) children.push(gap(at - position, rate));
    children.push(clip(event, rate, mediaPath));
    position = at + (event.srcOut - event.srcIn);
  }
  return { OTIO_SCHEMA: 'Track.1', metadata: {}, name, source_range: null, effects: [], markers: [], enabled: true, kind: 'Video', children };
}

export function otioTimeline(sortedShots: readonly ShotRecord[], title: string, rateName: TimecodeRateName, mediaPath: string | null): string {
  const { rate, events } = layoutTimeline(sortedShots, rateName);
  // Events are in time order: the first is the first shot in time.
  const first = events[0]?.srcIn ?? 0;
  const afterMidnight = first - framesPerDay(rate) / 2;
  const start = events.reduce((earliest, e) => (e.srcIn > afterMidnight ? Math.min(earliest, e.srcIn) : earliest), first);
  const tracks = sortCameraIds(events.map((e) => e.shot.cameraId)).map((cameraId) =>
    track(cameraId, events.filter((e) => e.shot.cameraId === cameraId), start, rate, mediaPath),
  );
  const timeline = {
    OTIO_SCHEMA: 'Timeline.1',
    metadata: { shotscale: { rate: rate.name } },
    name: title,
    global_start_time: rationalTime(start, rate),
    tracks: { OTIO_SCHEMA: 'Stack.1', metadata: {}, name: 'tracks', source_range: null, effects: [], markers: [], enabled: true, children: tracks },
  };
  return `${JSON.stringify(timeline, null, 4)}\n`;
}
