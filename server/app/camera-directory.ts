/**
 * What the camera routes act on: on a single node, the CameraManager itself;
 * in a cluster, the cameras defined in PostgreSQL (see cluster-cameras.ts).
 */
import type { CameraConfig } from '../config/schema.js';
import type { CameraStatus } from '../shared/socket-events.js';
import type { CameraManager, CameraPatch } from './camera-manager.js';

/** Where a camera runs: here (or, for WHIP, a camera nobody defined: it will run here), on another node, or (a cluster's camera no node runs now) nowhere. */
export type CameraPlace = { at: 'here' } | { at: 'node'; nodeId: string; url: string } | { at: 'nowhere'; why: string };

export interface CameraDirectory {
  list(): CameraStatus[];
  locate(cameraId: string): CameraPlace;
  /** Status and config (credentials scrubbed). */
  describe(cameraId: string): Promise<{ status: CameraStatus; config: CameraConfig }>;
  add(input: unknown): Promise<CameraStatus>;
  update(cameraId: string, patch: CameraPatch): Promise<CameraStatus>;
  remove(cameraId: string): Promise<void>;
}

export function localCameraDirectory(manager: CameraManager): CameraDirectory {
  return {
    list: () => manager.list(),
    locate: () => ({ at: 'here' }),
    describe: async (cameraId) => ({ status: manager.statusOf(manager.get(cameraId)), config: manager.publicConfig(cameraId) }),
    add: async (input) => manager.add(input),
    update: (cameraId, patch) => manager.update(cameraId, patch),
    remove: (cameraId) => manager.remove(cameraId),
  };
}
