import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headInUse } from '../../web/src/lib/calibration.js';

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
