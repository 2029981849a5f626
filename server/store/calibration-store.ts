/**
 * A production's calibration in the shot log database: the samples operators
 * labelled (the analysed frame's features, the rules' probabilities and a
 * JPEG), the heads fitted from them (versioned by id, never overwritten) and
 * which head each camera uses ('*': every camera without its own).
 */
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

export type SampleSource = 'live' | 'shot' | 'import';

export interface NewSample {
  cameraId: string;
  /**
   * Epoch ms of the analysed frame. An imported still, which has no capture
   * time of its own, has the time it was imported, the same as its created_at
   * (see hasCaptureTime).
   */
  capturedAt: number;
  source: SampleSource;
  taxonomy: string;
  label: string;
  shown: string | null;
  shotId: number | null;
  features: Float32Array;
  featureNames: readonly string[];
  rules: readonly number[];
  jpeg: Uint8Array | null;
}

/** A sample as listed (no features, no image bytes). */
export interface SampleSummary {
  id: number;
  cameraId: string;
  capturedAt: number;
  createdAt: number;
  source: SampleSource;
  taxonomy: string;
  label: string;
  shown: string | null;
  shotId: number | null;
  hasImage: boolean;
}

export interface SampleForFit extends SampleSummary {
  features: Float32Array;
  featureNames: string[];
  rules: number[];
}

export interface StoredHead {
  id: number;
  createdAt: number;
  samples: number;
  head: unknown;
  report: unknown;
}

export interface HeadSummary {
  id: number;
  createdAt: number;
  samples: number;
  report: unknown;
}

interface SampleRow {
  id: number;
  camera_id: string;
  captured_at: number;
  created_at: number;
  source: SampleSource;
  taxonomy: string;
  label: string;
  shown: string | null;
  shot_id: number | null;
  has_image: number;
}

const SUMMARY_COLUMNS = 'id, camera_id, captured_at, created_at, source, taxonomy, label, shown, shot_id, jpeg IS NOT NULL AS has_image';

function summary(row: SampleRow): SampleSummary {
  return { id: row.id, cameraId: row.camera_id, capturedAt: row.captured_at, createdAt: row.created_at, source: row.source, taxonomy: row.taxonomy, label: row.label, shown: row.shown, shotId: row.shot_id, hasImage: row.has_image === 1 };
}

/**
 * Whether a sample's capturedAt is when its picture was taken: false for an
 * imported still (source 'import', captured when it was created), which is
 * of no camera's run of frames. A fit holds each such sample out as a shot
 * of its own, and an export leaves its captured_at empty, so that importing
 * the export again keeps it so.
 */
export function hasCaptureTime(sample: Pick<SampleSummary, 'source' | 'capturedAt' | 'createdAt'>): boolean {
  return sample.source !== 'import' || Math.round(sample.capturedAt) !== Math.round(sample.createdAt);
}

// Feature names repeat for every sample of one model: kept once per distinct list in memory, as text in the row.
const namesCache = new Map<string, string[]>();
function names(json: string): string[] {
  let cached = namesCache.get(json);
  if (!cached) namesCache.set(json, (cached = JSON.parse(json) as string[]));
  return cached;
}

/**
 * A sample's values in the order both stores' tables have them: camera_id,
 * captured_at, created_at, source, taxonomy, label, shown, shot_id, features
 * (float32 bytes), feature_names and rules (JSON), jpeg.
 */
export function sampleRow(sample: NewSample, at: number): unknown[] {
  return [
    sample.cameraId,
    Math.round(sample.capturedAt),
    Math.round(at),
    sample.source,
    sample.taxonomy,
    sample.label,
    sample.shown,
    sample.shotId,
    Buffer.from(sample.features.buffer, sample.features.byteOffset, sample.features.byteLength),
    JSON.stringify(sample.featureNames),
    JSON.stringify(sample.rules),
    sample.jpeg ? Buffer.from(sample.jpeg) : null,
  ];
}

/**
 * Where the calibration lives, as LiveCalibration uses it: this node's SQLite
 * file (SqliteCalibrationRecords) or, in a cluster, PostgreSQL, shared by
 * every node (cluster/cluster-calibration-store.ts). Asynchronous because
 * the second is.
 */
export interface CalibrationRecords {
  addSample(sample: NewSample, at: number): Promise<number>;
  listSamples(filter?: { cameraId?: string; limit?: number }): Promise<SampleSummary[]>;
  samplesForFit(): Promise<SampleForFit[]>;
  sampleImage(id: number): Promise<Buffer | null>;
  deleteSample(id: number): Promise<boolean>;
  /** A sample's frame labelled again: see CalibrationStore.relabelSample. */
  relabelSample(id: number, relabel: Relabel, at: number): Promise<SampleSummary | null>;
  addHead(head: unknown, report: unknown, samples: number, at: number): Promise<number>;
  listHeads(): Promise<HeadSummary[]>;
  head(id: number): Promise<StoredHead | null>;
  apply(scope: string, headId: number | null, at: number): Promise<void>;
  unapply(scope: string): Promise<void>;
  applied(): Promise<AppliedHead[]>;
}

/** The label a sample's frame is given again, in its taxonomy. */
export interface Relabel {
  taxonomy: string;
  label: string;
}

export interface AppliedHead {
  scope: string;
  headId: number | null;
  appliedAt: number;
}

