/**
 * The composition root: wires ingest -> scheduling -> inference -> analysis ->
 * broadcast and metrics, and the HTTP API around them.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ReadoutBuilder } from '../analysis/readout-builder.js';
import { AccessGuard } from '../api/access/access-guard.js';
import { assertBindAllowed } from '../api/access/access-token.js';
import { AttemptLimiter } from '../api/access/attempt-limiter.js';
import type { RouteAccess } from '../api/access/http-access.js';
import { TokenRegistry, tokenEntries } from '../api/access/token-registry.js';
import { createHttpApp } from '../api/http-app.js';
import { SocketHub } from '../api/socket-hub.js';
import { LiveCalibration } from '../calibration/live-calibration.js';
import { resolveConfigPath, type LoadedConfig } from '../config/load-config.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../errors.js';
import { configuredFfmpeg, type FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import { feedViews, runModels } from '../inference/inference-runner.js';
import { ModelSet, type CameraModelProfile } from '../inference/model-set.js';
import { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import { BatchScheduler } from '../scheduling/batch-scheduler.js';
import { DEFAULT_GOVERNOR_OPTIONS } from '../scheduling/capacity-governor.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { CANONICAL_SCALES } from '../shared/scale.js';
import type { Frame } from '../shared/frame.js';
import type { PipelineStats, ServerInfo } from '../shared/socket-events.js';
import { ShotLog } from '../shots/shot-log.js';
import { CalibrationStore, SqliteCalibrationRecords } from '../store/calibration-store.js';
import { encodeThumbnail } from '../shots/thumbnail.js';
import { PipelineStatsWindow } from '../metrics/pipeline-stats.js';
import type { ClusterNode } from '../cluster/cluster-node.js';
import { ClusterServices } from '../cluster/cluster-services.js';
import { dropOutboxTriggers } from '../cluster/shot-replicator.js';
import type { TakeCommands } from '../api/shot-routes.js';
import { localCameraDirectory } from './camera-directory.js';
import { CameraManager } from './camera-manager.js';
import { keptCameraDirectory, startKeptCameras } from './kept-cameras.js';
import { boundedStep, closeHttp, STEP_LIMIT_MS } from './shutdown-steps.js';
import { CameraOverrideStore } from '../store/camera-override-store.js';
import { REPO_ROOT, VERSION } from '../shared/version.js';

export interface RunningServer {
  url: string;
  port: number;
  cameras: CameraManager;
  models: ModelSet;
  ffmpeg: FfmpegBinary;
  metrics: PipelineMetrics;
  /** null when shots are off. */
  shotLog: ShotLog | null;
  /** This node of the cluster; null on a single node. */
  cluster: ClusterNode | null;
  /** Every HTTP route and the access it declares. */
  routes: readonly RouteAccess[];
  close(): Promise<void>;
  /**
   * For a process about to exit on an unexpected error: closes the open
   * shots at their last frame and the database, synchronously, and stops the
   * ffmpeg children. Nothing else is awaited.
   */
  closeNow(): void;
}

export interface StartOptions {
  log: Logger;
  clock?: Clock;
  webRoot?: string;
}

/** The model name a readout carries: one model, or the fused ones joined by "+". */
function profileLabel(profile: CameraModelProfile): string {
  return profile.models.map((m) => m.model.name).join('+');
}

/** The certificate and key for HTTPS, read at start: a missing file is an error with its path. */
function readTls(loaded: LoadedConfig, tls: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const read = (what: string, file: string) => {
    const resolved = resolveConfigPath(loaded, file);
    try {
      return readFileSync(resolved);
    } catch (error) {
      throw new ShotscaleError('CONFIG_INVALID', `server.tls.${what}${loaded.file ? ` (in ${loaded.file})` : ''}: cannot read ${resolved}: ${errorMessage(error)}`, {
        hint: 'make a certificate, e.g. openssl req -x509 -newkey rsa:2048 -nodes -days 365 -keyout key.pem -out cert.pem -subj /CN=shotscale',
      });
    }
  };
  return { cert: read('cert', tls.cert), key: read('key', tls.key) };
}

