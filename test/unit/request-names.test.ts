/**
 * Names as the API and the config take them: scene, take and plan names at
 * most 64 characters (README, HTTP API), and no control characters (a NUL
 * or a newline in a scene breaks the exports and forges log lines).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest, parseShotPatch, takeStartSchema } from '../../server/api/request-schemas.js';
import { cameraSchema } from '../../server/config/schema.js';
import { parseCoveragePlan, readStoredPlan } from '../../server/coverage/coverage-plan.js';
import { isShotscaleError } from '../../server/errors.js';

/** C0, DEL, C1, the line and paragraph separators, a direction override and an isolate, a lone surrogate. */
const CONTROLS = ['a\u0000b', 'a\nb', 'a\rb', 'a\tb', 'a\u001bb', 'a\u007fb', 'a\u0085b', 'a\u2028b', 'a\u2029b', 'a\u202eb', 'a\u2067b', 'a\ud800b', 'a\udc00'];
const plan = (scene: unknown, item: Record<string, unknown> = {}) => ({ scene, items: [{ id: 'master', scale: 'WS+', ...item }] });

function refusedWith(code: string, pattern: RegExp, run: () => unknown): void {
  assert.throws(run, (error: unknown) => isShotscaleError(error) && error.code === code && pattern.test(error.message));
}

describe('take names', () => {
  const take = (body: unknown) => parseRequest(takeStartSchema, body, 'take { scene, take?, cameras?, again? }');

  test('control characters in a scene or take are refused, naming the field', () => {
    for (const text of CONTROLS) {
      refusedWith('BAD_REQUEST', /scene: no control characters/, () => take({ scene: text }));
      refusedWith('BAD_REQUEST', /take: no control characters/, () => take({ scene: '12', take: text }));
    }
  });

  test('names of 64 characters pass, 65 do not; a number is a name', () => {
    assert.equal(take({ scene: 'x'.repeat(64) }).scene.length, 64);
    refusedWith('BAD_REQUEST', /scene: at most 64 characters/, () => take({ scene: 'x'.repeat(65) }));
    assert.equal(take({ scene: 12, take: 3 }).take, '3');
    assert.equal(take({ scene: 'Szene 12 – Küche' }).scene, 'Szene 12 – Küche');
    assert.equal(take({ scene: 'مشهد ١٢ 🎬' }).scene, 'مشهد ١٢ 🎬', 'right-to-left text and emoji (a surrogate pair) are names');
  });

  test('a take given as a number is a whole number a slate could show, never rounded into another take', () => {
    assert.equal(take({ scene: 1, take: 999_999_999 }).take, '999999999');
    for (const number of [9007199254740993, 1e21, -1, 1.5, -1.5e300]) refusedWith('BAD_REQUEST', /take: /, () => take({ scene: '1', take: number }));
    assert.equal(take({ scene: '1', take: '9007199254740993' }).take, '9007199254740993', 'as text it is a name, kept as sent');
  });

  test('a take written as a number is held to the rule of the number, in the same words', () => {
    const refusal = (body: unknown): string => {
      try {
        take(body);
      } catch (error) {
        return isShotscaleError(error) ? `${error.code}: ${error.message}` : String(error);
      }
      return 'taken';
    };
    for (const [text, number] of [['-1', -1], ['1.5', 1.5], ['-1.5', -1.5], [' -2 ', -2], ['0.5', 0.5], ['-0.50', -0.5]] as const) {
      assert.notEqual(refusal({ scene: '1', take: number }), 'taken', `the number ${number}`);
      assert.equal(refusal({ scene: '1', take: text }), refusal({ scene: '1', take: number }), `the text ${JSON.stringify(text)}`);
    }
    assert.match(refusal({ scene: '1', take: '-1' }), /^BAD_REQUEST: .*take: not negative$/);
    assert.match(refusal({ scene: '1', take: '1.5' }), /take: a whole number, or text such as "12A"$/);
    assert.match(refusal({ scene: '1', take: 1.5 }), /take: a whole number, or text such as "12A"$/, 'the number says so too, not "a name or a number"');
    for (const text of ['12A', '3', '+2', '01', '1.0', '-', '1-2', '12.1a', '1E', 'e3', '']) assert.equal(refusal({ scene: '1', take: text }), 'taken', JSON.stringify(text));
    assert.match(refusal({ scene: '1', take: '1.000000000000000001' }), /take: a whole number/, 'a fraction too small for a double is still a fraction');
    assert.equal(take({ scene: '-1' }).scene, '-1', 'a scene is any name');
    refusedWith('BAD_REQUEST', /take: not negative/, () => parseShotPatch({ take: '-1' }));
  });

  test('a number written as code (hexadecimal, an exponent, Infinity) is refused, saying how to write it', () => {
    // Kept as text, "0x1" and "1e0" were takes beside take 1 that a spreadsheet opening the export reads as 1.
    const cases: [string, RegExp][] = [
      ['0x1', /take: "0x1" is a number written as code \(hexadecimal, an exponent, Infinity\); write the take as "1", or as text such as "12A"$/],
      ['1e0', /take: "1e0" is a number written as code .*write the take as "1",/],
      [' 1E3 ', /take: "1E3" is a number written as code .*write the take as "1000",/],
      ['-3e2', /take: "-3e2" is a number written as code .*write the take as digits,/],
      ['0b11', /write the take as "3"/],
      ['Infinity', /take: "Infinity" is a number written as code .*write the take as digits/],
    ];
    for (const [text, pattern] of cases) {
      refusedWith('BAD_REQUEST', pattern, () => take({ scene: '1', take: text }));
      refusedWith('BAD_REQUEST', pattern, () => parseShotPatch({ take: text }));
    }
  });
});

