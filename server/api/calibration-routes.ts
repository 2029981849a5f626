/**
 * A production's calibration over HTTP: operators correct a camera's label
 * (the frame on screen becomes a sample), list, view and delete samples, fit
 * a head from them (on a thread of its own; the state says when it is done),
 * and apply any fitted version, or the configured head, to every camera or
 * one. Changing what every operator sees needs the operator role.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CameraDirectory, CameraPlace } from '../app/camera-directory.js';
import type { CameraManager } from '../app/camera-manager.js';
import { cameraIdSchema } from '../config/camera-id.js';
import { ShotscaleError } from '../errors.js';
import { EVERY_CAMERA, type LiveCalibration } from '../calibration/live-calibration.js';
import { needs } from './access/http-access.js';
import { askNodes, forwardToNode, wasForwarded, type PeerNode } from './node-forward.js';
import type { QueueItem } from '../calibration/label-queue.js';
import { parseCount, parseRecordId as parseId, parseRequest, parseScope } from './request-schemas.js';

const labelSchema = z.strictObject({ label: z.string().min(1).max(40), taxonomy: z.string().min(1).max(40).optional() });
/** captureTime: the picture the operator saw (epoch ms); the nearest analysed frame of the last 2 s is labelled. */
const correctionSchema = labelSchema.extend({ captureTime: z.number().finite().min(0).max(8.64e15).optional() });
const fitSchema = z.strictObject({ fromScratch: z.boolean().optional(), folds: z.number().int().min(2).max(10).optional() }).optional();
const applySchema = z.strictObject({
  /** A head version, or null for the configured head (a rollback to before any fit). */
  head: z.number().int().positive().nullable(),
  /** A camera id; absent: every camera without a head of its own. */
  camera: cameraIdSchema.optional(),
});
/** A camera id ("*", every camera's scope, is not one: a rollback is apply { head: null }). */
const clearSchema = z.strictObject({ camera: cameraIdSchema });

/** What the routes need of a cluster. */
export interface CalibrationRoutesCluster {
  nodeId: string;
  /** The other live nodes. */
  otherNodes(): PeerNode[];
  /** The node whose label-these queue holds frame `id` (ids are unique over the cluster); null: this one; url null: that node is not running. */
  queueOwner(id: number): Promise<{ nodeId: string; url: string | null } | null>;
}

/** Other nodes' label-these lists are waited for this long; a node slower than that is left out of the list. */
const ASK_NODES_MS = 2000;
const QUEUE_LENGTH = 12;

/** The nodes' lists (each already interleaved over its cameras), taken in turn. */
function interleave(lists: QueueItem[][], limit: number): QueueItem[] {
  const out: QueueItem[] = [];
  for (let i = 0; out.length < limit && lists.some((l) => i < l.length); i++) for (const list of lists) if (i < list.length && out.length < limit) out.push(list[i]!);
  return out;
}

/**
 * In a cluster the calibration is the cluster's (samples, heads and what is
 * applied where, in PostgreSQL): any node lists, fits and applies. What only
 * the node running a camera has (the frames it analysed: a correction, the
 * label-these frames) another node passes on to it, or gathers from every
 * node.
 */
