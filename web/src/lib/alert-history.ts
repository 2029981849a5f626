/**
 * The alert list's "recently resolved", pure (no DOM, no Svelte). An alert
 * that comes and goes (two cameras drifting in and out of the same scale, a
 * feed that drops every minute) is one alert that keeps coming back, not a
 * new one each time: listed once, with how often, so that it does not push
 * every other resolved alert out of the list.
 * Unit-tested under node (test/unit/web-alert-history.test.ts).
 */
import type { Alert } from '../../../server/shared/shots.js';

export interface ResolvedAlert {
  /** Its latest time (the newest resolved). */
  alert: Alert;
  /** How many times it was raised and resolved in the history the page holds. */
  times: number;
  /** When its first time there began (epoch ms). */
  firstSince: number;
}

/**
 * One entry per alert key, newest first, at most `max`. An alert active
 * again is left out: the active list shows it (with earlierTimes).
 * `resolved`: newest first, as LiveState keeps them.
 */
export function resolvedOnce(resolved: readonly Alert[], activeKeys: ReadonlySet<string>, max: number): ResolvedAlert[] {
  const byKey = new Map<string, ResolvedAlert>();
  for (const alert of resolved) {
    if (activeKeys.has(alert.key)) continue;
    const seen = byKey.get(alert.key);
    if (seen) {
      seen.times += 1;
      seen.firstSince = Math.min(seen.firstSince, alert.since);
    } else byKey.set(alert.key, { alert, times: 1, firstSince: alert.since });
  }
  return [...byKey.values()].slice(0, max);
}

/** How many earlier times an active alert was raised and resolved, in the history the page holds. */
export function earlierTimes(resolved: readonly Alert[], key: string): number {
  return resolved.filter((a) => a.key === key).length;
}
