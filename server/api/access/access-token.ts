/**
 * Where a token comes from, and the rule that a server other machines can
 * reach has tokens: loopback binds may run open; any other bind needs at
 * least one viewer, operator or admin token.
 */
import { isIPv4 } from 'node:net';
import { ShotscaleError } from '../../errors.js';

export function isLoopback(host: string): boolean {
  // 127.x only as an IPv4 literal: a host name such as 127.example.com can resolve anywhere.
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** Refuses to start a reachable server without a token. */
export function assertBindAllowed(host: string, hasAccessTokens: boolean): void {
  if (!isLoopback(host) && !hasAccessTokens) {
    throw new ShotscaleError('INSECURE_BIND', `server.host is ${host}, which other machines can reach, but neither server.accessToken nor server.tokens is set`, {
      hint: 'set server.accessToken (e.g. accessToken: ${SHOTSCALE_TOKEN}) or server.tokens with roles, or bind to 127.0.0.1',
    });
  }
}

/**
 * The token of an HTTP request: `Authorization: Bearer TOKEN`, else `?token=`
 * (for links and <img> sources). A repeated ?token= is no token.
 */
export function tokenFromHttp(headers: Record<string, string | string[] | undefined>, query: unknown): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const fromQuery = (query as { token?: unknown } | undefined)?.token;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}
