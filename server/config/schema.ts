/**
 * The config schema: every field has a default and a description, unknown
 * keys are rejected. `config/default.yaml` is the annotated example.
 */
import { z } from 'zod';
import { alertSettingsSchema } from '../coverage/alert-monitor.js';
import { coveragePlanSchema } from '../coverage/coverage-plan.js';
import { CAMERA_NAME_MAX, hasControlCharacter, MAX_ANALYSIS_FPS, NO_CONTROL_CHARACTERS, RTSP_URL_PATTERN, TESTSRC_MAX } from '../shared/input-limits.js';
import { TIMECODE_RATE_NAMES } from '../shots/timecode.js';
import type { TimecodeRateName } from '../shared/shots.js';
import { TOKEN_ROLES } from '../shared/access-roles.js';
import { inputOptionProblems, URL_SCHEMES } from '../ingest/input-options.js';
import { cameraIdSchema } from './camera-id.js';
import { EMPTY_FRAME_WEIGHT } from '../analysis/scale-smoother.js';

/** An origin as browsers send it (supervisor.whip.allowedOrigins): scheme and host (and port), no path; or "*" for any. */
const ORIGIN_PATTERN = /^(\*|https?:\/\/[a-z0-9.-]+(:\d{1,5})?|https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?)$/;

const positive = (d: string) => z.number().positive().describe(d);

/**
 * The longest wait a setting in seconds may ask a timer for: 14 days. Node
 * holds a timer's delay in 32 bits of milliseconds (at most 2^31 - 1, about
 * 24.8 days) and runs a longer one after 1 ms: supervisor.whip.removeAfterS
 * of 2592000 (30 days) removed a camera 1 ms after its publisher left while
 * the log said it had waited 30 days. Refused at start, naming the key,
 * rather than quietly shortened.
 */
export const MAX_TIMER_S = 14 * 24 * 3600;
const TIMER_MAX_RULE = `at most ${MAX_TIMER_S} (14 days)`;

export { cameraIdSchema };

/** Camera bounds the Cameras view's form checks too (server/shared/input-limits.ts). */
export { CAMERA_NAME_MAX, RTSP_URL_PATTERN, TESTSRC_MAX };

export const RTSP_URL_RULE = 'an rtsp:// or rtsps:// URL that names a host, e.g. rtsp://10.0.0.21/stream1';

const rtspSource = z.strictObject({
  kind: z.literal('rtsp'),
  url: z.string().regex(RTSP_URL_PATTERN, RTSP_URL_RULE).describe('RTSP URL; credentials may come from ${ENV_VARS}'),
  transport: z.enum(['tcp', 'udp']).default('tcp').describe('RTP transport; TCP survives lossy networks and firewalls'),
  timeoutS: positive('Socket I/O timeout before ffmpeg gives up on the camera').default(5),
});

const webcamSource = z.strictObject({
  kind: z.literal('webcam'),
  device: z.string().min(1).describe('v4l2: /dev/video0; avfoundation: "0" or a name; dshow: the device name'),
  driver: z.enum(['auto', 'v4l2', 'avfoundation', 'dshow']).default('auto').describe('Capture API; auto picks by OS'),
  width: z.number().int().positive().optional().describe('Requested capture width'),
  height: z.number().int().positive().optional().describe('Requested capture height'),
  fps: z.number().positive().optional().describe('Requested capture frame rate'),
});

const ndiSource = z.strictObject({
  kind: z.literal('ndi'),
  name: z.string().min(1).describe('NDI source name, e.g. "STUDIO-PC (OBS)"; needs an ffmpeg built with libndi_newtek'),
});

const fileSource = z.strictObject({
  kind: z.literal('file'),
  path: z.string().min(1).describe('Video file; relative paths are relative to the config file'),
  loop: z.boolean().default(true).describe('Start again at the end'),
  realtime: z.boolean().default(true).describe('Read at the native frame rate, like a live feed'),
});

