/**
 * Alerts for the whole cluster, judged once. Cameras doubling up on one
 * framing, a camera stuck or without picture, a take that ended with planned
 * framings missing: these are about every node's cameras, so one node (the
 * one holding the coverage duty, which also computes the cluster's coverage)
 * runs the AlertMonitor on every camera's readouts and statuses, and
 * announces what it raises and resolves to every node. A node's own
 * conditions (its shot log cannot be written, it cannot reach Redis or
 * PostgreSQL) stay its own, under keys that name it, and are shown on every
 * node too.
 *
 * Every node keeps the alerts announced to it, so that a new client gets
 * them at once and so that the node taking the duty over (its holder died
 * or was drained) adopts them: an alert that still holds stays active with
 * its key and start, one that no longer does is resolved, none is repeated.
 * The history is in PostgreSQL, written in order by each announcing node and
 * retried while PostgreSQL is away.
 */
import type pg from 'pg';
import { AlertMonitor, byUrgency, type AlertSettingsInput } from '../coverage/alert-monitor.js';
import { evaluatePlan, missingItems } from '../coverage/coverage-plan.js';
import type { InterServerEvents, SocketHub } from '../api/socket-hub.js';
import { errorMessage } from '../errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { CanonicalScale } from '../shared/scale.js';
import type { Alert, CoverageUpdate, Take } from '../shared/shots.js';
import type { CameraStatus, PictureState } from '../shared/socket-events.js';
import type { ClusterCoverage } from './cluster-coverage.js';
import type { ClusterNodeState } from './cluster-health.js';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterShotLog } from './cluster-shot-log.js';
import { clusterQueryError } from './pg-errors.js';
import { PgWriteQueue } from './pg-write-queue.js';
import { jsonWithoutNul, noNul } from './shot-replicator.js';

/** An alert as it goes between the nodes: who announced it, and whether it is the cluster's or that node's own. */
export type AlertRelay = Parameters<InterServerEvents['alert']>[0];

/** After a take ends, the other nodes' closing shots reach PostgreSQL within about a second (copied every 250 ms). */
const PLAN_CHECK_DELAY_MS = 2000;
const TICK_MS = 1000;
/**
 * A camera whose last readout arrived this recently is live (or within one
 * and a half of its own intervals between analysed frames, where it is
 * analysed slower than a frame a second: readsLiveFor). Readouts stop the
 * moment a camera loses its picture or its node, and neither a stall
 * (supervisor.stallTimeoutS, 3 s or more) nor a lost node (its heartbeat
 * expires, or its next one leaves the camera out) is seen sooner, so no
 * outage is hidden.
 */
const READ_LIVE_MS = 1500;
/**
 * An alert a node announces proves it alive, but the list of live nodes here
 * may have been read just before that node's heartbeat was (each node reads
 * it every second or faster): a node is taken as gone, and its alerts
 * dropped, only when a list read this long after the alert leaves it out. A
 * node rejoining announced its alerts again and saw them dropped by a list a
 * moment stale.
 */
const NODE_LIST_LAG_MS = 1000;
/**
 * How often a node tells its own active alerts again, besides when it comes
 * back into the live nodes' list: a node whose heartbeat lapsed while its
 * Redis connection held (a tick held up by a slow PostgreSQL) finds itself
 * listed again at its next tick, having never seen itself missing, while
 * the others dropped its alerts meanwhile. Repeats are the same alerts
 * (key and start): nothing is doubled.
 */
const ANNOUNCE_AGAIN_MS = 30_000;

/** How long after its last readout a camera still reads live: a readout in every such window while it is (a 0.5 fps camera flapped between its readouts). */
const readsLiveFor = (status: CameraStatus): number => Math.max(READ_LIVE_MS, status.analysisFps > 0 ? 1500 / status.analysisFps : READ_LIVE_MS);

export interface ClusterAlertsDeps {
  nodeId: string;
  settings: AlertSettingsInput;
  pool: pg.Pool;
  coverage: ClusterCoverage;
  shots: ClusterShotLog;
  /** This node's own alert monitor (the shot log's): its storage and engines. */
  own: AlertMonitor;
  /** Every camera of the cluster: this node's, the other nodes', and those nobody runs ('waiting'). */
  cameras: () => CameraStatus[];
  /** Late-bound: the hub exists once the HTTP app does, the node once the server listens. */
  hub: () => SocketHub | null;
  node: () => ClusterNode | null;
  clock: Clock;
  log: Logger;
}

interface Announced {
  alert: Alert;
  from: string;
  scope: AlertRelay['scope'];
  /** When this node heard it (its clock): a node list read before then cannot tell that its node has gone. */
  heardAt: number;
}

