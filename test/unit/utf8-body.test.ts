/**
 * The byte a refusal names is where the UTF-8 decoder itself stops: checked
 * against TextDecoder on seeded random bytes, and on the forms that are easy
 * to get wrong (overlong, surrogates, past U+10FFFF, cut off at the end).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredCharset, utf8ErrorAt, utf8Text } from '../../server/api/utf8-body.js';
import { isShotscaleError } from '../../server/errors.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const decodes = (bytes: Uint8Array) => {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

test('the named byte is where TextDecoder stops: everything before it decodes, nothing from it does', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // Mostly bytes at and above 0x80, where the rules are.
  const byte = () => (random() < 0.3 ? Math.floor(random() * 0x80) : 0x80 + Math.floor(random() * 0x80));
  for (let n = 0; n < 20_000; n++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 8) }, byte);
    const at = utf8ErrorAt(bytes);
    assert.equal(at === null, decodes(bytes), Buffer.from(bytes).toString('hex'));
    if (at !== null) assert.ok(decodes(bytes.subarray(0, at)), `${Buffer.from(bytes).toString('hex')}: the bytes before ${at} decode`);
  }
});

test('the forms easy to get wrong', () => {
  const cases: [string, number | null][] = [
    ['636166c3a9', null], // café
    ['f09f9880', null], // an emoji
    ['636166e9', 3], // Latin-1 é
    ['c0af', 0], // overlong "/"
    ['e08080', 0], // overlong, three bytes
    ['61eda080', 1], // a surrogate's bytes
    ['f4908080', 0], // past U+10FFFF
    ['6162e282', 2], // cut off at the end
    ['80', 0], // a continuation byte alone
  ];
  for (const [hex, at] of cases) assert.equal(utf8ErrorAt(Buffer.from(hex, 'hex')), at, hex);
});

test('utf8Text refuses with BAD_REQUEST naming the byte; charset= is read with or without quotes', () => {
  assert.throws(() => utf8Text(Buffer.from('{"a":"caf\xe9"}', 'latin1'), 'the body'), (error) => isShotscaleError(error, 'BAD_REQUEST') && /^the body is not UTF-8 text: it breaks at byte 9 \(0xE9/.test(error.message));
  assert.equal(utf8Text(Buffer.from('caf\u00e9'), 'the body'), 'café');
  assert.equal(declaredCharset('application/json; charset="ISO-8859-1"'), 'ISO-8859-1');
  assert.equal(declaredCharset('application/json;charset=utf-8'), 'utf-8');
  assert.equal(declaredCharset('application/json'), null);
});
