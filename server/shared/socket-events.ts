/**
 * The one typed Socket.IO event map, shared by server/ and web/.
 * Change it here and both sides are checked against it.
 */
import type { Role } from './access-roles.js';
import type { CanonicalScale, ScaleProbabilities } from './scale.js';
import type { NoPicture, Subjects } from './frame-content.js';
import type { Alert, CoverageUpdate, ShotRecord, SlateMark, Take } from './shots.js';

export { NO_PICTURE_KINDS, type NoPicture, type Subjects } from './frame-content.js';

/**
 * starting, live, stalled, restarting, failed, stopped: an ffmpeg camera;
 * waiting (for a publisher), live, stalled, gone (the publisher left): a
 * WebRTC camera.
 */
export type CameraState = 'starting' | 'live' | 'stalled' | 'restarting' | 'failed' | 'stopped' | 'waiting' | 'gone';

export type SourceKind = 'rtsp' | 'webcam' | 'ndi' | 'file' | 'testsrc' | 'url' | 'webrtc';

/** One analysed frame of one camera. */
export interface Readout {
  cameraId: string;
  /** Epoch milliseconds at which the frame left the decoder. */
  captureTime: number;
  /** Hysteresis-stable label from the smoothed probabilities. */
  label: CanonicalScale;
  /** Smoothed probability of `label`. */
  confidence: number;
  /** This frame's probabilities, canonical order. */
  raw: ScaleProbabilities;
  /** EMA-smoothed probabilities, canonical order. */
  smoothed: ScaleProbabilities;
  /** Capture to emission, milliseconds. */
  latencyMs: number;
  /** Name of the model that produced `raw`. */
  model: string;
  /** Why the model read this frame as it did (`raw`), when it can say. */
  reason?: string;
  /**
   * Why `label`: the reason of the latest frame that read it. It differs
   * from `reason` while the label is held (hysteresis) against a frame that
   * reads otherwise.
   */
  labelReason?: string;
  /** Who is in the shot, when the model can say. */
  subjects?: Subjects;
  /** Who was in the frame `labelReason` is of (shown beside it). */
  labelSubjects?: Subjects;
  /**
   * Set when this frame is one flat colour (server/analysis/picture-check.ts):
   * it did not move `smoothed` or `label`, which are held from the last frame
   * with a picture (or, before any, are this frame's own and mean nothing).
   */
  noPicture?: NoPicture;
  /**
   * Set on a frame with no picture when no frame with a picture has been
   * read since the camera started or cut: `label` is then this flat frame's
   * own reading, held from nothing, and means nothing.
   */
  labelUnread?: true;
  /**
   * Epoch ms since which this camera's picture has not changed, but for
   * what a lossy encoder alters (server/analysis/still-picture.ts): a frozen
   * feed, or a still picture. Absent while the picture changes.
   */
  stillSince?: number;
}

/** What a readout says of the picture itself, beside its scale: what the alerts watch. */
export type PictureState = Pick<Readout, 'noPicture' | 'stillSince'>;

export interface CameraStatus {
  cameraId: string;
  name: string;
  enabled: boolean;
  sourceKind: SourceKind;
  /** Source with credentials removed. */
  source: string;
  state: CameraState;
  /** Epoch ms of the last state change. */
  since: number;
  analysisFps: number;
  /**
   * While the server is over capacity: the frames per second this camera is
   * analysed at (its fair share, below what it delivers). null (or absent):
   * every frame it delivers is analysed.
   */
  analysisRate?: number | null;
  /** Frames per second actually received over the last few seconds. */
  measuredFps: number;
  /**
   * The source sends fewer pictures a second than analysisFps asks (a 1 fps
   * camera analysed at 5): each is received and analysed once, at the
   * source's own rate (measuredFps), which is no fault. Absent: it keeps up.
   */
  sourceSlower?: boolean;
  framesIn: number;
  framesDropped: number;
  reconnects: number;
  stalls: number;
  /** Last error in words (spawn failure, exit code / signal, stall). */
  lastError: string | null;
  /**
   * The stable code of lastError's failure, one of server/errors.ts's
   * (SOURCE_UNREACHABLE, SOURCE_AUTH, SOURCE_NOT_FOUND, SOURCE_NOT_VIDEO,
   * SOURCE_ENDED, SOURCE_STALLED, SOURCE_UNSUPPORTED, FFMPEG_NOT_FOUND,
   * SOURCE_FAILED), for a script to act on without reading the words. null
   * while live, and when lastError tells of no failure (a listener or WHIP
   * camera waiting for its sender, a disabled camera).
   */
  errorCode: string | null;
  /** Last lines of ffmpeg's stderr, credentials scrubbed. */
  lastStderr: string[];
  /** In a cluster: the node analysing the camera (null: none now). Absent on a single node. */
  node?: string | null;
}

export interface ServerInfo {
  /** What this connection's token may do (in `hello`; the local user is an admin on a server without tokens). */
  role?: Role;
  version: string;
  model: string;
  executionProvider: string;
  labels: readonly CanonicalScale[];
  /**
   * coverage.alerts.frozenS: after how many seconds of an unchanged picture
   * the frozen alert is raised (null: never), so that a tile says so at the
   * same moment. Absent from a server that does not send it.
   */
  frozenS?: number | null;
}

