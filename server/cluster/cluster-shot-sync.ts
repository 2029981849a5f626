/**
 * The shot log's side of a cluster that is not shots: takes and plans made
 * on one node act on every node (relayed through the Socket.IO Redis
 * adapter, and the running takes kept in Redis for nodes that start later),
 * takes are recorded once in PostgreSQL by the node where they were started,
 * ended or made to leave cameras (take-records.ts), and the live coverage is
 * the cluster's, pushed by the node holding the coverage duty.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { TakeCommands } from '../api/shot-routes.js';
import type { SocketHub } from '../api/socket-hub.js';
import { errorMessage, ShotscaleError } from '../errors.js';
import { clockTime } from '../shots/restart-gaps.js';
import type { Logger } from '../shared/logger.js';
import type { CoverageUpdate, Take, TakeMark } from '../shared/shots.js';
import type { ShotLog } from '../shots/shot-log.js';
import type { ClusterCoverage } from './cluster-coverage.js';
import type { ClusterNode } from './cluster-node.js';
import { ClusterShotLog } from './cluster-shot-log.js';
import { RunningTakesList } from './running-takes-list.js';
import { gapsOfNode, TakeKeys, TakeRecords, withRecord, type NodeTakeGap, type RecordedTake, type UnendedTake } from './take-records.js';
import { TakesAfterCutOff } from './takes-after-cut-off.js';

/**
 * How often, and how far apart, the running takes are read again for a
 * record not in yet (written by the node where the take started): 20 x 250
 * ms covers the 2 s an answer waits for a record (take-records.ts).
 */
const PUSH_TRIES = 20;
const PUSH_RETRY_MS = 250;

/** How often the running takes are read again when Redis did not answer at start (about a tick of a node's leases). */
const JOIN_RETRY_MS = 1000;

/**
 * How often a resumed take's open gap is checked again for its cameras run
 * on by other nodes (checkRunOnElsewhere): a camera taken over gives its
 * first shot there seconds after this node went down (killed at 11:39:40,
 * leases of 3 s, the other node's first shot at 11:39:44), copied to
 * PostgreSQL a quarter second or more later, so it may not be in at the join
 * of a node back quickly.
 */
const RUN_ON_CHECK_MS = 2000;

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

export class ClusterShotSync {
  private computingCoverage = false;
  private readonly takeRecords: TakeRecords;
  /** Every node's shots: where the cameras a restart's gap cut ran on meanwhile. */
  private readonly clusterShots: ClusterShotLog;
  /** The next checks of resumed takes' gaps against it (checkRunOnElsewhere), cleared at close. */
  private readonly runOnChecks = new Set<NodeJS.Timeout>();
  /** Which record of the cluster each of this node's takes is. */
  private readonly keys = new TakeKeys();
  /** The running takes' ids last pushed to this node's dashboards, to push again when a record's id is read. */
  private pushedIds = '';
  private pushing: Promise<void> = Promise.resolve();
  private closed = false;
  /** The takes this node's log resumed after a restart, until matched with the cluster's (joinRunningTakes). */
  private resumed = new Set<number>();
  /** While the running takes in Redis could not be read at start: the next read, and how many failed. */
  private rejoin: NodeJS.Timeout | null = null;
  private joinRetries = 0;

  /**
   * The takes this node resumed after a restart and joined to the cluster's
   * record (by this node's id: their starts where they were started), until
   * their gap gets its end: the record then gets that end too.
   */
  private readonly joinedGaps = new Map<number, number>();

  /** The running takes in Redis, which nodes that start later join. */
  private readonly runningList: RunningTakesList;
  /** What this node owes the cluster's takes, and what it missed, while cut off from Redis. */
  private readonly afterCutOff: TakesAfterCutOff;
  /** Whether join() has joined the running takes: before, Redis answering is the start, not a return. */
  private joined = false;
  private readonly redisReady = () => this.afterCutOff.redisBack();

