/**
 * The shot log over HTTP: shots with filters (and in every export format),
 * thumbnails, operator edits, takes, coverage, plans and alerts. Routes parse
 * and delegate to the ShotLog; errors are ShotscaleErrors mapped by the app.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ShotscaleError } from '../errors.js';
import { EXPORT_CONTENT_TYPES, EXPORT_EXTENSIONS, EXPORT_FORMATS, isExportFormat } from '../exports/export-shots.js';
import { buildOnThread, exportPlace } from '../exports/export-thread.js';
import { clientGone } from './client-gone.js';
import { forwardToNode, passOnText, wasForwarded, type PeerNode } from './node-forward.js';
import type { ClusterAlerts } from '../cluster/cluster-alerts.js';
import type { ClusterCoverage } from '../cluster/cluster-coverage.js';
import type { ClusterShotLog } from '../cluster/cluster-shot-log.js';
import type { RecordedTake } from '../cluster/take-records.js';
import { planForScene } from '../coverage/scene-plans.js';
import type { ShotLog, TakeRequest } from '../shots/shot-log.js';
import type { CoverageUpdate, Take, TakeMark } from '../shared/shots.js';
import type { ShotFilter, ShotScaleFilter, StoredShot } from '../store/shot-store.js';
import { CANONICAL_SCALES, isCanonicalScale } from '../shared/scale.js';
import { planEtag, parseIfMatch } from '../coverage/plan-revision.js';
import { canonicalTake, slateText } from '../shared/input-limits.js';
import { needs } from './access/http-access.js';
import { parseFilterTime, windowInverted } from './filter-times.js';
import { refuseUnknownCameras, type KnownCameras } from './unknown-cameras.js';
import { MAX_CAMERAS_IN_REQUEST, parseCount, parseRecordId, parseRequest, parseScope, shown, parseShotPatch, parseTakeMark, takeEndSchema, takeRequest, takeStartSchema } from './request-schemas.js';

type Query = Record<string, string | undefined>;

function badRequest(message: string): ShotscaleError {
  return new ShotscaleError('BAD_REQUEST', message);
}

const parseId = (value: string): number => parseRecordId(value, 'shot');

/** The query parameters of a shot filter (shotFilterFrom). */
export const SHOT_FILTER_QUERY = ['camera', 'scene', 'take', 'scale', 'from', 'to', 'status', 'order', 'limit', 'offset'] as const;

/**
 * The query of GET /api/coverage: the shot filter less `scale` (it would count
 * only the shots already of the scales asked for: coverage is of every scale)
 * and less order, limit and offset (coverage is over every matching shot:
 * limit=1 counted one shot).
 */
export const COVERAGE_QUERY: readonly string[] = ['camera', 'scene', 'take', 'from', 'to', 'status'];

/**
 * scale=CU,MCU: shots of these scales, any case; `none`: shots without a
 * picture. Each word said wrong is named, with the words there are.
 */
function parseScales(value: string): ShotScaleFilter[] {
  const words = value.split(',').map((word) => word.trim()).filter(Boolean);
  const scales: ShotScaleFilter[] = [];
  for (const word of words) {
    const scale = word.toLowerCase() === 'none' ? 'none' : word.toUpperCase();
    if (scale !== 'none' && !isCanonicalScale(scale)) throw badRequest(`scale: ${shown(word)} is not a shot scale (${CANONICAL_SCALES.join(', ')}, or none: shots without a picture)`);
    if (!scales.includes(scale)) scales.push(scale);
  }
  // As camera= (request-parsing.ts): read as no filter, a list that lost its words would be the whole log.
  if (!scales.length) throw badRequest(`scale: ${shown(value)} names no scale: give one or more (scale=CU,MCU; ${CANONICAL_SCALES.join(', ')}, or none), or leave it out for every scale`);
  return scales;
}

/** A title's words for a scale filter: "CU, MCU", "without a picture"; '' for none. */
export function filteredScales(filter: Pick<ShotFilter, 'scales'>): string {
  if (!filter.scales?.length) return '';
  return filter.scales.map((scale) => (scale === 'none' ? 'without a picture' : scale)).join(', ');
}

