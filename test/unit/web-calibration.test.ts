import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctionNote, headInUse } from '../../web/src/lib/calibration.js';

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
