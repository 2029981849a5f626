import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoveragePlan } from '../../server/shared/shots.js';
import { parseCoveragePlan } from '../../server/coverage/coverage-plan.js';
import {
  EXPORT_FORMATS,
  SCALE_FILTER_OPTIONS,
  anyFilter,
  SaveOrder,
  baseAfterSave,
  changedElsewhereText,
  dismissPath,
  editableScale,
  editedFields,
  emptyRow,
  exportPath,
  filterParams,
  matchesFilters,
  nextRowId,
  parseScaleSpec,
  parseTags,
  planPath,
  planToRows,
  rowDefaultLabel,
  rowsToPlan,
  scaleSpecOf,
  shotEdit,
  shotsPath,
  tagsText,
  thumbnailPath,
  type PlanRow,
} from '../../web/src/lib/shot-filters.js';
import { formatClock, formatSeconds, textOn, SCALE_COLOURS } from '../../web/src/lib/format.js';
import { EXPORT_FORMATS as SERVER_EXPORT_FORMATS } from '../../server/exports/export-shots.js';

test('filters become query parameters, trimmed, empty ones left out', () => {
  assert.equal(filterParams({ camera: '', scene: ' 12 ', take: '' }).toString(), 'scene=12');
  assert.equal(shotsPath({ camera: 'cam-a', scene: '12A', take: '3' }, { limit: 500 }), '/api/shots?camera=cam-a&scene=12A&take=3&limit=500');
  assert.equal(shotsPath({}, { limit: 10, offset: 20 }), '/api/shots?limit=10&offset=20');
  assert.equal(shotsPath({}, { offset: 0 }), '/api/shots');
  assert.equal(shotsPath({ scene: 'a&b=c' }), '/api/shots?scene=a%26b%3Dc');
});

test('export links name the format and keep the filters; a button for every format the server exports', () => {
  assert.deepEqual(
    EXPORT_FORMATS.map((f) => f.format),
    [...SERVER_EXPORT_FORMATS],
  );
  assert.equal(exportPath({ camera: '', scene: '', take: '' }, 'csv'), '/api/shots?format=csv');
  assert.equal(exportPath({ camera: 'cam-b', scene: '7', take: '' }, 'markers'), '/api/shots?camera=cam-b&scene=7&format=markers');
});

test('paths encode keys and scenes', () => {
  assert.equal(thumbnailPath(17), '/api/shots/17/thumbnail');
  assert.equal(dismissPath('doubling:cam-1+cam-2'), '/api/alerts/doubling%3Acam-1%2Bcam-2/dismiss');
  assert.equal(dismissPath('plan-missing:12/A'), '/api/alerts/plan-missing%3A12%2FA/dismiss');
  assert.equal(planPath('12 A'), '/api/plans/12%20A');
});

test('shotsPath asks for the newest page when ordered desc', () => {
  assert.equal(shotsPath({ camera: 'cam-a', scene: '' }, { limit: 500, order: 'desc' }), '/api/shots?camera=cam-a&order=desc&limit=500');
  assert.equal(shotsPath({}, { limit: 10, offset: 20 }), '/api/shots?limit=10&offset=20');
});

test('parseTags trims, drops empties and repeats in any case', () => {
  assert.deepEqual(parseTags(' Anna, Ben ,, anna ,  '), ['Anna', 'Ben']);
  assert.deepEqual(parseTags(''), []);
});

test('a tag with a comma is written in quotes and read back whole; quotes inside are doubled', () => {
  assert.equal(tagsText(['Smith, John', 'Anna', 'anna']), '"Smith, John", Anna, anna');
  assert.deepEqual(parseTags('"Smith, John", Anna, Ben'), ['Smith, John', 'Anna', 'Ben']);
  assert.deepEqual(parseTags('  "Smith, John"  ,Anna'), ['Smith, John', 'Anna']);
  assert.equal(tagsText(['say "hi", then', '"quoted"', '6" lens']), '"say ""hi"", then", """quoted""", 6" lens');
  assert.deepEqual(parseTags('"say ""hi"", then", """quoted""", 6" lens'), ['say "hi", then', '"quoted"', '6" lens']);
  // A quote left open runs to the end of the line, commas and all.
  assert.deepEqual(parseTags('Anna, "Smith, John'), ['Anna', 'Smith, John']);
  assert.deepEqual(parseTags('"",  ""  , Anna'), ['Anna']);
});

