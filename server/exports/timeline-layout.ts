/**
 * Where each shot goes on an edit timeline, shared by the EDL, marker-EDL,
 * ALE and OTIO exports.
 *
 * Rate: a timeline has one rate; by default the first shot's. A shot logged
 * at another rate is converted through its seconds: its in and out frames are
 * turned into seconds since 00:00:00:00 at its own rate and back into frames
 * at the timeline rate, each end rounded to the nearest frame, so shots that
 * abut at their own rate still abut after conversion. 29.97 and 29.97DF (and
 * 59.94 / 59.94DF) count the same frames, so between them nothing moves.
 *
 * Record time: when the shots, in time order, never overlap and stay inside
 * one timecode day, they are one feed cut into shots, and the record
 * timecode is the source timecode (an editor lays the EDL over the recording
 * and the cuts fall on the picture cuts). Otherwise (several cameras shooting
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

/** The timeline rate: the one asked for, else the first shot's (shots sorted), else 25. */
export function timelineRateName(sortedShots: readonly ShotRecord[], requested: TimecodeRateName | undefined): TimecodeRateName {
  return requested ?? sortedShots[0]?.rate ?? FALLBACK_RATE;
}

/** A shot's in and out frames at `rate`, converted through seconds when it was logged at another fps. */
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
 * timeline is the same. OTIO, FCPXML and the marker EDL need no split: OTIO
 * and FCPXML count frames without a day, and a marker EDL writes only record
 * time, which never passes the end of the day.
 */
export function splitAtMidnight(events: readonly TimelineEvent[], rate: TimecodeRate): TimelineEvent[] {
  const day = framesPerDay(rate);
  return events.flatMap((event) => {
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
