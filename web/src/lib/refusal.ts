/**
 * What the token prompt says when the server will not let the page in: the
 * server's code and reason, then what to do about it. "The server refused
 * the access token" alone left a crew member guessing between a typo, a
 * token changed on the server and an address blocked for a minute.
 */
import { CONNECT_REFUSAL } from '../../../server/shared/socket-events.js';

/** The `data` of a Socket.IO connect_error the server's access check raised. */
export interface RefusalData {
  code?: string;
  message?: string;
}

export interface RefusalContext {
  /** Whether the page offered a token at all. */
  hasToken: boolean;
  /** Whether this very token was let in earlier, on this page or one before it in this browser (so it has been changed or removed since). */
  acceptedBefore: boolean;
  /** Blocked: the seconds still to wait, counted down by the page (the server's figure is as of its refusal). */
  waitS?: number;
  /** Blocked: whether the page tries its token again by itself once the wait is over. */
  retries?: boolean;
}

/** When a block ends, from a TOO_MANY_ATTEMPTS refusal's words ("... try again in 17 s"); null when they give no wait. */
export function blockedUntil(data: RefusalData | undefined, now: number): number | null {
  const seconds = /try again in (\d+) s/.exec(data?.message ?? '')?.[1];
  return seconds === undefined ? null : now + Number(seconds) * 1000;
}

/**
 * The prompt's text for a refusal whose connect_error message is `kind`
 * (CONNECT_REFUSAL.unauthorized or .blocked); null for any other kind.
 */
export function tokenRefusalText(kind: string, data: RefusalData | undefined, context: RefusalContext): string | null {
  if (kind === CONNECT_REFUSAL.blocked) {
    let why = data?.message ?? 'too many wrong tokens from this address';
    // The server's figure is as of its refusal: a "17 s" that still read 17 s half a minute later was not believed.
    if (context.waitS !== undefined) why = why.replace(/try again in \d+ s/, `try again in ${Math.max(0, Math.ceil(context.waitS))} s`);
    // Every token is refused while the address is blocked, the right one too: retyping it at once only looks like it failed.
    const then = context.retries && context.hasToken ? 'then this page tries its token again by itself' : 'then connect again';
    return `${data?.code ?? 'TOO_MANY_ATTEMPTS'}: ${why}. Until then every token is refused from here, the right one too; ${then}.`;
  }
  if (kind !== CONNECT_REFUSAL.unauthorized) return null;
  if (!context.hasToken) return 'This server needs an access token.';
  const head = `${data?.code ?? 'UNAUTHORIZED'}: ${data?.message ?? 'the token is not valid'}.`;
  if (context.acceptedBefore) {
    return `${head} This page was let in with it until now: it has been changed or removed on the server. Ask whoever runs shotscale for the current one.`;
  }
  return `${head} Check it for a typo (whole, with no spaces; tokens are 16 characters or more and case matters), or ask whoever runs shotscale for yours.`;
}
