/**
 * Who may do what. Tokens carry a role; every HTTP route and Socket.IO event
 * declares the access it needs, and nothing without a declaration runs.
 *
 * viewer < operator < admin: each role may do what the ones before it may.
 * A publish token opens nothing but WHIP publishing, which operators and
 * admins may do as well (a phone on the set publishes with whichever it has).
 */
export const TOKEN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];
export type Role = TokenRole | 'publish';

/** What a route or event needs: no token at all, a publisher, or at least this role. */
export const ACCESS_LEVELS = ['public', 'publish', 'viewer', 'operator', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

const RANK: Record<TokenRole, number> = { viewer: 1, operator: 2, admin: 3 };

export function grants(role: Role, access: Access): boolean {
  if (access === 'public') return true;
  if (role === 'publish') return access === 'publish';
  if (access === 'publish') return RANK[role] >= RANK.operator;
  return RANK[role] >= RANK[access];
}

/** The roles that may use something needing `access`, for messages and the README's table. */
export function rolesFor(access: Access): Role[] {
  return (['viewer', 'operator', 'admin', 'publish'] as const).filter((role) => grants(role, access));
}

/** "a viewer", "an operator", "an admin": a role in a message. */
export function withArticle(role: Role): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

/** Who a request speaks for. */
export interface Principal {
  role: Role;
  /** The token's name in the config, or "local" on a loopback server without tokens. */
  name: string;
}
