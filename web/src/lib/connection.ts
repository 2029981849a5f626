/**
 * Wires a Socket.IO connection to a LiveState: server events in, connection
 * state and the token flow (`unauthorized` → prompt → reconnect) out.
 */
import { io, type Socket } from 'socket.io-client';
import { CONNECT_REFUSAL, type ClientToServerEvents, type ServerToClientEvents, type TakeAck, type TakeStartRequest } from '../../../server/shared/socket-events.js';
import type { LiveState } from './live-state.svelte.js';
import { keepPendingToken, loadToken, saveToken } from './token.js';
import { blockedUntil, tokenRefusalText, type RefusalData } from './refusal.js';
import { publishSession } from './publish-session.js';

export type ShotscaleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;


/** Retry delay after a non-token refusal by the server, ms. */
const RETRY_MS = 3000;
/** A block whose refusal gives no wait (a server older than its "try again in N s") is tried again after this, ms. */
const BLOCK_RETRY_MS = 10_000;
/** How long a token tried beside the running connection may go unanswered, ms. */
const TRIAL_TIMEOUT_MS = 10_000;

/** What the server made of a token tried beside the running connection (Change token). */
export type TokenTrial =
  | { ok: true }
  | {
      ok: false;
      /** The connect_error message (CONNECT_REFUSAL), or 'timeout'. */
      kind: string;
      data?: RefusalData;
      /** Blocked: when the block ends (epoch ms), so the wait can count down. */
      until: number | null;
      /** The refusal as the prompt says it, code first. */
      message: string;
    };

export interface LiveConnection {
  readonly socket: ShotscaleSocket;
  /** Sets the token and reconnects with it; it is stored once the server lets it in. */
  setToken(token: string | null): void;
  /**
   * Asks the server about a token on a connection of its own, leaving this
   * one as it is: a page that works swaps its token only for one let in.
   */
  tryToken(token: string): Promise<TokenTrial>;
  /** Narrows readouts to these cameras; null means all. */
  subscribe(cameraIds: string[] | null): void;
  /** Previews of these cameras (null: all, []: none); kept across reconnects. */
  previews(cameraIds: string[] | null): void;
  /** Slate a take / end the running take(s); resolves with the server's answer. */
  startTake(request: TakeStartRequest): Promise<TakeAck>;
  endTake(cameras?: string[] | null): Promise<TakeAck>;
  /** The token in use (for HTTP calls and download links). */
  token(): string | null;
  close(): void;
}

export interface ConnectOptions {
  /** Server URL; default: the page's origin. */
  url?: string;
  token?: string | null;
  /** How often LiveState.now ticks, ms. */
  tickMs?: number;
}

