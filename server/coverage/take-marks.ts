/**
 * Take marks on shots. A mark is the take's (PATCH /api/takes/:id), so it is
 * put on shots when they are listed, from the takes as they stand now, and
 * never stored with a shot: a take circled or marked NG later reaches every
 * shot of it at once, here and in a cluster's log alike.
 */
import type { ShotRecord, Take, TakeMark, TakeMarkNote } from '../shared/shots.js';

/** Which mark each slate (scene and take number) carries. */
export type TakeMarkIndex = ReadonlyMap<string, TakeMark>;

function slateKey(scene: string, take: string): string {
  // A NUL cannot be in a scene or take name (control characters are refused), so keys never collide.
  return `${scene}\u0000${take}`;
}

/**
 * Shots name their take by scene and number (an operator may re-slate a shot
 * by name), so marks are looked up the same way. A number slated again
 * ("again": true) reads the mark of its latest take, as a take's coverage
 * already merges them under one number.
 */
export function takeMarkIndex(takes: Iterable<Pick<Take, 'scene' | 'take' | 'mark' | 'startedAt'>>): TakeMarkIndex {
  const latest = new Map<string, { at: number; mark: TakeMark | null }>();
  for (const take of takes) {
    const key = slateKey(take.scene, take.take);
    const seen = latest.get(key);
    if (!seen || take.startedAt >= seen.at) latest.set(key, { at: take.startedAt, mark: take.mark });
  }
  const index = new Map<string, TakeMark>();
  for (const [key, { mark }] of latest) if (mark) index.set(key, mark);
  return index;
}

/** The mark the shots of a scene and take number carry (null: none). */
export function slateMark(index: TakeMarkIndex, scene: string, take: string): TakeMark | null {
  return index.get(slateKey(scene, take)) ?? null;
}

/** The shots with their take's mark as it is now (a stale one, e.g. from a copied record, is replaced or removed). */
export function withTakeMarks<T extends ShotRecord>(shots: readonly T[], index: TakeMarkIndex): T[] {
  return shots.map((shot) => {
    const mark = shot.scene !== null && shot.take !== null ? index.get(slateKey(shot.scene, shot.take)) : undefined;
    if (mark === shot.takeMark) return shot;
    const { takeMark: _stale, ...rest } = shot;
    return (mark ? { ...rest, takeMark: mark } : rest) as T;
  });
}

/** Whether a shot counts towards coverage: not when its take is NG. */
export function countsForCoverage(shot: Pick<ShotRecord, 'takeMark'>): boolean {
  return shot.takeMark !== 'ng';
}

/** The marked takes among `shots`, in order of their first shot; empty when none is marked. */
export function takeMarkNotes(shots: readonly ShotRecord[]): TakeMarkNote[] {
  const notes = new Map<string, TakeMarkNote>();
  for (const shot of [...shots].sort((a, b) => a.inTime - b.inTime)) {
    if (!shot.takeMark || shot.take === null) continue;
    const key = `${shot.take}\u0000${shot.takeMark}`;
    const note = notes.get(key) ?? { take: shot.take, mark: shot.takeMark, shots: 0 };
    note.shots += 1;
    notes.set(key, note);
  }
  return [...notes.values()];
}