export const TESTSRC_PATTERNS = ['testsrc', 'testsrc2', 'smptebars', 'smptehdbars', 'rgbtestsrc', 'mandelbrot', 'life', 'cellauto'] as const;

const testsrcSource = z.strictObject({
  kind: z.literal('testsrc'),
  pattern: z.enum(TESTSRC_PATTERNS).default('testsrc2').describe('ffmpeg lavfi test pattern'),
  width: z.number().int().positive().max(TESTSRC_MAX.width, `at most ${TESTSRC_MAX.width} (test patterns go up to ${TESTSRC_MAX.width}x${TESTSRC_MAX.height}, 8K UHD)`).default(1280).describe(`Pattern width, up to ${TESTSRC_MAX.width}`),
  height: z.number().int().positive().max(TESTSRC_MAX.height, `at most ${TESTSRC_MAX.height} (test patterns go up to ${TESTSRC_MAX.width}x${TESTSRC_MAX.height}, 8K UHD)`).default(720).describe(`Pattern height, up to ${TESTSRC_MAX.height}`),
  fps: z.number().positive().max(TESTSRC_MAX.fps, `at most ${TESTSRC_MAX.fps} (the fastest broadcast rate)`).default(25).describe(`Pattern frame rate, up to ${TESTSRC_MAX.fps}`),
});

const urlSource = z.strictObject({
  kind: z.literal('url'),
  url: z
    .string()
    .max(4096)
    .regex(new RegExp(`^(${URL_SCHEMES.join('|')})://`, 'i'), `a network URL: ${URL_SCHEMES.map((s) => `${s}://`).join(', ')} (a file is source kind file)`)
    .describe('A network feed ffmpeg reads: srt://, udp://, rtp://, http(s)://, rtmp(s)://, rist://'),
  inputOptions: z
    .array(z.string().max(4096))
    .max(64)
    .default([])
    .superRefine((options, ctx) => {
      for (const problem of inputOptionProblems(options)) ctx.addIssue({ code: 'custom', path: [problem.index], message: problem.message });
    })
    .describe('Extra ffmpeg input options, placed before -i; only those that tune how a network input is read (see the README)'),
});

// YAML reads `rate: 25` as a number: accept it, and name the rates in errors.
const timecodeRateSchema = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z.enum(TIMECODE_RATE_NAMES as [TimecodeRateName, ...TimecodeRateName[]], { error: `one of ${TIMECODE_RATE_NAMES.join(', ')}` }),
);
const timecodeModeSchema = z.enum(['frame-count', 'time-of-day']);
const timecodeStartSchema = z.string().regex(/^\d{2}:\d{2}:\d{2}[:;]\d{2}$/, 'a timecode HH:MM:SS:FF');

const timecodeSchema = z.strictObject({
  rate: timecodeRateSchema.default('25').describe('Timecode rate: 23.976, 24, 25, 29.97, 29.97DF, 30, 50, 59.94, 59.94DF, 60; cuts are found at this rate'),
  mode: timecodeModeSchema
    .default('frame-count')
    .describe('frame-count: from `start`, counting frames (resumed by the clock after a reconnect, and after a restart from the last shot logged); time-of-day: the local time, like a jam-synced camera'),
  start: timecodeStartSchema.default('00:00:00:00').describe('Timecode of the first frame in frame-count mode'),
  fromSource: z.boolean().default(true).describe("Use the source's own start timecode when it carries one (files with a timecode track)"),
});

const webrtcSource = z.strictObject({
  kind: z.literal('webrtc'),
});

export const sourceSchema = z.discriminatedUnion('kind', [rtspSource, webcamSource, ndiSource, fileSource, testsrcSource, urlSource, webrtcSource]);

