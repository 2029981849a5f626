/**
 * The cluster's shots, read from PostgreSQL with the filters the API takes:
 * what GET /api/shots and its exports answer on any node.
 */
import type pg from 'pg';
import { takeMarkIndex, withTakeMarks } from '../coverage/take-marks.js';
import type { TakeMark } from '../shared/shots.js';
import type { RunOnElsewhere } from '../shots/restart-gaps.js';
import { clusterQueryError } from './pg-errors.js';
import { NODE_ID_SPAN, noNul } from './shot-replicator.js';
import type { ShotFilter, StoredShot } from '../store/shot-store.js';

function whereOf(filter: ShotFilter): { where: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    values.push(value);
    clauses.push(clause(`$${values.length}`));
  };
  if (filter.cameraIds?.length) add((n) => `camera_id = ANY(${n})`, filter.cameraIds.map(noNul));
  // Stored without NUL characters (PostgreSQL takes none): looked up the same way.
  if (filter.scene !== undefined) add((n) => `scene = ${n}`, noNul(filter.scene));
  if (filter.take !== undefined) add((n) => `take = ${n}`, noNul(filter.take));
  if (filter.from !== undefined) add((n) => `out_time > ${n}`, filter.from);
  if (filter.to !== undefined) add((n) => `in_time < ${n}`, filter.to);
  if (filter.status !== undefined) add((n) => `status = ${n}`, filter.status);
  if (filter.scales?.length) {
    // As the shot store reads its rows (whereOf there): no picture and no operator's scale is 'none'; else the record's scale.
    const blank = "(record ? 'noPicture' AND NOT record ? 'classifierScale')";
    const scales = filter.scales.filter((scale) => scale !== 'none');
    const either: string[] = [];
    if (scales.length) {
      values.push(scales);
      either.push(`(record->>'scale' = ANY($${values.length}) AND NOT ${blank})`);
    }
    if (filter.scales.includes('none')) either.push(blank);
    clauses.push(`(${either.join(' OR ')})`);
  }
  return { where: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', values };
}

interface TakeRow {
  id: string;
  scene: string;
  take: string;
  mark: TakeMark | null;
  started_at: number;
  ended_at: number | null;
}

interface TakeSpan {
  id: number;
  scene: string;
  take: string;
  startedAt: number;
  endedAt: number | null;
}

/**
 * A shot's first frame can be before its take's start as the node that
 * started the take stamped it: the take cuts the shot open at the latest
 * frame the camera's node had (a frame every few seconds at a low analysis
 * rate, a camera that was stalled a moment), and the nodes' clocks differ
 * by a few milliseconds. Such a shot runs on into its take: a take that
 * starts after the shot's first frame and no later than its last (or within
 * this of its first, for a shot with one frame so far) is its take.
 */
const TAKE_START_SLACK_MS = 2000;

/**
 * The cluster's record id of the take a shot is in, from its slate (scene
 * and take) and its frames: of the takes with that slate (a number slated
 * again has several), the one running at its first frame, else the first
 * that started while the shot ran; null where the cluster has no such
 * record (yet).
 */
export function takeIds(takes: readonly TakeSpan[]): (scene: string, take: string, inTime: number, outTime: number) => number | null {
  const bySlate = new Map<string, TakeSpan[]>();
  for (const take of takes) {
    const key = `${take.scene}\u0000${take.take}`;
    bySlate.set(key, [...(bySlate.get(key) ?? []), take]);
  }
  return (scene, take, inTime, outTime) => {
    const slated = bySlate.get(`${scene}\u0000${take}`) ?? [];
    const running = slated.filter((t) => t.startedAt <= inTime && (t.endedAt === null || inTime < t.endedAt)).sort((a, b) => b.startedAt - a.startedAt)[0];
    if (running) return running.id;
    const until = Math.max(outTime, inTime + TAKE_START_SLACK_MS);
    const next = slated.filter((t) => t.startedAt > inTime && t.startedAt <= until).sort((a, b) => a.startedAt - b.startedAt)[0];
    return next?.id ?? null;
  };
}

/** Thumbnails per query: about 20 KB each, so about 4 MB a reply. */
const THUMBNAILS_PER_READ = 200;

const unavailable = (error: unknown) => clusterQueryError(error, "the cluster's shot log", "each node keeps logging to its own file meanwhile; GET /api/shots?scope=node lists this node's");

export class ClusterShotLog {
  constructor(private readonly pool: pg.Pool) {}