export function registerCalibrationRoutes(app: FastifyInstance, calibration: LiveCalibration, cameras: CameraManager, directory: () => CameraDirectory, cluster: CalibrationRoutesCluster | null = null): void {
  /** A camera of this node or of the cluster, else 404. */
  const knownCamera = (cameraId: string): CameraPlace => {
    const place = directory().locate(cameraId);
    if (place.at === 'here') cameras.get(cameraId);
    return place;
  };

  app.post<{ Params: { id: string } }>('/api/cameras/:id/corrections', needs('operator'), async (request, reply) => {
    const place = knownCamera(request.params.id);
    const body = parseRequest(correctionSchema, request.body, 'correction { label, taxonomy?, captureTime? }');
    if (place.at === 'node' && cluster) {
      // The lease may have moved meanwhile: a passed-on request is answered, never passed on again.
      if (wasForwarded(request)) throw new ShotscaleError('CLUSTER_ELSEWHERE', `camera "${request.params.id}" runs on node "${place.nodeId}" (${place.url}) now; send the correction again`);
      return forwardToNode(request, reply, place, cluster.nodeId, `/api/cameras/${encodeURIComponent(request.params.id)}/corrections`, 'runs this camera');
    }
    if (place.at === 'nowhere') throw new ShotscaleError('CALIBRATION_INVALID', `camera "${request.params.id}" is not analysed by any node now (${place.why}): there is no frame to label`);
    return reply.code(201).send(await calibration.correct(request.params.id, body.label, body.taxonomy, body.captureTime, cameras.has(request.params.id) ? cameras.get(request.params.id).status() : undefined));
  });

  app.get('/api/calibration', needs('viewer'), async () => calibration.state());

  app.get<{ Querystring: { camera?: string; limit?: string } }>('/api/calibration/samples', needs('viewer', ['camera', 'limit']), async (request) => ({
    samples: await calibration.samples(request.query.camera || undefined, parseCount(request.query.limit, 'limit')),
  }));

  // Cached for a day: a sample's id is never given to another sample (schema version 14, AUTOINCREMENT;
  // PostgreSQL's sequence in a cluster) and a relabel keeps the frame, so an id always names the same picture.
  app.get<{ Params: { id: string } }>('/api/calibration/samples/:id/image', needs('viewer'), async (request, reply) =>
    reply.type('image/jpeg').header('cache-control', 'private, max-age=86400').send(await calibration.sampleImage(parseId(request.params.id, 'sample'))));

  /** A label-these frame another node holds: that node answers (null: this node holds it, or should). */
  const queuedElsewhere = async (id: number, path: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | null> => {
    if (!cluster || wasForwarded(request)) return null;
    const owner = await cluster.queueOwner(id);
    if (!owner) return null;
    if (!owner.url) throw new ShotscaleError('NOT_FOUND', `frame ${id} of the label-these list was held by node "${owner.nodeId}", which is not running now`);
    return forwardToNode(request, reply, { nodeId: owner.nodeId, url: owner.url }, cluster.nodeId, path, 'holds this frame');
  };

  /** "Label these": the frames most worth a label, across cameras and classes; in a cluster, of every node (?scope=node: this node's). */
  app.get<{ Querystring: { scope?: string } }>('/api/calibration/queue', needs('viewer', ['scope']), async (request) => {
    const scope = parseScope(request.query.scope);
    const own = calibration.queue(QUEUE_LENGTH);
    if (!cluster || scope === 'node' || wasForwarded(request)) return { queue: own };
    const { answers, silent } = await askNodes<{ queue: QueueItem[] }>(request, cluster.otherNodes(), cluster.nodeId, '/api/calibration/queue?scope=node', ASK_NODES_MS);
    const queue = interleave([own, ...answers.map((a) => (Array.isArray(a.body.queue) ? a.body.queue : []))], QUEUE_LENGTH);
    return { queue, ...(silent.length ? { silentNodes: silent } : {}) };
  });

  app.get<{ Params: { id: string } }>('/api/calibration/queue/:id/image', needs('viewer'), async (request, reply) => {
    const id = parseId(request.params.id, 'queued frame');
    // Cached for the 5 minutes a frame is kept: its id is never given to another frame, even after a restart (label-queue.ts).
    return (await queuedElsewhere(id, `/api/calibration/queue/${id}/image`, request, reply)) ?? reply.type('image/jpeg').header('cache-control', 'private, max-age=300').send(Buffer.from(calibration.queueImage(id)));
  });

  app.post<{ Params: { id: string } }>('/api/calibration/queue/:id', needs('operator'), async (request, reply) => {
    const id = parseId(request.params.id, 'queued frame');
    const body = parseRequest(labelSchema, request.body, 'label { label, taxonomy? }');
    return (await queuedElsewhere(id, `/api/calibration/queue/${id}`, request, reply)) ?? reply.code(201).send(await calibration.labelQueued(id, body.label, body.taxonomy));
  });

  app.delete<{ Params: { id: string } }>('/api/calibration/samples/:id', needs('operator'), async (request, reply) => {
    await calibration.deleteSample(parseId(request.params.id, 'sample'));
    return reply.code(204).send();
  });

  app.post('/api/calibration/fit', needs('operator'), async (request, reply) => {
    const body = parseRequest(fitSchema, request.body ?? undefined, 'fit { fromScratch?, folds? }');
    return reply.code(202).send(await calibration.startFit(body ?? {}));
  });

  app.post('/api/calibration/apply', needs('operator'), async (request) => {
    const body = parseRequest(applySchema, request.body, 'apply { head, camera? }');
    if (body.camera !== undefined) knownCamera(body.camera);
    await calibration.apply(body.camera ?? EVERY_CAMERA, body.head);
    return calibration.appliedScopes();
  });

  /** A camera back to the head every camera uses. */
  app.post('/api/calibration/clear', needs('operator'), async (request) => {
    const { camera } = parseRequest(clearSchema, request.body, 'clear { camera }');
    knownCamera(camera);
    await calibration.clear(camera);
    return calibration.appliedScopes();
  });
}