/** The recent picture of the pipeline, for the health view (a sliding window of about 30 s). */
export interface PipelineStats {
  model: string;
  executionProvider: string;
  uptimeS: number;
  rssBytes: number;
  windowS: number;
  batches: number;
  inferenceMs: { p50: number; p95: number; max: number };
  batchSize: { mean: number; max: number };
  /** Capture to readout. */
  latencyMs: { p50: number; p95: number };
  analysedPerS: number;
  analysedPerSByCamera: Record<string, number>;
  droppedPerS: number;
  /** Whether the cameras ask for more than the model can analyse, and each camera's share; null when the governor is off. */
  capacity: CapacitySummary | null;
}

/** The capacity governor's picture (server/scheduling/capacity-governor.ts). */
export interface CapacitySummary {
  overCapacity: boolean;
  /**
   * Still reported over capacity (the report is held while the cameras climb
   * back a step at a time, and for a while after), but the model has room for
   * every camera's rate now: the page says "recovering", not "over capacity"
   * beside a capacity several times the demand. Absent from older servers.
   */
  recovering?: boolean;
  /** Frames a second the model gets through while busy; null before it is measured. */
  capacityFps: number | null;
  /** Frames a second the cameras deliver for analysis. */
  demandFps: number;
  /** Share of the last seconds the model was busy (0..1). */
  utilisation: number;
  cameras: Record<string, { arrivingFps: number; allowedFps: number }>;
}

/** A low-rate preview of a camera: the analysed frame as a JPEG. */
export interface Preview {
  cameraId: string;
  captureTime: number;
  width: number;
  height: number;
  /** JPEG bytes (an ArrayBuffer in the browser). */
  jpeg: ArrayBuffer | Uint8Array;
}

export interface ServerToClientEvents {
  /** Sent once on connect: the server and every camera's status. */
  hello: (info: ServerInfo, cameras: CameraStatus[]) => void;
  readout: (readout: Readout) => void;
  'camera:status': (status: CameraStatus) => void;
  'camera:removed': (payload: { cameraId: string }) => void;
  /** A shot opened, closed, or was edited (tags, note). */
  shot: (shot: ShotRecord) => void;
  /** The takes running now (sent on connect and on every change). */
  takes: (running: Take[]) => void;
  /**
   * A take was circled, marked NG or cleared (any take, ended ones too): the
   * mark its scene and take number's shots carry now, for views that list
   * shots (GET /api/shots has it in each shot's `takeMark`).
   */
  'take:mark': (change: SlateMark) => void;
  /** Coverage per camera and per scene, with plan status (on connect, then at most once a second). */
  coverage: (update: CoverageUpdate) => void;
  /** An alert raised, or resolved (resolvedAt set). On connect: every active one. */
  alert: (alert: Alert) => void;
  /**
   * A scene's coverage plan was stored or deleted (by any client, on any
   * node): GET /api/plans has it with its new revision. Sent to every
   * client (reading plans needs a viewer, as connecting does).
   */
  'plan:changed': (change: { scene: string }) => void;
  /** Pipeline figures for the health view, every 2 s. */
  stats: (stats: PipelineStats) => void;
  /** A camera's preview, to clients that asked (preview:subscribe), at dashboard.previewFps. */
  preview: (preview: Preview) => void;
}

export interface TakeStartRequest {
  scene: string;
  /** Default: the scene's next take number. */
  take?: string;
  /** Default: every camera. */
  cameras?: string[] | null;
  /** Slate a take number the scene has used before, on purpose (else TAKE_EXISTS). */
  again?: boolean;
}

/**
 * The message of the connect_error a refused connection gets (its data has
 * the code and the reason in words), which the page acts on: a token prompt,
 * a wait, or a refusal no token typed into the page can lift.
 */
export const CONNECT_REFUSAL = {
  /** No token, or a wrong one. */
  unauthorized: 'unauthorized',
  /** Too many wrong tokens from this address: wait. */
  blocked: 'too many attempts',
  /** A server without tokens refuses a page of another site, or a name that is not loopback. */
  foreignPage: 'foreign page',
  /** A publish token: it may publish a camera (WHIP) and watch nothing. */
  publishOnly: 'publish only',
} as const;

/** The answer to take:start and take:end: what started or ended, or why not. */
/** A refused take says why; `details` what a client may act on (TAKE_EXISTS: `{ scene, take, next, when }`). */
/**
 * A refusal carries what its error adds beside code and message, as an HTTP
 * answer does (TAKE_EXISTS: scene, take, next, when), and in `details` too.
 */
export type TakeAck =
  | { ok: true; takes: Take[] }
  | { ok: false; error: { code: string; message: string; details?: Record<string, unknown>; scene?: string; take?: string; next?: string; when?: string } };

/** The answer to subscribe and preview:subscribe: the subscription in force after it (null: every camera), and why not if refused. */
export type SubscribeAck = { ok: true; subscribed: string[] | null } | { ok: false; error: { code: string; message: string }; subscribed: string[] | null };

export interface ClientToServerEvents {
  /** Narrow this client's readouts to these cameras; null means all cameras (the default). */
  subscribe: (cameraIds: string[] | null, ack?: (result: SubscribeAck) => void) => void;
  /** Ask for previews of these cameras; null: all; []: none (the default). */
  'preview:subscribe': (cameraIds: string[] | null, ack?: (result: SubscribeAck) => void) => void;
  /** Slate a take: "scene 12, take 3" on every camera or some. */
  'take:start': (request: TakeStartRequest, ack?: (result: TakeAck) => void) => void;
  /** End the running take (all, or those on these cameras). */
  'take:end': (request: { cameras?: string[] | null } | null, ack?: (result: TakeAck) => void) => void;
}
