/**
 * "Use this device as a camera": a small WHIP (RFC 9725) client for the
 * browser, and the one publishing session of the page.
 *
 * `publish()` is the protocol: a sendonly video transceiver, an offer sent
 * once ICE gathering is complete (the server takes no trickle ICE), the
 * answer applied, `Location` kept for the DELETE that ends the session. The
 * server's `{ error: { code, message } }` becomes a WhipError whose message
 * can be shown as it is.
 *
 * `publishSession` is a module-level singleton: the dashboard renders only the
 * active view, so the session lives here, not in the view, and switching tabs
 * does not end it. The view mirrors its snapshots into runes.
 */

/** The server's refusal (or a network failure: status 0). */
export class WhipError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** CAMERA_BUSY for another publisher: the server's `publisher` field ("connected", "connecting"); undefined otherwise. */
    readonly publisher?: string,
    /** With publisher "connecting": the server drops that publisher if it has not connected within this many seconds. */
    readonly droppedAfterS?: number,
  ) {
    super(message);
    this.name = 'WhipError';
  }
}

export interface PublishOptions {
  /** The WHIP endpoint, absolute: https://HOST:PORT/whip/CAMERA?name=NAME. */
  url: string;
  /** Sent as `Authorization: Bearer TOKEN` when given. */
  token: string | null;
  /** Its first video track is published. */
  stream: MediaStream;
  /** Longest wait for ICE gathering before the offer goes out with what it has (ms). */
  iceGatheringTimeoutMs?: number;
  /** Replaced in tests. */
  fetch?: typeof fetch;
  /** Replaced in tests. */
  createPeerConnection?: () => RTCPeerConnection;
}

export interface Published {
  /** The session's URL (absolute), for DELETE. */
  location: string;
  pc: RTCPeerConnection;
  /** Ends the session on the server (DELETE), closes the connection. Never throws. */
  stop(): Promise<void>;
}

export const DEFAULT_ICE_GATHERING_TIMEOUT_MS = 5000;

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

/** Resolves once ICE gathering is complete, or after `timeoutMs` (then the offer has the candidates found so far). */
export function iceGatheringComplete(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onChange);
      resolve();
    };
    const onChange = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', onChange);
  });
}

function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The server's error body as a WhipError (or the status when it sent none). */
async function refusal(response: Response, what: string): Promise<WhipError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // no body
  }
  let code = `HTTP_${response.status}`;
  let message = `${what} failed with HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  let publisher: string | undefined;
  let droppedAfterS: number | undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; publisher?: unknown; droppedAfterS?: unknown } } | null;
    if (typeof body?.error?.code === 'string') code = body.error.code;
    if (typeof body?.error?.message === 'string' && body.error.message) message = body.error.message;
    if (typeof body?.error?.publisher === 'string') publisher = body.error.publisher;
    if (typeof body?.error?.droppedAfterS === 'number' && Number.isFinite(body.error.droppedAfterS)) droppedAfterS = body.error.droppedAfterS;
  } catch {
    if (text.trim() && text.length < 300) message = `${message}: ${text.trim()}`;
  }
  return new WhipError(response.status, code, message, publisher, droppedAfterS);
}

function networkError(what: string, error: unknown): WhipError {
  return new WhipError(0, 'NETWORK', `${what}: the server cannot be reached (${error instanceof Error ? error.message : String(error)})`);
}

/**
 * Publishes the stream's video to a WHIP endpoint. Resolves once the answer
 * is applied (the media connection may still be coming up: watch
 * `pc.connectionState`); rejects with a WhipError on a refusal, closing
 * everything it opened.
 */
export async function publish(options: PublishOptions): Promise<Published> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const track = options.stream.getVideoTracks()[0];
  if (!track) throw new WhipError(0, 'NO_VIDEO', 'the stream has no video track');
  const pc = options.createPeerConnection?.() ?? new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  try {
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [options.stream] });
    await preferResolution(transceiver.sender);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await iceGatheringComplete(pc, options.iceGatheringTimeoutMs ?? DEFAULT_ICE_GATHERING_TIMEOUT_MS);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new WhipError(0, 'NO_OFFER', 'the browser made no offer');

    let response: Response;
    try {
      response = await doFetch(options.url, { method: 'POST', headers: { 'content-type': 'application/sdp', ...authHeaders(options.token) }, body: sdp });
    } catch (error) {
      throw networkError('publishing', error);
    }
    if (response.status !== 201 && !response.ok) throw await refusal(response, 'publishing');
    const answer = await response.text();
    const header = response.headers.get('location');
    if (!header) throw new WhipError(response.status, 'NO_LOCATION', 'the server answered without a Location header (no session to end later)');
    const location = new URL(header, options.url).href;

    let stopped: Promise<void> | null = null;
    const stop = (): Promise<void> =>
      (stopped ??= (async () => {
        pc.close();
        try {
          const r = await doFetch(location, { method: 'DELETE', headers: authHeaders(options.token) });
          // 404: the server ended it already (the publisher was gone); nothing left to end.
          if (!r.ok && r.status !== 404) console.warn(`WHIP DELETE ${location}: HTTP ${r.status}`);
        } catch (error) {
          console.warn(`WHIP DELETE ${location}: ${error instanceof Error ? error.message : String(error)}`);
        }
      })());

    try {
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    } catch (error) {
      await stop();
      throw new WhipError(0, 'BAD_ANSWER', `the server's answer was not accepted: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { location, pc, stop };
  } catch (error) {
    if (pc.signalingState !== 'closed') pc.close();
    throw error;
  }
}

