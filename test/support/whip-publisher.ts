/**
 * A WHIP publisher (RFC 9725) for tests and benches: a real WebRTC peer
 * (@roamhq/wrtc, libwebrtc's VP8 encoder) sending synthetic I420 frames to
 * `POST /whip/:cameraId` over loopback, non-trickle (the offer carries every
 * ICE candidate). Patterns: 'moving' scrolls a textured colour picture so every
 * frame differs; 'cuts' does the same but switches between three very
 * different pictures every 2 s, so a cut detector sees hard cuts.
 *
 * Nothing it makes keeps the process alive after stop() or drop(): the frame
 * timer is cleared, the track stopped and the peer connection closed.
 */
import wrtc from '@roamhq/wrtc';

const { RTCPeerConnection, nonstandard } = wrtc;

type PeerConnection = InstanceType<typeof RTCPeerConnection>;

export type WhipPattern = 'moving' | 'cuts';

export interface WhipPublisherOptions {
  /** Sent as `Authorization: Bearer TOKEN` on the POST and the DELETE. */
  token?: string;
  width?: number;
  height?: number;
  fps?: number;
  pattern?: WhipPattern;
}

export interface WhipPublisher {
  /** The session URL from the Location header, absolute. */
  location: string;
  pc: PeerConnection;
  /** Frames handed to the encoder so far. */
  readonly framesSent: number;
  /** Changes the resolution mid-stream (the next frame has the new size). */
  setSize(width: number, height: number): void;
  /** Stops the frames, ends the session with DELETE, closes the peer connection and track. */
  stop(): Promise<void>;
  /** Closes the peer connection WITHOUT a DELETE: a publisher that vanishes. */
  drop(): void;
}

/** How long ICE gathering may take; host candidates on loopback take milliseconds. */
const ICE_GATHERING_TIMEOUT_MS = 5000;
/** The 'cuts' pattern's shot length: two seconds, well above any cut detector's minimum shot. */
const CUT_EVERY_MS = 2000;
/** Horizontal scroll per frame, in pixels of a 1280-wide picture (scaled with the width). */
const SCROLL_PX_PER_FRAME_AT_1280 = 6;

/**
 * One picture of a pattern as I420 planes, twice as wide as the frame and
 * periodic in x with the frame's width, so a frame is a window copied out of
 * it at any scroll offset (row copies; no per-pixel work per frame).
 */
interface Texture {
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

type Shade = (fx: number, fy: number) => [number, number, number];

const TAU = Math.PI * 2;

/** Pictures as functions of (fx, fy) in [0,1): x is an angle, so each one wraps around seamlessly. */
const PICTURES: Shade[] = [
  // Mid-grey colour texture: stripes, a fine checker and drifting hues.
  (fx, fy) => {
    const checker = ((Math.floor(fx * 80) + Math.floor(fy * 45)) & 1) * 24 - 12;
    const y = 120 + 45 * Math.sin(TAU * 3 * fx) * Math.cos(TAU * 2 * fy) + checker;
    return [y, 128 + 60 * Math.sin(TAU * fx), 128 + 60 * Math.cos(TAU * (fx + fy))];
  },
  // Night: dark, with one big bright disc and a blue cast.
  (fx, fy) => {
    const dx = Math.min(Math.abs(fx - 0.3), 1 - Math.abs(fx - 0.3)) * 16;
    const dy = (fy - 0.5) * 9;
    const inDisc = dx * dx + dy * dy < 9;
    return inDisc ? [225, 120, 130] : [28 + 10 * Math.sin(TAU * 5 * fx), 150, 118];
  },
  // Daylight: bright top to dark bottom, wide horizontal bands, warm colours.
  (fx, fy) => {
    const band = Math.floor(fy * 6) & 1 ? 30 : 0;
    return [210 - 150 * fy + band + 8 * Math.sin(TAU * 7 * fx), 100, 170];
  },
];

const clamp = (n: number) => (n < 0 ? 0 : n > 255 ? 255 : n);

function makeTexture(width: number, height: number, shade: Shade): Texture {
  const tw = width * 2;
  const cw = (width + 1) >> 1;
  const ctw = cw * 2;
  const ch = (height + 1) >> 1;
  const y = new Uint8Array(tw * height);
  const u = new Uint8Array(ctw * ch);
  const v = new Uint8Array(ctw * ch);
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < tw; x++) y[row * tw + x] = clamp(shade((x % width) / width, row / height)[0]);
  }
  for (let row = 0; row < ch; row++) {
    for (let x = 0; x < ctw; x++) {
      const [, cu, cv] = shade(((x * 2) % width) / width, (row * 2) / height);
      u[row * ctw + x] = clamp(cu);
      v[row * ctw + x] = clamp(cv);
    }
  }
  return { width, height, y, u, v };
}

/** Copies the frame-sized window at `offset` (luma pixels) out of a texture into an I420 buffer. */
function blit(t: Texture, offset: number, out: Uint8ClampedArray): void {
  const { width: w, height: h } = t;
  const cw = (w + 1) >> 1;
  const ch = (h + 1) >> 1;
  const x0 = offset % w;
  const cx0 = Math.min(x0 >> 1, cw);
  for (let row = 0; row < h; row++) out.set(t.y.subarray(row * w * 2 + x0, row * w * 2 + x0 + w), row * w);
  const uBase = w * h;
  const vBase = uBase + cw * ch;
  for (let row = 0; row < ch; row++) {
    out.set(t.u.subarray(row * cw * 2 + cx0, row * cw * 2 + cx0 + cw), uBase + row * cw);
    out.set(t.v.subarray(row * cw * 2 + cx0, row * cw * 2 + cx0 + cw), vBase + row * cw);
  }
}