/**
 * camera=cam-1,cam-2, scene, take, scale=CU,MCU, from, to (a date alone: that whole day, filter-times.ts), status,
 * order (asc, desc), limit, offset; `from` after `to` refused unless the caller names them itself.
 */
export function shotFilterFrom(query: Query, refuseInvertedWindow = true): ShotFilter {
  const filter: ShotFilter = {};
  const cameras = query.camera?.split(',').map((c) => c.trim()).filter(Boolean);
  if (cameras && cameras.length > MAX_CAMERAS_IN_REQUEST) throw badRequest(`camera: at most ${MAX_CAMERAS_IN_REQUEST} cameras`);
  if (cameras?.length) filter.cameraIds = cameras;
  // As takes store them (slateText: trimmed, NFC; canonicalTake): scene=Ku%CC%88che finds "Küche", scene=%2012 finds "12",
  // take=01 finds take 1. Blank text is kept as sent, so it finds nothing rather than every shot. A scene slated in
  // another case is the log's to spell (ShotLog.spelling.slated, where the filter is used: scene=kitchen finds "Kitchen").
  if (query.scene) filter.scene = query.scene.trim() ? slateText(query.scene) : query.scene;
  if (query.take) filter.take = query.take.trim() ? canonicalTake(query.take) : query.take;
  if (query.scale !== undefined) filter.scales = parseScales(query.scale);
  const from = parseFilterTime(query.from, 'from');
  const to = parseFilterTime(query.to, 'to');
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  // No shot ends after the one and starts before the other: an empty export of a swapped window would pass for "no shots".
  if (refuseInvertedWindow && windowInverted(from, to, query.to)) {
    throw new ShotscaleError('BAD_REQUEST', `from ${shown(query.from!)} is after to ${shown(query.to!)}: no shot can end after the one and start before the other`, { hint: 'swap them' });
  }
  if (query.status !== undefined) {
    if (query.status !== 'open' && query.status !== 'closed') throw badRequest(`status: ${shown(query.status)} is not open or closed`);
    filter.status = query.status;
  }
  if (query.order !== undefined) {
    if (query.order !== 'asc' && query.order !== 'desc') throw badRequest(`order: ${shown(query.order)} is not asc or desc`);
    filter.order = query.order;
  }
  const limit = parseCount(query.limit, 'limit');
  const offset = parseCount(query.offset, 'offset');
  if (limit !== undefined) filter.limit = limit;
  if (offset !== undefined) filter.offset = offset;
  return filter;
}

/** Starting and ending takes: this node's log, or in a cluster every node's (see shotscale-server). */
export interface TakeCommands {
  start(request: TakeRequest): Take;
  end(cameras: string[] | null): Take[];
  /** Circles a take, marks it NG or clears its mark; `id` as GET /api/takes lists it (in a cluster, the cluster's record). */
  mark(id: number, mark: TakeMark | null): Take | Promise<Take>;
  /**
   * In a cluster: the takes with the ids of their records in the cluster
   * where this node has read them (a node's own id of a take is another
   * number, and may be another take's in the record).
   */
  withRecordIds?(takes: Take[]): Take[];
  /** In a cluster: the running takes as pushed to this node's dashboards (`takes`), with their records' ids where read. */
  runningForDashboards?(running: Take[]): Take[];
}

/** In a cluster: the shots of every node (PostgreSQL), and the nodes that log them. */
export interface ClusterShots {
  /** This node's id: what a request passed on to another node is passed on under. */
  nodeId: string;
  log: ClusterShotLog;
  coverage: ClusterCoverage;
  /** The cluster's alerts, judged once, and every node's own. */
  alerts: ClusterAlerts;
  /** A live node's URL; null: that node is not running. */
  nodeUrl(nodeId: string): string | null;
  /** The cluster's live coverage as last computed (by the node holding the duty). */
  liveCoverage(): Promise<CoverageUpdate>;
  /** A plan set (or removed: null) here: every other node sets it too. */
  planChanged(scene: string, plan: unknown): void;
  /** The cluster's record of takes (of one scene). */
  takeHistory(scene?: string): Promise<Take[]>;
  /** The running takes with their ids in the cluster's record (the ids a mark takes; null while a record is not read). */
  runningTakes(): Promise<RecordedTake[]>;
  /** A take just started here, with its id in the cluster's record once that is written (else null, recordPending). */
  recordedTake(take: Take): Promise<RecordedTake>;
  /** Takes just ended here, with their ids in the cluster's record (else null, recordPending). */
  recordedTakes(takes: Take[]): Promise<RecordedTake[]>;
}

