/**
 * The shot log's side of a cluster that is not shots: takes and plans made
 * on one node act on every node (relayed through the Socket.IO Redis
 * adapter, and the running takes kept in Redis for nodes that start later),
 * takes are recorded once in PostgreSQL by the node where they were started
 * or ended, and the live coverage is the cluster's, pushed by the node
 * holding the coverage duty.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { TakeCommands } from '../api/shot-routes.js';
import type { SocketHub } from '../api/socket-hub.js';
import { errorMessage, ShotscaleError } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { CoverageUpdate, Take, TakeMark } from '../shared/shots.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { ClusterCoverage } from './cluster-coverage.js';
import { parseRunningTakes } from './cluster-messages.js';
import type { ClusterNode } from './cluster-node.js';
import { clusterQueryError } from './pg-errors.js';
import { PgWriteQueue } from './pg-write-queue.js';
import { jsonWithoutNul, noNul } from './shot-replicator.js';

interface RunningTake {
  scene: string;
  take: string;
  cameras: string[] | null;
  /** Cameras a take on every camera has left (a take started or ended there alone). */
  exceptCameras: string[];
  /** When the node where it was started started it: the take's key in the cluster's record. */
  startedAt: number;
}

export interface ClusterShotSyncDeps {
  shotLog: ShotLog;
  redis: Redis;
  pool: pg.Pool;
  nodeId: string;
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

interface TakeRow {
  id: string;
  scene: string;
  take: string;
  cameras: string[] | null;
  started_at: number;
  ended_at: number | null;
  mark: TakeMark | null;
}

/** A take as the cluster's record holds it; gaps are each node's own (its log). */
function fromRow(r: TakeRow): Take {
  return { id: Number(r.id), scene: r.scene, take: r.take, cameras: r.cameras, exceptCameras: [], gaps: [], startedAt: r.started_at, endedAt: r.ended_at, mark: r.mark ?? null };
}

export class ClusterShotSync {
  private computingCoverage = false;
  private readonly takeRecords: PgWriteQueue;
  /** Each running take's start on the node where it was started, by this node's id of the take. */
  private readonly originStart = new Map<number, number>();

  constructor(private readonly deps: ClusterShotSyncDeps) {
    this.takeRecords = new PgWriteQueue(deps.pool, deps.log, 'take records');
  }

  private get takesKey(): string {
    return `${this.deps.keyPrefix}:takes`;
  }

  /** Takes started or ended here: here, then on every other node, remembered for nodes that start later, and recorded. */
  readonly takes: TakeCommands = {
    start: (request) => {
      const { shotLog } = this.deps;
      const before = shotLog.runningTakes();
      const take = shotLog.startTake(request);
      this.originStart.set(take.id, take.startedAt);
      this.deps.hub()?.io.serverSideEmit('take:start', { scene: take.scene, take: take.take, cameras: take.cameras, startedAt: take.startedAt });
      this.rememberTakes();
      // A take started on some of the same cameras ended the one running there.
      const running = new Set(shotLog.runningTakes().map((t) => t.id));
      for (const ended of before.filter((t) => !running.has(t.id))) this.recordEnd(ended, take.startedAt);
      this.recordStart(take);
      return take;
    },
    end: (cameraIds) => {
      const ended = this.deps.shotLog.endTake(cameraIds);
      this.deps.hub()?.io.serverSideEmit('take:end', { cameras: cameraIds });
      this.rememberTakes();
      for (const take of ended) this.recordEnd(take, take.endedAt ?? Date.now());
      return ended;
    },
    mark: async (id, mark) => {
      let rows: TakeRow[];
      try {
        ({ rows } = await this.deps.pool.query<TakeRow>('UPDATE cluster_takes SET mark = $2 WHERE id = $1 RETURNING id, scene, take, cameras, started_at, ended_at, mark', [id, mark]));
      } catch (error) {
        throw clusterQueryError(error, "the cluster's takes");
      }
      const marked = rows[0];
      if (!marked) throw new ShotscaleError('NOT_FOUND', `no take ${id} (GET /api/takes lists the cluster's takes)`);
      this.markHere(marked.scene, marked.take, mark);
      this.deps.hub()?.io.serverSideEmit('take:mark', { scene: marked.scene, take: marked.take, mark });
      return fromRow(marked);
    },
  };

  /** This node's record of a take, marked as the cluster's is (its own takes list and plan alerts read it). */
  private markHere(scene: string, take: string, mark: TakeMark | null): void {
    const local = this.deps.shotLog.takeStore.find(scene, take);
    if (local) this.deps.shotLog.markTake(local.id, mark);
  }

