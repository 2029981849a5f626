/**
 * Where each shot goes on an edit timeline, shared by the EDL, marker-EDL,
 * ALE and OTIO exports.
 *
 * Rate: a timeline has one rate: the one asked for, else the shots' own when
 * they are all at one rate, else the project's (the configured timecode
 * rate), so the same shots export alike whatever else a filter lets in. A
 * shot's source timecode is its camera's own timecode at the camera's own
 * rate: that is what a conform against the camera originals looks up. The
 * EDL and the ALE count every source timecode at the one frame rate of the
 * file (CMX3600's FCM, the ALE's FPS heading), so they refuse shots at
 * another frame rate (oneRateOnly) rather than write a timecode no camera
 * shows. 29.97 and 29.97DF (and 59.94 / 59.94DF) count the same frames and
 * differ only in how they number them, so they go together: each source
 * timecode is written in its camera's own numbering (sourceRateOf; ";"
 * before the frames for drop-frame), the EDL switching its FCM where the
 * numbering changes (cmx3600-export.ts). A timeline of shots that share a
 * frame rate but not a numbering is at the project's rate when it counts
 * the same frames, else at the drop-frame one. OTIO and
 * FCPXML place a shot at another rate on the timeline through its seconds:
 * its in and out frames are turned into seconds since 00:00:00:00 at its own
 * rate and back into frames at the timeline rate, each end rounded to the
 * nearest frame, so shots that abut at their own rate still abut after
 * conversion. Between 29.97 and 29.97DF (and 59.94 / 59.94DF) nothing moves.
 *
 * Record time: when the shots, in time order, never overlap and stay inside
 * one timecode day, they are one feed cut into shots, and the record
 * timecode is the source timecode (an editor lays the EDL over the recording
 * and the cuts fall on the picture cuts; the same frame, numbered as the
 * timeline numbers it where a camera counts non-drop on a drop-frame
 * timeline or the other way round). Otherwise (several cameras shooting
 * at once, or a log that crosses midnight) the events are laid end to end
 * from 01:00:00:00, the usual start of a programme timeline.
 *
 * Shots shorter than one frame at the timeline rate (an open shot that just
 * began) cannot be an edit event and are left out of timeline exports.
 */
import { ShotscaleError } from '../errors.js';
import type { ShotRecord, TimecodeRateName } from '../shared/shots.js';
import {
  framesPerDay,
  framesToTimecode,
  framesToSeconds,
  secondsToFrames,
  timecodeRate,
  timecodeToFrames,
  type TimecodeRate,
} from '../shots/timecode.js';

export const RECORD_START_TIMECODE = '01:00:00:00';

/** Rate of a timeline with no shots and no rate asked for (the European broadcast rate). */
export const FALLBACK_RATE: TimecodeRateName = '25';

export interface TimelineEvent {
  shot: ShotRecord;
  /** Source in and out (exclusive) in frames since 00:00:00:00 at the timeline rate. */
  srcIn: number;
  srcOut: number;
  /** Record in and out (exclusive) in frames at the timeline rate. */
  recIn: number;
  recOut: number;
}

export interface TimelineLayout {
  rate: TimecodeRate;
  /** 'source': record time = source time (one feed); 'end-to-end': laid out from 01:00:00:00. */
  recordTime: 'source' | 'end-to-end';
  events: TimelineEvent[];
}

/** Shots in time order (ties: camera, then timecode, then id), never mutating the input. */
export function sortShots(shots: readonly ShotRecord[]): ShotRecord[] {
  return [...shots].sort(
    (a, b) =>
      a.inTime - b.inTime ||
      (a.cameraId < b.cameraId ? -1 : a.cameraId > b.cameraId ? 1 : 0) ||
      a.inFrame - b.inFrame ||
      a.id - b.id,
  );
}

/** The one rate every shot was logged at; null when there are no shots or they are at several rates. */
export function sharedRateName(shots: readonly ShotRecord[]): TimecodeRateName | null {
  const rates = new Set(shots.map((shot) => shot.rate));
  return rates.size === 1 ? shots[0]!.rate : null;
}

