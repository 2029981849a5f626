/**
 * What the Shots view says about itself: whether its list is live, what a
 * running shot reads once it is not, what is wrong with an edit before it
 * is sent (the server's bounds, server/shared/input-limits.ts), errors with
 * their codes, the filters kept for the tab, and what an empty filtered list
 * says, and what a row without a thumbnail says in its place. Pure but for
 * the storage handed in: unit-tested under node
 * (test/unit/web-shots-view-state.test.ts).
 */
import { hasControlCharacter, MAX_NAME_LENGTH, MAX_NOTE_LENGTH, MAX_TAGS } from '../../../server/shared/input-limits.js';
import { describeNoPicture, shotWithoutPicture, type ShotRecord } from '../../../server/shared/shots.js';
import { ApiError } from './api.js';
import { STATS_STALE_MS } from './health.js';
import { localClock, NOT_LIVE, type Clock } from './not-live.js';
import { formatDuration } from './format.js';
import { anyFilter, EMPTY_FILTERS, parseTags, SCALE_FILTER_OPTIONS, type ShotFilterForm } from './shot-filters.js';

// ---- live or not ----

export interface ShotsLiveness {
  /** Why the list is not live, in a sentence; null while it is. */
  reason: string | null;
  /** The moment the list is as of (epoch ms) while not live; null while live or when nothing was heard. */
  asOf: number | null;
}

/**
 * Whether the list is live. Not connected (a server killed, a network drop),
 * it is as of the last word heard; connected but without the 2 s `stats`
 * push for STATS_STALE_MS (a server frozen: the socket is not dropped until
 * its pings time out, up to 45 s later), as of the last push.
 */
export function shotsLiveness(connected: boolean, lastHeardAt: number | null, statsAt: number | null, now: number, clock: Clock = localClock): ShotsLiveness {
  if (!connected) {
    const asOf = lastHeardAt ?? statsAt;
    return { reason: `Not connected to the server: the shots are as of ${asOf ? clock(asOf) : 'the last word heard'}; shots logged since are not listed and a running shot's duration stops there.`, asOf };
  }
  if (statsAt !== null && now - statsAt > STATS_STALE_MS) {
    return { reason: `No word from the server for ${formatDuration(now - statsAt)}: the shots are as of ${clock(statsAt)}; shots logged since are not listed and a running shot's duration stops there.`, asOf: statsAt };
  }
  return { reason: null, asOf: null };
}

/** A running shot's "TC out" while the list is not live: whether it still runs is not known. */
export function openShotOutText(live: boolean): string {
  return live ? 'running' : NOT_LIVE;
}

/** Its title: what was last known, and when. */
export function openShotOutTitle(live: boolean, asOf: number | null, clock: Clock = localClock): string | undefined {
  if (live) return undefined;
  return `running when last heard${asOf ? ` (${clock(asOf)})` : ''}; not connected to the server, so not known now`;
}

// ---- a row without a thumbnail ----

export interface ThumbnailGap {
  /** What the thumbnail's cell says. */
  text: string;
  /** Why, as far as the shot tells. */
  title: string;
}

/**
 * What a row's thumbnail cell says in place of a picture. "no picture" is
 * what the camera showed (black, white, one plain colour: a filter of this
 * view), so only a shot without a picture says it. A shot with footage whose
 * thumbnail was never kept says "no thumbnail": one left open by a crash
 * (kill -9 during a take) was closed at the next start, cut out "restart",
 * with none, and read as a camera black.
 */
export function thumbnailGap(shot: Pick<ShotRecord, 'status' | 'noPicture' | 'classifierScale' | 'readouts' | 'cutOut'>): ThumbnailGap {
  if (shot.status === 'open') return { text: 'open', title: 'running: its thumbnail, from the middle of the shot, is taken as it closes' };
  const noPicture = shotWithoutPicture(shot);
  if (noPicture) return { text: 'no picture', title: `${describeNoPicture(noPicture)} from cut to cut: nothing to take a thumbnail of` };
  // An operator's scale on a shot the flat check read as black: they saw a picture, but the thumbnail comes from frames with one.
  if (shot.noPicture) return { text: 'no thumbnail', title: `read as ${describeNoPicture(shot.noPicture)} from cut to cut, so no thumbnail was taken; an operator has set its scale since` };
  if (shot.readouts === 0) return { text: 'no thumbnail', title: 'no frame of this shot was analysed, so there was none to take a thumbnail from' };
  // The thumbnail is taken as a shot closes, from frames held in memory: a shot a stop or a restart closes in time has one.
  if (shot.cutOut === 'restart') {
    return { text: 'no thumbnail', title: 'closed by a restart without its thumbnail: most likely still running when the server stopped abruptly (a crash, a kill), and closed as it started again; or thumbnails are off (shots.thumbnails)' };
  }
  return { text: 'no thumbnail', title: 'no thumbnail was kept: thumbnails are off (shots.thumbnails), or it could not be made (see the server log)' };
}

// ---- errors ----