test("any shot's tags read back from their field as they are, case-only repeats too", () => {
  const cases: string[][] = [[], ['Anna'], ['Smith, John', 'Anna', 'anna'], ['a,b,c', '"', '""', 'x"y', ' ,', 'Ünï, cödé'], ['ANNA', 'Anna', 'anna']];
  for (const tags of cases) {
    const clean = tags.map((tag) => tag.trim()).filter(Boolean);
    assert.deepEqual(parseTags(tagsText(clean), clean), clean, JSON.stringify(clean));
  }
});

test('typed case-only repeats are merged; the shot\'s own tags never are', () => {
  const kept = ['Smith, John', 'Anna', 'anna'];
  assert.deepEqual(parseTags('"Smith, John", Anna, anna, Ben, ben, ANNA', kept), ['Smith, John', 'Anna', 'anna', 'Ben']);
  // A typed tag before the kept one it repeats in case gives way to it.
  assert.deepEqual(parseTags('ANNA, Anna', ['Anna']), ['Anna']);
  assert.deepEqual(parseTags('Anna, Anna, anna'), ['Anna']);
});

test('shotEdit sends tags only when their field was edited, and keeps a tag with a comma whole', () => {
  const shot = { tags: ['Smith, John', 'Anna', 'anna'], note: null, scale: 'MS' as const };
  const opened = tagsText(shot.tags);
  assert.deepEqual(shotEdit(shot, opened, 'checked by scripty'), { note: 'checked by scripty' }, 'a note alone sends no tags');
  assert.equal(shotEdit(shot, `${opened}, `, ''), null, 'a trailing comma changes no tag');
  assert.deepEqual(shotEdit(shot, `${opened}, Ben`, ''), { tags: ['Smith, John', 'Anna', 'anna', 'Ben'] });
  assert.deepEqual(shotEdit(shot, 'Anna, "Smith, John"', ''), { tags: ['Anna', 'Smith, John'] });
});

test('a save that landed late counts as saved for the edit still open, and a change made elsewhere stays news', () => {
  const opened = { tags: ['Anna'], note: null, scale: 'MS' as const };
  // The note was saved late; meanwhile another desk changed the tags.
  const saved = { ...opened, tags: ['Ben'], note: 'boom in frame' };
  const base = baseAfterSave(opened, saved, { note: 'boom in frame' });
  assert.deepEqual(base, { tags: ['Anna'], note: 'boom in frame', scale: 'MS' });
  assert.deepEqual(editedFields(base, 'Anna', 'boom in frame'), [], 'nothing typed since: nothing unsaved');
  assert.equal(shotEdit(base, 'Anna', 'boom in frame'), null);
  assert.deepEqual(shotEdit(saved, 'Anna', 'boom in frame, soft', 'MS', '', base), { note: 'boom in frame, soft' }, 'typed since: only that is sent');
  assert.deepEqual(editedFields(baseAfterSave(opened, { ...saved, scale: 'CU' }, { scale: 'CU' }), 'Anna', '', 'CU'), [], 'a scale saved late');
});

test('a save that answers late is old news once a later save of the shot has answered', () => {
  const order = new SaveOrder();
  // Note "a" timed out; "b" was saved; "a", handled first, answers last: the row and the edit stay at "b".
  const a = order.send(7);
  const b = order.send(7);
  assert.equal(order.answer(7, b), true);
  assert.equal(order.answer(7, a), false);
  // Answering before the later save does, it is the news of then; another shot's saves count apart.
  const c = order.send(7);
  const d = order.send(7);
  assert.equal(order.answer(7, c), true);
  assert.equal(order.answer(8, order.send(8)), true);
  assert.equal(order.answer(7, d), true);
});

