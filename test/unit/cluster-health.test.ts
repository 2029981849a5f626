/** The cluster in /api/health: while Redis is unreachable the other nodes are given as last seen, not as live. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterView } from '../../server/cluster/cluster-health.js';
import type { NodeHeartbeat } from '../../server/cluster/node-registry.js';

const heartbeat = (nodeId: string, at: number, leases: string[]): NodeHeartbeat => ({
  nodeId,
  instance: `${nodeId}-1`,
  url: `http://${nodeId}:8421`,
  capacity: 4,
  draining: false,
  startedAt: 0,
  at,
  leases: Object.fromEntries(leases.map((id) => [id, { token: 1, renewedAt: at }])),
  cameras: [],
  analysedFps: 5,
  coverageDuty: false,
});

const readAt = 10_000;
const live = [heartbeat('a', readAt, ['c1']), heartbeat('b', readAt - 300, ['c2'])];

test('Redis answering: every live node, the list dated, the cameras nobody holds', () => {
  const view = clusterView({ live, liveAt: readAt, redisUp: true, self: heartbeat('a', readAt + 500, ['c1']), enabled: ['c1', 'c2', 'c3'], held: new Set(['c1']), now: readAt + 500 });
  assert.deepEqual(view.nodes.map((n) => [n.nodeId, n.heartbeatAgeMs, n.cameras]), [['a', 500, ['c1']], ['b', 800, ['c2']]]);
  assert.equal(view.nodesAsOf, readAt);
  assert.deepEqual(view.lastSeen, []);
  assert.deepEqual(view.unassigned, ['c3']);
});

test('Redis unreachable: this node alone as live, the others as last seen with their last heartbeat, nothing said unassigned', () => {
  const now = readAt + 60_000;
  const view = clusterView({ live, liveAt: readAt, redisUp: false, self: heartbeat('a', now, ['c1']), enabled: ['c1', 'c2', 'c3'], held: new Set(['c1']), now });
  assert.deepEqual(view.nodes.map((n) => [n.nodeId, n.heartbeatAgeMs, n.cameras]), [['a', 0, ['c1']]]);
  assert.equal(view.nodesAsOf, readAt);
  assert.deepEqual(view.lastSeen, [{ nodeId: 'b', url: 'http://b:8421', heartbeatAt: readAt - 300 }]);
  assert.deepEqual(view.unassigned, []);
});
