/**
 * What may arrive from Redis, checked before any of it is used: the other
 * nodes' heartbeats and the events they send through the Socket.IO adapter.
 *
 * Why: Redis is shared by every node, and during a rolling upgrade by
 * nodes of another version. A heartbeat without `cameras`, or an alert
 * relay of `null`, used to throw inside a timer or an adapter callback, and
 * an uncaught error ends the process: one bad value in Redis stopped every
 * node of the cluster, and again at each restart. A value that does not
 * have the shape this version uses is left out (and counted, and logged);
 * fields a newer version adds pass through.
 */
import { z } from 'zod';
import { CANONICAL_SCALES } from '../shared/scale.js';
import { ALERT_KINDS } from '../shared/shots.js';
import type { CameraStatus } from '../shared/socket-events.js';

/** What a node writes to Redis every second: who it is, what it takes and analyses. */
export interface NodeHeartbeat {
  nodeId: string;
  /** Random per process: tells a restarted node from another with the same id. */
  instance: string;
  url: string;
  /** Most cameras it takes; 0 while draining. */
  capacity: number;
  draining: boolean;
  startedAt: number;
  /** Epoch ms of this heartbeat. */
  at: number;
  /** The cameras it analyses, with each lease's fencing token and last renewal. */
  leases: Record<string, { token: number; renewedAt: number }>;
  /** Their statuses, so that any node can show every camera. */
  cameras: CameraStatus[];
  /** Frames analysed per second over the last window. */
  analysedFps: number;
  /** Whether it computes the cluster's coverage now. */
  coverageDuty: boolean;
}

const text = z.string();
// zod 4's number() takes no Infinity or NaN (JSON carries neither anyway).
const count = z.number();
const scale = z.enum(CANONICAL_SCALES);
const probabilities = z.array(count).length(CANONICAL_SCALES.length);
const cameraIds = z.array(text);

const cameraStatus = z.looseObject({
  cameraId: text,
  name: text,
  enabled: z.boolean(),
  sourceKind: z.enum(['rtsp', 'webcam', 'ndi', 'file', 'testsrc', 'url', 'webrtc']),
  source: text,
  state: z.enum(['starting', 'live', 'stalled', 'restarting', 'failed', 'stopped', 'waiting', 'gone']),
  since: count,
  analysisFps: count,
  analysisRate: count.nullable().optional(),
  measuredFps: count,
  framesIn: count,
  framesDropped: count,
  reconnects: count,
  stalls: count,
  lastError: text.nullable(),
  // A node of an older version sends none: its cameras read as uncoded (null), not as a bad heartbeat.
  errorCode: text.nullable().default(null),
  lastStderr: z.array(text),
  node: text.nullable().optional(),
});

const heartbeat = z.looseObject({
  nodeId: text.min(1),
  instance: text,
  url: text,
  capacity: count.min(0),
  draining: z.boolean(),
  startedAt: count,
  at: count,
  leases: z.record(text, z.looseObject({ token: count, renewedAt: count })),
  cameras: z.array(cameraStatus),
  analysedFps: count,
  coverageDuty: z.boolean().optional(),
});

/** A heartbeat as stored in Redis, or null when it is not one this version can use. */
export function parseHeartbeat(value: string): NodeHeartbeat | null {
  try {
    const parsed = heartbeat.safeParse(JSON.parse(value));
    return parsed.success ? (parsed.data as NodeHeartbeat) : null;
  } catch {
    return null;
  }
}

const runningTakes = z.array(z.looseObject({ scene: text, take: text, cameras: cameraIds.nullable(), exceptCameras: cameraIds.optional(), startedAt: count }));

/** The cluster's running takes as kept in Redis, or null when the value is not one this version can use. */
export function parseRunningTakes(value: string): { scene: string; take: string; cameras: string[] | null; exceptCameras?: string[] | undefined; startedAt: number }[] | null {
  try {
    const parsed = runningTakes.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const coverageStats = z.looseObject({ shots: count, seconds: count, histogram: z.array(count) });
const sceneCoverage = z.looseObject({ scene: text, take: text.nullable(), stats: coverageStats, perCamera: z.record(text, coverageStats), plan: z.array(z.looseObject({})).nullable(), missing: z.array(text) });
const alert = z.looseObject({
  key: text,
  // Every kind there is: a list of its own here left take-interrupted out, and every other node dropped that alert.
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(['info', 'warning', 'critical']),
  cameraIds,
  scale: scale.optional(),
  scene: text.optional(),
  message: text,
  since: count,
  resolvedAt: count.nullable(),
});

/**
 * Each inter-server event's first argument (InterServerEvents in
 * api/socket-hub.ts); null: an event without one. Later arguments, which
 * no listener here reads, are left alone.
 */
const events: Record<string, z.ZodType | null> = {
  readout: z.looseObject({ cameraId: text, captureTime: count, label: scale, confidence: count, raw: probabilities, smoothed: probabilities, latencyMs: count, model: text, noPicture: z.enum(['black', 'white', 'plain']).optional(), stillSince: count.optional() }),
  preview: z.looseObject({ cameraId: text, captureTime: count, width: count, height: count, jpeg: text }),
  'preview:want': z.looseObject({ node: text, cameras: cameraIds.nullable() }),
  'take:start': z.looseObject({ scene: text, take: text, cameras: cameraIds.nullable(), startedAt: count }),
  'take:end': z.looseObject({ cameras: cameraIds.nullable() }),
  'take:camera-removed': z.looseObject({ cameraId: text }),
  'take:mark': z.looseObject({ scene: text, take: text, mark: z.enum(['circled', 'ng']).nullable() }),
  'take:slated': z.looseObject({ scene: text, take: text.nullable(), shot: z.looseObject({ from: count, to: count.nullable() }).optional() }),
  coverage: z.looseObject({ perCamera: z.record(text, coverageStats), current: sceneCoverage.nullable(), running: z.array(sceneCoverage).optional(), scenes: z.array(sceneCoverage) }),
  plan: z.looseObject({ scene: text, plan: z.unknown() }),
  alert: z.looseObject({ alert, from: text, scope: z.enum(['cluster', 'node']) }),
  'alert:dismiss': z.looseObject({ key: text }),
  'calibration:applied': null,
  'calibration:fit': z.looseObject({ state: z.enum(['idle', 'fitting', 'done', 'failed']), startedAt: count.nullable(), finishedAt: count.nullable(), headId: count.nullable(), error: text.nullable(), node: text.optional() }),
};

/** Why an inter-server event (its name, then its arguments) cannot be delivered here; null when it can. */
export function interServerEventProblem(args: unknown): string | null {
  if (!Array.isArray(args) || typeof args[0] !== 'string') return 'not an event';
  const name = args[0];
  const schema = Object.hasOwn(events, name) ? events[name] : undefined;
  if (schema === undefined) return `unknown event "${name.slice(0, 40)}"`;
  if (schema === null) return null;
  const parsed = schema.safeParse(args[1]);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return `"${name}" of another shape (${issue?.path.join('.') || 'its argument'}: ${issue?.message ?? 'invalid'})`;
}
