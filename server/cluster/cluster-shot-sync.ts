/**
 * The shot log's side of a cluster that is not shots: takes and plans made
 * on one node act on every node (relayed through the Socket.IO Redis
 * adapter, and the running takes kept in Redis for nodes that start later),
 * and the live coverage is the cluster's, pushed by the node holding the
 * coverage duty.
 */
import type { Redis } from 'ioredis';
import type { TakeCommands } from '../api/shot-routes.js';
import type { SocketHub } from '../api/socket-hub.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { CoverageUpdate } from '../shared/shots.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { ClusterCoverage } from './cluster-coverage.js';
import type { ClusterNode } from './cluster-node.js';

interface RunningTake {
  scene: string;
  take: string;
  cameras: string[] | null;
}

export interface ClusterShotSyncDeps {
  shotLog: ShotLog;
  redis: Redis;
  keyPrefix: string;
  coverage: ClusterCoverage;
  /** Late-bound: the hub exists once the HTTP app does, the node once the server listens. */
  hub: () => SocketHub | null;
  node: () => ClusterNode | null;
  /** When this process started: "this run" before the node knows the cluster's. */
  startedAt: number;
  log: Logger;
  /** The cluster's coverage, just computed here (the alerts' judge clears plans now met). */
  onCoverage?: (update: CoverageUpdate) => void;
}

export class ClusterShotSync {
  private computingCoverage = false;

  constructor(private readonly deps: ClusterShotSyncDeps) {}

  private get takesKey(): string {
    return `${this.deps.keyPrefix}:takes`;
  }

  /** Takes started or ended here: here, then on every other node, and remembered for nodes that start later. */
  readonly takes: TakeCommands = {
    start: (request) => {
      const take = this.deps.shotLog.startTake(request);
      this.deps.hub()?.io.serverSideEmit('take:start', { scene: take.scene, take: take.take, cameras: take.cameras });
      this.rememberTakes();
      return take;
    },
    end: (cameraIds) => {
      const ended = this.deps.shotLog.endTake(cameraIds);
      this.deps.hub()?.io.serverSideEmit('take:end', { cameras: cameraIds });
      this.rememberTakes();
      return ended;
    },
  };

  /** A plan set (or removed: null) here: every other node sets it too. */
  planChanged(scene: string, plan: unknown): void {
    this.deps.hub()?.io.serverSideEmit('plan', { scene, plan });
  }

  /** Takes and plans from the other nodes, applied to this node's log; one that cannot be is logged, never thrown. */
  listen(hub: SocketHub): void {
    const { shotLog } = this.deps;
    const applied = (what: string, work: () => void) => {
      try {
        work();
      } catch (error) {
        this.deps.log.warn(`${what} on another node was not applied here: ${errorMessage(error)}`);
      }
    };
    hub.io.on('plan', ({ scene, plan }) => applied(`a plan for scene "${scene}"`, () => (plan === null ? shotLog.removePlan(scene) : shotLog.setPlan(scene, plan))));
    hub.io.on('take:start', (request) => applied('a take started', () => shotLog.startTake(request)));
    hub.io.on('take:end', (request) => applied('a take ended', () => shotLog.endTake(request.cameras)));
  }

  /** At start: the takes running in the cluster are joined, and the cluster's plans kept here (a take's end checks them). */
  async join(): Promise<void> {
    const { shotLog, log } = this.deps;
    const running = await this.deps.redis.get(this.takesKey).catch(() => null);
    for (const take of running ? (JSON.parse(running) as RunningTake[]) : []) {
      if (shotLog.runningTakes().some((t) => t.scene === take.scene && t.take === take.take)) continue;
      try {
        shotLog.startTake(take);
        log.info(`cluster: joined the running take: scene ${take.scene} take ${take.take}`);
      } catch (error) {
        log.warn(`cluster: running take scene ${take.scene} not joined: ${errorMessage(error)}`);
      }
    }
    for (const { scene, plan } of await this.deps.coverage.storedPlans().catch(() => [])) {
      try {
        shotLog.setPlan(scene, plan);
      } catch (error) {
        log.warn(`cluster: plan for scene "${scene}" not kept here: ${errorMessage(error)}`);
      }
    }
  }

  /** The cluster's live coverage as last pushed, else computed now. */
  async liveCoverage(): Promise<CoverageUpdate> {
    return this.deps.hub()?.latestClusterCoverage() ?? this.deps.coverage.update(this.deps.node()?.runStartedAt() ?? this.deps.startedAt, this.runningTake());
  }

  /** On the node with the coverage duty: the cluster's coverage to every client (called every 2 s; one computation at a time). */
  pushCoverage(): void {
    const node = this.deps.node();
    if (!node?.hasCoverageDuty() || this.computingCoverage) return;
    this.computingCoverage = true;
    this.deps.coverage
      .update(node.runStartedAt(), this.runningTake())
      .then((update) => {
        this.deps.hub()?.clusterCoverageUpdate(update);
        this.deps.onCoverage?.(update);
      })
      .catch((error: unknown) => this.deps.log.warn(`cluster: coverage not computed: ${errorMessage(error)}`))
      .finally(() => {
        this.computingCoverage = false;
      });
  }

  private runningTake() {
    return this.deps.shotLog.runningTakes().at(-1) ?? null;
  }

  private rememberTakes(): void {
    const running: RunningTake[] = this.deps.shotLog.runningTakes().map((t) => ({ scene: t.scene, take: t.take, cameras: t.cameras }));
    this.deps.redis.set(this.takesKey, JSON.stringify(running)).catch((error: unknown) => this.deps.log.warn(`cluster: running takes not kept in Redis: ${errorMessage(error)}`));
  }
}
