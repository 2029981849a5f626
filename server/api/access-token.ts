/**
 * Access control: loopback binds are open; any other bind requires the
 * configured bearer token on HTTP (Authorization header or ?token=) and on the
 * Socket.IO handshake (auth.token).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { ShotscaleError } from '../errors.js';

export function isLoopback(host: string): boolean {
  // 127.x only as an IPv4 literal: a host name such as 127.example.com can resolve anywhere.
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** Refuses to start a reachable server without a token. */
export function assertBindAllowed(host: string, token: string | null): void {
  if (!isLoopback(host) && !token) {
    throw new ShotscaleError('INSECURE_BIND', `server.host is ${host}, which other machines can reach, but server.accessToken is not set`, {
      hint: 'set server.accessToken (e.g. accessToken: ${SHOTSCALE_TOKEN}) or bind to 127.0.0.1',
    });
  }
}

export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || !given) return false;
  // Hash both so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export function tokenFromHttp(headers: Record<string, string | string[] | undefined>, query: unknown): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const fromQuery = (query as { token?: unknown } | undefined)?.token;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}
