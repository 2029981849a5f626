/**
 * The camera routes in a cluster: a camera is added, changed or removed in
 * PostgreSQL from any node, and the node that holds (or claims) its lease
 * acts on it at its next tick. Statuses come from this node's cameras and
 * the other nodes' heartbeats.
 */
import type { CameraDirectory } from '../app/camera-directory.js';
import type { CameraManager } from '../app/camera-manager.js';
import type { CameraConfig } from '../config/schema.js';
import { ShotscaleError } from '../errors.js';
import { publicSource, restoreSecrets } from '../ingest/source-secrets.js';
import type { CameraStatus } from '../shared/socket-events.js';
import type { StartFailure } from './camera-leases.js';
import { waitingStatus, type ClusterNode } from './cluster-node.js';

/**
 * The answer to a change (and to a read right after one): the camera as
 * changed, running as the cluster knows it. The node running it restarts
 * it with the change at its next tick (within a second); until then its
 * status (and its heartbeat's) still has the definition before the change,
 * so what comes of the definition (name, source, rate, enabled) is taken
 * from the change itself. A camera that no node runs, or that the change
 * disables, is waiting: the node running it stops it at its next tick.
 */
function changedStatus(known: CameraStatus, next: CameraConfig, failures: readonly StartFailure[] = []): CameraStatus {
  // A camera that ran until this change waits from now; one that no node ran waits as it did (or failed, where nodes
  // could not start this very definition: an edit is a new one, tried afresh).
  const defined = waitingStatus(next, known.node ? Date.now() : known.since, null, failures);
  if (!next.enabled || !known.node) return defined;
  const { name, enabled, sourceKind, source, analysisFps } = defined;
  return { ...known, name, enabled, sourceKind, source, analysisFps };
}

export function clusterCameraDirectory(node: ClusterNode, manager: CameraManager, onRemoved: (cameraId: string) => void): CameraDirectory {
  const list = (): CameraStatus[] => [...manager.list(), ...node.remoteStatuses()].sort((a, b) => a.cameraId.localeCompare(b.cameraId));
  const statusOf = (cameraId: string, fallback: () => CameraStatus): CameraStatus => list().find((s) => s.cameraId === cameraId) ?? fallback();
  return {
    list,
    // A publisher reaches the node running its camera (WHIP clients follow a 307); a camera the cluster does not define is this node's own.
    locate: (cameraId) => {
      if (manager.has(cameraId)) return { at: 'here' };
      const status = node.remoteStatuses().find((s) => s.cameraId === cameraId);
      if (!status) return { at: 'here' };
      const url = status.node ? node.nodeUrl(status.node) : null;
      if (status.node && url) return { at: 'node', nodeId: status.node, url };
      return { at: 'nowhere', why: `no node of the cluster runs camera "${cameraId}" now (every node is at its capacity, or none is up)` };
    },
    describe: async (cameraId) => {
      const { config, revision } = await node.registry.get(cameraId);
      const failures = node.startFailuresOf(cameraId, revision);
      // Right after a change, its node may not have restarted the camera yet: the status says the definition PostgreSQL has.
      return { status: changedStatus(statusOf(cameraId, () => waitingStatus(config, Date.now(), null, failures)), config, failures), config: { ...config, source: publicSource(config.source) } };
    },
    add: async (input) => {
      const camera = manager.validate(input);
      await node.registry.add(camera);
      return waitingStatus(camera, Date.now());
    },
    update: async (cameraId, patch) => {
      // The patch is merged into the camera as PostgreSQL has it, under the row's lock, so that
      // edits of other fields from other nodes (or admins) at the same moment all stand.
      const { config: next } = await node.registry.edit(cameraId, (current) => {
        if ('id' in (patch as object) && (patch as { id?: unknown }).id !== cameraId) {
          throw new ShotscaleError('CAMERA_INVALID', `camera "${cameraId}": the id cannot be changed (remove and add instead)`);
        }
        const parsed = manager.validate({ ...current, ...patch, id: cameraId });
        return { ...parsed, source: restoreSecrets(parsed.source, current.source) };
      });
      return changedStatus(statusOf(cameraId, () => waitingStatus(next, Date.now())), next);
    },
    remove: async (cameraId) => {
      await node.registry.remove(cameraId);
      onRemoved(cameraId);
    },
  };
}
