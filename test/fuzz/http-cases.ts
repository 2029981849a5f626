/**
 * HTTP fuzz cases: one route of the README's table per case (sometimes no
 * route at all), made concrete and bent (http-targets.ts), with tokens of
 * every role in the header and the query, valid and wrong, odd headers and
 * content types, and bodies from a valid template with one field gone wrong
 * to 10,000 levels of nesting and ~300 KB. A case says whether node:http can
 * send it or it needs a raw socket (control bytes, duplicate or malformed
 * headers); it never lies about its own length, so a server that waits for
 * the rest of a body is never taken for a hang.
 */
import type { Role } from '../../server/shared/access-roles.js';
import type { DocumentedRoute } from '../support/route-table.js';
import { cheapCamera } from './fuzz-server.js';
import { BODY_SIZES, brokenJson, deepJson, DEPTHS, hugeJson, mutateObject, oddJson, oddString, withInvalidUtf8, type Rng } from './fuzz-values.js';
import { concretePath, fuzzQuery, mutatePath, type TargetContext } from './http-targets.js';

export interface HttpFuzzContext extends TargetContext {
  routes: DocumentedRoute[];
  tokens: Record<Role, string>;
}

export interface HttpCase {
  id: number;
  /** The table row it was made from ("POST /api/takes"), or "(no route)". */
  route: string;
  method: string;
  /** latin1: each character one byte on the wire. */
  target: string;
  /** In order; values latin1. */
  headers: [string, string][];
  body?: Buffer;
  /** node:http, or a raw TCP socket for what node:http refuses to send. */
  transport: 'http' | 'socket';
  /** What was bent, for the report. */
  mutations: string[];
  /** The server may hang up without an answer (CONNECT, an Upgrade it does not serve). */
  mayClose: boolean;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'get', 'Post', 'FOO'];

const JUNK_PATHS = ['/api', '/api/', '/api/nope', '/api/cameras/x/y/z', '/api/shots/1/thumbnail/x', '/metrics/x', '/whip', '/whip/', '/socket.io/', '/socket.io/?EIO=4&transport=polling', '/socket.io/?EIO=4&transport=websocket', '/.git/config', '/server/errors.ts', '/package.json', '*', ''];

/** Valid bodies per route, for mutation: the fields each handler reads. */
function template(route: string, rng: Rng): Record<string, unknown> | null {
  switch (route) {
    case 'POST /api/cameras':
      return cheapCamera(`fz-${rng.int(0, 9)}`);
    case 'PATCH /api/cameras/:id':
      return rng.pick([{ name: 'Fuzzed' }, { analysisFps: 1 }, { source: { kind: 'testsrc', width: 160, height: 120, fps: 5 } }]);
    case 'PATCH /api/shots/:id':
      return { tags: ['fuzz'], note: 'fuzz note', scene: '1', take: '2' };
    case 'POST /api/takes':
      return { scene: 'fz', take: '1', cameras: ['cam-a'] };
    case 'POST /api/takes/end':
      return { cameras: ['cam-a'] };
    case 'PUT /api/plans/:scene':
      return { scene: 'fz', items: [{ id: 'master', scale: 'WS+' }, { id: 'cu', scale: 'CU-', framing: 'single', tag: 'Anna', count: 2, minDurationS: 1 }] };
    default:
      return null;
  }
}

const SDP = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\n';

/** A body (text or bytes) and a name for what it is; `clean`: the template, whole or with one field gone wrong. */
function fuzzBody(rng: Rng, route: string, clean: boolean): { body: Buffer; kind: string } {
  const base = template(route, rng);
  const text = (kind: string, t: string) => ({ body: Buffer.from(t, 'utf8'), kind });
  const roll = clean ? rng.next() * 0.7 : rng.next();
  if (route.startsWith('POST /whip') && roll < 0.3) return text('sdp', rng.pick([SDP, SDP.replace('VP8', 'H264'), SDP.repeat(50), 'v=0', '', oddString(rng)]));
  if (!base && clean) return text('empty-object', '{}');
  if (base && roll < 0.45) return text('valid', JSON.stringify(base));
  if (base && roll < 0.7) return text('mutated', mutateObject(rng, base));
  if (roll < 0.78) return text('odd-json', oddJson(rng));
  if (roll < 0.85) {
    const depth = rng.pick(DEPTHS);
    return text(`deep-${depth}`, deepJson(rng, depth));
  }
  if (roll < 0.9) {
    const size = rng.pick(BODY_SIZES);
    return text(`huge-${size}`, hugeJson(rng, size));
  }
  if (roll < 0.95) return text('broken-json', brokenJson(rng, JSON.stringify(base ?? { scene: 'fz' })));
  return { body: withInvalidUtf8(rng, JSON.stringify(base ?? { scene: 'fz', note: 'x' })), kind: 'invalid-utf8' };
}