/**
 * What the server checks of its own settings before anything starts (and
 * shotscale doctor, so that it finds what would stop the start): a server
 * other machines can reach has a token; the certificate and key are read
 * here, so a missing one stops the start cleanly.
 */
export function checkServerSettings(loaded: LoadedConfig): { tokens: TokenRegistry; tls: { cert: Buffer; key: Buffer } | null } {
  const { server } = loaded.config;
  const tokens = new TokenRegistry(tokenEntries(server));
  assertBindAllowed(server.host, tokens.hasAccessTokens);
  return { tokens, tls: server.tls ? readTls(loaded, server.tls) : null };
}

/** This node's id in a cluster: the configured one, else the host name made safe for a key. */
export function clusterNodeId(configured: string | null): string {
  return configured ?? (hostname().replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || 'node');
}

/** A port that cannot be bound, as a coded error instead of a stack trace. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new ShotscaleError('PORT_IN_USE', `${host}:${port} is already in use (another shotscale, or another program)`, { hint: 'stop it, or choose another port with --port N or server.port' });
  }
  if (code === 'EACCES') {
    return new ShotscaleError('PORT_IN_USE', `${host}:${port} may not be bound by this user`, { hint: 'ports below 1024 need privileges: use a port above 1024 (the default is 8420)' });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new ShotscaleError('PORT_IN_USE', `${host} is not an address of this machine`, { hint: 'set server.host to one of its addresses, 0.0.0.0 for all, or 127.0.0.1' });
  }
  return error;
}

export async function startServer(loaded: LoadedConfig, options: StartOptions): Promise<RunningServer> {
  const { config } = loaded;
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const { tokens, tls } = checkServerSettings(loaded);

  const ffmpeg = configuredFfmpeg(loaded);
  log.info(`ffmpeg: ${ffmpeg.path} (from ${ffmpeg.origin}; ${ffmpeg.version}${ffmpeg.hasNdi ? '; NDI input available' : ''})`);

  const metrics = new PipelineMetrics();

  // Late-bound: the hub needs the HTTP server, the cameras need the hub.
  let hub: SocketHub | null = null;
  let cameras: CameraManager | null = null;

  const clusterSettings = config.cluster.enabled ? config.cluster : null;
  const nodeId = clusterSettings ? clusterNodeId(clusterSettings.nodeId) : null;
  // In a cluster (server/cluster/cluster-services.ts): reached before the models load.
  let cluster: ClusterServices | null = null;

  // The shot log first: a data directory in use or locked fails the start in
  // a moment, before seconds of model loading.
  const shotLog = config.shots.enabled
    ? ShotLog.open(resolveConfigPath(loaded, config.shots.dataDir), config, clock, log.child('shots'), {
        shot: (shot) => {
          if (shot.status === 'closed' && shot.cutOut) metrics.shotsClosed.inc({ camera: shot.cameraId, cut: shot.cutOut });
          hub?.shot(shot);
        },
        // In a cluster with the ids of the takes' records, as GET /api/takes gives them (a mark names those).
        takes: (running) => hub?.takes(cluster?.takeCommands()?.runningForDashboards?.(running) ?? running),
        // In a cluster the node with the coverage duty sends the cluster's coverage instead (below).
        coverage: (update) => {
          if (!config.cluster.enabled) hub?.coverage(update);
        },
        alert: (alert) => {
          hub?.alert(alert);
          cluster?.ownAlert(alert);
        },
        takeEnded: (take) => cluster?.takeEnded(take),
        takeMarked: (take) => cluster?.takeMarked(take),
        slateMarked: (change) => hub?.takeMark(change),
        planChanged: (scene) => hub?.planChanged(scene),
      }, nodeId === null ? {} : { clusterNode: nodeId })
    : null;

  // The cluster's engines next: a node that cannot reach them says which and stops, before the models load.
  // The camera manager is late-bound here: the cluster's services only use it once the node joins.
  let models: ModelSet;
  try {
    if (clusterSettings) {
      cluster = await ClusterServices.connect({
        settings: clusterSettings,
        nodeId: nodeId!,
        config,
        shotLog,
        cameras: () => cameras!,
        metrics,
        hub: () => hub,
        analysedFps: () => stats.snapshot(clock()).analysedPerS,
        clock,
        log: log.child('cluster'),
      });
    } else if (shotLog) {
      dropOutboxTriggers(shotLog.db);
    }
    models = await ModelSet.load(loaded, log, { onInferenceRestart: (name) => metrics.inferenceRestarts.inc({ model: name }) });
    metrics.modelsLoaded(['default', ...Object.keys(config.model.extra)]);
  } catch (error) {
    await cluster?.close();
    shotLog?.close();
    throw error;
  }
  const model = models.default;
  // Operators' corrections and the heads fitted from them live in the shot log's database.
  const configuredHead = models.defaultHead && config.model.calibration ? { head: models.defaultHead, file: resolveConfigPath(loaded, config.model.calibration) } : null;
  // In a cluster they are the cluster's, in PostgreSQL: a camera keeps its head on whichever node runs it.
  const clusterCalibration = cluster?.calibrationStore() ?? null;
  let calibration: LiveCalibration | null = null;
  try {
    calibration = shotLog
      ? await LiveCalibration.open({
          store: clusterCalibration?.records ?? new SqliteCalibrationRecords(new CalibrationStore(shotLog.db)),
          featureNames: model.featureNames ?? null,
          modelName: model.name,
          configured: configuredHead,
          clock,
          log: log.child('calibration'),
          ...(clusterCalibration ? { cluster: { nodeId: clusterCalibration.nodeId, announce: clusterCalibration.announce, queueIdBase: clusterCalibration.queueIdBase } } : {}),
        })
      : null;
  } catch (error) {
    await models.dispose();
    await cluster?.close();
    shotLog?.close();
    throw error;
  }
  cluster?.attachCalibration(calibration);
  /** A camera's profile with the head a production applied to it, from the next batch on. */
  const profileOf = (cameraId: string): CameraModelProfile => {
    const profile = cameras!.profile(cameraId);
    const head = calibration?.headFor(cameraId);
    return head === undefined ? profile : { ...profile, head };
  };
  const guard = new AccessGuard(tokens, new AttemptLimiter(config.server.authAttempts, clock), (transport, reason) => metrics.authRefused.inc({ transport, reason }));
  // A feed that alternates views is read a pair of frames at a time, as a still picture is read both ways.
  const readouts = new ReadoutBuilder({ ...config.pipeline.smoothing, pairViews: config.model.mirrorViews }, clock);
  const stats = new PipelineStatsWindow();
  const lastPreview = new Map<string, number>();
  const previewEveryMs = config.dashboard.previewFps > 0 ? 1000 / config.dashboard.previewFps : Infinity;
  const info = (): ServerInfo => ({ version: VERSION, model: model.name, executionProvider: model.executionProvider, labels: CANONICAL_SCALES, frozenS: config.coverage.alerts.frozenS });

  /** A camera's analysed frame as a JPEG, to dashboards showing it, at most previewFps. */
  const sendPreview = (frame: Frame) => {
    const now = clock();
    if (now - (lastPreview.get(frame.cameraId) ?? 0) < previewEveryMs || !hub?.wantsPreview(frame.cameraId)) return;
    lastPreview.set(frame.cameraId, now);
    try {
      hub.preview({ cameraId: frame.cameraId, captureTime: frame.captureTime, width: frame.width, height: frame.height, jpeg: encodeThumbnail(frame) });
    } catch (error) {
      log.warn(`preview of ${frame.cameraId} not encoded: ${errorMessage(error)}`);
    }
  };

  // While a model thread restarts, every batch fails with that restart's one
  // INFERENCE_UNAVAILABLE error (5 batches a second per camera): logged once.
  const unavailableLogged = new WeakSet<Error>();
  const { overload } = config.pipeline;
  const views = feedViews(config.model.mirrorViews);
  const headInUse = new Map<string, CameraModelProfile['head']>();
  const scheduler = new BatchScheduler(
    {
      ...config.pipeline.batch,
      maxSize: Math.min(config.pipeline.batch.maxSize, model.maxBatch ?? Infinity),
      ringBufferSize: config.pipeline.ringBufferSize,
      governor: overload.fairShare ? { ...DEFAULT_GOVERNOR_OPTIONS, targetUtilisation: overload.targetUtilisation } : null,
      lanes: model.lanes ?? 1,
    },
    {
      runBatch: async (batch) => {
        // A camera removed while its frame waited is skipped, not an error for the whole batch.
        const frames = batch.filter((f) => cameras!.has(f.cameraId));
        if (!frames.length) return;
        const profiles = new Map(frames.map((f) => [f.cameraId, profileOf(f.cameraId)]));
        const started = performance.now();
        const predictions = await runModels(frames, (cameraId) => profiles.get(cameraId)!, views);
        const inferenceMs = performance.now() - started;
        metrics.inferenceSeconds.observe(inferenceMs / 1000);
        metrics.batchSize.observe(frames.length);
        stats.batch(clock(), inferenceMs, frames.length);
        frames.forEach((frame, i) => {
          if (!cameras!.has(frame.cameraId)) return;
          // Another head (a production's corrections applied or rolled back):
          // the label follows it at once, not through the old head's smoothing.
          const head = profiles.get(frame.cameraId)!.head;
          if (headInUse.has(frame.cameraId) && headInUse.get(frame.cameraId) !== head) readouts.reset(frame.cameraId);
          headInUse.set(frame.cameraId, head);
          const tracker = shotLog?.tracker(frame.cameraId);
          // A cut before this frame: the new shot's smoothing starts at the cut, with the frames read since it.
          tracker?.takeSmoothingReset(frame.session, frame.timeS, (since) => readouts.restart(frame.cameraId, since));
          const readout = readouts.build(frame, predictions[i]!, profileLabel(profiles.get(frame.cameraId)!));
          const analysis = predictions[i]!.analysis;
          tracker?.readout(frame.session, frame.timeS, frame.captureTime, readout, { timeS: frame.timeS, width: frame.width, height: frame.height, data: frame.data, ...(analysis ? { analysis } : {}) });
          shotLog?.readout(frame.cameraId, readout.label, readout.captureTime, readout);
          cluster?.readout(frame.cameraId, readout.label, readout.captureTime, readout);
          // A frame with no picture is nothing to label.
          if (!readout.noPicture) calibration?.observe(frame.cameraId, frame, analysis, readout.label, predictions[i]!.probabilities);
          stats.readout(frame.cameraId, clock(), readout.latencyMs);
          sendPreview(frame);
          metrics.framesAnalysed.inc({ camera: frame.cameraId });
          metrics.glassToReadout.observe({ camera: frame.cameraId }, readout.latencyMs / 1000);
          hub?.readout(readout);
        });
      },
      onDrop: (cameraId, reason, count) => {
        metrics.framesDropped.inc({ camera: cameraId, reason }, count);
        // Frames skipped for a fair share are the rate the health view shows, not a loss.
        if (reason === 'throttled') return;
        stats.dropped(clock(), count);
        cameras?.countDropped(cameraId, count);
      },
      onBatchError: (error) => {
        if (isShotscaleError(error, 'INFERENCE_UNAVAILABLE')) {
          if (unavailableLogged.has(error)) return;
          unavailableLogged.add(error);
        }
        log.error(`inference failed for a batch: ${isShotscaleError(error) ? `${error.code}: ` : ''}${errorMessage(error)}`);
      },
      onCapacity: (state, previous) => {
        metrics.overCapacity.set(state.overCapacity ? 1 : 0);
        if (state.capacityFps !== null) metrics.modelCapacity.set(state.capacityFps);
        for (const [cameraId, share] of Object.entries(state.cameras)) metrics.analysisRate.set({ camera: cameraId }, share.allowedFps);
        if (state.overCapacity !== previous.overCapacity) {
          const shares = Object.entries(state.cameras).map(([id, c]) => `${id} ${c.allowedFps}/${c.arrivingFps}`).join(', ');
          // The model is handed less than it can do (the rest absorbs jitter): say how much, or a
          // demand under the capacity reads as a contradiction.
          const handed = Math.round(Object.values(state.cameras).reduce((sum, c) => sum + c.allowedFps, 0) * 10) / 10;
          if (state.overCapacity) log.warn(`over capacity: the cameras deliver ${state.demandFps} frames/s; the model analyses about ${state.capacityFps} a second and is handed ${handed} of them, the rest kept for jitter; each camera now gets a fair share (fps analysed/delivered: ${shares})`);
          else if (state.demandFps > 0) log.info(`back within capacity: every camera analysed at its full rate (${state.demandFps} frames/s)`);
          else log.info('back within capacity: no camera is sending frames now');
          // The wall shows each camera's rate: tell it now rather than at the next 2 s tick.
          for (const status of cameras?.list() ?? []) hub?.status(status);
        }
      },
    },
    clock,
  );

  cameras = new CameraManager({
    ffmpegPath: ffmpeg.path,
    argsContext: { ffmpeg, logLevel: config.ffmpeg.logLevel, platform: process.platform },
    models,
    supervisorSettings: config.supervisor,
    baseDir: loaded.baseDir,
    scheduler,
    readouts,
    metrics,
    clock,
    log,
    onStatus: (status) => hub?.status(status),
    onRemoved: (cameraId, why) => {
      stats.forget(cameraId);
      lastPreview.delete(cameraId);
      calibration?.forget(cameraId);
      headInUse.delete(cameraId);
      if (views !== 'as-is') views.forget(cameraId);
      // A camera moved to another node stays on the wall: that node's statuses follow.
      if (why === 'removed') hub?.removed(cameraId);
    },
    shotLog,
    ...(nodeId ? { nodeId } : {}),
  });

  const startedAt = Date.now();
  const pipelineStats = (): PipelineStats => ({
    model: model.name,
    executionProvider: model.executionProvider,
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
    rssBytes: process.memoryUsage().rss,
    ...stats.snapshot(clock()),
    capacity: scheduler.capacity(),
  });

  const manager = cameras;
  metrics.restartsFrom(() => manager.list());
  metrics.alertsFrom(() => cluster?.activeAlerts() ?? shotLog?.alerts.active() ?? []);
  // A single server keeps its cameras' changes over the API in the shot log, for the next start (kept-cameras.ts).
  const keptCameras = !clusterSettings && shotLog ? new CameraOverrideStore(shotLog.db) : null;
  const localDirectory = keptCameras ? keptCameraDirectory(localCameraDirectory(manager), manager, keptCameras, new Set(config.cameras.map((c) => c.id)), clock) : localCameraDirectory(manager);
  /** The camera routes: this process's cameras, or (once the node has joined) the cluster's. */
  const cameraDirectory = () => cluster?.directory() ?? localDirectory;
  shotLog?.knowCameras(() => cameraDirectory().list().map((c) => c.cameraId));
  const logTakes: TakeCommands | null = shotLog ? (cluster?.takeCommands() ?? { start: (request) => shotLog.startTake(request), end: (cameraIds) => shotLog.endTake(cameraIds), mark: (id, mark) => shotLog.markTake(id, mark) }) : null;
  /** A take names cameras there are (a typo would slate, or end, nothing on any camera); ending one may name a camera removed since it started. */
  const knownCameras = (cameraIds: string[] | null | undefined, alsoRunning = false): string[] | null => {
    if (!cameraIds) return null;
    const known = new Set(cameraDirectory().list().map((c) => c.cameraId));
    if (alsoRunning) for (const take of shotLog?.runningTakes() ?? []) for (const id of take.cameras ?? []) known.add(id);
    const unknown = cameraIds.filter((id) => !known.has(id));
    if (unknown.length) throw new ShotscaleError('CAMERA_NOT_FOUND', `cameras: no camera ${unknown.slice(0, 5).map((id) => JSON.stringify(id)).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}; a take names cameras of this server (GET /api/cameras)`);
    return cameraIds;
  };
  const takeCommands: TakeCommands | null = logTakes && {
    start: (request) => logTakes.start({ ...request, cameras: knownCameras(request.cameras) }),
    end: (cameraIds) => logTakes.end(knownCameras(cameraIds, true)),
    mark: (id, mark) => logTakes.mark(id, mark),
  };

  const { app, routes } = await createHttpApp({
    guard,
    whipOrigins: config.supervisor.whip.allowedOrigins,
    log: log.child('http'),
    tls,
    cameras,
    directory: cameraDirectory,
    ...(cluster ? { selfUrl: () => cluster?.node?.url ?? null, calibrationCluster: cluster.calibrationRoutes() } : {}),
    cluster: cluster ? () => cluster!.state() : null,
    ...(takeCommands ? { shotRoutes: { takes: takeCommands, cluster: cluster?.shotRoutes() ?? null } } : {}),
    metrics,
    info,
    startedAt,
    shotLog,
    calibration,
    stats: pipelineStats,
    webRoot: options.webRoot ?? path.join(REPO_ROOT, 'web', 'dist'),
  });
  await app.ready();
  hub = new SocketHub(app.server, {
    guard,
    info,
    cameras: () => cameraDirectory().list(),
    ...(cluster ? { cluster: cluster.hubOptions() } : {}),
    onClientCount: (n) => metrics.socketClients.set(n),
    onReadoutDropped: () => metrics.readoutsDroppedForSlowClients.inc(),
    log: log.child('socket'),
    ...(shotLog
      ? {
          shots: {
            snapshot: () => ({ takes: cluster?.takeCommands()?.withRecordIds?.(shotLog.runningTakes()) ?? shotLog.runningTakes(), alerts: cluster?.activeAlerts() ?? shotLog.alerts.active(), coverage: shotLog.coverageUpdate() }),
            startTake: (request) => takeCommands!.start(request),
            endTake: (cameraIds) => {
              const ended = takeCommands!.end(cameraIds);
              return cluster?.takeCommands()?.withRecordIds?.(ended) ?? ended;
            },
          },
        }
      : {}),
  });
  cluster?.listen(hub);
  const startedHub = hub;
  /**
   * Undoes what the start began, each step bounded (shutdown-steps.ts): the
   * stop, and a start that fails from here on (a cluster that cannot be
   * joined must not leave `serve` hanging on a connection that never closes).
   */
  const stopSteps = async () => {
    scheduler.close();
    await boundedStep('stopping cameras', () => manager.stopAll(), log);
    await boundedStep('the last inference batch', () => scheduler.idle(), log);
    await boundedStep('closing HTTP and Socket.IO', () => closeHttp(app.server, [() => startedHub.close(), () => app.close()]), log);
    // After the cameras: their open shots close at their last frame first, and are copied.
    if (cluster) await boundedStep('copying the last shots to the cluster and closing its connections', () => cluster.close(), log, 2 * STEP_LIMIT_MS);
    shotLog?.close();
    await boundedStep('releasing the models', () => models.dispose(), log);
  };
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    await stopSteps();
    throw listenError(error, config.server.host, config.server.port);
  }
  const port = (app.server.address() as AddressInfo).port;
  const shownHost = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${port}`;

  if (cluster) {
    // The cluster's cameras are shared out by leases; this config's cameras join the cluster's list.
    try {
      const node = await cluster.join(url, (fault) => {
        if (shotLog) shotLog.alerts.clusterFault(fault, clock());
        else if (fault) log.warn(fault.message);
      });
      // A camera that lost its node (or of which nothing is known while Redis is away): each node tells its own pages.
      node.onStatus((status) => startedHub.io.local.emit('camera:status', status));
    } catch (error) {
      await stopSteps();
      throw error;
    }
  } else {
    startKeptCameras(manager, config.cameras, keptCameras, log);
  }

  // Statuses carry live counters (fps, drops); push them every 2 s as well as on change.
  const statusTimer = setInterval(() => {
    for (const status of manager.list()) hub?.status(status);
    hub?.stats(pipelineStats());
    hub?.announcePreviewWants();
    cluster?.tick();
    metrics.authBlockedAddresses.set(guard.blockedAddresses());
  }, 2000);
  statusTimer.unref();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(statusTimer);
      // A node hands its cameras over first: the others take them at their next tick, not after the lease time.
      if (cluster) await boundedStep('handing cameras to other nodes', () => cluster.drain(), log);
      await stopSteps();
    })());

  const closeNow = () => {
    clearInterval(statusTimer);
    scheduler.close();
    manager.killAll();
    shotLog?.close();
  };

  return { url, port, cameras: manager, models, ffmpeg, metrics, shotLog, cluster: cluster?.node ?? null, routes, close, closeNow };
}
