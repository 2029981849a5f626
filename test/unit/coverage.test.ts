import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCoverage, coverageByCamera, emptyCoverage, groupShotsByScene, groupShotsByTake } from '../../server/coverage/coverage-stats.js';
import {
  coveragePlanSchema,
  DEFAULT_MIN_DURATION_S,
  describeScaleRange,
  evaluatePlan,
  missingItems,
  parseCoveragePlan,
  parseScaleSpec,
  sceneCoverage,
  type CoveragePlanInput,
} from '../../server/coverage/coverage-plan.js';
import { isShotscaleError } from '../../server/errors.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import { shotLog, T0 } from '../support/shot-records.js';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≉ ${expected}`);

describe('computeCoverage', () => {
  test('no shots: zeros everywhere, every scale present, no NaN', () => {
    const stats = computeCoverage([]);
    assert.deepEqual(stats, emptyCoverage());
    assert.equal(stats.shots, 0);
    assert.equal(stats.averageShotLengthS, 0);
    assert.deepEqual(Object.keys(stats.byScale), [...CANONICAL_SCALES]);
    assert.deepEqual(stats.histogram, [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('counts, seconds, average shot length and a histogram in canonical order summing to 1', () => {
    const shot = shotLog();
    const stats = computeCoverage([shot('WS', 6), shot('CU', 2), shot('CU', 4), shot('MS', 8)]);
    assert.equal(stats.shots, 4);
    assert.equal(stats.seconds, 20);
    assert.equal(stats.averageShotLengthS, 5);
    assert.deepEqual(stats.byScale.CU, { count: 2, seconds: 6 });
    assert.deepEqual(stats.byScale.WS, { count: 1, seconds: 6 });
    assert.deepEqual(stats.byScale.EWS, { count: 0, seconds: 0 });
    assert.deepEqual(stats.histogram, [0, 0.3, 0, 0.4, 0, 0, 0.3, 0]);
    close(stats.histogram.reduce((a, b) => a + b, 0), 1);
  });

  test('zero-length and negative durations count as shots but add no time', () => {
    const shot = shotLog();
    const stats = computeCoverage([shot('MS', 0), shot('FS', -3)]);
    assert.equal(stats.shots, 2);
    assert.equal(stats.seconds, 0);
    assert.deepEqual(stats.histogram, [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(stats.byScale.MS.count, 1);
  });

  test('a shot with no picture from cut to cut counts in no scale and in no total; one an operator gave a scale counts at it', () => {
    const shot = shotLog();
    const stats = computeCoverage([
      shot('CU', 4),
      shot('CU', 10, { readouts: 0, noPicture: 'black' }),
      shot('WS', 6),
      shot('EWS', 3, { readouts: 0, noPicture: 'white', classifierScale: 'MS' }),
    ]);
    assert.deepEqual([stats.shots, stats.seconds, stats.averageShotLengthS], [3, 13, 13 / 3]);
    assert.deepEqual(stats.noPicture, { count: 1, seconds: 10 });
    assert.deepEqual(stats.byScale.CU, { count: 1, seconds: 4 });
    assert.deepEqual(stats.byScale.EWS, { count: 1, seconds: 3 });
    close(stats.histogram.reduce((a, b) => a + b, 0), 1);
    // Black for a while inside a shot (the camera came back without a cut): that time covers no scale, the shot's length stays.
    const spell = computeCoverage([shot('MS', 20, { noPictureS: 15 }), shot('CU', 5)]);
    assert.deepEqual([spell.shots, spell.seconds, spell.averageShotLengthS, spell.byScale.MS, spell.noPicture], [2, 10, 12.5, { count: 1, seconds: 5 }, { count: 0, seconds: 15 }]);
    assert.deepEqual(spell.histogram, [0, 0.5, 0, 0.5, 0, 0, 0, 0]);
    const allBlack = computeCoverage([shot('MS', 5, { readouts: 0, noPicture: 'black' })]);
    assert.deepEqual([allBlack.shots, allBlack.seconds, allBlack.averageShotLengthS, allBlack.histogram], [0, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]]);
  });

  test('a shot with no analysed frame (a quick take start and end) counts in no scale, no total and no average; one an operator gave a scale counts', () => {
    const shot = shotLog();
    // Scene 30 as a reviewer saw it: two slivers of 0.04 s between a take's start and end, scales carried over.
    const slivers = computeCoverage([shot('ECU', 0.04, { readouts: 0 }), shot('EWS', 0.04, { readouts: 0 })]);
    assert.deepEqual([slivers.shots, slivers.averageShotLengthS, slivers.seconds], [0, 0, 0]);
    assert.deepEqual(slivers.histogram, [0, 0, 0, 0, 0, 0, 0, 0], 'no guessed scale in the histogram');
    close(slivers.unanalysed.seconds, 0.08);
    assert.equal(slivers.unanalysed.count, 2);
    const stats = computeCoverage([shot('MS', 4), shot('ECU', 0.04, { readouts: 0 }), shot('WS', 6), shot('CU', 2, { readouts: 0, classifierScale: null })]);
    assert.deepEqual([stats.shots, stats.seconds, stats.averageShotLengthS], [3, 12, 4]);
    assert.deepEqual(stats.byScale.ECU, { count: 0, seconds: 0 });
    assert.deepEqual(stats.byScale.CU, { count: 1, seconds: 2 }, 'an operator set its scale');
    assert.deepEqual(stats.unanalysed, { count: 1, seconds: 0.04 });
  });

  test('per camera: only cameras with shots, each with its own figures', () => {
    const shot = shotLog();
    const perCamera = coverageByCamera([shot('WS', 10, { cameraId: 'cam-1' }), shot('CU', 3, { cameraId: 'cam-2' }), shot('MCU', 5, { cameraId: 'cam-2' })]);
    assert.deepEqual(Object.keys(perCamera).sort(), ['cam-1', 'cam-2']);
    assert.equal(perCamera['cam-1']!.seconds, 10);
    assert.equal(perCamera['cam-2']!.shots, 2);
    assert.equal(perCamera['cam-2']!.averageShotLengthS, 4);
  });
});

describe('grouping by scene and take', () => {
  test('groups in order of first shot, unslated shots left out, take null kept apart', () => {
    const shot = shotLog();
    const shots = [
      shot('MS', 2, { scene: '14', take: '1', inTime: T0 + 50_000 }),
      shot('WS', 2, { scene: '12', take: '2', inTime: T0 + 20_000 }),
      shot('CU', 2, { scene: '12', take: '1', inTime: T0 }),
      shot('CU', 2, { scene: null, take: null, inTime: T0 + 1_000 }),
      shot('FS', 2, { scene: '12', take: '1', inTime: T0 + 5_000 }),
      shot('FS', 2, { scene: '12', take: null, inTime: T0 + 60_000 }),
    ];
    const groups = groupShotsByTake(shots);
    assert.deepEqual(
      groups.map((g) => [g.scene, g.take, g.shots.map((s) => s.scale)]),
      [
        ['12', '1', ['CU', 'FS']],
        ['12', '2', ['WS']],
        ['14', '1', ['MS']],
        ['12', null, ['FS']],
      ],
    );
    const scenes = groupShotsByScene(shots);
    assert.deepEqual([...scenes.keys()], ['12', '14']);
    assert.equal(scenes.get('12')!.length, 4);
  });
});

const EXAMPLE_PLAN: CoveragePlanInput = {
  scene: '12',
  items: [
    { id: 'master', label: 'Master', scale: 'WS+' },
    { id: 'ms', scale: 'MS' },
    { id: 'cu-anna', scale: 'CU-', framing: 'single', tag: 'Anna' },
    { id: 'singles', scale: 'MCU..CU', framing: 'single', count: 2, minDurationS: 3 },
  ],
};

describe('coverage plan syntax', () => {
  test('the example plan normalises to strict items with defaults and readable labels', () => {
    const plan = parseCoveragePlan(EXAMPLE_PLAN);
    assert.equal(plan.scene, '12');
    assert.deepEqual(plan.items, [
      { id: 'master', label: 'Master', tightest: 'WS', widest: 'EWS', count: 1, minDurationS: 2 },
      { id: 'ms', label: 'MS', tightest: 'MS', widest: 'MS', count: 1, minDurationS: 2 },
      { id: 'cu-anna', label: 'CU or tighter, single, Anna', tightest: 'ECU', widest: 'CU', framing: 'single', tag: 'Anna', count: 1, minDurationS: 2 },
      { id: 'singles', label: 'CU to MCU, single, 2 shots, at least 3 s', tightest: 'CU', widest: 'MCU', framing: 'single', count: 2, minDurationS: 3 },
    ]);
  });

  test('every scale form, any case, either order', () => {
    assert.deepEqual(parseScaleSpec('ms'), { tightest: 'MS', widest: 'MS' });
    assert.deepEqual(parseScaleSpec(' fs+ '), { tightest: 'FS', widest: 'EWS' });
    assert.deepEqual(parseScaleSpec('MCU-'), { tightest: 'ECU', widest: 'MCU' });
    assert.deepEqual(parseScaleSpec('CU..MCU'), { tightest: 'CU', widest: 'MCU' });
    assert.deepEqual(parseScaleSpec('WS..MS'), { tightest: 'MS', widest: 'WS' }, 'reversed range');
    assert.deepEqual(parseScaleSpec('MS .. WS'), { tightest: 'MS', widest: 'WS' });
    assert.deepEqual(parseScaleSpec({ tightest: 'MWS', widest: 'ws' }), { tightest: 'MWS', widest: 'WS' });
    assert.deepEqual(parseScaleSpec({ tightest: 'WS', widest: 'MWS' }), { tightest: 'MWS', widest: 'WS' });
    assert.deepEqual(parseScaleSpec('EWS+'), { tightest: 'EWS', widest: 'EWS' });
    assert.deepEqual(parseScaleSpec('ECU-'), { tightest: 'ECU', widest: 'ECU' });
  });

  test('labels describe the range', () => {
    assert.equal(describeScaleRange({ tightest: 'WS', widest: 'EWS' }), 'WS or wider');
    assert.equal(describeScaleRange({ tightest: 'ECU', widest: 'CU' }), 'CU or tighter');
    assert.equal(describeScaleRange({ tightest: 'ECU', widest: 'EWS' }), 'any scale');
    assert.equal(describeScaleRange({ tightest: 'MS', widest: 'FS' }), 'MS to FS');
    assert.equal(parseCoveragePlan({ scene: 3, items: [{ id: 'w', scale: 'FS..WS' }] }).items[0]!.label, 'FS to WS');
  });

  test('a YAML number as scene becomes its name', () => {
    assert.equal(parseCoveragePlan({ scene: 12, items: [{ id: 'a', scale: 'MS' }] }).scene, '12');
  });

  test('an unknown scale names the item and the accepted forms', () => {
    const result = coveragePlanSchema.safeParse({ scene: '12', items: [{ id: 'ok', scale: 'MS' }, { id: 'cu-ben', scale: 'XCU' }] });
    assert.equal(result.success, false);
    const issue = result.error!.issues[0]!;
    assert.deepEqual(issue.path, ['items', 1, 'scale']);
    assert.match(issue.message, /item "cu-ben"/);
    assert.match(issue.message, /"XCU" is not a scale/);
    assert.match(issue.message, /"X\+" \(X or wider\)/);
    assert.match(issue.message, /"A\.\.B"/);
  });

  test('bad ranges and objects are refused with the reason', () => {
    const bad: [unknown, RegExp][] = [
      ['MS..XX', /"MS\.\.XX" is not a scale: "XX" is no scale name/],
      ['MS..CU..WS', /not a range of two scales/],
      ['+', /"\+" is not a scale: "X\+" needs a scale before the "\+"/],
      // The spec as written, never the empty side of the range ("" is not a scale).
      ['EWS..', /item "x": "EWS\.\." is not a scale: a range needs a scale on each side of "\.\.", e\.g\. "MCU\.\.CU"/],
      ['..cu', /"\.\.cu" is not a scale: a range needs a scale on each side/],
      ['wss+', /"wss\+" is not a scale: "wss" is no scale name/],
      [{ tightest: 'CU', widest: '' }, /widest "" is not a scale/],
      [{ tightest: 'CU' }, /needs "tightest" and "widest"/],
      [{ tightest: 'CU', widest: 'MS', loosest: 'WS' }, /unknown key "loosest"/],
      [7, /7 is not a scale/],
    ];
    for (const [scale, reason] of bad) {
      assert.throws(
        () => parseCoveragePlan({ scene: '1', items: [{ id: 'x', scale }] }),
        (error: unknown) => isShotscaleError(error, 'PLAN_INVALID') && reason.test(error.message) && /items\[0\]\.scale/.test(error.message),
        String(JSON.stringify(scale)),
      );
    }
  });

  test('duplicate ids, unknown keys, empty plans and bad counts are refused', () => {
    const expectError = (input: unknown, pattern: RegExp) =>
      assert.throws(() => parseCoveragePlan(input), (error: unknown) => isShotscaleError(error, 'PLAN_INVALID') && pattern.test(error.message));
    expectError({ scene: '1', items: [{ id: 'a', scale: 'MS' }, { id: 'a', scale: 'CU' }] }, /items\[1\]\.id: duplicate item id "a"/);
    expectError({ scene: '1', items: [{ id: 'a', scale: 'MS', scales: 'CU' }] }, /unknown key "scales"/);
    expectError({ scene: '1', items: [] }, /at least one item/);
    expectError({ scene: '1', items: [{ id: 'a', scale: 'MS', count: 0 }] }, /items\[0\]\.count/);
    expectError({ scene: '1', items: [{ id: 'a', scale: 'MS', minDurationS: -1 }] }, /items\[0\]\.minDurationS/);
    // A minimum no shot meets: at most a day, said with the item.
    expectError({ scene: '1', items: [{ id: 'a', scale: 'MS', minDurationS: 1e308 }] }, /items\[0\]\.minDurationS: item "a": at most 86400 s \(a day\), 1e\+308 given/);
    assert.equal(parseCoveragePlan({ scene: '1', items: [{ id: 'a', scale: 'MS', minDurationS: 86400 }] }).items[0]!.minDurationS, 86400);
    expectError({ scene: '1', items: [{ id: 'a', scale: 'MS', framing: 'crowd' }] }, /items\[0\]\.framing/);
    expectError({ scene: '1', items: [{ id: 'a' }] }, /the scale is missing/);
    expectError({ scene: '', items: [{ id: 'a', scale: 'MS' }] }, /scene/);
  });
});

describe('evaluatePlan', () => {
  const plan = parseCoveragePlan(EXAMPLE_PLAN);

  test('a shot whose scale no frame read (black from cut to cut, or shorter than the analysis interval) meets no item; one an operator set does', () => {
    const shot = shotLog();
    const black = shot('EWS', 30, { readouts: 0, reason: 'no picture (black) throughout' });
    assert.deepEqual(evaluatePlan(plan, [black]).find((s) => s.id === 'master')?.shotIds, []);
    const corrected = shot('EWS', 30, { readouts: 0, classifierScale: 'CU' });
    assert.deepEqual(evaluatePlan(plan, [black, corrected]).find((s) => s.id === 'master')?.shotIds, [corrected.id]);
    // An item that takes any scale does not ask what the scale was: a tagged fragment too short to analyse meets it.
    const anyAnna = parseCoveragePlan({ scene: '12', items: [{ id: 'anna', scale: 'ECU..EWS', tag: 'Anna', minDurationS: 0 }] });
    const fragment = shot('MS', 0.08, { readouts: 0, tags: ['Anna'] });
    assert.deepEqual(evaluatePlan(anyAnna, [fragment])[0]?.shotIds, [fragment.id]);
  });

  test('no shots: every item missing', () => {
    const statuses = evaluatePlan(plan, []);
    assert.ok(statuses.every((s) => !s.met && s.shotIds.length === 0));
    assert.deepEqual(
      missingItems(statuses).map((s) => s.id),
      ['master', 'ms', 'cu-anna', 'singles'],
    );
    assert.deepEqual(
      statuses.map((s) => s.needed),
      [1, 1, 1, 2],
    );
  });

  test('a full take meets every item, and a shot may count for several items', () => {
    const shot = shotLog();
    const shots = [
      shot('EWS', 30), // id 1: master
      shot('MS', 5), // id 2
      shot('CU', 4, { framing: 'single', tags: ['anna'] }), // id 3: cu-anna and singles
      shot('MCU', 3, { framing: 'single', tags: ['Ben'] }), // id 4: singles
    ];
    const statuses = evaluatePlan(plan, shots);
    assert.deepEqual(
      statuses.map((s) => [s.id, s.met, s.shotIds]),
      [
        ['master', true, [1]],
        ['ms', true, [2]],
        ['cu-anna', true, [3]],
        ['singles', true, [3, 4]],
      ],
    );
    assert.deepEqual(missingItems(statuses), []);
  });

  test('scale bounds are inclusive and nothing outside them counts', () => {
    const shot = shotLog();
    const range = parseCoveragePlan({ scene: '1', items: [{ id: 'mid', scale: 'MWS..MCU' }] });
    const statuses = evaluatePlan(range, [shot('CU', 3), shot('MCU', 3), shot('MWS', 3), shot('FS', 3)]);
    assert.deepEqual(statuses[0]!.shotIds, [2, 3]);
  });

  test('minDurationS: a shot exactly that long counts, a shorter one does not', () => {
    const shot = shotLog();
    const p = parseCoveragePlan({ scene: '1', items: [{ id: 'ms', scale: 'MS', minDurationS: 2 }] });
    assert.deepEqual(evaluatePlan(p, [shot('MS', 2)])[0]!.met, true);
    assert.deepEqual(evaluatePlan(p, [shot('MS', 1.999)])[0]!.met, false);
    // 2 s as computed from milliseconds may carry rounding noise.
    assert.deepEqual(evaluatePlan(p, [shot('MS', 2 - 1e-9)])[0]!.met, true);
  });

  test('an item that sets no minimum needs 2 s (a 1 s EWS is no master); one that sets 0 takes any length', () => {
    const shot = shotLog();
    const p = parseCoveragePlan({ scene: '1', items: [{ id: 'master', label: 'Master', scale: 'WS+' }, { id: 'any-wide', scale: 'WS+', minDurationS: 0 }] });
    assert.equal(p.items[0]!.minDurationS, DEFAULT_MIN_DURATION_S);
    assert.equal(DEFAULT_MIN_DURATION_S, 2);
    const flash = shot('EWS', 1);
    assert.deepEqual(evaluatePlan(p, [flash]).map((s) => [s.id, s.met]), [['master', false], ['any-wide', true]]);
    assert.equal(evaluatePlan(p, [shot('EWS', 2)])[0]!.met, true);
    assert.equal(p.items[1]!.label, 'WS or wider', 'a minimum of 0 is not spelled out in the label, as before');
  });

  test('count: one matching shot of two needed is not enough', () => {
    const shot = shotLog();
    const statuses = evaluatePlan(plan, [shot('CU', 5, { framing: 'single' }), shot('CU', 1, { framing: 'single' })]);
    const singles = statuses.find((s) => s.id === 'singles')!;
    assert.equal(singles.met, false, 'the 1 s shot is under minDurationS');
    assert.deepEqual(singles.shotIds, [1]);
  });

  test('framing must match when given; a shot without subjects does not count', () => {
    const shot = shotLog();
    const statuses = evaluatePlan(plan, [shot('CU', 3, { framing: 'two-shot', tags: ['Anna'] }), shot('CU', 3, { tags: ['Anna'] })]);
    assert.equal(statuses.find((s) => s.id === 'cu-anna')!.met, false);
  });

  test('tags match in any case; a different tag does not count', () => {
    const shot = shotLog();
    const p = parseCoveragePlan({ scene: '1', items: [{ id: 'anna', scale: 'CU', tag: 'ANNA' }] });
    assert.deepEqual(evaluatePlan(p, [shot('CU', 3, { tags: ['Ben'] }), shot('CU', 3, { tags: ['ben', 'anna'] })])[0]!.shotIds, [2]);
  });

  test('the open shot counts when the caller passes it; shots come back in time order', () => {
    const shot = shotLog();
    const later = shot('WS', 3, { status: 'open', inTime: T0 + 60_000 });
    const earlier = shot('WS', 3, { inTime: T0 });
    assert.deepEqual(evaluatePlan(plan, [later, earlier])[0]!.shotIds, [earlier.id, later.id]);
  });
});

describe('sceneCoverage', () => {
  test('stats, per camera, plan and the ids of missing items', () => {
    const shot = shotLog();
    const plan = parseCoveragePlan(EXAMPLE_PLAN);
    const shots = [shot('WS', 10, { cameraId: 'a' }), shot('MS', 6, { cameraId: 'b' })];
    const coverage = sceneCoverage('12', '3', shots, plan);
    assert.equal(coverage.scene, '12');
    assert.equal(coverage.take, '3');
    assert.equal(coverage.stats.seconds, 16);
    assert.deepEqual(Object.keys(coverage.perCamera).sort(), ['a', 'b']);
    assert.deepEqual(coverage.missing, ['cu-anna', 'singles']);
    assert.equal(coverage.plan!.length, 4);
  });

  test('without a plan: no plan status and nothing missing', () => {
    const coverage = sceneCoverage('12', null, [], null);
    assert.equal(coverage.plan, null);
    assert.deepEqual(coverage.missing, []);
    assert.deepEqual(coverage.stats, emptyCoverage());
    assert.deepEqual(coverage.perCamera, {});
  });
});
