/**
 * The cluster's cameras, stored once in PostgreSQL. Nodes read the list every
 * tick and claim from it; the API writes it from any node. A config's
 * cameras are added at start when the cluster does not have them yet, so the
 * first node to start defines them and later edits over the API stand. A
 * camera removed over the API stays removed: its id is kept apart, and a
 * config that still lists it does not add it back (adding it over the API
 * again does).
 * An edit is a read-merge-write: it holds the camera's row from its read to
 * its write (see edit()), or two edits at once would lose one's fields.
 */
import type pg from 'pg';
import type { CameraConfig } from '../config/schema.js';
import { clusterQueryError } from './pg-errors.js';
import { isShotscaleError, ShotscaleError } from '../errors.js';

export interface RegisteredCamera {
  id: string;
  config: CameraConfig;
  revision: number;
}

interface CameraRow {
  id: string;
  config: CameraConfig;
  revision: string;
}

const fromRow = (row: CameraRow): RegisteredCamera => ({ id: row.id, config: row.config, revision: Number(row.revision) });

/** A failed query: PostgreSQL unreachable (or failing) is a coded error the API answers 503; ours pass as they are. */
function unavailable(error: unknown): unknown {
  if (isShotscaleError(error)) return error;
  return clusterQueryError(error, "the cluster's cameras", 'camera changes can be made again once it answers; the cameras keep running');
}

export class CameraRegistry {
  constructor(private readonly pool: pg.Pool) {}

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async list(): Promise<RegisteredCamera[]> {
    const { rows } = await this.query<CameraRow>('SELECT id, config, revision FROM cluster_cameras ORDER BY id');
    return rows.map(fromRow);
  }

  async get(id: string): Promise<RegisteredCamera> {
    const { rows } = await this.query<CameraRow>('SELECT id, config, revision FROM cluster_cameras WHERE id = $1', [id]);
    if (!rows[0]) throw new ShotscaleError('CAMERA_NOT_FOUND', `no camera "${id}" in the cluster`);
    return fromRow(rows[0]);
  }

  /**
   * Cameras the cluster does not have yet are added; the ones it has are left
   * as they are, and so are the ones removed over the API. Returns the ids
   * added and the ids left out as removed.
   */
  async seed(cameras: readonly CameraConfig[]): Promise<{ added: string[]; removed: string[] }> {
    const added: string[] = [];
    const removed: string[] = [];
    for (const camera of cameras) {
      const { rowCount } = await this.query(
        `INSERT INTO cluster_cameras (id, config) SELECT $1, $2
          WHERE NOT EXISTS (SELECT 1 FROM cluster_removed_cameras WHERE id = $1)
          ON CONFLICT (id) DO NOTHING`,
        [camera.id, JSON.stringify(camera)],
      );
      if (rowCount) added.push(camera.id);
      else if ((await this.query('SELECT 1 FROM cluster_removed_cameras WHERE id = $1', [camera.id])).rowCount) removed.push(camera.id);
    }
    return { added, removed };
  }

  async add(camera: CameraConfig): Promise<RegisteredCamera> {
    // One statement: the camera is added and its id no longer counts as removed, or neither.
    const { rows } = await this.query<CameraRow>(
      `WITH added AS (
         INSERT INTO cluster_cameras (id, config) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id, config, revision
       ), cleared AS (
         DELETE FROM cluster_removed_cameras WHERE id IN (SELECT id FROM added)
       )
       SELECT id, config, revision FROM added`,
      [camera.id, JSON.stringify(camera)],
    );
    if (!rows[0]) throw new ShotscaleError('CAMERA_EXISTS', `camera "${camera.id}" already exists in the cluster`);
    return fromRow(rows[0]);
  }

  /**
   * Changes one camera: `change` gets the camera as PostgreSQL has it and
   * returns its next definition (or throws to refuse the change). The row is
   * locked from that read to the write, so edits of one camera from any
   * node, at once, apply one after the other, each on the one before: an
   * edit never writes back fields it read before another edit changed them.
   * `change` runs while the row is locked: it must not wait on anything.
   */
  async edit(id: string, change: (current: CameraConfig) => CameraConfig): Promise<RegisteredCamera> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    // A refusal of the change is the request's answer; any other failure is PostgreSQL's.
    let refusal: unknown = null;
    let usable = true;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<Pick<CameraRow, 'config'>>('SELECT config FROM cluster_cameras WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) throw new ShotscaleError('CAMERA_NOT_FOUND', `no camera "${id}" in the cluster`);
      let next: CameraConfig;
      try {
        next = change(rows[0].config);
      } catch (error) {
        refusal = error;
        throw error;
      }
      const updated = await client.query<CameraRow>(`UPDATE cluster_cameras SET config = $2, revision = nextval('cluster_camera_revisions'), updated_at = now() WHERE id = $1 RETURNING id, config, revision`, [id, JSON.stringify(next)]);
      await client.query('COMMIT');
      return fromRow(updated.rows[0]!);
    } catch (error) {
      // A connection that cannot even roll back is dropped, not handed to the next query.
      usable = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      throw error === refusal ? error : unavailable(error);
    } finally {
      client.release(!usable);
    }
  }

  /** Removes a camera and keeps its id as removed (one statement: both or neither), so no config adds it back. */
  async remove(id: string): Promise<void> {
    const { rowCount } = await this.query(
      `WITH removed AS (DELETE FROM cluster_cameras WHERE id = $1 RETURNING id)
       INSERT INTO cluster_removed_cameras (id) SELECT id FROM removed
       ON CONFLICT (id) DO UPDATE SET removed_at = now()`,
      [id],
    );
    if (!rowCount) throw new ShotscaleError('CAMERA_NOT_FOUND', `no camera "${id}" in the cluster`);
  }
}