  constructor(private readonly deps: ClusterShotSyncDeps) {
    this.takeRecords = new TakeRecords(deps.pool, deps.nodeId, deps.log);
    this.clusterShots = new ClusterShotLog(deps.pool);
    this.runningList = new RunningTakesList(deps.redis, `${deps.keyPrefix}:takes`);
    this.afterCutOff = new TakesAfterCutOff({
      list: this.runningList,
      shotLog: deps.shotLog,
      keys: this.keys,
      runningHere: (only) => this.runningHere(only),
      hub: deps.hub,
      pushRunning: () => this.pushRunning(),
      joined: () => this.joined,
      closed: () => this.closed,
      log: deps.log,
    });
    // Redis answers again (the client's connection is ready): what was not written or told while it was away is now.
    deps.redis.on('ready', this.redisReady);
    deps.shotLog.onRestartGapClosed((takeId) => this.gapClosed(takeId));
    // A take number an edit gave a shot here is used on every node: none slates it again as new.
    deps.shotLog.onShotSlated((slate) => this.deps.hub()?.io.serverSideEmit('take:slated', slate));
  }

  /** Takes started or ended here: here, then on every other node, remembered for nodes that start later, and recorded. */
  readonly takes: TakeCommands = {
    start: (request) => {
      const { shotLog } = this.deps;
      const here = this.camerasWhileCutOff(request.cameras ?? null);
      const before = shotLog.runningTakes();
      const take = shotLog.startTake(here ? { ...request, cameras: here } : request);
      this.keys.started(take.id, take.startedAt);
      // Cut off, the event is dropped: it is sent again once Redis answers (takes-after-cut-off.ts).
      if (here) this.afterCutOff.slatedUnheard(take.id);
      this.deps.hub()?.io.serverSideEmit('take:start', { scene: take.scene, take: take.take, cameras: take.cameras, startedAt: take.startedAt });
      this.rememberTakes(take);
      // A take started on some of the same cameras ended the one running there, or made it leave them.
      this.recordChanges(before, take.startedAt);
      this.takeRecords.started(take);
      this.pushRunning();
      return take;
    },
    end: (cameraIds) => {
      const before = this.deps.shotLog.runningTakes();
      const ended = this.deps.shotLog.endTake(cameraIds);
      this.deps.hub()?.io.serverSideEmit('take:end', { cameras: cameraIds });
      this.rememberTakes();
      this.recordChanges(before, ended[0]?.endedAt ?? Date.now());
      this.pushRunning();
      return ended;
    },
    mark: async (id, mark) => {
      const marked = await this.takeRecords.mark(id, mark);
      if (!marked) throw new ShotscaleError('NOT_FOUND', `no take ${id} (GET /api/takes lists the cluster's takes)`);
      this.markHere(marked.scene, marked.take, mark);
      this.deps.hub()?.io.serverSideEmit('take:mark', { scene: marked.scene, take: marked.take, mark });
      return marked;
    },
    withRecordIds: (takes) => this.keys.withRecordIds(takes),
    runningForDashboards: (running) => this.runningForDashboards(running),
  };

  /**
   * While this node cannot reach Redis, a take reaches this node's cameras
   * only (no other node hears of it): it is slated on them by name, so that
   * its record, and this node's log, say which cameras it acted on rather
   * than "every camera". A take naming cameras keeps those this node runs;
   * one naming none of them is refused, since it would act on no camera.
   * Null while Redis answers (the take acts where it says).
   */
  private camerasWhileCutOff(cameras: string[] | null): string[] | null {
    const state = this.deps.node()?.state();
    if (!state || state.redis === 'up') return null;
    const here = state.nodes.find((n) => n.nodeId === this.deps.nodeId)?.cameras ?? [];
    const acted = cameras ? cameras.filter((c) => here.includes(c)) : here;
    if (acted.length) return acted;
    const named = cameras ? `${cameras.map((c) => JSON.stringify(c)).join(', ')} ${cameras.length === 1 ? 'is' : 'are'} not run by this node` : 'this node runs no camera now';
    throw new ShotscaleError('CLUSTER_UNREACHABLE', `node "${this.deps.nodeId}" cannot reach the cluster's Redis, so a take slated here acts on this node's cameras only (${here.length ? here.join(', ') : 'none'}), and ${named}: no take was started; slate it on a node that runs them, or once Redis answers`);
  }

