/**
 * A shot filter naming a camera that is neither configured nor in the shot
 * log is a mistyped id, not an empty log: an export, the film report and
 * coverage of it are CAMERA_NOT_FOUND (404), not an empty file, an empty page
 * or all zeros. A removed camera whose shots are logged is known; so is a
 * configured one that has logged nothing (its export is empty).
 */
import { ShotscaleError } from '../errors.js';
import type { ClusterShotLog } from '../cluster/cluster-shot-log.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { ShotFilter, StoredShot } from '../store/shot-store.js';
import { shown } from './request-schemas.js';

/** Where a camera id is known: the cameras configured now (in a cluster, the cluster's) and the log's shots. */
export interface KnownCameras {
  configured: () => readonly string[];
  shotLog: ShotLog;
}

/**
 * Refuses the filter's cameras that are neither configured nor in the log:
 * the cluster's log (`fromCluster`) where the request reads it, else this
 * node's. `shots`: those the request read already (their cameras are logged,
 * so no count is asked of them); `nothing`: what the request has none of
 * ("nothing to export as edl").
 */
export async function refuseUnknownCameras(known: KnownCameras, filter: ShotFilter, shots: readonly StoredShot[], nothing: string, fromCluster: ClusterShotLog | null): Promise<void> {
  if (!filter.cameraIds) return;
  const configured = [...known.configured()];
  const seen = new Set([...configured, ...shots.map((shot) => shot.cameraId)]);
  const unknown: string[] = [];
  for (const id of filter.cameraIds) {
    if (seen.has(id)) continue;
    const logged = fromCluster ? await fromCluster.count({ cameraIds: [id] }) : known.shotLog.shots.count({ cameraIds: [id] });
    if (logged === 0) unknown.push(id);
  }
  if (!unknown.length) return;
  throw new ShotscaleError(
    'CAMERA_NOT_FOUND',
    // Each id shortened, and five at most: the message echoes what the request typed, which may be anything.
    `camera: ${unknown.slice(0, 5).map(shown).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} ${unknown.length === 1 ? 'is' : 'are'} neither configured nor in the shot log, so there is ${nothing}` +
      ` (configured: ${configured.length ? configured.join(', ') : 'none'})`,
  );
}
