/**
 * One node of the cluster: every tick it renews its leases, beats its
 * heartbeat, follows the cameras' definitions in PostgreSQL, and claims or
 * hands over cameras as the balancer says. Its CameraManager only ever runs
 * the cameras whose lease it holds.
 *
 * Outages: while Redis is down the node keeps the cameras it has (every node
 * is cut off alike, so nobody can claim them) and claims nothing; when Redis
 * returns, a lease another node took in between stops the camera here, and
 * after an absence that may have let the leases expire, nothing changes
 * hands until every node has taken back its own (redis-restarts.ts). A
 * node cut off from Redis alone reads who claimed its cameras last in
 * PostgreSQL, and stops one another node took (camera-claims.ts). While
 * PostgreSQL is down the last list of cameras read stands.
 */
import { randomUUID } from 'node:crypto';
import { ReplyError } from 'ioredis';
import type { CameraManager } from '../app/camera-manager.js';
import type { CameraConfig } from '../config/schema.js';
import { errorMessage, isShotscaleError, type ShotscaleError } from '../errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { CameraStatus } from '../shared/socket-events.js';
import { listensForSender } from '../ingest/listener-source.js';
import { describeRelease, explainedPlan } from './camera-balancer.js';
import { CameraClaims } from './camera-claims.js';
import { CameraLeases, parseHolder, type ClaimResult, type StartFailure } from './camera-leases.js';
import { CameraRegistry, type RegisteredCamera } from './camera-registry.js';
import type { ClusterShotLog } from './cluster-shot-log.js';
import type { ClusterConnections, ClusterSettings } from './cluster-connections.js';
import { clusterView, type ClusterNodeState } from './cluster-health.js';
import type { NodeIdLock } from './node-id-lock.js';
import { NodeRegistry, type NodeHeartbeat } from './node-registry.js';
import { EngineOutages } from './engine-outages.js';
import { RedisRestarts } from './redis-restarts.js';
import { RemoteCameraStatuses } from './remote-camera-statuses.js';

/** The lease that makes one node at a time compute the cluster's coverage. */
const COVERAGE_DUTY = 'duty:coverage';

/** How often a node looks for open shots of nodes that are gone. */
const ORPHAN_CHECK_MS = 3000;

/** A camera that failed to start here is not claimed again for this long (another node may manage). */
const FAILED_CLAIM_BACKOFF_MS = 30_000;

/**
 * How long a node's word that it could not start a camera stands (camera-leases.ts): two of its retries,
 * so that the camera's status keeps the cause between them, and fades once no node tries any more.
 */
const START_FAILURE_KEEP_MS = 2 * FAILED_CLAIM_BACKOFF_MS;

interface HeldCamera {
  token: number;
  revision: number;
  renewedAt: number;
  /** The generation of this node's claim record in PostgreSQL (camera-claims.ts); null until it is written. */
  claim: number | null;
}

export type { ClusterNodeState } from './cluster-health.js';
/** The status of a camera no node runs, where the camera routes make one (cluster-cameras.ts). */
export { waitingStatus } from './remote-camera-statuses.js';

export interface ClusterNodeDeps {
  settings: ClusterSettings;
  nodeId: string;
  url: string;
  connections: ClusterConnections;
  cameras: CameraManager;
  /** The cluster's shot log, whose orphaned open shots this node closes when it notices; null when shots are off. */
  shots: ClusterShotLog | null;
  clock: Clock;
  log: Logger;
  analysedFps: () => number;
  /** Redis or PostgreSQL became unreachable (a message), or both answer again (null). */
  onDegraded: (fault: { since: number; message: string } | null) => void;
  /** This process's hold on its node id in PostgreSQL (node-id-lock.ts); null where none is kept. */
  idLock?: Pick<NodeIdLock, 'verify'> | null;
}