export function connectLive(state: LiveState, options: ConnectOptions = {}): LiveConnection {
  let token = options.token ?? null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  /** Counts down a block for wrong tokens, then tries the token again. */
  let blockTimer: ReturnType<typeof setInterval> | undefined;
  /**
   * The token the server last let in: refused later, it has been changed or removed there, not mistyped. The one
   * this browser keeps was let in by definition (it is stored only then): after a reload it read "check it for a typo".
   */
  let accepted: string | null | undefined = loadToken() ?? undefined;
  const socketOptions = {
    auth: (cb: (data: object) => void) => cb(token ? { token } : {}),
    transports: ['websocket', 'polling'],
  };
  const socket: ShotscaleSocket = options.url ? io(options.url, socketOptions) : io(socketOptions);
  const stopBlockWait = () => clearInterval(blockTimer);

  let previewCameras: string[] | null = [];
  socket.on('connect', () => {
    stopBlockWait();
    accepted = token;
    // Kept for the next load only now that the server has let it in: a mistyped one (typed or in `?token=`) was kept
    // before it was tried, and offered again, refused, on every load after.
    if (token) saveToken(token);
    keepPendingToken(null);
    state.found();
    state.connection = 'connected';
    state.connectionError = null;
    if (previewCameras === null || previewCameras.length) socket.emit('preview:subscribe', previewCameras);
  });
  socket.onAny(() => state.heard());
  socket.on('disconnect', (reason) => {
    state.lost();
    state.connection = 'reconnecting';
    state.connectionError = reason;
    // The server hung up on us: Socket.IO will not retry by itself.
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('connect_error', (err) => {
    if (err.message === CONNECT_REFUSAL.publishOnly) {
      // A publish token (a phone given one link): right, but it opens WHIP alone. Not a wrong token, so no
      // prompt, and nothing a retry would change: the page offers the Publish view only.
      state.connection = 'publishOnly';
      if (token) saveToken(token); // a right token, that opens the Publish view: kept as one let in
      keepPendingToken(null);
      state.connectionError = 'This token may only publish a camera; the wall, shots and the other views need a viewer token.';
      state.view = 'publish';
    } else if (err.message === CONNECT_REFUSAL.foreignPage) {
      state.connection = 'refused';
      state.connectionError = (err as Error & { data?: { message?: string } }).data?.message ?? 'The server refuses this page.';
    } else if (err.message === CONNECT_REFUSAL.blocked) {
      // An address blocked for wrong tokens is not a lost server (it read "Lost the server, reconnecting"): the prompt
      // says so, with the wait counting down. It says nothing of this token: the right one from a crew link was
      // thrown away here, and the page never tried again. Kept for this tab, and tried again when the block ends.
      const data = (err as Error & { data?: RefusalData }).data;
      const until = blockedUntil(data, Date.now()) ?? Date.now() + BLOCK_RETRY_MS;
      const tried = token;
      if (tried && tried !== accepted) keepPendingToken(tried);
      const say = () => {
        state.connectionError = tokenRefusalText(err.message, data, { hasToken: tried !== null, acceptedBefore: tried !== null && tried === accepted, waitS: (until - Date.now()) / 1000, retries: true });
      };
      state.connection = 'unauthorized';
      say();
      stopBlockWait();
      blockTimer = setInterval(() => {
        if (Date.now() < until) return say();
        stopBlockWait();
        socket.connect();
      }, 1000);
    } else if (err.message === CONNECT_REFUSAL.unauthorized) {
      // Middleware refusal: no automatic retry; wait for a token.
      const data = (err as Error & { data?: RefusalData }).data;
      stopBlockWait();
      keepPendingToken(null);
      state.connection = 'unauthorized';
      state.connectionError = tokenRefusalText(err.message, data, { hasToken: token !== null, acceptedBefore: token !== null && token === accepted });
    } else {
      state.lost();
      state.connection = state.connection === 'unauthorized' ? 'unauthorized' : 'reconnecting';
      state.connectionError = err.message;
      // Low-level errors are retried by Socket.IO; a refusal by the server's
      // middleware is not, so retry that ourselves, gently.
      if (!socket.active) retry = setTimeout(() => socket.connect(), RETRY_MS);
    }
  });

  socket.on('hello', (info, cameras) => {
    state.hello(info, cameras);
    state.plansChanged();
    publishSession.serverCameras(cameras.map((c) => c.cameraId));
  });
  socket.on('readout', (readout) => {
    // A benchmark's probe (bench/dashboard-bench.ts) times each readout to the DOM.
    (globalThis as { __shotscaleReadoutProbe?: (cameraId: string) => void }).__shotscaleReadoutProbe?.(readout.cameraId);
    state.readout(readout);
  });
  // The page's own WHIP session hears from the feed when the server ends it (camera disabled or removed).
  socket.on('camera:status', (status) => {
    state.status(status);
    publishSession.serverStatus(status.cameraId, status.state, status.enabled);
  });
  socket.on('camera:removed', ({ cameraId }) => {
    state.removed(cameraId);
    publishSession.serverStatus(cameraId, 'removed');
  });
  socket.on('preview', (preview) => state.previewed(preview));
  socket.on('shot', (shot) => state.shot(shot));
  socket.on('takes', (running) => state.setTakes(running));
  socket.on('take:mark', (change) => state.takeMarked(change));
  socket.on('coverage', (update) => state.setCoverage(update));
  socket.on('alert', (alert) => state.alert(alert));
  socket.on('plan:changed', () => state.plansChanged());
  socket.on('stats', (stats) => state.setStats(stats));

  /** A take command's answer; a lost connection answers as an error after 5 s. */
  const ask = (send: (ack: (result: TakeAck) => void) => void) =>
    new Promise<TakeAck>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, error: { code: 'TIMEOUT', message: 'the server did not answer (disconnected?)' } }), 5000);
      send((result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });

  const tick = setInterval(() => (state.now = Date.now()), options.tickMs ?? 1000);

  return {
    socket,
    setToken(next) {
      clearTimeout(retry);
      stopBlockWait();
      token = next || null;
      state.connection = 'connecting';
      state.connectionError = null;
      socket.disconnect().connect();
    },
    subscribe(cameraIds) {
      socket.emit('subscribe', cameraIds);
    },
    previews(cameraIds) {
      previewCameras = cameraIds;
      socket.emit('preview:subscribe', cameraIds);
    },
    startTake: (request) => ask((ack) => socket.emit('take:start', request, ack)),
    endTake: (cameras = null) => ask((ack) => socket.emit('take:end', { cameras }, ack)),
    tryToken(candidate) {
      return new Promise<TokenTrial>((resolve) => {
        // A connection of its own (forceNew: not multiplexed on the page's), asked once: no retries.
        const trialOptions = { auth: { token: candidate }, transports: ['websocket', 'polling'], forceNew: true, reconnection: false };
        const trial: ShotscaleSocket = options.url ? io(options.url, trialOptions) : io(trialOptions);
        const done = (result: TokenTrial) => {
          clearTimeout(timer);
          trial.close();
          resolve(result);
        };
        const timer = setTimeout(
          () => done({ ok: false, kind: 'timeout', until: null, message: `TIMEOUT: the server did not answer about this token in ${TRIAL_TIMEOUT_MS / 1000} s; the page keeps the token it has.` }),
          TRIAL_TIMEOUT_MS,
        );
        trial.on('connect', () => done({ ok: true }));
        trial.on('connect_error', (err) => {
          // A publish token is a right one: the page switches to it, and to the Publish view.
          if (err.message === CONNECT_REFUSAL.publishOnly) return done({ ok: true });
          const data = (err as Error & { data?: RefusalData }).data;
          const text =
            tokenRefusalText(err.message, data, { hasToken: true, acceptedBefore: candidate === accepted }) ??
            (data?.message ? `${data.code ?? 'FORBIDDEN'}: ${data.message}.` : `NETWORK: the server could not be reached to try this token (${err.message}).`);
          done({ ok: false, kind: err.message, ...(data ? { data } : {}), until: err.message === CONNECT_REFUSAL.blocked ? blockedUntil(data, Date.now()) : null, message: text });
        });
      });
    },
    token: () => token,
    close() {
      clearInterval(tick);
      clearTimeout(retry);
      stopBlockWait();
      socket.close();
    },
  };
}