  /**
   * The running takes, pushed to this node's dashboards (`takes`) with the
   * ids of their records once read: the shot log's own push, at the change,
   * carries the ids read by then, and a take slated a moment ago has none yet.
   * Pushed again only when an id differs; one push at a time, in order.
   */
  private pushRunning(tries = PUSH_TRIES): void {
    this.pushing = this.pushing.then(async () => {
      if (this.closed) return;
      // PostgreSQL away at the slate: nothing pushed, but read again below, so that the ids are pushed once it answers.
      const read = await this.readRunning().catch(() => null);
      const hub = this.deps.hub();
      if (read && hub) {
        // Dashboards key the running takes by id (they mark takes by the ids GET /api/takes gives).
        const running = read.map(({ local, recorded }) => (recorded.id === null ? this.keys.withRecordIds([local])[0]! : { ...recorded, id: recorded.id }));
        const ids = JSON.stringify(running.map((t) => t.id));
        if (ids !== this.pushedIds) {
          this.pushedIds = ids;
          hub.takes(running);
        }
      }
      // A take started on another node is recorded by that node: its record may land a moment later.
      const unread = this.deps.shotLog.runningTakes().some((t) => this.keys.recordId(t) === null);
      if (unread && tries > 1) setTimeout(() => this.pushRunning(tries - 1), PUSH_RETRY_MS).unref();
    });
    // A push that throws is logged; the next one still runs (an unhandled rejection would end the server).
    this.pushing = this.pushing.catch((error: unknown) => this.deps.log.warn(`cluster: the running takes not pushed to this node's dashboards: ${errorMessage(error)}`));
  }

  /** The running takes as the shot log pushes them to this node's dashboards: with the ids of their records where read. */
  private runningForDashboards(running: Take[]): Take[] {
    const shown = this.keys.withRecordIds(running);
    this.pushedIds = JSON.stringify(shown.map((t) => t.id));
    return shown;
  }

  /** This node's record of a take, marked as the cluster's is (its own takes list and plan alerts read it). */
  private markHere(scene: string, take: string, mark: TakeMark | null): void {
    const local = this.deps.shotLog.takeStore.find(scene, take);
    if (local) this.deps.shotLog.markTake(local.id, mark);
  }

  /**
   * A take just started here, as the answer to its start gives it: with the
   * id of its record in the cluster (the id PATCH /api/takes/:id marks; this
   * node's own id of the take is another number, and may be another take's
   * there), once this node's write of the record is in. While PostgreSQL is
   * slow or away, the take as this node has it.
   */
  async recordedTake(take: Take): Promise<RecordedTake> {
    const id = await this.takeRecords.idOfStarted(take);
    this.keys.noteRecordIds([take], [id]);
    return withRecord(take, id ?? this.keys.recordId(take));
  }

  /**
   * Takes just ended here, as the answer to their end gives them: each with
   * the id of its record in the cluster (as recordedTake); one whose record
   * cannot be read now (PostgreSQL slow or away) with none (recordPending).
   */
  async recordedTakes(takes: Take[]): Promise<RecordedTake[]> {
    if (!takes.length) return [];
    // Read now, before anything else ends here: their starts where they were started.
    const keys = takes.map((t) => ({ scene: t.scene, take: t.take, startedAt: this.keys.originOf(t) }));
    const records = await this.takeRecords.recordsOf(keys).catch((error: unknown) => {
      this.deps.log.warn(`cluster: the records of the takes just ended not read: ${errorMessage(error)}`);
      return keys.map(() => null);
    });
    this.keys.noteRecordIds(takes, records.map((r) => r?.id ?? null));
    return takes.map((t, i) => withRecord(t, records[i]?.id ?? this.keys.recordId(t), records[i]?.gaps ?? t.gaps));
  }

  /**
   * The takes running here, each with the id of its record in the cluster
   * (as recordedTake), so that the running takes GET /api/takes lists can
   * be marked by their ids; one whose record is not in yet with none (recordPending).
   */
  async runningTakes(): Promise<RecordedTake[]> {
    return (await this.readRunning()).map((t) => t.recorded);
  }

  /** The takes running here, as this node has them and as the cluster's answers give them. */
  private async readRunning(): Promise<{ local: Take; recorded: RecordedTake }[]> {
    const running = this.deps.shotLog.runningTakes();
    const records = await this.takeRecords.recordsOf(running.map((t) => ({ scene: t.scene, take: t.take, startedAt: this.keys.originOf(t) })));
    this.keys.noteRecordIds(running, records.map((r) => r?.id ?? null));
    return running.map((t, i) => ({ local: t, recorded: withRecord(t, records[i]?.id ?? this.keys.recordId(t), records[i]?.gaps ?? t.gaps) }));
  }