const CONTENT_TYPES = ['application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'application/json;;', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/sdp', 'application/trickle-ice-sdpfrag', 'application/*', '*/*', '', 'application/json, text/plain', 'application/vnd.api+json', 'x'.repeat(2_000)];

/** Where a token goes and how it is written; `clean`: a token of some role, as the README says to send it. */
function tokenHeaders(rng: Rng, ctx: HttpFuzzContext, privileged: boolean, clean: boolean): { headers: [string, string][]; query: string[]; mutation: string } {
  const roles: (Role | 'none' | 'wrong')[] = privileged ? ['none', 'wrong', 'viewer', 'publish', 'operator', 'operator', 'admin', 'admin', 'admin'] : ['none', 'wrong', 'wrong', 'viewer', 'viewer', 'publish'];
  const who = rng.pick(roles);
  const allowed = roles.filter((r): r is Role => r !== 'none' && r !== 'wrong');
  if (clean && who !== 'none' && who !== 'wrong') {
    return rng.chance(0.8) ? { headers: [['Authorization', `Bearer ${ctx.tokens[who]}`]], query: [], mutation: `token:${who}:bearer` } : { headers: [], query: [`token=${ctx.tokens[who]}`], mutation: `token:${who}:query` };
  }
  if (who === 'none') return { headers: [], query: [], mutation: 'no-token' };
  const real = who === 'wrong' ? rng.pick([ctx.tokens.viewer, ctx.tokens.admin, ctx.tokens.operator, ctx.tokens.publish]) : ctx.tokens[who];
  const token =
    who !== 'wrong'
      ? real
      : rng.pick([`${real}x`, real.slice(0, -1), real.toUpperCase(), `x${real}`, 'wrong-token-0123456789abcdef', '', 'null', 'undefined', '[object Object]', 'x'.repeat(10_000), `${real}\u0000`, `${real},${real}`, `${real} ${real}`, `"${real}"`, 'é'.repeat(20)]);
  const place = rng.pick(['header', 'header', 'header', 'query', 'both', 'repeated-query'] as const);
  const scheme = rng.pick(['Bearer ', 'Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', 'Basic ', 'Token ', '', 'Bearer ']);
  const headers: [string, string][] = [];
  const query: string[] = [];
  if (place === 'header' || place === 'both') {
    headers.push(['Authorization', `${scheme}${scheme === 'Basic ' ? Buffer.from(`x:${token}`).toString('base64') : token}${rng.chance(0.1) ? '  ' : ''}`]);
    if (rng.chance(0.05)) headers.push(['Authorization', `Bearer ${rng.pick([ctx.tokens.viewer, 'wrong-token-0123456789abcdef'])}`]);
  }
  // A second token in the query is another role's only where this batch may use that role.
  if (place === 'query' || place === 'both') query.push(`token=${encodeURIComponent(rng.chance(0.5) && place === 'both' ? ctx.tokens[rng.pick(allowed)] : token)}`);
  if (place === 'repeated-query') query.push(`token=${encodeURIComponent(token)}`, `token=${encodeURIComponent(rng.pick([token, ctx.tokens.viewer, 'x']))}`);
  return { headers, query, mutation: `token:${who}:${place}` };
}

/** Headers beyond the token: content types, forwarding headers the server must not trust, ranges, upgrades, sizes. */
function extraHeaders(rng: Rng, hasBody: boolean): { headers: [string, string][]; mutations: string[]; mayClose: boolean } {
  const headers: [string, string][] = [];
  const mutations: string[] = [];
  let mayClose = false;
  if (hasBody ? rng.chance(0.9) : rng.chance(0.15)) headers.push(['Content-Type', rng.pick(CONTENT_TYPES)]);
  if (rng.chance(0.25)) {
    const extra = rng.pick([
      ['X-Forwarded-For', '127.0.0.1, 10.0.0.1'],
      ['X-Forwarded-Host', 'example.com'],
      ['X-Real-IP', '::1'],
      ['X-HTTP-Method-Override', 'DELETE'],
      ['X-Original-URL', '/api/cameras'],
      ['X-Rewrite-URL', '/metrics'],
      ['Range', rng.pick(['bytes=0-10', 'bytes=-5', 'bytes=5-2', 'bytes=0-0,1-1,2-2', 'bytes=999999999-'])],
      ['If-None-Match', '*'],
      ['If-Modified-Since', 'Thu, 01 Jan 2099 00:00:00 GMT'],
      ['Accept', rng.pick(['application/json', 'text/html', '*/*', 'image/jpeg', ''])],
      ['Accept-Encoding', 'gzip, br, deflate'],
      ['Cookie', `token=${'x'.repeat(50)}`],
      ['Origin', 'http://evil.example'],
      ['Expect', '100-continue'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
      ['X-Long', 'x'.repeat(rng.pick([1_000, 9_000, 20_000]))],
      ['X-Control', `a${String.fromCharCode(rng.pick([0x00, 0x01, 0x0b, 0x1b, 0x7f]))}b`],
      ['X-Latin1', 'caf\u00e9 \u00ff\u00fe'],
      ['Bad Name', 'x'],
      ['Content-Length', rng.pick(['abc', '-1', '1e3', '0x10'])],
      ['Transfer-Encoding', rng.pick(['chunked', 'gzip', 'identity', 'chunked, chunked'])],
    ] as [string, string][]);
    headers.push(extra);
    mutations.push(`header:${extra[0]}`);
    if (extra[0] === 'Upgrade' || extra[0] === 'Connection') mayClose = true;
  }
  if (rng.chance(0.02)) {
    for (let i = 0; i < rng.pick([100, 3_000]); i++) headers.push([`X-H${i}`, 'x']);
    mutations.push('header:many');
  }
  return { headers, mutations, mayClose };
}

/** Whether node:http sends this as given (else a raw socket does). */
function httpCanSend(target: string, headers: [string, string][]): boolean {
  if (/[^\u0021-\u00ff]/.test(target)) return false;
  const names = new Set<string>();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[^\t\u0020-\u007e\u0080-\u00ff]/.test(value) || names.has(lower)) return false;
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'host' || lower === 'connection' || lower === 'expect') return false;
    names.add(lower);
  }
  return true;
}

