/**
 * Why a camera's ffmpeg ended, in the words an operator needs: what is wrong
 * and where. ffmpeg's own last line is often the least helpful one (an
 * audio-only source ends with "At least one output file must be specified"
 * or a filter graph dump; a bad password with a URL), so the kept stderr lines
 * are matched against the failures cameras really have, most specific first.
 * The lines are scrubbed already; `where` is the scrubbed source.
 */
import type { SourceConfig } from '../config/schema.js';
import type { ErrorCode } from '../errors.js';

export type FfmpegFailureKind =
  | 'no-video'
  | 'silent-server'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'connection-refused'
  | 'timed-out'
  | 'no-such-file'
  | 'permission-denied'
  | 'unreadable'
  | 'unsupported-protocol'
  | 'no-frames'
  | 'ended';

export interface FfmpegFailure {
  kind: FfmpegFailureKind;
  /** The stable code of the kind (FAILURE_CODES): what a camera status carries as errorCode. */
  code: ErrorCode;
  /** The reason in words, naming the source. */
  reason: string;
  /** Retrying cannot help (this ffmpeg lacks what the source needs): the camera is failed, not restarted. */
  permanent?: boolean;
}

/**
 * The code each kind is reported under. Coarser than the kinds: a script
 * acting on a camera's errorCode needs "cannot reach it", "refused",
 * "not there", "no picture in it", not which of ffmpeg's wordings it was.
 */
export const FAILURE_CODES: Record<FfmpegFailureKind, ErrorCode> = {
  'no-video': 'SOURCE_NOT_VIDEO',
  'silent-server': 'SOURCE_STALLED',
  unauthorized: 'SOURCE_AUTH',
  forbidden: 'SOURCE_AUTH',
  'not-found': 'SOURCE_NOT_FOUND',
  'connection-refused': 'SOURCE_UNREACHABLE',
  'timed-out': 'SOURCE_UNREACHABLE',
  'no-such-file': 'SOURCE_NOT_FOUND',
  'permission-denied': 'SOURCE_AUTH',
  unreadable: 'SOURCE_NOT_VIDEO',
  'unsupported-protocol': 'SOURCE_UNSUPPORTED',
  'no-frames': 'SOURCE_NOT_VIDEO',
  ended: 'SOURCE_ENDED',
};

/** What the supervisor knows of the ffmpeg that ended, beyond its lines. */
export interface FfmpegSession {
  /** How long it ran. */
  ranMs: number;
  /** Frames it delivered: none means the source never gave a picture in this session. */
  frames: number;
}

interface Rule {
  kind: FfmpegFailureKind;
  test: RegExp;
  /** Further conditions (the source, the session) for the lines to mean this. */
  when?: (source: SourceConfig, lines: readonly string[], session: FfmpegSession | undefined) => boolean;
  reason: (where: string, source: SourceConfig, lines: readonly string[]) => string;
  /** Retrying cannot help: the camera is failed, not restarted. */
  permanent?: boolean | ((source: SourceConfig) => boolean);
}

/** ffmpeg's own line for a TCP connection that never opened ("Connection to tcp://h:p?timeout=5000000 failed: ..."). */
const CONNECT_FAILED = /Connection to \S+ failed/i;

/**
 * An RTSP session that gave no picture and lasted the socket timeout: the
 * server took the connection and then went quiet (a camera whose encoder is
 * stopped, a gateway with nothing behind the path). ffmpeg only says why its
 * read ended, which misnames it: "Connection timed out" (the host answered),
 * "does not contain any stream" (it announced one in its SDP). The 10% slack
 * is ffmpeg's own start before it connects.
 */
function rtspWentQuiet(source: SourceConfig, session: FfmpegSession | undefined): source is Extract<SourceConfig, { kind: 'rtsp' }> {
  return source.kind === 'rtsp' && session !== undefined && session.frames === 0 && session.ranMs >= source.timeoutS * 900;
}

function timeoutOf(source: SourceConfig): string {
  return source.kind === 'rtsp' ? `${source.timeoutS} s (source.timeoutS)` : 'time';
}

