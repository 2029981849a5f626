/**
 * Everything a node of a cluster adds to the single-node server, in the
 * order a start needs it:
 *
 * 1. connect: Redis and PostgreSQL reached (or a coded error naming which),
 *    the schema migrated, its Redis key prefix the one the cluster's
 *    database records (CONFIG_INVALID otherwise), this node's id held in PostgreSQL for this process
 *    alone (node-id-lock.ts: CLUSTER_NODE_ID_IN_USE otherwise), its shot ids
 *    set apart and their copy to PostgreSQL started; before the models load,
 *    so that a node that cannot join stops at once.
 * 2. the cluster's side of the API: shots, coverage, plans, takes,
 *    alerts and calibration of every node, and the Socket.IO Redis adapter
 *    for the hub.
 * 3. join, once the server listens (the other nodes need its URL): camera
 *    leases, heartbeats, the running takes and plans.
 *
 * The composition root (app/shotscale-server.ts) calls these and stays
 * unaware of what a cluster is made of.
 */
import type { ServerOptions } from 'socket.io';
import type { ClusterShots, TakeCommands } from '../api/shot-routes.js';
import type { SocketHub } from '../api/socket-hub.js';
import { localCameraDirectory, type CameraDirectory } from '../app/camera-directory.js';
import type { CameraManager } from '../app/camera-manager.js';
import type { CameraConfig, Config } from '../config/schema.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { CanonicalScale } from '../shared/scale.js';
import type { Alert, Take } from '../shared/shots.js';
import type { PictureState } from '../shared/socket-events.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { CalibrationRoutesCluster } from '../api/calibration-routes.js';
import type { LiveCalibration } from '../calibration/live-calibration.js';
import type { CalibrationRecords } from '../store/calibration-store.js';
import { ClusterAlerts } from './cluster-alerts.js';
import { ClusterCalibration } from './cluster-calibration.js';
import { clusterCameraDirectory } from './cluster-cameras.js';
import { connectCluster, type ClusterConnections, type ClusterSettings } from './cluster-connections.js';
import { ClusterCoverage } from './cluster-coverage.js';
import { clusterFanout, type ClusterFanout } from './cluster-fanout.js';
import { ClusterNode, type ClusterNodeState } from './cluster-node.js';
import { migrateCluster, recordClusterIdentity } from './cluster-schema.js';
import { ClusterShotLog } from './cluster-shot-log.js';
import { ClusterShotSync } from './cluster-shot-sync.js';
import { KEEPALIVE_S, NodeIdLock } from './node-id-lock.js';
import { firstShotId, NODE_ID_SPAN, nodeNumber, ShotReplicator, type ReplicationState } from './shot-replicator.js';

/** The shot log's side of a cluster: present when shots are on. */
interface ClusterShotServices {
  log: ClusterShotLog;
  coverage: ClusterCoverage;
  sync: ClusterShotSync;
  alerts: ClusterAlerts;
}

export interface ClusterServicesDeps {
  settings: ClusterSettings;
  nodeId: string;
  config: Pick<Config, 'coverage' | 'cameras'>;
  shotLog: ShotLog | null;
  /** Late-bound: the cameras are made after the models load, which is after the cluster is reached. */
  cameras: () => CameraManager;
  metrics: PipelineMetrics;
  /** Late-bound: the hub exists once the HTTP app does. */
  hub: () => SocketHub | null;
  analysedFps: () => number;
  clock: Clock;
  log: Logger;
}

export class ClusterServices {
  readonly fanout: ClusterFanout;
  private readonly shots: ClusterShotServices | null;
  /** The production's calibration, one for the cluster (with the shot log, as on a single node). */
  private readonly calibration: ClusterCalibration | null;
  /** Joined once the server listens. */
  node: ClusterNode | null = null;

