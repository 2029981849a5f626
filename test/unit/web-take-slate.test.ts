/** What the take slate says about its cameras and its buttons (web/src/lib/take-slate.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { camerasSummary, slateBlockers, takeCamerasText, usedTake } from '../../web/src/lib/take-slate.js';

test('the camera summary reads every camera when none is picked, else the names picked', () => {
  const name = (id: string) => ({ 'cam-1': 'Camera 1', 'cam-2': 'Colour bars' })[id] ?? id;
  assert.equal(camerasSummary([], name), 'all cameras');
  assert.equal(camerasSummary(['cam-2'], name), 'Colour bars');
  assert.equal(camerasSummary(['cam-1', 'cam-2', 'cam-9'], name), 'Camera 1, Colour bars, cam-9');
});

test('Start and End say why they cannot be pressed, and nothing when they can', () => {
  assert.deepEqual(slateBlockers({ operator: true, connected: true, busy: null, running: 1 }), { start: null, end: null, cameras: null });
  assert.deepEqual(slateBlockers({ operator: true, connected: true, busy: null, running: 0 }), { start: null, end: 'No take is running to end.', cameras: null });
  assert.deepEqual(slateBlockers({ operator: false, connected: true, busy: null, running: 2 }), {
    start: 'Starting a take needs an operator token.',
    end: 'Ending a take needs an operator token.',
    cameras: null,
  });
  assert.equal(slateBlockers({ operator: true, connected: true, busy: 'start', running: 0 }).start, 'A take is starting.');
  assert.equal(slateBlockers({ operator: true, connected: true, busy: 'end', running: 1 }).end, 'A take is ending.');
});

test('with the server lost, Start, End and the camera menu wait for the page to reconnect, and say so', () => {
  const lost = slateBlockers({ operator: true, connected: false, busy: null, running: 1 });
  assert.match(lost.start ?? '', /^Not connected to the server: a take can be started once the page reconnects/);
  assert.match(lost.end ?? '', /^Not connected to the server: a take can be ended once the page reconnects/);
  assert.match(lost.cameras ?? '', /^Not connected to the server/);
  // A start on its way when the connection went: what blocks it now is the lost server.
  assert.equal(slateBlockers({ operator: true, connected: false, busy: 'start', running: 0 }).start, lost.start);
  // A viewer's page: the role is what to change, first.
  assert.equal(slateBlockers({ operator: false, connected: false, busy: null, running: 0 }).start, 'Starting a take needs an operator token.');
});

test("a used take number: the refusal's details give both ways on; any other refusal none", () => {
  const details = { scene: '12', take: '8', next: '9', when: 'shot 14:02:11 to 14:05:40' };
  assert.deepEqual(usedTake({ code: 'TAKE_EXISTS', details }), details);
  assert.equal(usedTake({ code: 'TAKE_EXISTS' }), null, 'a server that sends no details: the message alone');
  assert.equal(usedTake({ code: 'TAKE_EXISTS', details: { ...details, next: 9 } }), null);
  assert.equal(usedTake({ code: 'FORBIDDEN', details }), null);
});

test("a running take's cameras: all, all but those it has left, or those named", () => {
  const name = (id: string) => ({ 'cam-1': 'Camera 1', 'cam-2': 'Colour bars' })[id] ?? id;
  assert.equal(takeCamerasText({ cameras: null, exceptCameras: [] }, name), 'all cameras');
  assert.equal(takeCamerasText({ cameras: null, exceptCameras: ['cam-2'] }, name), 'all cameras but Colour bars');
  assert.equal(takeCamerasText({ cameras: ['cam-1'] }, name), 'Camera 1');
});