/**
 * The classifier looks at a few frames a second but needs the framing sharp:
 * when bandwidth or CPU is short, the encoder drops frames rather than
 * shrinking the picture (the default halves the resolution first, for many
 * seconds after the start while the bandwidth estimate ramps up).
 */
async function preferResolution(sender: RTCRtpSender): Promise<void> {
  try {
    const params = sender.getParameters();
    params.degradationPreference = 'maintain-resolution';
    await sender.setParameters(params);
  } catch {
    // not supported here: the browser's own preference stays
  }
}

// ---------------------------------------------------------------------------
// Camera choice

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

// ---------------------------------------------------------------------------
// Defaults for this device, remembered in localStorage

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

/** The WHIP endpoint for a camera on the server at `origin` (name: the display name, optional). */
export function whipUrl(origin: string, cameraId: string, name?: string): string {
  const url = new URL(`/whip/${encodeURIComponent(cameraId)}`, origin);
  if (name) url.searchParams.set('name', name);
  return url.href;
}

// ---------------------------------------------------------------------------
// The page's publishing session

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

export interface StartOptions {
  /** The dashboard's origin, e.g. https://192.168.1.20:8420. */
  origin: string;
  cameraId: string;
  name: string;
  deviceId: string | null;
  resolution: Resolution;
  token: string | null;
}

/**
 * Longest wait, at Start, for an attempt a Stop abandoned to end its session:
 * its POST may still be answered (201) after the Stop, and the server then
 * refuses the next POST for it ("still connecting: another device"). Seen
 * with Start, Stop, Start pressed quickly.
 */
const ABANDONED_WAIT_MS = 10_000;

/** How long a stopped camera's removal may take to be said, before its end is told as a change. */
const STOPPED_GRACE_MS = 400;

/** How long the media connection may take to come up after the answer. */
const CONNECT_TIMEOUT_MS = 15_000;

/** A lost session is published again by itself for this long (a server restart, a network drop), then left to a person. */
export const RECONNECT_FOR_MS = 120_000;
/** The wait before the first attempt to publish again, doubled per attempt up to RECONNECT_MAX_DELAY_MS. */
const RECONNECT_FIRST_DELAY_MS = 1000;
const RECONNECT_MAX_DELAY_MS = 5000;

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

