/**
 * The Health view's picture of the cluster, pure: one row per node with a
 * judgement in words, and the engines' state. Unit-tested under node.
 */
import type { ClusterNodeState } from '../../../server/cluster/cluster-node.js';
import type { ReplicationState } from '../../../server/cluster/shot-replicator.js';
import type { Level } from './health.js';
import { localClock } from './not-live.js';

export type ClusterHealth = ClusterNodeState & { shotLog: ReplicationState | null };

export interface NodeRow {
  nodeId: string;
  coverageDuty: boolean;
  url: string;
  self: boolean;
  cameras: string[];
  capacity: number;
  analysedFps: number;
  heartbeatAgeMs: number;
  leaseAgeMs: number | null;
  level: Level;
  reasons: string[];
}

/**
 * A heartbeat or lease renewal comes every tick (at most 1 s); past 3 s a
 * node is struggling (GC, a slow Redis), and leases expire at leaseS (10 s by
 * default), so past 6 s it is about to lose its cameras.
 */
const LATE_MS = { warn: 3000, bad: 6000 };

export function nodeRows(cluster: ClusterHealth): NodeRow[] {
  return cluster.nodes.map((node) => {
    const reasons: string[] = [];
    let level: Level = 'ok';
    const late = Math.max(node.heartbeatAgeMs, node.leaseAgeMs ?? 0);
    if (late > LATE_MS.bad) {
      level = 'bad';
      reasons.push(`no renewal for ${Math.round(late / 1000)} s`);
    } else if (late > LATE_MS.warn) {
      level = 'warn';
      reasons.push(`renewals late (${Math.round(late / 1000)} s)`);
    }
    if (node.draining) {
      level = level === 'ok' ? 'warn' : level;
      reasons.push('handing its cameras over');
    } else if (node.capacity > 0 && node.cameras.length >= node.capacity) reasons.push('full');
    if (node.coverageDuty) reasons.push('computes coverage');
    return { ...node, self: node.nodeId === cluster.nodeId, level, reasons };
  });
}

/** Lines for the summary: what is degraded, in words. Empty when all is well. */
export function clusterProblems(cluster: ClusterHealth): string[] {
  const lines: string[] = [];
  // The node's own fault says which engine, where and why (ECONNREFUSED, a refused password): shown as it is, without its code.
  if (cluster.fault) lines.push(cluster.fault.message.replace(/^CLUSTER_UNREACHABLE: /, ''));
  else if (cluster.redis === 'down') lines.push(`Redis unreachable from ${cluster.nodeId}: other nodes' cameras are not live here, and no camera changes hands`);
  // While Redis is away the other nodes are not known to be alive: say when each was last heard from, not that they run.
  if (cluster.redis === 'down' && cluster.lastSeen?.length) {
    const seen = cluster.lastSeen.map((n) => `${n.nodeId} (heartbeat at ${localClock(n.heartbeatAt)})`).join(', ');
    lines.push(`Other nodes as last seen${cluster.nodesAsOf ? ` at ${localClock(cluster.nodesAsOf)}` : ''}, not known to be running now: ${seen}`);
  }
  if (!cluster.fault && cluster.postgres === 'down') lines.push(`PostgreSQL unreachable from ${cluster.nodeId}: camera changes wait; shots are kept on this node's disk`);
  if (cluster.unassigned.length) lines.push(`Not analysed by any node: ${cluster.unassigned.join(', ')} (every node is full)`);
  const pending = cluster.shotLog?.pending ?? 0;
  if (cluster.shotLog?.failingSince) lines.push(`${pending} shot write${pending === 1 ? '' : 's'} held on this node's disk for the cluster's log`);
  return lines;
}