/** The calibration in this node's SQLite file, behind the shared interface. */
export class SqliteCalibrationRecords implements CalibrationRecords {
  constructor(private readonly store: CalibrationStore) {}
  addSample = async (sample: NewSample, at: number) => this.store.addSample(sample, at);
  listSamples = async (filter?: { cameraId?: string; limit?: number }) => this.store.listSamples(filter);
  samplesForFit = async () => this.store.samplesForFit();
  sampleImage = async (id: number) => this.store.sampleImage(id);
  deleteSample = async (id: number) => this.store.deleteSample(id);
  relabelSample = async (id: number, relabel: Relabel, at: number) => this.store.relabelSample(id, relabel, at);
  addHead = async (head: unknown, report: unknown, samples: number, at: number) => this.store.addHead(head, report, samples, at);
  listHeads = async () => this.store.listHeads();
  head = async (id: number) => this.store.head(id);
  apply = async (scope: string, headId: number | null, at: number) => this.store.apply(scope, headId, at);
  unapply = async (scope: string) => this.store.unapply(scope);
  applied = async () => this.store.applied();
}

export class CalibrationStore {
  constructor(private readonly db: Db) {}

  /** A full disk is STORAGE_FULL: the operator is told and labels again. */
  addSample(sample: NewSample, at: number): number {
    return guardWrite(this.db, () =>
      Number(
        this.db
          .prepare('INSERT INTO calibration_samples (camera_id, captured_at, created_at, source, taxonomy, label, shown, shot_id, features, feature_names, rules, jpeg) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(...sampleRow(sample, at)).lastInsertRowid,
      ),
    );
  }

  /** Newest first. */
  listSamples(filter: { cameraId?: string; limit?: number } = {}): SampleSummary[] {
    const where = filter.cameraId !== undefined ? 'WHERE camera_id = ?' : '';
    const args: unknown[] = filter.cameraId !== undefined ? [filter.cameraId] : [];
    return (this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM calibration_samples ${where} ORDER BY id DESC LIMIT ?`).all(...args, filter.limit ?? 10_000) as SampleRow[]).map(summary);
  }

  /** Every sample with what a fit needs, oldest first. */
  samplesForFit(): SampleForFit[] {
    const rows = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, features, feature_names, rules FROM calibration_samples ORDER BY id`).all() as (SampleRow & { features: Buffer; feature_names: string; rules: string })[];
    return rows.map((row) => ({
      ...summary(row),
      // Copied out: the row's buffer may not be aligned for a Float32Array view.
      features: new Float32Array(new Uint8Array(row.features).buffer),
      featureNames: names(row.feature_names),
      rules: JSON.parse(row.rules) as number[],
    }));
  }

  sampleImage(id: number): Buffer | null {
    const row = this.db.prepare('SELECT jpeg FROM calibration_samples WHERE id = ?').get(id) as { jpeg: Buffer | null } | undefined;
    return row?.jpeg ?? null;
  }

  deleteSample(id: number): boolean {
    return guardWrite(this.db, () => this.db.prepare('DELETE FROM calibration_samples WHERE id = ?').run(id).changes > 0);
  }

  /**
   * The sample's frame labelled again (an operator corrected the same
   * picture twice): the label and its taxonomy change in place, keeping the
   * id, the frame's features and image, and created_at becomes the time of
   * the new label (what the label was made from is the same frame; when it
   * was said is not). One statement, so the list never holds both labels or
   * neither. null: no such sample.
   */
  relabelSample(id: number, relabel: Relabel, at: number): SampleSummary | null {
    const row = guardWrite(this.db, () =>
      this.db.prepare(`UPDATE calibration_samples SET taxonomy = ?, label = ?, created_at = ? WHERE id = ? RETURNING ${SUMMARY_COLUMNS}`).get(relabel.taxonomy, relabel.label, Math.round(at), id),
    ) as SampleRow | undefined;
    return row ? summary(row) : null;
  }

  addHead(head: unknown, report: unknown, samples: number, at: number): number {
    return guardWrite(this.db, () => Number(this.db.prepare('INSERT INTO calibration_heads (created_at, samples, head, report) VALUES (?, ?, ?, ?)').run(Math.round(at), samples, JSON.stringify(head), JSON.stringify(report)).lastInsertRowid));
  }

  /** Newest first, without the heads' weights. */
  listHeads(): HeadSummary[] {
    return (this.db.prepare('SELECT id, created_at, samples, report FROM calibration_heads ORDER BY id DESC').all() as { id: number; created_at: number; samples: number; report: string }[]).map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      samples: row.samples,
      report: JSON.parse(row.report) as unknown,
    }));
  }

  head(id: number): StoredHead | null {
    const row = this.db.prepare('SELECT id, created_at, samples, head, report FROM calibration_heads WHERE id = ?').get(id) as { id: number; created_at: number; samples: number; head: string; report: string } | undefined;
    return row ? { id: row.id, createdAt: row.created_at, samples: row.samples, head: JSON.parse(row.head) as unknown, report: JSON.parse(row.report) as unknown } : null;
  }

  /** scope '*' (every camera without its own) or a camera id; headId null: the configured head. */
  apply(scope: string, headId: number | null, at: number): void {
    guardWrite(this.db, () => this.db.prepare('INSERT OR REPLACE INTO calibration_applied (scope, head_id, applied_at) VALUES (?, ?, ?)').run(scope, headId, Math.round(at)));
  }

  /** A camera back to what every camera uses. */
  unapply(scope: string): void {
    guardWrite(this.db, () => this.db.prepare('DELETE FROM calibration_applied WHERE scope = ?').run(scope));
  }

  applied(): AppliedHead[] {
    return (this.db.prepare('SELECT scope, head_id, applied_at FROM calibration_applied ORDER BY scope').all() as { scope: string; head_id: number | null; applied_at: number }[]).map((r) => ({ scope: r.scope, headId: r.head_id, appliedAt: r.applied_at }));
  }
}