/** The node that logs shot `id`: the cluster's record says, or, before the shot is copied there, its id's range; null: none. */
async function loggedBy(cluster: ClusterShots, id: number): Promise<string | null> {
  return (await cluster.log.get(id))?.nodeId ?? (await cluster.log.nodeOfId(id));
}

/**
 * The node to ask for shot `id`'s thumbnail, for one the cluster's log has
 * not copied yet: the node that logs it, where that is another node and
 * running; null where there is none, or where the request was passed on to
 * this node (it answers itself). The cluster's log unreadable throws
 * (CLUSTER_UNREACHABLE).
 */
export async function thumbnailOwner(cluster: ClusterShots, request: FastifyRequest, id: number): Promise<PeerNode | null> {
  return wasForwarded(request) ? null : runningOwner(cluster, id);
}

/**
 * Shot `id`'s thumbnail as `owner` (thumbnailOwner) answers it, with the
 * caller's token: it decides access again; null where it has none. A node
 * that does not answer (5 s) throws CLUSTER_UNREACHABLE.
 */
export async function ownersThumbnail(cluster: ClusterShots, request: FastifyRequest, owner: PeerNode, id: number): Promise<Buffer | null> {
  const answer = await passOnText(request, owner, cluster.nodeId, `/api/shots/${id}/thumbnail`, 'logs this shot');
  if (answer.ok) return Buffer.from(await answer.arrayBuffer());
  await answer.body?.cancel();
  return null;
}

/** The node that logs shot `id`, where it is another node and running; else null. */
async function runningOwner(cluster: ClusterShots, id: number): Promise<PeerNode | null> {
  const nodeId = await loggedBy(cluster, id);
  const url = nodeId && nodeId !== cluster.nodeId ? cluster.nodeUrl(nodeId) : null;
  return nodeId && url ? { nodeId, url } : null;
}

export interface ShotRouteOptions {
  /** An operator set a shot's scale (the shot as stored now). */
  onScaleCorrected?: (shot: StoredShot) => Promise<void>;
  /** The cameras configured now (in a cluster, the cluster's): an export or coverage of a camera neither configured nor in the log is CAMERA_NOT_FOUND. */
  cameraIds?: () => readonly string[];
  takes?: TakeCommands;
  cluster?: ClusterShots | null;
}

