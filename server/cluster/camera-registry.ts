/**
 * The cluster's cameras, stored once in PostgreSQL. Nodes read the list every
 * tick and claim from it; the API writes it from any node. A config's
 * cameras are added at start when the cluster does not have them yet, so the
 * first node to start defines them and later edits over the API stand.
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

  /** Cameras the cluster does not have yet are added; the ones it has are left as they are. Returns the ids added. */
  async seed(cameras: readonly CameraConfig[]): Promise<string[]> {
    const added: string[] = [];
    for (const camera of cameras) {
      const { rowCount } = await this.query('INSERT INTO cluster_cameras (id, config) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [camera.id, JSON.stringify(camera)]);
      if (rowCount) added.push(camera.id);
    }
    return added;
  }

  async add(camera: CameraConfig): Promise<RegisteredCamera> {
    const { rows } = await this.query<CameraRow>('INSERT INTO cluster_cameras (id, config) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id, config, revision', [camera.id, JSON.stringify(camera)]);
    if (!rows[0]) throw new ShotscaleError('CAMERA_EXISTS', `camera "${camera.id}" already exists in the cluster`);
    return fromRow(rows[0]);
  }

  async update(camera: CameraConfig): Promise<RegisteredCamera> {
    const { rows } = await this.query<CameraRow>(`UPDATE cluster_cameras SET config = $2, revision = nextval('cluster_camera_revisions'), updated_at = now() WHERE id = $1 RETURNING id, config, revision`, [camera.id, JSON.stringify(camera)]);
    if (!rows[0]) throw new ShotscaleError('CAMERA_NOT_FOUND', `no camera "${camera.id}" in the cluster`);
    return fromRow(rows[0]);
  }

  async remove(id: string): Promise<void> {
    const { rowCount } = await this.query('DELETE FROM cluster_cameras WHERE id = $1', [id]);
    if (!rowCount) throw new ShotscaleError('CAMERA_NOT_FOUND', `no camera "${id}" in the cluster`);
  }
}
