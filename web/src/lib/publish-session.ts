/**
 * "Use this device as a camera": the one publishing session of the page.
 *
 * `publishSession` is a module-level singleton: the dashboard renders only the
 * active view, so the session lives here, not in the view, and switching tabs
 * does not end it. The view mirrors its snapshots into runes.
 */
import { cameraErrorCode, cameraErrorMessage, cameraUnavailableReason, DEFAULT_RESOLUTION, isSecureContextForCamera, stopTracks, videoConstraints, type Resolution } from './camera-device.js';
import { followServerEnd, serverEndWords, worthRetrying, type PublishSnapshot, type ServerEnd } from './publish-states.js';
import { authHeaders, publish, WhipError, whipUrl, type Published } from './whip-protocol.js';

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

/** Resolves when `promise` settles or after `ms`, whichever is first. */
function settledWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

function settingsOf(stream: MediaStream): PublishSnapshot['settings'] {
  const track = stream.getVideoTracks()[0];
  if (!track) return null;
  const s = track.getSettings();
  return { width: s.width ?? 0, height: s.height ?? 0, frameRate: s.frameRate ?? null, label: track.label };
}

/** The page's one publishing session: survives switching views. */
export const publishSession = new PublishSession();