export class ClusterNode {
  readonly instance = randomUUID();
  readonly registry: CameraRegistry;
  private readonly leases: CameraLeases;
  private readonly claims: CameraClaims;
  private readonly nodes: NodeRegistry;
  private readonly held = new Map<string, HeldCamera>();
  /** Cameras that could not start here: when, and the revision of their definition then (an edit is tried at once). */
  private readonly failedAt = new Map<string, { at: number; revision: number }>();
  /** Per camera no node runs, the nodes that lately could not start its present definition (read every tick). */
  private startFailures = new Map<string, StartFailure[]>();
  private known: RegisteredCamera[] = [];
  private live: NodeHeartbeat[] = [];
  /** When `live` was read from Redis; null before the first read. */
  private liveAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private draining = false;
  private orphansCheckedAt = 0;
  /** The nodes whose heartbeats could not be read at the last tick, as logged. */
  private unreadableLogged = '';
  /** Whether Redis restarted a moment ago: then no camera changes hands for a lease time (redis-restarts.ts). */
  private readonly redisRestarts: RedisRestarts;
  /** The coverage duty's fencing token while this node holds it. */
  private dutyToken: number | null = null;
  private readonly startedAt: number;
  /** Whether Redis and PostgreSQL answer, and what this node says of an outage (engine-outages.ts). */
  private readonly outages: EngineOutages;
  private readonly leaseMs: number;
  readonly tickMs: number;
  /** The cameras this node does not run: other nodes', and those no node runs (what its pages are told of them). */
  private readonly remote: RemoteCameraStatuses;

  constructor(private readonly deps: ClusterNodeDeps) {
    const { settings, connections } = deps;
    // Whole milliseconds: Redis refuses a fractional PX.
    this.leaseMs = Math.round(settings.leaseS * 1000);
    // Four renewals per lease: a lease survives three missed ticks (a GC pause, a slow Redis).
    this.tickMs = Math.min(1000, this.leaseMs / 4);
    this.registry = new CameraRegistry(connections.pg);
    this.leases = new CameraLeases(connections.redis, settings.keyPrefix, deps.nodeId, this.leaseMs);
    this.claims = new CameraClaims(connections.pg, deps.nodeId);
    this.nodes = new NodeRegistry(connections.redis, settings.keyPrefix, this.leaseMs);
    this.outages = new EngineOutages({ settings, nodeId: deps.nodeId, clock: deps.clock, log: deps.log, onDegraded: deps.onDegraded });
    this.redisRestarts = new RedisRestarts(connections.redis, settings.keyPrefix, this.leaseMs, deps.log);
    this.startedAt = deps.clock();
    this.remote = new RemoteCameraStatuses({
      nodeId: deps.nodeId,
      ownCameras: () => deps.cameras.list(),
      sighting: () => ({ live: this.live, liveAt: this.liveAt, known: this.known, redisUp: this.outages.redisUp, unreadable: this.nodes.unreadable, startFailures: this.startFailures }),
      holders: (ids) => this.leases.holders(ids),
      clock: deps.clock,
    });
  }

  /** Checks the node id, adds the config's cameras the cluster lacks, and starts ticking. */
  async start(configCameras: readonly CameraConfig[]): Promise<void> {
    await this.nodes.reserveId(this.heartbeat(this.deps.clock()), this.leaseMs + 1000, (ms) => new Promise((r) => setTimeout(r, ms)));
    const { added, removed } = await this.registry.seed(configCameras);
    if (added.length) this.deps.log.info(`cluster: cameras added from the config: ${added.join(', ')}`);
    if (removed.length) {
      this.deps.log.warn(`cluster: cameras in the config that were removed from the cluster over the API, not added back: ${removed.join(', ')} (POST /api/cameras adds one again)`);
    }
    await this.runTick();
    this.timer = setInterval(() => void this.runTick(), this.tickMs);
    this.timer.unref();
  }

  /** This node's URL as the others reach it. */
  get url(): string {
    return this.deps.url;
  }

  /** The URL of a live node, for "edit it there" answers. */
  nodeUrl(nodeId: string): string | null {
    return this.live.find((n) => n.nodeId === nodeId)?.url ?? null;
  }

  /** The other live nodes and their URLs, for requests passed on to them. */
  peers(): { nodeId: string; url: string }[] {
    return this.live.filter((n) => n.nodeId !== this.deps.nodeId).map((n) => ({ nodeId: n.nodeId, url: n.url }));
  }

  /** Whether this node computes the cluster's coverage now (one node at a time; null shots: nobody does). */
  hasCoverageDuty(): boolean {
    return this.dutyToken !== null;
  }

