/**
 * Access on HTTP is decided on the route that will run, after routing: the
 * route's own declaration (`config: { access }`), never the raw URL, so a
 * percent-encoded path (/%61pi/cameras) or an absolute-form target
 * (GET http://host/api/health) is judged by the route it reaches. A route
 * without a declaration is refused to everyone; a path that matches no route
 * needs a valid token (any role) before it learns that it does not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Access, Principal } from '../../shared/access-roles.js';
import type { AccessDecision, AccessGuard } from './access-guard.js';
import { sendError } from '../error-reply.js';
import { tokenFromHttp } from './access-token.js';
import type { Logger } from '../../shared/logger.js';
import { RefusalLog } from '../refusal-log.js';

/** A path in a log line: no query (it may hold ?token=), and no longer than a person reads. */
const MAX_LOGGED_PATH = 200;
const loggedPath = (url: string): string => {
  const path = url.split('?')[0]!;
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}...` : path;
};

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /**
     * A wildcard route whose paths need different access: what this request's path parameters need (else
     * `access`); UNROUTED where the path is one no route takes (the page's catch-all under /api/).
     */
    accessOf?: (params: Record<string, string>) => Access | typeof UNROUTED;
    /** The query parameters a route reads (besides token): any other is refused, so a misspelt filter is not silently ignored. */
    query?: readonly string[];
  }
  interface FastifyRequest {
    /** Who the request speaks for; set before the handler runs. */
    principal: Principal | null;
  }
}

/** A route's declaration: `app.get(path, needs('viewer'), handler)`; with `query`, the query parameters it reads. */
export function needs(access: Access, query?: readonly string[]): RouteShorthandOptions {
  return { config: { access, ...(query ? { query } : {}) } };
}

/**
 * What a wildcard route's accessOf says of a path that no route takes: it is
 * judged as one (guard.decideUnrouted), so GET /api/nope answers a publish
 * token 404 as POST /api/nope does.
 */
export const UNROUTED = 'unrouted';

/** A wildcard route's declaration where the path decides: `listed` is what the route table shows (the least it needs). */
export function needsFor(accessOf: (params: Record<string, string>) => Access | typeof UNROUTED, listed: Access): RouteShorthandOptions {
  return { config: { access: listed, accessOf } };
}

export interface RouteAccess {
  method: string;
  url: string;
  /** null: declared nowhere, so refused to everyone. */
  access: Access | null;
}

/**
 * Installs the check; returns the table of every route and what it needs (filled as routes register).
 * Refusals go to `log` as Socket.IO's do (a few a minute per address, the rest summed up), never the
 * token itself; an address blocked for too many wrong tokens is told of when it happens, always.
 */
export function installHttpAccess(app: FastifyInstance, guard: AccessGuard, log: Logger): RouteAccess[] {
  const table: RouteAccess[] = [];
  const refusals = new RefusalLog(log, 'request');
  app.addHook('onClose', async () => refusals.closeAll());
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) table.push({ method, url: route.url, access: route.config?.access ?? null });
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    const token = tokenFromHttp(request.headers, request.query);
    const site = { host: request.headers.host, origin: request.headers.origin };
    let decision: AccessDecision;
    const access: Access | typeof UNROUTED | null = request.is404 ? UNROUTED : (config.accessOf?.((request.params ?? {}) as Record<string, string>) ?? config.access ?? null);
    if (access === UNROUTED) decision = guard.decideUnrouted(token, request.ip, 'http', site);
    else {
      if (access === null) return sendError(reply, 403, 'FORBIDDEN', `${request.method} ${request.routeOptions.url ?? ''} has no access rule, so nobody may use it`);
      decision = guard.decide(access, token, request.ip, 'http', site);
    }
    if (!decision.ok) {
      const address = request.ip;
      if (decision.blockedS !== undefined) log.warn(`${address} blocked for ${decision.blockedS} s: too many wrong tokens (every request from it that needs a token is refused TOO_MANY_ATTEMPTS meanwhile)`);
      refusals.refused(address, `${request.method} ${loggedPath(request.url)} from ${address} refused: ${decision.code} (${decision.reason}): ${decision.message}`);
      if (decision.retryAfterS !== undefined) reply.header('retry-after', String(decision.retryAfterS));
      return sendError(reply, decision.status, decision.code, decision.message);
    }
    request.principal = decision.principal;
  });
  return table;
}
