/**
 * The one place access is decided, for HTTP routes and Socket.IO alike: the
 * access the route (or event) declares, the token given, and the address it
 * came from. Refusals are counted by reason.
 *
 * Without a token, a request is let in only from a page on this machine
 * (local-page.ts): a server without tokens listens on loopback, but any web
 * page its user opens can send requests there (a form post, a WebSocket) or
 * rename itself to 127.0.0.1 (DNS rebinding). A token proves a request was
 * meant; the loopback address alone does not.
 */
import { grants, rolesFor, withArticle, type Access, type Principal, type Role } from '../../shared/access-roles.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import { foreignPage, type RequestSite } from './local-page.js';
import type { TokenRegistry } from './token-registry.js';

export const TRANSPORTS = ['http', 'socket'] as const;
export type Transport = (typeof TRANSPORTS)[number];
/** Every reason a refusal is counted under (shotscale_auth_refused_total starts each at 0). */
export const REFUSAL_REASONS = ['missing', 'wrong', 'blocked', 'forbidden', 'foreign-page'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type AccessDecision =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      status: 401 | 403 | 429;
      code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'TOO_MANY_ATTEMPTS';
      reason: RefusalReason;
      message: string;
      retryAfterS?: number;
      /** This wrong token blocked its address, for this many seconds (the moment a log should tell of). */
      blockedS?: number;
    };

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

  /** Whether the API needs a token (publish tokens alone leave it open to this machine's pages). */
  get apiNeedsToken(): boolean {
    return this.tokens.hasAccessTokens;
  }

  /** Whether a request with token `given` from `address` (sent to `site.host` by the page `site.origin`) may use something that needs `access`, and as whom. */
  decide(access: Access, given: string | undefined, address: string, transport: Transport, site: RequestSite = {}): AccessDecision {
    return this.decideFor(access, (role) => grants(role, access), given, address, transport, site);
  }

  /**
   * Whether a request to a path no route takes may be told so (its 404, or the 400 of an over-long part).
   * Any valid token may: a publisher who mistyped its WHIP URL (POST /whip/cam/, as pasted into OBS) was
   * told it needed a viewer token and looked for the fault in its token, not its URL. Without a token, or
   * with a wrong one, it is refused as a viewer's route is, so a path that is not there reads as one that is.
   */
  decideUnrouted(given: string | undefined, address: string, transport: Transport, site: RequestSite = {}): AccessDecision {
    return this.decideFor('viewer', () => true, given, address, transport, site);
  }

  /** decide(), with `enough` saying which roles a valid token may have. */
  private decideFor(access: Access, enough: (role: Role) => boolean, given: string | undefined, address: string, transport: Transport, site: RequestSite): AccessDecision {
    const refuse = (decision: Extract<AccessDecision, { ok: false }>): AccessDecision => {
      this.onRefused(transport, decision.reason);
      return decision;
    };
    /** Let in without a token: only from a page on this machine, or from no page at all (a script, curl). */
    const withoutToken = (principal: Principal): AccessDecision => {
      const foreign = access === 'public' ? null : foreignPage(site);
      if (!foreign) return { ok: true, principal };
      return refuse({ ok: false, status: 403, code: 'FORBIDDEN', reason: 'foreign-page', message: `${foreign}; without a token this server answers only its own pages on this machine (give it server.accessToken to use it from elsewhere)` });
    };
    const anonymous = this.tokens.anonymous(access);
    // An open server, or a route for everyone: the token, if any, is not even looked at.
    if (anonymous && (access === 'public' || !this.tokens.closed)) return withoutToken(anonymous);
    // The block is on what needs a token, and on any token given: with publish tokens alone the API and the wall
    // need none (anonymous is the local user), and 10 wrong tokens sent to /whip used to turn them 429 too, the wall
    // dark for blockS. A token sent there is still checked, so a blocked address could go on guessing through them.
    const blockedMs = anonymous && !given ? 0 : this.limiter.blockedFor(address);
    if (blockedMs > 0) {
      const retryAfterS = Math.ceil(blockedMs / 1000);
      return refuse({ ok: false, status: 429, code: 'TOO_MANY_ATTEMPTS', reason: 'blocked', message: `too many wrong tokens from ${address}; try again in ${retryAfterS} s`, retryAfterS });
    }
    let principal: Principal | null;
    if (given) {
      principal = this.tokens.identify(given);
      if (!principal) {
        const blocks = this.limiter.fail(address);
        const blockedS = blocks ? { blockedS: Math.ceil(this.limiter.blockedFor(address) / 1000) } : {};
        return refuse({ ok: false, status: 401, code: 'UNAUTHORIZED', reason: 'wrong', message: 'the token is not valid', ...blockedS });
      }
    } else {
      principal = anonymous;
      if (!principal) return refuse({ ok: false, status: 401, code: 'UNAUTHORIZED', reason: 'missing', message: 'a valid access token is required (Authorization: Bearer TOKEN)' });
    }
    if (!enough(principal.role)) {
      // A valid token of a lesser role where none is needed (publish tokens alone leave the API open to this
      // machine): the request goes on as one without a token would, as the local user, or a script that sends
      // its only token with every request lost the API it had without it. A wrong token is refused above.
      if (given && anonymous) return withoutToken(anonymous);
      return refuse({ ok: false, status: 403, code: 'FORBIDDEN', reason: 'forbidden', message: `this needs the ${rolesFor(access).join(' or ')} role; the token given is ${withArticle(principal.role)} token` });
    }
    return given ? { ok: true, principal } : withoutToken(principal);
  }

  /** Counts a refusal decided elsewhere (a Socket.IO event its connection's role does not allow). */
  countRefusal(transport: Transport, reason: RefusalReason): void {
    this.onRefused(transport, reason);
  }

  blockedAddresses(): number {
    return this.limiter.blockedCount();
  }
}