  /** When the longest-running live node started: the cluster's "this run". */
  runStartedAt(): number {
    return Math.min(this.startedAt, ...this.live.map((n) => n.startedAt));
  }

  /** Statuses of the cameras other nodes analyse, and of those nobody does, for the wall and the API (remote-camera-statuses.ts). */
  remoteStatuses(): CameraStatus[] {
    return this.remote.list();
  }

  /** Where to tell this node's own pages of a camera that has just lost its node, or of which nothing is known while Redis is away. */
  onStatus(listener: (status: CameraStatus) => void): void {
    this.remote.onStatus(listener);
  }

  /** The nodes that lately could not start this definition (`revision`) of a camera no node runs, latest first. */
  startFailuresOf(cameraId: string, revision: number): StartFailure[] {
    return (this.startFailures.get(cameraId) ?? []).filter((f) => f.revision === revision);
  }

  /** When the camera lost its node, as far as this node saw it run (null: never seen run, or a node runs it now). */
  lostNodeAt(cameraId: string): number | null {
    return this.remote.lostNodeAt(cameraId);
  }

  state(): ClusterNodeState {
    const now = this.deps.clock();
    return {
      nodeId: this.deps.nodeId,
      redis: this.outages.redisUp ? 'up' : 'down',
      postgres: this.outages.postgresUp ? 'up' : 'down',
      degradedSince: this.outages.degradedSince,
      fault: this.outages.fault,
      ...clusterView({
        live: this.live,
        liveAt: this.liveAt,
        redisUp: this.outages.redisUp,
        self: this.heartbeat(now),
        enabled: this.known.filter((c) => c.config.enabled).map((c) => c.id),
        held: new Set(this.held.keys()),
        now,
      }),
    };
  }

  /**
   * SIGTERM: stop claiming, stop each camera (its open shot closes) and
   * release its lease, so that the others take the cameras over at their
   * next tick instead of after the lease time.
   */
  async drain(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.draining = true;
    // What this node held when told to stop: a tick in flight may hand some of it over itself.
    const heldAtStop = [...this.held.keys()];
    // A tick stuck on an unanswering engine must not hold the shutdown.
    await Promise.race([this.ticking, new Promise((r) => setTimeout(r, 3000))]);
    const still = [...this.held.keys()];
    await Promise.all(still.map((id) => this.handOver(id, 'draining')));
    const ids = [...new Set([...heldAtStop, ...still])];
    if (this.dutyToken !== null) await this.leases.release(COVERAGE_DUTY, this.dutyToken).catch(() => undefined);
    this.dutyToken = null;
    await this.nodes.leave(this.deps.nodeId, this.instance).catch(() => undefined);
    if (ids.length) this.deps.log.info(`cluster: handed over ${ids.join(', ')}`);
  }

