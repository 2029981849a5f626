/**
 * Request targets for the HTTP fuzzer: a route pattern made concrete (ids
 * that exist, ids that do not, hostile ones), then bent the ways that once
 * let requests past the token check or might now: percent-encoded and
 * double-encoded characters, `%2e%2e`, `//`, `/./`, `;`, trailing slashes,
 * upper case, absolute-form targets, raw control bytes and bytes that are not
 * UTF-8; plus query strings with repeated keys and out-of-range numbers.
 * Targets are latin1 strings: each character is one byte on the wire.
 */
import { oddString, type Rng } from './fuzz-values.js';

export interface TargetContext {
  /** host:port of the server, for absolute-form targets. */
  host: string;
  cameraIds: string[];
  shotIds: string[];
  alertKeys: string[];
  /** Files of web/dist, relative ("index.html", "assets/index-x.js"). */
  publicFiles: string[];
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every byte of the UTF-8 form that is not unreserved (lone surrogates become U+FFFD). */
export function percentEncode(text: string, lower = false): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += UNRESERVED.test(c) ? c : `%${byte.toString(16).padStart(2, '0')[lower ? 'toLowerCase' : 'toUpperCase']()}`;
  }
  return out;
}

/** Encodes some characters of a target that need no encoding (/%61pi/cameras), as a path normaliser might miss. */
function encodeSome(rng: Rng, path: string, share: number): string {
  return [...path].map((c) => (c.charCodeAt(0) < 0x80 && rng.chance(share) ? `%${c.charCodeAt(0).toString(16)[rng.chance(0.5) ? 'toUpperCase' : 'toLowerCase']()}` : c)).join('');
}

const HOSTILE_SEGMENTS = ['..', '.', '%2e%2e', '%2E%2E', '%2e', '..%2f', '%2e%2e%2f', '..;', '%00', '%ff', '%c0%ae%c0%ae', '%25', '%', '%zz', '~', '*', ':id', '{id}', 'undefined', 'null', '0', '-1', '1e20', 'NaN', '0x10', '999999999999999999999', '%20', '+', '%0d%0aX-Injected:%201', '%uff0e', 'a'.repeat(300)];

/** A value for one `:param` of a route. */
function paramValue(rng: Rng, name: string, ctx: TargetContext, clean: boolean): string {
  const roll = clean ? rng.next() * 0.5 : rng.next();
  if (roll < 0.35) {
    if (name === 'id' || name === 'cameraId') return rng.pick(rng.chance(0.5) && name === 'id' ? ctx.shotIds : [...ctx.cameraIds, ...ctx.shotIds]);
    if (name === 'key') return percentEncode(rng.pick(ctx.alertKeys));
    if (name === 'scene') return rng.pick(['1', '12A', 'fuzz-scene', 'walk-scene']);
    return rng.pick(['no-such-session', '1', 'abc']);
  }
  if (roll < 0.7) return rng.pick(HOSTILE_SEGMENTS);
  return percentEncode(oddString(rng), rng.chance(0.3));
}

/** The part of `/*` after the slash: a page file, something else in or out of web/dist. */
function publicRest(rng: Rng, ctx: TargetContext): string {
  return rng.pick([
    ...ctx.publicFiles,
    '',
    'index.html',
    'assets/',
    'assets/nope.js',
    '../package.json',
    '%2e%2e/package.json',
    '..%2fpackage.json',
    '%2e%2e%2f%2e%2e%2fpackage.json',
    'assets/..%2f..%2f..%2fpackage.json',
    'assets/../../server/errors.ts',
    '....//....//package.json',
    '.env',
    '.git/config',
    'index.html%00.js',
    `${ctx.publicFiles[0] ?? 'index.html'}/`,
    'api',
    'api/',
    'metrics',
    'whip/',
    'socket.io/?EIO=4&transport=polling',
    'socket.io/?EIO=3&transport=polling',
    'shotscale.sqlite',
    'data/shotscale.sqlite',
    '%2fetc%2fpasswd',
    '/etc/passwd',
    'C:%5cWindows',
  ]);
}

/** A concrete path for a route pattern. */
export function concretePath(rng: Rng, pattern: string, ctx: TargetContext, clean = false): string {
  return pattern
    .split('/')
    .map((part) => (part.startsWith(':') ? paramValue(rng, part.slice(1), ctx, clean) : part === '*' ? publicRest(rng, ctx) : part))
    .join('/');
}

const PATH_MUTATIONS = ['encode-some', 'encode-all', 'double-encode', 'dot-dot', 'encoded-dot-dot', 'double-slash', 'dot-slash', 'semicolon', 'trailing-slash', 'upper-case', 'absolute-form', 'backslash', 'fragment', 'nul', 'long', 'control-byte', 'latin1-byte', 'space', 'no-leading-slash', 'encoded-slash'] as const;
export type PathMutation = (typeof PATH_MUTATIONS)[number];

