/** What the take slate says about its cameras and its buttons (web/src/lib/take-slate.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_NAME_LENGTH } from '../../server/shared/input-limits.js';
import { camerasSummary, refusalText, REPEAT_START_MS, repeatedStart, slateBlockers, slateFieldProblems, takeCamerasText, usedTake } from '../../web/src/lib/take-slate.js';

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

test('a Start repeated at once (a double click, Enter pressed again) is not sent; a take typed, another scene or a wait is', () => {
  const last = { scene: '42', take: '1', at: 10_000 };
  assert.equal(repeatedStart(last, { scene: '42', take: '' }, 10_200), true, 'two clicks 200 ms apart');
  assert.equal(repeatedStart(last, { scene: ' 42 ', take: '  ' }, 10_000 + REPEAT_START_MS - 1), true);
  assert.equal(repeatedStart(last, { scene: '42', take: '' }, 10_000 + REPEAT_START_MS), false, 'after the moment, the next take');
  assert.equal(repeatedStart(last, { scene: '43', take: '' }, 10_200), false, 'another scene');
  assert.equal(repeatedStart(last, { scene: '42', take: '7' }, 10_200), false, 'a take number typed since');
  assert.equal(repeatedStart(null, { scene: '42', take: '' }, 10_200), false, 'nothing started yet');
  assert.equal(repeatedStart(last, { scene: '42', take: '' }, 9_000), false, 'a clock set back is no repeat');
});

test('the scene and take are checked at the field as the server would: length, control characters, a take as a number', () => {
  assert.deepEqual(slateFieldProblems('12', ''), { scene: null, take: null });
  assert.deepEqual(slateFieldProblems('x'.repeat(MAX_NAME_LENGTH), '12A'), { scene: null, take: null });
  assert.deepEqual(slateFieldProblems(` ${'x'.repeat(MAX_NAME_LENGTH)} `, '3'), { scene: null, take: null }, 'trimmed, as the server trims');
  assert.equal(slateFieldProblems('x'.repeat(MAX_NAME_LENGTH + 1), '').scene, `at most ${MAX_NAME_LENGTH} characters (this one has ${MAX_NAME_LENGTH + 1})`);
  assert.match(slateFieldProblems('y'.repeat(70_000), '').scene ?? '', /^at most \d+ characters \(this one has 70000\)$/);
  assert.match(slateFieldProblems('a\tb', '').scene ?? '', /^no control characters/);
  assert.match(slateFieldProblems('12', 'a\u202eb').take ?? '', /^no control characters/);
  assert.equal(slateFieldProblems('12', '-1').take, 'not negative');
  assert.equal(slateFieldProblems('12', '1.5').take, 'a whole number, or text such as "12A"');
  assert.equal(slateFieldProblems('12', '-1.5').take, 'a whole number, or text such as "12A"; not negative');
  assert.equal(slateFieldProblems('12', '9007199254740993').take, null, 'a whole number written out is a name');
  assert.equal(slateFieldProblems('-1', '').scene, null, 'a scene is any name');
});

test("a refusal reads \"CODE: what\", without the request's signature the server gives API clients", () => {
  assert.equal(
    refusalText({ code: 'BAD_REQUEST', message: 'take:start { scene, take?, cameras?, again? }: scene: at most 64 characters' }),
    'BAD_REQUEST: scene: at most 64 characters',
  );
  assert.equal(refusalText({ code: 'BAD_REQUEST', message: 'take:end { cameras? }: cameras: at least one camera, or null for every camera' }), 'BAD_REQUEST: cameras: at least one camera, or null for every camera');
  assert.equal(refusalText({ code: 'TIMEOUT', message: 'the server did not answer (disconnected?)' }), 'TIMEOUT: the server did not answer (disconnected?)');
  assert.equal(refusalText({ code: 'CAMERA_NOT_FOUND', message: 'no camera "cam-9" { x }: y' }), 'CAMERA_NOT_FOUND: no camera "cam-9" { x }: y', 'only a leading signature goes');
});
