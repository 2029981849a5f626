/** When a running shot is told again: its scale changed, at most once a second per camera. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ShotRecord } from '../../server/shared/shots.js';
import { OpenShotPush } from '../../server/shots/open-shot-push.js';

const shot = (cameraId: string, id: number, scale: string) => ({ cameraId, id, scale }) as ShotRecord;

test('an open shot is told again only when its scale is not the one told, a second after the last', () => {
  const push = new OpenShotPush(1000);
  push.told(shot('a', 1, 'ECU'), 0);
  // The writes of the open shot, 4 a second.
  assert.equal(push.due(shot('a', 1, 'ECU'), 250), false, 'the same scale');
  assert.equal(push.due(shot('a', 1, 'WS'), 500), false, 'changed, but told half a second ago');
  assert.equal(push.due(shot('a', 1, 'WS'), 1000), true, 'still changed a second after: told now');
  assert.equal(push.due(shot('a', 1, 'WS'), 1250), false, 'told already');
  assert.equal(push.due(shot('a', 1, 'MS'), 1500), false);
  assert.equal(push.due(shot('a', 1, 'WS'), 2000), false, 'back to the scale told: nothing to tell');
  // Cameras apart: another camera's push does not hold this one back.
  push.told(shot('b', 7, 'CU'), 2000);
  assert.equal(push.due(shot('b', 7, 'FS'), 3000), true);
  assert.equal(push.due(shot('a', 1, 'MS'), 3000), true);
  // A new shot starts from what its open said.
  push.closed('a');
  push.told(shot('a', 2, 'MS'), 3100);
  assert.equal(push.due(shot('a', 2, 'MS'), 4500), false);
  assert.equal(push.due(shot('a', 2, 'CU'), 3500), false);
  assert.equal(push.due(shot('a', 2, 'CU'), 4200), true);
});
