/**
 * The nasty values both fuzzers draw from, all from one seeded PRNG so a run
 * can be replayed: wrong JSON types, numbers past every range, strings with
 * control characters and lone surrogates, nesting up to 10,000 levels,
 * bodies up to ~300 KB (the API's limit is 256 KB), and bytes that are not
 * UTF-8. JSON is built as text, so depths that would overflow
 * JSON.stringify's recursion and literals JSON.stringify cannot write
 * (1e400, -0) are possible.
 */
import { seededRandom } from '../../server/shared/seeded-random.js';

export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Some of `items`, at least one, in random order. */
  some<T>(items: readonly T[], most = items.length): T[] {
    const pool = [...items];
    const out: T[] = [];
    const count = this.int(1, Math.min(most, pool.length));
    while (out.length < count) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }
}

/** Past the API's body limit (256 KB) and at it, where an off-by-one would show. */
export const BODY_SIZES = [1_000, 16_000, 64 * 1024, 200_000, 256 * 1024 - 64, 256 * 1024, 256 * 1024 + 1, 300_000] as const;

/** Number literals as text: out of range, not finite once parsed, negative zero, the edges of a safe integer. */
const NUMBER_LITERALS = ['1e20', '-1e20', '-1', '0', '-0', '1.5', '1e400', '-1e400', '1e-400', '9007199254740993', '2147483648', '4294967296', '1e308', '0.0000001', '65536', '99999999999999999999999'];

/** Strings a handler might not expect: numbers in disguise, names of prototypes, formats and escapes. */
const STRING_VALUES = [
  '', ' ', 'NaN', 'Infinity', '-1', '1e20', '0x10', '0o7', '0b1', '010', 'null', 'true', 'undefined', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '../../etc/passwd', '..\\..\\windows', '%00', '%2e%2e', '${SHOTSCALE_TOKEN}', '${HOME}', '{{7*7}}', "'; DROP TABLE shots; --", '" OR 1=1 --', '<script>alert(1)</script>',
  'cam-a', 'cam-b', 'no-such-cam', 'a,b,,c', 'ECU', 'WS+', 'MCU..CU', '1970-01-01T00:00:00Z', '2038-01-19T03:14:08Z', '+275760-09-13T00:00:00.000Z', '1e3',
];

