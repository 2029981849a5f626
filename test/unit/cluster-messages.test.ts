/** What a node accepts from Redis: this version's heartbeats and events pass (with fields a newer one adds), other shapes do not. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interServerEventProblem, parseHeartbeat, parseRunningTakes } from '../../server/cluster/cluster-messages.js';
import { ALERT_KINDS } from '../../server/shared/shots.js';

const status = { cameraId: 'c1', name: 'c1', enabled: true, sourceKind: 'file', source: 'loop.mp4', state: 'live', since: 1, analysisFps: 5, measuredFps: 5, framesIn: 10, framesDropped: 0, reconnects: 0, stalls: 0, lastError: null, errorCode: null, lastStderr: [] };
const heartbeat = { nodeId: 'a', instance: 'x', url: 'http://10.0.0.1:8420', capacity: 2, draining: false, startedAt: 1, at: 2, leases: { c1: { token: 3, renewedAt: 2 } }, cameras: [status], analysedFps: 5, coverageDuty: true };

test('heartbeats: this version\'s pass, with fields a newer version adds; others are null', () => {
  assert.deepEqual(parseHeartbeat(JSON.stringify(heartbeat)), heartbeat);
  assert.equal(parseHeartbeat(JSON.stringify({ ...heartbeat, zone: 'rack 2', cameras: [{ ...status, node: 'a', analysisRate: null }] }))?.nodeId, 'a');
  for (const bad of ['null', '7', '{', JSON.stringify({ nodeId: 5 }), JSON.stringify({ nodeId: 'a' }), JSON.stringify({ ...heartbeat, cameras: 'all' }), JSON.stringify({ ...heartbeat, leases: { c1: 3 } }), JSON.stringify({ ...heartbeat, capacity: -1 })]) {
    assert.equal(parseHeartbeat(bad), null, bad);
  }
});

test("a camera's errorCode passes from node to node; a node of an older version, which sends none, reads as null", () => {
  const failed = { ...status, state: 'restarting', lastError: 'rtsp://cam/x: connection refused', errorCode: 'SOURCE_UNREACHABLE' };
  assert.equal(parseHeartbeat(JSON.stringify({ ...heartbeat, cameras: [failed] }))?.cameras[0]?.errorCode, 'SOURCE_UNREACHABLE');
  const { errorCode: _omitted, ...older } = status;
  assert.equal(parseHeartbeat(JSON.stringify({ ...heartbeat, cameras: [older] }))?.cameras[0]?.errorCode, null);
  assert.equal(parseHeartbeat(JSON.stringify({ ...heartbeat, cameras: [{ ...status, errorCode: 5 }] })), null);
});

test('inter-server events: the shapes this version sends pass; other shapes, unknown events and non-events are named', () => {
  const probabilities = [0.1, 0.1, 0.1, 0.3, 0.1, 0.1, 0.1, 0.1];
  const readout = { cameraId: 'c1', captureTime: 1, label: 'MS', confidence: 0.3, raw: probabilities, smoothed: probabilities, latencyMs: 4, model: 'm', reason: 'hips in frame' };
  const alert = { key: 'doubling:c1+c2', kind: 'doubling', severity: 'warning', cameraIds: ['c1', 'c2'], scale: 'MS', message: 'x', since: 1, resolvedAt: null };
  const stats = { shots: 1, seconds: 2, averageShotLengthS: 2, byScale: {}, histogram: probabilities };
  const good: unknown[][] = [
    ['readout', readout],
    ['preview', { cameraId: 'c1', captureTime: 1, width: 320, height: 180, jpeg: 'AAAA' }],
    ['preview:want', { node: 'a', cameras: null }],
    ['take:start', { scene: '1', take: '2', cameras: null, startedAt: 5 }],
    ['take:end', { cameras: ['c1'] }],
    ['take:camera-removed', { cameraId: 'c1' }],
    ['take:mark', { scene: '1', take: '2', mark: 'ng' }],
    ['take:mark', { scene: '1', take: '2', mark: null }],
    ['coverage', { perCamera: { c1: stats }, current: null, scenes: [{ scene: '1', take: null, stats, perCamera: {}, plan: null, missing: [] }] }],
    ['plan', { scene: '1', plan: null }],
    ['alert', { alert, from: 'a', scope: 'cluster' }],
    // Every kind of alert there is, a node's own take-interrupted too (a list kept apart had left it out).
    ...ALERT_KINDS.map((kind) => ['alert', { alert: { ...alert, kind, key: `${kind}:x@a` }, from: 'a', scope: 'node' }]),
    ['alert:dismiss', { key: 'k' }],
    ['calibration:applied'],
    ['calibration:fit', { state: 'done', startedAt: 1, finishedAt: 2, headId: 3, error: null, node: 'a' }],
  ];
  for (const args of good) assert.equal(interServerEventProblem(args), null, String(args[0]));
  const bad: [unknown, RegExp][] = [
    [['alert', null], /"alert" of another shape/],
    [['readout', { ...readout, label: 'HUGE' }], /"readout" of another shape \(label:/],
    [['readout', { ...readout, raw: [1] }], /"readout"/],
    [['preview:want', { node: 'b', cameras: 5 }], /"preview:want"/],
    [['take:start', { scene: 5 }], /"take:start"/],
    [['take:camera-removed', { cameraId: ['c1'] }], /"take:camera-removed"/],
    [['take:mark', { scene: '1', take: '2', mark: 'print' }], /"take:mark"/],
    [['alert', { alert: { ...alert, key: 5 }, from: 'b', scope: 'node' }], /"alert" of another shape \(alert\.key:/],
    [['alert', { alert: { ...alert, kind: 'fire' }, from: 'b', scope: 'node' }], /"alert" of another shape \(alert\.kind:/],
    [['toString', {}], /unknown event "toString"/],
    [['drop-tables', {}], /unknown event/],
    [[5, {}], /not an event/],
    ['alert', /not an event/],
  ];
  for (const [args, problem] of bad) assert.match(interServerEventProblem(args) ?? 'passed', problem, JSON.stringify(args));
});

test('the running takes kept in Redis: a list of takes, or null', () => {
  assert.deepEqual(parseRunningTakes('[{"scene":"1","take":"2","cameras":null,"startedAt":5}]'), [{ scene: '1', take: '2', cameras: null, startedAt: 5 }]);
  for (const bad of ['{"scene": ', '{}', '[{"scene":1}]', 'null']) assert.equal(parseRunningTakes(bad), null, bad);
});
