/**
 * Socket.IO fuzz cases. Most are raw socket.io packets sent through the
 * engine of a connected client of some role (`2<id>["take:start",{...}]`),
 * over every event of the README's table and some that do not exist: wrong
 * types, nesting 5,000 levels deep (which once crashed the server through a
 * log line), huge strings, many arguments, binary attachments, and packets
 * that are not packets at all (bad JSON, unknown packet types, engine.io
 * frames of the wrong type). Each says what the server owes it: an ack (with
 * FORBIDDEN for a viewer's take:*), nothing, or anything short of dying. The
 * rest are handshakes with tokens of every kind.
 */
import type { Role } from '../../server/shared/access-roles.js';
import type { DocumentedEvent } from '../support/route-table.js';
import { deepJson, mutateObject, oddJson, oddString, type Rng } from './fuzz-values.js';

export type LaneRole = 'admin' | 'operator' | 'viewer';

/** What goes out: a socket.io packet as an engine.io message (`engine`), or a whole engine.io frame (`ws`). */
export interface Frame {
  via: 'engine' | 'ws';
  data: string | Buffer;
}

/**
 * ack: an answer is due (well-formed packet, known event, ack id asked);
 * forbidden: an answer is due and must be FORBIDDEN;
 * unknown: an event no client may send, with an ack id: the answer is due and must be BAD_REQUEST;
 * quiet: nothing is due, but the connection must stay;
 * any: malformed or oversized, the server may drop the connection.
 */
export type Expectation = 'ack' | 'forbidden' | 'unknown' | 'quiet' | 'any';

export interface SocketPacketCase {
  kind: 'packets';
  id: number;
  role: LaneRole;
  event: string;
  frames: Frame[];
  ackId: number | null;
  expect: Expectation;
  mutations: string[];
}

export interface SocketConnectCase {
  kind: 'connect';
  id: number;
  auth?: unknown;
  query?: Record<string, string>;
  mutations: string[];
}

export type SocketCase = SocketPacketCase | SocketConnectCase;

/** engine.io's maxHttpBufferSize on the server is 64 KiB; a message past it may close the connection. */
const SAFE_MESSAGE_BYTES = 60_000;

const UNKNOWN_EVENTS = ['hello', 'readout', 'camera:status', 'take', 'take:start ', 'TAKE:START', 'subscribe\u0000', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'error', 'removeAllListeners', 'x'.repeat(5_000)];
const RESERVED = ['connect', 'disconnect', 'disconnecting', 'newListener', 'removeListener', 'connect_error'];

function payloadFor(rng: Rng, event: string): { json: string; kind: string } {
  const roll = rng.next();
  if (event === 'take:start' && roll < 0.3) return { json: JSON.stringify({ scene: `fz-${rng.int(0, 3)}`, ...(rng.chance(0.5) ? { cameras: ['cam-a'] } : {}) }), kind: 'valid' };
  if (event === 'take:start' && roll < 0.55) return { json: mutateObject(rng, { scene: 'fz', take: '1', cameras: ['cam-a'] }), kind: 'mutated' };
  if (event === 'take:end' && roll < 0.3) return { json: rng.pick(['null', '{}', '{"cameras":["cam-a"]}', '{"cameras":null}']), kind: 'valid' };
  if (event === 'take:end' && roll < 0.55) return { json: mutateObject(rng, { cameras: ['cam-a'] }), kind: 'mutated' };
  if (event.endsWith('subscribe') && roll < 0.3) return { json: rng.pick(['null', '[]', '["cam-a"]', '["cam-a","cam-b"]', '["no-such-cam"]']), kind: 'valid' };
  if (roll < 0.65) return { json: deepJson(rng, rng.pick([100, 1_000, 5_000, 10_000, 20_000])), kind: 'deep' };
  if (roll < 0.72) return { json: JSON.stringify('x'.repeat(rng.pick([1_000, 30_000, 59_000, 70_000, 200_000]))), kind: 'huge-string' };
  if (roll < 0.78) return { json: `[${Array.from({ length: rng.pick([257, 5_000]) }, (_, i) => `"c${i}"`).join(',')}]`, kind: 'long-list' };
  return { json: oddJson(rng), kind: 'odd' };
}

