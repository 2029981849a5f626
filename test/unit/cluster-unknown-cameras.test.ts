/**
 * Another node's camera while Redis is out of reach from this node: its
 * status says it is not known here, and carries none of the live figures
 * of the last heartbeat read (a wall showed "3.1 fps of 0.0 fps": the last
 * analysis rate against no frames received).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemoteCameraStatuses, type ClusterSighting } from '../../server/cluster/remote-camera-statuses.js';
import type { NodeHeartbeat } from '../../server/cluster/node-registry.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';

const NOW = Date.parse('2026-12-06T17:40:00Z');

/** cam-3 as node b's last heartbeat had it: live, over capacity (analysed at 3.1 fps), its source slower than asked. */
const throttled: CameraStatus = {
  cameraId: 'cam-3',
  name: 'Apollo',
  enabled: true,
  sourceKind: 'rtsp',
  source: 'rtsp://cam-3.lan/stream',
  state: 'live',
  since: NOW - 60_000,
  analysisFps: 5,
  analysisRate: 3.1,
  measuredFps: 4.2,
  sourceSlower: true,
  framesIn: 1200,
  framesDropped: 3,
  reconnects: 1,
  stalls: 0,
  lastError: null,
  errorCode: null,
  lastStderr: ['frame=1200'],
  node: 'b',
};

const heartbeat: NodeHeartbeat = {
  nodeId: 'b',
  instance: 'b-1',
  url: 'http://b.lan:8420',
  capacity: 4,
  draining: false,
  startedAt: NOW - 120_000,
  at: NOW - 1500,
  leases: { 'cam-3': { token: 7, renewedAt: NOW - 1500 } },
  cameras: [throttled],
  analysedFps: 3.1,
  coverageDuty: false,
};

function statuses(redisUp: boolean): CameraStatus[] {
  const sighting: ClusterSighting = { live: [heartbeat], liveAt: NOW - 1500, known: [], redisUp, unreadable: [] };
  return new RemoteCameraStatuses({ nodeId: 'a', ownCameras: () => [], sighting: () => sighting, holders: async () => new Map(), clock: () => NOW }).list();
}

test("another node's camera while Redis is unreachable: not known, with no analysis rate, no frame rate and no 'source slower' of the last heartbeat", () => {
  const [shown] = statuses(false);
  assert.ok(shown);
  assert.equal(shown.state, 'waiting');
  assert.equal(shown.errorCode, 'CLUSTER_UNREACHABLE');
  assert.equal(shown.measuredFps, 0);
  assert.equal(shown.analysisRate ?? null, null, `analysisRate ${shown.analysisRate}: the wall reads "${shown.analysisRate} fps of 0.0 fps"`);
  assert.equal(shown.sourceSlower, undefined);
  assert.deepEqual(shown.lastStderr, []);
  // What it is stays: its name, its source, the rate it is configured for, and where it ran.
  assert.deepEqual([shown.name, shown.source, shown.analysisFps, shown.node], ['Apollo', 'rtsp://cam-3.lan/stream', 5, 'b']);
  assert.match(shown.lastError ?? '', /cannot reach Redis.*it ran on node b/);
});

test("another node's camera while Redis answers: shown as its node's heartbeat has it, figures and all", () => {
  const [shown] = statuses(true);
  assert.deepEqual(shown, throttled);
});
