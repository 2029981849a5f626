import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appliedAlready, correctionHelp, correctionNote, fitBlocker, fitSummary, headInUse, mergeQueue, ownHeads, perCameraRows, rollbackPlan, sampleCameraName, whereApplied, withoutDeleting } from '../../web/src/lib/calibration.js';

test('the head a roll back would leave: a camera\'s own, else every camera\'s, else the configured one (null)', () => {
  assert.equal(headInUse({}, '*'), null, 'nothing applied');
  assert.equal(headInUse({}, 'cam-1'), null);
  assert.equal(headInUse({ '*': 3 }, '*'), 3);
  assert.equal(headInUse({ '*': 3 }, 'cam-1'), 3, 'a camera without its own uses every camera\'s');
  assert.equal(headInUse({ '*': 3, 'cam-1': null }, 'cam-1'), null, 'a camera rolled back on its own');
  assert.equal(headInUse({ 'cam-1': 5 }, 'cam-1'), 5);
  assert.equal(headInUse({ 'cam-1': 5 }, '*'), null, 'every camera is on the configured head; cam-1 has its own');
  assert.equal(headInUse({ 'cam-1': 5 }, 'cam-2'), null);
});

test('the correction bar says what was saved, and which label a second correction of the same frame replaced', () => {
  assert.equal(correctionNote({ id: 12, label: 'CU', shown: 'MS' }), 'CU saved (sample 12; shown MS)');
  assert.equal(correctionNote({ id: 12, label: 'CU', shown: null }), 'CU saved (sample 12; shown —)');
  // Relabelled in place: the sample keeps its id.
  assert.equal(correctionNote({ id: 12, label: 'MCU', shown: 'MS', relabelled: { sample: 12, taxonomy: 'canonical', label: 'CU' } }), 'MCU saved (sample 12; shown MS), replacing CU for this frame');
});

test('where a head is in use: a camera with a head of its own is not "every camera"', () => {
  assert.equal(whereApplied({ '*': 3 }, 3), 'every camera');
  assert.equal(whereApplied({ '*': 3, 'cam-2': null }, 3), 'every camera but cam-2', 'cam-2 rolled back on its own keeps the configured head');
  assert.equal(whereApplied({ '*': 3, 'cam-2': 3 }, 3), 'every camera', 'its own is the same head');
  assert.equal(whereApplied({ '*': 3, 'cam-2': 5 }, 5, (id) => (id === 'cam-2' ? 'Selfie' : id)), 'Selfie');
  assert.equal(whereApplied({ '*': 3, 'cam-2': 5 }, 4), '');
  assert.equal(whereApplied({ 'cam-2': 5 }, null), 'every camera but cam-2', 'nothing applied to every camera: the configured head');
});

test('the cameras with a head of their own, a rollback of their own included', () => {
  assert.deepEqual(ownHeads({ '*': 3 }), []);
  assert.deepEqual(ownHeads({ 'cam-3': 5, '*': 3, 'cam-1': null }), [{ camera: 'cam-1', head: null }, { camera: 'cam-3', head: 5 }]);
});

test('a fit is offered only where the server would run it: 6 corrections of at least 2 classes', () => {
  assert.equal(fitBlocker({ samples: 7, perLabel: { 'canonical:CU': 4, 'canonical:WS': 3 } }), null);
  assert.equal(fitBlocker({ samples: 6, perLabel: { 'canonical:CU': 6 } }), 'all 6 corrections are CU: a head needs corrections of at least 2 classes to learn a line between them');
  assert.equal(fitBlocker({ samples: 2, perLabel: { 'canonical:CU': 1, 'canonical:WS': 1 } }), 'a fit needs at least 6 corrections of at least 2 classes (there are 2 corrections)');
});

test('classes are counted on the canonical scale: CU in two taxonomies, or "close" and CU, are one class, and no fit is offered', () => {
  assert.equal(fitBlocker({ samples: 6, perLabel: { 'canonical:CU': 3, 'six:CU': 3 } }), 'all 6 corrections are CU or CU (six): a head needs corrections of at least 2 classes to learn a line between them');
  assert.match(fitBlocker({ samples: 8, perLabel: { 'three:close': 4, 'canonical:CU': 4 } }) ?? '', /^all 8 corrections are close \(three\) or CU:/);
  assert.equal(fitBlocker({ samples: 8, perLabel: { 'three:close': 4, 'canonical:FS': 4 } }), null, 'close and FS: two classes');
});

test('a fit\'s figure says how many shots its folds held out, and the server\'s reason where there is none', () => {
  const before = { exact: 16.7, withinOne: 50 };
  assert.equal(fitSummary({ base: null, fitS: 1, sets: [{ taxonomy: 'canonical', count: 18, before, after: { exact: 22.2, withinOne: 61.1 }, shots: 3, folds: 3, why: null }] }), 'canonical (18 frames of 3 shots): 16.7% → 22.2%');
  assert.equal(
    fitSummary({ base: null, fitS: 1, sets: [{ taxonomy: 'canonical', count: 6, before, after: null, shots: 1, folds: 0, why: 'all 6 frames are of one shot: too few shots to cross-validate (a fold holds out whole shots)' }] }),
    'canonical (6 frames of 1 shot): 16.7% → no figure: all 6 frames are of one shot: too few shots to cross-validate (a fold holds out whole shots)',
  );
  assert.equal(fitSummary({ base: null, fitS: 1, sets: [{ taxonomy: 'canonical', count: 6, before, after: null }] }), 'canonical (6): 16.7% → no figure: too few per label to cross-validate', 'a head reported before shots were');
});