export class ClusterAlerts {
  /** The cluster's alerts and the other nodes' own, as announced: what this node shows. */
  private readonly announced = new Map<string, Announced>();
  /** On the node that judges: the monitor of every camera of the cluster. */
  private judge: AlertMonitor | null = null;
  /** Cameras the judge has been told of; those it has seen run; since when each has had no node running it. */
  private readonly judged = new Set<string>();
  private readonly seenRunning = new Set<string>();
  private readonly unrunSince = new Map<string, number>();
  /** What the judge was last told of each camera (before asRead), and when each camera's last readout arrived here. */
  private readonly shown = new Map<string, CameraStatus>();
  private readonly lastReadAt = new Map<string, number>();
  /** Alert records for PostgreSQL, in order; a raise and its resolve share a slot. */
  private readonly records: PgWriteQueue;
  private timer: NodeJS.Timeout | null = null;
  /** Whether this node was in the live nodes' list at the last tick: when it comes (back) into it, it announces its own alerts again. */
  private listed = false;
  /** When this node last told its own active alerts (announceOwnWhenListed). */
  private announcedAt = -Infinity;

  constructor(private readonly deps: ClusterAlertsDeps) {
    this.records = new PgWriteQueue(deps.pool, deps.log, 'alert records');
  }

  /** Alerts from the other nodes, dismissals for the judge, and every camera's readouts. */
  listen(hub: SocketHub): void {
    hub.io.on('alert', (relay) => {
      if (relay.from === this.deps.nodeId) return;
      this.remember(relay.alert, relay.from, relay.scope);
      hub.io.local.emit('alert', relay.alert);
    });
    hub.io.on('alert:dismiss', ({ key }) => {
      const now = this.deps.clock();
      this.judge?.dismiss(key, now);
      this.deps.own.dismiss(key, now);
    });
    hub.io.on('readout', (readout) => this.readout(readout.cameraId, readout.label, readout.captureTime, readout));
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    void this.loadActive();
  }

  /**
   * At start: the alerts active in the cluster before this node joined, from
   * the history, so that its wall shows them at once (what is announced
   * from now on updates them; a gone node's own are dropped by the first node list read after: forgetGoneNodes).
   */
  private async loadActive(): Promise<void> {
    try {
      const { rows } = await this.deps.pool.query<{ alert: Alert; node_id: string | null }>('SELECT alert, node_id FROM cluster_alerts WHERE resolved_at IS NULL');
      for (const { alert, node_id: nodeId } of rows) {
        if (this.announced.has(alert.key) || nodeId === this.deps.nodeId) continue;
        this.remember(alert, nodeId ?? this.deps.nodeId, nodeId === null ? 'cluster' : 'node');
      }
    } catch (error) {
      this.deps.log.warn(`cluster: the active alerts were not read at start (${errorMessage(error)}); new ones are shown as they come`);
    }
  }

  /** A camera's readout (this node's or another's): the judge follows every camera's label. */
  readout(cameraId: string, label: CanonicalScale, time: number, picture: PictureState = {}): void {
    const judge = this.judge;
    if (!judge) return;
    const now = this.deps.clock();
    this.lastReadAt.set(cameraId, now);
    // Told live before the readout is judged: its evaluation must not raise a stalled alert for a camera sending pictures.
    const shown = this.shown.get(cameraId);
    if (shown && shown.state !== 'live') judge.cameraStatus(this.asRead(shown, now), now);
    judge.readout(cameraId, label, time, picture);
  }

  /**
   * This node's own alert (raised or resolved): shown on every node and kept
   * in the cluster's history. One raised before the node joined (a take the
   * restart cut into, found as the shot log opens), or while the others had
   * given this node up, reaches them when it is listed again (announceOwnWhenListed).
   */
  ownAlert(alert: Alert): void {
    this.deps.hub()?.io.serverSideEmit('alert', { alert, from: this.deps.nodeId, scope: 'node' });
    this.record(alert, this.deps.nodeId);
  }

  /** A take ended (on every node alike): the judge checks the scene's plan against every node's shots. */
  takeEnded(take: Take): void {
    if (!this.judge) return;
    setTimeout(() => void this.checkPlan(take), PLAN_CHECK_DELAY_MS).unref();
  }

  /** A take marked (on every node alike): NG resolves the plan alert its end raised, as on a single node. */
  takeMarked(take: Take): void {
    if (take.mark === 'ng') this.judge?.resolvePlanAlert(take.scene, take.take, this.deps.clock());
  }

  /** The cluster's coverage, just computed by this node: plans now met clear their alerts. */
  coverageComputed(update: CoverageUpdate): void {
    const now = this.deps.clock();
    for (const scene of update.scenes) if (scene.plan && scene.missing.length === 0) this.judge?.planSatisfied(scene.scene, now);
  }

  /** Active alerts on the wall of any node: this node's own, the other nodes' own, and the cluster's. */
  active(): Alert[] {
    return [...this.deps.own.active(), ...[...this.announced.values()].map((a) => a.alert)].sort(byUrgency);
  }