  /** The cluster's takes (of one scene), oldest first, with ids of the cluster's record. */
  takeHistory(scene?: string): Promise<Take[]> {
    return this.takeRecords.list(scene);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.deps.redis.off('ready', this.redisReady);
    if (this.rejoin) clearTimeout(this.rejoin);
    for (const check of this.runOnChecks) clearTimeout(check);
    this.runOnChecks.clear();
    await this.takeRecords.close();
  }

  private forgetEnded(): void {
    this.keys.runningNow(this.deps.shotLog.runningTakes());
  }

  /**
   * A camera deleted from the cluster through this node: the takes running
   * on it leave it here and on every other node, a take left with none ends,
   * and the cluster's record says so (the node that ran the camera, if any,
   * stops it at its next tick; its log leaves the takes to this).
   */
  cameraRemoved(cameraId: string): void {
    const { shotLog } = this.deps;
    const before = shotLog.runningTakes();
    const ended = shotLog.takesLeaveRemoved(cameraId);
    this.deps.hub()?.io.serverSideEmit('take:camera-removed', { cameraId });
    this.rememberTakes();
    this.recordChanges(before, ended[0]?.endedAt ?? Date.now());
    this.pushRunning();
  }

  /**
   * A resumed take's gap got its end here (its first shot since the restart,
   * or its end): the cluster's record, given the gap at the join while it
   * still ended at the restart, gets that end. A take not joined yet needs
   * nothing: the join writes its gap as it stands then. Never throws (the
   * shot log tells this from a shot's start).
   */
  private gapClosed(takeId: number): void {
    const startedAt = this.joinedGaps.get(takeId);
    if (startedAt === undefined) return;
    this.joinedGaps.delete(takeId);
    try {
      const take = this.deps.shotLog.takeStore.get(takeId);
      this.takeRecords.resumed(take, startedAt, this.ownGaps(take));
    } catch (error) {
      this.deps.log.warn(`cluster: the end of a restart's gap in take ${takeId} not recorded: ${errorMessage(error)}`);
    }
  }

  /** The takes running before a start or an end here: those it ended, and those it made leave cameras, are recorded. */
  private recordChanges(before: Take[], at: number): void {
    const running = new Map(this.deps.shotLog.runningTakes().map((t) => [t.id, t]));
    for (const was of before) {
      const now = running.get(was.id);
      // As it ended: a take on every camera ends by leaving its last one.
      if (!now) this.recordEnd(this.deps.shotLog.takeStore.get(was.id), at);
      else if (now.exceptCameras.length !== was.exceptCameras.length || now.cameras?.length !== was.cameras?.length) this.takeRecords.left(now, this.keys.originOf(now));
    }
  }

  /** Ends the take's record, keyed by its start on the node where it was started (which it no longer needs here). */
  private recordEnd(take: Take, at: number): void {
    const startedAt = this.keys.originOf(take);
    this.keys.ended(take.id);
    this.takeRecords.ended(take, startedAt, at);
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
    hub.io.on('take:start', (request) => applied('a take started', () => this.endedAsTold(() => this.startAsTold(request))));
    hub.io.on('take:end', (request) => applied('a take ended', () => this.endedAsTold(() => shotLog.endTake(request.cameras))));
    hub.io.on('take:camera-removed', ({ cameraId }) => applied(`camera "${cameraId}" removed`, () => this.endedAsTold(() => shotLog.takesLeaveRemoved(cameraId))));
    hub.io.on('take:mark', ({ scene, take, mark }) => applied(`a mark on scene ${scene} take ${take}`, () => this.markHere(scene, take, mark)));
    hub.io.on('take:slated', (slate) => applied(`a shot moved to scene ${slate.scene}`, () => shotLog.knowClusterSlate(slate)));
    // Takes ended by another node (it records them): their starts are no longer needed here.
    // The running takes are pushed again once their records' ids are read.
    for (const event of ['take:start', 'take:end', 'take:camera-removed'] as const)
      hub.io.on(event, () => {
        this.forgetEnded();
        this.pushRunning();
      });
  }

