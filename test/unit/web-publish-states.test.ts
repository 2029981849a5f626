import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cameraErrorCode } from '../../web/src/lib/camera-device.js';
import { publisherLeft, refusalAdvice, refusedForPublisher, shownPublishState, worthRetrying, type PublishSnapshot } from '../../web/src/lib/publish-states.js';
import { WhipError } from '../../web/src/lib/whip-protocol.js';

type Refused = Pick<PublishSnapshot, 'refusal' | 'error'>;
const refused = (code: string, error: string, status = 409): Refused => ({ refusal: { status, code }, error });

test('publishing with the media connection down is shown as interrupted, never as publishing', () => {
  assert.equal(shownPublishState({ phase: 'publishing', connection: 'disconnected' }), 'interrupted');
  assert.equal(shownPublishState({ phase: 'publishing', connection: 'connected' }), 'publishing');
  // Connecting is connecting, whatever ICE says on the way.
  assert.equal(shownPublishState({ phase: 'connecting', connection: 'disconnected' }), 'connecting');
  for (const phase of ['idle', 'stopping', 'error'] as const) assert.equal(shownPublishState({ phase, connection: null }), phase);
});

test('a refusal for another publisher is told apart from the other CAMERA_BUSY refusals', () => {
  const busy = refused('CAMERA_BUSY', 'camera "a" already has a publisher: another device (a phone, a browser tab or an encoder) is publishing to it. Stop it there first, then publish again');
  assert.equal(refusedForPublisher(busy), true);
  assert.match(refusalAdvice(busy) ?? '', /Another device, tab or encoder is publishing to this camera id/);

  const disabled = refused('CAMERA_BUSY', 'camera "a" is disabled');
  assert.equal(refusedForPublisher(disabled), false);
  assert.match(refusalAdvice(disabled) ?? '', /Enable the camera on the server/);

  const ffmpeg = refused('CAMERA_BUSY', 'camera "a" is a rtsp camera; WHIP publishes only to WebRTC cameras');
  assert.equal(refusedForPublisher(ffmpeg), false);
  assert.equal(refusalAdvice(ffmpeg), null, 'the message says it all');

  // The server's field tells it, whatever the words.
  const coded = { refusal: { status: 409, code: 'CAMERA_BUSY', publisher: 'connecting' }, error: 'camera "a" is taken' };
  assert.equal(refusedForPublisher(coded), true);
  assert.match(refusalAdvice(coded) ?? '', /Another device, tab or encoder is publishing to this camera id/);

  // The same words under another code are not this refusal.
  assert.equal(refusedForPublisher(refused('BAD_REQUEST', 'camera "a" already has a publisher')), false);
  assert.equal(refusedForPublisher({ refusal: null, error: 'camera "a" already has a publisher' }), false);
});

test('coded refusals the floor can act on say what to do; the rest leave it to the message', () => {
  assert.match(refusalAdvice(refused('WHIP_CAPACITY', 'the server takes no more', 503)) ?? '', /supervisor\.whip\.maxSessions/);
  assert.match(refusalAdvice(refused('WHIP_CODEC', 'no VP8', 400)) ?? '', /VP8, VP9 or AV1/);
  assert.match(refusalAdvice(refused('NETWORK', 'publishing: the server cannot be reached', 0)) ?? '', /shotscale runs there/);
  assert.equal(refusalAdvice(refused('CAMERA_INVALID', 'camera: id: letters, digits', 400)), null);
  assert.equal(refusalAdvice({ refusal: null, error: 'Camera access was refused.' }), null);
});

