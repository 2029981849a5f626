/**
 * A publishing session's state as the page shows it: its snapshot, what a
 * refusal means and what to do about it, and how a session the server ended
 * reads once its camera changed there.
 */
import type { Resolution } from './camera-device.js';
import { WhipError } from './whip-protocol.js';

/** reconnecting: the session was lost (the server restarting, the network gone) and the page publishes again by itself. */
export type PublishPhase = 'idle' | 'connecting' | 'publishing' | 'reconnecting' | 'stopping' | 'error';

export interface PublishSnapshot {
  phase: PublishPhase;
  /** What went wrong (phase error), or a passing note; null when none. */
  error: string | null;
  /** The camera published to; in phase error, the one the failed start or ended session was for (null when idle). */
  cameraId: string | null;
  /** The session's URL while one exists. */
  location: string | null;
  /** The camera's stream (preview or published), or null. */
  stream: MediaStream | null;
  deviceId: string | null;
  resolution: Resolution;
  /** What the camera delivers: e.g. 1280×720 at 30 fps. */
  settings: { width: number; height: number; frameRate: number | null; label: string } | null;
  /** The peer connection's state while one exists. */
  connection: RTCPeerConnectionState | null;
  /** Times the camera was switched on a running session (replaceTrack). */
  switches: number;
  /**
   * Why the last start failed, coded: the server's refusal (HTTP status and its
   * code; 401 asks for a publish token) or the page's own (status 0: NETWORK,
   * INSECURE, ...); null when it failed otherwise (the camera) or did not.
   */
  refusal: { status: number; code: string; publisher?: string; droppedAfterS?: number } | null;
  /**
   * The code of the error shown (phase error): the server's refusal's, the
   * page's own (NETWORK, ...), the camera's (NotAllowedError, ...) or that of
   * the server ending the session (CAMERA_BUSY for a disabled camera,
   * CAMERA_NOT_FOUND, SOURCE_ENDED); null when there is none.
   */
  errorCode: string | null;
}

/** What the page says of its session: `interrupted` while publishing with the media connection down (nothing reaches the server). */
export type PublishShownState = PublishPhase | 'interrupted';

export function shownPublishState(snap: Pick<PublishSnapshot, 'phase' | 'connection'>): PublishShownState {
  return snap.phase === 'publishing' && snap.connection === 'disconnected' ? 'interrupted' : snap.phase;
}

/**
 * Whether an attempt to publish again, after the session was lost, is worth
 * another: the server unreachable or answering that it cannot now (restarting,
 * full), or still holding this device's lost session (CAMERA_BUSY for a
 * publisher, until it notices the loss). Anything else (a token refused, the
 * camera disabled or taken by an ffmpeg source) needs a person.
 */
export function worthRetrying(error: unknown): boolean {
  if (!(error instanceof WhipError)) return false;
  if (error.code === 'NETWORK' || error.status === 502 || error.status === 503 || error.status === 504) return true;
  return takenByPublisher({ code: error.code, publisher: error.publisher }, error.message);
}

/** The start was refused because another publisher (a device, a tab, an encoder) has the camera. */
export function refusedForPublisher(snap: Pick<PublishSnapshot, 'refusal' | 'error'>): boolean {
  return takenByPublisher(snap.refusal, snap.error ?? '');
}

/** What the status feed says of a camera, as far as who publishes to it goes. */
export interface CameraSeen {
  state: string;
  /** When it came to that state (the server's clock): a new value is a new state, even the same word. */
  since: number;
  enabled: boolean;
}

/**
 * After a refusal for another publisher: whether that publisher has plainly
 * left. The refusal is believed over the camera's state: `waiting` may be a
 * publisher still connecting or one that sends no picture, `gone` may have a
 * new one connecting. So it is left only once the camera has come to a state
 * without a publisher AFTER the refusal (`atRefusal`: as the page saw it
 * then; unknown then, nothing is known to have changed).
 */
export function publisherLeft(snap: Pick<PublishSnapshot, 'refusal' | 'error'>, atRefusal: CameraSeen | null, now: CameraSeen | null): boolean {
  if (!refusedForPublisher(snap) || !atRefusal || !now || !now.enabled) return false;
  if (now.state !== 'waiting' && now.state !== 'gone') return false;
  return now.state !== atRefusal.state || now.since !== atRefusal.since;
}