/** One way of bending a path; returns the new path (latin1) and the mutation's name. */
export function mutatePath(rng: Rng, path: string, ctx: TargetContext): { path: string; mutation: PathMutation } {
  const mutation = rng.pick(PATH_MUTATIONS);
  const segments = path.split('/');
  const at = rng.int(1, Math.max(1, segments.length - 1));
  const insert = (piece: string) => [...segments.slice(0, at), piece, ...segments.slice(at)].join('/');
  switch (mutation) {
    case 'encode-some':
      return { mutation, path: encodeSome(rng, path, 0.3) };
    case 'encode-all':
      return { mutation, path: encodeSome(rng, path, 1).replace(/%2f/gi, '/') };
    case 'double-encode':
      return { mutation, path: encodeSome(rng, path, 0.3).replace(/%/g, '%25') };
    case 'dot-dot':
      return { mutation, path: insert(`${rng.pick(['x', 'api', 'assets', '..'])}/..`) };
    case 'encoded-dot-dot':
      return { mutation, path: insert(rng.pick(['x/%2e%2e', 'x/%2E%2E', '%2e%2e', 'x%2f..', 'x/.%2e', '%252e%252e'])) };
    case 'double-slash':
      return { mutation, path: rng.chance(0.5) ? `/${path}` : path.replace(/\//g, () => (rng.chance(0.4) ? '//' : '/')) };
    case 'dot-slash':
      return { mutation, path: insert(rng.pick(['.', '%2e', './.'])) };
    case 'semicolon':
      return { mutation, path: rng.chance(0.5) ? `${path};${rng.pick(['', 'x', 'token=x', 'jsessionid=1', '.js'])}` : insert(`;${rng.pick(['x', 'a=b'])}`) };
    case 'trailing-slash':
      return { mutation, path: `${path}${rng.pick(['/', '//', '/.', '%2f', '/%20'])}` };
    case 'upper-case':
      return { mutation, path: rng.chance(0.5) ? path.toUpperCase() : segments.map((s) => (rng.chance(0.5) ? s.toUpperCase() : s)).join('/') };
    case 'absolute-form':
      return { mutation, path: `${rng.pick(['http', 'https', 'HTTP', 'ws', 'file'])}://${rng.pick([ctx.host, ctx.host, 'example.com', 'localhost', '127.0.0.1', `user:pass@${ctx.host}`])}${rng.chance(0.1) ? '' : path}` };
    case 'backslash':
      return { mutation, path: path.replace(/\//g, () => rng.pick(['/', '\\', '%5c'])) };
    case 'fragment':
      return { mutation, path: `${path}${rng.pick(['#', '#x', '%23', '?#', '#/../metrics'])}` };
    case 'nul':
      return { mutation, path: `${path}${rng.pick(['%00', '%00.html', '%0a', '%0d%0a', '%09'])}` };
    case 'long':
      return { mutation, path: `${path}/${'a'.repeat(rng.pick([1_000, 10_000, 70_000]))}` };
    case 'control-byte':
      return { mutation, path: insert(String.fromCharCode(rng.pick([0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x7f]))) };
    case 'latin1-byte':
      return { mutation, path: insert(String.fromCharCode(rng.pick([0x80, 0xa0, 0xc0, 0xe9, 0xfe, 0xff]))) };
    case 'space':
      return { mutation, path: insert(rng.pick([' ', 'a b', ' HTTP/1.1'])) };
    case 'no-leading-slash':
      return { mutation, path: path.replace(/^\/+/, rng.pick(['', '*', 'api/', '.'])) };
    case 'encoded-slash':
      return { mutation, path: path.replace(/\//g, (s, offset: number) => (offset > 0 && rng.chance(0.5) ? rng.pick(['%2f', '%2F', '%252f']) : s)) };
  }
}

const QUERY_KEYS: Record<string, string[]> = {
  '/api/shots': ['camera', 'scene', 'take', 'scale', 'from', 'to', 'status', 'order', 'limit', 'offset', 'format', 'scope'],
  '/api/report': ['camera', 'scene', 'take', 'scale', 'from', 'to', 'status'],
  '/api/coverage': ['camera', 'scene', 'take', 'from', 'to', 'status'],
  '/api/takes': ['scene'],
  '/api/alerts': ['history'],
  '/whip/:cameraId': ['name'],
};

const QUERY_VALUES = ['1e20', '-1', 'NaN', '0x10', '0', '1', '1.5', '', '99999999999', '1000000001', '9'.repeat(40), 'Infinity', '2020-01-01', '2020-13-45T99:99:99Z', '-271821-04-20T00:00:00Z', 'asc', 'desc', 'ASC', 'open', 'closed', 'csv', 'json', 'edl', 'ale', 'otio', 'markers', 'xml', 'cam-a', 'cam-a,cam-b', 'CU', 'cu,MCU', 'none', 'XL', 'node', ',,,,', 'cam-a,'.repeat(300), 'true', '1', 'yes'];

/** A query string (without "?"): route keys with odd values, repeated keys, bad escapes, odd bytes. */
export function fuzzQuery(rng: Rng, pattern: string, clean = false): string {
  const keys = [...(QUERY_KEYS[pattern] ?? []), 'x', 'token', '__proto__', 'constructor', 'a[b]', 'a[]'];
  const pairs: string[] = [];
  const count = rng.int(1, 5);
  for (let i = 0; i < count; i++) {
    const key = clean || rng.chance(0.8) ? rng.pick(clean ? (QUERY_KEYS[pattern] ?? keys) : keys) : percentEncode(oddString(rng));
    const raw = clean || rng.chance(0.6) ? rng.pick(QUERY_VALUES) : oddString(rng);
    const value = clean ? 'encoded' : rng.pick(['encoded', 'encoded', 'encoded', 'bad-escape', 'invalid-utf8', 'raw'] as const);
    const written =
      value === 'encoded' ? percentEncode(raw, rng.chance(0.2)) : value === 'bad-escape' ? `${percentEncode(raw)}${rng.pick(['%', '%z', '%zz', '%%', '%u0041'])}` : value === 'invalid-utf8' ? rng.pick(['%ff', '%c0%af', '%ed%a0%80', '%80', '%fe%ff']) : raw.replace(/[^\x20-\xff]/g, '');
    pairs.push(rng.chance(0.1) ? key : `${key}=${written}`);
    if (rng.chance(clean ? 0.03 : 0.15)) pairs.push(`${key}=${percentEncode(rng.pick(QUERY_VALUES))}`);
  }
  return pairs.join(rng.chance(0.1) ? rng.pick([';', '&&', '&amp;']) : '&');
}