/** Characters that break parsers, logs and file names (control characters, separators, lone surrogates, emoji, RTL marks). */
const ODD_CHARACTERS = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\u200b', '\u202e', '\ufeff', '\ud800', '\udfff', '\ud83c\udfac', '"', '\\', '/', ',', ';', '=', '&', '?', '#', '%', '+', '*', ':', '|', '<', '>', "'", '`'];

/** Byte sequences that are not valid UTF-8: a lone continuation, overlong forms, a UTF-16 surrogate, 0xFE/0xFF, a cut sequence. */
export const INVALID_UTF8: readonly Buffer[] = [[0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xfe], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]].map((b) => Buffer.from(b));

export function oddString(rng: Rng): string {
  const roll = rng.next();
  if (roll < 0.35) return rng.pick(STRING_VALUES);
  if (roll < 0.7) {
    const parts: string[] = [];
    const count = rng.int(1, 12);
    for (let i = 0; i < count; i++) parts.push(rng.chance(0.5) ? rng.pick(ODD_CHARACTERS) : rng.pick(['a', 'Z', '9', '-', '_', '.', ' ']));
    return parts.join('');
  }
  if (roll < 0.85) return rng.pick(['x', 'é', '\u0000', 'ab', '\ud83c\udfac']).repeat(rng.pick([65, 257, 2_001, 5_000]));
  return rng.pick(STRING_VALUES) + rng.pick(ODD_CHARACTERS) + rng.pick(STRING_VALUES);
}

/** JSON text nested `depth` levels deep: arrays, objects, or both by turns; sometimes left open. */
export function deepJson(rng: Rng, depth: number): string {
  const shape = rng.pick(['array', 'object', 'mixed', 'unclosed'] as const);
  if (shape === 'array') return '['.repeat(depth) + ']'.repeat(depth);
  if (shape === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  if (shape === 'unclosed') return '['.repeat(depth);
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const array = i % 2 === 0;
    open.push(array ? '[' : '{"k":');
    close.push(array ? ']' : '}');
  }
  return open.join('') + '0' + close.reverse().join('');
}

export const DEPTHS = [2, 31, 32, 33, 100, 1_000, 5_000, 10_000] as const;

/** A JSON value as text, of any type but (usually) not the one wanted. */
export function oddJson(rng: Rng, budget = 3): string {
  const roll = rng.next();
  if (roll < 0.2) return rng.pick(NUMBER_LITERALS);
  if (roll < 0.45) return JSON.stringify(oddString(rng));
  if (roll < 0.55) return rng.pick(['null', 'true', 'false', '[]', '{}', '""', '[null]', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}']);
  if (roll < 0.65) return deepJson(rng, rng.pick(DEPTHS));
  if (roll < 0.75 && budget > 0) {
    const items = Array.from({ length: rng.int(0, 4) }, () => oddJson(rng, budget - 1));
    return `[${items.join(',')}]`;
  }
  if (roll < 0.85 && budget > 0) {
    const entries = Array.from({ length: rng.int(0, 4) }, () => `${JSON.stringify(oddString(rng))}:${oddJson(rng, budget - 1)}`);
    return `{${entries.join(',')}}`;
  }
  if (roll < 0.92) return `[${Array.from({ length: rng.pick([300, 3_000, 20_000]) }, () => rng.pick(['1', '"cam-a"', 'null'])).join(',')}]`;
  return JSON.stringify('x'.repeat(rng.pick([100, 70_000, 250_000])));
}

/** JSON text that is not JSON: cut short, trailing commas, comments, single quotes, NaN, duplicated keys. */
export function brokenJson(rng: Rng, valid: string): string {
  const cut = valid.slice(0, rng.int(0, Math.max(0, valid.length - 1)));
  return rng.pick([cut, `${valid},`, `${valid}}`, `/*x*/${valid}`, valid.replace(/"/g, "'"), '{"scene":NaN}', '{"scene":1,"scene":{}}', '{"a":1,}', '\ufeff' + valid, `${valid}\u0000`, 'undefined', '[', '}', ' ', '']);
}

/** A JSON object with one field replaced, added, dropped or wrapped, as text. */
export function mutateObject(rng: Rng, base: Record<string, unknown>): string {
  const keys = Object.keys(base);
  const fields = keys.map((k) => [k, JSON.stringify(base[k])] as [string, string]);
  const op = rng.pick(['replace', 'replace', 'replace', 'add', 'drop', 'wrap', 'many-keys', 'nested-field'] as const);
  if (op === 'replace' && fields.length) rng.pick(fields)[1] = oddJson(rng);
  else if (op === 'add') fields.push([rng.pick([oddString(rng), '__proto__', 'constructor', 'extra']), oddJson(rng)]);
  else if (op === 'drop' && fields.length) fields.splice(rng.int(0, fields.length - 1), 1);
  else if (op === 'many-keys') for (let i = 0; i < rng.pick([100, 5_000]); i++) fields.push([`k${i}`, '1']);
  else if (op === 'nested-field' && fields.length) rng.pick(fields)[1] = deepJson(rng, rng.pick(DEPTHS));
  const text = `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  return op === 'wrap' ? rng.pick([`[${text}]`, `{"body":${text}}`, JSON.stringify(text)]) : text;
}

/** A body of about `size` bytes that is valid JSON: a long string, a long array or many keys. */
export function hugeJson(rng: Rng, size: number): string {
  const shape = rng.pick(['string', 'array', 'keys'] as const);
  if (shape === 'string') return `{"scene":${JSON.stringify('s'.repeat(Math.max(0, size - 12)))}}`;
  if (shape === 'array') return `{"cameras":[${Array.from({ length: Math.floor(size / 8) }, () => '"cam-a"').join(',')}]}`;
  return `{${Array.from({ length: Math.floor(size / 12) }, (_, i) => `"k${i}":1`).join(',')}}`;
}

/** `text` as bytes with one of the invalid UTF-8 sequences inside a string of it (or at its end). */
export function withInvalidUtf8(rng: Rng, text: string): Buffer {
  const quote = text.indexOf('"', rng.int(0, text.length));
  const at = quote >= 0 ? quote + 1 : text.length;
  return Buffer.concat([Buffer.from(text.slice(0, at), 'utf8'), rng.pick(INVALID_UTF8), Buffer.from(text.slice(at), 'utf8')]);
}