export const cameraSchema = z.strictObject({
  id: cameraIdSchema,
  name: z.string().min(1, 'at least 1 character').max(CAMERA_NAME_MAX, `at most ${CAMERA_NAME_MAX} characters`).refine((name) => !hasControlCharacter(name), NO_CONTROL_CHARACTERS).optional().describe('Display name; defaults to the id'),
  enabled: z.boolean().default(true).describe('Disabled cameras are listed but not read'),
  analysisFps: z.number().positive('more than 0').max(MAX_ANALYSIS_FPS, `at most ${MAX_ANALYSIS_FPS}`).default(5).describe('Frames per second sent to the classifier'),
  source: sourceSchema,
  models: z
    .array(
      z.strictObject({
        name: z.string().min(1).describe('"default" or a name under model.extra'),
        weight: z.number().positive().default(1).describe('Weight in the average of canonical probabilities'),
      }),
    )
    .min(1)
    .optional()
    .describe('Models this camera uses, fused by weighted average; default: [{ name: default }]. The first one sets the frame size'),
  calibration: z.string().nullable().optional().describe('Calibration head (shotscale calibrate) for this camera; overrides model.calibration'),
  timecode: z
    .strictObject({ rate: timecodeRateSchema.optional(), mode: timecodeModeSchema.optional(), start: timecodeStartSchema.optional(), fromSource: z.boolean().optional() })
    .optional()
    .describe("This camera's timecode, where it differs from shots.timecode"),
});

/**
 * Why a token could never be sent, or never be told apart from another, as
 * an `Authorization: Bearer TOKEN` header carries it, or null: a control
 * character (a tab or line break inside it), an invisible one (a zero-width
 * or no-break space, a soft hyphen) or a character past U+00FF (a header
 * carries bytes: "ł" or an emoji never arrive as the config has them) was
 * accepted at start and then refused on every Bearer request (401 "not
 * valid") while ?token= and Socket.IO let it in. A space between words (a
 * passphrase) and a Latin-1 letter ("ï") go through every transport.
 * Says where and what kind of character, never the token nor its length.
 */
export function tokenProblem(token: string): string | null {
  const chars = [...token];
  const at = chars.findIndex((c) => c !== ' ' && (/[\p{Cc}\p{Cf}\p{Z}]/u.test(c) || c.codePointAt(0)! > 0xff));
  if (at < 0) return null;
  const c = chars[at]!;
  const what = /\p{Cc}/u.test(c) ? 'a control character (a tab, a line break ...)' : /[\p{Cf}\p{Z}]/u.test(c) ? 'an invisible character (a zero-width or no-break space ...)' : 'a character past U+00FF (beyond Latin-1)';
  return `character ${at + 1} of the token is ${what}, which an Authorization: Bearer header cannot carry as the config has it; make a new token of letters, digits and punctuation`;
}

/**
 * A token: surrounding whitespace is dropped (a value read from a secrets file
 * with its trailing newline; HTTP drops it from a header too), so the token is
 * what every transport carries; anything else a header cannot carry is refused.
 */
