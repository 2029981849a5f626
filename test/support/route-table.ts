/**
 * The README's access tables, read as data: the HTTP API table (rows like
 * "| `GET /api/health` | viewer | ... |") and the Socket.IO events table
 * ("| `take:start` (Socket.IO) | operator | ... |"). Tests that walk every
 * route, or fuzz it, take the routes from the documentation users read, so a
 * route missing there is missing from the walk too (and access-roles.test.ts
 * holds the table against the routes the server really has).
 */
import type { Access } from '../../server/shared/access-roles.js';

export interface DocumentedRoute {
  method: string;
  /** The route pattern as written: `/api/cameras/:id`, `/*`. */
  url: string;
  access: Access;
}

export interface DocumentedEvent {
  event: string;
  access: Access;
}

const ACCESS = '(public|publish|viewer|operator|admin)';
const ROUTE_ROW = new RegExp(`^\\| \`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) ([^\`\\s]+)\` \\| ${ACCESS} \\|`, 'gm');
const EVENT_ROW = new RegExp(`^\\| \`([^\`\\s]+)\` \\(Socket\\.IO\\) \\| ${ACCESS} \\|`, 'gm');

/** Every row of the HTTP API table, in README order. */
export function readRouteTable(readmeText: string): DocumentedRoute[] {
  return [...readmeText.matchAll(ROUTE_ROW)].map((m) => ({ method: m[1]!, url: m[2]!, access: m[3] as Access }));
}

/** Every row of the Socket.IO events table, in README order. */
export function readSocketEventTable(readmeText: string): DocumentedEvent[] {
  return [...readmeText.matchAll(EVENT_ROW)].map((m) => ({ event: m[1]!, access: m[2] as Access }));
}

/**
 * Whether a decoded path (no query) fits a route pattern: `:name` takes one
 * non-empty segment, a trailing `*` takes the rest (empty included).
 */
export function routeMatches(pattern: string, pathname: string): boolean {
  const want = pattern.split('/');
  const got = pathname.split('/');
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part === '*' && i === want.length - 1) return got.length >= want.length - 1;
    const seg = got[i];
    if (seg === undefined) return false;
    if (part.startsWith(':') ? seg === '' : seg !== part) return false;
  }
  return got.length === want.length;
}
