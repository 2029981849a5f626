/**
 * The configured tokens, and the principal a given token speaks for. Every
 * comparison hashes both sides and takes the same time, and every token is
 * compared, so neither the time nor the order of the tokens tells anything.
 *
 * Without any token (a loopback-only server) a request speaks for the local
 * user with every role, as before roles existed. Publish tokens alone do not
 * close the API, only publishing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Access, Principal, Role } from '../../shared/access-roles.js';

export interface TokenEntry {
  token: string;
  role: Role;
  name: string;
}

const LOCAL: Principal = { role: 'admin', name: 'local' };
/** Whoever loads a public route (the page) of a server with tokens. */
const ANONYMOUS: Principal = { role: 'viewer', name: 'anonymous' };

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class TokenRegistry {
  private readonly entries: { digest: Buffer; principal: Principal }[];
  /** Whether any viewer, operator or admin token is configured (publish tokens open nothing else). */
  readonly hasAccessTokens: boolean;

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((e) => ({ digest: digest(e.token), principal: { role: e.role, name: e.name } }));
    this.hasAccessTokens = entries.some((e) => e.role !== 'publish');
  }

  /** True when any token is configured (the server is not open). */
  get closed(): boolean {
    return this.entries.length > 0;
  }

  /** The principal of a token, or null when it matches none (or is not a token at all). */
  identify(given: unknown): Principal | null {
    if (typeof given !== 'string') return null;
    // Trimmed as the config's tokens are (schema.ts): a token read from a file with its newline is the same
    // token on every transport (the Bearer header's value is trimmed by HTTP; ?token= and Socket.IO's are not).
    const token = given.trim();
    if (!token) return null;
    // Both sides hashed: the comparison takes the same time whatever the lengths.
    const hashed = digest(token);
    let found: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, hashed) && !found) found = entry.principal;
    }
    return found;
  }

  /** Who a request without a token is: the local user where nothing guards `access`, else nobody. */
  anonymous(access: Access): Principal | null {
    if (access === 'public') return this.entries.length ? ANONYMOUS : LOCAL;
    if (access === 'publish') return this.entries.length ? null : LOCAL;
    return this.hasAccessTokens ? null : LOCAL;
  }
}

/** The tokens a server config names: accessToken (admin), tokens with their roles, publish tokens. */
export function tokenEntries(server: { accessToken: string | null; tokens: readonly { role: Role; token: string; name?: string | undefined }[]; publishTokens: readonly string[] }): TokenEntry[] {
  return [
    ...(server.accessToken ? [{ token: server.accessToken, role: 'admin' as const, name: 'access token' }] : []),
    ...server.tokens.map((t, i) => ({ token: t.token, role: t.role, name: t.name ?? `${t.role} token ${i + 1}` })),
    ...server.publishTokens.map((token, i) => ({ token, role: 'publish' as const, name: `publish token ${i + 1}` })),
  ];
}