test('a shot heard live is listed by the filters as the server compares them', () => {
  const shot = { cameraId: 'cam-1', scene: 'Küche', take: '1', scale: 'CU' as const };
  assert.equal(matchesFilters(shot, {}), true);
  assert.equal(matchesFilters(shot, { camera: 'cam-1', scene: ' Ku\u0308che ', take: '01' }), true);
  assert.equal(matchesFilters(shot, { camera: 'cam-2' }), false);
  assert.equal(matchesFilters(shot, { scene: '12' }), false);
  assert.equal(matchesFilters(shot, { take: '2' }), false);
  assert.equal(matchesFilters({ ...shot, scene: null }, { scene: 'Küche' }), false);
  // One scene in any case and spacing: the server lists "Küche" for scene=KÜCHE (slate-spelling.ts).
  assert.equal(matchesFilters({ ...shot, scene: 'Night Ext', take: '12A' }, { scene: 'NIGHT  ext', take: '12a' }), true);
  assert.equal(matchesFilters({ ...shot, scene: 'Night Ext' }, { scene: 'NightExt' }), false);
  assert.equal(matchesFilters({ ...shot, scene: 'Night Ext', take: '12A' }, { take: '12a' }), false, 'a take alone, as the server compares it: as written');
  // The scale as exports write it: a shot without a picture has none (its scale is only carried over), unless an operator gave it one.
  assert.equal(matchesFilters(shot, { scale: 'CU', take: '1' }), true);
  assert.equal(matchesFilters(shot, { scale: 'MCU' }), false);
  const black = { ...shot, noPicture: 'black' as const };
  assert.equal(matchesFilters(black, { scale: 'CU' }), false);
  assert.equal(matchesFilters(black, { scale: 'none' }), true);
  assert.equal(matchesFilters({ ...black, classifierScale: null, scale: 'WS' as const }, { scale: 'WS' }), true);
  assert.equal(matchesFilters({ ...black, classifierScale: null }, { scale: 'none' }), false);
});

test('the scale filter offers every scale, tight to wide, then shots without a picture, and goes into the query', () => {
  assert.deepEqual(SCALE_FILTER_OPTIONS.map((o) => o.value), ['ECU', 'CU', 'MCU', 'MS', 'MWS', 'FS', 'WS', 'EWS', 'none']);
  assert.equal(SCALE_FILTER_OPTIONS[1]!.label, 'CU · close-up');
  assert.equal(shotsPath({ camera: 'cam-1', scale: 'MCU' }, { order: 'desc', limit: 500 }), '/api/shots?camera=cam-1&scale=MCU&order=desc&limit=500');
  assert.equal(exportPath({ scene: '12', scale: 'none' }, 'edl'), '/api/shots?scene=12&scale=none&format=edl');
  assert.equal(anyFilter({ camera: '', scene: ' ', take: '', scale: '' }), false);
  assert.equal(anyFilter({ camera: '', scene: '', take: '', scale: 'EWS' }), true);
});

test('a field left alone is not sent, even where the shot changed elsewhere meanwhile', () => {
  const opened = { tags: ['Anna'], note: null, scale: 'MS' as const };
  const now = { ...opened, tags: ['Ben'], note: 'from the other desk' };
  assert.deepEqual(editedFields(opened, 'Anna', 'wide for the cut'), ['note']);
  assert.deepEqual(editedFields(opened, 'Anna', '', 'CU', 'single'), ['scale', 'framing']);
  assert.deepEqual(shotEdit(now, 'Anna', 'wide for the cut', 'MS', '', opened), { note: 'wide for the cut' }, 'the tags set elsewhere stay');
  assert.deepEqual(shotEdit(now, 'Anna, Cleo', '', 'MS', '', opened), { tags: ['Anna', 'Cleo'] }, 'edited here: what is typed goes, the note set elsewhere stays');
  assert.equal(shotEdit(now, 'Anna', '', 'MS', '', opened), null);
});

test('a change made elsewhere is said with what Save does to it', () => {
  assert.equal(changedElsewhereText([], ['note']), null);
  assert.equal(changedElsewhereText(['tags'], ['note']), 'Changed elsewhere since you opened this edit (tags): Save keeps the change to the tags (not edited here).');
  assert.equal(changedElsewhereText(['note'], ['note']), 'Changed elsewhere since you opened this edit (note): Save puts what you typed in place of the note.');
  assert.equal(
    changedElsewhereText(['scale', 'tags', 'note'], ['note', 'scale']),
    'Changed elsewhere since you opened this edit (scale, tags, note): Save puts what you typed in place of the scale and note, and keeps the change to the tags (not edited here).',
  );
});

