/**
 * The id, name, camera and resolution a device publishes with, made up the
 * first time and remembered in localStorage.
 */
import { DEFAULT_RESOLUTION, isResolution, type Resolution } from './camera-device.js';

const PREFS_KEY = 'shotscale.publish';

export interface PublishPrefs {
  cameraId: string;
  name: string;
  deviceId: string | null;
  resolution: Resolution;
}

/** "phone", "tablet" or "browser", from the user agent. */
export function deviceKind(userAgent: string): 'phone' | 'tablet' | 'browser' {
  if (/iPad|Tablet/i.test(userAgent) || (/Android/i.test(userAgent) && !/Mobile/i.test(userAgent))) return 'tablet';
  if (/iPhone|iPod|Android|Mobile/i.test(userAgent)) return 'phone';
  return 'browser';
}

/** A fresh id and name for this device: "phone-1234" / "Phone 1234". */
export function defaultIdentity(userAgent: string, random: () => number = Math.random): { cameraId: string; name: string } {
  const kind = deviceKind(userAgent);
  const digits = String(Math.floor(random() * 9000) + 1000);
  return { cameraId: `${kind}-${digits}`, name: `${kind[0]!.toUpperCase()}${kind.slice(1)} ${digits}` };
}

/** The id, name, camera and resolution used last on this device (made up the first time). */
export function loadPrefs(): PublishPrefs {
  let stored: Partial<PublishPrefs> = {};
  try {
    stored = (JSON.parse(globalThis.localStorage?.getItem(PREFS_KEY) ?? '{}') as Partial<PublishPrefs> | null) ?? {};
  } catch {
    stored = {};
  }
  const fresh = defaultIdentity(typeof navigator === 'undefined' ? '' : navigator.userAgent);
  const prefs: PublishPrefs = {
    cameraId: typeof stored.cameraId === 'string' && stored.cameraId ? stored.cameraId : fresh.cameraId,
    // Empty: the server names the camera after its id.
    name: typeof stored.name === 'string' ? stored.name : '',
    deviceId: typeof stored.deviceId === 'string' && stored.deviceId ? stored.deviceId : null,
    resolution: isResolution(stored.resolution) ? stored.resolution : DEFAULT_RESOLUTION,
  };
  if (!stored.cameraId) savePrefs(prefs);
  return prefs;
}

export function savePrefs(prefs: PublishPrefs): void {
  try {
    globalThis.localStorage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // storage disabled: the defaults are made up again next time
  }
}

/** The server's rule for camera ids (server/shared/input-limits.ts). */
export { CAMERA_ID_PATTERN } from '../../../server/shared/input-limits.js';