test('a roll back of every camera takes the cameras on a head of their own along; nothing to roll back only where every camera is on the configured head', () => {
  assert.deepEqual(rollbackPlan({ '*': null, 'cam-1': 1, 'cam-2': null }, '*'), { needed: true, ownVersions: [{ camera: 'cam-1', head: 1 }] });
  assert.deepEqual(rollbackPlan({ '*': null, 'cam-2': null }, '*'), { needed: false, ownVersions: [] });
  assert.deepEqual(rollbackPlan({ '*': 4 }, '*'), { needed: true, ownVersions: [] });
  assert.deepEqual(rollbackPlan({ '*': 4, 'cam-1': null }, 'cam-1'), { needed: false, ownVersions: [] });
  assert.deepEqual(rollbackPlan({ '*': 4 }, 'cam-1'), { needed: true, ownVersions: [] });
});

test('"label these" read again: frames on screen keep their places, gone ones leave, new ones come last', () => {
  const q = (...ids: number[]) => ids.map((id) => ({ id, why: `w${id}` }));
  assert.deepEqual(mergeQueue([], q(1, 2, 3)), q(1, 2, 3));
  assert.deepEqual(mergeQueue(q(1, 2, 3), q(3, 2, 1, 4)).map((i) => i.id), [1, 2, 3, 4]);
  assert.deepEqual(mergeQueue(q(1, 2, 3), q(4, 3, 1)).map((i) => i.id), [1, 3, 4]);
  const fresher = mergeQueue([{ id: 1, why: 'old' }], [{ id: 1, why: 'new' }]);
  assert.equal(fresher[0]!.why, 'new', 'what the server says now');
});

test('the counts while deletions wait for their Undo agree with the list shown: heading, labels, cameras, and whether a fit is offered', () => {
  const state = { samples: 7, perLabel: { 'canonical:MCU': 4, 'canonical:MS': 2, 'canonical:FS': 1 }, perCamera: { 'cam-1': 5, 'cam-2': 2 } };
  assert.equal(withoutDeleting(state, []), state);
  const less = withoutDeleting(state, [{ cameraId: 'cam-2', taxonomy: 'canonical', label: 'FS' }]);
  assert.deepEqual(less, { samples: 6, perLabel: { 'canonical:MCU': 4, 'canonical:MS': 2 }, perCamera: { 'cam-1': 5, 'cam-2': 1 } });
  assert.equal(fitBlocker(less), null);
  const fewer = withoutDeleting(state, [{ cameraId: 'cam-1', taxonomy: 'canonical', label: 'MCU' }, { cameraId: 'cam-2', taxonomy: 'canonical', label: 'FS' }]);
  assert.equal(fitBlocker(fewer), 'a fit needs at least 6 corrections of at least 2 classes (there are 5 corrections)');
  assert.deepEqual(state.perLabel, { 'canonical:MCU': 4, 'canonical:MS': 2, 'canonical:FS': 1 }, 'the server\'s counts are left as they are');
});

test('the help names the tile\'s ✎ and the large view; Shift + a number only where there is a keyboard (a phone has none)', () => {
  const phone = correctionHelp(false);
  assert.match(phone, /✎ on a camera's tile/);
  assert.match(phone, /large view \(“This frame is …”\)$/);
  assert.doesNotMatch(phone, /Shift/);
  assert.match(correctionHelp(true), /large view \(“This frame is …”, or Shift \+ its number\)$/);
});

test('Apply is offered only where it would change something', () => {
  assert.equal(appliedAlready({ '*': 3 }, '*', 3), true, 'in use on every camera already');
  assert.equal(appliedAlready({ '*': 3, 'cam-1': 5 }, '*', 3), true, 'a camera with its own keeps it: applied to every camera again changes nothing');
  assert.equal(appliedAlready({ '*': 3 }, '*', 4), false);
  assert.equal(appliedAlready({}, '*', 3), false, 'every camera on the configured head');
  assert.equal(appliedAlready({ '*': 3, 'cam-1': 5 }, 'cam-1', 5), true, 'the camera\'s own head already');
  assert.equal(appliedAlready({ '*': 3, 'cam-1': null }, 'cam-1', 3), false, 'rolled back on its own');
  assert.equal(appliedAlready({ '*': 3 }, 'cam-1', 3), false, 'following every camera\'s: applied, it keeps the head as its own');
});

test('samples per camera: names where configured, ids of cameras no longer configured marked, imports as they are', () => {
  const cameras = [{ id: 'cam-1', name: 'Selfie' }, { id: 'cam-2', name: 'Hikers' }];
  assert.deepEqual(perCameraRows({ 'cam-3': 3, 'cam-2': 3, 'import:stills': 2, 'cam-1': 4 }, cameras), [
    { id: 'cam-1', name: 'Selfie', count: 4 },
    { id: 'cam-2', name: 'Hikers', count: 3 },
    { id: 'cam-3', name: 'cam-3 (not configured)', count: 3 },
    { id: 'import:stills', name: 'import:stills', count: 2 },
  ]);
  // After a restart on a config without the demo cameras: every id said to be none of those configured.
  assert.deepEqual(perCameraRows({ 'cam-3': 3, 'cam-1': 4 }, []).map((r) => `${r.name}: ${r.count}`), ['cam-1 (not configured): 4', 'cam-3 (not configured): 3']);
  assert.equal(sampleCameraName('cam-1', cameras), 'Selfie');
  assert.equal(sampleCameraName('cam-9', cameras), 'cam-9 (not configured)');
  // Before the server has said which cameras there are (the page opening, a reconnection): ids as they are.
  assert.equal(sampleCameraName('cam-9', null), 'cam-9');
  assert.deepEqual(perCameraRows({ 'cam-3': 3, 'cam-1': 4 }, null).map((r) => `${r.name}: ${r.count}`), ['cam-1: 4', 'cam-3: 3']);
});
