/**
 * The `from` and `to` of a shot filter (GET /api/shots, /api/report,
 * /api/coverage; `shotscale export --from/--to`): epoch ms or an ISO 8601
 * date. A date alone is a whole day: `from` its first instant, `to` the next
 * midnight, which the filter excludes (shots that start before it), so
 * `from=2026-12-07&to=2026-12-07` is the 7th.
 */
import { ShotscaleError } from '../errors.js';
import { shown } from './request-schemas.js';

/** An ISO 8601 date, with a time and a zone if given: 2026-12-05, 2026-12-05T14:30, 2026-12-05T14:30:00.250Z, ...+01:00. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date with no time: 2026-12-07. */
const DATE_ALONE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date alone is read as UTC (JavaScript's reading of an ISO date without a
 * time, which `from` has always had), so its day is 24 hours long: no DST day
 * of 23 or 25 to mind.
 */
const DAY_MS = 86_400_000;

/** Whether year, month and day name a day of the calendar (JavaScript reads 2026-02-30 as 2 March). */
function calendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Epoch ms or an ISO 8601 date; nothing else (Date.parse would also read "-5"
 * and "Tuesday 12" as dates). A date alone as `to` is the end of that day (the
 * next midnight): read as its first instant, to=2026-12-07 found nothing of the 7th.
 */
export function parseFilterTime(value: string | undefined, name: 'from' | 'to'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const iso = ISO_DATE.exec(value);
  const time = /^\d+(\.\d+)?$/.test(value) ? Number(value) : iso && calendarDay(Number(iso[1]), Number(iso[2]), Number(iso[3])) ? Date.parse(value) : NaN;
  if (!Number.isFinite(time)) throw new ShotscaleError('BAD_REQUEST', `${name}: ${shown(value)} is neither epoch milliseconds nor an ISO 8601 date (2026-12-05 or 2026-12-05T14:30:00Z)`);
  return name === 'to' && DATE_ALONE.test(value) ? time + DAY_MS : time;
}

/**
 * Whether no shot can end after `from` and start before `to` (as parsed by
 * parseFilterTime; `toAsGiven`: `to` as typed). A date alone as `to` is its
 * next midnight, which no shot starts before and ends after: `from` at that
 * midnight is the next day's (from=2026-12-08&to=2026-12-07), after `to`.
 */
export function windowInverted(from: number | undefined, to: number | undefined, toAsGiven: string | undefined): boolean {
  if (from === undefined || to === undefined) return false;
  return DATE_ALONE.test(toAsGiven ?? '') ? from >= to : from > to;
}
