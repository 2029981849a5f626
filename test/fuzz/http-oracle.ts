/**
 * What an HTTP answer may be. No 5xx. No answer slower than the timeout. No
 * 2xx past the token: a request that carries no valid token may get a 2xx
 * only with a file of web/dist (the page's public route) or a bodiless 204
 * from another public route (OPTIONS /whip/:cameraId); one that carries
 * tokens only where a route the README's table lets one of those roles use
 * could have been reached. 401, 403 and 429 say nothing but the error.
 *
 * "Carries a token" is judged from the bytes sent, not from how the case was
 * made: any place the server might read it (a header word, a query value
 * once or twice percent-decoded). That is generous to the server, so what is
 * flagged is a bypass for sure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { grants, type Role } from '../../server/shared/access-roles.js';
import { routeMatches, type DocumentedRoute } from '../support/route-table.js';
import type { FindingKind } from './fuzz-report.js';
import type { HttpCase } from './http-cases.js';

export type HttpOutcome = { kind: 'response'; status: number; headers: Record<string, unknown>; body: string; ms: number } | { kind: 'closed' | 'timeout'; message: string; ms: number };

export interface PublicFiles {
  /** Relative paths ("index.html", "assets/index-x.js"). */
  names: string[];
  bodies: Set<string>;
  sizes: Set<number>;
}

