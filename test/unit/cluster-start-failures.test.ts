/**
 * A camera that nodes claimed and could not start (a file they lack): its
 * status on every node says so, with the node, the error's code and words,
 * not CLUSTER_UNASSIGNED "every node is at its capacity" as it did.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StartFailure } from '../../server/cluster/camera-leases.js';
import { RemoteCameraStatuses, waitingStatus, type ClusterSighting } from '../../server/cluster/remote-camera-statuses.js';
import type { CameraConfig } from '../../server/config/schema.js';
import { parseCamera } from '../../server/app/camera-manager.js';

const NOW = Date.parse('2026-12-07T08:00:00Z');
const camX = parseCamera({ id: 'cam-x', source: { kind: 'file', path: '/nonexistent/file.mp4' } }, 'camera') as CameraConfig;
const missing: StartFailure = { nodeId: 'b', code: 'CAMERA_INVALID', message: 'camera "cam-x": source.path: /nonexistent/file.mp4: no such file', at: NOW - 2000, revision: 1 };

function statusOn(nodeId: string, startFailures: ReadonlyMap<string, readonly StartFailure[]>, config: CameraConfig = camX) {
  const sighting: ClusterSighting = { live: [], liveAt: NOW, known: [{ id: 'cam-x', config, revision: 1 }], redisUp: true, unreadable: [], startFailures };
  const remote = new RemoteCameraStatuses({ nodeId, ownCameras: () => [], sighting: () => sighting, holders: async () => new Map(), clock: () => NOW });
  remote.followRuns(NOW);
  return remote.list().find((s) => s.cameraId === 'cam-x')!;
}

test('a camera a node could not start is failed on every node, with that node, the code and the cause; not "at capacity"', () => {
  for (const nodeId of ['a', 'b']) {
    const status = statusOn(nodeId, new Map([['cam-x', [missing]]]));
    assert.equal(status.state, 'failed', JSON.stringify(status));
    assert.equal(status.errorCode, 'CAMERA_INVALID');
    assert.equal(status.node, null);
    assert.match(status.lastError ?? '', /node b could not start it \(CAMERA_INVALID: .*no such file; 2026-12-07T07:59:58\.000Z\)/);
    assert.doesNotMatch(status.lastError ?? '', /capacity/);
  }
});

test('every node that could not start it is named, the latest first, whose code the status carries', () => {
  const other: StartFailure = { nodeId: 'a', code: 'MODEL_LOAD_FAILED', message: 'onnxruntime could not load the head', at: NOW - 1000, revision: 1 };
  const status = statusOn('a', new Map([['cam-x', [other, missing]]]));
  assert.equal(status.errorCode, 'MODEL_LOAD_FAILED');
  assert.match(status.lastError ?? '', /node a could not start it \(MODEL_LOAD_FAILED.*; node b could not start it \(CAMERA_INVALID/);
});

test('with no failure said, a camera no node runs waits as before; a disabled one is disabled whatever was said', () => {
  const waiting = statusOn('a', new Map());
  assert.equal(waiting.state, 'waiting');
  assert.equal(waiting.errorCode, 'CLUSTER_UNASSIGNED');
  const disabled = waitingStatus({ ...camX, enabled: false }, NOW, null, [missing]);
  assert.deepEqual([disabled.state, disabled.errorCode, disabled.lastError], ['waiting', null, 'disabled']);
});
