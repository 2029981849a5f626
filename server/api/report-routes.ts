/**
 * The film report of the live log: `GET /api/report?scene=12` is the page
 * `shotscale log` writes as report.html, for the shots that match the same
 * filters as `GET /api/shots` (scene, take, camera, from, to, status): in a
 * cluster every node's, as that list (`?scope=node`: this node's file).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { buildOnThread, exportPlace } from '../exports/export-thread.js';
import type { ReportThumbnails } from '../exports/export-worker.js';
import type { ShotRecord } from '../shared/shots.js';
import type { ShotLog } from '../shots/shot-log.js';
import { needs } from './access/http-access.js';
import { clientGone } from './client-gone.js';
import { parseScope } from './request-schemas.js';
import { filteredScales, ownersThumbnail, shotFilterFrom, thumbnailOwner, type ClusterShots } from './shot-routes.js';
import { refuseUnknownCameras } from './unknown-cameras.js';

type Query = Record<string, string | undefined>;

/** The data directory ":memory:" keeps the log in memory, under this name (ShotLog.open). */
const MEMORY_DATABASE = ':memory:';

/** The page holds no script and loads nothing: say so to the browser too. */
const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The log's file, which the report's thread opens read-only; a log kept in memory has none to open, so hands the thumbnails over. */
function thumbnailsOf(shotLog: ShotLog, shots: readonly ShotRecord[]): ReportThumbnails {
  if (shotLog.file !== MEMORY_DATABASE) return { databaseFile: shotLog.file };
  const given = new Map<number, Uint8Array>();
  for (const shot of shots) {
    const jpeg = shot.hasThumbnail ? shotLog.shots.thumbnail(shot.id) : null;
    if (jpeg) given.set(shot.id, jpeg);
  }
  return { given };
}

/**
 * Other nodes asked for a report's thumbnails this many at a time: one at a time, a report of many shots closed
 * a moment ago (not copied yet) waited a round trip for each, seconds with a node slow to answer.
 */
export const THUMBNAILS_ASKED_AT_ONCE = 6;

