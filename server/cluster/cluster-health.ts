/**
 * The cluster as one node sees it, for `/api/health`'s `cluster` and the
 * Health view.
 *
 * Why the node list carries a date: it is read from the heartbeats in Redis
 * at every tick. While Redis is unreachable the list last read used to stand,
 * every node in it shown as live with a heartbeat age that only grew, when
 * nothing was known of them any more (one may have died, another joined).
 * So while Redis is away only this node is listed (it knows itself first
 * hand), the others are given as last seen with the time of their last
 * heartbeat, and `nodesAsOf` says when the list was last read. Which cameras
 * no node analyses is not known either: `unassigned` is empty until Redis
 * answers, and the next tick that reads the heartbeats puts it all right.
 */
import type { NodeHeartbeat } from './node-registry.js';

export interface ClusterNodeRow {
  nodeId: string;
  url: string;
  capacity: number;
  draining: boolean;
  cameras: string[];
  analysedFps: number;
  /** Whether it computes the cluster's coverage now. */
  coverageDuty: boolean;
  /** Age of the heartbeat, ms. */
  heartbeatAgeMs: number;
  /** Oldest lease renewal among its cameras, ms ago; null without cameras. */
  leaseAgeMs: number | null;
}

/** A node not known to be alive now: seen in the last list read from Redis. */
export interface LastSeenNode {
  nodeId: string;
  url: string;
  /** Epoch ms of its last heartbeat read. */
  heartbeatAt: number;
}

export type ClusterFault = { code: 'CLUSTER_UNREACHABLE' | 'CLUSTER_NODE_ID_IN_USE'; message: string };

export interface ClusterNodeState {
  nodeId: string;
  redis: 'up' | 'down';
  postgres: 'up' | 'down';
  /** Epoch ms since when Redis or PostgreSQL has been unreachable; null when both answer. */
  degradedSince: number | null;
  /** What is wrong, coded as the API's errors are (the wall's cluster alert says the same); null when all is well. */
  fault?: ClusterFault | null;
  /** The live nodes; while Redis is unreachable, this node alone. */
  nodes: ClusterNodeRow[];
  /** Epoch ms when the node list was last read from Redis; null before the first read. */
  nodesAsOf?: number | null;
  /** While Redis is unreachable: the other nodes of the last list read, not known to be alive now. Empty otherwise. */
  lastSeen?: LastSeenNode[];
  /** Cameras of the cluster that no node analyses now; empty while Redis is unreachable (not known). */
  unassigned: string[];
}

export function nodeRow(n: NodeHeartbeat, now: number): ClusterNodeRow {
  const renewals = Object.values(n.leases).map((l) => l.renewedAt);
  return {
    nodeId: n.nodeId,
    url: n.url,
    capacity: n.capacity,
    draining: n.draining,
    cameras: Object.keys(n.leases).sort(),
    analysedFps: n.analysedFps,
    coverageDuty: n.coverageDuty ?? false,
    heartbeatAgeMs: Math.max(0, Math.round(now - n.at)),
    leaseAgeMs: renewals.length ? Math.max(0, Math.round(now - Math.min(...renewals))) : null,
  };
}

export interface ClusterView {
  /** The heartbeats last read from Redis. */
  live: readonly NodeHeartbeat[];
  /** When they were read; null before the first read. */
  liveAt: number | null;
  redisUp: boolean;
  /** This node's heartbeat as of now. */
  self: NodeHeartbeat;
  /** The enabled cameras of the cluster and those held here. */
  enabled: readonly string[];
  held: ReadonlySet<string>;
  now: number;
}

/** The node list, its date and the unassigned cameras, told as they are known. */
export function clusterView(view: ClusterView): Pick<ClusterNodeState, 'nodes' | 'nodesAsOf' | 'lastSeen' | 'unassigned'> {
  const { live, liveAt, self, now } = view;
  if (!view.redisUp) {
    return {
      nodes: [nodeRow(self, now)],
      nodesAsOf: liveAt,
      lastSeen: live.filter((n) => n.nodeId !== self.nodeId).map((n) => ({ nodeId: n.nodeId, url: n.url, heartbeatAt: n.at })),
      unassigned: [],
    };
  }
  const assigned = new Set(live.flatMap((n) => Object.keys(n.leases)));
  return {
    nodes: live.map((n) => nodeRow(n, now)),
    nodesAsOf: liveAt,
    lastSeen: [],
    unassigned: view.enabled.filter((id) => !assigned.has(id) && !view.held.has(id)),
  };
}
