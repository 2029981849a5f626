/**
 * Coverage figures of a set of shots: count and time per canonical scale, the
 * average shot length and the scale histogram a film analyst reads; shots
 * with no picture from cut to cut are counted apart, in no scale, and so are
 * shots with no analysed frame (e.g. the sliver between a take's start and a
 * quick end): their scale is only carried over, and counting them would pull
 * the average shot length down and put a guessed scale in the histogram. Pure
 * functions over ShotRecords, so the same code serves the live dashboard, the
 * per-take view and exports; which shots go in (closed only, or the open one
 * too) is the caller's choice.
 */
import { CANONICAL_SCALES, type CanonicalScale } from '../shared/scale.js';
import { scaleSetByOperator, secondsWithoutPicture, shotWithoutPicture, type CoverageShot, type CoverageStats, type ScaleTally, type ShotRecord } from '../shared/shots.js';

/** Stats of no shots: every scale present with zeros, histogram all zeros. */
export function emptyCoverage(): CoverageStats {
  return {
    shots: 0,
    seconds: 0,
    averageShotLengthS: 0,
    byScale: zeroTallies(),
    noPicture: { count: 0, seconds: 0 },
    unanalysed: { count: 0, seconds: 0 },
    histogram: CANONICAL_SCALES.map(() => 0),
  };
}

export function computeCoverage(shots: readonly Omit<CoverageShot, 'id' | 'cameraId' | 'status'>[]): CoverageStats {
  const byScale = zeroTallies();
  const noPicture = { count: 0, seconds: 0 };
  const unanalysed = { count: 0, seconds: 0 };
  let seconds = 0;
  let pictured = 0;
  let lengths = 0;
  for (const shot of shots) {
    const duration = usableDuration(shot.durationS);
    // Time with no picture (a camera black, from cut to cut or for a while) covers no scale: nobody framed it.
    const blank = Math.min(usableDuration(secondsWithoutPicture(shot)), duration);
    noPicture.seconds += blank;
    if (shotWithoutPicture(shot)) {
      noPicture.count += 1;
      continue;
    }
    if (!shotAnalysed(shot)) {
      unanalysed.count += 1;
      unanalysed.seconds += duration - blank;
      continue;
    }
    pictured += 1;
    const tally = byScale[shot.scale];
    tally.count += 1;
    tally.seconds += duration - blank;
    seconds += duration - blank;
    lengths += duration;
  }
  return {
    shots: pictured,
    seconds,
    // A shot's length is from cut to cut, whatever it showed.
    averageShotLengthS: pictured === 0 ? 0 : lengths / pictured,
    byScale,
    noPicture,
    unanalysed,
    // Zero total time (no shots, or only zero-length ones) gives zeros, never NaN.
    histogram: CANONICAL_SCALES.map((scale) => (seconds > 0 ? byScale[scale].seconds / seconds : 0)),
  };
}

/**
 * Whether a shot's scale was read from its frames: at least one analysed
 * frame, or a scale an operator set. A shot whose readout count is not known
 * (an older node's record) is taken as analysed.
 */
export function shotAnalysed(shot: Pick<ShotRecord, 'readouts' | 'classifierScale'>): boolean {
  return shot.readouts !== 0 || scaleSetByOperator(shot);
}

/** Stats per camera id, for the cameras that have shots. */
export function coverageByCamera(shots: readonly CoverageShot[]): Record<string, CoverageStats> {
  const perCamera: Record<string, CoverageStats> = {};
  for (const [cameraId, cameraShots] of groupBy(shots, (shot) => shot.cameraId)) {
    perCamera[cameraId] = computeCoverage(cameraShots);
  }
  return perCamera;
}

export interface TakeShots {
  scene: string;
  /** null: shots of the scene logged without a take. */
  take: string | null;
  shots: ShotRecord[];
}

/**
 * Shots grouped by scene and take, groups in order of their first shot, shots
 * by inTime (ties keep input order). Shots without a scene (no slate) are left out.
 */
export function groupShotsByTake(shots: readonly ShotRecord[]): TakeShots[] {
  const slated = sortedByInTime(shots.filter((shot) => shot.scene !== null));
  // A JSON pair as the map key: no scene or take name can collide with it.
  const groups = groupBy(slated, (shot) => JSON.stringify([shot.scene, shot.take]));
  return [...groups.values()].map((groupShots) => ({
    scene: groupShots[0]!.scene!,
    take: groupShots[0]!.take,
    shots: groupShots,
  }));
}

/** Shots grouped by scene, scenes in order of their first shot; unslated shots left out. */
export function groupShotsByScene(shots: readonly ShotRecord[]): Map<string, ShotRecord[]> {
  const slated = sortedByInTime(shots.filter((shot) => shot.scene !== null));
  return groupBy(slated, (shot) => shot.scene!);
}

function zeroTallies(): Record<CanonicalScale, ScaleTally> {
  return Object.fromEntries(CANONICAL_SCALES.map((scale) => [scale, { count: 0, seconds: 0 }])) as Record<CanonicalScale, ScaleTally>;
}

/** A negative or non-finite duration (a clock step, a bad row) counts as zero time. */
function usableDuration(durationS: number): number {
  return Number.isFinite(durationS) && durationS > 0 ? durationS : 0;
}

function sortedByInTime(shots: readonly ShotRecord[]): ShotRecord[] {
  // Array.prototype.sort is stable, so equal inTimes keep the input order.
  return [...shots].sort((a, b) => a.inTime - b.inTime);
}

function groupBy<K, S>(shots: readonly S[], keyOf: (shot: S) => K): Map<K, S[]> {
  const groups = new Map<K, S[]>();
  for (const shot of shots) {
    const key = keyOf(shot);
    const group = groups.get(key);
    if (group) group.push(shot);
    else groups.set(key, [shot]);
  }
  return groups;
}