/**
 * The timeline rate: the one asked for, else the shots' own when they share
 * one, else (shots that count the same frames, numbered drop-frame and not)
 * the project's when it counts them too, else their drop-frame rate; else the
 * project's, else 25. Never the first shot's: a filter that lets another
 * camera's shot in first must not move every source timecode.
 */
export function timelineRateName(shots: readonly ShotRecord[], requested: TimecodeRateName | undefined, project: TimecodeRateName | undefined = undefined): TimecodeRateName {
  return requested ?? sharedRateName(shots) ?? sharedFrameRateName(shots, project) ?? project ?? FALLBACK_RATE;
}

/** For shots at one frame rate under two names (29.97 and 29.97DF): the project's rate when it counts those frames, else the drop-frame name; null otherwise. */
function sharedFrameRateName(shots: readonly ShotRecord[], project: TimecodeRateName | undefined): TimecodeRateName | null {
  const rates = [...new Set(shots.map((shot) => shot.rate))].map(timecodeRate);
  if (rates.length < 2 || !rates.every((rate) => rate.fps === rates[0]!.fps)) return null;
  if (project && timecodeRate(project).fps === rates[0]!.fps) return project;
  return (rates.find((rate) => rate.dropFrame) ?? rates[0]!).name;
}

/**
 * The rate a shot's source timecode is written at on a timeline at `rate`:
 * its own when it counts the same frames (29.97 on a 29.97DF timeline keeps
 * its non-drop numbers, the ones its camera shows), else the timeline's.
 */
export function sourceRateOf(shot: ShotRecord, rate: TimecodeRate): TimecodeRate {
  const own = timecodeRate(shot.rate);
  return own.fps === rate.fps ? own : rate;
}

/**
 * Refuses (BAD_REQUEST) shots that count frames at another rate than the
 * timeline's, for the formats with one rate for every source timecode in the
 * file (CMX3600's FCM, the ALE's FPS). Converted, a 23.976 camera's
 * 01:00:00:00 would become 01:00:03:15 at 25 after an hour (3.6 s of drift
 * per hour of timecode), a timecode the camera's originals do not have, and a
 * conform would pick the wrong frames. Drop-frame and non-drop numbering of
 * the same frames (29.97 and 29.97DF) pass: each is written as its camera
 * numbers it (sourceRateOf). Each camera exported alone is at its own rate.
 */
export function oneRateOnly(shots: readonly ShotRecord[], rate: TimecodeRate, format: 'edl' | 'ale'): void {
  if (shots.every((shot) => timecodeRate(shot.rate).fps === rate.fps)) return;
  const ratesOf = new Map<string, Set<string>>();
  for (const shot of shots) ratesOf.set(shot.cameraId, (ratesOf.get(shot.cameraId) ?? new Set()).add(shot.rate));
  const cameras = [...ratesOf.keys()].sort();
  const listed = cameras.map((camera) => `${camera} ${[...ratesOf.get(camera)!].join(' and ')}`).join(', ');
  const oneFrameRate = new Set(shots.map((shot) => timecodeRate(shot.rate).fps)).size === 1;
  const what = oneFrameRate ? `the shots are at ${listed}, not the timeline's ${rate.name}` : `the shots are at several timecode rates (${listed})`;
  const each = cameras.slice(0, 4).map((camera) => `camera=${camera}`).join(', ');
  throw new ShotscaleError(
    'BAD_REQUEST',
    `${format}: ${what}; ${format === 'edl' ? 'an EDL has one rate (FCM)' : 'an ALE has one rate (FPS)'} for every source timecode, and each must be the camera's own: ` +
      `export one camera at a time (${each}; shotscale export --camera ID), a camera logged at two rates in two parts (from/to); csv and json keep every shot at its own rate`,
  );
}

/** A shot's in and out frames at `rate`, converted through seconds when it was logged at another fps (OTIO and FCPXML placement only). */
export function sourceFramesAt(shot: ShotRecord, rate: TimecodeRate): { inFrame: number; outFrame: number } {
  const own = timecodeRate(shot.rate);
  if (own.fps === rate.fps) return { inFrame: shot.inFrame, outFrame: shot.outFrame };
  return {
    inFrame: secondsToFrames(framesToSeconds(shot.inFrame, own), rate),
    outFrame: secondsToFrames(framesToSeconds(shot.outFrame, own), rate),
  };
}