const tokenSchema = z
  .string()
  .trim()
  .min(16, 'at least 16 characters')
  .superRefine((token, ctx) => {
    const problem = tokenProblem(token);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const EXECUTION_PROVIDERS = ['tensorrt', 'cuda', 'cpu'] as const;

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1').describe('Bind address; anything but loopback requires accessToken or tokens'),
      port: z.number().int().min(0).max(65535).default(8420).describe('HTTP and Socket.IO port (0 picks a free one)'),
      accessToken: tokenSchema
        .nullable()
        .default(null)
        .describe('Admin bearer token for HTTP and Socket.IO; use ${SHOTSCALE_TOKEN} to keep it out of the file'),
      tokens: z
        .array(
          z.strictObject({
            role: z.enum(TOKEN_ROLES).describe('viewer: watch and read; operator: also takes, tags, notes, alerts; admin: also cameras, plans, anything that changes the system'),
            token: tokenSchema.describe('The bearer token (visible ASCII, 16 characters or more; surrounding whitespace is dropped); use ${ENV_VAR} to keep it out of the file'),
            name: z.string().regex(/^[\w .-]{1,64}$/, 'letters, digits, " ", ".", "-" and "_", at most 64').optional().describe('Who holds it, for the log; default: the role and its place in the list'),
          }),
        )
        .default([])
        .describe('Tokens with roles, besides accessToken (which is an admin token)'),
      authAttempts: z
        .strictObject({
          maxFailures: z.number().int().min(1).default(10).describe('Wrong tokens from one address within windowS before it is refused'),
          windowS: z.number().positive().default(60).describe('The window wrong tokens are counted in'),
          blockS: z.number().min(0).default(60).describe('How long the address is then refused anything that needs a token'),
        })
        .prefault({})
        .describe('Rate limit on wrong tokens, per address'),
      publishTokens: z
        .array(tokenSchema)
        .default([])
        .describe('Tokens that may only publish cameras over WHIP (phones, OBS); operator and admin tokens may publish too'),
      tls: z
        .strictObject({
          cert: z.string().min(1).describe('PEM certificate file; relative to the config file'),
          key: z.string().min(1).describe('PEM private key file; relative to the config file'),
        })
        .nullable()
        .default(null)
        .describe('Serve HTTPS (browsers only give a page the camera on https:// or localhost)'),
    })
    .superRefine((server, ctx) => {
      // One token, one role: a token listed twice would speak for whichever came first.
      const seen = new Set<string>();
      const check = (token: string | null, path: (string | number)[]) => {
        if (token === null) return;
        if (seen.has(token)) ctx.addIssue({ code: 'custom', path, message: 'this token is also given elsewhere in server; each token has one role' });
        seen.add(token);
      };
      check(server.accessToken, ['accessToken']);
      server.tokens.forEach((t, i) => check(t.token, ['tokens', i, 'token']));
      server.publishTokens.forEach((t, i) => check(t, ['publishTokens', i]));
    })
    .prefault({}),
  ffmpeg: z
    .strictObject({
      path: z.string().nullable().default(null).describe('ffmpeg binary; else $SHOTSCALE_FFMPEG, ffmpeg-static, @ffmpeg-installer/ffmpeg, PATH'),
      logLevel: z.enum(['quiet', 'panic', 'fatal', 'error', 'warning', 'info']).default('error').describe('ffmpeg -loglevel'),
    })
    .prefault({}),
  model: z
    .strictObject({
      manifest: z.string().default('../models/framing-default.manifest.json').describe('Model manifest (JSON); relative to the config file'),
      executionProviders: z
        .array(z.enum(EXECUTION_PROVIDERS))
        .min(1)
        .default(['cuda', 'cpu'])
        .describe('Tried in order; the first that loads is used and the fallback is logged'),
      intraOpThreads: z.number().int().min(0).default(0).describe('onnxruntime threads per operator in each model thread; 0 = the cores shared between the model threads'),
      inferenceThreads: z
        .number()
        .int()
        .min(0)
        .max(16)
        .default(0)
        .describe('Model threads per model, each with its own sessions; 0 = one per core (up to 4) on the CPU provider, 1 on a GPU'),
      extra: z
        .record(cameraIdSchema, z.strictObject({ manifest: z.string().describe('Manifest of this model') }))
        .default({})
        .describe('More models by name (e.g. your own classifier), loaded once; cameras pick them with `models`'),
      calibration: z.string().nullable().default(null).describe('Calibration head for the default model, for every camera without its own'),
      mirrorViews: z
        .boolean()
        .default(true)
        .describe('Look at every other analysed frame of a camera mirrored, and at a still picture both ways: shot scale is the same in a mirror, the detections are not, and the mean of the two views reads the shot more steadily'),
      inferenceThread: z
        .boolean()
        .default(true)
        .describe('Run each model in its own thread: onnxruntime-node blocks the thread it runs on, and the main one reads and stamps frames'),
    })
    .prefault({}),
  pipeline: z
    .strictObject({
      ringBufferSize: z.number().int().min(1).max(64).default(2).describe('Frames held per camera; the oldest is dropped when full'),
      batch: z
        .strictObject({
          maxSize: z.number().int().min(1).max(64).default(16).describe('Most frames in one inference batch'),
          windowMs: z.number().min(0).max(1000).default(15).describe('Longest wait for more cameras once one frame is ready'),
          staleMs: z.number().positive().default(1000).describe('Frames older than this at batch time are dropped'),
        })
        .prefault({}),
      overload: z
        .strictObject({
          fairShare: z.boolean().default(true).describe('When the cameras ask for more than the model can analyse, lower every camera to a fair share instead of queueing'),
          targetUtilisation: z.number().min(0.3).max(1).default(0.85).describe('Share of the measured model capacity handed out to cameras'),
        })
        .prefault({}),
      smoothing: z
        .strictObject({
          timeConstantS: z.number().min(0).default(0.6).describe('EMA time constant; 0 disables smoothing'),
          hysteresisMargin: z.number().min(0).max(1).default(0.08).describe('A new label must lead the current one by this much'),
          hysteresisHoldS: z.number().min(0).default(0.4).describe('... for at least this long'),
          emptyFrameWeight: z
            .number()
            .gt(0)
            .max(1)
            .default(EMPTY_FRAME_WEIGHT)
            .describe('How much a frame in which nobody was found moves the average (1: as much as any frame); a detector miss in a shot of people then does not flip the label'),
        })
        .prefault({}),
    })
    .prefault({}),
  supervisor: z
    .strictObject({
      stallTimeoutS: z.number().positive().default(5).describe('No frame for this long: the camera is stalled and restarted'),
      firstFrameTimeoutS: z.number().positive().default(20).describe('Grace for the first frame after a (re)start'),
      backoffInitialS: z.number().positive().max(MAX_TIMER_S, TIMER_MAX_RULE).default(0.5).describe('First restart delay (of a camera, or of an inference thread)'),
      backoffMaxS: z.number().positive().max(MAX_TIMER_S, TIMER_MAX_RULE).default(15).describe('Restart delays double up to this cap (cameras and inference threads)'),
      healthyAfterS: z.number().positive().default(10).describe('Up this long and the backoff resets (cameras and inference threads)'),
      stderrLines: z.number().int().min(0).max(1000).default(40).describe('ffmpeg stderr lines kept per camera'),
      whip: z
        .strictObject({
          connectTimeoutS: z.number().positive().max(300).default(10).describe('An answered WHIP publisher whose connection (ICE and DTLS) is not up this long is dropped and its camera freed'),
          silentTimeoutS: z.number().positive().default(60).describe('A connected WHIP publisher that sends no picture this long is dropped and its camera freed'),
          maxSessions: z.number().int().min(1).max(1000).default(16).describe('WHIP publishers at once, connecting or connected (each runs native threads and sockets); one more is refused 503 WHIP_CAPACITY'),
          maxCameras: z.number().int().min(1).max(1000).default(16).describe('Cameras WHIP makes for ids nobody defined; one more is refused 503 WHIP_CAPACITY'),
          removeAfterS: z.number().min(0).max(MAX_TIMER_S, TIMER_MAX_RULE).default(300).describe('A camera WHIP made is removed this long after its publisher left (at once when it never showed a picture)'),
          allowedOrigins: z
            .array(z.string().trim().toLowerCase().regex(ORIGIN_PATTERN, 'an origin: scheme and host (and port), e.g. https://publish.example.com, no path; or "*"'))
            .max(100)
            .default([])
            .describe('Origins whose browser pages may publish over WHIP (CORS); none: only the dashboard\'s own origin'),
        })
        .prefault({})
        .describe('WebRTC publishers (POST /whip/CAMERA)'),
    })
    .prefault({}),
  dashboard: z
    .strictObject({
      previewFps: z.number().min(0).max(10).default(2).describe('Camera previews (JPEG of the analysed frame) per second to dashboards that show them; 0: none'),
    })
    .prefault({}),
  shots: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Cut every feed into shots and keep the shot log'),
      dataDir: z.string().default('../data').describe('Directory of the shot log (SQLite); relative to the config file'),
      timecode: timecodeSchema.prefault({}),
      cuts: z
        .strictObject({
          minShotS: z.number().min(0).default(0.5).describe('Shortest shot: no two cuts closer than this'),
          flashFilter: z.boolean().default(true).describe('A flash or flicker that returns to the same picture is not a cut'),
          gradual: z.boolean().default(true).describe('Find dissolves and fades as well as hard cuts'),
          sensitivity: z.number().positive().max(4).default(1).describe('2 finds weaker cuts (and more false ones), 0.5 only strong ones'),
        })
        .prefault({}),
      thumbnails: z.boolean().default(true).describe('Keep a JPEG thumbnail from the middle of each shot'),
      analysisWaitS: z.number().min(0).default(3).describe('Longest a cut waits for the analysis of the frames before it before closing its shot'),
      resumeTakeWithinS: z
        .number()
        .min(0)
        .default(900)
        .describe('A take the server was running when it crashed runs on after the restart when the server was down no longer than this (from the last frame written); a longer outage ends it at that frame. Both raise an alert'),
    })
    .prefault({}),
  coverage: z
    .strictObject({
      plans: z.array(coveragePlanSchema).default([]).describe('Coverage plans per scene; more can be set over HTTP (PUT /api/plans/SCENE)'),
      alerts: alertSettingsSchema.prefault({}),
    })
    .prefault({}),
  cluster: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Act as one node of a cluster: cameras shared out by leases in Redis, live events through Redis, cameras defined in PostgreSQL'),
      nodeId: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "_", "." and "-", up to 64, starting with a letter or digit')
        .nullable()
        .default(null)
        .describe("This node's id, unique in the cluster; null: the host name"),
      redisUrl: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').default('redis://127.0.0.1:6379').describe('Redis: leases, node heartbeats and live fan-out; a password may come from ${ENV_VARS}'),
      postgresUrl: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL')
        .default('postgres://127.0.0.1:5432/shotscale')
        .describe("PostgreSQL: the cluster's cameras; credentials may come from ${ENV_VARS}"),
      capacity: z
        .strictObject({
          cameras: z.number().int().min(0).max(1000).default(8).describe('Most cameras this node analyses at once; 0: none (a node that only serves the wall and the API)'),
        })
        .prefault({}),
      advertiseUrl: z
        .string()
        .regex(/^https?:\/\/[^\s]+$/, 'an http:// or https:// URL')
        .nullable()
        .default(null)
        .describe("This node's URL as the other nodes and the users reach it (e.g. http://node-2.lan:8420); null: the address it listens on"),
      leaseS: z.number().min(1).max(300).default(10).describe("A camera's lease: a node that stops renewing loses its cameras to the others after this long"),
      keyPrefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,40}$/).default('shotscale').describe('Prefix of every Redis key and channel, so that several clusters can share one Redis'),
    })
    .prefault({}),
  cameras: z
    .array(cameraSchema)
    .default([])
    .superRefine((cameras, ctx) => {
      const seen = new Set<string>();
      cameras.forEach((camera, index) => {
        if (seen.has(camera.id)) {
          ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate camera id "${camera.id}"` });
        }
        seen.add(camera.id);
      });
    })
    .describe('Cameras read at start; more can be added over HTTP'),
}).superRefine((config, ctx) => {
  const known = ['default', ...Object.keys(config.model.extra)];
  config.cameras.forEach((camera, index) => {
    camera.models?.forEach((m, k) => {
      if (!known.includes(m.name)) ctx.addIssue({ code: 'custom', path: ['cameras', index, 'models', k, 'name'], message: `unknown model "${m.name}" (known: ${known.join(', ')})` });
    });
  });
});

export type Config = z.infer<typeof configSchema>;

/** Names a camera may use in `models`. */
export function knownModelNames(config: Pick<Config, 'model'>): string[] {
  return ['default', ...Object.keys(config.model.extra)];
}
export type CameraConfig = z.infer<typeof cameraSchema>;
export type CameraInput = z.input<typeof cameraSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];