  async list(filter: ShotFilter): Promise<StoredShot[]> {
    const { where, values } = whereOf(filter);
    const order = filter.order === 'desc' ? 'DESC' : 'ASC';
    let sql = `SELECT record FROM cluster_shots${where} ORDER BY in_time ${order}, id ${order}`;
    if (filter.limit !== undefined) sql += ` LIMIT ${Math.floor(filter.limit)}`;
    if (filter.offset !== undefined) sql += ` OFFSET ${Math.floor(filter.offset)}`;
    try {
      const records = (await this.pool.query<{ record: StoredShot }>(sql, values)).rows.map((r) => r.record);
      return await this.withTakes(records);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * The shots with their takes as the cluster's record of takes has them:
   * the take's mark (a record copied from a node may carry a stale one), and
   * the take's id in that record (what GET /api/takes lists and PATCH
   * /api/takes/:id marks), where the record copied from a node holds that
   * node's own number of the take: another number on every node, and maybe
   * another take's record id.
   */
  async withTakes(shots: StoredShot[]): Promise<StoredShot[]> {
    const scenes = [...new Set(shots.flatMap((shot) => (shot.scene !== null && shot.take !== null ? [noNul(shot.scene)] : [])))];
    if (!scenes.length) return shots.map((shot) => (shot.takeId === null ? shot : { ...shot, takeId: null }));
    const { rows } = await this.pool.query<TakeRow>('SELECT id, scene, take, mark, started_at, ended_at FROM cluster_takes WHERE scene = ANY($1)', [scenes]);
    const takes = rows.map((r) => ({ id: Number(r.id), scene: r.scene, take: r.take, mark: r.mark, startedAt: r.started_at, endedAt: r.ended_at }));
    const ids = takeIds(takes);
    return withTakeMarks(shots, takeMarkIndex(takes)).map((shot) => {
      const takeId = shot.takeId === null || shot.scene === null || shot.take === null ? null : ids(noNul(shot.scene), noNul(shot.take), shot.inTime, shot.outTime);
      return takeId === shot.takeId ? shot : { ...shot, takeId };
    });
  }

  async count(filter: ShotFilter): Promise<number> {
    const { where, values } = whereOf(filter);
    try {
      return Number((await this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM cluster_shots${where}`, values)).rows[0]!.n);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** The shot and the node that logs it, or null. */
  async get(id: number): Promise<{ shot: StoredShot; nodeId: string } | null> {
    try {
      const { rows } = await this.pool.query<{ record: StoredShot; node_id: string }>('SELECT record, node_id FROM cluster_shots WHERE id = $1', [id]);
      return rows[0] ? { shot: (await this.withTakes([rows[0].record]))[0]!, nodeId: rows[0].node_id } : null;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** A shot's thumbnail as copied by the node that logged it, or null. */
  async thumbnail(id: number): Promise<Buffer | null> {
    try {
      const { rows } = await this.pool.query<{ jpeg: Buffer }>('SELECT jpeg FROM cluster_thumbnails WHERE shot_id = $1', [id]);
      return rows[0]?.jpeg ?? null;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * The thumbnails of these shots that the cluster's log holds, by shot id,
   * read a batch at a time: a day's report asks for thousands (about 20 KB
   * each), and a batch at a time lets the loop serve cameras in between.
   */
  async thumbnails(ids: readonly number[]): Promise<Map<number, Buffer>> {
    const found = new Map<number, Buffer>();
    try {
      for (let i = 0; i < ids.length; i += THUMBNAILS_PER_READ) {
        const { rows } = await this.pool.query<{ shot_id: string; jpeg: Buffer }>('SELECT shot_id, jpeg FROM cluster_thumbnails WHERE shot_id = ANY($1)', [ids.slice(i, i + THUMBNAILS_PER_READ)]);
        for (const row of rows) found.set(Number(row.shot_id), row.jpeg);
      }
      return found;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * The node whose range holds shot id `id` (node number n logs n x 2^36
   * upward), or null: known before the shot is copied, which it is a quarter
   * second or more after the node announced it.
   */
  async nodeOfId(id: number): Promise<string | null> {
    try {
      const { rows } = await this.pool.query<{ node_id: string }>('SELECT node_id FROM cluster_nodes WHERE number = $1', [Math.floor(id / NODE_ID_SPAN)]);
      return rows[0]?.node_id ?? null;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * Each of `cameras`' first shot in the take (by its slate) that another
   * node than `node` started after `after`: where a camera ran on once that
   * node went down (another node took it over), so a restart's gap in the
   * take ends there (restart-gaps.ts). A camera with none is left out.
   */
  async firstShotsElsewhere(take: { scene: string; take: string }, cameras: readonly string[], after: number, node: string): Promise<RunOnElsewhere[]> {
    if (!cameras.length) return [];
    try {
      const { rows } = await this.pool.query<{ camera_id: string; node_id: string; in_time: number }>(
        `SELECT DISTINCT ON (camera_id) camera_id, node_id, in_time FROM cluster_shots
         WHERE camera_id = ANY($1) AND scene = $2 AND take = $3 AND in_time > $4 AND node_id <> $5 ORDER BY camera_id, in_time, id`,
        [cameras.map(noNul), noNul(take.scene), noNul(take.take), after, node],
      );
      return rows.map((r) => ({ cameraId: r.camera_id, node: r.node_id, at: r.in_time }));
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * Shots left open by nodes that are gone (killed, cut off): closed at their
   * last copied frame, as the node itself would on its next start. Returns
   * how many. The node, if it comes back, copies its own closing over this.
   */
  async closeOrphans(liveNodes: readonly string[]): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE cluster_shots SET status = 'closed', record = record || '{"status": "closed", "cutOut": "restart"}'::jsonb, updated_at = now()
       WHERE status = 'open' AND NOT (node_id = ANY($1))`,
      [[...liveNodes]],
    );
    return rowCount ?? 0;
  }
}
