/**
 * The cluster's shots, read from PostgreSQL with the filters the API takes:
 * what GET /api/shots and its exports answer on any node.
 */
import type pg from 'pg';
import { takeMarkIndex, withTakeMarks } from '../coverage/take-marks.js';
import type { TakeMark } from '../shared/shots.js';
import { clusterQueryError } from './pg-errors.js';
import { noNul } from './shot-replicator.js';
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
  return { where: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', values };
}

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
      return await this.withMarks(records);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** The shots with their takes' marks from the cluster's record of takes (a record copied from a node may carry a stale one). */
  private async withMarks(shots: StoredShot[]): Promise<StoredShot[]> {
    if (!shots.some((shot) => shot.scene !== null && shot.take !== null)) return shots;
    const { rows } = await this.pool.query<{ scene: string; take: string; mark: TakeMark | null; started_at: number }>('SELECT scene, take, mark, started_at FROM cluster_takes');
    return withTakeMarks(shots, takeMarkIndex(rows.map((r) => ({ scene: r.scene, take: r.take, mark: r.mark, startedAt: r.started_at }))));
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
      return rows[0] ? { shot: (await this.withMarks([rows[0].record]))[0]!, nodeId: rows[0].node_id } : null;
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
