/**
 * `shotscale export --camera`: an id that is neither in the shot log nor a
 * camera of the server is a typo, refused as GET /api/shots?camera= refuses
 * it (CAMERA_NOT_FOUND, shot-routes.ts), not an empty file written and exit
 * 0: a script with a mistyped id shipped a header-only EDL as a success.
 * A camera of the server with no shots yet, or a removed one whose shots are
 * logged, still exports (empty, or its shots), as over HTTP.
 *
 * The HTTP routes ask the same question of a running server
 * (api/unknown-cameras.ts: its ShotLog, or the cluster's). This one reads a
 * log file opened read-only, with no ShotLog and perhaps no server, so it
 * asks the file: its shots' cameras and the camera changes it keeps.
 */
import type { LoadedConfig } from '../config/load-config.js';
import { ShotscaleError } from '../errors.js';
import type { Db } from '../store/database.js';

/**
 * Refuses the ids of `cameraIds` that the log has no shot of and that are
 * no camera of `loaded`'s server (its config file's cameras, with the ones
 * added or removed over the API that it keeps in the log). `loaded`: null
 * for a log named by --db, whose cameras are its shots' alone.
 */
export function refuseCamerasNotInLog(db: Db, cameraIds: readonly string[] | undefined, format: string, loaded: LoadedConfig | null): void {
  if (!cameraIds?.length) return;
  // A cluster node's cameras are in PostgreSQL, which an export of its file does not read: none can be told unknown.
  if (loaded?.config.cluster.enabled) return;
  const logged = (db.prepare('SELECT DISTINCT camera_id AS id FROM shots ORDER BY camera_id').all() as { id: string }[]).map((row) => row.id);
  const configured = loaded ? serverCameras(db, loaded) : [];
  const known = new Set([...logged, ...configured]);
  const unknown = cameraIds.filter((id) => !known.has(id));
  if (!unknown.length) return;
  const list = (ids: readonly string[]) => (ids.length > 20 ? `${ids.slice(0, 20).join(', ')} and ${ids.length - 20} more` : ids.join(', '));
  throw new ShotscaleError(
    'CAMERA_NOT_FOUND',
    `--camera ${unknown.map((id) => JSON.stringify(id)).join(', ')}: ${unknown.length === 1 ? 'no camera' : 'no cameras'} of that id in the shot log${loaded ? ' or the config' : ''}, so there is nothing to export as ${format}` +
      ` (the log has shots of ${logged.length ? `camera${logged.length === 1 ? '' : 's'} ${list(logged)}` : 'no camera'}${loaded ? `; configured: ${configured.length ? list(configured) : 'none'}` : ''})`,
    { hint: 'name a camera the log has shots of, or leave --camera out for every camera' },
  );
}

/** The server's cameras as its next start runs them: the config file's, less those removed over the API, with those added (kept-cameras.ts). */
function serverCameras(db: Db, loaded: LoadedConfig): string[] {
  const ids = new Set(loaded.config.cameras.map((camera) => camera.id));
  // A log written before camera changes were kept has no such table: the config file's cameras are all there are.
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'camera_overrides'").get() !== undefined;
  if (!hasTable) return [...ids];
  for (const row of db.prepare('SELECT camera_id AS id, config IS NULL AS removed FROM camera_overrides').all() as { id: string; removed: number }[]) {
    if (row.removed) ids.delete(row.id);
    else ids.add(row.id);
  }
  return [...ids];
}
