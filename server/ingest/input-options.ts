/**
 * What a `url` camera may pass to ffmpeg before its input. ffmpeg's command
 * line is a program: given verbatim, `["-f","lavfi","-i","color=red",
 * "-frames:v","1","-y","/tmp/x.png"]` made the server write any file it can.
 * So only options that tune how a network input is read are accepted, each
 * with a checked value, and ffmpeg is told to open network protocols only
 * (no file:, pipe:, concat:), which also holds for what a playlist names.
 */
const NUMBER = /^-?\d{1,12}(\.\d{1,6})?$/;
/** A size with an optional unit: 1000000, 512k, 10M. */
const SIZE = /^\d{1,12}[kKMG]?$/;
/** Flags and names: +genpts+discardcorrupt, low_delay, h264_cuvid, cuda. */
const WORD = /^[A-Za-z0-9_.+:-]{1,64}$/;
const TIME = /^\d{1,9}(:\d{2}){0,2}(\.\d{1,6})?$/;
/** Free text (user agents, HTTP headers, SRT stream ids): printable, one argument, never an option. */
const TEXT = /^[^\0-\x08\x0e-\x1f\x7f]{1,4096}$/;

type ValueRule = RegExp | readonly string[];

/** Demuxers a network feed uses; not lavfi (whose "input" is a filter graph that can read and write files). */
const FORMATS = ['mpegts', 'flv', 'h264', 'hevc', 'mjpeg', 'mpjpeg', 'rtp', 'rtsp', 'matroska', 'ivf', 'mpegps', 'm4v'] as const;

/** Options without a value. */
const FLAGS = new Set(['-re']);

/** Options with a value, and what the value may be. */
const VALUED: Record<string, ValueRule> = {
  '-f': FORMATS,
  '-fflags': WORD,
  '-flags': WORD,
  '-avioflags': WORD,
  '-analyzeduration': NUMBER,
  '-probesize': SIZE,
  '-fpsprobesize': NUMBER,
  '-max_delay': NUMBER,
  '-reorder_queue_size': NUMBER,
  '-thread_queue_size': NUMBER,
  '-rtbufsize': SIZE,
  '-timeout': NUMBER,
  '-rw_timeout': NUMBER,
  '-stimeout': NUMBER,
  '-listen_timeout': NUMBER,
  '-connect_timeout': NUMBER,
  '-rtsp_transport': ['tcp', 'udp', 'udp_multicast', 'http', 'https'],
  '-rtsp_flags': WORD,
  '-buffer_size': SIZE,
  '-fifo_size': NUMBER,
  '-overrun_nonfatal': NUMBER,
  '-pkt_size': NUMBER,
  '-reuse': NUMBER,
  '-latency': NUMBER,
  '-rcvlatency': NUMBER,
  '-peerlatency': NUMBER,
  '-passphrase': TEXT,
  '-pbkeylen': NUMBER,
  '-streamid': TEXT,
  '-mode': ['caller', 'listener', 'rendezvous'],
  '-transtype': ['live', 'file'],
  '-maxbw': NUMBER,
  '-reconnect': NUMBER,
  '-reconnect_streamed': NUMBER,
  '-reconnect_at_eof': NUMBER,
  '-reconnect_on_network_error': NUMBER,
  '-reconnect_delay_max': NUMBER,
  '-multiple_requests': NUMBER,
  '-seekable': NUMBER,
  '-user_agent': TEXT,
  '-referer': TEXT,
  '-headers': TEXT,
  '-cookies': TEXT,
  '-http_proxy': TEXT,
  '-auth_type': ['none', 'basic'],
  '-tls_verify': NUMBER,
  '-rtmp_live': ['any', 'live', 'recorded'],
  '-rtmp_buffer': NUMBER,
  '-rtmp_app': WORD,
  '-rtmp_playpath': TEXT,
  '-hwaccel': WORD,
  '-hwaccel_device': WORD,
  '-c:v': WORD,
  '-codec:v': WORD,
  '-vcodec': WORD,
  '-framerate': NUMBER,
  '-video_size': /^\d{1,5}x\d{1,5}$/,
  '-pixel_format': WORD,
  '-use_wallclock_as_timestamps': NUMBER,
  '-allowed_media_types': WORD,
  '-stream_loop': NUMBER,
  '-ss': TIME,
  '-itsoffset': TIME,
};

/** Options whose values are secrets: never shown by the API or in logs. */
export const SECRET_OPTIONS: ReadonlySet<string> = new Set(['-passphrase', '-headers', '-cookies', '-http_proxy']);

export const ALLOWED_INPUT_OPTIONS: readonly string[] = [...FLAGS, ...Object.keys(VALUED)].sort();

/** Schemes a `url` camera may read: network feeds (a file has its own source kind). */
export const URL_SCHEMES = ['srt', 'udp', 'rtp', 'tcp', 'http', 'https', 'rtmp', 'rtmps', 'rtmpt', 'rist', 'tls', 'rtsp', 'rtsps'] as const;

/**
 * The only protocols ffmpeg may open for a `url` camera, the URL itself and
 * anything it leads to (an HLS playlist's segments, a redirect).
 */
export const NETWORK_PROTOCOLS = 'http,https,tcp,tls,crypto,httpproxy,udp,rtp,srtp,srt,rist,rtmp,rtmps,rtmpt,rtmpe,rtmpte,rtmpts,rtsp,rtsps';

function valueAllowed(rule: ValueRule, value: string): boolean {
  return Array.isArray(rule) ? rule.includes(value) : (rule as RegExp).test(value);
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}

/** Why these input options are refused (one line per problem), or [] when they are fine. */
export function inputOptionProblems(options: readonly string[]): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  // The list of allowed options is long (60-odd): said once, with the first unknown argument.
  // The camera's error joins every problem into one message, and `-y /tmp/x.png` (two unknown
  // arguments, each named by its place) printed the whole list twice.
  let listed = false;
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!;
    if (FLAGS.has(option)) continue;
    const rule = VALUED[option];
    if (!rule) {
      problems.push({ index: i, message: `${shown(option)} is not an input option a url camera may set${listed ? '' : ` (allowed: ${ALLOWED_INPUT_OPTIONS.join(' ')})`}` });
      listed = true;
      continue;
    }
    const value = options[i + 1];
    if (value === undefined) problems.push({ index: i, message: `${option} needs a value` });
    else if (!valueAllowed(rule, value)) problems.push({ index: i + 1, message: `${shown(value)} is not a value ${option} takes${Array.isArray(rule) ? ` (${rule.join(', ')})` : ''}` });
    i += 1;
  }
  return problems;
}
