/**
 * Cameras an admin added, edited or removed over the API (the dashboard's
 * Cameras view) on a single server, kept in the shot log's database so that
 * the next start applies them over the config file's cameras (the rule:
 * server/app/kept-cameras.ts). A row per camera touched: its definition as it
 * ran, credentials as given (the config file holds them too; they are never
 * logged), or none for a config file camera that was removed.
 * In a cluster the cameras live in PostgreSQL instead (server/cluster/camera-registry.ts).
 */
import type { CameraConfig } from '../config/schema.js';
import type { Db } from './database.js';
import { guardWrite } from './storage-fault.js';

export interface CameraOverride {
  cameraId: string;
  /** The camera as it ran, as stored (parse it again to use it); null: removed. */
  camera: unknown;
  changedAt: number;
}

interface Row {
  camera_id: string;
  config: string | null;
  changed_at: number;
}

export class CameraOverrideStore {
  constructor(private readonly db: Db) {}

  /** Every camera touched, added ones in the order they were first added. An unreadable row is `camera: undefined` (left out at start, with a warning). */
  all(): CameraOverride[] {
    const rows = this.db.prepare('SELECT camera_id, config, changed_at FROM camera_overrides ORDER BY rowid').all() as Row[];
    return rows.map((row) => ({ cameraId: row.camera_id, camera: row.config === null ? null : parseJson(row.config), changedAt: row.changed_at }));
  }

  /** The camera as it runs now (added or edited): it comes back so at the next start. */
  keep(camera: CameraConfig, at: number): void {
    guardWrite(this.db, () =>
      this.db
        .prepare('INSERT INTO camera_overrides (camera_id, config, changed_at) VALUES (?, ?, ?) ON CONFLICT (camera_id) DO UPDATE SET config = excluded.config, changed_at = excluded.changed_at')
        .run(camera.id, JSON.stringify(camera), Math.round(at)),
    );
  }

  /** A removed camera: one of the config file's stays removed (a tombstone); any other is simply forgotten. */
  removed(cameraId: string, inConfigFile: boolean, at: number): void {
    guardWrite(this.db, () => {
      if (inConfigFile) {
        this.db
          .prepare('INSERT INTO camera_overrides (camera_id, config, changed_at) VALUES (?, NULL, ?) ON CONFLICT (camera_id) DO UPDATE SET config = NULL, changed_at = excluded.changed_at')
          .run(cameraId, Math.round(at));
      } else {
        this.db.prepare('DELETE FROM camera_overrides WHERE camera_id = ?').run(cameraId);
      }
    });
  }

  /** Forgets the changes of the given cameras (all when `cameraIds` is null); returns the ids forgotten. */
  forget(cameraIds: readonly string[] | null): string[] {
    return guardWrite(this.db, () =>
      this.db.transaction(() => {
        const ids = (this.db.prepare('SELECT camera_id FROM camera_overrides ORDER BY rowid').pluck().all() as string[]).filter((id) => cameraIds === null || cameraIds.includes(id));
        const del = this.db.prepare('DELETE FROM camera_overrides WHERE camera_id = ?');
        for (const id of ids) del.run(id);
        return ids;
      })(),
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