  /** One tick at a time: a slow Redis never stacks ticks. */
  private runTick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.tick()).catch((error: unknown) => this.deps.log.error(`cluster tick failed: ${errorMessage(error)}`));
    return this.ticking;
  }

  private async tick(): Promise<void> {
    if (this.draining) return;
    const { deps } = this;
    const now = deps.clock();
    // Leases first, on Redis alone: a slow PostgreSQL must never make this node miss its renewals.
    let redisAnswers = false;
    try {
      await this.redisRestarts.check(now);
      const lost = await this.leases.renew(new Map([...this.held].map(([id, h]) => [id, h.token])));
      for (const [id, h] of this.held) if (!lost.includes(id)) h.renewedAt = now;
      for (const id of lost) {
        deps.log.warn(`cluster: lost the lease of ${id} (another node holds it, or it expired): stopping it here`);
        this.held.delete(id);
        await deps.cameras.detach(id);
      }
      redisAnswers = true;
    } catch (error) {
      // Redis is down: keep every camera held; nothing can be claimed meanwhile.
      this.outages.setRedis(false, this.redisReason(error), this.held.size);
    }
    await this.readCameras();
    if (await this.idTaken()) return;
    if (!redisAnswers) {
      await this.fenceWhileCutOff();
      this.remote.tellPages();
      return;
    }
    await this.recordClaims();
    try {
      // After Redis restarted, or this node was away from it, the other nodes take their leases back first (redis-restarts.ts).
      const settled = this.redisRestarts.settled(now);
      await this.followDefinitions();
      await this.keepCoverageDuty(settled);
      await this.nodes.beat(this.heartbeat(now));
      const live = await this.nodes.live();
      // Meanwhile a node known before whose heartbeat lapsed is not gone: it has not beaten again yet.
      this.live = settled ? live : withUnheard(live, this.live);
      this.liveAt = Math.round(deps.clock());
      this.noteUnreadable();
      if (settled) await this.balance();
      await this.readStartFailures();
      this.outages.setRedis(true);
      this.remote.followRuns(deps.clock());
      await this.remote.tellPagesOfUnrun();
      if (settled) await this.closeOrphans();
    } catch (error) {
      if (isShotscaleError(error, 'CLUSTER_NODE_ID_IN_USE')) await this.stepAside(error);
      else {
        this.outages.setRedis(false, this.redisReason(error), this.held.size);
        this.remote.tellPages();
      }
    }
  }

  /**
   * Whether another process has taken this node's id in PostgreSQL (this one
   * lost its connection long enough for the lock to go): then it steps aside.
   * PostgreSQL away says nothing either way: the cameras stay, as for any outage.
   */
  private async idTaken(): Promise<boolean> {
    if (!this.deps.idLock || !this.outages.postgresUp) return false;
    try {
      await this.deps.idLock.verify();
      return false;
    } catch (error) {
      if (!isShotscaleError(error, 'CLUSTER_NODE_ID_IN_USE')) return false;
      await this.stepAside(error);
      return true;
    }
  }

  /**
   * Another process runs with this node's id (it took it while this one was
   * cut off): this one stops its cameras and frees their leases (only those
   * still its own), takes no more, and says so on its health and wall with
   * CLUSTER_NODE_ID_IN_USE; the other process and the rest of the cluster
   * carry on. Its heartbeat is left alone: it is the other process's now.
   */
  private async stepAside(error: ShotscaleError): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const message = `CLUSTER_NODE_ID_IN_USE: ${error.message}; this process (${this.deps.url}) stopped its ${this.held.size} camera(s) and takes none`;
    this.deps.log.error(message);
    await Promise.all([...this.held.keys()].map((id) => this.handOver(id, 'draining')));
    if (this.dutyToken !== null) await this.leases.release(COVERAGE_DUTY, this.dutyToken).catch(() => undefined);
    this.dutyToken = null;
    this.outages.steppedAside(message);
  }

  /**
   * Renews the coverage duty, or takes it when nobody holds it (a node that
   * can serve coverage only), unless the holder may still be taking it back
   * (`mayClaim` false: redis-restarts.ts).
   */
  private async keepCoverageDuty(mayClaim: boolean): Promise<void> {
    if (!this.deps.shots) return;
    if (this.dutyToken !== null) {
      const lost = await this.leases.renew(new Map([[COVERAGE_DUTY, this.dutyToken]]));
      if (!lost.length) return;
      this.dutyToken = null;
      this.deps.log.warn('cluster: lost the coverage duty');
    }
    if (!mayClaim) return;
    const claimed = await this.leases.claim(COVERAGE_DUTY);
    if ('stale' in claimed && claimed.stale) this.noteStaleLease(COVERAGE_DUTY, claimed.stale, 'the coverage duty');
    this.dutyToken = claimed.token;
    if (this.dutyToken !== null) this.deps.log.info('cluster: this node computes the cluster\'s coverage');
  }

  /**
   * A lease that would have outlasted a lease time, its expiry now cut to one
   * (camera-leases.ts): said with where it is and who held it, since someone
   * or something wrote it so, and when the camera is claimed again.
   */
  private noteStaleLease(leaseId: string, stale: { value: string; ttlMs: number }, what = leaseId): void {
    const holder = parseHolder(stale.value);
    const live = holder ? this.live.some((n) => n.nodeId === holder.nodeId) : false;
    const who = holder ? `held by node "${holder.nodeId}" (lease ${holder.token}${live ? ', a live node: it keeps it if it still renews' : ', not a live node'})` : `holding ${JSON.stringify(stale.value.slice(0, 80))}, not a lease this version writes`;
    const found = stale.ttlMs < 0 ? 'had no expiry' : `would have lasted ${Math.round(stale.ttlMs / 1000)} s`;
    this.deps.log.warn(
      `CLUSTER_LEASE_STALE: the lease of ${what} in Redis (${this.leases.keyOf(leaseId)}) ${found}, ${who}: its expiry is cut to ${this.leaseMs / 1000} s, after which a node claims it with a new lease`,
    );
  }

  /** Heartbeats this version cannot read (another version's node, a damaged key): said once, not acted on. */
  private noteUnreadable(): void {
    const ids = this.nodes.unreadable.join(', ');
    if (ids === this.unreadableLogged) return;
    this.unreadableLogged = ids;
    if (ids) this.deps.log.warn(`cluster: the heartbeat of node(s) ${ids} in Redis is not one this version reads (another version, or a damaged key): left out of the cluster's view`);
  }

  /** Open shots of nodes that are gone are closed by whoever notices (idempotent; every few seconds). */
  private async closeOrphans(): Promise<void> {
    const { shots } = this.deps;
    const now = this.deps.clock();
    if (!shots || !this.outages.postgresUp || now - this.orphansCheckedAt < ORPHAN_CHECK_MS) return;
    this.orphansCheckedAt = now;
    // A node whose heartbeat this version cannot read is still there: its shots are not orphans.
    const closed = await shots.closeOrphans([...this.live.map((n) => n.nodeId), ...this.nodes.unreadable]).catch(() => 0);
    if (closed) this.deps.log.info(`cluster: closed ${closed} open shot(s) of nodes that are gone, at their last copied frame`);
  }

  private async readCameras(): Promise<void> {
    try {
      this.known = await this.registry.list();
      this.outages.setPostgres(true);
    } catch (error) {
      this.outages.setPostgres(false, errorMessage(error));
    }
  }

  /** A held camera deleted from the cluster stops here; one whose definition changed restarts with it. */
  private async followDefinitions(): Promise<void> {
    if (!this.outages.postgresUp) return;
    const byId = new Map(this.known.map((c) => [c.id, c]));
    for (const [id, held] of [...this.held]) {
      const camera = byId.get(id);
      if (!camera || !camera.config.enabled) {
        this.deps.log.info(`cluster: ${id} was ${camera ? 'disabled' : 'removed'}: stopping it`);
        await this.handOver(id, camera ? 'disabled' : 'removed');
      } else if (camera.revision !== held.revision) {
        this.deps.log.info(`cluster: ${id} changed (revision ${camera.revision}): restarting it`);
        held.revision = camera.revision;
        try {
          await this.deps.cameras.replace(camera.config);
        } catch (error) {
          this.deps.log.error(`cluster: ${id} cannot run with its new definition: ${errorMessage(error)}`);
          await this.handOver(id, 'failed');
        }
      }
    }
  }

  private async balance(): Promise<void> {
    const { deps } = this;
    const now = deps.clock();
    const backingOff = (c: RegisteredCamera) => {
      const failed = this.failedAt.get(c.id);
      return failed !== undefined && failed.revision === c.revision && now - failed.at <= FAILED_CLAIM_BACKOFF_MS;
    };
    const enabled = this.known.filter((c) => c.config.enabled && (this.held.has(c.id) || !backingOff(c)));
    const ids = enabled.map((c) => c.id);
    const holders = await this.leases.holders(ids);
    // A lease held in the name of no node that is there (one that died a moment ago, or a value written by
    // hand), or in this node's name by an earlier process of it, counts as free: its claim waits for it to
    // expire, and repairs one that never would (camera-leases.ts).
    const present = new Set([...this.live.map((n) => n.nodeId), ...this.nodes.unreadable]);
    const counts = (id: string, h: { nodeId: string; token: number }) => (h.nodeId === deps.nodeId ? this.held.get(id)?.token === h.token : present.has(h.nodeId));
    const pinned = this.sendersHere();
    const plan = explainedPlan({
      nodeId: deps.nodeId,
      cameras: ids,
      holders: new Map([...holders].filter(([id, h]) => counts(id, h)).map(([id, h]) => [id, h.nodeId])),
      nodes: this.live.map((n) => ({ nodeId: n.nodeId, capacity: n.capacity })),
      pinned,
    });
    for (const id of plan.release) {
      const why = plan.reason ? describeRelease(plan.reason) : 'the balancer says so';
      // Only above capacity does a camera with its sender here move: said as the loss it is.
      if (pinned.has(id)) deps.log.warn(`cluster: handing ${id} over, which drops its sender connected to this node: ${why}`);
      else deps.log.info(`cluster: handing ${id} over: ${why}`);
      await this.handOver(id, 'rebalance');
    }
    for (const id of plan.claim) {
      const camera = enabled.find((c) => c.id === id)!;
      let claimed: ClaimResult;
      try {
        claimed = await this.leases.claim(id);
      } catch (error) {
        // Redis answered, refusing this camera's claim (a fence that is not a number: another version's, or damaged):
        // the other cameras are still claimed, and Redis is not reported away.
        if (!(error instanceof ReplyError)) throw error;
        deps.log.error(`cluster: ${id} cannot be claimed (${errorMessage(error)}): a key of it in Redis is not one this version wrote; leaving it for ${FAILED_CLAIM_BACKOFF_MS / 1000} s`);
        this.failedAt.set(id, { at: now, revision: camera.revision });
        continue;
      }
      const { token } = claimed;
      if (token === null) {
        if ('stale' in claimed && claimed.stale) this.noteStaleLease(id, claimed.stale);
        continue;
      }
      try {
        deps.cameras.add(camera.config);
      } catch (error) {
        const code = isShotscaleError(error) ? error.code : 'INTERNAL';
        deps.log.error(`cluster: ${id} cannot run on this node: ${code}: ${errorMessage(error)}; leaving it to the others for ${FAILED_CLAIM_BACKOFF_MS / 1000} s`);
        this.failedAt.set(id, { at: now, revision: camera.revision });
        // Said where every node reads it (another node's status of it must not say "at capacity"), but never at the cost
        // of the release: a note that fails leaves the camera free for the others all the same.
        await this.leases.noteStartFailure(id, { code, message: errorMessage(error), at: Math.round(now), revision: camera.revision }, START_FAILURE_KEEP_MS).catch((noted: unknown) => {
          deps.log.warn(`cluster: why ${id} could not start here not kept in Redis: ${errorMessage(noted)}`);
        });
        await this.leases.release(id, token);
        continue;
      }
      this.held.set(id, { token, revision: camera.revision, renewedAt: now, claim: null });
      deps.log.info(`cluster: took ${id} (lease ${token})`);
      // It runs: what nodes said of failing to start it no longer stands (and would else be what fades last).
      if (this.startFailures.has(id)) await this.leases.clearStartFailures(id).catch(() => undefined);
    }
    await this.recordClaims();
  }

  /**
   * What nodes said of failing to start the cameras that no node runs now:
   * only of their present definition, and said lately (START_FAILURE_KEEP_MS).
   */
  private async readStartFailures(): Promise<void> {
    const running = new Set([...this.held.keys(), ...this.live.flatMap((n) => [...Object.keys(n.leases), ...n.cameras.map((c) => c.cameraId)])]);
    const unrun = this.known.filter((c) => c.config.enabled && !running.has(c.id));
    const found = await this.leases.startFailures(unrun.map((c) => c.id));
    const now = this.deps.clock();
    const revisions = new Map(unrun.map((c) => [c.id, c.revision]));
    this.startFailures = new Map(
      [...found].map(([id, failures]) => [id, failures.filter((f) => f.revision === revisions.get(id) && now - f.at <= START_FAILURE_KEEP_MS)] as const).filter(([, failures]) => failures.length > 0),
    );
  }

  /**
   * The cameras held here whose sender is connected to this node: a WHIP
   * publisher (connecting or sending), a listener's sender that is sending.
   * Handing one over ends its session; the sender does not follow it.
   */
  private sendersHere(): Set<string> {
    const out = new Set<string>();
    for (const status of this.deps.cameras.list()) {
      if (!this.held.has(status.cameraId)) continue;
      const connected =
        status.sourceKind === 'webrtc' ? this.deps.cameras.webrtc(status.cameraId).hasPublisher : status.state === 'live' && listensForSender(this.deps.cameras.get(status.cameraId).camera.source);
      if (connected) out.add(status.cameraId);
    }
    return out;
  }

  /**
   * Each camera taken here is recorded as this node's in PostgreSQL, once
   * its lease is held (retried every tick while PostgreSQL is away: the
   * camera runs meanwhile).
   */
  private async recordClaims(): Promise<void> {
    if (!this.outages.postgresUp) return;
    for (const [id, held] of this.held) {
      if (held.claim !== null) continue;
      try {
        held.claim = await this.claims.record(id);
      } catch (error) {
        this.deps.log.debug(`cluster: the claim of ${id} is not recorded yet (${errorMessage(error)})`);
        return;
      }
    }
  }

  /** Redis is out of reach from here: a camera another node claimed since (its record in PostgreSQL says so) stops here. */
  private async fenceWhileCutOff(): Promise<void> {
    if (!this.outages.postgresUp) return;
    const recorded = new Map([...this.held].filter(([, h]) => h.claim !== null).map(([id, h]) => [id, h.claim!]));
    let taken: { cameraId: string; nodeId: string }[];
    try {
      taken = await this.claims.takenOver(recorded);
    } catch (error) {
      this.deps.log.debug(`cluster: claims not read (${errorMessage(error)})`);
      return;
    }
    for (const { cameraId, nodeId } of taken) {
      this.deps.log.warn(`cluster: node ${nodeId} took ${cameraId} while this node could not reach Redis: stopping it here`);
      this.held.delete(cameraId);
      await this.deps.cameras.detach(cameraId);
    }
  }

  /** Stops the camera first (its open shot closes here), then frees the lease for the others. */
  private async handOver(cameraId: string, why: 'draining' | 'removed' | 'disabled' | 'rebalance' | 'failed'): Promise<void> {
    const held = this.held.get(cameraId);
    if (!held) return;
    this.held.delete(cameraId);
    if (why === 'removed') await this.deps.cameras.remove(cameraId).catch(() => undefined);
    else await this.deps.cameras.detach(cameraId);
    await this.leases.release(cameraId, held.token).catch((error: unknown) => this.deps.log.warn(`cluster: lease of ${cameraId} not released (${errorMessage(error)}); it expires by itself`));
  }

  private heartbeat(now: number): NodeHeartbeat {
    const { deps } = this;
    return {
      nodeId: deps.nodeId,
      instance: this.instance,
      url: deps.url,
      capacity: this.draining ? 0 : deps.settings.capacity.cameras,
      draining: this.draining,
      startedAt: this.startedAt,
      at: now,
      leases: Object.fromEntries([...this.held].map(([id, h]) => [id, { token: h.token, renewedAt: h.renewedAt }])),
      cameras: deps.cameras.list().map((status) => ({ ...status, lastStderr: status.lastStderr.slice(-5) })),
      analysedFps: deps.analysedFps(),
      coverageDuty: this.dutyToken !== null,
    };
  }

  /**
   * Why Redis failed, in words an operator can act on: a command refused
   * for want of a connection says only "Stream isn't writeable", where the
   * connection's own error says "connect ECONNREFUSED 10.0.0.5:6379".
   */
  private redisReason(error: unknown): string {
    return this.deps.connections.redisProblem() ?? errorMessage(error);
  }
}

/**
 * The heartbeats just read, and those of the nodes read before whose
 * heartbeat is not there now, while they may still be taking back their own
 * (after Redis restarted, or after an outage that let every heartbeat
 * expire): such a node is not gone yet, and its cameras are not shown as
 * nobody's. A camera another node lists now is that node's.
 */
function withUnheard(live: readonly NodeHeartbeat[], before: readonly NodeHeartbeat[]): NodeHeartbeat[] {
  const heard = new Set(live.map((n) => n.nodeId));
  const listed = new Set(live.flatMap((n) => [...Object.keys(n.leases), ...n.cameras.map((c) => c.cameraId)]));
  const unheard = before
    .filter((n) => !heard.has(n.nodeId))
    .map((n) => ({
      ...n,
      leases: Object.fromEntries(Object.entries(n.leases).filter(([id]) => !listed.has(id))),
      cameras: n.cameras.filter((c) => !listed.has(c.cameraId)),
    }));
  return [...live, ...unheard].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}