  /** A take another node started, started here too; one already running here (told again once Redis returned: takes-after-cut-off.ts) is not started twice. */
  private startAsTold(request: { scene: string; take: string; cameras: string[] | null; startedAt: number }): void {
    const { shotLog } = this.deps;
    if (shotLog.runningTakes().some((t) => t.scene === request.scene && t.take === request.take && this.keys.originOf(t) === request.startedAt)) return;
    this.keys.started(shotLog.startTake({ ...request, again: true }).id, request.startedAt);
  }

  /**
   * Applies what another node said (a take started or ended there, a camera
   * removed), then ends the cluster's record of each take it ended here,
   * where the record is still unended (TakeRecords.endedAsTold): the node
   * that said it records only the takes it had running.
   */
  private endedAsTold(apply: () => void): void {
    const { shotLog } = this.deps;
    const before = shotLog.runningTakes();
    apply();
    const running = new Set(shotLog.runningTakes().map((t) => t.id));
    for (const was of before) {
      if (running.has(was.id)) continue;
      const take = shotLog.takeStore.get(was.id);
      const startedAt = this.keys.originOf(take);
      this.keys.ended(take.id);
      this.takeRecords.endedAsTold(take, startedAt, take.endedAt ?? Date.now());
    }
  }

  /** At start: the takes running in the cluster are joined, and the cluster's plans kept here (a take's end checks them). */
  async join(): Promise<void> {
    const { shotLog, log } = this.deps;
    // Before anything else starts here: the takes this node's log resumed after a restart (shot-log.ts).
    this.resumed = new Set(shotLog.runningTakes().map((t) => t.id));
    // The cluster's spellings of its scenes and takes, so that one slated or asked for here in another case is the cluster's.
    try {
      shotLog.knowClusterSlates(await this.takeRecords.slates());
    } catch (error) {
      log.warn(`cluster: the scenes and takes of the cluster's record not read (${errorMessage(error)}): a scene is spelled as this node's own log has it`);
    }
    await this.joinRunningTakes();
    this.joined = true;
    for (const { scene, plan } of await this.deps.coverage.storedPlans().catch(() => [])) {
      try {
        shotLog.setPlan(scene, plan);
      } catch (error) {
        log.warn(`cluster: plan for scene "${scene}" not kept here: ${errorMessage(error)}`);
      }
    }
  }

  /**
   * The takes running in the cluster, as Redis keeps them, joined here. A
   * take this node resumed after a restart is the cluster's take, whose
   * record is keyed by its start where it was started (not by this node's
   * own start of it: a second record, ended while the first ran on for
   * ever, and marks on either missing the other's shots), and its gap goes
   * into that record; one the cluster ended meanwhile ends here too. Where
   * Redis holds no list (it lost its data), the unended takes of the
   * cluster's record in PostgreSQL are the running ones, and are kept in
   * Redis again. While neither can be read, nothing is known of the
   * cluster's takes (an unread list is not an empty one): the resumed takes
   * run on, and the list is read again every JOIN_RETRY_MS.
   */
  private async joinRunningTakes(): Promise<void> {
    const { shotLog, log } = this.deps;
    let running: UnendedTake[] | null;
    let fromRecord = false;
    const key = this.runningList.key;
    let source = `in Redis (${key})`;
    try {
      const { stored, takes } = await this.runningList.read();
      // No list in Redis (Redis lost its data: a host rebooted, no persistence) is not "no take runs": the
      // cluster's record in PostgreSQL says which run, and nothing is ended before it is read.
      fromRecord = stored === null;
      if (fromRecord) source = `in the cluster's record (PostgreSQL; Redis holds none at ${key})`;
      running = stored === null ? await this.takeRecords.unended() : takes;
    } catch (error) {
      if (this.closed) return;
      if (!this.joinRetries) {
        const kept = shotLog.runningTakes().filter((t) => this.resumed.has(t.id));
        const takes = kept.length ? `the take(s) this node resumed after its restart (${kept.map((t) => `scene ${t.scene} take ${t.take}`).join(', ')}) run on` : 'no take is joined yet';
        log.warn(`cluster: the running takes ${source} not read (${errorMessage(error)}): ${takes}; read again every ${JOIN_RETRY_MS / 1000} s`);
      }
      this.joinRetries += 1;
      this.rejoin = setTimeout(() => void this.joinRunningTakes().catch((e: unknown) => log.warn(`cluster: the running takes not joined: ${errorMessage(e)}`)), JOIN_RETRY_MS);
      this.rejoin.unref();
      return;
    }
    if (this.closed) return;
    this.rejoin = null;
    if (this.joinRetries) log.info(`cluster: the running takes read after ${this.joinRetries} failed read(s): joined now`);
    this.joinRetries = 0;
    if (fromRecord && running?.length) log.warn(`cluster: no running takes in Redis (${key}): the cluster's record runs ${running.map((t) => `scene ${t.scene} take ${t.take}`).join(', ')}; joined, and kept in Redis again`);
    // Another version's value (or a damaged one) must not stop this node from starting: no take is joined.
    if (!running) log.warn(`cluster: the running takes in Redis (${key}) are not a list this version reads; none joined`);
    const resumed = shotLog.runningTakes().filter((t) => this.resumed.has(t.id));
    this.resumed.clear();
    for (const local of running ? resumed : []) {
      const cluster = running?.find((t) => t.scene === local.scene && t.take === local.take);
      if (cluster) {
        this.keys.started(local.id, cluster.startedAt);
        this.takeRecords.resumed(local, cluster.startedAt, this.ownGaps(local));
        // Its gap may still end at the restart: once its first shot comes, the record gets the end (gapClosed).
        this.joinedGaps.set(local.id, cluster.startedAt);
        // Or once every camera it cut runs on on another node (taken over while this one was down).
        this.checkRunOnElsewhere(local);
        continue;
      }
      await this.endResumed(local);
    }
    for (const take of running ?? []) {
      if (shotLog.runningTakes().some((t) => t.scene === take.scene && t.take === take.take)) continue;
      try {
        this.keys.started(shotLog.startTake({ scene: take.scene, take: take.take, cameras: take.cameras, exceptCameras: take.exceptCameras, again: true }).id, take.startedAt);
        log.info(`cluster: joined the running take: scene ${take.scene} take ${take.take}`);
      } catch (error) {
        log.warn(`cluster: running take scene ${take.scene} not joined: ${errorMessage(error)}`);
      }
    }
    // Other nodes that start later read the list from Redis.
    if (fromRecord) this.rememberTakes();
    this.pushRunning();
  }

