/**
 * The statuses of the cluster's cameras that this node does not run, as
 * its wall and the API show them: other nodes' cameras (from their
 * heartbeats), and those no node runs, `waiting` since they lost their
 * node (which node last ran each, and when) or since this node first found
 * them so; and what this node's own pages are told of them, since the node
 * that ran a camera cannot say that it lost it. While Redis is out of reach
 * nothing is known of the other nodes' cameras: each is shown `waiting`
 * with CLUSTER_UNREACHABLE, never live with its last figures. A camera
 * that nodes claimed and could not start (a file they lack) is `failed`
 * with their error and its code, not waiting for a node with room: it
 * showed CLUSTER_UNASSIGNED, "every node is at its capacity", while node
 * after node found its file missing.
 */
import type { CameraConfig } from '../config/schema.js';
import { describeSource } from '../ingest/ffmpeg-args.js';
import type { Clock } from '../shared/clock.js';
import type { CameraStatus } from '../shared/socket-events.js';
import type { StartFailure } from './camera-leases.js';
import type { RegisteredCamera } from './camera-registry.js';
import type { NodeHeartbeat } from './node-registry.js';

/** What the node knows of the cluster as of its last tick. */
export interface ClusterSighting {
  /** The live nodes' heartbeats as last read, and when they were read (null before the first read). */
  live: readonly NodeHeartbeat[];
  liveAt: number | null;
  /** The cluster's cameras as last read from PostgreSQL. */
  known: readonly RegisteredCamera[];
  redisUp: boolean;
  /** Nodes whose heartbeats this version cannot read: still there. */
  unreadable: readonly string[];
  /** Per camera, the nodes that claimed its present definition lately and could not start it, latest first (camera-leases.ts). */
  startFailures?: ReadonlyMap<string, readonly StartFailure[]>;
}

export interface RemoteCameraStatusesDeps {
  nodeId: string;
  /** The statuses of the cameras this node runs. */
  ownCameras: () => CameraStatus[];
  sighting: () => ClusterSighting;
  /** Who holds each camera's lease in Redis now. */
  holders: (cameraIds: string[]) => Promise<Map<string, { nodeId: string }>>;
  clock: Clock;
}

export class RemoteCameraStatuses {
  /** Per camera: the node last seen running it (its heartbeat, or this node itself) and when. */
  private readonly lastRun = new Map<string, { nodeId: string; at: number }>();
  /** Per camera no node runs: since when, as this node can tell (followRuns). */
  private readonly unrunSince = new Map<string, number>();
  /** Where this node's pages are told of the cameras no node runs, or of which nothing is known (onStatus). */
  private statusListener: ((status: CameraStatus) => void) | null = null;
  /** What those pages were last told of each such camera: told again only when it changes. */
  private readonly told = new Map<string, string>();

  constructor(private readonly deps: RemoteCameraStatusesDeps) {}

  /**
   * Statuses of the cameras other nodes analyse, and of those nobody does, for the wall and the API.
   * While Redis is unreachable nothing is known of the other nodes' cameras (their statuses come
   * through it): each is `waiting` with CLUSTER_UNREACHABLE, never shown live with its last figures.
   */
  list(): CameraStatus[] {
    const { live, liveAt, known, redisUp, startFailures } = this.deps.sighting();
    const out: CameraStatus[] = [];
    const now = this.deps.clock();
    const seen = new Set(this.deps.ownCameras().map((c) => c.cameraId));
    for (const node of live) {
      if (node.nodeId === this.deps.nodeId) continue;
      for (const status of node.cameras) {
        if (seen.has(status.cameraId)) continue;
        seen.add(status.cameraId);
        const shown = { ...status, node: node.nodeId };
        out.push(redisUp ? shown : notKnown(shown, node.at));
      }
    }
    for (const camera of known) {
      if (seen.has(camera.id)) continue;
      const waiting = waitingStatus(camera.config, this.unrunSince.get(camera.id) ?? now, this.lastRun.get(camera.id) ?? null, startFailures?.get(camera.id) ?? []);
      out.push(redisUp || !camera.config.enabled ? waiting : notKnown(waiting, liveAt ?? now));
    }
    return out;
  }

  /**
   * Where to tell this node's own pages of a camera that has just lost its
   * node (`waiting`), or of which nothing is known while Redis is away:
   * the node that ran it cannot say so any more. A camera a node runs tells
   * every page itself (at each change and every 2 s, through Redis).
   */
  onStatus(listener: (status: CameraStatus) => void): void {
    this.statusListener = listener;
    this.told.clear();
  }

  /**
   * When the camera lost its node, as far as this node saw it run: null
   * when this node never saw any node run it (it started later, or the
   * camera has not run), or when a node runs it now.
   */
  lostNodeAt(cameraId: string): number | null {
    return this.lastRun.has(cameraId) ? (this.unrunSince.get(cameraId) ?? null) : null;
  }

  /**
   * Which node runs each camera, as the heartbeats just read say, and since
   * when each camera no node runs has had none: the last heartbeat of the
   * node that ran it (about when that node died, drained or let it go), or,
   * for a camera this node never saw run, when this node first found it so.
   */
  followRuns(now: number): void {
    const { live, known: cameras } = this.deps.sighting();
    const running = new Set<string>();
    for (const status of this.deps.ownCameras()) {
      running.add(status.cameraId);
      this.lastRun.set(status.cameraId, { nodeId: this.deps.nodeId, at: now });
    }
    for (const node of live) {
      if (node.nodeId === this.deps.nodeId) continue;
      for (const { cameraId } of node.cameras) {
        running.add(cameraId);
        const last = this.lastRun.get(cameraId);
        if (!last || last.at <= node.at) this.lastRun.set(cameraId, { nodeId: node.nodeId, at: node.at });
      }
    }
    const known = new Set(cameras.map((c) => c.id));
    for (const id of [...this.lastRun.keys()]) if (!known.has(id) && !running.has(id)) this.lastRun.delete(id);
    for (const id of [...this.unrunSince.keys()]) if (!known.has(id) || running.has(id)) this.unrunSince.delete(id);
    for (const id of known) {
      if (running.has(id) || this.unrunSince.has(id)) continue;
      this.unrunSince.set(id, this.lastRun.get(id)?.at ?? now);
    }
  }