const RULES: Rule[] = [
  {
    // An ffmpeg built without the protocol (the bundled one has no srt://):
    // "srt://host:9000: Protocol not found" and "Did you mean file:srt://...?".
    kind: 'unsupported-protocol',
    test: /Protocol not found|Did you mean file:/i,
    permanent: true,
    reason: (where, source, lines) => {
      const protocol = protocolOf(source, lines);
      return `this ffmpeg cannot read ${protocol ? `${protocol}://` : 'this protocol'} (${where}): it was built without it; use an ffmpeg with ${protocol || 'that protocol'} support (ffmpeg.path in the config or $SHOTSCALE_FFMPEG)`;
    },
  },
  {
    // Took the connection, never answered the first request (OPTIONS): ffmpeg waits out
    // the socket timeout and calls it "Invalid data". A port that is not RTSP's reads the same.
    kind: 'silent-server',
    test: /Invalid data found when processing input/i,
    when: (source, _lines, session) => rtspWentQuiet(source, session),
    reason: (where, source) => `${where}: the server accepted the connection but answered nothing in ${timeoutOf(source)}: is this the camera's RTSP port, and is its RTSP service running?`,
  },
  {
    // Answered (OPTIONS, DESCRIBE, SETUP, PLAY) and then sent no media. Unlike a host that
    // does not answer at all, there is no "Connection to ... failed" line: the connection was made.
    // ffmpeg 5 says "Connection timed out" (or, without cut frames, "does not contain any
    // stream"); ffmpeg 4 only "Cannot determine format of input stream 0:0 after EOF".
    kind: 'silent-server',
    test: /Connection timed out|Operation timed out|does not contain any stream|matches no streams|Cannot determine format of input stream/i,
    when: (source, lines, session) => rtspWentQuiet(source, session) && !lines.some((l) => CONNECT_FAILED.test(l)),
    reason: (where, source) => `${where}: the RTSP server answered but sent no picture in ${timeoutOf(source)}: is the camera's stream (or the encoder behind the path) running?`,
  },
  {
    // Ahead of no-video: a file ffmpeg may not open ends with "does not contain any stream" as well
    // (ffmpeg 5.1: "locked.mp4: Permission denied", then nothing was mapped).
    kind: 'permission-denied',
    test: /Permission denied/i,
    reason: (where, source) =>
      source.kind === 'file' || source.kind === 'webcam' ? `${where}: permission denied: the user running shotscale may not read it` : `${where}: permission denied`,
  },
  {
    // The image demuxer's words for a still it could not open, whatever the cause (no such file, no
    // permission), before "does not contain any stream": the file, not its streams, is at fault.
    kind: 'unreadable',
    test: /Could not open file/i,
    reason: (where) => `${where}: ffmpeg could not open the file`,
  },
  {
    // ffmpeg 4-7 word it differently: with cut frames (a filter graph on [0:v]),
    // without them (no video stream to write), and newer ones after both.
    kind: 'no-video',
    test: /Stream specifier ':v' in filtergraph description .* matches no streams|Stream map '0:v(:0)?' matches no streams|does not contain any stream|At least one output file must be specified/i,
    reason: (where) => `${where} has no video stream (audio or data only): there is no picture to analyse`,
    // A file does not grow a picture by itself: retrying it forever only hides the fault.
    // A live source may (an encoder whose video input comes back), so it is retried.
    permanent: (source) => source.kind === 'file',
  },
  {
    kind: 'unauthorized',
    test: /Unauthorized|authorization failed/i,
    reason: (where, source) =>
      hasCredentials(source)
        ? `${where} refused the credentials (401 Unauthorized): check the user name and password`
        : `${where} asks for credentials (401 Unauthorized): ${credentialsHint(source)}`,
  },
  { kind: 'forbidden', test: /\bForbidden\b/i, reason: (where) => `${where} refused access (403 Forbidden)` },
  { kind: 'not-found', test: /\bNot Found\b/, reason: (where) => `${where} has nothing at that path (404 Not Found): check the stream path` },
  { kind: 'connection-refused', test: /Connection refused/i, reason: (where) => `${where}: connection refused: nothing accepts connections at that address and port` },
  { kind: 'timed-out', test: /Connection timed out|Operation timed out/i, reason: (where) => `${where}: connection timed out: the host does not answer` },
  { kind: 'no-such-file', test: /No such file or directory/i, reason: (where) => `${where}: no such file` },
  {
    kind: 'unreadable',
    test: /moov atom not found/i,
    reason: (where, source) =>
      source.kind === 'file'
        ? `${where} is not a readable video (moov atom not found: an MP4 cut short, or still being written)`
        : `${where} sent something that is not a video stream (moov atom not found)`,
  },
  {
    // Said of the source before any picture: a port that is not video, a file that is not one. Once pictures
    // came, it is a packet ffmpeg could not decode (a noisy link), which it reports and goes on after.
    kind: 'unreadable',
    test: /Invalid data found when processing input/i,
    when: (_source, _lines, session) => !session || session.frames === 0,
    reason: (where, source) =>
      source.kind === 'file' ? `${where} is not a picture or video ffmpeg can read (invalid data)` : `${where} answered with something that is not a video stream ffmpeg can read (invalid data)`,
  },
];

