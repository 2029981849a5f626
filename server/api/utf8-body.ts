/**
 * Request bodies as UTF-8 text, strictly: bytes that are not UTF-8 are
 * refused saying where, never read as U+FFFD. A string decode replaced them,
 * and "café" sent in Latin-1 was stored as "caf\uFFFD" in the shot log, its
 * exports and the take slate, answered 200.
 */
import { ShotscaleError } from '../errors.js';

/** The charset a Content-Type names (`application/json; charset=iso-8859-1`), unquoted; null when it names none. */
export function declaredCharset(contentType: string | undefined): string | null {
  const found = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return found ? (found[1] ?? found[2] ?? '').trim() : null;
}

/**
 * Where bytes stop being UTF-8 (RFC 3629): the offset of the first byte that
 * does not begin or continue a character (a Latin-1 "é" is 0xE9, a lone
 * continuation byte, an overlong form, an encoded surrogate ED A0 80, a code
 * point past U+10FFFF, a character cut off at the end). Null when all are.
 */
export function utf8ErrorAt(bytes: Uint8Array): number | null {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // The second byte's range excludes overlong forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
    let follow = 0;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) follow = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      follow = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      follow = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= follow; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += follow + 1;
  }
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as UTF-8 text, or a 400 BAD_REQUEST saying at which byte they are
 * not: never a U+FFFD in place of what was sent. `what` names the bytes
 * ("the body", "the offer"). A byte order mark at the start is dropped.
 */
export function utf8Text(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const at = utf8ErrorAt(bytes) ?? 0;
    const hex = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    throw new ShotscaleError(
      'BAD_REQUEST',
      `${what} is not UTF-8 text: it breaks at byte ${at} (0x${hex}, counting from 0); send the text encoded as UTF-8 (a Latin-1 "é" is the one byte E9, in UTF-8 it is C3 A9)`,
    );
  }
}

/**
 * A body as text in the charset its Content-Type declares: UTF-8 (strictly,
 * utf8Text) where it declares none; another the WHATWG Encoding standard
 * knows (`iso-8859-1`, `windows-1252`, `us-ascii`, `utf-16le`), decoded as
 * declared, as some HTTP client libraries label JSON by default; one no
 * decoder knows, 415. Never a U+FFFD in place of a byte it cannot read.
 */
export function declaredText(bytes: Uint8Array, contentType: string | undefined, what: string): string {
  const charset = declaredCharset(contentType);
  if (charset === null || /^utf-?8$/i.test(charset)) return utf8Text(bytes, what);
  const shown = JSON.stringify(charset.slice(0, 40));
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new ShotscaleError('UNSUPPORTED_MEDIA_TYPE', `${what} is declared as charset=${shown}, which this server cannot read: send it as UTF-8 (charset=utf-8, or no charset)`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ShotscaleError('BAD_REQUEST', `${what} is not ${shown} text, as its content-type says: send it as UTF-8 (charset=utf-8, or no charset)`);
  }
}

