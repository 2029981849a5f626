/**
 * Where JSON text stops being JSON. Node 20's parser says "Unexpected token
 * 'u'" without a position for most broken bodies; a client fixing its
 * request needs to know where. The body's depth is checked before (at most
 * 32 levels), so the recursion here stays shallow.
 */

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A string's characters up to its closing quote, or to the character that breaks it. */
const STRING_CHARACTERS = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

/** The offset of the first character that breaks `text` as JSON (text.length: it ends early), or null when it is JSON. */
export function jsonErrorOffset(text: string): number | null {
  let at = 0;
  const skip = () => {
    while (at < text.length && WHITESPACE.has(text.charCodeAt(at))) at++;
  };
  const fail = (): never => {
    throw at;
  };
  const expect = (char: string) => {
    skip();
    if (text[at] !== char) fail();
    at++;
  };
  const string = () => {
    if (text[at] !== '"') fail();
    STRING_CHARACTERS.lastIndex = at + 1;
    STRING_CHARACTERS.test(text);
    at = STRING_CHARACTERS.lastIndex;
    // Anything but the closing quote here (a control character, a bad escape, the end) is where it breaks.
    if (text[at] !== '"') fail();
    at++;
  };
  const value = (): void => {
    skip();
    const c = text[at];
    if (c === '{') {
      at++;
      skip();
      if (text[at] === '}') return void at++;
      for (;;) {
        skip();
        string();
        expect(':');
        value();
        skip();
        if (text[at] === ',') at++;
        else return expect('}');
      }
    }
    if (c === '[') {
      at++;
      skip();
      if (text[at] === ']') return void at++;
      for (;;) {
        value();
        skip();
        if (text[at] === ',') at++;
        else return expect(']');
      }
    }
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, at)) return void (at += word.length);
    }
    NUMBER.lastIndex = at;
    if (!NUMBER.test(text)) fail();
    at = NUMBER.lastIndex;
  };
  try {
    value();
    skip();
    return at < text.length ? at : null;
  } catch (offset) {
    return Math.min(offset as number, text.length);
  }
}
