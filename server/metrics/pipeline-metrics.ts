/**
 * Prometheus metrics, by construction: each stage is handed the instruments it
 * updates; nothing is scraped from a stats object. One registry per server.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ALERT_KINDS, SHOT_BOUNDARIES, type Alert } from '../shared/shots.js';
import { REFUSAL_REASONS, TRANSPORTS } from '../api/access/access-guard.js';
import type { DropReason } from '../scheduling/ring-buffer.js';

/** Every reason a frame is dropped for; a Record, so a new DropReason cannot be left out of the zeroing. */
const DROP_REASONS = Object.keys({ overflow: 0, superseded: 0, stale: 0, throttled: 0 } satisfies Record<DropReason, 0>) as DropReason[];
/** The cuts that close a shot: 'start' only ever opens one. */
const CUTS_OUT = SHOT_BOUNDARIES.filter((cut) => cut !== 'start');

export class PipelineMetrics {
  readonly registry = new Registry();

  readonly framesIn: Counter<'camera'> = new Counter({
    name: 'shotscale_frames_in_total',
    help: 'Frames received from the source, per camera',
    labelNames: ['camera'] as const,
    registers: [this.registry],
    collect: (): void => this.zeroCameras((camera) => this.framesIn.inc({ camera }, 0)),
  });
  readonly framesDropped: Counter<'camera' | 'reason'> = new Counter({
    name: 'shotscale_frames_dropped_total',
    help: 'Frames dropped before inference, per camera and reason (overflow: ring full; superseded: a newer frame won; stale: older than the staleness budget; throttled: beyond the camera\'s fair share while over capacity)',
    labelNames: ['camera', 'reason'] as const,
    registers: [this.registry],
    collect: (): void => this.zeroCameras((camera) => {
      for (const reason of DROP_REASONS) this.framesDropped.inc({ camera, reason }, 0);
    }),
  });
  readonly framesAnalysed: Counter<'camera'> = new Counter({
    name: 'shotscale_frames_analysed_total',
    help: 'Frames classified, per camera',
    labelNames: ['camera'] as const,
    registers: [this.registry],
    collect: (): void => this.zeroCameras((camera) => this.framesAnalysed.inc({ camera }, 0)),
  });
  readonly batchSize = new Histogram({ name: 'shotscale_batch_size', help: 'Frames per inference batch', buckets: [1, 2, 4, 6, 8, 12, 16, 24, 32, 64], registers: [this.registry] });
  readonly inferenceSeconds = new Histogram({
    name: 'shotscale_inference_seconds',
    help: 'Wall time of one batch through the model (preprocessing included)',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly glassToReadout = new Histogram({
    name: 'shotscale_glass_to_readout_seconds',
    help: 'From a frame leaving the decoder to its readout being emitted, per camera',
    labelNames: ['camera'] as const,
    buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2],
    registers: [this.registry],
  });
  /**
   * Read from the cameras' own reconnect counts at each scrape (restartsFrom),
   * the figure the dashboard shows: a camera that never comes back stays in
   * "restarting" through every attempt, so counting the state's changes
   * counted its first restart alone.
   */
  readonly ffmpegRestarts = new Counter({
    name: 'shotscale_ffmpeg_restarts_total',
    help: 'ffmpeg restarts, per camera',
    labelNames: ['camera'] as const,
    registers: [this.registry],
    collect: () => this.collectRestarts(),
  });
  private restartCounts: () => Iterable<{ cameraId: string; reconnects: number }> = () => [];
  /** Each camera's reconnect count as last added to ffmpegRestarts. */
  private readonly restartsCounted = new Map<string, number>();
  readonly inferenceRestarts = new Counter({
    name: 'shotscale_inference_restarts_total',
    help: 'Inference thread restarts (the thread died, or a restarted one failed to load), per model (default, or the name of an extra)',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly stalls: Counter<'camera'> = new Counter({
    name: 'shotscale_camera_stalls_total',
    help: 'Stalls (no frame within the stall timeout), per camera',
    labelNames: ['camera'] as const,
    registers: [this.registry],
    collect: (): void => this.zeroCameras((camera) => this.stalls.inc({ camera }, 0)),
  });
  readonly cameraUp = new Gauge({ name: 'shotscale_camera_up', help: '1 when the camera is live, else 0', labelNames: ['camera'] as const, registers: [this.registry] });
  readonly readoutsDroppedForSlowClients = new Counter({
    name: 'shotscale_socket_readouts_dropped_total',
    help: 'Readouts not sent to a Socket.IO client because its queue was full (a slow client)',
    registers: [this.registry],
  });
  readonly socketClients = new Gauge({ name: 'shotscale_socket_clients', help: 'Connected Socket.IO clients', registers: [this.registry] });
  readonly shotsClosed: Counter<'camera' | 'cut'> = new Counter({
    name: 'shotscale_shots_total',
    help: `Shots closed, per camera and by what ended them (${CUTS_OUT.join(', ')})`,
    labelNames: ['camera', 'cut'] as const,
    registers: [this.registry],
    collect: (): void => this.zeroCameras((camera) => {
      for (const cut of CUTS_OUT) this.shotsClosed.inc({ camera, cut }, 0);
    }),
  });
  /**
   * Every kind always present (0 when none), so a query by kind never finds a
   * series gone stale. Counted at each scrape from the alerts the wall shows
   * (alertsFrom): in a cluster the cluster's, which one node judges; set
   * from this node's own alone, the stalled cameras of a dead node read 0.
   */
  readonly alertsActive = new Gauge({
    name: 'shotscale_alerts_active',
    help: `Alerts active now, by kind (${ALERT_KINDS.join(', ')}); in a cluster every node counts the alerts on the wall, the cluster's`,
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => this.collectAlerts(),
  });
  private activeAlerts: () => readonly Pick<Alert, 'kind'>[] = () => [];
  readonly authRefused = new Counter({
    name: 'shotscale_auth_refused_total',
    help: 'Requests and Socket.IO connections refused, by transport and reason (missing: no token; wrong: a token that matches none; blocked: too many wrong tokens from the address; forbidden: the role does not allow it; foreign-page: no token, from a page of another site or sent to a name that is not loopback)',
    labelNames: ['transport', 'reason'] as const,
    registers: [this.registry],
  });
  readonly overCapacity = new Gauge({ name: 'shotscale_over_capacity', help: '1 while the cameras ask for more frames than the model can analyse (each camera then gets a fair share), else 0', registers: [this.registry] });
  readonly analysisRate = new Gauge({
    name: 'shotscale_analysis_rate_fps',
    help: 'Frames a second each camera is analysed at now: its requested rate, or its fair share while over capacity',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  readonly modelCapacity = new Gauge({ name: 'shotscale_model_capacity_fps', help: 'Frames a second the model gets through while busy, as measured over the last seconds', registers: [this.registry] });
  readonly authBlockedAddresses = new Gauge({ name: 'shotscale_auth_blocked_addresses', help: 'Addresses refused now for too many wrong tokens', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'shotscale_' });
    // A counter's series appears at 0 before its first event, so increase(...[5m]) > 0 sees the first one too.
    for (const transport of TRANSPORTS) for (const reason of REFUSAL_REASONS) this.authRefused.inc({ transport, reason }, 0);
  }

  /** Each model's inference restarts start at 0 once it is loaded. */
  modelsLoaded(names: Iterable<string>): void {
    for (const model of names) this.inferenceRestarts.inc({ model }, 0);
  }

  /**
   * Starts a camera's counters at 0 at the scrape after it is added (the cameras listed now, from
   * restartsFrom: the config's, the API's and WHIP's alike), so the first frame, drop, shot or stall
   * after it is an increase; forgetCamera removes them.
   */
  private zeroCameras(zero: (camera: string) => void): void {
    for (const { cameraId } of this.restartCounts()) zero(cameraId);
  }

  /** Where shotscale_alerts_active is read from: the alerts active now, as the wall shows them. */
  alertsFrom(active: () => readonly Pick<Alert, 'kind'>[]): void {
    this.activeAlerts = active;
  }

  private collectAlerts(): void {
    const active = this.activeAlerts();
    for (const kind of ALERT_KINDS) this.alertsActive.set({ kind }, active.filter((alert) => alert.kind === kind).length);
  }

  /** Where shotscale_ffmpeg_restarts_total is read from: the local cameras' statuses. */
  restartsFrom(cameras: () => Iterable<{ cameraId: string; reconnects: number }>): void {
    this.restartCounts = cameras;
  }

  /** Adds what each camera's reconnect count grew by since the last scrape (a camera started afresh counts from 0 again). */
  collectRestarts(): void {
    for (const { cameraId, reconnects } of this.restartCounts()) {
      const counted = this.restartsCounted.get(cameraId) ?? 0;
      const added = reconnects >= counted ? reconnects - counted : reconnects;
      // inc by 0 too: a camera added since the last scrape shows its series at 0.
      this.ffmpegRestarts.inc({ camera: cameraId }, added);
      this.restartsCounted.set(cameraId, reconnects);
    }
  }

  /** Removes a camera's series when the camera is removed. */
  forgetCamera(camera: string): void {
    this.restartsCounted.delete(camera);
    for (const metric of [this.framesIn, this.framesAnalysed, this.glassToReadout, this.ffmpegRestarts, this.stalls, this.cameraUp, this.analysisRate]) {
      metric.remove({ camera });
    }
    for (const reason of DROP_REASONS) this.framesDropped.remove({ camera, reason });
    for (const cut of SHOT_BOUNDARIES) this.shotsClosed.remove({ camera, cut });
  }
}
