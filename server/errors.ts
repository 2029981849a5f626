/**
 * Error catalogue: every error a user can meet has a stable code, a message
 * that says what and where, and optionally a hint. Tests assert on codes.
 */
export const ERROR_CODES = {
  CONFIG_NOT_FOUND: 'the config file does not exist',
  CONFIG_PARSE: 'the config file is not valid YAML',
  CONFIG_INVALID: 'the config does not match the schema',
  CONFIG_ENV_MISSING: 'the config names an environment variable that is not set',
  MODEL_MANIFEST_NOT_FOUND: 'the model manifest does not exist',
  MODEL_MANIFEST_INVALID: 'the model manifest does not match the schema',
  MODEL_FILE_NOT_FOUND: 'the model file does not exist',
  MODEL_LOAD_FAILED: 'onnxruntime could not load the model',
  MODEL_MISMATCH: 'the model does not match its manifest',
  FFMPEG_NOT_FOUND: 'no ffmpeg binary could be found',
  SOURCE_UNSUPPORTED: 'this source kind cannot be read on this machine',
  SOURCE_UNREACHABLE: "a camera's source cannot be reached (connection refused or timed out, a WebRTC publisher that could not connect)",
  SOURCE_AUTH: "a camera's source refused access (401 Unauthorized or 403 Forbidden)",
  SOURCE_NOT_FOUND: "a camera's source is not there (no such file or device, 404 Not Found)",
  SOURCE_NOT_VIDEO: "a camera's source gives nothing ffmpeg can decode as video (no video stream, invalid data, a truncated file)",
  SOURCE_ENDED: "a camera's source ended (end of file, a live stream closed by its server, a WebRTC publisher gone)",
  SOURCE_STALLED: "a camera's source is connected but sends no picture (none since it started, or none for the stall timeout)",
  SOURCE_FAILED: "a camera's source failed in a way not told apart (ffmpeg's own words are in lastError and lastStderr)",
  CAMERA_NOT_FOUND: 'no camera has that id',
  CAMERA_EXISTS: 'a camera with that id already exists',
  CAMERA_INVALID: 'the camera definition is invalid',
  CAMERA_BUSY: 'the camera already has a publisher, or takes none',
  WHIP_CAPACITY: 'the server takes no more WebRTC publishers (or cameras made for them) now',
  WHIP_CODEC: 'the offer has no video codec this server decodes',
  UNAUTHORIZED: 'a valid access token is required',
  FORBIDDEN: "the token's role does not allow this",
  TOO_MANY_ATTEMPTS: 'too many wrong tokens from this address; wait and try again',
  INSECURE_BIND: 'binding to a non-loopback address requires an access token',
  INPUT_UNREADABLE: 'an input file could not be read',
  INPUT_RATE_UNKNOWN: "a video's frame rate (average or nominal) is not a timecode rate: `shotscale log` counts its frames at the configured rate unless --rate names one (a warning)",
  OUTPUT_UNWRITABLE: 'an output file or folder could not be written',
  BAD_REQUEST: 'the request is malformed',
  BODY_TOO_LARGE: 'the request body is larger than the server accepts',
  REQUEST_TIMEOUT: 'the request (headers and body) did not all arrive within the time the server waits for one (30 s); it is answered 408 and closed',
  METHOD_NOT_ALLOWED: 'the path exists, but not with that method (the Allow header lists those it has)',
  UNSUPPORTED_MEDIA_TYPE: 'the request body is not of a type the route reads (the API reads JSON: content-type: application/json)',
  INTERNAL: 'an unexpected error; the server log has the details',
  PORT_IN_USE: 'the port is in use, or may not be bound by this user',
  NOT_FOUND: 'no such record',
  DATABASE_FAILED: 'the shot log database could not be opened or written',
  DATABASE_LOCKED: 'the shot log database is locked by another process',
  DATABASE_FOREIGN: 'the file is not a shotscale shot log',
  STORAGE_FULL: 'the shot log cannot be written now (disk full or failing); shots are held in memory',
  INFERENCE_UNAVAILABLE: 'the inference thread is restarting',
  PLAN_INVALID: 'the coverage plan is invalid',
  TAKE_EXISTS: 'the scene already has a take with that number; slate the next one, or say again: true to repeat it',
  PLAN_CONFLICT: 'the coverage plan was changed or deleted since the revision the request names',
  CALIBRATION_BASE_INVALID: 'the base knowledge beside a calibration head cannot be read',
  CALIBRATION_INVALID: 'the calibration request cannot be carried out',
  CALIBRATION_FIT_TIMEOUT: 'a calibration fit ran past its time limit and was stopped',
  EXPORT_FAILED: 'an export or film report could not be built: its thread failed, died or ran past its time limit (the server kept running)',
  EXPORT_BUSY: 'as many exports are being built as the server builds at once (two) and eight more wait their turn: try again in a minute',
  CLUSTER_UNREACHABLE: "the cluster's Redis or PostgreSQL cannot be reached",
  CLUSTER_NODE_ID_IN_USE: 'another live node of the cluster has this node id',
  CLUSTER_LEASE_STALE: "a camera's lease in Redis had no expiry (or a longer one than a lease); it is cut to one lease time",
  CLUSTER_UNASSIGNED: 'no node of the cluster analyses the camera now: the node that ran it is gone and none has taken it over yet, or every node is at its capacity',
  CLUSTER_ELSEWHERE: 'the record belongs to another node of the cluster; act on it there',
  CLUSTER_SCHEMA: "the cluster's PostgreSQL schema is newer than this version understands",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ShotscaleError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** What an HTTP answer carries beside code and message, so a client can act without asking again (a conflict's current plan). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShotscaleError';
    this.code = code;
    this.hint = options?.hint;
    this.details = options?.details;
  }

  /** One block for a terminal: code, message, hint. */
  toDisplay(): string {
    return `error ${this.code}: ${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

export function isShotscaleError(error: unknown, code?: ErrorCode): error is ShotscaleError {
  return error instanceof ShotscaleError && (code === undefined || error.code === code);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