/** `work` run at most `limit` at a time, in the order asked for. */
function limited(limit: number): <R>(work: () => Promise<R>) => Promise<R> {
  let free = limit;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      // The place goes to the next one waiting, else back to the free ones.
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/**
 * `ask(item, owner)` of each item's owner node (`ownerOf`; null: none to ask), at most `limit` lookups and asks
 * at a time; the answers (null: none) in the items' order. A node's first ask goes alone, and its other items
 * wait for its answer (holding no place meanwhile): a node that does not answer (`ask` throws) is asked nothing
 * more, its items left null, rather than each waited for in turn; the other nodes are still asked. `ownerOf`
 * throwing (the cluster's log unreadable) rejects the whole.
 */
export async function askOwners<T, Owner extends { nodeId: string }, R>(items: readonly T[], limit: number, ownerOf: (item: T) => Promise<Owner | null>, ask: (item: T, owner: Owner) => Promise<R | null>): Promise<(R | null)[]> {
  const inTurn = limited(limit);
  /** Per node, whether it answers: its first ask's outcome, then false once any ask of it has failed. */
  const answers = new Map<string, Promise<boolean>>();
  /**
   * One ask in its turn; `first` told how the node's first ask went. A failure is noted before the place is
   * given up, so the ask waiting for it does not go to that node; an ask whose node failed while it waited is not sent.
   */
  const askInTurn = (item: T, owner: Owner, first?: (answered: boolean) => void): Promise<R | null> =>
    inTurn(async () => {
      if (!first && !(await answers.get(owner.nodeId))) return null;
      try {
        const answer = await ask(item, owner);
        first?.(true);
        return answer;
      } catch {
        answers.set(owner.nodeId, Promise.resolve(false));
        first?.(false);
        return null;
      }
    });
  return Promise.all(
    items.map(async (item) => {
      const owner = await inTurn(() => ownerOf(item));
      if (!owner) return null;
      const answering = answers.get(owner.nodeId);
      if (answering) return (await answering) ? askInTurn(item, owner) : null;
      // The first for this node: set before anything is awaited, so no other item of it asks meanwhile.
      let answered!: (yes: boolean) => void;
      answers.set(owner.nodeId, new Promise<boolean>((resolve) => (answered = resolve)));
      return askInTurn(item, owner, answered);
    }),
  );
}

/**
 * The thumbnails of the cluster's shots, handed over: as copied to the
 * cluster's log, else (a shot closed a moment ago, not copied yet) from this
 * node's file for its own shots, and from the node that logs it for another's.
 */
async function clusterThumbnails(cluster: ClusterShots, shotLog: ShotLog, request: FastifyRequest, shots: readonly ShotRecord[]): Promise<ReportThumbnails> {
  const wanted = shots.filter((shot) => shot.hasThumbnail).map((shot) => shot.id);
  const given = new Map<number, Uint8Array>(await cluster.log.thumbnails(wanted));
  const elsewhere: number[] = [];
  for (const id of wanted) {
    if (given.has(id)) continue;
    const jpeg = shotLog.shots.thumbnail(id);
    if (jpeg) given.set(id, jpeg);
    else elsewhere.push(id);
  }
  // A node that does not answer (5 s: CLUSTER_UNREACHABLE) leaves its pictures still missing out of the report rather
  // than failing it, and is not waited for again; the other nodes are still asked.
  const asked = await askOwners(elsewhere, THUMBNAILS_ASKED_AT_ONCE, (id) => thumbnailOwner(cluster, request, id), (id, owner) => ownersThumbnail(cluster, request, owner, id));
  elsewhere.forEach((id, i) => {
    const jpeg = asked[i];
    if (jpeg) given.set(id, jpeg);
  });
  return { given };
}

/**
 * `cameraIds`: the cameras configured now (in a cluster, the cluster's); where given, a report of a camera neither
 * configured nor in the log is CAMERA_NOT_FOUND, as its export is, not an empty page.
 */
export function registerReportRoutes(app: FastifyInstance, shotLog: ShotLog, cluster: ClusterShots | null = null, cameraIds?: () => readonly string[]): void {
  app.get<{ Querystring: Query }>('/api/report', needs('viewer', ['camera', 'scene', 'take', 'scale', 'from', 'to', 'status', 'scope']), async (request, reply) => {
    const query = request.query;
    // In a cluster every node's shots, as GET /api/shots lists them, unless ?scope=node asks for this node's own file.
    const fromCluster = parseScope(query.scope) !== 'node' && cluster !== null ? cluster : null;
    const filter = shotLog.spelling.slated(shotFilterFrom({ ...query, order: 'asc', limit: undefined, offset: undefined }));
    // Built, thumbnails read, on a thread of its own (export-thread.ts): a day's report (8,102 shots, 142 MB) held the
    // loop ~20 s. Its place is taken before the shots are read, so a report waiting holds none. The cluster's
    // thumbnails are in PostgreSQL, which the thread cannot open: read here, in batches, and handed over.
    const gone = clientGone(reply);
    const release = await exportPlace(gone);
    let body: Buffer;
    try {
      const shots = fromCluster ? await fromCluster.log.list(filter) : shotLog.listShots(filter);
      if (cameraIds) await refuseUnknownCameras({ configured: cameraIds, shotLog }, filter, shots, 'nothing to report', fromCluster?.log ?? null);
      // The scene and take as the log spells them, not as the filter was typed.
      const what = [filter.scene ? `scene ${filter.scene}` : '', filter.take ? `take ${filter.take}` : '', filter.cameraIds ? `cameras ${filter.cameraIds.join(', ')}` : '', filteredScales(filter)].filter(Boolean);
      const title = what.length ? `shotscale: ${what.join(', ')}` : 'shotscale: the shot log';
      const subtitle = `${shots.length} shot${shots.length === 1 ? '' : 's'} from the live log`;
      body = await buildOnThread({ kind: 'report', shots, title, subtitle, thumbnails: fromCluster ? await clusterThumbnails(fromCluster, shotLog, request, shots) : thumbnailsOf(shotLog, shots) }, { abandoned: gone });
    } finally {
      release();
    }
    return reply.type('text/html; charset=utf-8').header('content-security-policy', REPORT_CSP).send(body);
  });
}