/** The scheme ffmpeg did not know: the source URL's, or the one its lines name. */
function protocolOf(source: SourceConfig, lines: readonly string[]): string | null {
  const url = source.kind === 'rtsp' || source.kind === 'url' ? source.url : '';
  const fromUrl = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  if (fromUrl) return fromUrl.toLowerCase();
  for (const line of lines) {
    const m = /Did you mean file:([a-z][a-z0-9+.-]*):/i.exec(line) ?? /([a-z][a-z0-9+.-]*):\/\/\S*: Protocol not found/i.exec(line);
    if (m?.[1]) return m[1].toLowerCase();
  }
  return null;
}

/** Whether the source's URL carries a user (and password) for the camera to check. */
/**
 * Where a source's credentials go, in its own scheme: an HTTP camera was
 * told to write rtsp://user:password@host. ffmpeg sends the user and
 * password of an http(s):// URL as Basic or Digest authentication.
 */
function credentialsHint(source: SourceConfig): string {
  const scheme = source.kind === 'rtsp' || source.kind === 'url' ? (/^([a-z][a-z0-9+.-]*):\/\//i.exec(source.url)?.[1]?.toLowerCase() ?? 'rtsp') : 'rtsp';
  if (scheme === 'http' || scheme === 'https') return `give them in the URL (${scheme}://user:password@host/...): ffmpeg sends them as HTTP Basic or Digest authentication`;
  return `give them in the URL (${scheme}://user:password@host/...)`;
}

function hasCredentials(source: SourceConfig): boolean {
  return (source.kind === 'rtsp' || source.kind === 'url') && /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(source.url);
}

function isLive(source: SourceConfig): boolean {
  return source.kind !== 'file' && source.kind !== 'testsrc';
}

function ended(where: string): FfmpegFailure {
  return { kind: 'ended', code: FAILURE_CODES.ended, reason: `${where} ended the stream` };
}

/**
 * The failure ffmpeg's stderr and exit show, or null when none is known (the
 * caller then shows ffmpeg's last line). A clean exit of a live source is the
 * source ending the stream (an RTSP server going away closes it cleanly).
 */
export function explainFfmpegExit(stderr: readonly string[], code: number | null, source: SourceConfig, where: string, session?: FfmpegSession): FfmpegFailure | null {
  // Pictures came and ffmpeg exited cleanly: the stream ended, whatever it said of bad packets
  // along the way (a TCP feed with bit errors went live and then read as "not video").
  if (code === 0 && isLive(source) && session && session.frames > 0) return ended(where);
  // The first line that matches, by rule order: "401" must win over a later generic "Invalid data".
  for (const rule of RULES) {
    if (stderr.some((l) => rule.test.test(l)) && (!rule.when || rule.when(source, stderr, session))) {
      const failure: FfmpegFailure = { kind: rule.kind, code: FAILURE_CODES[rule.kind], reason: rule.reason(where, source, stderr) };
      if (typeof rule.permanent === 'function' ? rule.permanent(source) : rule.permanent) failure.permanent = true;
      return failure;
    }
  }
  if (code === 0 && isLive(source)) return ended(where);
  // A file read to its end without one picture: retrying reads it the same way, so the camera
  // is failed, not restarted (a still image given -stream_loop restarted forever, saying only
  // "ffmpeg exited with code 0").
  if (code === 0 && source.kind === 'file' && session?.frames === 0) {
    return {
      kind: 'no-frames',
      code: FAILURE_CODES['no-frames'],
      reason: `${where}: ffmpeg read the file to its end and decoded no picture from it (a video stream with no frame in it, or a still image under a name not read as a picture: name it .jpg, .png, .webp, .tif ...)`,
      permanent: true,
    };
  }
  return null;
}
