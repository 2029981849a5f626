/**
 * The Shots view's older pages (web/src/lib/shot-pages.ts): read by time
 * from the oldest shot shown, ties at its start included, and kept by a live
 * refresh with shots logged since on top. The view read only the newest 500
 * shots: "Newest 500 of 8 102", and no way to the rest.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SHOT_PAGE_LIMIT } from '../../web/src/lib/shot-filters.js';
import { listedAfter, olderPageRead, refreshedList, refreshLimit, withHeardShots, withOlderPage } from '../../web/src/lib/shot-pages.js';

interface Shot {
  id: number;
  inTime: number;
  cameraId?: string;
  scene?: string | null;
  take?: string | null;
}

/** The log as the server lists it, newest first: start time, then id. */
function log(count: number, sameStart = new Set<number>()): Shot[] {
  const shots: Shot[] = [];
  for (let id = 1; id <= count; id++) shots.push({ id, inTime: sameStart.has(id) ? 1000 * (id - 1) : 1000 * id });
  return shots.sort((a, b) => b.inTime - a.inTime || b.id - a.id);
}

/** What GET /api/shots?order=desc&to=&limit= answers, from `all`. */
function serverPage(all: readonly Shot[], path: string): { shots: Shot[]; total: number } {
  const query = new URL(path, 'http://x').searchParams;
  const to = query.has('to') ? Number(query.get('to')) : Infinity;
  const matching = all.filter((s) => s.inTime < to);
  return { shots: matching.slice(0, Number(query.get('limit'))), total: matching.length };
}

test('listed newest first by start, then id', () => {
  assert.equal(listedAfter({ id: 9, inTime: 1 }, { id: 1, inTime: 2 }), true);
  assert.equal(listedAfter({ id: 1, inTime: 2 }, { id: 2, inTime: 2 }), true);
  assert.equal(listedAfter({ id: 2, inTime: 2 }, { id: 1, inTime: 2 }), false);
});

test('older pages, read by time, reach every shot once, shots starting with the oldest shown included', () => {
  // The 500th and 501st newest start together (a take cut on two cameras at once): the second page begins inside the tie.
  const all = log(1234, new Set([1234 - SHOT_PAGE_LIMIT + 1]));
  let shown = all.slice(0, SHOT_PAGE_LIMIT);
  assert.deepEqual([shown.at(-1)!.inTime, all[SHOT_PAGE_LIMIT]!.inTime], [all[SHOT_PAGE_LIMIT]!.inTime, all[SHOT_PAGE_LIMIT]!.inTime]);
  for (let pages = 1; pages < 10 && shown.length < all.length; pages++) {
    const read = olderPageRead({ scene: '12' }, shown)!;
    assert.match(read.path, /^\/api\/shots\?scene=12&order=desc&to=\d+&limit=\d+$/);
    shown = withOlderPage(shown, serverPage(all, read.path).shots, read.from)!;
  }
  assert.deepEqual(shown, all);
  assert.equal(olderPageRead({}, []), null);
});

test('a shot logged between two reads neither repeats a shot nor hides one', () => {
  const all = log(1200);
  const shown = all.slice(0, SHOT_PAGE_LIMIT);
  const later = [{ id: 5000, inTime: 10_000_000 }, ...all];
  const read = olderPageRead({}, shown)!;
  const next = withOlderPage(shown, serverPage(later, read.path).shots, read.from);
  assert.deepEqual(next, all.slice(0, 2 * SHOT_PAGE_LIMIT));
});

test('a live refresh reads the newest page alone, older pages shown or not; a whole one every shot shown and room for more', () => {
  // It read every shot paged to and 100 more: 8,100 rows on each new shot after a day paged back.
  assert.equal(refreshLimit(500, false), SHOT_PAGE_LIMIT);
  assert.equal(refreshLimit(8000, true), SHOT_PAGE_LIMIT);
  assert.equal(refreshLimit(8000, true, true), 8100);
  assert.equal(refreshLimit(500, false, true), SHOT_PAGE_LIMIT);
});

test('a refresh of the newest page alone keeps the older pages below it, the shots logged since on top', () => {
  const all = log(8000);
  const shown = all.slice(0, 8000);
  const later = [{ id: 9001, inTime: 9_000_000 }, { id: 9000, inTime: 8_500_000 }, ...all];
  const fresh = later.slice(0, SHOT_PAGE_LIMIT);
  assert.deepEqual(refreshedList(shown, fresh, SHOT_PAGE_LIMIT, true), later);
});