export function registerShotRoutes(app: FastifyInstance, shotLog: ShotLog, options: ShotRouteOptions = {}): void {
  const onScaleCorrected = options.onScaleCorrected ?? (async () => undefined);
  const takes: TakeCommands = options.takes ?? {
    start: (request) => shotLog.startTake(request),
    end: (cameras) => shotLog.endTake(cameras),
    mark: (id, mark) => shotLog.markTake(id, mark),
  };
  const cluster = options.cluster ?? null;

  /**
   * An edit of a shot another node logs, passed on to that node (which
   * decides access again, and edits it as a single node would: a scale
   * corrected there labels its frame); its answer is this node's.
   */
  const passEditOn = async (clusterShots: ClusterShots, request: FastifyRequest, reply: FastifyReply, id: number): Promise<FastifyReply> => {
    const nodeId = await loggedBy(clusterShots, id);
    if (!nodeId) throw new ShotscaleError('NOT_FOUND', `no shot ${id}`);
    // The cluster's record has it, this node's file not (the file was replaced): no other node can act on it either.
    if (nodeId === clusterShots.nodeId) throw new ShotscaleError('NOT_FOUND', `shot ${id} is in the cluster's log as this node's, but not in this node's own file (replaced or lost since): it cannot be changed`);
    const url = clusterShots.nodeUrl(nodeId);
    if (!url) throw new ShotscaleError('CLUSTER_ELSEWHERE', `shot ${id} is logged by node "${nodeId}", which is not running now, so the edit cannot be passed on to it: edit it once that node runs again`);
    // A passed-on request is answered, never passed on again (the node it was meant for did not hold the shot).
    if (wasForwarded(request)) throw new ShotscaleError('CLUSTER_ELSEWHERE', `shot ${id} is logged by node "${nodeId}" (${url}), not by this node, to which it was passed on: edit it again`);
    return forwardToNode(request, reply, { nodeId, url }, clusterShots.nodeId, `/api/shots/${id}`, 'logs this shot');
  };
  const hasLocal = (id: number) => {
    try {
      shotLog.shot(id);
      return true;
    } catch {
      return false;
    }
  };

  // Known cameras are checked only where the app says which are configured (http-app.ts).
  const known: KnownCameras | null = options.cameraIds ? { configured: options.cameraIds, shotLog } : null;

  /** Whether a list reads the cluster's record: in a cluster, unless ?scope=node asks for this node's own. */
  const clusterScope = ({ scope }: Query): boolean => parseScope(scope) !== 'node' && cluster !== null;

  /**
   * This node's own shot in the cluster's terms, as the list gives it: its take's id is the record's (null while
   * there is none, or while PostgreSQL cannot be read), not this node's own number, which is another take's record
   * id (?scope=node lists those). A node's own shot is still answered from its own log while PostgreSQL is away.
   */
  const asListed = async (shot: StoredShot): Promise<StoredShot> => {
    if (!cluster || shot.takeId === null) return shot;
    try {
      return (await cluster.log.withTakes([shot]))[0]!;
    } catch {
      return { ...shot, takeId: null };
    }
  };

  app.get<{ Querystring: Query }>('/api/shots', needs('viewer', [...SHOT_FILTER_QUERY, 'format', 'scope']), async (request, reply) => {
    const { format } = request.query;
    const filter = shotLog.spelling.slated(shotFilterFrom(request.query));
    // In a cluster every node's shots, unless ?scope=node asks for this node's own file.
    const fromCluster = clusterScope(request.query) ? cluster!.log : null;
    const list = () => (fromCluster ? fromCluster.list(filter) : shotLog.listShots(filter));
    if (format === undefined || format === '') {
      // A list is a filter, as scene= is: a camera with no shots lists none (a dashboard's list of a camera removed a moment
      // ago is empty, not an error). An export, the report and coverage are of the cameras named: an unknown one is refused.
      const shots = await list();
      // total: every shot matching the filters, for a client showing a page of them.
      const paged = filter.limit !== undefined || filter.offset !== undefined;
      const total = !paged ? shots.length : fromCluster ? await fromCluster.count(filter) : shotLog.shots.count(filter);
      return { count: shots.length, total, shots };
    }
    if (!isExportFormat(format)) throw badRequest(`format: ${shown(format)} is not one of ${EXPORT_FORMATS.join(', ')}`);
    // Built on a thread of its own (export-thread.ts): a day's FCPXML held the loop ~10 s, and a live camera was
    // declared stalled meanwhile. Its place is taken before the shots are read, so an export waiting holds none.
    const gone = clientGone(reply);
    const release = await exportPlace(gone);
    let body: Buffer;
    try {
      const shots = await list();
      if (known) await refuseUnknownCameras(known, filter, shots, `nothing to export as ${format}`, fromCluster);
      // The scene and take as the log spells them (a filter typed "KITCHEN" names the editor's event "Kitchen").
      const title = [`shotscale ${filter.cameraIds?.join(',') ?? 'all cameras'}`, filter.scene ? `scene ${filter.scene}` : '', filter.take ? `take ${filter.take}` : '', filteredScales(filter)].filter(Boolean).join(' ');
      // The configured rate, not 25, for an export of no shots (or of cameras at several rates).
      body = await buildOnThread({ kind: 'export', shots, format, options: { title, projectRate: shotLog.projectRate } }, { abandoned: gone });
    } finally {
      release();
    }
    const name = `shotscale-shots${request.query.camera ? `-${request.query.camera.replace(/[^A-Za-z0-9_-]+/g, '_')}` : ''}${EXPORT_EXTENSIONS[format]}`;
    return reply.type(EXPORT_CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="${name}"`).send(body);
  });

  app.get<{ Params: { id: string } }>('/api/shots/:id', needs('viewer'), async (request) => {
    const id = parseId(request.params.id);
    if (cluster && !hasLocal(id)) {
      const found = await cluster.log.get(id);
      if (found) return found.shot;
    }
    return asListed(shotLog.shot(id));
  });

  app.get<{ Params: { id: string } }>('/api/shots/:id/thumbnail', needs('viewer'), async (request, reply) => {
    const id = parseId(request.params.id);
    const sendJpeg = (jpeg: Buffer) => reply.type('image/jpeg').header('cache-control', 'max-age=86400').send(jpeg);
    const noThumbnail = () => new ShotscaleError('NOT_FOUND', `shot ${request.params.id} has no thumbnail (yet)`);
    if (!cluster || hasLocal(id)) {
      const jpeg = shotLog.shots.thumbnail(id);
      if (!jpeg) throw noThumbnail();
      return sendJpeg(jpeg);
    }
    // Another node's shot: its thumbnail as that node copied it to the cluster's log, else from that node itself: the
    // closed shot is announced through Redis at once, and copied to PostgreSQL a quarter second or more later (a page
    // showing it at once got a 404 for 1.5 s, and a broken image).
    const copied = await cluster.log.thumbnail(id);
    if (copied) return sendJpeg(copied);
    const owner = await thumbnailOwner(cluster, request, id);
    if (owner) return forwardToNode(request, reply, owner, cluster.nodeId, `/api/shots/${id}/thumbnail`, 'logs this shot');
    if (!(await cluster.log.get(id))) throw new ShotscaleError('NOT_FOUND', `no shot ${id}`);
    throw noThumbnail();
  });

  app.patch<{ Params: { id: string } }>('/api/shots/:id', needs('operator'), async (request, reply) => {
    const patch = parseShotPatch(request.body);
    const id = parseId(request.params.id);
    // Another node's shot is edited by that node (its file is the shot's first record), with the operator's token.
    if (cluster && !hasLocal(id)) return passEditOn(cluster, request, reply, id);
    const shot = shotLog.patchShot(id, patch);
    if (patch.scale !== undefined) await onScaleCorrected(shot);
    return asListed(shot);
  });

  // Every node runs the same takes; in a cluster the record of past ones is PostgreSQL's (?scope=node: this node's),
  // and so are the ids (a node's own ids of a take differ from node to node and from the record's).
  app.get<{ Querystring: Query }>('/api/takes', needs('viewer', ['scene', 'scope']), async (request) => {
    const scene = request.query.scene?.trim() ? shotLog.spelling.scene(request.query.scene) : request.query.scene;
    if (!clusterScope(request.query)) return { running: shotLog.runningTakes(), takes: shotLog.takeStore.list(scene) };
    const history = await cluster!.takeHistory(scene);
    return { running: await cluster!.runningTakes(), takes: history };
  });

  app.post('/api/takes', needs('operator'), async (request, reply) => {
    const take = takes.start(takeRequest(parseRequest(takeStartSchema, request.body, 'take { scene, take?, cameras?, again? }')));
    // In a cluster the answer's id is the record's, so that the take can be marked (PATCH below) at once, on any node.
    return reply.code(201).send(cluster ? await cluster.recordedTake(take) : take);
  });

  app.post('/api/takes/end', needs('operator'), async (request) => {
    const body = parseRequest(takeEndSchema, request.body, 'take end { cameras? }');
    const ended = takes.end(body?.cameras ?? null);
    // In a cluster the ids are the records' (as the start's answer and GET /api/takes give them), so that PATCH marks these takes.
    return { ended: cluster ? await cluster.recordedTakes(ended) : ended };
  });

  // A running take may be marked too: an operator often knows a take is NG before "cut".
  app.patch<{ Params: { id: string } }>('/api/takes/:id', needs('operator'), async (request) => {
    const id = parseRecordId(request.params.id, 'take');
    return takes.mark(id, parseTakeMark(request.body));
  });

  app.get<{ Querystring: Query }>('/api/coverage', needs('viewer', COVERAGE_QUERY), async (request) => {
    const filter = shotLog.spelling.slated(shotFilterFrom(request.query));
    // Coverage is always the cluster's (no ?scope): so is the log a camera is looked up in.
    if (known) await refuseUnknownCameras(known, filter, [], 'no coverage to count', cluster ? cluster.log : null);
    return cluster ? cluster.coverage.report(filter) : shotLog.coverage(filter);
  });

  /** What the `coverage` event carries: this run per camera, the current take, every scene. */
  app.get('/api/coverage/live', needs('viewer'), async () => (cluster ? cluster.liveCoverage() : shotLog.coverageUpdate()));

  // Plans carry a revision (ETag); PUT and DELETE with If-Match are refused (412 PLAN_CONFLICT) when it is stale.
  app.get('/api/plans', needs('viewer'), async () => (cluster ? cluster.coverage.planRecords() : shotLog.planRecords()));

  app.get<{ Params: { scene: string } }>('/api/plans/:scene', needs('viewer'), async (request, reply) => {
    const scene = shotLog.spelling.scene(request.params.scene);
    const plan = cluster ? await cluster.coverage.planRecord(scene) : shotLog.planRecord(scene);
    if (!plan) throw new ShotscaleError('NOT_FOUND', `no coverage plan for scene "${scene}"`);
    return reply.header('etag', planEtag(plan.revision)).send(plan);
  });

  app.put<{ Params: { scene: string } }>('/api/plans/:scene', needs('admin'), async (request, reply) => {
    const scene = shotLog.spelling.scene(request.params.scene);
    const expected = parseIfMatch(request.headers['if-match']);
    if (!cluster) {
      const saved = shotLog.setPlan(scene, request.body, expected);
      return reply.header('etag', planEtag(saved.revision)).send(saved);
    }
    // In a cluster: checked, stored for the cluster (as given: its input form), then set here and on every node.
    const { given } = planForScene(scene, request.body);
    const saved = await cluster.coverage.savePlan(scene, given, expected);
    cluster.planChanged(scene, given);
    shotLog.setPlan(scene, given);
    return reply.header('etag', planEtag(saved.revision)).send(saved);
  });

  app.delete<{ Params: { scene: string } }>('/api/plans/:scene', needs('admin'), async (request, reply) => {
    const scene = shotLog.spelling.scene(request.params.scene);
    const expected = parseIfMatch(request.headers['if-match']);
    const removed = cluster ? await cluster.coverage.removePlan(scene, expected) : shotLog.removePlan(scene, expected);
    if (!removed) {
      // A plan from the config file is there but cannot be removed here: say where it is changed.
      const now = cluster ? await cluster.coverage.planRecord(scene) : shotLog.planRecord(scene);
      const why = now?.source === 'config' ? ': the plan comes from the config file; edit the config file to change or remove it (a plan stored with PUT replaces it here)' : '';
      throw new ShotscaleError('NOT_FOUND', `no stored coverage plan for scene "${scene}"${why}`);
    }
    if (cluster) {
      cluster.planChanged(scene, null);
      shotLog.removePlan(scene);
    }
    return reply.code(204).send();
  });

  // In a cluster: the cluster's alerts and every node's own; the history from PostgreSQL.
  const activeAlerts = () => (cluster ? cluster.alerts.active() : shotLog.alerts.active());
  app.get<{ Querystring: Query }>('/api/alerts', needs('viewer', ['history']), async (request) => ({
    active: activeAlerts(),
    ...(request.query.history === 'true' || request.query.history === '1' ? { history: cluster ? await cluster.alerts.history() : shotLog.alertHistory() } : {}),
  }));

  app.post<{ Params: { key: string } }>('/api/alerts/:key/dismiss', needs('operator'), async (request) => {
    const { key } = request.params;
    if (!(cluster ? cluster.alerts.dismiss(key) : shotLog.dismissAlert(key))) throw new ShotscaleError('NOT_FOUND', `no active alert "${key}"`);
    return { active: activeAlerts() };
  });
}