export function readPublicFiles(webDist: string): PublicFiles {
  const names = (readdirSync(webDist, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(webDist, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
  const files = names.map((n) => readFileSync(path.join(webDist, n)));
  return { names, bodies: new Set(files.map((f) => f.toString('utf8'))), sizes: new Set(files.map((f) => f.length)) };
}

export interface OracleContext {
  routes: DocumentedRoute[];
  tokens: Record<Role, string>;
  publicFiles: PublicFiles;
  /** Strings no refusal may contain: tokens, camera ids, metric names, paths on the server. */
  secrets: string[];
}

export interface Verdict {
  kind: FindingKind;
  detail: string;
}

/** Percent-decodes what it can, byte-wise; a bad escape stays as written. */
function decodeLoose(text: string): string {
  const bytes = Buffer.from(text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  return bytes.toString('utf8');
}

/** Every way a server might read the path of `target`: decoded 0-2 times, with `;`, `//`, `.` and `..` handled or not, case folded or not. */
export function pathReadings(target: string): string[] {
  let rest = target.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/, '');
  rest = rest.split(/[?#]/)[0]!;
  const out = new Set<string>();
  for (const decoded of [rest, decodeLoose(rest), decodeLoose(decodeLoose(rest))]) {
    for (const slashes of [decoded, decoded.replace(/\\/g, '/')]) {
      // A target that does not start with "/" ("*api/x") may be read from its first or its second character.
      const plain = slashes.startsWith('/') ? slashes : `/${slashes}`;
      const variants = [plain, `/${slashes.slice(1)}`, plain.replace(/;[^/]*/g, ''), plain.replace(/\/{2,}/g, '/')];
      for (const v of variants) {
        out.add(v);
        out.add(resolveDots(v));
        out.add(v.replace(/\/+$/, '') || '/');
        out.add(v.toLowerCase());
      }
    }
  }
  return [...out];
}

function resolveDots(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/').slice(1)) {
    if (seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** The roles whose token the request carries, anywhere the server might read one. */
export function rolesCarried(c: HttpCase, tokens: Record<Role, string>): Role[] {
  const query = c.target.includes('?') ? c.target.slice(c.target.indexOf('?')) : '';
  const places = [query, decodeLoose(query), decodeLoose(decodeLoose(query).replace(/\+/g, ' ')), ...c.headers.map(([, v]) => v), ...c.headers.map(([, v]) => Buffer.from(v.replace(/^\S+\s+/, ''), 'base64').toString('latin1'))];
  return (Object.keys(tokens) as Role[]).filter((role) => {
    const word = new RegExp(`(?<![A-Za-z0-9_-])${tokens[role].replace(/[-]/g, '\\-')}(?![A-Za-z0-9_-])`);
    return places.some((p) => word.test(p));
  });
}

/** A 2xx that only sends a page file (whole, partial, or its headers for HEAD). */
function isPublicFile(c: HttpCase, status: number, headers: Record<string, unknown>, body: string, files: PublicFiles): boolean {
  if (c.method.toUpperCase() === 'HEAD') return body === '' && (headers['content-length'] === undefined || files.sizes.has(Number(headers['content-length'])));
  if (status === 206) return files.sizes.has(Number(/\/(\d+)$/.exec(String(headers['content-range'] ?? ''))?.[1]));
  if (files.bodies.has(body)) return true;
  // Over a raw socket a big request body that the server does not read can cut the answer short (a reset while
  // it is still sent): the start of a page file is still only a page file.
  return c.transport === 'socket' && body.length >= 256 && [...files.bodies].some((file) => file.startsWith(body));
}

/** engine.io's own handshake answers on /socket.io/: transport plumbing, no data and no session until a token is checked. */
function isEngineIoPlumbing(c: HttpCase, body: string): boolean {
  return pathReadings(c.target).some((p) => p.startsWith('/socket.io/')) && /^(0\{"sid"|ok$|\d+:0\{"sid")/.test(body);
}

/** Whether one of `roles` may use a route of the table that `c` may have reached. */
function reachesAllowedRoute(c: HttpCase, roles: Role[], routes: DocumentedRoute[]): boolean {
  const method = c.method.toUpperCase();
  const readings = pathReadings(c.target);
  return routes.some((r) => (r.method === method || (method === 'HEAD' && r.method === 'GET')) && r.access !== 'public' && roles.some((role) => grants(role, r.access)) && readings.some((p) => routeMatches(r.url, p)));
}

/** The readiness probe's whole answer: one word, nothing of cameras, shots or problems. */
const READINESS_ANSWER = /^\{"ready":(true|false)\}$/;

/**
 * What a route the table lets anyone use besides the page may answer: a
 * bodiless 204 (OPTIONS /whip/:cameraId, a CORS preflight's answer that
 * names nothing), or the readiness probe's `{ ready }` (GET /api/health/ready).
 */
function isPublicNoContent(c: HttpCase, status: number, body: string, routes: DocumentedRoute[]): boolean {
  const method = c.method.toUpperCase();
  const readings = pathReadings(c.target);
  const publicRoute = (url: string) => routes.some((r) => (r.method === method || (method === 'HEAD' && r.method === 'GET')) && r.access === 'public' && r.url === url) && readings.some((p) => routeMatches(url, p));
  if (status === 200 && (READINESS_ANSWER.test(body) || (method === 'HEAD' && body === '')) && publicRoute('/api/health/ready')) return true;
  return status === 204 && body === '' && routes.some((r) => r.method === method && r.access === 'public' && r.url !== '/*' && readings.some((p) => routeMatches(r.url, p)));
}

function isErrorShape(body: string): boolean {
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    return typeof error?.code === 'string' && typeof error.message === 'string';
  } catch {
    return false;
  }
}

/** A refusal says what was refused and nothing else. */
function refusalLeaks(status: number, body: string, secrets: string[]): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `a ${status} whose body is not JSON`;
  }
  const error = (parsed as { error?: unknown }).error as Record<string, unknown> | undefined;
  if (!error || Object.keys(parsed as object).length !== 1 || typeof error !== 'object') return `a ${status} that is not { error: { code, message } }`;
  const extra = Object.keys(error).filter((k) => k !== 'code' && k !== 'message');
  if (extra.length) return `a ${status} with more than code and message: ${extra.join(', ')}`;
  const leaked = secrets.find((s) => body.includes(s));
  if (leaked) return `a ${status} that contains ${JSON.stringify(leaked.slice(0, 40))}`;
  if (body.length > 1_000) return `a ${status} of ${body.length} bytes`;
  return null;
}

/**
 * What the case tried, for the run's figures: who it spoke for against what
 * the table says its route needs, and how that went ("viewer on operator
 * routes: 4xx"); and which rule let a tokenless 2xx through.
 */
export function coverageNote(c: HttpCase, outcome: HttpOutcome, ctx: OracleContext): string | null {
  if (outcome.kind !== 'response') return null;
  const roles = rolesCarried(c, ctx.tokens);
  const who = roles.length === 0 ? 'no valid token' : roles.length === 1 ? roles[0]! : 'several tokens';
  const route = ctx.routes.find((r) => `${r.method} ${r.url}` === c.route);
  const klass = `${Math.floor(outcome.status / 100)}xx`;
  // The README promises { error: { code, message } } for every error; what does not keep it is counted, not failed.
  if (outcome.status >= 400 && c.method.toUpperCase() !== 'HEAD' && !isErrorShape(outcome.body)) return `error body not { error: { code, message } }: ${outcome.status}`;
  if (roles.length === 0 && klass === '2xx') return `no valid token, 2xx by rule: ${isPublicFile(c, outcome.status, outcome.headers, outcome.body, ctx.publicFiles) ? 'page file' : isEngineIoPlumbing(c, outcome.body) ? 'engine.io handshake' : isPublicNoContent(c, outcome.status, outcome.body, ctx.routes) ? 'public route, no content' : 'none (bypass)'}`;
  // Only a case sent with its route's own method says something about that route's access.
  if (!route || route.access === 'public' || route.method !== c.method.toUpperCase()) return null;
  return `${who} on ${route.access} routes: ${klass}`;
}

/** What is wrong with this answer to this case, if anything. */
export function judgeHttp(c: HttpCase, outcome: HttpOutcome, ctx: OracleContext): Verdict[] {
  if (outcome.kind !== 'response') {
    if (outcome.kind === 'timeout') return [{ kind: 'hang', detail: `no answer within ${outcome.ms} ms` }];
    return c.mayClose ? [] : [{ kind: 'closed', detail: `the server hung up without an answer (${outcome.message})` }];
  }
  const { status, headers, body } = outcome;
  const verdicts: Verdict[] = [];
  if (status >= 500) verdicts.push({ kind: '5xx', detail: `${status} on ${c.route}` });
  if (status >= 200 && status < 300) {
    const roles = rolesCarried(c, ctx.tokens);
    const allowed = isPublicFile(c, status, headers, body, ctx.publicFiles) || isEngineIoPlumbing(c, body) || isPublicNoContent(c, status, body, ctx.routes) || (roles.length > 0 && reachesAllowedRoute(c, roles, ctx.routes));
    if (!allowed) verdicts.push({ kind: 'bypass', detail: `${status} on ${c.route} with ${roles.length ? `only ${roles.join(', ')} token(s)` : 'no valid token'}` });
  }
  if ((status === 401 || status === 403 || status === 429) && c.method.toUpperCase() !== 'HEAD') {
    const leak = refusalLeaks(status, body, ctx.secrets);
    if (leak) verdicts.push({ kind: 'leak', detail: leak });
  }
  return verdicts;
}