  /**
   * Tells this node's pages of the cameras that have just lost their node.
   * A camera whose lease another live node holds already (it claimed it a
   * moment ago, its heartbeat does not list it yet) is left to that node,
   * whose own status would otherwise be overwritten with an older one.
   */
  async tellPagesOfUnrun(): Promise<void> {
    if (!this.statusListener) return;
    const fresh = this.list().filter((s) => s.node === null && s.enabled && this.told.get(s.cameraId) !== toldKey(s));
    if (!fresh.length) {
      this.tellPages();
      return;
    }
    const holders = await this.deps.holders(fresh.map((s) => s.cameraId));
    const { live, unreadable } = this.deps.sighting();
    const present = new Set([this.deps.nodeId, ...live.map((n) => n.nodeId), ...unreadable]);
    const claimed = new Set([...holders].filter(([, h]) => present.has(h.nodeId)).map(([id]) => id));
    this.tellPages(claimed);
  }

  /** Tells this node's pages of each camera no node runs, or of which nothing is known, when that changed. */
  tellPages(skip: ReadonlySet<string> = new Set()): void {
    const listener = this.statusListener;
    if (!listener) return;
    const shown = new Set<string>();
    for (const status of this.list()) {
      const generated = status.node === null || status.errorCode === 'CLUSTER_UNREACHABLE';
      // Redis answers again: a camera shown as not known gets its node's status at once, not at that node's next push.
      if (!generated && this.told.get(status.cameraId)?.includes('CLUSTER_UNREACHABLE')) listener(status);
      if (!generated || skip.has(status.cameraId)) continue;
      shown.add(status.cameraId);
      const key = toldKey(status);
      if (this.told.get(status.cameraId) === key) continue;
      this.told.set(status.cameraId, key);
      listener(status);
    }
    // Cameras a node runs again (it tells the pages itself), and cameras gone, are told of afresh when they lose it.
    for (const id of [...this.told.keys()]) if (!shown.has(id)) this.told.delete(id);
  }
}

/**
 * Another node's camera (or one no node ran) while Redis is unreachable
 * from here: not known to run, nor to be live. `at`: when it was last
 * known as it was (the heartbeat read last).
 */
function notKnown(status: CameraStatus, at: number): CameraStatus {
  const where = status.node === null ? 'no node ran it' : `it ran on node ${status.node}`;
  // No live figure of the last heartbeat is kept: a wall showed "3.1 fps of 0.0 fps" (its last analysis rate against no frames).
  const { analysisRate: _rate, sourceSlower: _slower, ...known } = status;
  return {
    ...known,
    state: 'waiting',
    since: Math.round(at),
    analysisRate: null,
    measuredFps: 0,
    lastError: `not known on this node, which cannot reach Redis (where the other nodes' statuses come from): ${where} at the last heartbeats read (${new Date(at).toISOString()})`,
    errorCode: 'CLUSTER_UNREACHABLE',
    lastStderr: [],
  };
}

/**
 * A camera of the cluster that no node analyses now (its node went and no
 * other has taken it yet, all full, or none up). `lastRun`: the node last
 * seen running it and when, where known. `failures`: the nodes that claimed
 * it lately and could not start it, latest first: then it is `failed`, with
 * the latest one's code and every one's words.
 */
export function waitingStatus(camera: CameraConfig, since: number, lastRun: { nodeId: string; at: number } | null = null, failures: readonly StartFailure[] = []): CameraStatus {
  const latest = camera.enabled ? failures[0] : undefined;
  const why = latest
    ? `no node analyses it now: ${failures.map((f) => `node ${f.nodeId} could not start it (${f.code}: ${f.message}; ${new Date(f.at).toISOString()})`).join('; ')}; a node with room tries it again later`
    : lastRun
      ? `no node analyses it now: it last ran on node ${lastRun.nodeId} (${new Date(lastRun.at).toISOString()}), and no node has taken it over (every node is at its capacity, or none is up)`
      : 'no node analyses it now (every node is at its capacity, or none is up)';
  return {
    cameraId: camera.id,
    name: camera.name ?? camera.id,
    enabled: camera.enabled,
    sourceKind: camera.source.kind,
    source: describeSource(camera.source),
    state: latest ? 'failed' : 'waiting',
    since,
    analysisFps: camera.analysisFps,
    measuredFps: 0,
    framesIn: 0,
    framesDropped: 0,
    reconnects: 0,
    stalls: 0,
    lastError: camera.enabled ? why : 'disabled',
    // Nothing is wrong with its source, but nothing analyses it: coded, so that a rule on errorCode sees it. A disabled camera is as meant.
    errorCode: latest ? latest.code : camera.enabled ? 'CLUSTER_UNASSIGNED' : null,
    lastStderr: [],
    node: null,
  };
}

/** What a page was told of a camera no node runs: a new state, node, code or reason is told again. */
function toldKey(status: CameraStatus): string {
  return JSON.stringify([status.state, status.node, status.errorCode, status.lastError, status.enabled]);
}