  /** The cluster's takes (of one scene), oldest first, with ids of the cluster's record. */
  async takeHistory(scene?: string): Promise<Take[]> {
    try {
      const { rows } = await this.deps.pool.query<TakeRow>(
        `SELECT id, scene, take, cameras, started_at, ended_at, mark FROM cluster_takes${scene === undefined ? '' : ' WHERE scene = $1'} ORDER BY started_at, id`,
        scene === undefined ? [] : [noNul(scene)],
      );
      return rows.map(fromRow);
    } catch (error) {
      throw clusterQueryError(error, "the cluster's takes", 'takes still start and end on every node');
    }
  }

  async close(): Promise<void> {
    await this.takeRecords.close();
  }

  private forgetEnded(): void {
    const running = new Set(this.deps.shotLog.runningTakes().map((t) => t.id));
    for (const id of this.originStart.keys()) if (!running.has(id)) this.originStart.delete(id);
  }

  private recordStart(take: Take): void {
    this.takeRecords.write(
      `start ${take.scene}/${take.take}@${take.startedAt}`,
      'INSERT INTO cluster_takes (scene, take, cameras, started_at, node_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scene, take, started_at) DO NOTHING',
      [noNul(take.scene), noNul(take.take), take.cameras ? jsonWithoutNul(take.cameras) : null, take.startedAt, this.deps.nodeId],
    );
  }

  /**
   * Ends the take's record, keyed by its start on the node where it was
   * started: written whether or not that node's start record is in yet (the
   * two nodes' writes may reach PostgreSQL in either order).
   */
  private recordEnd(take: Take, at: number): void {
    const startedAt = this.originStart.get(take.id) ?? take.startedAt;
    this.originStart.delete(take.id);
    this.takeRecords.write(
      `end ${take.scene}/${take.take}@${startedAt}`,
      `INSERT INTO cluster_takes (scene, take, cameras, started_at, ended_at, node_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (scene, take, started_at) DO UPDATE SET ended_at = EXCLUDED.ended_at`,
      [noNul(take.scene), noNul(take.take), take.cameras ? jsonWithoutNul(take.cameras) : null, startedAt, at, this.deps.nodeId],
    );
  }

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
    // The node where it was started has refused a take number used before, or been told "again".
    hub.io.on('take:start', (request) => applied('a take started', () => this.originStart.set(shotLog.startTake({ ...request, again: true }).id, request.startedAt)));
    hub.io.on('take:end', (request) => applied('a take ended', () => shotLog.endTake(request.cameras)));
    hub.io.on('take:mark', ({ scene, take, mark }) => applied(`a mark on scene ${scene} take ${take}`, () => this.markHere(scene, take, mark)));
    // Takes ended by another node (it records them): their starts are no longer needed here.
    for (const event of ['take:start', 'take:end'] as const) hub.io.on(event, () => this.forgetEnded());
  }

  /** At start: the takes running in the cluster are joined, and the cluster's plans kept here (a take's end checks them). */
  async join(): Promise<void> {
    const { shotLog, log } = this.deps;
    const stored = await this.deps.redis.get(this.takesKey).catch(() => null);
    const running = stored === null ? [] : parseRunningTakes(stored);
    // Another version's value (or a damaged one) must not stop this node from starting: no take is joined.
    if (!running) log.warn(`cluster: the running takes in Redis (${this.takesKey}) are not a list this version reads; none joined`);
    // A take this node resumed after a crash that the cluster has ended since: ended here too.
    if (running) {
      for (const local of shotLog.runningTakes()) {
        if (running.some((t) => t.scene === local.scene && t.take === local.take)) continue;
        shotLog.endRunningTake(local.id);
        log.warn(`cluster: scene ${local.scene} take ${local.take}, running here before a restart, ended in the cluster meanwhile; ended here too`);
      }
    }
    for (const take of running ?? []) {
      if (shotLog.runningTakes().some((t) => t.scene === take.scene && t.take === take.take)) continue;
      try {
        this.originStart.set(shotLog.startTake({ scene: take.scene, take: take.take, cameras: take.cameras, exceptCameras: take.exceptCameras ?? [], again: true }).id, take.startedAt);
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
    const running: RunningTake[] = this.deps.shotLog
      .runningTakes()
      .map((t) => ({ scene: t.scene, take: t.take, cameras: t.cameras, exceptCameras: t.exceptCameras, startedAt: this.originStart.get(t.id) ?? t.startedAt }));
    this.deps.redis.set(this.takesKey, JSON.stringify(running)).catch((error: unknown) => this.deps.log.warn(`cluster: running takes not kept in Redis: ${errorMessage(error)}`));
  }
}
