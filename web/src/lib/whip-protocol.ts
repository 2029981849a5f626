/**
 * A small WHIP (RFC 9725) client for the browser: a sendonly video
 * transceiver, an offer sent once ICE gathering is complete (the server takes
 * no trickle ICE), the answer applied, `Location` kept for the DELETE that
 * ends the session. The server's `{ error: { code, message } }` becomes a
 * WhipError whose message can be shown as it is.
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

/** The Authorization header a token is sent in (none without one). */
export function authHeaders(token: string | null): Record<string, string> {
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

/** The WHIP endpoint for a camera on the server at `origin` (name: the display name, optional). */
export function whipUrl(origin: string, cameraId: string, name?: string): string {
  const url = new URL(`/whip/${encodeURIComponent(cameraId)}`, origin);
  if (name) url.searchParams.set('name', name);
  return url.href;
}
