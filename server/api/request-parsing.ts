/**
 * What the HTTP side accepts before a handler sees a request, and how every
 * error leaves: JSON bodies no deeper than MAX_JSON_DEPTH, each query key at
 * most once, and errors as { error: { code, message } } with a status that
 * fits. An unexpected error answers 500 INTERNAL with a reference, and its
 * details go to the log only.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isShotscaleError, type ErrorCode } from '../errors.js';
import { declaredText } from './utf8-body.js';
import type { Logger } from '../shared/logger.js';
import { quotedKey } from '../config/zod-issues.js';
import type { AccessDecision, AccessGuard } from './access/access-guard.js';
import { tokenFromHttp } from './access/access-token.js';
import type { RouteAccess } from './access/http-access.js';
import { sendError } from './error-reply.js';
import { jsonErrorOffset } from './json-error-offset.js';
import { routeMethods } from './route-methods.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods the API has at a request path, for a 405's Allow header (set by installRequestParsing). */
    methodsAt?: (url: string) => string[];
    /**
     * The access check of a path that matches no route (any valid token where tokens are on), for a
     * request the router refuses before any hook runs (set by installRequestParsing).
     */
    noRouteAccess?: (request: FastifyRequest, token: string | undefined) => AccessDecision;
  }
  interface FastifyContextConfig {
    /** A route that only refuses its method (405, saying why): not a method the path serves, so no Allow lists it. */
    refusesMethod?: true;
  }
}

/** Nothing the API takes nests deeper than a plan's items (about 4 levels). */
export const MAX_JSON_DEPTH = 32;

/** Time for a whole request (headers and body) to arrive, and how often Node looks for requests past it (http-app.ts). */
export const REQUEST_TIMEOUT_MS = 30_000;
export const REQUEST_CHECK_MS = 5_000;

/** Longest path part a route parameter matches (the router's maxParamLength): no id or name the API keeps is longer. */
export const MAX_PATH_PARAM = 100;

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  CAMERA_NOT_FOUND: 404,
  CAMERA_EXISTS: 409,
  CAMERA_INVALID: 400,
  SOURCE_UNSUPPORTED: 400,
  BAD_REQUEST: 400,
  BODY_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
  METHOD_NOT_ALLOWED: 405,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TOO_MANY_ATTEMPTS: 429,
  NOT_FOUND: 404,
  PLAN_INVALID: 400,
  // Two takes of one number would merge in the take line and its alerts: the operator slates the next (or says again).
  TAKE_EXISTS: 409,
  // A stale If-Match: the precondition the client set failed (RFC 9110 412).
  PLAN_CONFLICT: 412,
  // No analysed frame yet, a fit already running, too few corrections: try again later or label more.
  CALIBRATION_INVALID: 409,
  CAMERA_BUSY: 409,
  // The request was fine; the server cannot store it now.
  STORAGE_FULL: 507,
  DATABASE_LOCKED: 503,
  INFERENCE_UNAVAILABLE: 503,
  CLUSTER_UNREACHABLE: 503,
  // Exports wait their turn for a thread; past the queue's length the server says so rather than queue for minutes.
  EXPORT_BUSY: 503,
  CLUSTER_ELSEWHERE: 409,
};

/** Deepest nesting of arrays and objects in JSON text, counted without parsing (so without recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** A request target's path: no scheme and host (an absolute-form target), no query. */
function pathOf(url: string): string {
  return url.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/, '').split('?')[0] ?? '';
}

/** A request's path for a message: no query (it may carry ?token=), and short. */
function shownPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > 120 ? `${path.slice(0, 120)}...` : path;
}

/**
 * Why a JSON body the parser refused is refused: where the text breaks, or
 * the one valid-JSON refusal, a key named __proto__. The body is never quoted.
 */
export function jsonRefusal(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = Number(/position (\d+)/.exec(message)?.[1] ?? jsonErrorOffset(text) ?? NaN);
    const where = at >= text.length || /end of JSON input/.test(message) ? ' (it ends early)' : Number.isFinite(at) ? ` (at character ${at})` : '';
    return `the body is not valid JSON${where}`;
  }
  return "the JSON body has a key named __proto__, which could change the server's own objects; it is refused";
}