/** How long an edit or a list read waits for the server before saying so, ms: a PATCH or a page of 500 shots takes milliseconds; a frozen server never answers. */
export const ANSWER_TIMEOUT_MS = 8000;

/** `work`, or an ApiError TIMEOUT once `ms` pass without its answer (the request itself goes on: a late answer is the caller's to ignore). */
export function withTimeout<T>(work: Promise<T>, what: string, ms = ANSWER_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError(0, 'TIMEOUT', `the server did not answer ${what} within ${Math.round(ms / 1000)} s (frozen, overloaded or out of reach)`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** An error as the page shows it: "CODE: what" (the code an operator can quote, as the server's error catalogue has it). */
export function codedError(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return `INTERNAL: ${error instanceof Error ? error.message : String(error)}`;
}

/** What a failed save says after "Not saved:": the code and what, and that what was typed is still there. */
export function saveFailedText(error: unknown): string {
  const text = codedError(error);
  const late = error instanceof ApiError && error.code === 'TIMEOUT' ? ' It may still reach the server; saving again is safe.' : '';
  return `${text}.${late} What you typed is kept: Save again, or Cancel.`;
}

// ---- the edit form, checked as the server would ----

export interface EditProblems {
  tags: string | null;
  note: string | null;
}

/** Why the server would refuse these tags (null: it would take them), said at the field. */
export function tagsProblem(text: string): string | null {
  const tags = parseTags(text);
  if (tags.length > MAX_TAGS) return `at most ${MAX_TAGS} tags (this has ${tags.length})`;
  const long = tags.find((tag) => tag.length > MAX_NAME_LENGTH);
  if (long) return `a tag has at most ${MAX_NAME_LENGTH} characters ("${long.slice(0, 20)}…" has ${long.length})`;
  if (tags.some(hasControlCharacter)) return 'no control characters or invisible ones in a tag (tab, newline, direction overrides, zero-width spaces...)';
  return null;
}

/** Why the server would refuse this note (null: it would take it). Newlines and tabs are allowed in a note. */
export function noteProblem(text: string): string | null {
  const note = text.trim();
  if (note.length > MAX_NOTE_LENGTH) return `a note has at most ${MAX_NOTE_LENGTH} characters (this one has ${note.length})`;
  if (hasControlCharacter(note.replace(/[\t\n\r]/g, ''))) return 'no control characters in a note other than newlines and tabs';
  return null;
}

export function editProblems(tags: string, note: string): EditProblems {
  return { tags: tagsProblem(tags), note: noteProblem(note) };
}

// ---- the filters ----

/** What an empty list says under filters: which ones match nothing, by the names shown. */
export function noMatchText(filters: ShotFilterForm, cameraName: (id: string) => string): string {
  const parts: string[] = [];
  if (filters.camera) parts.push(`camera “${cameraName(filters.camera)}”`);
  if (filters.scene.trim()) parts.push(`scene “${filters.scene.trim()}”`);
  if (filters.take.trim()) parts.push(`take “${filters.take.trim()}”`);
  if (filters.scale && filters.scale !== 'none') parts.push(`scale ${filters.scale}`);
  // "No shots of no picture": the shots without a picture are said as such, after whatever else filters them.
  if (filters.scale === 'none') return parts.length ? `No shots of ${parts.join(', ')} without a picture.` : 'No shots without a picture.';
  return `No shots of ${parts.join(', ')}.`;
}

/** Where the filters are kept for the tab: back to the Shots view, or a reload, finds them as they were (as the view itself, in #shots). */
export const FILTER_KEY = 'shotscale.shots.filters';

type KeyStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function tabStorage(): KeyStore | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The filters kept for this tab, or none. */
export function keptFilters(store: KeyStore | null = tabStorage()): ShotFilterForm {
  try {
    const given = JSON.parse(store?.getItem(FILTER_KEY) ?? 'null') as Partial<Record<keyof ShotFilterForm, unknown>> | null;
    if (!given || typeof given !== 'object') return { ...EMPTY_FILTERS };
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, MAX_NAME_LENGTH) : '');
    const scale = text(given.scale);
    // A kept scale the view does not offer (a store written by hand, an older page) is no filter.
    return { camera: text(given.camera), scene: text(given.scene), take: text(given.take), scale: SCALE_FILTER_OPTIONS.some((o) => o.value === scale) ? scale : '' };
  } catch {
    return { ...EMPTY_FILTERS };
  }
}

export function keepFilters(filters: ShotFilterForm, store: KeyStore | null = tabStorage()): void {
  try {
    if (!anyFilter(filters)) store?.removeItem(FILTER_KEY);
    else store?.setItem(FILTER_KEY, JSON.stringify({ camera: filters.camera, scene: filters.scene, take: filters.take, scale: filters.scale }));
  } catch {
    // Storage full or refused (a private window): the filters last as long as the view.
  }
}

// ---- exports ----

/** The file name a download's Content-Disposition gives, else `fallback`. */
export function attachmentName(disposition: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(disposition ?? '');
  return match?.[1] ?? fallback;
}
