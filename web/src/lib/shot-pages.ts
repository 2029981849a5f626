/**
 * The Shots view's pages past the newest: "Show 500 older" reads the shots
 * before the oldest one shown, and a live refresh reads the newest page alone
 * and keeps what was paged to below it (shots further down change by the
 * `shot` events heard: withHeardShots).
 * The log is listed newest first by start time, then id (shot-store.ts,
 * cluster-shot-log.ts). An older page is read by time, not by offset from
 * the newest: a shot logged meanwhile moves every offset on by one, and the
 * page read by offset would repeat a shot (or, with a shot gone, skip one).
 * Pure: unit-tested under node (test/unit/web-shot-pages.test.ts).
 */
import type { ShotRecord } from '../../../server/shared/shots.js';
import { matchesFilters, SHOT_PAGE_LIMIT, shotsPath, type FilteredShot, type ShotFilterForm } from './shot-filters.js';

type Listed = Pick<ShotRecord, 'id' | 'inTime'>;
type Heard = Listed & FilteredShot;

/** Whether `a` is listed after `b` (newest first: an earlier start, or the same start and a lower id). */
export function listedAfter(a: Listed, b: Listed): boolean {
  return a.inTime < b.inTime || (a.inTime === b.inTime && a.id < b.id);
}

/**
 * How far past the oldest shot's start an older page is read from (ms): the
 * server's `to` keeps shots that start strictly before it, and shots that
 * start at the same moment as the oldest one shown (a take cut on every
 * camera at once) would be skipped. The shown ones it reads again are dropped.
 */
const TIE_MARGIN_MS = 1;

/**
 * The read of the next older page: `/api/shots?...&order=desc&to=...&limit=...`,
 * how many it reads again of those shown, and the oldest shown it reads from.
 */
export function olderPageRead(filters: Partial<ShotFilterForm>, shown: readonly Listed[], limit = SHOT_PAGE_LIMIT): { path: string; repeated: number; from: Listed } | null {
  const oldest = shown.at(-1);
  if (!oldest) return null;
  const to = oldest.inTime + TIE_MARGIN_MS;
  const repeated = shown.filter((s) => s.inTime < to).length;
  return { path: shotsPath(filters, { order: 'desc', limit: limit + repeated, to }), repeated, from: { id: oldest.id, inTime: oldest.inTime } };
}

/**
 * The shown shots with an older page after them: those of the page listed
 * after the oldest shown, at most `limit`. Null where the oldest shown is no
 * longer `from`, the one the page was read from: a refresh that landed while
 * it was on its way put another bottom to the list (the newest page alone,
 * after a flood of new shots), and the page joined on to it would leave a
 * silent hole between them. The view reads it again from the new bottom.
 */
export function withOlderPage<T extends Listed>(shown: readonly T[], page: readonly T[], from: Listed, limit = SHOT_PAGE_LIMIT): T[] | null {
  const oldest = shown.at(-1);
  if (!oldest || oldest.id !== from.id || oldest.inTime !== from.inTime) return null;
  return [...shown, ...page.filter((s) => listedAfter(s, oldest)).slice(0, limit)];
}

/**
 * The shown shots with shots heard live put in (`shot` events: an edit here
 * or on another dashboard, a move to another scene or take, a shot closing;
 * oldest heard first). A refresh reads the newest page alone, so a shot
 * further down learns of a change only this way. A heard shot shown takes its
 * place, or leaves where it no longer matches the filters; one not shown that
 * now matches and falls between the newest and the oldest shown comes in
 * where it is listed (none shown between them is missing). One above the
 * newest shown is left to the refresh the event brings, one below the oldest
 * to "Show older". Null where nothing changes; `change`: shots in less (-) or
 * more, for the count.
 */
export function withHeardShots<T extends Heard>(shown: readonly T[], heard: readonly T[], filters: Partial<ShotFilterForm>): { shots: T[]; change: number } | null {
  const newest = shown[0];
  const oldest = shown.at(-1);
  if (!newest || !oldest) return null;
  // Id 0: an open shot the log could not write yet; the next refresh lists it.
  const latest = new Map(heard.filter((s) => s.id !== 0).map((s) => [s.id, s]));
  if (!latest.size) return null;
  let change = 0;
  let touched = false;
  const shots: T[] = [];
  for (const shot of shown) {
    const now = latest.get(shot.id);
    if (!now) shots.push(shot);
    else {
      touched = true;
      latest.delete(shot.id);
      if (matchesFilters(now, filters)) shots.push(now);
      else change -= 1;
    }
  }
  const between = [...latest.values()].filter((s) => !listedAfter(newest, s) && !listedAfter(s, oldest) && matchesFilters(s, filters));
  if (!touched && !between.length) return null;
  if (!between.length) return { shots, change };
  const listed = [...shots, ...between].sort((a, b) => (listedAfter(a, b) ? 1 : listedAfter(b, a) ? -1 : 0));
  return { shots: listed, change: change + between.length };
}

/**
 * Room a whole refresh of older pages leaves for shots logged since the last
 * read: a read every 2 s at the most (the view's REFRESH_MIN_MS) and a cut a
 * frame at the most per camera make 100 plenty; past it refreshedList still
 * keeps every shot shown.
 */
const REFRESH_ROOM = 100;

/**
 * How many shots a refresh reads: the newest page. Live updates read no more:
 * re-reading every shot paged to (8,100 after a day paged back) on each new
 * shot moved megabytes every 2 s per dashboard, and shots further down change
 * by the events heard (withHeardShots). `whole`, where such events may have
 * gone unheard (a reconnection, take marks missed) or the user asked
 * (Refresh): with older pages shown, every shot shown and room for more.
 */
export function refreshLimit(shown: number, paged: boolean, whole = false): number {
  return paged && whole ? Math.max(SHOT_PAGE_LIMIT, shown + REFRESH_ROOM) : SHOT_PAGE_LIMIT;
}

/**
 * The list after a refresh (`fresh`, the newest `limit` shots now). Without
 * older pages (`paged` false), the newest page. With them, the fresh shots
 * down to the oldest one shown: shots logged since come in on top and none
 * shown leaves the bottom. Where the fresh read stops short of it (the newest
 * page alone, more shots logged since than a whole read had room for, or an
 * older page added while it was on its way), the shown shots past the fresh
 * ones are kept after them, as they are; where it does not even reach the
 * newest one shown, they would leave a gap: the fresh shots alone (the rest
 * are older pages again).
 */
export function refreshedList<T extends Listed>(shown: readonly T[], fresh: readonly T[], limit: number, paged: boolean): T[] {
  const oldestShown = shown.at(-1);
  if (!paged || !oldestShown) return [...fresh];
  const kept = fresh.filter((s) => !listedAfter(s, oldestShown));
  const freshOldest = fresh.at(-1);
  // Read to the end of the log, or past the oldest shown: the fresh read holds every shot to keep.
  if (fresh.length < limit || !freshOldest || kept.length < fresh.length) return kept;
  const newestShown = shown[0]!;
  if (listedAfter(newestShown, freshOldest)) return kept;
  return [...kept, ...shown.filter((s) => listedAfter(s, freshOldest))];
}
