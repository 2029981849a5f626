/**
 * Which methods a path has: what a 405 names in its Allow header when a
 * request reaches a path the API has with a method it does not take
 * (PUT /api/cameras/cam-1). Read from the table of declared routes, matched
 * as the router matches them: a static segment exactly, `:name` one
 * non-empty segment of at most MAX_PATH_PARAM characters (the router's
 * maxParamLength). Catch-all routes (the page's `/*`) are left out: every
 * path would "have" GET, and a path only they take is no path of the API.
 */
import type { RouteAccess } from './access/http-access.js';

/** The order methods are listed in an Allow header. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A request path split into decoded segments; null when a segment does not decode (the router refuses those first). */
function segmentsOf(url: string): string[] | null {
  const pathname = url.split('?')[0] ?? '';
  try {
    return pathname.split('/').map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
}

function patternMatches(pattern: readonly string[], segments: readonly string[], maxParam: number): boolean {
  if (pattern.length !== segments.length) return false;
  return pattern.every((part, i) => {
    const segment = segments[i]!;
    return part.startsWith(':') ? segment.length > 0 && segment.length <= maxParam : segment === part;
  });
}

/** Looks up the methods of a request path in `routes` (filled as routes register, so read at request time). */
export function routeMethods(routes: readonly RouteAccess[], maxParam: number): (url: string) => string[] {
  return (url) => {
    const segments = segmentsOf(url);
    if (!segments) return [];
    const methods = new Set<string>();
    for (const route of routes) {
      if (route.url.includes('*')) continue;
      if (patternMatches(route.url.split('/'), segments, maxParam)) methods.add(route.method);
    }
    const known = METHOD_ORDER.filter((m) => methods.has(m));
    return [...known, ...[...methods].filter((m) => !METHOD_ORDER.includes(m)).sort()];
  };
}
