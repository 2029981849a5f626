/**
 * What /api/health's `status` says, and why: a load balancer or a probe acts
 * on the word, a person reads the problems. It was the constant "ok", even
 * with the shot log failing to write (shots held in memory, a critical
 * storage alert, slates answered 507) or a camera unreachable.
 *
 * failing: the server cannot do its job (the shot log cannot be written; no
 * enabled camera is live though there are some). degraded: it does its job in
 * part (a camera down, over capacity, an alert).
 *
 * ready (/api/health/ready: 503 when not) is narrower: whether this server
 * can take work, i.e. record shots. Cameras all down is no reason to take a
 * server out of a load balancer: its dashboard is where the operator sees
 * why, and in a cluster every node lists every camera, so every node would
 * go at once.
 */
import type { CameraStatus } from '../shared/socket-events.js';
import type { Alert } from '../shared/shots.js';

export type HealthStatus = 'ok' | 'degraded' | 'failing';

export const HEALTH_PROBLEM_CODES = ['shot-log-unwritable', 'no-camera-live', 'camera-not-live', 'over-capacity', 'alert'] as const;
export type HealthProblemCode = (typeof HEALTH_PROBLEM_CODES)[number];

export interface HealthProblem {
  code: HealthProblemCode;
  /** What this problem makes of the status on its own. */
  level: Exclude<HealthStatus, 'ok'>;
  message: string;
  /** camera-not-live: the camera, and its errorCode (null when it gives none, e.g. still starting). */
  cameraId?: string;
  errorCode?: string | null;
  /** alert: the alert's kind. */
  alert?: Alert['kind'];
}

export interface HealthInputs {
  cameras: readonly Pick<CameraStatus, 'cameraId' | 'enabled' | 'state' | 'errorCode' | 'lastError'>[];
  overCapacity: boolean;
  /** The shot log's writes held in memory (null: it writes; undefined: the server keeps no shot log). */
  held: { reason: string; shots: number } | null | undefined;
  alerts: readonly Pick<Alert, 'kind' | 'severity' | 'message'>[];
}

/**
 * A camera waiting for its sender (a listener, a WHIP camera without a
 * publisher) is as it should be: neither live nor a fault. A disabled one is
 * not expected to be live at all.
 */
const expectedLive = (camera: HealthInputs['cameras'][number]): boolean => camera.enabled && camera.state !== 'waiting';

export function judgeHealth(inputs: HealthInputs): { status: HealthStatus; ready: boolean; problems: HealthProblem[] } {
  const problems: HealthProblem[] = [];
  if (inputs.held) {
    problems.push({ code: 'shot-log-unwritable', level: 'failing', message: `the shot log cannot be written (${inputs.held.reason}); ${inputs.held.shots} shot${inputs.held.shots === 1 ? ' is' : 's are'} held in memory` });
  }
  const expected = inputs.cameras.filter(expectedLive);
  const down = expected.filter((camera) => camera.state !== 'live');
  if (expected.length > 0 && down.length === expected.length) {
    problems.push({ code: 'no-camera-live', level: 'failing', message: `none of the ${expected.length} enabled camera${expected.length === 1 ? ' is' : 's is'} live` });
  }
  for (const camera of down) {
    const why = camera.lastError ? `: ${camera.lastError}` : '';
    problems.push({ code: 'camera-not-live', level: 'degraded', message: `camera "${camera.cameraId}" is ${camera.state}${why}`, cameraId: camera.cameraId, errorCode: camera.errorCode });
  }
  if (inputs.overCapacity) problems.push({ code: 'over-capacity', level: 'degraded', message: 'over capacity: each camera is analysed at a fair share of the frames it delivers' });
  for (const alert of inputs.alerts) {
    if (alert.severity === 'info') continue;
    // The storage alert is the held writes above, seen by the alert monitor: failing on its own too, in case
    // the write that failed held nothing (a slate refused 507).
    problems.push({ code: 'alert', level: alert.kind === 'storage' ? 'failing' : 'degraded', message: `${alert.severity} ${alert.kind} alert: ${alert.message}`, alert: alert.kind });
  }
  const status: HealthStatus = problems.some((p) => p.level === 'failing') ? 'failing' : problems.length ? 'degraded' : 'ok';
  const ready = !problems.some((p) => p.code === 'shot-log-unwritable' || p.alert === 'storage');
  return { status, ready, problems };
}