test('a lost session is published again by itself only while the server is away or still holds it', () => {
  assert.equal(worthRetrying(new WhipError(0, 'NETWORK', 'publishing: the server cannot be reached (Failed to fetch)')), true);
  for (const status of [502, 503, 504]) assert.equal(worthRetrying(new WhipError(status, `HTTP_${status}`, 'not now')), true, String(status));
  // The server has not yet noticed that this device's last session is gone.
  assert.equal(worthRetrying(new WhipError(409, 'CAMERA_BUSY', 'camera "a" already has a publisher: another device (a phone, a browser tab or an encoder) is publishing to it. Stop it there first, then publish again')), true);
  assert.equal(worthRetrying(new WhipError(409, 'CAMERA_BUSY', 'camera "a" is taken', 'connected')), true);
  // These need a person: the camera disabled or not a WebRTC one, a token refused, a bad offer, the camera itself.
  assert.equal(worthRetrying(new WhipError(409, 'CAMERA_BUSY', 'camera "a" is disabled')), false);
  assert.equal(worthRetrying(new WhipError(409, 'CAMERA_BUSY', 'camera "a" is a rtsp camera; WHIP publishes only to WebRTC cameras')), false);
  assert.equal(worthRetrying(new WhipError(401, 'UNAUTHORIZED', 'a token is needed')), false);
  assert.equal(worthRetrying(new WhipError(400, 'WHIP_CODEC', 'no codec')), false);
  assert.equal(worthRetrying(Object.assign(new Error('denied'), { name: 'NotAllowedError' })), false);
});

test('after a refusal for another publisher, the camera is free only once its state changed to one without a publisher', () => {
  const busy: Refused = { refusal: { status: 409, code: 'CAMERA_BUSY', publisher: 'connected' }, error: 'camera "a" already has a publisher' };
  const seen = (state: string, since: number, enabled = true) => ({ state, since, enabled });
  // A silent publisher: waiting before and after the refusal is no sign it left.
  assert.equal(publisherLeft(busy, seen('waiting', 100), seen('waiting', 100)), false);
  // Gone while a new one connects: the same.
  assert.equal(publisherLeft(busy, seen('gone', 100), seen('gone', 100)), false);
  // Live, then waiting or gone after the refusal: it left.
  assert.equal(publisherLeft(busy, seen('live', 100), seen('waiting', 200)), true);
  assert.equal(publisherLeft(busy, seen('stalled', 100), seen('gone', 200)), true);
  // The same word anew (a new since) is a change too: it connected, went live and left between two looks.
  assert.equal(publisherLeft(busy, seen('waiting', 100), seen('waiting', 300)), true);
  // Still held (live, stalled), disabled since, or nothing known at the refusal: not free.
  assert.equal(publisherLeft(busy, seen('waiting', 100), seen('stalled', 200)), false);
  assert.equal(publisherLeft(busy, seen('live', 100), seen('waiting', 200, false)), false);
  assert.equal(publisherLeft(busy, null, seen('waiting', 200)), false);
  assert.equal(publisherLeft(busy, seen('live', 100), null), false);
  // Not a refusal for a publisher (a disabled camera): never said free.
  assert.equal(publisherLeft(refused('CAMERA_BUSY', 'camera "a" is disabled'), seen('stopped', 100), seen('waiting', 200)), false);
});

test('a refusal for a publisher still connecting says when the server drops it', () => {
  const connecting: Refused = { refusal: { status: 409, code: 'CAMERA_BUSY', publisher: 'connecting', droppedAfterS: 10 }, error: 'camera "a" already has a publisher, still connecting' };
  assert.equal(refusedForPublisher(connecting), true);
  assert.match(refusalAdvice(connecting) ?? '', /drops it if it has not connected within 10 s\. Press Start again then/);
});

test('errors of the camera itself carry a code too', () => {
  assert.equal(cameraErrorCode(Object.assign(new Error('denied'), { name: 'NotAllowedError' })), 'NotAllowedError');
  assert.equal(cameraErrorCode(new WhipError(0, 'INSECURE', 'needs https')), 'INSECURE');
  assert.equal(cameraErrorCode(new Error('odd')), 'CAMERA_FAILED');
  assert.equal(cameraErrorCode(new TypeError('odd')), 'CAMERA_FAILED');
  assert.equal(cameraErrorCode('odd'), 'CAMERA_FAILED');
});
