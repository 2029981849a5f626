/**
 * The shot log over HTTP: shots with filters (and in every export format),
 * thumbnails, operator edits, takes, coverage, plans and alerts. Routes parse
 * and delegate to the ShotLog; errors are ShotscaleErrors mapped by the app.
 */
import type { FastifyInstance } from 'fastify';
import { ShotscaleError } from '../errors.js';
import { exportShots, isExportFormat, EXPORT_FORMATS } from '../exports/export-shots.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { ShotFilter, ShotPatch } from '../store/shot-store.js';

type Query = Record<string, string | undefined>;

function badRequest(message: string): ShotscaleError {
  return new ShotscaleError('BAD_REQUEST', message);
}

/** Epoch ms or an ISO 8601 date. */
function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const time = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) throw badRequest(`${name}: "${value}" is neither epoch milliseconds nor an ISO 8601 date`);
  return time;
}

function parseCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name}: "${value}" is not a whole number >= 0`);
  return n;
}

function parseId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw badRequest(`"${value}" is not a shot id`);
  return id;
}

/** camera=cam-1,cam-2, scene, take, from, to, status, order (asc, desc), limit, offset. */
export function shotFilterFrom(query: Query): ShotFilter {
  const filter: ShotFilter = {};
  const cameras = query.camera?.split(',').map((c) => c.trim()).filter(Boolean);
  if (cameras?.length) filter.cameraIds = cameras;
  if (query.scene) filter.scene = query.scene;
  if (query.take) filter.take = query.take;
  const from = parseTime(query.from, 'from');
  const to = parseTime(query.to, 'to');
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  if (query.status !== undefined) {
    if (query.status !== 'open' && query.status !== 'closed') throw badRequest(`status: "${query.status}" is not open or closed`);
    filter.status = query.status;
  }
  if (query.order !== undefined) {
    if (query.order !== 'asc' && query.order !== 'desc') throw badRequest(`order: "${query.order}" is not asc or desc`);
    filter.order = query.order;
  }
  const limit = parseCount(query.limit, 'limit');
  const offset = parseCount(query.offset, 'offset');
  if (limit !== undefined) filter.limit = limit;
  if (offset !== undefined) filter.offset = offset;
  return filter;
}

function parsePatch(body: unknown): ShotPatch {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be a JSON object: { tags?, note?, scene?, take? }');
  const given = body as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !['tags', 'note', 'scene', 'take'].includes(k));
  if (unknown.length) throw badRequest(`unknown field(s) ${unknown.join(', ')}: a shot takes tags, note, scene, take`);
  const patch: ShotPatch = {};
  if (given.tags !== undefined) {
    if (!Array.isArray(given.tags) || !given.tags.every((t) => typeof t === 'string')) throw badRequest('tags must be an array of strings');
    patch.tags = [...new Set(given.tags.map((t) => t.trim()).filter(Boolean))];
  }
  for (const key of ['note', 'scene', 'take'] as const) {
    const value = given[key];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') throw badRequest(`${key} must be a string or null`);
    patch[key] = value === null || String(value).trim() === '' ? null : String(value);
  }
  return patch;
}

export function registerShotRoutes(app: FastifyInstance, shotLog: ShotLog): void {
  app.get<{ Querystring: Query }>('/api/shots', async (request, reply) => {
    const { format } = request.query;
    const filter = shotFilterFrom(request.query);
    const shots = shotLog.listShots(filter);
    if (format === undefined || format === '') {
      // total: every shot matching the filters, for a client showing a page of them.
      const paged = filter.limit !== undefined || filter.offset !== undefined;
      return { count: shots.length, total: paged ? shotLog.shots.count(filter) : shots.length, shots };
    }
    if (!isExportFormat(format)) throw badRequest(`format: "${format}" is not one of ${EXPORT_FORMATS.join(', ')}`);
    const title = `shotscale ${request.query.camera ?? 'all cameras'}${request.query.scene ? ` scene ${request.query.scene}` : ''}`;
    const result = exportShots(shots, format, { title });
    const name = `shotscale-shots${request.query.camera ? `-${request.query.camera.replace(/[^A-Za-z0-9_-]+/g, '_')}` : ''}${result.extension}`;
    return reply.type(result.contentType).header('content-disposition', `attachment; filename="${name}"`).send(result.body);
  });

  app.get<{ Params: { id: string } }>('/api/shots/:id', async (request) => {
    return shotLog.shot(parseId(request.params.id));
  });

  app.get<{ Params: { id: string } }>('/api/shots/:id/thumbnail', async (request, reply) => {
    const jpeg = shotLog.shots.thumbnail(parseId(request.params.id));
    if (!jpeg) throw new ShotscaleError('NOT_FOUND', `shot ${request.params.id} has no thumbnail (yet)`);
    return reply.type('image/jpeg').header('cache-control', 'max-age=86400').send(jpeg);
  });

  app.patch<{ Params: { id: string } }>('/api/shots/:id', async (request) => shotLog.patchShot(parseId(request.params.id), parsePatch(request.body)));

  app.get<{ Querystring: Query }>('/api/takes', async (request) => ({ running: shotLog.runningTakes(), takes: shotLog.takeStore.list(request.query.scene) }));

  app.post('/api/takes', async (request, reply) => {
    const body = request.body as { scene?: unknown; take?: unknown; cameras?: unknown } | null;
    if (!body || typeof body !== 'object') throw badRequest('body must be { scene, take?, cameras? }');
    if (body.cameras !== undefined && body.cameras !== null && !(Array.isArray(body.cameras) && body.cameras.every((c) => typeof c === 'string'))) {
      throw badRequest('cameras must be an array of camera ids');
    }
    const take = shotLog.startTake({
      scene: body.scene === undefined || body.scene === null ? '' : String(body.scene),
      ...(body.take !== undefined && body.take !== null ? { take: String(body.take) } : {}),
      cameras: (body.cameras as string[] | null | undefined) ?? null,
    });
    return reply.code(201).send(take);
  });

  app.post('/api/takes/end', async (request) => {
    const body = request.body as { cameras?: unknown } | null | undefined;
    const cameras = Array.isArray(body?.cameras) ? body.cameras.filter((c): c is string => typeof c === 'string') : null;
    return { ended: shotLog.endTake(cameras) };
  });

  app.get<{ Querystring: Query }>('/api/coverage', async (request) => shotLog.coverage(shotFilterFrom(request.query)));

  /** What the `coverage` event carries: this run per camera, the current take, every scene. */
  app.get('/api/coverage/live', async () => shotLog.coverageUpdate());

  app.get('/api/plans', async () => shotLog.allPlans());

  app.get<{ Params: { scene: string } }>('/api/plans/:scene', async (request) => {
    const plan = shotLog.plan(request.params.scene);
    if (!plan) throw new ShotscaleError('NOT_FOUND', `no coverage plan for scene "${request.params.scene}"`);
    return plan;
  });

  app.put<{ Params: { scene: string } }>('/api/plans/:scene', async (request) => shotLog.setPlan(request.params.scene, request.body));

  app.delete<{ Params: { scene: string } }>('/api/plans/:scene', async (request, reply) => {
    if (!shotLog.removePlan(request.params.scene)) throw new ShotscaleError('NOT_FOUND', `no stored coverage plan for scene "${request.params.scene}"`);
    return reply.code(204).send();
  });

  app.get<{ Querystring: Query }>('/api/alerts', async (request) => ({
    active: shotLog.alerts.active(),
    ...(request.query.history === 'true' || request.query.history === '1' ? { history: shotLog.alertHistory() } : {}),
  }));

  app.post<{ Params: { key: string } }>('/api/alerts/:key/dismiss', async (request) => {
    if (!shotLog.dismissAlert(request.params.key)) throw new ShotscaleError('NOT_FOUND', `no active alert "${request.params.key}"`);
    return { active: shotLog.alerts.active() };
  });
}