/** The longest part of a request path, decoded where it can be. */
function longestPathPart(url: string): number {
  const parts = (url.split('?')[0] ?? '').split('/');
  return Math.max(0, ...parts.map((part) => {
    try {
      return decodeURIComponent(part).length;
    } catch {
      return part.length;
    }
  }));
}

/**
 * 404 for a path no route takes; 405 with Allow for a path the API has with
 * other methods. Either is answered only past the access check of a path that
 * matches no route (any valid token where tokens are on, http-access.ts), so a
 * caller without one learns of neither. A route parameter matches at most
 * MAX_PATH_PARAM characters: past that the route itself seems missing, so say why.
 */
export function sendNoRoute(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const allowed = request.server.methodsAt?.(pathOf(request.url)) ?? [];
  if (allowed.length && !allowed.includes(request.method)) {
    const list = allowed.join(', ');
    return sendError(reply.header('allow', list), 405, 'METHOD_NOT_ALLOWED', `${request.method} is not a method of ${shownPath(pathOf(request.url))}: it takes ${list}`);
  }
  const longest = longestPathPart(request.url);
  const why = longest > MAX_PATH_PARAM ? `: a part of the path is ${longest} characters long, and no id or name is longer than ${MAX_PATH_PARAM}` : '';
  return sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${shownPath(request.url)}${why}`);
}

/**
 * HTTP/1.1 requires a Host header; Node refuses a request without one with a
 * bare 400 unless told not to (requireHostHeader: false), so the refusal is
 * made here in the API's shape. A ?token= given twice is refused here too,
 * as any other query key given twice is (preValidation, below): past the
 * access check it read as no token and was answered 401. Registered before
 * access is decided.
 */
export function refuseWithoutHost(app: FastifyInstance): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (lacksHost(request.raw)) return sendError(reply, 400, 'BAD_REQUEST', NO_HOST);
    if (Array.isArray((request.query as { token?: unknown } | undefined)?.token) && !isPublic(request)) return sendError(reply, 400, 'BAD_REQUEST', givenTwice('token'));
  });
}

/** A route anyone may use (the page): a token there is not read, so a doubled one is no fault. */
function isPublic(request: FastifyRequest): boolean {
  const config = request.routeOptions.config;
  return !request.is404 && (config.accessOf?.((request.params ?? {}) as Record<string, string>) ?? config.access) === 'public';
}

/** What a query key given more than once is told. */
function givenTwice(key: string): string {
  return `query parameter ${quotedKey(key)} is given more than once; give it once (lists are comma-separated: camera=a,b)`;
}

export const NO_HOST = 'an HTTP/1.1 request needs a Host header';

/** An HTTP/1.1 request without Host (HTTP/1.0 has none to give). */
export function lacksHost(request: IncomingMessage): boolean {
  return request.httpVersion === '1.1' && !request.headers.host;
}

/** Longest stretch of the path quoted before a bad escape. */
const SHOWN_BEFORE_ESCAPE = 60;

/**
 * Where a path's percent-encoding breaks, in words: a "%" not followed by two
 * hex digits, or escapes whose bytes are not UTF-8 text. Null when it does not.
 */
export function badPercentEncoding(url: string): string | null {
  const path = pathOf(url);
  const where = (at: number) => {
    const before = path.slice(Math.max(0, at - SHOWN_BEFORE_ESCAPE), at);
    return at === 0 ? 'at its start' : `after ${JSON.stringify(at > SHOWN_BEFORE_ESCAPE ? `...${before}` : before)}`;
  };
  const lone = /%(?![0-9a-fA-F]{2})/.exec(path);
  if (lone) return `the path has a malformed percent-encoding ${where(lone.index)} (${JSON.stringify(path.slice(lone.index, lone.index + 3))}): a "%" must be followed by two hex digits (a "%" itself is written %25)`;
  for (const run of path.matchAll(/(?:%[0-9a-fA-F]{2})+/g)) {
    try {
      decodeURIComponent(run[0]);
    } catch {
      return `the path has a malformed percent-encoding ${where(run.index)} (${JSON.stringify(run[0].slice(0, 30))}): the bytes these escapes stand for are not UTF-8 text`;
    }
  }
  return null;
}

/**
 * Errors before routing, in the same shape as the rest and without the query
 * echoed back (it may carry a token). A malformed percent-escape is answered
 * 400 at once: what it says is about the caller's own path. A part longer
 * than a route parameter takes (the router's maxParamLength) is a path no
 * route takes: answered as GET answers it (the page's catch-all route takes
 * it there), past the access check of a path without a route, so PATCH,
 * POST and DELETE no longer answer 400 "cannot be routed" to a caller
 * without a token.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const badEncoding = error.code === 'FST_ERR_BAD_URL' ? badPercentEncoding(request.url) : null;
  if (badEncoding) return void sendError(reply, 400, 'BAD_REQUEST', badEncoding);
  // No hook has run and the query is not parsed: read the token as the access check does.
  const tokens = new URLSearchParams(request.url.split('?').slice(1).join('?')).getAll('token');
  if (tokens.length > 1) return void sendError(reply, 400, 'BAD_REQUEST', givenTwice('token'));
  const check = request.server.noRouteAccess;
  if (!check) return void sendError(reply, 400, 'BAD_REQUEST', 'the request path cannot be routed (a malformed or over-long part)');
  const decision = check(request, tokenFromHttp(request.headers, { token: tokens[0] }));
  if (!decision.ok) {
    if (decision.retryAfterS !== undefined) reply.header('retry-after', String(decision.retryAfterS));
    return void sendError(reply, decision.status, decision.code, decision.message);
  }
  void sendNoRoute(request, reply);
}

/** Bytes for a message: "256 KB (262144 bytes)". */
function formatLimit(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KB (${bytes} bytes)` : `${bytes} bytes`;
}