/** Synthetic frames of one pattern at one size; frame(n, elapsedMs) fills and returns the buffer. */
export class PatternFrames {
  readonly data: Uint8ClampedArray;
  private readonly textures: Texture[];

  constructor(
    readonly width: number,
    readonly height: number,
    readonly pattern: WhipPattern,
  ) {
    if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 2 && height >= 2)) throw new RangeError(`bad frame size ${width}x${height}`);
    const chroma = ((width + 1) >> 1) * ((height + 1) >> 1);
    this.data = new Uint8ClampedArray(width * height + 2 * chroma);
    this.textures = (pattern === 'cuts' ? PICTURES : PICTURES.slice(0, 1)).map((shade) => makeTexture(width, height, shade));
  }

  /** Frame `n`, `elapsedMs` into the stream: the picture of the moment, scrolled by n steps. */
  frame(n: number, elapsedMs: number): { width: number; height: number; data: Uint8ClampedArray } {
    const picture = this.textures[Math.floor(elapsedMs / CUT_EVERY_MS) % this.textures.length]!;
    const step = Math.max(1, Math.round((SCROLL_PX_PER_FRAME_AT_1280 * this.width) / 1280));
    blit(picture, n * step, this.data);
    return { width: this.width, height: this.height, data: this.data };
  }
}

async function iceGatheringComplete(pc: PeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ICE gathering did not complete within ${ICE_GATHERING_TIMEOUT_MS} ms`)), ICE_GATHERING_TIMEOUT_MS);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    };
  });
}

/** A sendonly video peer whose frames its test sends itself (none unless told), with its offer made and ICE gathered. */
export interface OfferingPeer {
  pc: PeerConnection;
  source: InstanceType<typeof nonstandard.RTCVideoSource>;
  /** The offer's SDP, every ICE candidate in it (non-trickle). */
  offer: string;
  /** Stops the track and closes the peer connection (no DELETE). */
  close(): void;
}

/** A peer for tests that drive a WHIP session by hand: one that connects and sends nothing, or frames of its own. */
export async function offeringPeer(): Promise<OfferingPeer> {
  const source = new nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const pc: PeerConnection = new RTCPeerConnection({ iceServers: [] });
  const close = () => {
    pc.onicegatheringstatechange = null;
    track.stop();
    pc.close();
  };
  try {
    pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await iceGatheringComplete(pc);
    const offer = pc.localDescription?.sdp;
    if (!offer) throw new Error('no local description after ICE gathering');
    return { pc, source, offer, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * Publishes synthetic video to a WHIP endpoint (`http://host:port/whip/cam-id`).
 * Rejects with an Error whose message has the HTTP status and the response
 * body when the server does not answer 201 (tests match 401 and 409 on it).
 */
export async function publishWhip(url: string, options: WhipPublisherOptions = {}): Promise<WhipPublisher> {
  const fps = options.fps ?? 30;
  if (!(fps > 0 && fps <= 120)) throw new RangeError(`fps must be in (0, 120], got ${fps}`);
  const pattern = options.pattern ?? 'moving';
  let frames = new PatternFrames(options.width ?? 640, options.height ?? 360, pattern);
  const source = new nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const pc: PeerConnection = new RTCPeerConnection({ iceServers: [] });
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  let timer: NodeJS.Timeout | null = null;
  let framesSent = 0;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    if (timer) clearInterval(timer);
    timer = null;
    pc.onicegatheringstatechange = null;
    track.stop();
    pc.close();
  };

  let location: string;
  try {
    pc.addTransceiver(track, { direction: 'sendonly' });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await iceGatheringComplete(pc);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local description after ICE gathering');
    const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/sdp' }, body: sdp });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`WHIP POST ${url} answered ${response.status} ${response.statusText}: ${body}`);
    const header = response.headers.get('location');
    if (!header) throw new Error(`WHIP POST ${url} answered 201 without a Location header`);
    // After a redirect (a cluster node sends the publisher to the node running its camera), relative to where it was answered.
    location = new URL(header, response.url || url).href;
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
  } catch (error) {
    close();
    throw error;
  }

  const started = performance.now();
  let n = 0;
  const push = () => {
    // The typings say Uint8Array; the binding takes any byte view, and the
    // sink on the other side delivers Uint8ClampedArray, so send that.
    source.onFrame(frames.frame(n++, performance.now() - started) as unknown as { width: number; height: number; data: Uint8Array });
    framesSent += 1;
  };
  push();
  timer = setInterval(push, 1000 / fps);

  return {
    location,
    pc,
    get framesSent() {
      return framesSent;
    },
    setSize(width: number, height: number) {
      frames = new PatternFrames(width, height, pattern);
    },
    async stop() {
      if (closed) return;
      if (timer) clearInterval(timer);
      timer = null;
      try {
        const response = await fetch(location, { method: 'DELETE', headers });
        await response.body?.cancel();
      } finally {
        close();
      }
    },
    drop() {
      close();
    },
  };
}
