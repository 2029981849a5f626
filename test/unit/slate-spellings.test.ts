/**
 * One spelling per take and scene: a take written as a whole number in
 * another way ("01", "+1", "1.0") is that number, a scene in Unicode NFC;
 * the shot log refuses a used take however it is written, and the plan
 * editor's form refuses a minimum shot length past a day as the server does.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../server/config/load-config.js';
import { parseCoveragePlan, shotMatchesItem } from '../../server/coverage/coverage-plan.js';
import { isShotscaleError } from '../../server/errors.js';
import { canonicalTake, slateText } from '../../server/shared/input-limits.js';
import { silentLogger } from '../../server/shared/logger.js';
import { ShotLog } from '../../server/shots/shot-log.js';
import { emptyRow, rowsToPlan } from '../../web/src/lib/shot-filters.js';
import { shotLog } from '../support/shot-records.js';

describe('canonicalTake and slateText', () => {
  test('a whole number written with "+", leading zeros or a zero fraction is the number', () => {
    for (const [text, take] of [['1', '1'], ['01', '1'], ['001', '1'], ['+1', '1'], ['1.0', '1'], ['1.', '1'], [' 07 ', '7'], ['0', '0'], ['00', '0'], ['-0', '0'], ['.0', '0'], ['010.00', '10']] as const) {
      assert.equal(canonicalTake(text), take, JSON.stringify(text));
    }
  });

  test('other text is kept as written: letters, fractions, a number past 2^53 (never rounded into another)', () => {
    for (const text of ['12A', '1E', 'PU1', '1.5', '-1', '9007199254740993', '1-2', '+', '.']) assert.equal(canonicalTake(text), text, JSON.stringify(text));
    assert.equal(canonicalTake('09007199254740993'), '9007199254740993');
  });

  test('scene text is trimmed and composed (NFC)', () => {
    assert.equal(slateText(' Ku\u0308che 4 '), 'K\u00fcche 4');
    assert.equal(canonicalTake('A\u0308'), '\u00c4');
    assert.equal(slateText('👨‍👩‍👧'), '👨‍👩‍👧');
  });
});

describe('the shot log', () => {
  const open = () => ShotLog.open(':memory:', validateConfig({}, '(test)'), () => Date.UTC(2025, 8, 9, 8), silentLogger, { shot() {}, takes() {}, coverage() {}, alert() {} });

  test('a used take number is refused however it is written; a decomposed scene is the composed one', () => {
    const log = open();
    try {
      log.startTake({ scene: '7', take: '1' });
      for (const take of ['01', '+1', '1.0', ' 001 ']) {
        assert.throws(
          () => log.startTake({ scene: '7', take }),
          (error: unknown) => isShotscaleError(error, 'TAKE_EXISTS') && /^scene 7 already has a take 1 /.test(error.message) && (error.details as { take: string }).take === '1',
          take,
        );
      }
      assert.equal(log.startTake({ scene: '7', take: '02' }).take, '2');
      assert.equal(log.startTake({ scene: '7', take: '1.0', again: true }).take, '1', 'again: the number, as written the usual way');
      log.startTake({ scene: 'K\u00fcche 4', take: '3' });
      assert.throws(() => log.startTake({ scene: 'Ku\u0308che 4', take: '3' }), (error: unknown) => isShotscaleError(error, 'TAKE_EXISTS') && (error.details as { scene: string }).scene === 'K\u00fcche 4');
      const next = log.startTake({ scene: 'Ku\u0308che 4' });
      assert.deepEqual([next.scene, next.take], ['K\u00fcche 4', '4']);
    } finally {
      log.close();
    }
  });
});

describe('plans', () => {
  test('a plan scene, tag and label are composed (NFC); a tag meets shots tagged in either spelling', () => {
    const plan = parseCoveragePlan({ scene: 'Ku\u0308che 4', items: [{ id: 'j', scale: 'ECU..EWS', tag: 'Ju\u0308rgen', label: 'Ju\u0308rgen close', minDurationS: 0 }] });
    assert.equal(plan.scene, 'K\u00fcche 4');
    assert.equal(plan.items[0]!.tag, 'J\u00fcrgen');
    assert.equal(plan.items[0]!.label, 'J\u00fcrgen close');
    const shot = shotLog();
    // A tag stored before tags were composed still meets the item.
    assert.equal(shotMatchesItem(shot('CU', 3, { tags: ['ju\u0308rgen'] }), plan.items[0]!), true);
    assert.equal(shotMatchesItem(shot('CU', 3, { tags: ['J\u00fcrgen'] }), plan.items[0]!), true);
    assert.equal(shotMatchesItem(shot('CU', 3, { tags: ['Jurgen'] }), plan.items[0]!), false);
  });

  test("the plan editor's form refuses a minimum shot length past a day, as the server does", () => {
    const result = rowsToPlan([{ ...emptyRow('a'), scale: 'WS', minDurationS: '1e308' }]);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.deepEqual(result.problems.map((p) => p.field), ['minDurationS']);
      assert.match(result.problems[0]!.message, /minimum duration 1e308 s is more than a day: at most 86400 s/);
    }
    const day = rowsToPlan([{ ...emptyRow('a'), scale: 'WS', minDurationS: '86400' }]);
    assert.equal(day.ok, true);
    if (day.ok) assert.equal(parseCoveragePlan({ scene: '1', ...day.body }).items[0]!.minDurationS, 86400);
  });
});