  /**
   * An operator dismissed an alert: this node's own here; the cluster's by
   * the judge (here, or told through Redis); another node's own by it.
   */
  dismiss(key: string): boolean {
    const now = this.deps.clock();
    if (this.deps.own.dismiss(key, now)) return true;
    if (this.judge?.dismiss(key, now)) return true;
    if (!this.announced.has(key)) return false;
    this.announced.delete(key);
    this.deps.hub()?.io.serverSideEmit('alert:dismiss', { key });
    return true;
  }

  /** The cluster's alert history, newest first. */
  async history(limit = 200): Promise<Alert[]> {
    try {
      const { rows } = await this.deps.pool.query<{ alert: Alert }>('SELECT alert FROM cluster_alerts ORDER BY since DESC LIMIT $1', [limit]);
      return rows.map((r) => r.alert);
    } catch (error) {
      throw clusterQueryError(error, "the cluster's alert history", 'the active alerts are still shown (GET /api/alerts without history)');
    }
  }

  /** Stops judging; records still waiting get one last try. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.judge = null;
    await this.records.close();
  }

  /** Every second: take up or give up judging with the coverage duty, tell the judge every camera's status, write records. */
  tick(): void {
    const now = this.deps.clock();
    const node = this.deps.node();
    const duty = node?.hasCoverageDuty() ?? false;
    if (duty && !this.judge) void this.startJudging(now);
    else if (!duty && this.judge) {
      this.judge = null;
      this.judged.clear();
      this.seenRunning.clear();
      // Not followed while another node judges: what it held would be stale when this node judges again.
      this.unrunSince.clear();
      this.shown.clear();
      this.lastReadAt.clear();
      this.deps.log.info('cluster: another node judges the alerts now');
    }
    if (this.judge) {
      this.followCameras(this.judge, now);
      this.judge.tick(now);
    }
    if (node) {
      const state = node.state();
      this.announceOwnWhenListed(state, now);
      this.forgetGoneNodes(state, now);
    }
  }

  /**
   * The other nodes drop a node's own alerts when it goes (forgetGoneNodes),
   * and never heard those raised before it joined: once this node is in the
   * live nodes' list again (it joined, rejoined after a restart, or Redis
   * answers again), it announces and records every own alert still active;
   * and again every ANNOUNCE_AGAIN_MS while listed. Each is the same alert
   * (key and start) where it was known already.
   */
  private announceOwnWhenListed(state: ClusterNodeState, now: number): void {
    const listed = state.redis === 'up' && state.nodes.some((n) => n.nodeId === this.deps.nodeId);
    const back = listed && !this.listed;
    if (back || (listed && now - this.announcedAt >= ANNOUNCE_AGAIN_MS)) {
      const own = this.deps.own.active();
      for (const alert of own) this.ownAlert(alert);
      this.announcedAt = now;
      if (back && own.length) this.deps.log.info(`cluster: this node's ${own.length} active alert(s) told to the other nodes`);
    }
    this.listed = listed;
  }

  /**
   * Takes the judging over: every camera's status first (so that a camera
   * live again does not keep its stalled alert), then the alerts the last
   * judge announced, with those PostgreSQL still has active (a judge that
   * died before this node heard it).
   */
  private async startJudging(now: number): Promise<void> {
    const judge = new AlertMonitor((alert) => this.announce(alert), this.deps.settings);
    this.judge = judge;
    this.followCameras(judge, now);
    const stored = await this.deps.pool
      .query<{ alert: Alert }>('SELECT alert FROM cluster_alerts WHERE node_id IS NULL AND resolved_at IS NULL')
      .then((r) => r.rows.map((row) => row.alert))
      .catch(() => []);
    if (this.judge !== judge) return;
    const heard = [...this.announced.values()].filter((a) => a.scope === 'cluster').map((a) => a.alert);
    const keys = new Set(heard.map((a) => a.key));
    judge.adopt([...heard, ...stored.filter((a) => !keys.has(a.key))], this.deps.clock());
    this.deps.log.info(`cluster: this node judges the alerts of every camera (${judge.active().length} active taken over)`);
  }