/** A socket.io EVENT packet: type, ack id, then the JSON array of event name and arguments. */
function eventPacket(type: string, ackId: number | null, args: string[]): string {
  return `${type}${ackId ?? ''}[${args.join(',')}]`;
}

/** Packets that are not well-formed socket.io (the server may drop the connection). */
function malformed(rng: Rng, event: string, ackId: number): { frames: Frame[]; kind: string } {
  const name = JSON.stringify(event);
  const kind = rng.pick(['bad-json', 'unknown-type', 'wrong-types', 'bad-attachments', 'placeholder', 'reserved', 'namespace', 'engine-frame', 'binary-alone', 'deep-binary', 'huge-id', 'empty'] as const);
  const engine = (data: string | Buffer): Frame => ({ via: 'engine', data });
  switch (kind) {
    case 'bad-json':
      return { kind, frames: [engine(rng.pick([`2${ackId}[${name},`, `2${ackId}[${name},{]`, `2${ackId}{"a":1}`, `2${ackId}[${name},NaN]`, `2${ackId}[${name},'x']`, `2${ackId}[`, '2[]', '2"x"', `2${ackId}[${name},${'['.repeat(10_000)}]`]))] };
    case 'unknown-type':
      return { kind, frames: [engine(`${rng.pick(['7', '8', '9', 'x', '-', ' ', '\u0000'])}${ackId}[${name}]`)] };
    case 'wrong-types':
      return { kind, frames: [engine(rng.pick([`3${ackId}[${name}]`, `6${ackId}[]`, `4${ackId}"err"`, `1${ackId}`, `0${ackId}[]`, `3${ackId}{}`]))] };
    case 'bad-attachments':
      return { kind, frames: [engine(`5${rng.pick(['0', '-1', '11', '1e1', 'x', '99999'])}-${ackId}[${name},{"_placeholder":true,"num":0}]`), engine(Buffer.from([1, 2, 3]))] };
    case 'placeholder': {
      // Declares one attachment, then points past it, or sends two, or none.
      const num = rng.pick(['1', '-1', '"0"', '1e9', 'null', '0.5']);
      return { kind, frames: [engine(`51-${ackId}[${name},{"_placeholder":true,"num":${num}}]`), ...(rng.chance(0.5) ? [engine(Buffer.from([1])), engine(Buffer.from([2]))] : [])] };
    }
    case 'reserved':
      return { kind, frames: [engine(eventPacket('2', ackId, [JSON.stringify(rng.pick(RESERVED)), '{}']))] };
    case 'namespace':
      return { kind, frames: [engine(rng.pick(['0/admin,', '0/nope,{}', '2/admin,["subscribe",null]', '0{"token":"wrong-token-0123456789abcdef"}', '0{"token":null}', '0[]', '1', '1/nope,']))] };
    case 'engine-frame':
      return { kind, frames: [{ via: 'ws', data: rng.pick(['9', '', '0', '1', '2', '3', '5', '6', '2probe', '4', 'x'.repeat(100), '\u0000', '40/' + 'x'.repeat(1_000) + ',']) }] };
    case 'binary-alone':
      return { kind, frames: [engine(Buffer.from(rng.pick([[0], [0xff, 0xfe], [52, 50, 91, 93]])))] };
    case 'deep-binary': {
      // The attachment placeholder at the bottom of deep nesting: socket.io-parser rebuilds packets recursively.
      const depth = rng.pick([100, 5_000, 20_000]);
      return { kind, frames: [engine(`51-${ackId}[${name},${'['.repeat(depth)}{"_placeholder":true,"num":0}${']'.repeat(depth)}]`), engine(Buffer.from([7]))] };
    }
    case 'huge-id':
      return { kind, frames: [engine(`2${'9'.repeat(rng.pick([16, 30, 400]))}[${name},null]`)] };
    case 'empty':
      return { kind, frames: [engine(rng.pick(['', '2', '5', '51-', '2/', '2,']))] };
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Byte length of what engine.io will carry for these frames (its biggest message). */
function largest(frames: Frame[]): number {
  return Math.max(0, ...frames.map((f) => (typeof f.data === 'string' ? Buffer.byteLength(f.data) + 1 : f.data.length)));
}

/** A packets case for a lane of `role`; ack ids come from `nextAckId` so they never collide. */
export function socketPacketCase(rng: Rng, events: DocumentedEvent[], id: number, role: LaneRole, nextAckId: () => number): SocketPacketCase {
  const known = rng.chance(0.85);
  const event = known ? rng.pick(events).event : rng.pick(UNKNOWN_EVENTS);
  const mutations: string[] = [];
  const wantsAck = rng.chance(0.8);
  const ackId = wantsAck ? nextAckId() : null;
  if (rng.chance(0.2)) {
    const bad = malformed(rng, event, ackId ?? nextAckId());
    return { kind: 'packets', id, role, event, frames: bad.frames, ackId: null, expect: 'any', mutations: [`malformed:${bad.kind}`] };
  }
  const payload = payloadFor(rng, event);
  mutations.push(`payload:${payload.kind}`);
  const args = [JSON.stringify(event), payload.json];
  let frames: Frame[];
  if (rng.chance(0.1)) {
    // Many arguments after the payload: the ack must still be the last.
    for (let i = rng.pick([2, 100, 2_000]); i > 0; i--) args.push(rng.pick(['1', 'null', '"x"', '{}']));
    mutations.push('many-args');
  }
  if (rng.chance(0.12)) {
    const count = rng.int(1, 3);
    const placeholders = Array.from({ length: count }, (_, i) => `{"_placeholder":true,"num":${i}}`);
    args.splice(1, 1, placeholders.length === 1 ? placeholders[0]! : `{"scene":${placeholders[0]},"cameras":[${placeholders.slice(1).join(',')}]}`);
    const buffers = Array.from({ length: count }, (_, i) => Buffer.alloc(rng.pick([0, 1, 1_000, 30_000]), i));
    frames = [{ via: 'engine', data: eventPacket(`5${count}-`, ackId, args) }, ...buffers.map((b) => ({ via: 'engine' as const, data: b }))];
    mutations.push(`binary:${count}`);
  } else {
    frames = [{ via: 'engine', data: eventPacket('2', ackId, args) }];
  }
  const wellFormed = largest(frames) <= SAFE_MESSAGE_BYTES && isJson(`[${args.join(',')}]`);
  const declared = events.find((e) => e.event === event);
  let expect: Expectation = 'quiet';
  if (!wellFormed) expect = 'any';
  else if (declared && ackId !== null) expect = declared.access === 'viewer' || role !== 'viewer' ? 'ack' : 'forbidden';
  else if (!declared && ackId !== null) expect = 'unknown';
  return { kind: 'packets', id, role, event, frames, ackId: expect === 'quiet' || expect === 'any' ? null : ackId, expect, mutations };
}

function withoutLoneSurrogates(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A handshake: `auth` and `query` as a client might send them, with valid, wrong and odd tokens. */
export function socketConnectCase(rng: Rng, tokens: Record<Role, string>, id: number): SocketConnectCase {
  const real = rng.pick([tokens.admin, tokens.operator, tokens.viewer, tokens.viewer, tokens.publish]);
  const token = rng.pick<unknown>([
    real,
    real,
    real,
    real,
    `${real} `,
    ` ${real}`,
    `${real}x`,
    real.slice(0, -1),
    real.toUpperCase(),
    '',
    null,
    123,
    true,
    [real],
    { token: real },
    { toString: real },
    'wrong-token-0123456789abcdef',
    'x'.repeat(10_000),
    `${real}\u0000`,
    oddString(rng),
  ]);
  const place = rng.pick(['auth', 'auth', 'query', 'both', 'none', 'auth-odd'] as const);
  // socket.io-client percent-encodes the query and throws, out of reach, on a lone surrogate.
  const query = place === 'query' || place === 'both' ? { token: withoutLoneSurrogates(typeof token === 'string' ? token : JSON.stringify(token)) } : undefined;
  const auth = place === 'auth' || place === 'both' ? { token } : place === 'auth-odd' ? rng.pick<unknown>([null, [], 'token', { token: { $ne: null } }, { Token: real }, { __proto__: { token: real } }]) : undefined;
  return { kind: 'connect', id, ...(auth !== undefined ? { auth } : {}), ...(query ? { query } : {}), mutations: [`handshake:${place}`] };
}
