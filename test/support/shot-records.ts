/**
 * Shot records for tests that need shots without a server: laid end to end
 * per camera from a fixed start, with what the test cares about.
 */
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { ShotRecord, Take } from '../../server/shared/shots.js';
import type { Subjects } from '../../server/shared/socket-events.js';

export const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);

/** Shots laid end to end per camera; `shot()` takes what the test cares about. */
export function shotLog() {
  let nextId = 1;
  const clock = new Map<string, number>();
  return function shot(scale: CanonicalScale, durationS: number, extra: Partial<ShotRecord> & { framing?: Subjects['framing'] } = {}): ShotRecord {
    const { framing, ...fields } = extra;
    const cameraId = fields.cameraId ?? 'cam-1';
    const inTime = fields.inTime ?? clock.get(cameraId) ?? T0;
    clock.set(cameraId, inTime + durationS * 1000);
    const probabilities = CANONICAL_SCALES.map((s) => (s === scale ? 1 : 0));
    return {
      id: nextId++,
      cameraId,
      status: 'closed',
      inTime,
      outTime: inTime + durationS * 1000,
      rate: '25',
      inFrame: 0,
      outFrame: Math.round(durationS * 25),
      tcIn: '00:00:00:00',
      tcOut: '00:00:00:00',
      durationS,
      startS: (inTime - T0) / 1000,
      scale,
      scaleStart: null,
      scaleEnd: null,
      confidence: 0.9,
      probabilities,
      readouts: 10,
      subjects: framing ? { count: framing === 'single' ? 1 : 2, kind: 'person', framing, overTheShoulder: false } : null,
      reason: null,
      cutIn: 'hard',
      cutOut: 'hard',
      scene: '12',
      take: '1',
      tags: [],
      note: null,
      hasThumbnail: false,
      ...fields,
    };
  };
}

/** A closed 5 s wide shot on cam-1 of `take`, ended 5 s ago: a take's coverage with a shot in it (a plan item "WS" met). */
export function wideShotOfTake(take: Pick<Take, 'scene' | 'take'>): ShotRecord {
  const inTime = Date.now() - 10_000;
  return {
    id: 0, cameraId: 'cam-1', status: 'closed', inTime, outTime: inTime + 5000, rate: '25', inFrame: 0, outFrame: 125, tcIn: '00:00:00:00', tcOut: '00:00:05:00',
    durationS: 5, startS: 0, scale: 'WS', scaleStart: 'WS', scaleEnd: 'WS', confidence: 0.9, probabilities: CANONICAL_SCALES.map((s) => (s === 'WS' ? 1 : 0)), readouts: 10,
    subjects: null, reason: null, cutIn: 'take', cutOut: 'take', scene: take.scene, take: take.take, tags: [], note: null, hasThumbnail: false,
  };
}
