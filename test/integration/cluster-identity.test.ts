/**
 * The cluster's key prefix is tied to its PostgreSQL database, on a real
 * redis-server and a real PostgreSQL. A node started with another
 * `cluster.keyPrefix` on the same database saw none of the live nodes (their
 * leases and heartbeats are under the other prefix): it analysed their
 * cameras a second time, doubling their shots, and every few seconds closed
 * their open shots as those of nodes that are gone. It is refused at start
 * now, before it writes anything; a cluster made before the prefix was
 * recorded takes the prefix of the first node that starts on it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { CLUSTER_SCHEMA_VERSION } from '../../server/cluster/cluster-schema.js';
import { runCli } from '../support/cli.js';
import { clusterTestBed, createDatabase, nodeConfig, startNode, stopNode, type ClusterSpec } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';

const bed = clusterTestBed();
const started = bed.started;

const CAMERA = '{ id: solo, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }';

/** Runs `shotscale serve` for a node that must not start: its exit code and words. */
async function refusedStart(spec: ClusterSpec, nodeId: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // A refused node stops before its models load, in a few seconds; one let in would serve until killed.
  return runCli(['serve', '--config', nodeConfig(spec, nodeId, 2)], { timeoutMs: 30_000 });
}

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

test('a node with another cluster.keyPrefix on the cluster\'s database is refused at start, naming both prefixes; the live node keeps its camera and its open shot', { timeout: 120_000 }, async () => {
  const name = `cluster_identity_${process.pid}`;
  const spec: ClusterSpec = { redisUrl: bed.redis.url, postgresUrl: await createDatabase(bed.postgres.url, name), keyPrefix: 'first', leaseS: 3, cameras: [CAMERA] };
  const a = await startNode(spec, 'a', 2);
  started.push(a);
  try {
    const openShot = async () => ((await httpJson(`${a.url}/api/shots?camera=solo`)).body as { shots: { id: number; status: string }[] }).shots.find((s) => s.status === 'open');
    const deadline = Date.now() + 30_000;
    let open = await openShot();
    while (!open && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      open = await openShot();
    }
    assert.ok(open, 'camera solo has an open shot on node a');

    const other = await refusedStart({ ...spec, keyPrefix: 'second' }, 'b');
    assert.notEqual(other.code, 0, 'exit code');
    assert.doesNotMatch(other.stdout, /listening on/);
    assert.match(other.stderr, /CONFIG_INVALID/);
    assert.match(other.stderr, /cluster\.keyPrefix: this node has "second", but the cluster in PostgreSQL database "cluster_identity_\d+" .* uses "first" \(recorded by node a at /);
    assert.match(other.stderr, /set cluster\.keyPrefix: first/);
    assert.match(other.stderr, /a second cluster on the same PostgreSQL server needs a database of its own/);

    // Nothing of the refused node reached the cluster: it took no node number, no camera, and a's shot is still open.
    assert.deepEqual((await query<{ node_id: string }>(spec.postgresUrl, 'SELECT node_id FROM cluster_nodes ORDER BY node_id')).map((r) => r.node_id), ['a']);
    await new Promise((r) => setTimeout(r, 4000));
    const shots = ((await httpJson(`${a.url}/api/shots?camera=solo`)).body as { shots: { id: number; status: string }[] }).shots;
    assert.equal(shots.find((s) => s.id === open.id)?.status, 'open', `a's open shot stays open: ${JSON.stringify(shots)}`);

    // The same prefix joins as ever.
    const b = await startNode(spec, 'b', 2);
    started.push(b);
    await stopNode(b);
  } finally {
    await stopNode(a);
  }
});

test('a cluster whose database has no recorded prefix yet (schema 12) takes the prefix of the first node that starts on it', { timeout: 120_000 }, async () => {
  const name = `cluster_identity_old_${process.pid}`;
  const spec: ClusterSpec = { redisUrl: bed.redis.url, postgresUrl: await createDatabase(bed.postgres.url, name), keyPrefix: 'old', leaseS: 3, cameras: [CAMERA] };
  const a = await startNode(spec, 'a', 2);
  started.push(a);
  await stopNode(a);
  // The database as a version before the record left it: schema 12, no identity table.
  await query(spec.postgresUrl, 'DROP TABLE cluster_identity; UPDATE shotscale_schema SET version = 12');

  const renamed = { ...spec, keyPrefix: 'renamed' };
  const first = await startNode(renamed, 'a', 2);
  started.push(first);
  try {
    assert.deepEqual(await query(spec.postgresUrl, 'SELECT key_prefix, recorded_by FROM cluster_identity'), [{ key_prefix: 'renamed', recorded_by: 'a' }]);
    assert.deepEqual(await query(spec.postgresUrl, 'SELECT version FROM shotscale_schema'), [{ version: CLUSTER_SCHEMA_VERSION }]);
    const late = await refusedStart(spec, 'b');
    assert.notEqual(late.code, 0);
    assert.match(late.stderr, /CONFIG_INVALID[\s\S]*this node has "old", but .* uses "renamed"/);
  } finally {
    await stopNode(first);
  }
});
