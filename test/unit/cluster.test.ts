/** The cluster's pure parts: sharing cameras out, lease values, URLs in messages, the config section. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fairShares, planLeases, type BalancerView } from '../../server/cluster/camera-balancer.js';
import { parseHolder } from '../../server/cluster/camera-leases.js';
import { redactUrl } from '../../server/cluster/cluster-connections.js';
import { loadConfig } from '../../server/config/load-config.js';
import { clusterNodeId } from '../../server/app/shotscale-server.js';
import { AlertMonitor, alertSettingsSchema, CLUSTER_ALERT_KEY } from '../../server/coverage/alert-monitor.js';
import { jsonWithoutNul, noNul } from '../../server/cluster/shot-replicator.js';
import { isShotscaleError } from '../../server/errors.js';
import type { Alert } from '../../server/shared/shots.js';

const nodes = (...spec: [string, number][]) => spec.map(([nodeId, capacity]) => ({ nodeId, capacity }));
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i + 1}`);

describe('fairShares', () => {
  test('spreads cameras evenly, no node above its capacity, the rest to those with room', () => {
    assert.deepEqual(Object.fromEntries(fairShares(4, nodes(['a', 3], ['b', 3]))), { a: 2, b: 2 });
    assert.deepEqual(Object.fromEntries(fairShares(5, nodes(['a', 3], ['b', 3]))), { a: 3, b: 2 });
    const shares = fairShares(6, nodes(['a', 1], ['b', 8], ['c', 8]));
    assert.equal(shares.get('a'), 1);
    assert.equal((shares.get('b') ?? 0) + (shares.get('c') ?? 0), 5);
    assert.ok(Math.abs(shares.get('b')! - shares.get('c')!) <= 1);
    // More cameras than the cluster takes: everyone full.
    assert.deepEqual(Object.fromEntries(fairShares(10, nodes(['a', 2], ['b', 3]))), { a: 2, b: 3 });
    assert.deepEqual(Object.fromEntries(fairShares(3, nodes(['a', 0], ['b', 5]))), { a: 0, b: 3 });
  });
});

describe('planLeases', () => {
  const view = (over: Partial<BalancerView>): BalancerView => ({ nodeId: 'a', cameras: ids(4), holders: new Map(), nodes: nodes(['a', 3], ['b', 3]), ...over });

  test('a node below its share claims free cameras, in id order', () => {
    assert.deepEqual(planLeases(view({})), { claim: ['c1', 'c2'], release: [] });
    assert.deepEqual(planLeases(view({ holders: new Map([['c1', 'b']]) })), { claim: ['c2', 'c3'], release: [] });
  });

  test('a node alone takes up to its capacity; a camera beyond every capacity stays free', () => {
    assert.deepEqual(planLeases(view({ nodes: nodes(['a', 3]) })), { claim: ['c1', 'c2', 'c3'], release: [] });
  });

  test('a new node makes an overfull one hand over one camera per tick, and only while it has room', () => {
    const holders = new Map([['c1', 'a'], ['c2', 'a'], ['c3', 'a'], ['c4', 'b']]);
    assert.deepEqual(planLeases(view({ holders })), { claim: [], release: ['c3'] });
    // b has taken its share: nothing moves.
    assert.deepEqual(planLeases(view({ holders: new Map([['c1', 'a'], ['c2', 'a'], ['c3', 'b'], ['c4', 'b']]) })), { claim: [], release: [] });
  });

  test('free cameras that no node below its share can take are taken beyond the share, while there is room', () => {
    // b is full (capacity 1, holding 1): a takes the three others though its fair share is lower.
    const full = view({ nodes: nodes(['a', 3], ['b', 1]), holders: new Map([['c4', 'b']]) });
    assert.deepEqual(planLeases(full), { claim: ['c1', 'c2', 'c3'], release: [] });
  });

  test('a draining node (capacity 0) or one whose capacity was lowered releases the excess at once', () => {
    const holders = new Map([['c1', 'a'], ['c2', 'a'], ['c3', 'a']]);
    assert.deepEqual(planLeases(view({ holders, nodes: nodes(['a', 0], ['b', 3]) })), { claim: [], release: ['c1', 'c2', 'c3'] });
    assert.deepEqual(planLeases(view({ holders, nodes: nodes(['a', 1], ['b', 3]) })), { claim: [], release: ['c2', 'c3'] });
  });

  test('every node running the plan on the same view never asks for the same free camera beyond the cameras there are', () => {
    const base = { cameras: ids(7), holders: new Map<string, string>(), nodes: nodes(['a', 3], ['b', 3], ['c', 3]) };
    const claims = ['a', 'b', 'c'].map((nodeId) => planLeases({ ...base, nodeId }).claim.length);
    assert.deepEqual(claims, [3, 2, 2]);
  });
});

test('lease values: node and fencing token, or nothing', () => {
  assert.deepEqual(parseHolder('node-1#42'), { nodeId: 'node-1', token: 42 });
  assert.deepEqual(parseHolder('a#b#7'), { nodeId: 'a#b', token: 7 });
  assert.equal(parseHolder(null), null);
  assert.equal(parseHolder('no-token'), null);
  assert.equal(parseHolder('#3'), null);
});

test('URLs in messages never show a password', () => {
  assert.equal(redactUrl('postgres://shotscale:s3cret@db:5432/x'), 'postgres://shotscale:***@db:5432/x');
  assert.equal(redactUrl('redis://:pw@127.0.0.1:6379'), 'redis://:***@127.0.0.1:6379');
  assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
});

test('node id: the configured one, else the host name made safe for a key', () => {
  assert.equal(clusterNodeId('truck-2'), 'truck-2');
  assert.match(clusterNodeId(null), /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
});

describe('config: the cluster section', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-cluster-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    return loadConfig(file, env);
  };
  const refused = (yaml: string, pattern: RegExp) => {
    try {
      load(yaml);
    } catch (error) {
      assert.ok(isShotscaleError(error, 'CONFIG_INVALID'), String(error));
      assert.match(error.message, pattern);
      return;
    }
    assert.fail('loaded');
  };

  test('config/cluster-node.yaml: one file for every node, the node from the environment', () => {
    const file = path.join(path.dirname(new URL(import.meta.url).pathname), '../../config/cluster-node.yaml');
    const { config } = loadConfig(file, { SHOTSCALE_NODE: 'b' });
    assert.equal(config.cluster.enabled, true);
    assert.equal(config.cluster.nodeId, 'b');
    assert.match(config.shots.dataDir, /node-b$/);
    assert.equal(config.cameras.length, 4);
    assert.equal(loadConfig(file, {}).config.cluster.nodeId, 'a');
  });

  test('off by default, with documented defaults', () => {
    const { config } = load('{}');
    assert.equal(config.cluster.enabled, false);
    assert.equal(config.cluster.leaseS, 10);
    assert.equal(config.cluster.capacity.cameras, 8);
  });

  test('credentials from the environment; bad values and unknown keys refused with their key', () => {
    const { config } = load('cluster: { enabled: true, nodeId: n1, postgresUrl: "postgres://u:${PG_PASSWORD}@db/x" }', { PG_PASSWORD: 'pw' });
    assert.equal(config.cluster.postgresUrl, 'postgres://u:pw@db/x');
    refused('cluster: { nodeId: "-bad id" }', /cluster\.nodeId/);
    refused('cluster: { redisUrl: "http://x" }', /cluster\.redisUrl/);
    refused('cluster: { postgresUrl: "mysql://x" }', /cluster\.postgresUrl/);
    refused('cluster: { leaseS: 0 }', /cluster\.leaseS/);
    refused('cluster: { capacity: { cameras: -1 } }', /cluster\.capacity\.cameras/);
    refused('cluster: { redis: "x" }', /cluster.*redis/);
  });
});

test('the cluster alert: raised while an engine is unreachable, its message kept current, resolved when both answer', () => {
  const seen: Alert[] = [];
  const monitor = new AlertMonitor((alert) => seen.push(alert), alertSettingsSchema.parse({}));
  monitor.clusterFault({ since: 1000, message: 'Redis unreachable' }, 1000);
  monitor.clusterFault({ since: 1000, message: 'Redis and PostgreSQL unreachable' }, 2000);
  monitor.clusterFault(null, 3000);
  assert.deepEqual(seen.map((a) => [a.key, a.kind, a.message, a.resolvedAt]), [
    [CLUSTER_ALERT_KEY, 'cluster', 'Redis unreachable', null],
    [CLUSTER_ALERT_KEY, 'cluster', 'Redis and PostgreSQL unreachable', null],
    [CLUSTER_ALERT_KEY, 'cluster', 'Redis and PostgreSQL unreachable', 3000],
  ]);
});

describe('copies to PostgreSQL', () => {
  test('NUL characters (SQLite keeps them, PostgreSQL refuses them) are dropped from text and from every string of a record', () => {
    assert.equal(noNul('take\u0000two'), 'taketwo');
    assert.equal(noNul(null), null);
    const record = JSON.parse(jsonWithoutNul({ note: 'a\u0000b', tags: ['x\u0000'], nested: { reason: '\u0000why' }, n: 3 })) as unknown;
    assert.deepEqual(record, { note: 'ab', tags: ['x'], nested: { reason: 'why' }, n: 3 });
  });
});
