/** Which scenes the Coverage view lists, in what order, and which it marks (web/src/lib/scene-list.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterScenes, orderScenes, runningScenes, sceneMark, sceneStatsLine, sceneTitle, slateTitle, takeLines } from '../../web/src/lib/scene-list.js';
import type { SceneCoverage } from '../../server/shared/shots.js';

const scenes = (...names: string[]) => names.map((scene) => ({ scene }));

test('every scene with a running take is being shot, each once, in the order its takes began', () => {
  const running = [
    { scene: '20', startedAt: 2000 },
    { scene: '14', startedAt: 1000 },
    { scene: '14', startedAt: 3000 },
  ];
  assert.deepEqual(runningScenes(running), ['14', '20']);
  assert.deepEqual(runningScenes([]), []);
  assert.equal(sceneMark('14', ['14', '20'], '20'), 'shooting');
  assert.equal(sceneMark('20', ['14', '20'], '20'), 'shooting');
  assert.equal(sceneMark('12', ['14', '20'], '12'), 'last');
  assert.equal(sceneMark('12', [], null), null);
});

test('orderScenes puts the scenes being shot first, then the last slated one, then by name with numbers in order', () => {
  const all = scenes('13', '12A', '2', '12', '20', '14');
  assert.deepEqual(
    orderScenes(all, ['20', '14']).map((s) => s.scene),
    ['14', '20', '2', '12', '12A', '13'],
  );
  assert.deepEqual(
    orderScenes(all, ['20'], '12A').map((s) => s.scene),
    ['20', '12A', '2', '12', '13', '14'],
  );
  assert.deepEqual(
    orderScenes(all, [], '12A').map((s) => s.scene),
    ['12A', '2', '12', '13', '14', '20'],
  );
  assert.deepEqual(
    orderScenes(all, []).map((s) => s.scene),
    ['2', '12', '12A', '13', '14', '20'],
  );
});

test('filterScenes keeps the scenes whose name holds the text typed, ignoring case, spaces and a leading "Scene"', () => {
  const all = scenes('12', '12A', '112', '3', 'Kitchen night', 'EXT roof');
  assert.deepEqual(
    filterScenes(all, '12').map((s) => s.scene),
    ['12', '12A', '112'],
  );
  assert.deepEqual(
    filterScenes(all, ' scene 12a ').map((s) => s.scene),
    ['12A'],
  );
  assert.deepEqual(
    filterScenes(all, 'NIGHT').map((s) => s.scene),
    ['Kitchen night'],
  );
  assert.equal(filterScenes(all, '   ').length, all.length);
  assert.deepEqual(filterScenes(all, 'zzz'), []);
});

test('a scene\'s figures: durations rounded alike, minutes with their seconds, the summed time called camera time', () => {
  assert.equal(sceneStatsLine({ shots: 1, seconds: 11.6, averageShotLengthS: 11.6 }), '1 shot · average 11.6 s · 11.6 s of camera time');
  assert.equal(sceneStatsLine({ shots: 2, seconds: 12, averageShotLengthS: 6 }), '2 shots · average 6.0 s · 12.0 s of camera time');
  assert.equal(sceneStatsLine({ shots: 9, seconds: 119, averageShotLengthS: 13.2 }), '9 shots · average 13.2 s · 1 min 59 s of camera time');
  assert.equal(sceneStatsLine({ shots: 9, seconds: 59.96, averageShotLengthS: 6.7 }), '9 shots · average 6.7 s · 1 min of camera time');
  assert.equal(sceneStatsLine({ shots: 400, seconds: 7530, averageShotLengthS: 18.8 }), '400 shots · average 18.8 s · 2 h 6 min of camera time');
  assert.equal(
    sceneStatsLine({ shots: 3, seconds: 30, averageShotLengthS: 10, noPicture: { count: 1, seconds: 4.6 } }),
    '3 shots · average 10.0 s · 30.0 s of camera time · no picture 5 s',
  );
  assert.equal(sceneStatsLine({ shots: 0, seconds: 0, averageShotLengthS: 0, noPicture: { count: 0, seconds: 0 } }), 'no shots yet');
});

test("a scene's card has the line of each of its running takes; none running, the last ended take's; a server sending no running list, its current take's", () => {
  const take = (scene: string, number: string | null) => ({ scene, take: number }) as SceneCoverage;
  const [twelve, fourteen, fourteenAgain] = [take('12', '3'), take('14', '1'), take('14', '2')];
  const both = { current: fourteenAgain, running: [fourteenAgain, twelve, fourteen] };
  assert.deepEqual(takeLines(both, '12'), [twelve], 'the older running scene has its line too');
  assert.deepEqual(takeLines(both, '14'), [fourteenAgain, fourteen], 'two takes of one scene on different cameras: both');
  assert.deepEqual(takeLines(both, '20'), []);
  assert.deepEqual(takeLines({ current: twelve, running: [] }, '12'), [twelve], 'none running: the take that ended last');
  assert.deepEqual(takeLines({ current: twelve, running: [] }, '14'), []);
  assert.deepEqual(takeLines({ current: fourteen }, '14'), [fourteen], 'an older server: its current take');
  assert.deepEqual(takeLines({ current: take('12', null), running: [] }, '12'), [], 'a scene, not a take');
  assert.deepEqual(takeLines(null, '12'), []);
});

test("a scene's title never doubles the word: a name that starts with Scene (any case) is the title alone", () => {
  assert.equal(sceneTitle('14'), 'Scene 14');
  assert.equal(sceneTitle('Scene of the crime at the old harbour warehouse, night, rain, wide'), 'Scene of the crime at the old harbour warehouse, night, rain, wide');
  assert.equal(sceneTitle('SCENE 4A'), 'SCENE 4A');
  assert.equal(sceneTitle('scene'), 'scene');
  // A word that only starts the same is a name like any other.
  assert.equal(sceneTitle('Scenery pass'), 'Scene Scenery pass');
  assert.equal(slateTitle('14', '3'), 'Scene 14 · Take 3');
  assert.equal(slateTitle('Scene of the crime', '12'), 'Scene of the crime · Take 12');
});
