/**
 * What the Coverage view's pure helpers say where they used to say
 * something else: a scene whose takes are all NG, and the plan form's
 * bounds, checked as the server checks them and said at the field.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseCoveragePlan } from '../../server/coverage/coverage-plan.js';
import { sceneStatsLine } from '../../web/src/lib/scene-list.js';
import { MAX_PLAN_ITEMS } from '../../server/shared/input-limits.js';
import { emptyRow, rowsToPlan, sceneNameProblem, type PlanRow } from '../../web/src/lib/shot-filters.js';

const none = { shots: 0, seconds: 0, averageShotLengthS: 0, noPicture: { count: 0, seconds: 0 } };

test('a scene with shots only in NG takes says they were not counted; without any, "no shots yet"', () => {
  assert.equal(sceneStatsLine(none, [{ take: '3', mark: 'ng', shots: 4 }]), 'no shots counted: 4 shots in NG takes');
  assert.equal(sceneStatsLine(none, [{ take: '3', mark: 'ng', shots: 1 }, { take: '4', mark: 'ng', shots: 2 }]), 'no shots counted: 3 shots in NG takes');
  assert.equal(sceneStatsLine(none, [{ take: '3', mark: 'ng', shots: 1 }]), 'no shots counted: 1 shot in NG takes');
  // A circled take counts: its shots are in the figures, never here.
  assert.equal(sceneStatsLine(none, [{ take: '2', mark: 'circled', shots: 0 }]), 'no shots yet');
  assert.equal(sceneStatsLine(none), 'no shots yet');
  assert.equal(sceneStatsLine({ shots: 2, seconds: 12, averageShotLengthS: 6 }, [{ take: '3', mark: 'ng', shots: 4 }]), '2 shots · average 6.0 s · 12.0 s of camera time');
});

const row = (fields: Partial<PlanRow>): PlanRow => ({ ...emptyRow('master'), scale: 'WS+', ...fields });

test('a label over 120 characters or a tag over 64 is said at its field and item, as the server would refuse it', () => {
  const result = rowsToPlan([row({}), row({ id: 'two', label: `  ${'x'.repeat(121)}  `, tag: 'T'.repeat(65) })]);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(
    result.problems.map((p) => [p.row, p.field, p.message]),
    [
      [1, 'label', 'item 2: the label has 121 characters, at most 120'],
      [1, 'tag', 'item 2: the tag has 65 characters, at most 64'],
    ],
  );
  // At the bounds (spaces around are trimmed, as the server trims them), the server takes what the form sends.
  const fits = rowsToPlan([row({ label: ` ${'x'.repeat(120)} `, tag: 'T'.repeat(64) })]);
  assert.ok(fits.ok);
  if (!fits.ok) return;
  assert.equal(parseCoveragePlan({ scene: '12', ...fits.body }).items[0]!.label.length, 120);
  assert.throws(() => parseCoveragePlan({ scene: '12', items: [{ id: 'a', scale: 'WS+', label: 'x'.repeat(121) }] }), /at most 120/);
});

test('control characters in a label or tag, and more items than a plan holds, are refused before sending', () => {
  const result = rowsToPlan([row({ label: 'Wide\u202emaster', tag: 'An\tna' })]);
  assert.equal(result.ok, false);
  if (!result.ok) assert.deepEqual(result.problems.map((p) => p.field), ['label', 'tag']);
  const many = rowsToPlan(Array.from({ length: MAX_PLAN_ITEMS + 1 }, (_, i) => row({ id: `i${i}` })));
  assert.equal(many.ok, false);
  if (!many.ok) assert.deepEqual(many.problems.map((p) => p.message), [`a plan has at most ${MAX_PLAN_ITEMS} items (this one has ${MAX_PLAN_ITEMS + 1})`]);
  assert.ok(rowsToPlan(Array.from({ length: MAX_PLAN_ITEMS }, (_, i) => row({ id: `i${i}` }))).ok);
});

test('a scene name typed to plan: at most 64 characters and no control characters, as the server takes it', () => {
  assert.equal(sceneNameProblem('12A'), null);
  assert.equal(sceneNameProblem(` ${'S'.repeat(64)} `), null);
  assert.equal(sceneNameProblem('S'.repeat(65)), 'a scene name has at most 64 characters (this one has 65)');
  assert.match(sceneNameProblem('12\u0000') ?? '', /no control characters/);
  assert.throws(() => parseCoveragePlan({ scene: 'S'.repeat(65), items: [{ id: 'a', scale: 'WS+' }] }), /at most 64/);
});