  private constructor(
    private readonly deps: ClusterServicesDeps,
    private readonly connections: ClusterConnections,
    private readonly replicator: ShotReplicator | null,
    /** This process's hold on its node id (and on its shot-id range). */
    private readonly idLock: NodeIdLock,
    /** This node's number times NODE_ID_SPAN: its shot ids and label-these ids start there. */
    private readonly idBase: number,
  ) {
    const { settings, nodeId, shotLog, hub, clock, log } = deps;
    this.fanout = clusterFanout(connections.publisher, connections.subscriber, settings.keyPrefix, log);
    const node = () => this.node;
    if (!shotLog) {
      this.shots = null;
      this.calibration = null;
      return;
    }
    this.calibration = new ClusterCalibration(connections.pg, nodeId, idBase, hub, node, log);
    const shotsLog = new ClusterShotLog(connections.pg);
    // The config's plans as the node's log spells their scenes (a plan "kitchen" of the scene slated "Kitchen").
    const coverage = new ClusterCoverage(connections.pg, shotsLog, shotLog.configuredPlans());
    let alerts: ClusterAlerts | null = null;
    const sync = new ClusterShotSync({
      shotLog,
      redis: connections.redis,
      pool: connections.pg,
      nodeId,
      keyPrefix: settings.keyPrefix,
      coverage,
      hub,
      node,
      startedAt: Date.now(),
      log,
      onCoverage: (update) => alerts?.coverageComputed(update),
    });
    alerts = new ClusterAlerts({
      nodeId,
      settings: deps.config.coverage.alerts,
      pool: connections.pg,
      coverage,
      shots: shotsLog,
      own: shotLog.alerts,
      cameras: () => this.directory().list(),
      hub,
      node,
      clock,
      log,
    });
    this.shots = { log: shotsLog, coverage, sync, alerts };
  }

  /**
   * Reaches Redis and PostgreSQL (a node that cannot says which: CLUSTER_UNREACHABLE),
   * migrates the schema, checks that this node's key prefix is the cluster's, and starts copying this node's shots, under ids of its own.
   */
  static async connect(deps: ClusterServicesDeps): Promise<ClusterServices> {
    const { settings, nodeId, shotLog, log } = deps;
    const connections = await connectCluster(settings, log);
    let replicator: ShotReplicator | null = null;
    let idLock: NodeIdLock | null = null;
    try {
      await migrateCluster(connections.pg);
      // Before this node writes anything: a node under another Redis prefix would not see the live nodes (CONFIG_INVALID).
      await recordClusterIdentity(connections.pg, { keyPrefix: settings.keyPrefix, nodeId, postgresUrl: settings.postgresUrl });
      deps.metrics.registry.setDefaultLabels({ node: nodeId });
      const number = await nodeNumber(connections.pg, nodeId);
      // Before this node's first shot id is read: another process with this id (alive, or cut off but still
      // copying) would go on writing the same range. A crashed one's lock is gone already; a vanished machine's goes within the wait.
      const lock = await NodeIdLock.acquire({ postgresUrl: settings.postgresUrl, nodeId, number, log }, (KEEPALIVE_S + 4) * 1000, (ms) => new Promise((r) => setTimeout(r, ms)));
      idLock = lock;
      const base = number * NODE_ID_SPAN;
      if (shotLog) {
        shotLog.shots.setIdFloor(await firstShotId(connections.pg, base));
        replicator = new ShotReplicator(shotLog.db, shotLog.shots, connections.pg, nodeId, log, () => lock.session());
        replicator.start(base);
      }
      return new ClusterServices(deps, connections, replicator, lock, base);
    } catch (error) {
      await replicator?.close();
      await idLock?.close();
      await connections.close();
      throw error;
    }
  }

  get nodeId(): string {
    return this.deps.nodeId;
  }

  /** The Socket.IO Redis adapter and this node's id, for the hub. */
  hubOptions(): { adapter: ServerOptions['adapter']; nodeId: string } {
    return { adapter: this.fanout.adapter, nodeId: this.deps.nodeId };
  }

  /** The camera routes: the cluster's cameras once joined, this node's before. */
  directory(): CameraDirectory {
    const cameras = this.deps.cameras();
    if (!this.node) return localCameraDirectory(cameras);
    return clusterCameraDirectory(this.node, cameras, (id) => {
      this.shots?.sync.cameraRemoved(id);
      this.deps.hub()?.removed(id);
    });
  }

  /** Takes started and ended on every node; null when shots are off. */
  takeCommands(): TakeCommands | null {
    return this.shots?.sync.takes ?? null;
  }

  /** The shot routes' side of the cluster; null when shots are off. */
  shotRoutes(): ClusterShots | null {
    const shots = this.shots;
    if (!shots) return null;
    return {
      nodeId: this.deps.nodeId,
      log: shots.log,
      coverage: shots.coverage,
      alerts: shots.alerts,
      nodeUrl: (id) => this.node?.nodeUrl(id) ?? null,
      liveCoverage: () => shots.sync.liveCoverage(),
      planChanged: (scene, plan) => shots.sync.planChanged(scene, plan),
      takeHistory: (scene?: string) => shots.sync.takeHistory(scene),
      runningTakes: () => shots.sync.runningTakes(),
      recordedTake: (take) => shots.sync.recordedTake(take),
      recordedTakes: (takes) => shots.sync.recordedTakes(takes),
    };
  }

