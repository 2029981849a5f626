/**
 * /api/health's status as a monitor reads it: failing while the shot log
 * cannot write or no enabled camera is live, degraded while a camera is
 * down, the server over capacity or an alert active, ok otherwise; ready (a
 * load balancer's question) false only while it cannot record shots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeHealth, type HealthInputs } from '../../server/api/health-status.js';

const camera = (cameraId: string, state: HealthInputs['cameras'][number]['state'], extra: Partial<HealthInputs['cameras'][number]> = {}) => ({
  cameraId,
  enabled: true,
  state,
  errorCode: state === 'live' ? null : 'SOURCE_UNREACHABLE',
  lastError: state === 'live' ? null : 'connection refused',
  ...extra,
});
const calm: HealthInputs = { cameras: [camera('a', 'live'), camera('b', 'live')], overCapacity: false, held: null, alerts: [] };
const codes = (inputs: HealthInputs) => judgeHealth(inputs).problems.map((p) => p.code);

test('ok with every enabled camera live and the shot log writing; also with no camera, no shot log', () => {
  assert.deepEqual(judgeHealth(calm), { status: 'ok', ready: true, problems: [] });
  assert.equal(judgeHealth({ ...calm, cameras: [], held: undefined }).status, 'ok');
  // Disabled, or waiting for its sender (a WHIP camera without a publisher): nothing wrong.
  assert.equal(judgeHealth({ ...calm, cameras: [camera('a', 'live'), camera('b', 'stopped', { enabled: false }), camera('c', 'waiting', { errorCode: null, lastError: null })] }).status, 'ok');
});

test('degraded: one camera of four unreachable, over capacity, a warning alert, a camera stalled alert', () => {
  const oneDown = judgeHealth({ ...calm, cameras: [camera('a', 'live'), camera('b', 'live'), camera('c', 'live'), camera('d', 'restarting')] });
  assert.equal(oneDown.status, 'degraded');
  assert.deepEqual(oneDown.problems, [{ code: 'camera-not-live', level: 'degraded', message: 'camera "d" is restarting: connection refused', cameraId: 'd', errorCode: 'SOURCE_UNREACHABLE' }]);
  assert.deepEqual(codes({ ...calm, overCapacity: true }), ['over-capacity']);
  const alerted = judgeHealth({ ...calm, alerts: [{ kind: 'stalled', severity: 'critical', message: 'Cam B has no picture' }, { kind: 'doubling', severity: 'warning', message: 'two wides' }, { kind: 'plan-missing', severity: 'info', message: 'x' }] });
  assert.equal(alerted.status, 'degraded');
  assert.deepEqual(alerted.problems.map((p) => p.alert), ['stalled', 'doubling'], 'info alerts are no problem');
});

test('failing: the shot log holding writes, a storage alert, no enabled camera live', () => {
  const held = judgeHealth({ ...calm, held: { reason: 'SQLITE_IOERR_WRITE: disk I/O error', shots: 12 } });
  assert.equal(held.status, 'failing');
  assert.equal(held.ready, false, 'it cannot record shots: out of a load balancer');
  assert.deepEqual(held.problems, [{ code: 'shot-log-unwritable', level: 'failing', message: 'the shot log cannot be written (SQLITE_IOERR_WRITE: disk I/O error); 12 shots are held in memory' }]);
  const full = judgeHealth({ ...calm, alerts: [{ kind: 'storage', severity: 'critical', message: 'full' }] });
  assert.deepEqual([full.status, full.ready], ['failing', false]);
  const dark = judgeHealth({ ...calm, cameras: [camera('a', 'failed'), camera('b', 'stalled'), camera('c', 'stopped', { enabled: false })] });
  assert.equal(dark.status, 'failing');
  assert.equal(dark.ready, true, 'every camera down: still ready, its dashboard is where the operator sees why');
  assert.deepEqual(dark.problems.map((p) => [p.code, p.level]), [['no-camera-live', 'failing'], ['camera-not-live', 'degraded'], ['camera-not-live', 'degraded']]);
  assert.match(dark.problems[0]!.message, /none of the 2 enabled cameras is live/);
});
