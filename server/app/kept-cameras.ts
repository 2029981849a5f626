/**
 * On a single server, camera changes made over the API (the dashboard's
 * Cameras view) outlive a restart. The rule, as the README states it:
 * - the API's changes win over the config file for the cameras they touched:
 *   an added camera comes back, an edited one comes back with its edits, and
 *   a config file camera that was removed stays removed;
 * - a camera the config file has and the API never touched is the config
 *   file's, so a camera id newly added to the file appears;
 * - `shotscale cameras reset [ID...]` forgets the changes (of those cameras),
 *   and the next start is the config file's again.
 * A kept camera that no longer starts (its calibration file is gone, a model
 * it names is no longer configured) is left out with a coded warning naming
 * it and the field; the others start. In a cluster none of this applies: the
 * cameras are the cluster's, in PostgreSQL (server/cluster/camera-registry.ts).
 */
import type { CameraConfig } from '../config/schema.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { scrubCredentials } from '../ingest/source-secrets.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { CameraOverride, CameraOverrideStore } from '../store/camera-override-store.js';
import type { CameraDirectory } from './camera-directory.js';
import type { CameraManager } from './camera-manager.js';

/** A camera to start, and where its definition comes from. */
export interface CameraToStart {
  id: string;
  /** As the config file or the store has it; add() parses it. */
  input: unknown;
  origin: 'config' | 'edited' | 'added';
}

export interface MergedCameras {
  start: CameraToStart[];
  /** Config file cameras removed over the API: not started. */
  removed: string[];
  /** Kept rows that cannot be read at all: left out, with a warning. */
  unreadable: string[];
  /** Removals of cameras the config file no longer lists: nothing to hide any more, so forgotten (a later config entry of that id appears). */
  stale: string[];
}

/** The rule above, on the config file's cameras and the kept changes: config file order first, then added cameras in the order they were added. */
export function mergeCameras(configCameras: readonly Pick<CameraConfig, 'id'>[], overrides: readonly CameraOverride[]): MergedCameras {
  const byId = new Map(overrides.map((o) => [o.cameraId, o]));
  const inConfig = new Set(configCameras.map((c) => c.id));
  const merged: MergedCameras = { start: [], removed: [], unreadable: [], stale: [] };
  for (const camera of configCameras) {
    const kept = byId.get(camera.id);
    if (!kept) merged.start.push({ id: camera.id, input: camera, origin: 'config' });
    else if (kept.camera === null) merged.removed.push(camera.id);
    else if (!isObject(kept.camera)) merged.unreadable.push(camera.id);
    else merged.start.push({ id: camera.id, input: { ...kept.camera, id: camera.id }, origin: 'edited' });
  }
  for (const kept of overrides) {
    if (inConfig.has(kept.cameraId)) continue;
    if (kept.camera === null) merged.stale.push(kept.cameraId);
    else if (!isObject(kept.camera)) merged.unreadable.push(kept.cameraId);
    else merged.start.push({ id: kept.cameraId, input: { ...kept.camera, id: kept.cameraId }, origin: 'added' });
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const RESET_HINT = 'shotscale cameras reset';

/**
 * Starts the cameras at a single server's start: the config file's, with the
 * kept changes applied when there is a store (shots on), else the config
 * file's alone. A config file camera that cannot start stops the start, as
 * before; a kept one is left out with a warning.
 */
export function startKeptCameras(manager: CameraManager, configCameras: readonly CameraConfig[], store: CameraOverrideStore | null, log: Logger): void {
  if (!store) {
    for (const camera of configCameras) manager.add(camera, { fileMayBeMissing: true });
    return;
  }
  const merged = mergeCameras(configCameras, store.all());
  if (merged.stale.length) {
    try {
      store.forget(merged.stale);
    } catch (error) {
      log.warn(`${isShotscaleError(error) ? `${error.code}: ` : ''}forgetting the removal of cameras the config file no longer lists (${merged.stale.join(', ')}): ${errorMessage(error)}`);
    }
  }
  for (const id of merged.unreadable) {
    log.warn(`CAMERA_INVALID: camera "${id}" as changed over the API is left out: its stored definition cannot be read; add it again, or \`${RESET_HINT} ${id}\` for the config file's`);
  }
  const kept: string[] = [];
  for (const camera of merged.start) {
    if (camera.origin === 'config') {
      manager.add(camera.input, { fileMayBeMissing: true });
      continue;
    }
    try {
      manager.add(camera.input, { fileMayBeMissing: true });
      kept.push(`${camera.id} (${camera.origin})`);
    } catch (error) {
      const code = isShotscaleError(error) ? error.code : 'CAMERA_INVALID';
      const back = camera.origin === 'edited' ? `; \`${RESET_HINT} ${camera.id}\` starts the config file's instead` : `; \`${RESET_HINT} ${camera.id}\` forgets it`;
      // A URL in a message (a source that no longer parses) may carry credentials: never logged.
      log.warn(`${code}: camera "${camera.id}" as ${camera.origin === 'added' ? 'added' : 'edited'} over the API is left out: ${scrubCredentials(errorMessage(error))}${back}`);
    }
  }
  const removed = merged.removed.map((id) => `${id} (removed)`);
  if (kept.length || removed.length) {
    log.info(`cameras as changed over the API, over the config file: ${[...kept, ...removed].join(', ')}; \`${RESET_HINT}\` returns to the config file's`);
  }
}

/**
 * The camera routes of a single server with shots on: each change that
 * succeeded is kept for the next start. A change that ran but could not be
 * stored (a full disk) is answered with the storage error, saying the change
 * runs until the server stops.
 */
export function keptCameraDirectory(inner: CameraDirectory, manager: CameraManager, store: CameraOverrideStore, configIds: ReadonlySet<string>, clock: Clock): CameraDirectory {
  const keep = (cameraId: string, what: string, write: () => void) => {
    try {
      write();
    } catch (error) {
      if (!isShotscaleError(error)) throw error;
      throw new ShotscaleError(error.code, `camera "${cameraId}" was ${what}, but not kept for the next start: ${error.message}`, { ...(error.hint ? { hint: error.hint } : {}), cause: error });
    }
  };
  /** The camera as it runs now (credentials as given), unless it is gone again meanwhile. */
  const keepRunning = (cameraId: string, what: string) => {
    if (!manager.has(cameraId)) return;
    const camera = manager.get(cameraId).camera;
    keep(cameraId, what, () => store.keep(camera, clock()));
  };
  return {
    ...inner,
    add: async (input) => {
      const status = await inner.add(input);
      keepRunning(status.cameraId, 'added');
      return status;
    },
    update: async (cameraId, patch) => {
      const status = await inner.update(cameraId, patch);
      keepRunning(cameraId, 'changed');
      return status;
    },
    remove: async (cameraId) => {
      await inner.remove(cameraId);
      keep(cameraId, 'removed', () => store.removed(cameraId, configIds.has(cameraId), clock()));
    },
  };
}
