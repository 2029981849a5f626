/**
 * The Shots view's older pages (web/src/lib/shot-pages.ts): read by time
 * from the oldest shot shown, ties at its start included, and kept by a live
 * refresh with shots logged since on top. The view read only the newest 500
 * shots: "Newest 500 of 8 102", and no way to the rest.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SHOT_PAGE_LIMIT } from '../../web/src/lib/shot-filters.js';
import { listedAfter, olderPageRead, refreshedList, refreshLimit, withOlderPage } from '../../web/src/lib/shot-pages.js';

interface Shot {
  id: number;
  inTime: number;
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
    shown = withOlderPage(shown, serverPage(all, read.path).shots);
  }
  assert.deepEqual(shown, all);
  assert.equal(olderPageRead({}, []), null);
});

test('a shot logged between two reads neither repeats a shot nor hides one', () => {
  const all = log(1200);
  const shown = all.slice(0, SHOT_PAGE_LIMIT);
  const later = [{ id: 5000, inTime: 10_000_000 }, ...all];
  const read = olderPageRead({}, shown)!;
  const next = withOlderPage(shown, serverPage(later, read.path).shots);
  assert.deepEqual(next, all.slice(0, 2 * SHOT_PAGE_LIMIT));
});

test('a refresh reads the newest page alone, or with older pages shown, them all and room for more', () => {
  assert.equal(refreshLimit(500, false), SHOT_PAGE_LIMIT);
  assert.equal(refreshLimit(1000, true), 1100);
});

test('a refresh keeps every shot paged to and puts the shots logged since on top', () => {
  const all = log(2000);
  const shown = all.slice(0, 1000);
  const later = [{ id: 3001, inTime: 9_000_000 }, { id: 3000, inTime: 8_000_000 }, ...all];
  // Without older pages: the newest page, as before.
  assert.deepEqual(refreshedList(all.slice(0, 500), later.slice(0, 500), 500, false), later.slice(0, 500));
  // Room enough: the fresh read down to the oldest shown.
  const limit = refreshLimit(shown.length, true);
  assert.deepEqual(refreshedList(shown, later.slice(0, limit), limit, true), later.slice(0, 1002));
  // Fewer than the read had room for (the end of the log): all of them.
  assert.deepEqual(refreshedList(all.slice(0, 3), later.slice(0, 5), 10, true), later.slice(0, 5));
  // Read for the list before an older page joined it: the fresh ones, then the shown ones past them.
  assert.deepEqual(refreshedList(shown, later.slice(0, 600), 600, true), later.slice(0, 1002));
  // More logged since than the read reached (it ends before the newest shown): the fresh ones alone, no gap.
  const flood = [...Array.from({ length: 700 }, (_, i) => ({ id: 10_000 - i, inTime: 20_000_000 - i })), ...all];
  assert.deepEqual(refreshedList(shown, flood.slice(0, 600), 600, true), flood.slice(0, 600));
});
