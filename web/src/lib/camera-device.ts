/**
 * The device's camera: whether the page may use it, the resolutions offered,
 * the constraints asked of getUserMedia, and its refusals in words and codes.
 */
import { WhipError } from './whip-protocol.js';

/**
 * Whether this page may ask for the camera: a secure context (https://, or
 * http://localhost / 127.0.0.1) in a browser that has getUserMedia.
 */
export function isSecureContextForCamera(): boolean {
  return globalThis.isSecureContext === true && typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/**
 * Why the camera cannot be used here, in words, or null when it can: not a
 * secure context, or a browser without getUserMedia or WebRTC.
 */
export function cameraUnavailableReason(): string | null {
  if (globalThis.isSecureContext !== true) {
    return 'This page was opened over plain http:// from another device, and browsers only give a page the camera on https:// (or on localhost).';
  }
  if (typeof navigator === 'undefined' || typeof navigator.mediaDevices?.getUserMedia !== 'function') {
    return 'This browser does not offer camera access to web pages (no navigator.mediaDevices.getUserMedia).';
  }
  if (typeof globalThis.RTCPeerConnection !== 'function') return 'This browser has no WebRTC (RTCPeerConnection).';
  return null;
}

export const RESOLUTIONS = {
  '720p': { width: 1280, height: 720, title: '720p (1280×720)' },
  '1080p': { width: 1920, height: 1080, title: '1080p (1920×1080)' },
  '480p': { width: 854, height: 480, title: '480p (854×480)' },
} as const;
export type Resolution = keyof typeof RESOLUTIONS;
export const DEFAULT_RESOLUTION: Resolution = '720p';

export function isResolution(value: unknown): value is Resolution {
  return typeof value === 'string' && Object.hasOwn(RESOLUTIONS, value);
}

/** Video-only constraints for a device (null: the browser's choice) at a resolution. */
export function videoConstraints(deviceId: string | null, resolution: Resolution): MediaStreamConstraints {
  const { width, height } = RESOLUTIONS[resolution];
  return {
    audio: false,
    video: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      width: { ideal: width },
      height: { ideal: height },
      frameRate: { ideal: 30, max: 30 },
    },
  };
}

/** getUserMedia's refusals in words. */
export function cameraErrorMessage(error: unknown): string {
  const name = error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException) ? (error as Error).name : '';
  const detail = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'NotAllowedError':
      return 'Camera access was refused. Allow the camera for this site in the browser (the camera icon in the address bar, or the site settings) and try again.';
    case 'NotFoundError':
      return 'No camera was found on this device.';
    case 'NotReadableError':
      return 'The camera is in use by another app or tab, or the system blocked it.';
    case 'OverconstrainedError':
      return 'The chosen camera cannot be opened with these settings; pick another camera or resolution.';
    case 'SecurityError':
      return 'The browser blocks the camera on this page (it needs https:// or localhost).';
    default:
      return `The camera could not be opened: ${detail}`;
  }
}

/** The video inputs (labels are empty until the page has camera permission). */
export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (typeof navigator.mediaDevices?.enumerateDevices !== 'function') return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput' && d.deviceId);
}

/** A camera (getUserMedia) failure's code: the browser's name for it (NotAllowedError, ...), else CAMERA_FAILED. */
export function cameraErrorCode(error: unknown): string {
  if (error instanceof WhipError) return error.code;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Z][A-Za-z]*Error$/.test(name) && name !== 'Error' && name !== 'TypeError' ? name : 'CAMERA_FAILED';
}

export function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