describe('shot edits', () => {
  test('scene, take and tags refuse control characters; a note keeps its lines', () => {
    refusedWith('BAD_REQUEST', /scene: no control characters/, () => parseShotPatch({ scene: 'a\u0000' }));
    refusedWith('BAD_REQUEST', /take: no control characters/, () => parseShotPatch({ take: 'a\u0007' }));
    refusedWith('BAD_REQUEST', /tags\[1\]: no control characters/, () => parseShotPatch({ tags: ['Anna', 'B\u0000en'] }));
    refusedWith('BAD_REQUEST', /note: no control characters other than newlines and tabs/, () => parseShotPatch({ note: 'fine\u0000' }));
    assert.equal(parseShotPatch({ note: 'line one\n\tline two\r\n' }).note, 'line one\n\tline two\r\n');
    refusedWith('BAD_REQUEST', /note: no control characters/, () => parseShotPatch({ note: 'half an emoji \ud83c' }));
    refusedWith('BAD_REQUEST', /note: no control characters/, () => parseShotPatch({ note: 'reads \u202ebackwards' }));
  });
});

describe('coverage plan names', () => {
  test('a plan scene is a name: at most 64 characters, as a take scene', () => {
    assert.equal(parseCoveragePlan(plan('x'.repeat(64))).scene.length, 64);
    refusedWith('PLAN_INVALID', /scene: at most 64 characters/, () => parseCoveragePlan(plan('x'.repeat(80))));
  });

  test('control characters in a scene, a tag or a label are refused, each said once', () => {
    for (const text of CONTROLS) refusedWith('PLAN_INVALID', /scene: no control characters/, () => parseCoveragePlan(plan(text)));
    refusedWith('PLAN_INVALID', /^invalid coverage plan: items\[0\]\.tag: no control characters[^;]*$/, () => parseCoveragePlan(plan('1', { tag: 'An\u0000na' })));
    refusedWith('PLAN_INVALID', /items\[0\]\.label: no control characters/, () => parseCoveragePlan(plan('1', { label: 'Master\nshot' })));
    refusedWith('PLAN_INVALID', /items\[0\]\.tag: at most 64 characters/, () => parseCoveragePlan(plan('1', { tag: 'x'.repeat(65) })));
  });

  test('a plan stored before these rules still reads', () => {
    assert.equal(readStoredPlan(plan('x'.repeat(80), { tag: 'a\u0000' })).scene.length, 80);
  });
});

describe('camera names', () => {
  test('a display name refuses control characters', () => {
    const camera = (name: string) => cameraSchema.safeParse({ id: 'c1', name, source: { kind: 'testsrc' } });
    assert.equal(camera('Stage left').success, true);
    const refused = camera('Stage\u0000left');
    assert.equal(refused.success, false);
    assert.match(refused.error!.issues[0]!.message, /no control characters/);
  });
});

describe('invisible characters in names', () => {
  const take = (body: unknown) => parseRequest(takeStartSchema, body, 'take { scene, take?, cameras?, again? }');
  /** Unicode format characters (category Cf) that show nothing: "12" and "12\u2060" were two scenes that looked the same in Coverage. */
  const INVISIBLE = ['12\u200b', '12\u2060', '1\u200e2', '1\u200f2', '12\u061c', 'so\u00adft', '12\u{e0041}', '12\u{e007f}', '1\u20642', '1\ufeff2', '\u200d12', '12\u200c', 'a\u200db', '1\u180e2'];

  test('a scene, a take, a tag, a plan name and a camera name refuse them with the control-character words', () => {
    for (const text of INVISIBLE) {
      refusedWith('BAD_REQUEST', /scene: no control characters/, () => take({ scene: text }));
      refusedWith('BAD_REQUEST', /take: no control characters/, () => take({ scene: '12', take: text }));
      refusedWith('BAD_REQUEST', /tags\[0\]: no control characters/, () => parseShotPatch({ tags: [text] }));
      refusedWith('BAD_REQUEST', /note: no control characters other than newlines and tabs/, () => parseShotPatch({ note: `a note ${text}` }));
      refusedWith('PLAN_INVALID', /scene: no control characters/, () => parseCoveragePlan(plan(text)));
      assert.equal(cameraSchema.safeParse({ id: 'c1', name: text, source: { kind: 'testsrc' } }).success, false, JSON.stringify(text));
    }
  });

  test('emoji joined with U+200D and words joined with U+200C/U+200D stay names', () => {
    for (const name of ['👨‍👩‍👧', '🏳️‍🌈 12', 'می‌خواهم', 'क्‍ष', '🎬 12A']) {
      assert.equal(take({ scene: name }).scene, name, JSON.stringify(name));
      assert.equal(parseCoveragePlan(plan(name)).scene, name);
    }
  });

  test('a byte order mark at either end is trimmed like a space; inside a name it is refused', () => {
    assert.equal(take({ scene: '\ufeff12\ufeff' }).scene, '12');
    refusedWith('BAD_REQUEST', /scene: no control characters/, () => take({ scene: '1\ufeff2' }));
  });
});
