import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePlan, parseCoveragePlan, sceneCoverage, shotMatchesItem } from '../../server/coverage/coverage-plan.js';
import { slateMark, takeMarkIndex, takeMarkNotes, withTakeMarks } from '../../server/coverage/take-marks.js';
import { exportShots } from '../../server/exports/export-shots.js';
import { shotComment } from '../../server/exports/shot-description.js';
import { parseShotPatch, parseTakeMark } from '../../server/api/request-schemas.js';
import { isShotscaleError } from '../../server/errors.js';
import { shotFraming, type Take } from '../../server/shared/shots.js';
import { parseAle, parseCsv, parseEdl, readOtio } from '../support/export-parsers.js';
import { shotLog, T0 } from '../support/shot-records.js';

const plan = parseCoveragePlan({
  scene: '12',
  items: [
    { id: 'master', scale: 'WS+' },
    { id: 'anna', label: 'CU or tighter, single, Anna', scale: 'CU-', framing: 'single', tag: 'anna' },
  ],
});
const take = (fields: Partial<Take>): Pick<Take, 'scene' | 'take' | 'mark' | 'startedAt'> => ({ scene: '12', take: '1', mark: null, startedAt: T0, ...fields });

describe('operator framing', () => {
  test("a shot the detector read as no one meets a single item once an operator sets single; the detector's framing stays beside", () => {
    const shot = shotLog();
    const anna = shot('CU', 4, { framing: 'none', tags: ['Anna'] });
    assert.equal(shotMatchesItem(anna, plan.items[1]!), false);
    const set = { ...anna, operatorFraming: 'single' as const };
    assert.equal(shotFraming(set), 'single');
    assert.equal(shotMatchesItem(set, plan.items[1]!), true);
    assert.equal(set.subjects?.framing, 'none', "the detector's framing is kept beside");
    assert.equal(shotMatchesItem({ ...set, operatorFraming: 'two-shot' }, plan.items[1]!), false, "the operator's framing wins over a detector that read single too");
  });

  test('PATCH body: framing is one of the plan framings or null; anything else is refused naming the field', () => {
    assert.deepEqual(parseShotPatch({ framing: 'two-shot' }), { framing: 'two-shot' });
    assert.deepEqual(parseShotPatch({ framing: null }), { framing: null });
    assert.throws(() => parseShotPatch({ framing: 'none' }), (e: unknown) => isShotscaleError(e, 'BAD_REQUEST') && /framing/.test(e.message));
  });
});

describe('take marks', () => {
  test('PATCH body: circled, ng or null; nothing else', () => {
    assert.equal(parseTakeMark({ mark: 'circled' }), 'circled');
    assert.equal(parseTakeMark({ mark: null }), null);
    // As the exports and the dashboard write them: any case, stored in the canonical lower case.
    assert.equal(parseTakeMark({ mark: 'NG' }), 'ng');
    assert.equal(parseTakeMark({ mark: 'Circled' }), 'circled');
    for (const body of [{ mark: 'good' }, { mark: 'N G' }, { mark: 1 }, {}, { mark: 'ng', extra: 1 }, null]) {
      assert.throws(() => parseTakeMark(body), (e: unknown) => isShotscaleError(e, 'BAD_REQUEST') && /take mark/.test(e.message), JSON.stringify(body));
    }
  });

  test("a slate's mark is its latest take's (a number slated again reads the newest); a stale mark on a shot is replaced or removed", () => {
    const index = takeMarkIndex([take({ take: '3', mark: 'ng' }), take({ take: '3', startedAt: T0 + 10 }), take({ take: '4', mark: 'circled' })]);
    const shot = shotLog();
    const [three, four, other] = withTakeMarks([shot('MS', 3, { take: '3', takeMark: 'ng' }), shot('MS', 3, { take: '4' }), shot('MS', 3, { scene: '13', take: '4' })], index);
    assert.equal(three!.takeMark, undefined);
    assert.equal(four!.takeMark, 'circled');
    assert.equal(other!.takeMark, undefined, 'another scene');
  });

  test("the mark a slate's shots carry, as take:mark sends it: an earlier take of a number slated again changes none", () => {
    const index = takeMarkIndex([take({ take: '3', mark: 'ng' }), take({ take: '3', startedAt: T0 + 10 }), take({ take: '4', mark: 'circled' })]);
    assert.equal(slateMark(index, '12', '3'), null, 'take 3 again is unmarked: its shots carry no mark');
    assert.equal(slateMark(index, '12', '4'), 'circled');
    assert.equal(slateMark(index, '13', '4'), null, 'another scene');
  });

  test("an NG take's shots meet no item and are left out of the scene's figures; the notes say which takes are marked", () => {
    const shot = shotLog();
    const shots = withTakeMarks(
      [shot('WS', 5, { take: '1' }), shot('CU', 4, { take: '2', framing: 'single', tags: ['anna'] }), shot('CU', 6, { take: '3', framing: 'single', tags: ['anna'] })],
      takeMarkIndex([take({ take: '1', mark: 'circled' }), take({ take: '2', mark: 'ng' }), take({ take: '3', mark: 'ng' })]),
    );
    const coverage = sceneCoverage('12', null, shots, plan);
    assert.deepEqual(coverage.missing, ['anna']);
    assert.equal(coverage.stats.shots, 1);
    assert.equal(coverage.stats.seconds, 5);
    assert.equal(coverage.stats.byScale.CU.count, 0);
    assert.deepEqual(coverage.marks, [
      { take: '1', mark: 'circled', shots: 1 },
      { take: '2', mark: 'ng', shots: 1 },
      { take: '3', mark: 'ng', shots: 1 },
    ]);
    // Cleared: counted again.
    const cleared = withTakeMarks(shots, takeMarkIndex([take({ take: '2' })]));
    assert.deepEqual(evaluatePlan(plan, cleared).map((s) => s.met), [true, true]);
    assert.equal(sceneCoverage('12', null, cleared, plan).marks, undefined);
    assert.deepEqual(takeMarkNotes([]), []);
  });
});

