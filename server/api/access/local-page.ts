/**
 * Whether a request comes from a page on this machine, as its headers say.
 * Browsers set both headers themselves and a page cannot change them: `Host`
 * is the name the browser sent the request to (a DNS-rebinding page's own
 * name, even when that name now points at 127.0.0.1), and `Origin` is the
 * page that sent it (every cross-site POST and every WebSocket carries it).
 * A request without them (a script, curl, another node) is no page's.
 * Any loopback origin counts, whatever its port: the dashboard's dev server
 * (`npm run dev:web`) proxies from its own.
 */

import { isLoopback } from './access-token.js';

/** The headers that say where a request was sent and by which page. */
export interface RequestSite {
  /** The Host header. */
  host?: string;
  /** The Origin header. */
  origin?: string;
}

/** Names a browser itself sends to loopback beyond the bind addresses: localhost's subdomains and IPv4-mapped 127.x (brackets and a trailing dot removed). */
const LOOPBACK_ALIAS = /^([a-z0-9-]+(\.[a-z0-9-]+)*\.localhost|::ffff:127(\.\d{1,3}){3}|::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4})$/i;

/** Whether a host name (as in a Host header or a URL: IPv6 bracketed, maybe a trailing dot) is this machine's: what a loopback bind accepts (access-token.ts), and its aliases. */
function isLoopbackName(name: string): boolean {
  const bare = name.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
  return isLoopback(bare) || LOOPBACK_ALIAS.test(bare);
}

/** The host name of a Host header ("127.0.0.1:8420", "[::1]:8420", "localhost"), without its port. */
function hostName(header: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(:\d*)?$/.exec(header.trim());
  return match ? match[1]!.toLowerCase() : '';
}

/** What is foreign about the request's page, or null when it is this machine's own (or no page's). */
export function foreignPage(site: RequestSite): string | null {
  if (site.host !== undefined && !isLoopbackName(hostName(site.host))) return `the request was sent to ${JSON.stringify(site.host.slice(0, 100))}, not to a loopback name`;
  if (site.origin === undefined) return null;
  let origin: URL | null = null;
  try {
    origin = new URL(site.origin);
  } catch {
    // "null" (a sandboxed frame, a file: page) and anything unreadable.
  }
  if (origin && (origin.protocol === 'http:' || origin.protocol === 'https:') && isLoopbackName(origin.hostname)) return null;
  return `the request came from the page ${JSON.stringify(site.origin.slice(0, 100))}, not one on this machine`;
}