test('a refresh that lands while an older page is on its way: the page, read from a bottom gone since, is dropped, and read again joins on', () => {
  const all = log(3000);
  const shown = all.slice(0, SHOT_PAGE_LIMIT);
  const read = olderPageRead({}, shown)!;
  // 700 shots logged meanwhile: the refresh's newest page does not reach the newest shown, and is the list alone.
  const flood = [...Array.from({ length: 700 }, (_, i) => ({ id: 10_000 - i, inTime: 20_000_000 - i })), ...all];
  const refreshed = refreshedList(shown, flood.slice(0, SHOT_PAGE_LIMIT), SHOT_PAGE_LIMIT, true);
  assert.deepEqual(refreshed, flood.slice(0, SHOT_PAGE_LIMIT));
  // Joined on, the page left the 200 newest-but-one shots and the 500 of the list before out, unsaid.
  assert.equal(withOlderPage(refreshed, serverPage(flood, read.path).shots, read.from), null);
  const again = olderPageRead({}, refreshed)!;
  assert.deepEqual(withOlderPage(refreshed, serverPage(flood, again.path).shots, again.from), flood.slice(0, 2 * SHOT_PAGE_LIMIT));
  // A bottom that is the same shot, changed (an edit heard), is the same bottom.
  assert.deepEqual(withOlderPage([...shown.slice(0, -1), { ...shown.at(-1)!, scene: '4' }], serverPage(all, read.path).shots, read.from)?.length, 2 * SHOT_PAGE_LIMIT);
});

test('shots heard live change the older pages a refresh no longer reads: replaced, taken out where the filters no longer match, put in where they now do', () => {
  const scene = (shots: Shot[], name: string) => shots.map((s) => ({ ...s, cameraId: 'cam-1', scene: name, take: '1', scale: 'MS' as const }));
  const all = scene(log(3000), '12');
  const shown = all.slice(0, 2000);
  const filters = { scene: '12' };
  // A note edited far down (another dashboard): the row takes it, nothing else moves.
  const noted = { ...shown[1500]!, note: 'soft' };
  const edited = withHeardShots(shown, [noted], filters)!;
  assert.equal(edited.change, 0);
  assert.deepEqual(edited.shots, shown.map((s) => (s.id === noted.id ? noted : s)));
  // Moved to scene 11: out of a list of scene 12; heard back, in the list of scene "12 " take "01" (as the server compares them), where it was.
  const moved = withHeardShots(shown, [{ ...shown[1500]!, scene: '11' }], filters)!;
  assert.equal(moved.change, -1);
  assert.deepEqual(moved.shots, shown.filter((s) => s.id !== noted.id));
  const back = withHeardShots(moved.shots, [shown[1500]!], { scene: '12 ', take: '01' })!;
  assert.equal(back.change, 1);
  assert.deepEqual(back.shots, shown);
  // Above the newest shown (a new shot: the refresh brings it) or below the oldest ("Show older"), or of another scene: not shown.
  const elsewhere = [{ ...all[0]!, id: 50_000, inTime: 50_000_000 }, all[2500]!, { ...all[1000]!, id: 60_000, scene: '11' }];
  assert.equal(withHeardShots(shown, elsewhere, filters), null);
});

test('a refresh keeps every shot paged to and puts the shots logged since on top', () => {
  const all = log(2000);
  const shown = all.slice(0, 1000);
  const later = [{ id: 3001, inTime: 9_000_000 }, { id: 3000, inTime: 8_000_000 }, ...all];
  // Without older pages: the newest page, as before.
  assert.deepEqual(refreshedList(all.slice(0, 500), later.slice(0, 500), 500, false), later.slice(0, 500));
  // A whole read, room enough: the fresh read down to the oldest shown.
  const limit = refreshLimit(shown.length, true, true);
  assert.deepEqual(refreshedList(shown, later.slice(0, limit), limit, true), later.slice(0, 1002));
  // Fewer than the read had room for (the end of the log): all of them.
  assert.deepEqual(refreshedList(all.slice(0, 3), later.slice(0, 5), 10, true), later.slice(0, 5));
  // Read for the list before an older page joined it: the fresh ones, then the shown ones past them.
  assert.deepEqual(refreshedList(shown, later.slice(0, 600), 600, true), later.slice(0, 1002));
  // More logged since than the read reached (it ends before the newest shown): the fresh ones alone, no gap.
  const flood = [...Array.from({ length: 700 }, (_, i) => ({ id: 10_000 - i, inTime: 20_000_000 - i })), ...all];
  assert.deepEqual(refreshedList(shown, flood.slice(0, 600), 600, true), flood.slice(0, 600));
});
