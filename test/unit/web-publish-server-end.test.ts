/**
 * After the server ended a publish session, the page's words follow the
 * camera (web/src/lib/publish-session.ts): a camera disabled, then deleted, read
 * "press Start once it is enabled" for good; and an error about another
 * camera than the one typed in the id field is said to be that camera's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublishSession } from '../../web/src/lib/publish-session.js';
import { errorCameraElsewhere, followServerEnd, serverEndWords } from '../../web/src/lib/publish-states.js';
import type { Published } from '../../web/src/lib/whip-protocol.js';

/** A session as if published to `cameraId`: the WebRTC side is a stand-in, the rest is the real class. */
function publishingTo(cameraId: string): { session: PublishSession; stopped: () => number } {
  const session = new PublishSession();
  let stops = 0;
  const published: Published = { location: `http://127.0.0.1/whip/${cameraId}/s1`, pc: {} as RTCPeerConnection, stop: () => (stops++, Promise.resolve()) };
  const inner = session as unknown as { session: Published | null; set(patch: object): void };
  inner.session = published;
  inner.set({ phase: 'publishing', cameraId });
  return { session, stopped: () => stops };
}

test('a camera disabled and then deleted on the server: the error follows it (Start makes it again)', async () => {
  const { session, stopped } = publishingTo('phone-1');
  session.serverStatus('phone-1', 'live');
  session.serverStatus('phone-1', 'stopped', false);
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped(), 1);
  assert.equal(session.snapshot().phase, 'error');
  assert.equal(session.snapshot().error, serverEndWords('disabled').error);
  assert.equal(session.snapshot().errorCode, 'CAMERA_BUSY');
  // Another status of it, still disabled: nothing new.
  session.serverStatus('phone-1', 'stopped', false);
  assert.equal(session.snapshot().error, serverEndWords('disabled').error);
  // Statuses of another camera say nothing of this one.
  session.serverStatus('cam-9', 'removed');
  assert.equal(session.snapshot().errorCode, 'CAMERA_BUSY');

  session.serverStatus('phone-1', 'removed');
  assert.equal(session.snapshot().phase, 'error');
  assert.match(session.snapshot().error ?? '', /removed on the server\. Press Start to publish again \(a new camera is made\)/);
  assert.doesNotMatch(session.snapshot().error ?? '', /once it is enabled/);
  assert.equal(session.snapshot().errorCode, 'CAMERA_NOT_FOUND');

  // Made again (enabled): it is there again.
  session.serverStatus('phone-1', 'waiting', true);
  assert.match(session.snapshot().error ?? '', /there again now\. Press Start/);
});

test('a camera disabled and then enabled again: the error says so; a removal missed, read from the full list after a reconnect', async () => {
  const { session } = publishingTo('phone-2');
  session.serverStatus('phone-2', 'live');
  session.serverStatus('phone-2', 'stopped', false);
  await new Promise((r) => setImmediate(r));
  session.serverStatus('phone-2', 'starting', true);
  assert.equal(session.snapshot().error, serverEndWords('enabled-again').error);
  session.serverCameras(['cam-1']);
  assert.equal(session.snapshot().error, serverEndWords('removed').error);
  // Stopped by a person, the error and what it followed are gone.
  await session.stop();
  session.serverStatus('phone-2', 'stopped', false);
  assert.equal(session.snapshot().error, null);
});

test('how an ended session reads as its camera changes', () => {
  assert.equal(followServerEnd('disabled', 'removed'), 'removed');
  assert.equal(followServerEnd('disabled', 'waiting', true), 'enabled-again');
  assert.equal(followServerEnd('enabled-again', 'stopped', false), 'disabled');
  assert.equal(followServerEnd('removed', 'starting', true), 'there-again');
  assert.equal(followServerEnd('there-again', 'removed'), 'removed');
});

test('an error about another camera than the one in the field is said to be its own', () => {
  const refusedCam1 = { phase: 'error' as const, cameraId: 'cam-1', refusal: { status: 409, code: 'CAMERA_BUSY' } };
  assert.equal(errorCameraElsewhere(refusedCam1, 'phone-1'), 'cam-1');
  assert.equal(errorCameraElsewhere(refusedCam1, ' cam-1 '), null);
  assert.equal(errorCameraElsewhere({ ...refusedCam1, phase: 'idle' }, 'phone-1'), null);
  // A token refused is refused for every camera.
  assert.equal(errorCameraElsewhere({ ...refusedCam1, refusal: { status: 401, code: 'UNAUTHORIZED' } }, 'phone-1'), null);
});