  /**
   * A resumed take's open gap, in a cluster: the cameras it cut do not wait
   * for this node (another takes them over within the lease), so the gap
   * ends once each of them ran on elsewhere in the take, at the last of
   * them to resume, not at this node's own first shot of the take (maybe
   * never, with no camera back) or the take's end: "no shots from 11:39:40
   * to 11:40:10" said the whole take was lost where 4 s were (restart-gaps.ts).
   * Checked now and every RUN_ON_CHECK_MS while the gap is open here; one
   * that cut no camera is left as it is. Never throws.
   */
  private checkRunOnElsewhere(take: Take): void {
    const gap = this.ownGaps(take).at(-1);
    if (!gap?.cameras.length) return;
    let warned = false;
    const check = async (): Promise<void> => {
      // Closed here meanwhile (its first shot, its end): the record has that end already (gapClosed).
      if (this.closed || !this.joinedGaps.has(take.id)) return;
      let open = true;
      try {
        open = await this.runOnElsewhere(take, gap);
      } catch (error) {
        // PostgreSQL away: the gap stays open, as on a single server, and is checked again once it answers.
        if (!warned) this.deps.log.warn(`cluster: where the cameras of scene ${take.scene} take ${take.take} ran on since this node's restart not read (${errorMessage(error)}): read again every ${RUN_ON_CHECK_MS / 1000} s`);
        warned = true;
      }
      if (!open || this.closed) return;
      const next = setTimeout(() => {
        this.runOnChecks.delete(next);
        void check();
      }, RUN_ON_CHECK_MS);
      next.unref();
      this.runOnChecks.add(next);
    };
    void check();
  }

  /**
   * Tells this node's log which of the cameras `gap` cut ran on on other
   * nodes since its start, in the take (`until`: the take's end in the
   * cluster, for one that ended meanwhile: a shot after it is another
   * take's). Returns whether the gap is still open.
   */
  private async runOnElsewhere(take: Take, gap: NodeTakeGap, until?: number): Promise<boolean> {
    const runOn = (await this.clusterShots.firstShotsElsewhere(take, gap.cameras, gap.from, this.deps.nodeId)).filter((r) => until === undefined || r.at < until);
    return !this.closed && this.deps.shotLog.restartGapRunOnElsewhere(take.id, gap.from, gap.cameras, runOn);
  }