export function layoutTimeline(sortedShots: readonly ShotRecord[], rateName: TimecodeRateName): TimelineLayout {
  const rate = timecodeRate(rateName);
  const sources = sortedShots
    .map((shot) => ({ shot, ...sourceFramesAt(shot, rate) }))
    .filter((s) => s.outFrame > s.inFrame);

  const day = framesPerDay(rate);
  const oneFeed = sources.every(
    (s, i) => s.inFrame >= 0 && s.outFrame <= day && (i === 0 || s.inFrame >= sources[i - 1]!.outFrame),
  );
  if (oneFeed) {
    const events = sources.map((s) => ({ shot: s.shot, srcIn: s.inFrame, srcOut: s.outFrame, recIn: s.inFrame, recOut: s.outFrame }));
    return { rate, recordTime: 'source', events };
  }

  let record = timecodeToFrames(RECORD_START_TIMECODE, rate);
  const events = sources.map((s) => {
    const recIn = record;
    record += s.outFrame - s.inFrame;
    return { shot: s.shot, srcIn: s.inFrame, srcOut: s.outFrame, recIn, recOut: record };
  });
  return { rate, recordTime: 'end-to-end', events };
}

/**
 * Events whose source crosses midnight split there into two, for the formats
 * that write the source as timecode (CMX3600 EDL, ALE): a timecode wraps at
 * 24 hours, so one event from 23:59:57:18 to 00:00:02:18 would end before it
 * begins. The first part ends at 24:00:00:00 (framesToOutTimecode), the
 * second starts at 00:00:00:00; their record times follow on, so the
 * timeline is the same. Midnight is the source's own (sourceRateOf): a
 * non-drop day has 2,592,000 frames at 29.97, a drop-frame day 2,589,408.
 * OTIO, FCPXML and the marker EDL need no split: OTIO and FCPXML count
 * frames without a day, and a marker EDL writes only record time, which
 * never passes the end of the day.
 */
export function splitAtMidnight(events: readonly TimelineEvent[], rate: TimecodeRate): TimelineEvent[] {
  return events.flatMap((event) => {
    const day = framesPerDay(sourceRateOf(event.shot, rate));
    const parts: TimelineEvent[] = [];
    let { srcIn, recIn } = event;
    for (let midnight = (Math.floor(srcIn / day) + 1) * day; event.srcOut > midnight; midnight += day) {
      parts.push({ ...event, srcIn, srcOut: midnight, recIn, recOut: recIn + (midnight - srcIn) });
      recIn += midnight - srcIn;
      srcIn = midnight;
    }
    parts.push({ ...event, srcIn, recIn });
    return parts;
  });
}

/**
 * The layout for an EDL, whose record time is a timecode: it cannot pass the
 * end of the day. Laid end to end from 01:00:00:00, more than 23 hours of
 * shots (four cameras over a long day) would wrap to 00:00:00:00 and lie
 * over the first events in the editor, so such a log is refused with what to
 * do instead. One feed's record time is its source time, always inside the day.
 */
export function edlLayout(sortedShots: readonly ShotRecord[], rateName: TimecodeRateName, format: 'edl' | 'markers'): TimelineLayout {
  const layout = layoutTimeline(sortedShots, rateName);
  const day = framesPerDay(layout.rate);
  const past = layout.events.findIndex((e) => e.recOut > day);
  if (past < 0) return layout;
  const shot = layout.events[past]!.shot;
  throw new ShotscaleError(
    'BAD_REQUEST',
    `${format}: ${layout.events.length} shots laid end to end from ${RECORD_START_TIMECODE} run past ${framesToTimecode(day - 1, layout.rate)} at event ${past + 1} (${shot.cameraId} shot ${shot.id}); an EDL's record timecode cannot pass the end of the day: ` +
      'export fewer shots at a time (one camera, scene, take, or a from/to range), or use otio, fcpxml or ale, which have no such limit',
  );
}
