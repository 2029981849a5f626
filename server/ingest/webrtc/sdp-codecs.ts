/**
 * What a WHIP offer's SDP says of its video, and whether this server can
 * take it: the codecs it offers (and, in the answer, accepts) that carry a
 * picture, against those this build of @roamhq/wrtc decodes. An offer this
 * server cannot decode is refused before a peer connection is made for it.
 */
import wrtc from '@roamhq/wrtc';
import { ShotscaleError } from '../../errors.js';

/** Codecs that carry no picture of their own (retransmission, redundancy, FEC). */
const NOT_A_PICTURE = new Set(['RTX', 'RED', 'ULPFEC', 'FLEXFEC-03', 'FLEXFEC']);

let decodable: string[] | null = null;

/**
 * The video codecs this build of @roamhq/wrtc decodes (VP8, VP9 and AV1 for
 * 0.10: it has no H.264 decoder), as SDP names them, upper case.
 */
export function supportedVideoCodecs(): string[] {
  if (decodable) return decodable;
  let names: string[] = [];
  try {
    names = (wrtc.RTCRtpReceiver.getCapabilities('video')?.codecs ?? []).map((codec) => codec.mimeType.replace(/^video\//i, '').toUpperCase());
  } catch {
    // an older binding without getCapabilities: what 0.10 decodes
  }
  names = [...new Set(names.filter((name) => !NOT_A_PICTURE.has(name)))];
  decodable = names.length ? names : ['VP8', 'VP9', 'AV1'];
  return decodable;
}

/** One media section of an SDP: its kind, its port and its own lines (after the m= line). */
interface SdpSection {
  kind: string;
  port: number;
  lines: string[];
}

/** An SDP split into its session-level lines and its media sections. */
function sdpSections(sdp: string): { session: string[]; media: SdpSection[] } {
  const session: string[] = [];
  const media: SdpSection[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\S+) (\d+)/.exec(line);
    if (m) media.push({ kind: m[1]!, port: Number(m[2]), lines: [] });
    else if (line.startsWith('m=')) media.push({ kind: line.slice(2).split(' ')[0] ?? '', port: 0, lines: [] });
    else (media.at(-1)?.lines ?? session).push(line);
  }
  return { session, media };
}

/**
 * Whether a video section carries video. Port 0 turns a section off, except
 * in an offer where it is bundle-only (RFC 9143: it shares the first
 * section's port); in an answer (`accepted`) port 0 is always a rejection.
 */
function videoOn(section: SdpSection, accepted: boolean): boolean {
  if (section.kind !== 'video') return false;
  return section.port !== 0 || (!accepted && section.lines.includes('a=bundle-only'));
}

/**
 * The picture codecs of an SDP's video sections, upper case, in order.
 * Sections turned off (port 0; in an offer, one not bundle-only) count for
 * nothing.
 */
export function sdpVideoCodecs(sdp: string, accepted = false): string[] {
  const names: string[] = [];
  for (const section of sdpSections(sdp).media) {
    if (!videoOn(section, accepted)) continue;
    for (const line of section.lines) {
      const rtpmap = /^a=rtpmap:\d+ ([^/\s]+)/.exec(line);
      const name = rtpmap?.[1]?.toUpperCase();
      if (name && !NOT_A_PICTURE.has(name) && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/**
 * Refuses an offer that cannot bring a picture, from its text alone: no SDP,
 * no video section (audio only), its video turned off (m=video 0), no DTLS
 * fingerprint or ICE credentials (400 BAD_REQUEST), or none of its video
 * codecs decoded here (400 WHIP_CODEC). Returns the video codecs it offers.
 * Checked before a camera is made for it, so a refused offer does not flash
 * a tile onto the wall (a review found each of these made a camera and
 * removed it again; m=video 0 was refused only after 3 s, as WHIP_CODEC
 * naming codecs this server decodes).
 */
export function checkOffer(offer: string): string[] {
  const refuse = (why: string) => new ShotscaleError('BAD_REQUEST', `the offer ${why}`);
  if (!/^v=0\s*$/m.test(offer.split(/\r?\n/, 1)[0] ?? '')) throw refuse('is not an SDP offer: an SDP begins with the line v=0');
  const { session, media } = sdpSections(offer);
  const video = media.filter((section) => section.kind === 'video');
  if (video.length === 0) throw refuse(`has no video (m=video) section${media.length ? `: it offers ${[...new Set(media.map((section) => section.kind))].join(' and ')} only` : ''}; publish a video track`);
  const on = video.filter((section) => videoOn(section, false));
  if (on.length === 0) throw refuse('has its video turned off (m=video 0: a video section with port 0, not bundle-only): there is no picture to publish; send an active video track');
  // With BUNDLE these may sit in any section, or at the session level, for all of them.
  const everywhere = [...session, ...media.flatMap((section) => section.lines)];
  const has = (attribute: string) => everywhere.some((line) => line.startsWith(`a=${attribute}:`) && line.length > attribute.length + 3);
  if (!has('fingerprint')) throw refuse('has no DTLS fingerprint (a=fingerprint): WebRTC cannot secure the media without one');
  const missing = ['ice-ufrag', 'ice-pwd'].filter((attribute) => !has(attribute));
  if (missing.length) throw refuse(`has no ICE credentials (${missing.map((attribute) => `a=${attribute}`).join(', ')}): the connection cannot be checked without them`);
  const offered = sdpVideoCodecs(offer);
  const supported = supportedVideoCodecs();
  if (!offered.some((name) => supported.includes(name))) throw codecRefusal(offered);
  return offered;
}

/** The refusal of an offer whose video this server cannot decode: what it offered, what would do. */
export function codecRefusal(offered: string[]): ShotscaleError {
  const supported = supportedVideoCodecs();
  const what = offered.length ? `its video is ${offered.join(', ')}${offered.length === 1 ? ' only' : ''}` : 'it names no video codec';
  const obs = offered.includes('H264') ? '; OBS: set its WHIP encoder to AV1 (OBS 30.2 or newer offers it); H.264 is not decoded by this build' : '';
  return new ShotscaleError('WHIP_CODEC', `the offer has no video codec this server decodes: ${what}; it decodes ${supported.join(', ')}${obs}`);
}