/**
 * CAMERA_BUSY is also a disabled camera's refusal: the server's `publisher`
 * field tells a publisher's apart (the words, from a server that sends none).
 */
function takenByPublisher(refusal: { code: string; publisher?: string } | null | undefined, message: string): boolean {
  return refusal?.code === 'CAMERA_BUSY' && (refusal.publisher !== undefined || /already has a publisher/.test(message));
}

/** What to do about a coded refusal, in the words of the floor (null: the message says it all). */
export function refusalAdvice(snap: Pick<PublishSnapshot, 'refusal' | 'error'>): string | null {
  const dropped = snap.refusal?.publisher === 'connecting' ? snap.refusal.droppedAfterS : undefined;
  if (dropped !== undefined) return `Another device, tab or encoder is starting to publish to this camera id: the server drops it if it has not connected within ${dropped} s. Press Start again then, or use another id.`;
  if (refusedForPublisher(snap)) return 'Another device, tab or encoder is publishing to this camera id: stop it there, or use another id.';
  switch (snap.refusal?.code) {
    case 'CAMERA_BUSY':
      return /is disabled/.test(snap.error ?? '') ? 'Enable the camera on the server (Cameras view), or use another id.' : null;
    case 'WHIP_CAPACITY':
      return 'The server takes no more publishers now: try again shortly, or raise supervisor.whip.maxSessions (and maxCameras) in its config.';
    case 'WHIP_CODEC':
      return 'This browser offered no video codec the server decodes (VP8, VP9 or AV1): try another browser.';
    case 'NETWORK':
      return "Check that this device is on the server's network and that shotscale runs there, then press Start again.";
    default:
      return null;
  }
}

/**
 * Why the server ended the last session, as its camera now stands: the
 * camera disabled (then enabled again), or removed (then made again).
 */
export type ServerEnd = 'disabled' | 'enabled-again' | 'removed' | 'there-again';

const SERVER_END_WORDS: Readonly<Record<ServerEnd, { error: string; code: string }>> = {
  disabled: { error: 'The server ended this session: the camera was disabled on the server. Press Start to publish again once it is enabled.', code: 'CAMERA_BUSY' },
  'enabled-again': { error: 'The server ended this session: the camera was disabled on the server; it is enabled again now. Press Start to publish again.', code: 'CAMERA_BUSY' },
  removed: { error: 'The server ended this session: the camera was removed on the server. Press Start to publish again (a new camera is made).', code: 'CAMERA_NOT_FOUND' },
  'there-again': { error: 'The server ended this session: the camera was removed on the server; it is there again now. Press Start to publish again.', code: 'CAMERA_NOT_FOUND' },
};

/** The words and code of a session the server ended, for that reason. */
export function serverEndWords(end: ServerEnd): { error: string; code: string } {
  return SERVER_END_WORDS[end];
}

/**
 * How a session the server ended reads after its camera changed on the
 * server (`removed`, or a status with `enabled`), once no session runs: left
 * as it was, the page said "press Start once it is enabled" of a camera that
 * had been deleted since.
 */
export function followServerEnd(end: ServerEnd, state: string, enabled = true): ServerEnd {
  if (state === 'removed') return 'removed';
  if (!enabled) return 'disabled';
  return end === 'disabled' || end === 'enabled-again' ? 'enabled-again' : 'there-again';
}

/**
 * The camera the error shown is about, when it is not the one now in the id
 * field (a start refused for cam-1, then phone-1 typed): the page says so
 * rather than showing cam-1's error as the typed camera's. Null when the error
 * is the field's camera's, or about no camera (the token).
 */
export function errorCameraElsewhere(snap: Pick<PublishSnapshot, 'phase' | 'cameraId' | 'refusal'>, fieldId: string): string | null {
  if (snap.phase !== 'error' || !snap.cameraId || snap.cameraId === fieldId.trim()) return null;
  // A token refused is refused for any camera.
  if (snap.refusal && (snap.refusal.status === 401 || (snap.refusal.status === 403 && snap.refusal.code === 'FORBIDDEN'))) return null;
  return snap.cameraId;
}