/** Why a body was too large: the route's limit, and what the request said it sent. */
function tooLarge(request: FastifyRequest): string {
  const sent = Number(request.headers['content-length']);
  return `the request body is larger than ${formatLimit(request.routeOptions.bodyLimit)}, the most this route takes${Number.isFinite(sent) && sent > 0 ? ` (content-length: ${sent})` : ''}`;
}

/** Why a body of another content type is refused: every body the API reads is JSON. */
function notJson(request: FastifyRequest): string {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().slice(0, 80);
  return `${type ? `the body's content-type is ${JSON.stringify(type)}, not JSON` : 'the body has no content-type'}; the API reads JSON bodies only: send JSON with content-type: application/json`;
}

/** Why the page's file server refused a path: what is in it, and where. */
function unservablePath(url: string): string {
  const path = pathOf(url);
  const shown = JSON.stringify(shownPath(path));
  const nul = /%00/i.exec(path);
  if (nul) return `the path ${shown} has a NUL character (%00) at character ${nul.index}; no file name holds one`;
  return `the path ${shown} names no file that can be served`;
}

/** Errors before HTTP is even parsed (bad bytes, headers too large): answered in the same shape, then closed. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, ErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'BAD_REQUEST', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', `the request's headers and body did not all arrive within ${REQUEST_TIMEOUT_MS / 1000} s of its start; the connection is closed`]
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  else socket.destroy();
}

export function installRequestParsing(app: FastifyInstance, log: Logger, routes: readonly RouteAccess[], guard: Pick<AccessGuard, 'decideUnrouted'>): void {
  // A 405's Allow lists what is served: GET on a WHIP session's URL listed PATCH, itself answered 405 (no trickle ICE).
  const refusing = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (!route.config?.refusesMethod) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) refusing.add(`${method} ${route.url}`);
  });
  app.decorate('methodsAt', (url: string) => routeMethods(routes.filter((route) => !refusing.has(`${route.method} ${route.url}`)), MAX_PATH_PARAM)(url));
  app.decorate('noRouteAccess', (request: FastifyRequest, token: string | undefined) =>
    guard.decideUnrouted(token, request.ip, 'http', { host: request.headers.host, origin: request.headers.origin }),
  );
  // No route reads plain text: JSON sent as text/plain is refused as such (415), not read as a string the schema then refuses.
  app.removeContentTypeParser('text/plain');
  // fastify's own parser (it refuses __proto__ poisoning), behind a depth check.
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  // Read as bytes and decoded strictly (utf8-body.ts): a string decode wrote bytes that are not UTF-8 as U+FFFD.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = declaredText(body as Buffer, request.headers['content-type'], 'the body');
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(Object.assign(new Error(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 }), undefined);
      return;
    }
    void parseJson(request, text, (error, value) => {
      // The parser says only "not valid JSON", for a broken body and a poisoned one alike.
      if (error && text.length > 0) done(Object.assign(new Error(jsonRefusal(text)), { statusCode: 400 }), undefined);
      else done(error, value);
    });
  });

  // fastify turns ?a=1&a=2 into an array, which no handler expects: refuse it with a code, not a 500.
  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (!query) return;
    const repeated = Object.keys(query).find((key) => Array.isArray(query[key]));
    if (repeated !== undefined) {
      return sendError(reply, 400, 'BAD_REQUEST', givenTwice(repeated));
    }
    const { query: reads } = request.routeOptions.config;
    const unknown = reads && Object.keys(query).find((key) => key !== 'token' && !reads.includes(key));
    if (unknown !== undefined && reads) {
      return sendError(reply, 400, 'BAD_REQUEST', `query parameter ${quotedKey(unknown)}: ${request.method} ${request.routeOptions.url ?? ''} takes ${reads.length ? reads.join(', ') : 'none'}`);
    }
    // camera= and camera=,, named no camera and were read as no filter: the whole log, for a list that lost its names.
    if (reads?.includes('camera') && typeof query.camera === 'string' && !query.camera.split(',').some((name) => name.trim())) {
      return sendError(reply, 400, 'BAD_REQUEST', `query parameter "camera" names no camera (${JSON.stringify(query.camera.slice(0, 40))}): give one or more ids (camera=a,b), or leave it out for every camera`);
    }
  });

  app.setNotFoundHandler((request, reply) => sendNoRoute(request, reply));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isShotscaleError(error)) {
      const status = STATUS_BY_CODE[error.code] ?? 500;
      // These say what is wrong with the server's storage or model, not its code: their message is for the user.
      if (status < 500 || ['STORAGE_FULL', 'DATABASE_LOCKED', 'INFERENCE_UNAVAILABLE', 'CLUSTER_UNREACHABLE'].includes(error.code)) return sendError(reply, status, error.code, error.message, error.details);
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return sendError(reply, 413, 'BODY_TOO_LARGE', tooLarge(request));
    if (status === 415) return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', notJson(request));
    // The page's file server refuses a path that climbs out of its folder (/..%2fpackage.json) with a bare "Forbidden".
    if (status === 403) return sendError(reply, 403, 'FORBIDDEN', 'the path leads outside the page\'s files');
    // ... and a path with a NUL (/index.html%00) with a bare "Bad Request".
    if (status === 400 && error.message === STATUS_CODES[400]) return sendError(reply, 400, 'BAD_REQUEST', unservablePath(request.url));
    // fastify's and the router's own 4xx (bad JSON, wrong content type, malformed URL) say what is wrong.
    if (status >= 400 && status < 500) return sendError(reply, status, 'BAD_REQUEST', error.message);
    const ref = randomBytes(4).toString('hex');
    log.error(`unexpected error ${ref} on ${request.method} ${shownPath(request.url)}: ${error.stack ?? error.message}`);
    return sendError(reply, 500, 'INTERNAL', `an unexpected error (ref ${ref}); the server log has the details`);
  });
}