  /**
   * A take this node resumed after a restart that the cluster ended while
   * this node was down: it ends here at the cluster's end of it, not now
   * (its record, and the restart's gap and alert, said it ran on here until
   * the restart: "no shots from 07:40:36 to 07:40:55; the take ended then"
   * for a take ended at 07:40:39.9), and its gap, ending there, goes into
   * the cluster's record as a restart's gap in a take running on does.
   * Where that record cannot be read (PostgreSQL away), it ends now.
   */
  private async endResumed(local: Take): Promise<void> {
    const { shotLog, log } = this.deps;
    const ranUntil = local.gaps.at(-1)?.from ?? local.startedAt;
    const record = await this.takeRecords.endOfResumed(local, ranUntil).catch((error: unknown) => {
      log.warn(`cluster: the cluster's end of scene ${local.scene} take ${local.take} not read (${errorMessage(error)}): it ends here now`);
      return null;
    });
    // Its cameras may have run on on other nodes before the take ended: its gap ends there, not at the take's end.
    const gap = this.ownGaps(local).at(-1);
    if (record && gap?.cameras.length) {
      await this.runOnElsewhere(local, gap, record.endedAt).catch((error: unknown) => {
        log.warn(`cluster: where the cameras of scene ${local.scene} take ${local.take} ran on since this node's restart not read (${errorMessage(error)}): its gap runs to the take's end`);
      });
    }
    // Another node's end may have reached this one meanwhile.
    if (!shotLog.endRunningTake(local.id, record ? Math.max(local.startedAt, record.endedAt) : undefined)) return;
    const ended = shotLog.takeStore.get(local.id);
    if (record) this.takeRecords.resumed(ended, record.startedAt, this.ownGaps(ended));
    log.warn(`cluster: scene ${local.scene} take ${local.take}, running here before a restart, ended in the cluster meanwhile${record ? ` (at ${clockTime(record.endedAt)})` : ''}; ended here too`);
  }

  /** The cluster's live coverage as last pushed, else computed now. */
  async liveCoverage(): Promise<CoverageUpdate> {
    return this.deps.hub()?.latestClusterCoverage() ?? this.deps.coverage.update(this.deps.node()?.runStartedAt() ?? this.deps.startedAt, this.deps.shotLog.runningTakes());
  }

  /** On the node with the coverage duty: the cluster's coverage to every client (called every 2 s; one computation at a time). */
  pushCoverage(): void {
    const node = this.deps.node();
    if (!node?.hasCoverageDuty() || this.computingCoverage) return;
    this.computingCoverage = true;
    this.deps.coverage
      .update(node.runStartedAt(), this.deps.shotLog.runningTakes())
      .then((update) => {
        this.deps.hub()?.clusterCoverageUpdate(update);
        this.deps.onCoverage?.(update);
      })
      .catch((error: unknown) => this.deps.log.warn(`cluster: coverage not computed: ${errorMessage(error)}`))
      .finally(() => {
        this.computingCoverage = false;
      });
  }

  /** Take `take`'s restart gaps as this node's, each with the cameras it cut (take-records.ts gapsOfNode). */
  private ownGaps(take: Take): NodeTakeGap[] {
    return gapsOfNode(take, this.deps.nodeId, (filter) => this.deps.shotLog.shots.list(filter));
  }

  /** The takes running here, as Redis keeps them (`only`: those with these ids of this node's). */
  private runningHere(only?: Set<number>): UnendedTake[] {
    return this.deps.shotLog
      .runningTakes()
      .filter((t) => !only || only.has(t.id))
      .map((t) => ({ scene: t.scene, take: t.take, cameras: t.cameras, exceptCameras: t.exceptCameras, startedAt: this.keys.originOf(t) }));
  }

  /** `started`: the take just slated here, which no other node heard of where the write fails (Redis away). */
  private rememberTakes(started?: Take): void {
    this.runningList.write(this.runningHere()).then(
      () => this.afterCutOff.kept(true),
      (error: unknown) => {
        this.afterCutOff.kept(false);
        if (started) this.afterCutOff.slatedUnheard(started.id);
        this.deps.log.warn(`cluster: running takes not kept in Redis: ${errorMessage(error)}; kept, and told to the other nodes, once Redis answers`);
      },
    );
  }
}