describe('exports: take marks and operator framing', () => {
  const shot = shotLog();
  const shots = [
    shot('CU', 4, { take: '3', takeMark: 'circled', framing: 'none', operatorFraming: 'single' }),
    shot('WS', 4, { take: '4', takeMark: 'ng', framing: 'group' }),
    shot('MS', 4, { take: '5' }),
  ];
  const text = (format: Parameters<typeof exportShots>[1]) => exportShots(shots, format, { title: 't' }).body.toString();

  test('CSV: take_mark, the framing used (operator or detector) and the detector framing beside', () => {
    const rows = parseCsv(text('csv'));
    assert.deepEqual(rows.map((r) => r.take_mark), ['circled', 'ng', '']);
    assert.deepEqual(rows.map((r) => [r.framing, r.framing_set_by, r.detector_framing]), [['single', 'operator', 'none'], ['group', 'detector', 'group'], ['', '', '']]);
  });

  test('EDL comments, ALE columns, OTIO metadata and FCPXML keywords carry the mark where the take is written', () => {
    const edl = parseEdl(text('edl'));
    const comments = edl.events.map((e) => e.comments.join(' '));
    assert.match(comments[0]!, /take 3 \(circled\)/);
    assert.match(comments[1]!, /take 4 \(NG\)/);
    assert.doesNotMatch(comments[2]!, /circled|NG/);
    const ale = parseAle(text('ale'));
    assert.deepEqual(ale.rows.map((r) => r['Take Mark']), ['circled', 'NG', '']);
    assert.deepEqual(ale.rows.map((r) => r.Framing), ['single', 'group', '']);
    const otio = JSON.stringify(readOtio(text('otio')));
    assert.match(otio, /"takeMark":"circled"/);
    assert.match(otio, /"framingSetBy":"operator"/);
    assert.match(text('fcpxml'), /<keyword [^>]*value="circled"/);
    assert.match(shotComment(shots[0]!), /single \(framing set by operator\)/);
  });
});

describe('Shots view: a take:mark on the shots listed', () => {
  test('every shot of the scene and take number gets the mark, cleared by null; others and an unchanged list stay the same objects', async () => {
    const { withSlateMarks } = await import('../../web/src/lib/take-marks.js');
    const shot = shotLog();
    const shots = [shot('MS', 3, { take: '2' }), shot('CU', 3, { take: '2' }), shot('WS', 3, { take: '3', takeMark: 'ng' }), shot('MS', 3, { scene: '13', take: '2' })];
    const circled = withSlateMarks(shots, [{ scene: '12', take: '2', mark: 'circled' }]);
    assert.deepEqual(circled.map((s) => s.takeMark), ['circled', 'circled', 'ng', undefined]);
    assert.equal(circled[2], shots[2], 'a shot of another take is left as it was');
    assert.equal(circled[3], shots[3], 'take 2 of another scene is left as it was');
    // Heard in order: the last word on a slate wins; null clears (no takeMark key left, as the server lists it).
    const later = withSlateMarks(circled, [{ scene: '12', take: '3', mark: null }, { scene: '12', take: '2', mark: 'ng' }, { scene: '12', take: '2', mark: null }]);
    assert.deepEqual(later.map((s) => s.takeMark), [undefined, undefined, undefined, undefined]);
    assert.equal('takeMark' in later[0]!, false);
    assert.equal(withSlateMarks(circled, [{ scene: '12', take: '2', mark: 'circled' }]), circled, 'nothing new: the same list');
    assert.equal(withSlateMarks(shots, []), shots);
  });
});

describe('Coverage view words', () => {
  test('a take line says circled, NG with the shots not counted, and running', async () => {
    const { takeMarkLine } = await import('../../web/src/lib/take-marks.js');
    assert.equal(takeMarkLine({ take: '3', mark: 'circled', endedAt: 1 }), 'Take 3 · circled');
    assert.equal(takeMarkLine({ take: '4', mark: 'ng', endedAt: 1 }, [{ take: '4', mark: 'ng', shots: 2 }]), 'Take 4 · NG: not counted (2 shots)');
    assert.equal(takeMarkLine({ take: '5', mark: null, endedAt: null }), 'Take 5 · running');
  });
});
