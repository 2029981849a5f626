/** The alert history: each alert once when raised, updated when it clears. */
import type { CanonicalScale } from '../shared/scale.js';
import type { Alert, AlertKind } from '../shared/shots.js';
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

interface AlertRow {
  key: string;
  kind: string;
  severity: string;
  camera_ids: string;
  message: string;
  since: number;
  resolved_at: number | null;
  scale: string | null;
  scene: string | null;
}

export class AlertStore {
  constructor(private readonly db: Db) {}

  /** Inserts the alert, or updates the row of the same key and start. A full disk is STORAGE_FULL. */
  record(alert: Alert): void {
    guardWrite(this.db, () => {
      const resolved = this.db.prepare('UPDATE alerts SET resolved_at = ?, message = ? WHERE key = ? AND since = ?').run(alert.resolvedAt, alert.message, alert.key, Math.round(alert.since));
      if (resolved.changes) return;
      this.db
        .prepare('INSERT INTO alerts (key, kind, severity, camera_ids, message, since, resolved_at, scale, scene) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(alert.key, alert.kind, alert.severity, JSON.stringify(alert.cameraIds), alert.message, Math.round(alert.since), alert.resolvedAt, alert.scale ?? null, alert.scene ?? null);
    });
  }

  /** Newest first. */
  list(limit = 200): Alert[] {
    return (this.db.prepare('SELECT * FROM alerts ORDER BY since DESC, id DESC LIMIT ?').all(limit) as AlertRow[]).map(fromRow);
  }

  /** The alerts of these kinds still active (not resolved), oldest first. */
  active(kinds: readonly AlertKind[]): Alert[] {
    if (kinds.length === 0) return [];
    const rows = this.db.prepare(`SELECT * FROM alerts WHERE resolved_at IS NULL AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY since, id`).all(...kinds) as AlertRow[];
    return rows.map(fromRow);
  }

  /**
   * After a restart, alerts left active are history: closed at restart time.
   * Those of the kinds in `keep` stay active: they are about something that
   * happened (a take that ended short), not a condition the new process sees
   * again, so only an operator (or a take that covers the plan) clears them.
   */
  resolveAbandoned(at: number, keep: readonly AlertKind[] = []): void {
    this.db
      .prepare(`UPDATE alerts SET resolved_at = ? WHERE resolved_at IS NULL${keep.length ? ` AND kind NOT IN (${keep.map(() => '?').join(', ')})` : ''}`)
      .run(Math.round(at), ...keep);
  }
}

function fromRow(row: AlertRow): Alert {
  return {
    key: row.key,
    kind: row.kind as AlertKind,
    severity: row.severity as Alert['severity'],
    cameraIds: JSON.parse(row.camera_ids) as string[],
    ...(row.scale === null ? {} : { scale: row.scale as CanonicalScale }),
    ...(row.scene === null ? {} : { scene: row.scene }),
    message: row.message,
    since: row.since,
    resolvedAt: row.resolved_at,
  };
}