test('shotEdit sends only what changed', () => {
  const before = { tags: ['Anna'], note: null, scale: 'MCU' as const };
  assert.equal(shotEdit(before, 'Anna', ''), null);
  assert.equal(shotEdit(before, ' Anna ', '   '), null);
  assert.deepEqual(shotEdit(before, 'Anna, Ben', ''), { tags: ['Anna', 'Ben'] });
  assert.deepEqual(shotEdit(before, 'Anna', ' soft focus '), { note: 'soft focus' });
  assert.deepEqual(shotEdit({ tags: [], note: 'x', scale: 'MCU' }, '', ''), { note: null });
  // An operator's scale goes with the rest; the same scale is no change.
  assert.deepEqual(shotEdit(before, 'Anna', '', 'CU'), { scale: 'CU' });
  assert.equal(shotEdit(before, 'Anna', '', 'MCU'), null);
  // A shot with no picture has no scale to keep: left at none it stays so; any scale chosen is sent, the carried one too.
  const black = { ...before, noPicture: 'black' as const };
  assert.equal(shotEdit(black, 'Anna', ''), null);
  assert.equal(shotEdit(black, 'Anna', '', ''), null);
  assert.deepEqual(shotEdit(black, 'Anna', '', 'MCU'), { scale: 'MCU' });
  assert.deepEqual(shotEdit(black, 'Anna, Ben', ''), { tags: ['Anna', 'Ben'] }, 'tags alone set no scale');
  // Once an operator gave it one, it is a shot with that scale.
  assert.equal(shotEdit({ ...black, classifierScale: 'MCU' }, 'Anna', '', 'MCU'), null);
  // Whether or not the classifier read a scale of its own (none, in the black).
  assert.equal(editableScale({ ...black, classifierScale: null }), 'MCU');
  assert.equal(shotEdit({ ...black, classifierScale: null }, 'Anna', '', 'MCU'), null);
});

test('scale specs read as the server reads them', () => {
  assert.deepEqual(parseScaleSpec('WS+'), { tightest: 'WS', widest: 'EWS' });
  assert.deepEqual(parseScaleSpec('cu-'), { tightest: 'ECU', widest: 'CU' });
  assert.deepEqual(parseScaleSpec('MCU..CU'), { tightest: 'CU', widest: 'MCU' });
  assert.deepEqual(parseScaleSpec(' ms '), { tightest: 'MS', widest: 'MS' });
  for (const bad of ['', 'XL', 'WS++', 'CU..', 'A..B..C']) assert.equal(parseScaleSpec(bad), null, bad);
  for (const spec of ['MS', 'WS+', 'CU-', 'MCU..MS', 'ECU..EWS']) {
    assert.equal(scaleSpecOf(parseScaleSpec(spec)!), spec);
  }
});

test('a plan from the server becomes rows and back without loss', () => {
  const plan: CoveragePlan = parseCoveragePlan({
    scene: '12',
    items: [
      { id: 'master', scale: 'WS+' },
      { id: 'mid', label: 'Two-shot mid', scale: 'MS..MWS', framing: 'two-shot' },
      { id: 'singles', scale: 'MCU..CU', framing: 'single', tag: 'Anna', count: 2, minDurationS: 1.5 },
    ],
  });
  const rows = planToRows(plan);
  assert.deepEqual(rows[0], { id: 'master', label: '', scale: 'WS+', framing: '', tag: '', count: '', minDurationS: '' });
  assert.equal(rows[1]!.label, 'Two-shot mid');
  assert.deepEqual(rows[2], { id: 'singles', label: '', scale: 'CU..MCU', framing: 'single', tag: 'Anna', count: '2', minDurationS: '1.5' });
  assert.equal(rowDefaultLabel(rows[2]!), 'CU to MCU, single, Anna, 2 shots, at least 1.5 s');

  const back = rowsToPlan(rows);
  assert.ok(back.ok);
  assert.deepEqual(back.body.items[2], { id: 'singles', scale: 'CU..MCU', framing: 'single', tag: 'Anna', count: 2, minDurationS: 1.5 });
  // What the form sends, the server reads as the same plan.
  assert.deepEqual(parseCoveragePlan({ scene: '12', ...back.body }), plan);
});