  /**
   * The judge's view of the cameras: statuses as the heartbeats carry them.
   * A camera that ran and now has no node running it (its node died) has no
   * picture: one the judge saw run, and one this node saw run before it
   * took the judging over (the judge that died may have run it). One that
   * no node has run since this node started is only waiting, as a camera
   * starting up is. Another node's camera while Redis is unreachable from
   * here is not known (CLUSTER_UNREACHABLE): its alerts stand as they are.
   */
  private followCameras(judge: AlertMonitor, now: number): void {
    const present = new Set<string>();
    const node = this.deps.node();
    for (const status of this.deps.cameras()) {
      present.add(status.cameraId);
      if (status.errorCode === 'CLUSTER_UNREACHABLE') continue;
      let shown = status;
      if (status.state !== 'waiting') this.seenRunning.add(status.cameraId);
      // A camera a node runs that is waiting (a WHIP camera without its publisher) is as on a single node.
      if (status.state === 'waiting' && status.enabled && status.node === null && (this.seenRunning.has(status.cameraId) || node?.lostNodeAt(status.cameraId) != null)) {
        const since = this.unrunSince.get(status.cameraId) ?? now;
        this.unrunSince.set(status.cameraId, since);
        shown = { ...status, state: 'gone', since };
      } else {
        // Run (or waiting as meant) again: its next loss of a node is a new outage, from its own start. Kept, an
        // old start raised the next one's stalled alert at once and merged the two in the history (one record per key and start).
        this.unrunSince.delete(status.cameraId);
      }
      judge.cameraStatus(this.asRead(shown, now), now);
      this.shown.set(status.cameraId, shown);
      this.judged.add(status.cameraId);
    }
    for (const id of [...this.judged]) {
      if (present.has(id)) continue;
      this.judged.delete(id);
      this.seenRunning.delete(id);
      this.unrunSince.delete(id);
      this.shown.delete(id);
      this.lastReadAt.delete(id);
      judge.cameraRemoved(id, now);
    }
  }

  /**
   * The status as the judge is told it: a camera whose readouts arrive is
   * live, whatever the heartbeats (up to a few seconds old) still say. The
   * node that takes a camera over lists it only at its next heartbeat, and
   * as `starting` first; judged from those alone, a camera live for a second
   * already was alerted as without picture ("no node has taken it over" 0.2 s
   * after it went live on its new node).
   */
  private asRead(status: CameraStatus, now: number): CameraStatus {
    if (status.state === 'live' || status.state === 'stopped' || !status.enabled) return status;
    const readAt = this.lastReadAt.get(status.cameraId);
    if (readAt === undefined || now - readAt > readsLiveFor(status)) return status;
    return { ...status, state: 'live', since: readAt, lastError: null, errorCode: null };
  }

  private async checkPlan(take: Take): Promise<void> {
    try {
      const plan = await this.deps.coverage.plan(take.scene);
      // A take marked NG while it ran raises no plan alert (as on a single node).
      if (!plan || !this.judge || take.mark === 'ng') return;
      // The whole scene so far, on every node: a CU in take 2 still covers the scene in take 5.
      const statuses = evaluatePlan(plan, await this.deps.shots.list({ scene: take.scene }));
      this.judge?.takeEnded(take.scene, take.take, missingItems(statuses), this.deps.clock());
    } catch (error) {
      this.deps.log.warn(`cluster: the plan of scene ${take.scene} was not checked at the end of take ${take.take}: ${errorMessage(error)}`);
    }
  }

  /** The judge raised or resolved an alert: every node shows it, and it goes into the history. */
  private announce(alert: Alert): void {
    this.remember(alert, this.deps.nodeId, 'cluster');
    const hub = this.deps.hub();
    hub?.io.local.emit('alert', alert);
    hub?.io.serverSideEmit('alert', { alert, from: this.deps.nodeId, scope: 'cluster' });
    this.record(alert, null);
  }

  private remember(alert: Alert, from: string, scope: AlertRelay['scope']): void {
    if (alert.resolvedAt === null) this.announced.set(alert.key, { alert, from, scope, heardAt: this.deps.clock() });
    else this.announced.delete(alert.key);
  }

  /**
   * A node gone (its heartbeat expired) cannot resolve its own alerts: they
   * clear here (it announces them again when it comes back). Only by a list
   * read after the alert was heard (NODE_LIST_LAG_MS).
   */
  private forgetGoneNodes(state: ClusterNodeState, now: number): void {
    if (state.redis === 'down' || state.nodesAsOf == null) return;
    const live = new Set(state.nodes.map((n) => n.nodeId));
    for (const [key, a] of [...this.announced]) {
      if (a.scope !== 'node' || live.has(a.from) || state.nodesAsOf <= a.heardAt + NODE_LIST_LAG_MS) continue;
      this.announced.delete(key);
      this.deps.hub()?.io.local.emit('alert', { ...a.alert, resolvedAt: Math.max(now, a.alert.since) });
    }
  }

  private record(alert: Alert, nodeId: string | null): void {
    this.records.write(
      `${alert.key}|${Math.round(alert.since)}`,
      `INSERT INTO cluster_alerts (key, since, node_id, kind, severity, alert, resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (key, since) DO UPDATE SET alert = EXCLUDED.alert, resolved_at = EXCLUDED.resolved_at`,
      [noNul(alert.key), Math.round(alert.since), nodeId, alert.kind, alert.severity, jsonWithoutNul(alert), alert.resolvedAt],
    );
  }
}
