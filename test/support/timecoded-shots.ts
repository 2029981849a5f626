/**
 * Shot records written by hand in timecode, for the export tests: frames come
 * from the timecodes, seconds and epoch times from the frames, so each record
 * is consistent in itself whatever the rate (drop-frame included).
 */
import path from 'node:path';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { ShotRecord, TimecodeRateName } from '../../server/shared/shots.js';
import type { Subjects } from '../../server/shared/socket-events.js';
import { timecodeAtRate, timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { tempDir } from './media.js';

/** 2026-11-22T00:00:00Z: shots' epoch times are this plus their timecode's seconds. */
export const DAY_START = Date.UTC(2026, 10, 22);

export const SINGLE: Subjects = { count: 1, kind: 'person', framing: 'single', overTheShoulder: false };
export const TWO: Subjects = { count: 2, kind: 'people', framing: 'two-shot', overTheShoulder: true };
export const NOBODY: Subjects = { count: 0, kind: 'none', framing: 'none', overTheShoulder: false };

export interface ShotSpec {
  camera: string;
  id: number;
  rate: TimecodeRateName;
  tcIn: string;
  tcOut: string;
  scale: CanonicalScale;
  extra?: Partial<ShotRecord>;
}

export function probabilitiesFor(scale: CanonicalScale): number[] {
  const top = CANONICAL_SCALES.indexOf(scale);
  return CANONICAL_SCALES.map((_, i) => (i === top ? 0.82 : 0.18 / 7));
}

/** A ShotRecord consistent in itself: frames from the hand-written timecodes, seconds and epoch times from the frames. */
export function shot(spec: ShotSpec): ShotRecord {
  const rate = timecodeRate(spec.rate);
  const inFrame = timecodeToFrames(spec.tcIn, rate);
  const outFrame = timecodeToFrames(spec.tcOut, rate);
  const inSeconds = inFrame / rate.fps;
  const durationS = (outFrame - inFrame) / rate.fps;
  return {
    id: spec.id,
    cameraId: spec.camera,
    status: 'closed',
    inTime: DAY_START + Math.round(inSeconds * 1000),
    outTime: DAY_START + Math.round((inSeconds + durationS) * 1000),
    rate: spec.rate,
    inFrame,
    outFrame,
    tcIn: spec.tcIn,
    tcOut: spec.tcOut,
    durationS,
    startS: inSeconds - 3600,
    scale: spec.scale,
    scaleStart: null,
    scaleEnd: null,
    confidence: 0.82,
    probabilities: probabilitiesFor(spec.scale),
    readouts: 12,
    subjects: SINGLE,
    reason: `${spec.scale} by framing`,
    cutIn: 'hard',
    cutOut: 'hard',
    scene: '12',
    take: '3',
    tags: [],
    note: null,
    hasThumbnail: false,
    ...spec.extra,
  };
}

/** A data directory (`shots.dataDir`) whose shot log holds these shots, closed. */
export function loggedShotsDir(specs: readonly ShotSpec[], prefix = 'shotscale-shots-'): string {
  const dir = tempDir(prefix);
  const db = openDatabase(path.join(dir, DATABASE_FILE));
  try {
    const store = new ShotStore(db, timecodeAtRate);
    for (const spec of specs) {
      const record = shot(spec);
      store.add({ ...record, status: 'open' }, null);
      store.finish(record, null);
    }
  } finally {
    db.close();
  }
  return dir;
}
