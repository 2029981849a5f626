/** The Health view's picture of the cluster (web/src/lib/cluster.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterProblems, nodeRows, type ClusterHealth } from '../../web/src/lib/cluster.js';

const node = (nodeId: string, over: Partial<ClusterHealth['nodes'][number]> = {}): ClusterHealth['nodes'][number] => ({
  nodeId,
  url: `http://10.0.0.${nodeId.length}:8420`,
  capacity: 2,
  draining: false,
  cameras: ['c1'],
  analysedFps: 5,
  coverageDuty: false,
  heartbeatAgeMs: 300,
  leaseAgeMs: 300,
  ...over,
});

const cluster = (over: Partial<ClusterHealth> = {}): ClusterHealth => ({
  nodeId: 'a',
  redis: 'up',
  postgres: 'up',
  degradedSince: null,
  nodes: [node('a'), node('b')],
  unassigned: [],
  shotLog: { pending: 0, failingSince: null, lastError: null },
  ...over,
});

test('nodes: this node marked; late renewals a warning, then a problem; draining and full said in words', () => {
  const rows = nodeRows(cluster({ nodes: [node('a'), node('b', { heartbeatAgeMs: 4000 }), node('c', { leaseAgeMs: 7000 }), node('d', { draining: true, capacity: 0, cameras: [] }), node('e', { cameras: ['x', 'y'], coverageDuty: true })] }));
  assert.deepEqual(rows.map((r) => [r.nodeId, r.self, r.level, r.reasons.join('; ')]), [
    ['a', true, 'ok', ''],
    ['b', false, 'warn', 'renewals late (4 s)'],
    ['c', false, 'bad', 'no renewal for 7 s'],
    ['d', false, 'warn', 'handing its cameras over'],
    ['e', false, 'ok', 'full; computes coverage'],
  ]);
});

test('problems: none when all is well; each engine down, cameras nobody runs, and shots held on disk', () => {
  assert.deepEqual(clusterProblems(cluster()), []);
  const lines = clusterProblems(cluster({ redis: 'down', postgres: 'down', unassigned: ['c9'], shotLog: { pending: 12, failingSince: 1, lastError: 'ECONNREFUSED' } }));
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /Redis unreachable from a/);
  assert.match(lines[1]!, /PostgreSQL unreachable from a/);
  assert.match(lines[2]!, /c9/);
  assert.match(lines[3]!, /12 shot writes held/);
  // The node's coded fault, when it has one, says which engine, where and why in one line instead.
  const message = 'cluster degraded on a: Redis unreachable: Redis at redis://***@10.0.0.5:6379 (connect ECONNREFUSED 10.0.0.5:6379); this node keeps analysing its cameras';
  const faulted = clusterProblems(cluster({ redis: 'down', fault: { code: 'CLUSTER_UNREACHABLE', message: `CLUSTER_UNREACHABLE: ${message}` } }));
  assert.deepEqual(faulted, [message]);
  // The nodes last seen before Redis went away: named with their last heartbeat, not as running.
  const t = Date.UTC(2026, 11, 5, 14, 3, 4);
  const away = clusterProblems(cluster({ redis: 'down', nodes: [node('a')], nodesAsOf: t, lastSeen: [{ nodeId: 'b', url: 'http://10.0.0.1:8420', heartbeatAt: t - 2000 }] }));
  assert.equal(away.length, 2);
  assert.match(away[1]!, /^Other nodes as last seen at \d{1,2}:\d{2}:\d{2}, not known to be running now: b \(heartbeat at \d{1,2}:\d{2}:\d{2}\)$/);
  assert.equal(clusterProblems(cluster({ lastSeen: [] })).length, 0, 'nothing to say with Redis up');
});