test("an item's own minimum of 0 stays written in its row (an empty one is the default 2 s), and round-trips", () => {
  const plan: CoveragePlan = parseCoveragePlan({ scene: '3', items: [{ id: 'any', scale: 'WS+', minDurationS: 0 }, { id: 'two', scale: 'MS', minDurationS: 2 }] });
  const rows = planToRows(plan);
  assert.deepEqual(rows.map((row) => row.minDurationS), ['0', '']);
  assert.equal(rowDefaultLabel(rows[1]!), 'MS', 'the default minimum goes without saying');
  const back = rowsToPlan(rows);
  assert.ok(back.ok);
  assert.deepEqual(parseCoveragePlan({ scene: '3', ...back.body }), plan);
});

test('rowsToPlan names every problem with its item and field', () => {
  const rows: PlanRow[] = [
    { ...emptyRow('master'), scale: 'WS+' },
    { ...emptyRow('master'), scale: 'XL' },
    { ...emptyRow(''), scale: '', count: '0', minDurationS: '-1' },
    { ...emptyRow('bad id!'), scale: 'MS', count: '1.5', framing: 'crowd' },
  ];
  const result = rowsToPlan(rows);
  assert.equal(result.ok, false);
  if (result.ok) return;
  const fields = result.problems.map((p) => `${p.row}:${p.field}`);
  assert.deepEqual(fields, ['1:id', '1:scale', '2:id', '2:scale', '2:count', '2:minDurationS', '3:id', '3:framing', '3:count']);
  assert.match(result.problems[0]!.message, /^item 2: id "master" is already used by item 1/);
  assert.match(result.problems[1]!.message, /"XL" is not a scale/);
  assert.match(result.problems[3]!.message, /the scale is missing/);

  const empty = rowsToPlan([]);
  assert.equal(empty.ok, false);
  if (!empty.ok) assert.equal(empty.problems[0]!.message, 'a plan needs at least one item');
});

test('every plan the form accepts, the server accepts', () => {
  const rows: PlanRow[] = [
    { ...emptyRow('a'), scale: 'ws+', label: '  Master  ' },
    { ...emptyRow('b.2'), scale: 'ECU', count: '3', minDurationS: '0' },
  ];
  const result = rowsToPlan(rows);
  assert.ok(result.ok);
  assert.deepEqual(result.body.items[0], { id: 'a', label: 'Master', scale: 'ws+' });
  const plan = parseCoveragePlan({ scene: '1', ...result.body });
  assert.equal(plan.items[0]!.tightest, 'WS');
  assert.equal(plan.items[1]!.count, 3);
});

test('nextRowId picks an unused id', () => {
  assert.equal(nextRowId([]), 'item-1');
  assert.equal(nextRowId([emptyRow('item-2')]), 'item-3');
  assert.equal(nextRowId([emptyRow('x'), emptyRow('item-3')]), 'item-4');
});

test('format additions: clock, seconds, text on scale colours', () => {
  assert.equal(formatClock(0), '00:00');
  assert.equal(formatClock(83_400), '01:23');
  assert.equal(formatClock(3_723_000), '1:02:03');
  assert.equal(formatClock(-5), '00:00');
  assert.equal(formatClock(Number.NaN), '—');
  assert.equal(formatSeconds(0.84), '0.8 s');
  assert.equal(formatSeconds(125), '2 min 05 s');
  assert.equal(formatSeconds(-1), '—');
  assert.equal(textOn(SCALE_COLOURS.ECU), '#f2f4f8');
  assert.equal(textOn(SCALE_COLOURS.EWS), '#0b0d12');
  assert.equal(textOn('not a colour'), '#f2f4f8');
});

test("shotEdit: an operator's framing is sent when changed, null hands it back to the detector", () => {
  const shot = { tags: [], note: null, scale: 'CU' as const };
  assert.equal(shotEdit(shot, '', '', 'CU', ''), null);
  assert.deepEqual(shotEdit(shot, '', '', 'CU', 'single'), { framing: 'single' });
  assert.deepEqual(shotEdit({ ...shot, operatorFraming: 'single' as const }, '', '', 'CU', ''), { framing: null });
  assert.equal(shotEdit({ ...shot, operatorFraming: 'two-shot' as const }, '', ''), null, 'left as it was');
});