export class PublishSession {
  private state: PublishSnapshot = {
    phase: 'idle',
    error: null,
    cameraId: null,
    location: null,
    stream: null,
    deviceId: null,
    resolution: DEFAULT_RESOLUTION,
    settings: null,
    connection: null,
    switches: 0,
    refusal: null,
    errorCode: null,
  };
  private readonly listeners = new Set<(s: PublishSnapshot) => void>();
  private session: Published | null = null;
  private token: string | null = null;
  /** Bumped on every start/stop so a superseded attempt leaves quietly. */
  private generation = 0;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private unloadHooked = false;
  /** The status feed has shown this session's camera taken (waiting, live or stalled) since the session began. */
  private serverSaw = false;
  /** The server ended the last session (phase error): why, as its camera stands now; null otherwise. */
  private serverEnd: ServerEnd | null = null;
  /** What the last start was given: a lost session is published again with it. */
  private options: StartOptions | null = null;
  /** While publishing again by itself: since when, how many attempts so far, and why. */
  private reconnect: { since: number; attempts: number; why: string; code: string } | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** The last attempt to publish, settled once it has cleaned up (an abandoned one's session ended with DELETE). */
  private lastAttempt: Promise<void> = Promise.resolve();

  snapshot(): PublishSnapshot {
    return this.state;
  }

  /** Calls `fn` now and on every change; returns the unsubscribe. */
  subscribe(fn: (s: PublishSnapshot) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  get active(): boolean {
    return this.state.phase === 'connecting' || this.state.phase === 'publishing' || this.state.phase === 'reconnecting' || this.state.phase === 'stopping';
  }

  /**
   * Opens (or reopens) the camera for the preview without publishing; while
   * publishing, switches the published track instead (no new session).
   */
  async openCamera(deviceId: string | null, resolution: Resolution): Promise<void> {
    // Between attempts to publish again: the next attempt takes this camera.
    if (this.state.phase === 'reconnecting' && this.options) this.options = { ...this.options, deviceId, resolution };
    if (this.session || this.state.phase === 'connecting') {
      await this.switchCamera(deviceId, resolution);
      return;
    }
    const stream = await this.getStream(deviceId, resolution);
    this.releaseStream();
    this.set({ stream, deviceId: this.deviceOf(stream) ?? deviceId, resolution, settings: settingsOf(stream), ...(this.state.phase === 'error' ? { phase: 'idle', error: null, errorCode: null } : {}) });
  }

  /** Lets go of a preview camera (not while publishing). */
  closePreview(): void {
    if (this.active) return;
    this.releaseStream();
    this.set({ stream: null, settings: null });
  }

  async start(options: StartOptions): Promise<void> {
    if (this.active) throw new Error('already publishing; stop first');
    this.options = options;
    this.reconnect = null;
    this.serverEnd = null;
    const generation = ++this.generation;
    this.set({ phase: 'connecting', error: null, errorCode: null, refusal: null, switches: 0, cameraId: options.cameraId, location: null, connection: null });
    await settledWithin(this.lastAttempt, ABANDONED_WAIT_MS);
    if (generation !== this.generation) return;
    await this.runAttempt(options);
  }

  private runAttempt(options: StartOptions): Promise<void> {
    const run = this.attempt(options);
    this.lastAttempt = run.catch(() => {});
    return run;
  }

  /** One try at publishing: the start's, or one of those after the session was lost (phase reconnecting). */
  private async attempt(options: StartOptions): Promise<void> {
    const generation = ++this.generation;
    const again = this.reconnect !== null;
    this.token = options.token;
    this.serverSaw = false;
    this.set({ ...(again ? {} : { phase: 'connecting' as const, error: null, errorCode: null, switches: 0 }), cameraId: options.cameraId, location: null, connection: null, refusal: null });
    try {
      let stream = this.state.stream;
      const reuse = stream && stream.getVideoTracks()[0]?.readyState === 'live' && this.state.resolution === options.resolution && (!options.deviceId || this.state.deviceId === options.deviceId);
      if (!reuse) {
        stream = await this.getStream(options.deviceId, options.resolution);
        if (generation !== this.generation) {
          stopTracks(stream);
          return;
        }
        this.releaseStream();
        this.set({ stream, deviceId: this.deviceOf(stream) ?? options.deviceId, resolution: options.resolution, settings: settingsOf(stream) });
      }
      const published = await publish({ url: whipUrl(options.origin, options.cameraId, options.name || undefined), token: options.token, stream: stream! });
      if (generation !== this.generation) {
        await published.stop();
        return;
      }
      this.session = published;
      this.hookUnload();
      const pc = published.pc;
      pc.addEventListener('connectionstatechange', () => this.onConnectionState(published));
      this.set({ location: published.location, connection: pc.connectionState });
      this.onConnectionState(published);
      this.connectTimer = setTimeout(() => {
        if (this.session === published && pc.connectionState !== 'connected') {
          // While publishing again the server may still be starting: only a first start's ICE failure is left to a person at once.
          const why = 'The media connection to the server did not come up (ICE). The server must be reachable from this device over UDP; a VPN or a guest Wi-Fi that isolates devices blocks it.';
          void this.fail(published, why, again, 'NETWORK');
        }
      }, CONNECT_TIMEOUT_MS);
    } catch (error) {
      if (generation !== this.generation) return;
      this.session = null;
      if (this.reconnect && worthRetrying(error)) {
        this.scheduleReconnect(this.reconnect.why, this.reconnect.code);
        return;
      }
      this.reconnect = null;
      const message = error instanceof WhipError ? error.message : cameraErrorMessage(error);
      const refusal =
        error instanceof WhipError
          ? { status: error.status, code: error.code, ...(error.publisher ? { publisher: error.publisher } : {}), ...(error.droppedAfterS !== undefined ? { droppedAfterS: error.droppedAfterS } : {}) }
          : null;
      this.set({ phase: 'error', error: message, errorCode: refusal?.code ?? cameraErrorCode(error), location: null, connection: null, refusal });
    }
  }

  /** Switches the published camera or resolution in place: RTCRtpSender.replaceTrack, same session. */
  async switchCamera(deviceId: string | null, resolution: Resolution): Promise<void> {
    const session = this.session;
    const sender = session?.pc.getSenders().find((s) => s.track?.kind === 'video' || s.track === null);
    if (!session || !sender) {
      if (!this.active) await this.openCamera(deviceId, resolution);
      return;
    }
    // Some phones open only one camera at a time: the old track goes first.
    const old = this.state.stream;
    let stream: MediaStream;
    try {
      stream = await this.getStream(deviceId, resolution);
    } catch (first) {
      if (!old) throw first;
      stopTracks(old);
      try {
        stream = await this.getStream(deviceId, resolution);
      } catch (error) {
        // The old camera is closed now: the session has no picture left.
        await this.fail(session, cameraErrorMessage(error), false, cameraErrorCode(error));
        return;
      }
    }
    if (this.session !== session) {
      stopTracks(stream);
      return;
    }
    const track = stream.getVideoTracks()[0]!;
    await sender.replaceTrack(track);
    this.watchTrack(track);
    if (old && old !== stream) stopTracks(old);
    this.set({ stream, deviceId: this.deviceOf(stream) ?? deviceId, resolution, settings: settingsOf(stream), switches: this.state.switches + 1 });
  }

  /** Ends the session (DELETE), closes the connection and stops the camera. */
  async stop(): Promise<void> {
    this.generation++;
    this.serverEnd = null;
    this.clearConnectTimer();
    this.clearReconnect();
    const session = this.session;
    this.session = null;
    if (session) {
      this.set({ phase: 'stopping' });
      await session.stop();
    }
    this.releaseStream();
    this.set({ phase: 'idle', error: null, errorCode: null, location: null, stream: null, settings: null, connection: null, cameraId: null });
  }

  /**
   * What the server's status feed says of a camera (`removed`: it is gone).
   * When it is this session's camera and the server has ended the session
   * (the camera disabled, changed or removed; the publisher dropped), the
   * session ends here at once, saying so: the media connection would take
   * 15 s or more to notice, and then only as "lost".
   */
  serverStatus(cameraId: string, state: string, enabled = true): void {
    const session = this.session;
    if (cameraId !== this.state.cameraId) return;
    if (!session) {
      this.followServerEnd(state, enabled);
      return;
    }
    if (state === 'waiting' || state === 'live' || state === 'stalled') {
      this.serverSaw = true;
      return;
    }
    // A camera cannot be published to while stopped, so a stopped one ended this session.
    if (state === 'stopped' && !enabled) {
      void this.endedByServer(session, 'disabled');
    } else if (state === 'stopped') {
      // Removed (camera:removed follows at once), changed (it restarts), or the server is stopping: a moment tells which.
      setTimeout(() => {
        if (this.session === session) void this.fail(session, 'The server ended this session: the camera was changed on the server, or the server is stopping.', true, 'SOURCE_ENDED');
      }, STOPPED_GRACE_MS);
    } else if (state === 'removed') {
      void this.endedByServer(session, 'removed');
    } else if (state === 'gone' && this.serverSaw) {
      // 'gone' before our session showed is the previous publisher's.
      void this.fail(session, 'The server ended this session: it dropped this publisher (no picture reached it, or the connection was lost).', true, 'SOURCE_ENDED');
    }
  }

  /** The full camera list (after a (re)connect): this session's camera missing from it was removed. */
  serverCameras(cameraIds: readonly string[]): void {
    if (this.session && this.state.cameraId && this.serverSaw && !cameraIds.includes(this.state.cameraId)) this.serverStatus(this.state.cameraId, 'removed');
    else if (!this.session && this.serverEnd && this.state.cameraId && !cameraIds.includes(this.state.cameraId)) this.serverStatus(this.state.cameraId, 'removed');
  }

  /** Ends the session for a change on the server, remembered so that the words follow the camera after it. */
  private endedByServer(published: Published, end: ServerEnd): Promise<void> {
    if (this.session !== published) return Promise.resolve();
    const { error, code } = serverEndWords(end);
    // fail() shows the error before it waits for the DELETE: a removal arriving meanwhile is followed too.
    const ended = this.fail(published, error, false, code);
    this.serverEnd = end;
    return ended;
  }

  /** After the server ended the session: the error follows the camera (removed since, enabled again). */
  private followServerEnd(state: string, enabled: boolean): void {
    if (this.state.phase !== 'error' || this.serverEnd === null) return;
    // Statuses on the way (stopped, then starting, waiting) say nothing new of a camera enabled or not.
    const end = followServerEnd(this.serverEnd, state, enabled);
    if (end === this.serverEnd) return;
    this.serverEnd = end;
    const { error, code } = serverEndWords(end);
    this.set({ error, errorCode: code });
  }

  /**
   * Ends a session that went wrong. `reconnect`: it was lost, not ended on
   * purpose (the connection, the server restarting): the camera stays open and
   * the page publishes again by itself for RECONNECT_FOR_MS, then says so.
   * `code`: the error's code, shown with it.
   */
  private async fail(published: Published, message: string, reconnect: boolean, code: string): Promise<void> {
    if (this.session !== published) return;
    this.generation++;
    this.clearConnectTimer();
    this.session = null;
    if (reconnect && this.options && this.state.stream) {
      this.scheduleReconnect(this.reconnect?.why ?? message, this.reconnect?.code ?? code);
      await published.stop();
      return;
    }
    this.reconnect = null;
    this.set({ phase: 'error', error: reconnect ? `${message} Press Start to publish again.` : message, errorCode: code, location: null, connection: null });
    await published.stop();
    this.releaseStream();
    this.set({ stream: null, settings: null });
  }

  /** The next attempt to publish a lost session again, or giving up once RECONNECT_FOR_MS have passed. */
  private scheduleReconnect(why: string, code: string): void {
    const now = Date.now();
    const reconnect = (this.reconnect ??= { since: now, attempts: 0, why, code });
    const options = this.options;
    if (!options || now - reconnect.since >= RECONNECT_FOR_MS) {
      this.reconnect = null;
      this.releaseStream();
      const waited = Math.round((now - reconnect.since) / 1000);
      this.set({
        phase: 'error',
        error: `${reconnect.why} Publishing again by itself gave up after ${waited} s. Press Start to publish again.`,
        errorCode: reconnect.code,
        location: null,
        connection: null,
        stream: null,
        settings: null,
      });
      return;
    }
    const delay = Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** reconnect.attempts, RECONNECT_MAX_DELAY_MS);
    reconnect.attempts++;
    const generation = ++this.generation;
    this.set({
      phase: 'reconnecting',
      error: `${reconnect.why} Publishing again by itself (attempt ${reconnect.attempts}; for up to ${RECONNECT_FOR_MS / 60_000} min)…`,
      location: null,
      connection: null,
    });
    this.clearReconnect(false);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (generation === this.generation && this.options) void this.runAttempt(this.options);
    }, delay);
  }

  private clearReconnect(forget = true): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (forget) this.reconnect = null;
  }

  private onConnectionState(published: Published): void {
    if (this.session !== published) return;
    const state = published.pc.connectionState;
    if (state === 'connected') {
      this.clearConnectTimer();
      this.reconnect = null;
      this.set({ phase: 'publishing', connection: state, error: null });
    } else if (state === 'disconnected') {
      this.set({ connection: state, error: 'The connection to the server is interrupted: no picture reaches it now. Waiting for it to come back…' });
    } else if (state === 'failed' || state === 'closed') {
      void this.fail(published, 'The connection to the server was lost.', true, 'NETWORK');
    } else {
      this.set({ connection: state });
    }
  }

  private async getStream(deviceId: string | null, resolution: Resolution): Promise<MediaStream> {
    if (!isSecureContextForCamera()) throw new WhipError(0, 'INSECURE', cameraUnavailableReason() ?? 'the camera is not available on this page');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(videoConstraints(deviceId, resolution));
    } catch (error) {
      // A camera remembered from last time may be gone (ids also change when site data is cleared): take the default.
      const name = (error as { name?: string } | null)?.name;
      if (!deviceId || (name !== 'OverconstrainedError' && name !== 'NotFoundError')) throw error;
      stream = await navigator.mediaDevices.getUserMedia(videoConstraints(null, resolution));
    }
    const track = stream.getVideoTracks()[0];
    if (track) this.watchTrack(track);
    return stream;
  }

  private watchTrack(track: MediaStreamTrack): void {
    track.addEventListener('ended', () => {
      // Our own stop ends tracks too: only a track still in use counts.
      if (!this.state.stream?.getTracks().includes(track)) return;
      const session = this.session;
      if (session) void this.fail(session, 'The camera stopped (unplugged, or taken by another app, or the permission was withdrawn).', false, 'CAMERA_ENDED');
      else this.set({ stream: null, settings: null });
    });
  }

  private deviceOf(stream: MediaStream): string | null {
    return stream.getVideoTracks()[0]?.getSettings().deviceId ?? null;
  }

  private releaseStream(): void {
    if (this.state.stream) stopTracks(this.state.stream);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  /** Closing or leaving the page ends the session on the server at once (keepalive DELETE). */
  private hookUnload(): void {
    if (this.unloadHooked || typeof window === 'undefined') return;
    this.unloadHooked = true;
    window.addEventListener('pagehide', (event) => {
      if (event.persisted || !this.session) return;
      const { location } = this.session;
      this.session.pc.close();
      this.session = null;
      try {
        void fetch(location, { method: 'DELETE', headers: authHeaders(this.token), keepalive: true });
      } catch {
        // the page is going away either way
      }
    });
  }

  private set(patch: Partial<PublishSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }
}

/** A camera (getUserMedia) failure's code: the browser's name for it (NotAllowedError, ...), else CAMERA_FAILED. */
export function cameraErrorCode(error: unknown): string {
  if (error instanceof WhipError) return error.code;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Z][A-Za-z]*Error$/.test(name) && name !== 'Error' && name !== 'TypeError' ? name : 'CAMERA_FAILED';
}

/** Resolves when `promise` settles or after `ms`, whichever is first. */
function settledWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

function settingsOf(stream: MediaStream): PublishSnapshot['settings'] {
  const track = stream.getVideoTracks()[0];
  if (!track) return null;
  const s = track.getSettings();
  return { width: s.width ?? 0, height: s.height ?? 0, frameRate: s.frameRate ?? null, label: track.label };
}

/** The page's one publishing session: survives switching views. */
export const publishSession = new PublishSession();