  /** Where LiveCalibration keeps its samples and heads, and whom it tells of changes; null when shots are off. */
  calibrationStore(): { records: CalibrationRecords; nodeId: string; announce: ClusterCalibration['announce']; queueIdBase: number } | null {
    const c = this.calibration;
    return c ? { records: c.store, nodeId: c.nodeId, announce: c.announce, queueIdBase: this.idBase } : null;
  }

  /** What the calibration routes need of the cluster (the other nodes, who holds a label-these frame); null when shots are off. */
  calibrationRoutes(): CalibrationRoutesCluster | null {
    return this.calibration?.routes() ?? null;
  }

  /** The node's calibration, made once the models are loaded. */
  attachCalibration(calibration: LiveCalibration | null): void {
    if (calibration) this.calibration?.attach(calibration);
  }

  /** The alerts a new client gets: the cluster's and every node's own. */
  activeAlerts(): Alert[] | null {
    return this.shots?.alerts.active() ?? null;
  }

  /** `/api/health`'s `cluster`. */
  state(): ClusterNodeState & { shotLog: ReplicationState | null } {
    // Between listening and joining (a moment at start), nothing is known of the others yet.
    const joining: ClusterNodeState = { nodeId: this.deps.nodeId, redis: 'up', postgres: 'up', degradedSince: null, fault: null, nodes: [], nodesAsOf: null, lastSeen: [], unassigned: [] };
    return { ...(this.node?.state() ?? joining), shotLog: this.replicator?.state() ?? null };
  }

  /** This node's readout: the node judging alerts follows every camera. */
  readout(cameraId: string, label: CanonicalScale, time: number, picture: PictureState = {}): void {
    this.shots?.alerts.readout(cameraId, label, time, picture);
  }

  /** This node's own alert (its storage, its engines): shown on every node. */
  ownAlert(alert: Alert): void {
    this.shots?.alerts.ownAlert(alert);
  }

  takeEnded(take: Take): void {
    this.shots?.alerts.takeEnded(take);
  }

  takeMarked(take: Take): void {
    this.shots?.alerts.takeMarked(take);
  }

  /** Relays between the nodes: takes, plans, coverage, alerts. */
  listen(hub: SocketHub): void {
    this.shots?.sync.listen(hub);
    this.shots?.alerts.listen(hub);
    this.calibration?.listen(hub);
  }

  /** Every 2 s: the node with the coverage duty pushes the cluster's coverage; every node reads which heads are applied. */
  tick(): void {
    this.shots?.sync.pushCoverage();
    this.calibration?.reload();
  }

  /**
   * Joins the cluster once the server listens at `url`: the config's cameras
   * join the cluster's list, leases are claimed, the running takes and the
   * plans are taken up.
   */
  async join(url: string, onDegraded: (fault: { since: number; message: string } | null) => void): Promise<ClusterNode> {
    const { settings, nodeId, clock, log } = this.deps;
    const node = new ClusterNode({
      settings,
      nodeId,
      // What the other nodes and "edit it there" answers give: reachable from them, not the bind address.
      url: settings.advertiseUrl ?? url,
      connections: this.connections,
      cameras: this.deps.cameras(),
      shots: this.shots?.log ?? null,
      clock,
      log,
      analysedFps: this.deps.analysedFps,
      onDegraded,
      idLock: this.idLock,
    });
    this.node = node;
    await node.start(this.deps.config.cameras as readonly CameraConfig[]);
    log.info(`cluster: node ${nodeId} (capacity ${settings.capacity.cameras} cameras, lease ${settings.leaseS} s)`);
    await this.shots?.sync.join();
    return node;
  }

  /** SIGTERM: the cameras handed over to the others first. */
  async drain(): Promise<void> {
    await this.node?.drain().catch((error: unknown) => this.deps.log.warn(`cluster: drain: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** After the cameras stopped (their open shots closed): the last records and shots copied, the engines closed. */
  async close(): Promise<void> {
    await this.shots?.alerts.close();
    await this.shots?.sync.close();
    await this.replicator?.close();
    await this.idLock.close();
    await this.connections.close();
  }
}