/**
 * Case `id` of a run; `privileged`: operator and admin tokens may be used
 * (else only none, wrong, viewer, publish). A third of the cases are clean
 * (the route's own method, a plain path, a token as documented, JSON with at
 * most one field wrong), because the bugs behind the validation are only
 * reached by requests that pass it; the rest bend everything.
 */
export function httpCase(rng: Rng, ctx: HttpFuzzContext, id: number, privileged: boolean): HttpCase {
  const clean = rng.chance(0.35);
  const mutations: string[] = clean ? ['clean'] : [];
  const noRoute = !clean && rng.chance(0.06);
  const route = noRoute ? null : rng.pick(ctx.routes);
  let method = route && (clean || rng.chance(0.85)) ? route.method : rng.pick(METHODS);
  if (method !== route?.method) mutations.push(`method:${method}`);
  let path = route ? concretePath(rng, route.url, ctx, clean) : rng.pick(JUNK_PATHS);
  for (let i = !clean && rng.chance(0.45) ? rng.int(1, 2) : 0; i > 0; i--) {
    const bent = mutatePath(rng, path, ctx);
    path = bent.path;
    mutations.push(`path:${bent.mutation}`);
  }
  const tokens = tokenHeaders(rng, ctx, privileged, clean);
  mutations.push(tokens.mutation);
  const query = [...(rng.chance(0.35) && route ? [fuzzQuery(rng, route.url, clean)] : []), ...tokens.query];
  if (query.length > 1 && rng.chance(0.5)) query.reverse();
  let target = query.length ? `${path}${path.includes('?') ? '&' : '?'}${query.join('&')}` : path;
  const wantsBody = ['POST', 'PUT', 'PATCH'].includes(method.toUpperCase()) ? clean || rng.chance(0.9) : !clean && rng.chance(0.08);
  const body = wantsBody ? fuzzBody(rng, route ? `${route.method} ${route.url}` : '', clean) : null;
  if (body) mutations.push(`body:${body.kind}`);
  const extra = clean ? { headers: body ? ([['Content-Type', 'application/json']] as [string, string][]) : [], mutations: [], mayClose: false } : extraHeaders(rng, body !== null);
  mutations.push(...extra.mutations);
  const headers = [...tokens.headers, ...extra.headers];
  if (method === 'CONNECT') target = rng.pick([`${ctx.host}`, 'example.com:443', target]);
  let transport: 'http' | 'socket' = httpCanSend(target, headers) && rng.chance(0.9) ? 'http' : 'socket';
  if (transport === 'http' && body && extra.headers.some(([n, v]) => n === 'Content-Type' && v === '')) transport = 'socket';
  // node:http takes whatever follows a HEAD's answer for the next answer (the raw socket reads the head alone),
  // and drops a CONNECT or an Upgrade it has no listener for without settling the request at all.
  if (['HEAD', 'CONNECT'].includes(method.toUpperCase()) || headers.some(([n]) => n.toLowerCase() === 'upgrade')) transport = 'socket';
  if (method === 'CONNECT' || method === 'FOO') method = rng.chance(0.5) ? method : method.toLowerCase();
  return {
    id,
    route: route ? `${route.method} ${route.url}` : '(no route)',
    method,
    target,
    headers,
    ...(body ? { body: body.body } : {}),
    transport,
    mutations,
    mayClose: extra.mayClose || method.toUpperCase() === 'CONNECT',
  };
}
