/**
 * Cross-origin WHIP, for the origins a config names and no other
 * (supervisor.whip.allowedOrigins; none by default). A browser page served
 * from elsewhere (a production's own publishing page, a WHIP test page) may
 * then POST its offer, read the session's Location and DELETE it; its token
 * is still checked on every request, as from any client. A page of any other
 * origin gets no CORS header at all, so its browser refuses it the answer:
 * the browser's default, denied.
 *
 * Preflights (OPTIONS, public: a browser sends no token with one) say which
 * methods and request headers are taken; the answers of the routes, errors
 * included, say the origin may read them and which headers it may see.
 * Every answer under /whip varies by Origin, so no cache hands one origin's
 * answer to another.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What a WHIP client sends and reads (RFC 9725): the offer, its token, the session's URL, the limits. */
const ALLOW_METHODS = 'POST, DELETE, PATCH, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, If-Match';
const EXPOSE_HEADERS = 'Location, Link, Accept-Post, Allow, Retry-After, ETag';
/** How long a browser may keep a preflight's answer (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_S = 600;

function isWhip(request: FastifyRequest): boolean {
  return (request.routeOptions.url ?? request.url).startsWith('/whip/');
}

/** The origin a request came from when it may read the answer; null when it may not (or sent none). */
export function allowedOrigin(origin: string | undefined, allowed: readonly string[]): string | null {
  if (!origin || !allowed.length) return null;
  const normal = origin.toLowerCase();
  return allowed.includes('*') || allowed.includes(normal) ? origin : null;
}

/** The preflight's CORS headers on `reply` (none when the origin is not allowed). */
export function answerPreflight(request: FastifyRequest, reply: FastifyReply, allowed: readonly string[]): FastifyReply {
  const origin = allowedOrigin(request.headers.origin, allowed);
  if (!origin) return reply;
  return reply
    .header('access-control-allow-methods', ALLOW_METHODS)
    .header('access-control-allow-headers', ALLOW_HEADERS)
    .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S));
}

/**
 * Every answer under /whip (the routes', the access guard's refusals, errors):
 * Vary: Origin, and for an allowed origin the headers that let its page read
 * the answer.
 */
export function registerWhipCors(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isWhip(request)) return payload;
    reply.header('vary', 'Origin');
    const origin = allowedOrigin(request.headers.origin, allowed);
    if (origin) reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSE_HEADERS);
    return payload;
  });
}
