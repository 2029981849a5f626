/**
 * A production's calibration over HTTP: operators correct a camera's label
 * (the frame on screen becomes a sample), list, view and delete samples, fit
 * a head from them (on a thread of its own; the state says when it is done),
 * and apply any fitted version, or the configured head, to every camera or
 * one. Changing what every operator sees needs the operator role.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CameraDirectory } from '../app/camera-directory.js';
import type { CameraManager } from '../app/camera-manager.js';
import { ShotscaleError } from '../errors.js';
import { EVERY_CAMERA, type LiveCalibration } from '../calibration/live-calibration.js';
import { needs } from './access/http-access.js';
import { parseRecordId as parseId, parseRequest } from './request-schemas.js';

const labelSchema = z.strictObject({ label: z.string().min(1).max(40), taxonomy: z.string().min(1).max(40).optional() });
/** captureTime: the picture the operator saw (epoch ms); the nearest analysed frame of the last 2 s is labelled. */
const correctionSchema = labelSchema.extend({ captureTime: z.number().finite().min(0).max(8.64e15).optional() });
const fitSchema = z.strictObject({ fromScratch: z.boolean().optional(), folds: z.number().int().min(2).max(10).optional() }).optional();
const applySchema = z.strictObject({
  /** A head version, or null for the configured head (a rollback to before any fit). */
  head: z.number().int().positive().nullable(),
  /** A camera id; absent: every camera without a head of its own. */
  camera: z.string().min(1).max(64).optional(),
});
const clearSchema = z.strictObject({ camera: z.string().min(1).max(64) });

export function registerCalibrationRoutes(app: FastifyInstance, calibration: LiveCalibration, cameras: CameraManager, directory: () => CameraDirectory): void {
  /**
   * A camera this node runs. In a cluster, calibration is each node's own
   * (its samples, its heads): a camera another node runs is calibrated there.
   */
  const ownCamera = (cameraId: string): void => {
    const place = directory().locate(cameraId);
    if (!cameras.has(cameraId) && place.at === 'node') {
      throw new ShotscaleError('CLUSTER_ELSEWHERE', `camera "${cameraId}" runs on node "${place.nodeId}" (${place.url}): correct and calibrate it there`, {
        hint: "in a cluster each node keeps its own calibration samples and heads; open that node's dashboard",
      });
    }
    cameras.get(cameraId);
  };

  app.post<{ Params: { id: string } }>('/api/cameras/:id/corrections', needs('operator'), async (request, reply) => {
    ownCamera(request.params.id);
    const body = parseRequest(correctionSchema, request.body, 'correction { label, taxonomy?, captureTime? }');
    return reply.code(201).send(calibration.correct(request.params.id, body.label, body.taxonomy, body.captureTime));
  });

  app.get('/api/calibration', needs('viewer'), async () => calibration.state());

  app.get<{ Querystring: { camera?: string } }>('/api/calibration/samples', needs('viewer'), async (request) => ({ samples: calibration.samples(request.query.camera || undefined) }));

  app.get<{ Params: { id: string } }>('/api/calibration/samples/:id/image', needs('viewer'), async (request, reply) =>
    reply.type('image/jpeg').header('cache-control', 'max-age=86400').send(calibration.sampleImage(parseId(request.params.id, 'sample'))));

  /** "Label these": the frames most worth a label, across cameras and classes. */
  app.get('/api/calibration/queue', needs('viewer'), async () => ({ queue: calibration.queue() }));

  app.get<{ Params: { id: string } }>('/api/calibration/queue/:id/image', needs('viewer'), async (request, reply) =>
    reply.type('image/jpeg').header('cache-control', 'max-age=300').send(Buffer.from(calibration.queueImage(parseId(request.params.id, 'queued frame')))));

  app.post<{ Params: { id: string } }>('/api/calibration/queue/:id', needs('operator'), async (request, reply) => {
    const id = parseId(request.params.id, 'queued frame');
    const body = parseRequest(labelSchema, request.body, 'label { label, taxonomy? }');
    return reply.code(201).send(calibration.labelQueued(id, body.label, body.taxonomy));
  });

  app.delete<{ Params: { id: string } }>('/api/calibration/samples/:id', needs('operator'), async (request, reply) => {
    calibration.deleteSample(parseId(request.params.id, 'sample'));
    return reply.code(204).send();
  });

  app.post('/api/calibration/fit', needs('operator'), async (request, reply) => {
    const body = parseRequest(fitSchema, request.body ?? undefined, 'fit { fromScratch?, folds? }');
    return reply.code(202).send(calibration.startFit(body ?? {}));
  });

  app.post('/api/calibration/apply', needs('operator'), async (request) => {
    const body = parseRequest(applySchema, request.body, 'apply { head, camera? }');
    if (body.camera !== undefined) ownCamera(body.camera);
    calibration.apply(body.camera ?? EVERY_CAMERA, body.head);
    return calibration.appliedScopes();
  });

  /** A camera back to the head every camera uses. */
  app.post('/api/calibration/clear', needs('operator'), async (request) => {
    calibration.clear(parseRequest(clearSchema, request.body, 'clear { camera }').camera);
    return calibration.appliedScopes();
  });
}
