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
import { canonicalTake, slateKey, slateText } from '../../server/shared/input-limits.js';
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

describe('one scene in any case and spacing', () => {
  const T = Date.UTC(2025, 8, 9, 8);
  const open = (plans: unknown[] = []) =>
    ShotLog.open(':memory:', validateConfig({ coverage: { plans } }, '(test)'), () => T, silentLogger, { shot() {}, takes() {}, coverage() {}, alert() {} });

  test('slateText makes a run of spaces one; slateKey is that in lower case', () => {
    assert.equal(slateText(' Night \u00a0  Ext '), 'Night Ext', 'a no-break space too');
    assert.equal(slateKey('NIGHT  ext'), 'night ext');
    assert.equal(slateKey('Ku\u0308CHE'), slateKey('k\u00fcche'));
    assert.notEqual(slateKey('12 A'), slateKey('12A'), 'a space between is kept: "Night Ext" is no scene "NightExt"');
  });

  test('a scene or take slated in another case is the one slated first: its take numbers are used, its spelling kept', () => {
    const log = open();
    try {
      log.startTake({ scene: 'Kitchen', take: '12A' });
      assert.throws(
        () => log.startTake({ scene: 'KITCHEN  ', take: '12a' }),
        (error: unknown) => isShotscaleError(error, 'TAKE_EXISTS') && (error.details as { scene: string; take: string }).scene === 'Kitchen' && (error.details as { take: string }).take === '12A',
      );
      const next = log.startTake({ scene: 'kitchen' });
      assert.deepEqual([next.scene, next.take], ['Kitchen', '13'], 'numbered after 12A, in the first spelling');
      assert.deepEqual(log.startTake({ scene: ' Night   Ext' }).scene, 'Night Ext');
      assert.deepEqual(log.startTake({ scene: 'NIGHT EXT' }).scene, 'Night Ext');
      assert.deepEqual(log.takeStore.sceneNames(), ['Kitchen', 'Night Ext']);
      // A filter in any case finds the scene as spelled; blank text stays blank (it finds nothing, not everything).
      assert.deepEqual(log.spelling.slated({ scene: 'KITCHEN', take: '12a' }), { scene: 'Kitchen', take: '12A' });
      assert.deepEqual(log.spelling.slated({ take: '12a' }), { take: '12a' }, 'a take alone: as written, each scene keeping its own spelling of it');
      assert.deepEqual(log.spelling.slated({ scene: ' ' }), { scene: ' ' });
      assert.deepEqual(log.spelling.slated({ scene: 'Roof' }), { scene: 'Roof' }, 'a scene not in use: as typed');
    } finally {
      log.close();
    }
  });

  test("an operator's edit in another case joins the scene and its take; a take given alone is of the shot's scene", () => {
    const log = open();
    try {
      const take = log.startTake({ scene: 'Kitchen', take: '12A' });
      log.endTake();
      const record = shotLog();
      const id = log.shots.add(record('MS', 3, { scene: null, take: null }), null);
      const edited = log.patchShot(id, { scene: 'KITCHEN', take: '12a' });
      assert.deepEqual([edited.scene, edited.take, edited.takeId], ['Kitchen', '12A', take.id]);
      const other = log.shots.add(record('CU', 3, { scene: 'Kitchen', take: null }), null);
      const alone = log.patchShot(other, { take: '12a' });
      assert.deepEqual([alone.scene, alone.take, alone.takeId], ['Kitchen', '12A', take.id]);
    } finally {
      log.close();
    }
  });

  test("a cluster's spelling, read as the node joined, comes before the node's own file's", () => {
    const log = open();
    try {
      log.startTake({ scene: 'Kitchen', take: '12A' });
      log.knowClusterSlates([{ scene: 'kitchen', take: '12a' }, { scene: 'Roof', take: null }]);
      assert.deepEqual(log.spelling.slated({ scene: 'KITCHEN', take: '12A' }), { scene: 'kitchen', take: '12a' });
      assert.equal(log.spelling.scene('roof'), 'Roof', 'a scene the cluster has from an edit alone');
    } finally {
      log.close();
    }
  });

  test("a shot's scene cleared clears its take; a take given a shot with no scene is refused, and nothing changes", () => {
    const log = open();
    try {
      const record = shotLog();
      const id = log.shots.add(record('MS', 3, { scene: 'Kitchen', take: '1' }), null);
      const cleared = log.patchShot(id, { scene: null });
      assert.deepEqual([cleared.scene, cleared.take, cleared.takeId], [null, null, null], 'no "take 1" of no scene');
      for (const patch of [{ take: '2' }, { scene: null, take: '2' }]) {
        assert.throws(() => log.patchShot(id, { note: 'kept?', ...patch }), (error: unknown) => isShotscaleError(error) && error.code === 'BAD_REQUEST' && /a take is of a scene/.test(error.message), JSON.stringify(patch));
      }
      assert.equal(log.shot(id).note, null, 'a refused edit changes nothing');
      assert.deepEqual([log.patchShot(id, { scene: 'Roof', take: '2' }).scene, log.shot(id).take], ['Roof', '2']);
    } finally {
      log.close();
    }
  });

  test("a cluster's take numbers count as used: the next take is past them, and one of them is TAKE_EXISTS saying when", () => {
    const log = open();
    try {
      const at = Date.UTC(2025, 8, 9, 7, 30);
      log.knowClusterSlates([
        { scene: 'Kitchen', take: '5', shot: { from: at, to: at + 60_000 } },
        { scene: 'Kitchen', take: '2', shot: { from: at - 600_000, to: null } },
      ]);
      const next = log.startTake({ scene: 'kitchen' });
      assert.deepEqual([next.scene, next.take], ['Kitchen', '6'], 'a node started after takes 1 to 5 slates 6, not 1 again');
      log.endTake();
      const refused = (take: string) => {
        try {
          log.startTake({ scene: 'KITCHEN', take });
        } catch (error) {
          return isShotscaleError(error) ? error : null;
        }
        return null;
      };
      const five = refused('05');
      assert.equal(five?.code, 'TAKE_EXISTS');
      assert.match(five!.message, /take 5 \(shot \d\d:\d\d:\d\d to \d\d:\d\d:\d\d, on another node\); the next take is 7/);
      assert.match(refused('2')!.message, /running since \d\d:\d\d:\d\d, on another node/);
      assert.equal(log.startTake({ scene: 'Kitchen', take: '5', again: true }).take, '5', 'again: true slates it all the same');
    } finally {
      log.close();
    }
  });

  test("a take number another node's edit gave a shot is used here too; an edit here tells the cluster its slate", () => {
    const log = open();
    const told: unknown[] = [];
    log.onShotSlated((slate) => told.push(slate));
    try {
      log.knowClusterSlate({ scene: 'Roof', take: '9', shot: { from: Date.UTC(2025, 8, 9, 7), to: Date.UTC(2025, 8, 9, 7, 1) } });
      assert.equal(log.startTake({ scene: 'roof' }).take, '10');
      assert.equal(log.spelling.scene('ROOF'), 'Roof');
      const id = log.shots.add(shotLog()('MS', 3, { scene: null, take: null }), null);
      const moved = log.patchShot(id, { scene: 'Cellar', take: '4' });
      log.patchShot(id, { note: 'soft focus' });
      assert.deepEqual(told, [{ scene: 'Cellar', take: '4', shot: { from: moved.inTime, to: moved.outTime } }], 'told once: an edit that moves nothing is no slate');
    } finally {
      log.close();
    }
  });

  test("a config's plan spelled otherwise is the scene's plan; a take slated after it takes its spelling", () => {
    const log = open([{ scene: 'kitchen', items: [{ id: 'master', scale: 'WS+' }] }]);
    try {
      assert.equal(log.startTake({ scene: 'Kitchen' }).scene, 'kitchen');
      assert.ok(log.planRecord(log.spelling.scene('KITCHEN')));
      assert.deepEqual(log.planRecords().map((p) => p.scene), ['kitchen']);
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
