/**
 * The one place access is decided, for HTTP routes and Socket.IO alike: the
 * access the route (or event) declares, the token given, and the address it
 * came from. Refusals are counted by reason.
 */
import { grants, rolesFor, type Access, type Principal } from '../../shared/access-roles.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import type { TokenRegistry } from './token-registry.js';

export type Transport = 'http' | 'socket';
export type RefusalReason = 'missing' | 'wrong' | 'blocked' | 'forbidden';

export type AccessDecision =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403 | 429; code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'TOO_MANY_ATTEMPTS'; reason: RefusalReason; message: string; retryAfterS?: number };

export class AccessGuard {
  constructor(
    private readonly tokens: TokenRegistry,
    private readonly limiter: AttemptLimiter,
    private readonly onRefused: (transport: Transport, reason: RefusalReason) => void,
  ) {}

  /** Whether the server has any token (else everything is open to loopback). */
  get closed(): boolean {
    return this.tokens.closed;
  }

  /** Whether a request with token `given` from `address` may use something that needs `access`, and as whom. */
  decide(access: Access, given: string | undefined, address: string, transport: Transport): AccessDecision {
    const refuse = (decision: Extract<AccessDecision, { ok: false }>): AccessDecision => {
      this.onRefused(transport, decision.reason);
      return decision;
    };
    const anonymous = this.tokens.anonymous(access);
    // An open server, or a route for everyone: the token, if any, is not even looked at.
    if (anonymous && (access === 'public' || !this.tokens.closed)) return { ok: true, principal: anonymous };
    const blockedMs = this.limiter.blockedFor(address);
    if (blockedMs > 0) {
      const retryAfterS = Math.ceil(blockedMs / 1000);
      return refuse({ ok: false, status: 429, code: 'TOO_MANY_ATTEMPTS', reason: 'blocked', message: `too many wrong tokens from ${address}; try again in ${retryAfterS} s`, retryAfterS });
    }
    let principal: Principal | null;
    if (given) {
      principal = this.tokens.identify(given);
      if (!principal) {
        this.limiter.fail(address);
        return refuse({ ok: false, status: 401, code: 'UNAUTHORIZED', reason: 'wrong', message: 'the token is not valid' });
      }
    } else {
      principal = anonymous;
      if (!principal) return refuse({ ok: false, status: 401, code: 'UNAUTHORIZED', reason: 'missing', message: 'a valid access token is required (Authorization: Bearer TOKEN)' });
    }
    if (!grants(principal.role, access)) {
      return refuse({ ok: false, status: 403, code: 'FORBIDDEN', reason: 'forbidden', message: `this needs the ${rolesFor(access).join(' or ')} role; the token given is a ${principal.role} token` });
    }
    return { ok: true, principal };
  }

  blockedAddresses(): number {
    return this.limiter.blockedCount();
  }
}
