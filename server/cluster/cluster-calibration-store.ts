/**
 * The production's calibration in PostgreSQL, one for the cluster: what
 * LiveCalibration keeps in a single node's SQLite file (store/calibration-store.ts),
 * behind the same interface. Samples labelled on any node, heads fitted on
 * any node, and which head each camera uses, so that a camera keeps its head
 * on whichever node runs it after a failover or a drain.
 */
import type pg from 'pg';
import { sampleRow, type AppliedHead, type CalibrationRecords, type HeadSummary, type NewSample, type Relabel, type SampleForFit, type SampleSummary, type StoredHead } from '../store/calibration-store.js';
import { clusterQueryError } from './pg-errors.js';

const SUMMARY_COLUMNS = 'id, camera_id, captured_at, created_at, source, taxonomy, label, shown, shot_id, jpeg IS NOT NULL AS has_image';

interface SampleRow {
  id: string;
  camera_id: string;
  captured_at: number;
  created_at: number;
  source: SampleSummary['source'];
  taxonomy: string;
  label: string;
  shown: string | null;
  shot_id: string | null;
  has_image: boolean;
}

function summary(row: SampleRow): SampleSummary {
  return {
    id: Number(row.id),
    cameraId: row.camera_id,
    capturedAt: row.captured_at,
    createdAt: row.created_at,
    source: row.source,
    taxonomy: row.taxonomy,
    label: row.label,
    shown: row.shown,
    shotId: row.shot_id === null ? null : Number(row.shot_id),
    hasImage: row.has_image,
  };
}

const unavailable = (error: unknown) => clusterQueryError(error, "the cluster's calibration", 'the cameras keep the heads they use; try again when PostgreSQL is back');

export class ClusterCalibrationStore implements CalibrationRecords {
  constructor(
    private readonly pool: pg.Pool,
    private readonly nodeId: string,
  ) {}

  private async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async addSample(sample: NewSample, at: number): Promise<number> {
    const rows = await this.query<{ id: string }>(
      `INSERT INTO cluster_calibration_samples (node_id, camera_id, captured_at, created_at, source, taxonomy, label, shown, shot_id, features, feature_names, rules, jpeg)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [this.nodeId, ...sampleRow(sample, at)],
    );
    return Number(rows[0]!.id);
  }

  async listSamples(filter: { cameraId?: string; limit?: number } = {}): Promise<SampleSummary[]> {
    const values: unknown[] = [];
    let where = '';
    if (filter.cameraId !== undefined) {
      // PostgreSQL takes no NUL; no camera id has one, so nothing matches (as in SQLite).
      if (filter.cameraId.includes('\0')) return [];
      values.push(filter.cameraId);
      where = 'WHERE camera_id = $1';
    }
    values.push(filter.limit ?? 10_000);
    return (await this.query<SampleRow>(`SELECT ${SUMMARY_COLUMNS} FROM cluster_calibration_samples ${where} ORDER BY id DESC LIMIT $${values.length}`, values)).map(summary);
  }

  async samplesForFit(): Promise<SampleForFit[]> {
    const rows = await this.query<SampleRow & { features: Buffer; feature_names: string[]; rules: number[] }>(`SELECT ${SUMMARY_COLUMNS}, features, feature_names, rules FROM cluster_calibration_samples ORDER BY id`);
    return rows.map((row) => ({
      ...summary(row),
      // Copied out: the row's buffer may not be aligned for a Float32Array view.
      features: new Float32Array(new Uint8Array(row.features).buffer),
      featureNames: row.feature_names,
      rules: row.rules,
    }));
  }

  async sampleImage(id: number): Promise<Buffer | null> {
    return (await this.query<{ jpeg: Buffer | null }>('SELECT jpeg FROM cluster_calibration_samples WHERE id = $1', [id]))[0]?.jpeg ?? null;
  }

  async deleteSample(id: number): Promise<boolean> {
    return (await this.query<{ id: string }>('DELETE FROM cluster_calibration_samples WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  /** As in a node's SQLite file (CalibrationStore.relabelSample): in place, same id, in one statement. */
  async relabelSample(id: number, relabel: Relabel, at: number): Promise<SampleSummary | null> {
    const rows = await this.query<SampleRow>(`UPDATE cluster_calibration_samples SET taxonomy = $1, label = $2, created_at = $3 WHERE id = $4 RETURNING ${SUMMARY_COLUMNS}`, [
      relabel.taxonomy,
      relabel.label,
      Math.round(at),
      id,
    ]);
    return rows[0] ? summary(rows[0]) : null;
  }

  async addHead(head: unknown, report: unknown, samples: number, at: number): Promise<number> {
    const rows = await this.query<{ id: string }>('INSERT INTO cluster_calibration_heads (node_id, created_at, samples, head, report) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
      this.nodeId,
      Math.round(at),
      samples,
      JSON.stringify(head),
      JSON.stringify(report),
    ]);
    return Number(rows[0]!.id);
  }

  async listHeads(): Promise<HeadSummary[]> {
    const rows = await this.query<{ id: string; created_at: number; samples: number; report: unknown }>('SELECT id, created_at, samples, report FROM cluster_calibration_heads ORDER BY id DESC');
    return rows.map((row) => ({ id: Number(row.id), createdAt: row.created_at, samples: row.samples, report: row.report }));
  }

  async head(id: number): Promise<StoredHead | null> {
    const row = (await this.query<{ id: string; created_at: number; samples: number; head: unknown; report: unknown }>('SELECT id, created_at, samples, head, report FROM cluster_calibration_heads WHERE id = $1', [id]))[0];
    return row ? { id: Number(row.id), createdAt: row.created_at, samples: row.samples, head: row.head, report: row.report } : null;
  }

  async apply(scope: string, headId: number | null, at: number): Promise<void> {
    await this.query(
      `INSERT INTO cluster_calibration_applied (scope, head_id, applied_at) VALUES ($1, $2, $3)
       ON CONFLICT (scope) DO UPDATE SET head_id = EXCLUDED.head_id, applied_at = EXCLUDED.applied_at`,
      [scope, headId, Math.round(at)],
    );
  }

  async unapply(scope: string): Promise<void> {
    if (scope.includes('\0')) return;
    await this.query('DELETE FROM cluster_calibration_applied WHERE scope = $1', [scope]);
  }

  async applied(): Promise<AppliedHead[]> {
    const rows = await this.query<{ scope: string; head_id: string | null; applied_at: number }>('SELECT scope, head_id, applied_at FROM cluster_calibration_applied ORDER BY scope');
    return rows.map((r) => ({ scope: r.scope, headId: r.head_id === null ? null : Number(r.head_id), appliedAt: r.applied_at }));
  }
}
