/**
 * The Shots view's pages past the newest: "Show 500 older" reads the shots
 * before the oldest one shown, and a live refresh keeps what was paged to.
 * The log is listed newest first by start time, then id (shot-store.ts,
 * cluster-shot-log.ts). An older page is read by time, not by offset from
 * the newest: a shot logged meanwhile moves every offset on by one, and the
 * page read by offset would repeat a shot (or, with a shot gone, skip one).
 * Pure: unit-tested under node (test/unit/web-shot-pages.test.ts).
 */
import type { ShotRecord } from '../../../server/shared/shots.js';
import { SHOT_PAGE_LIMIT, shotsPath, type ShotFilterForm } from './shot-filters.js';

type Listed = Pick<ShotRecord, 'id' | 'inTime'>;

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

/** The read of the next older page: `/api/shots?...&order=desc&to=...&limit=...`, and how many it reads again of those shown. */
export function olderPageRead(filters: Partial<ShotFilterForm>, shown: readonly Listed[], limit = SHOT_PAGE_LIMIT): { path: string; repeated: number } | null {
  const oldest = shown.at(-1);
  if (!oldest) return null;
  const to = oldest.inTime + TIE_MARGIN_MS;
  const repeated = shown.filter((s) => s.inTime < to).length;
  return { path: shotsPath(filters, { order: 'desc', limit: limit + repeated, to }), repeated };
}

/** The shown shots with an older page after them: those of the page listed after the oldest shown, at most `limit`. */
export function withOlderPage<T extends Listed>(shown: readonly T[], page: readonly T[], limit = SHOT_PAGE_LIMIT): T[] {
  const oldest = shown.at(-1);
  const older = oldest ? page.filter((s) => listedAfter(s, oldest)) : [...page];
  return [...shown, ...older.slice(0, limit)];
}

/**
 * Room a refresh of older pages leaves for shots logged since the last read:
 * a read every 2 s at the most (the view's REFRESH_MIN_MS) and a cut a frame
 * at the most per camera make 100 plenty; past it refreshedList still keeps
 * every shot shown.
 */
const REFRESH_ROOM = 100;

/** How many shots a refresh reads: the newest page, or with older pages shown, them all and room for shots logged since. */
export function refreshLimit(shown: number, paged: boolean): number {
  return paged ? Math.max(SHOT_PAGE_LIMIT, shown + REFRESH_ROOM) : SHOT_PAGE_LIMIT;
}

/**
 * The list after a refresh (`fresh`, the newest `limit` shots now). Without
 * older pages (`paged` false), the newest page. With them, the fresh shots
 * down to the oldest one shown: shots logged since come in on top and none
 * shown leaves the bottom. Where the fresh read stops short of it (more shots
 * logged since than it had room for, or an older page added while it was on
 * its way), the shown shots past the fresh ones are kept after them; where it
 * does not even reach the newest one shown, they would leave a gap: the fresh
 * shots alone (the rest are older pages again).
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
