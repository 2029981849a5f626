/**
 * Faults an operator of a multi-machine live broadcast meets, on a real
 * redis-server and a real PostgreSQL: values in Redis this version does not
 * write (another version's node, a damaged key, a lease without an expiry),
 * engines that refuse a node at start (a wrong password, a URL that does not
 * parse, a database that is not there), Redis away while nodes come and go,
 * and two processes started with one node id.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { after, before, test } from 'node:test';
import { freePort, startPostgres, startRedis, startRelay, type Engine } from '../support/cluster-engines.js';
import { createDatabase, nodeConfig, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { runCli } from '../support/cli.js';
import { makeClip, tempDir } from '../support/media.js';
import { connectClient, httpJson, readoutsFrom } from '../support/server-harness.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-node.js';

let redis: Engine;
let postgres: Engine;
let clip: string;
let databases = 0;
const started: NodeProcess[] = [];
const children: ChildProcess[] = [];

before(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  clip = makeClip(tempDir(), 'loop.mp4', 4);
});

after(async () => {
  await Promise.all(started.map((node) => stopNode(node, 'SIGKILL')));
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

const camera = (id: string) => `{ id: ${id}, analysisFps: 5, source: { kind: file, path: ${JSON.stringify(clip)}, loop: true, realtime: true } }`;

async function clusterSpec(cameraIds: string[], leaseS = 3): Promise<ClusterSpec> {
  databases += 1;
  const name = `cluster_faults_${process.pid}_${databases}`;
  return { redisUrl: redis.url, postgresUrl: await createDatabase(postgres.url, name), keyPrefix: name, leaseS, cameras: cameraIds.map(camera) };
}

async function node(spec: ClusterSpec, nodeId: string, capacity: number): Promise<NodeProcess> {
  const process_ = await startNode(spec, nodeId, capacity);
  started.push(process_);
  return process_;
}

async function clusterState(url: string): Promise<ClusterNodeState> {
  const { status, body } = await httpJson(`${url}/api/health`);
  assert.equal(status, 200, JSON.stringify(body));
  return (body as { cluster: ClusterNodeState }).cluster;
}

/** Polls until `predicate` holds; generous timeouts, no fixed sleeps (a loaded 2-core machine). */
async function waitFor<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown = null;
  for (;;) {
    try {
      last = await read();
      if (predicate(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(last)} ${lastError ? String(lastError) : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const camerasOf = (state: ClusterNodeState, nodeId: string) => state.nodes.find((n) => n.nodeId === nodeId)?.cameras ?? [];

const alive = (n: NodeProcess) => n.child.exitCode === null && n.child.signalCode === null;

test("values in Redis another version (or a damaged key) wrote: no node crashes; both keep their cameras, the wall gets every readout, a new node still starts", { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(['h-1', 'h-2']);
  // a has room for a third camera, whose fence in Redis is damaged (below).
  const a = await node(spec, 'a', 2);
  const b = await node(spec, 'b', 1);
  const hostile = new Redis(redis.url);
  try {
    await waitFor(() => clusterState(a.url), (s) => camerasOf(s, 'a').length === 1 && camerasOf(s, 'b').length === 1, 30_000, 'one camera each');
    const prefix = spec.keyPrefix;

    // Heartbeats of another shape: a number for an id, fields missing, JSON null, not JSON, another node's id.
    const heartbeats: Record<string, string> = {
      v9: JSON.stringify({ nodeId: 9, leases: 'all' }),
      v10: JSON.stringify({ nodeId: 'v10' }),
      nothing: 'null',
      broken: '{"nodeId": "broken", ',
      impostor: JSON.stringify({ nodeId: 'a', instance: 'x', url: 'http://x', capacity: 1, draining: false, startedAt: 0, at: Date.now(), leases: {}, cameras: [], analysedFps: 0 }),
    };
    for (const [id, value] of Object.entries(heartbeats)) await hostile.set(`${prefix}:node:${id}`, value, 'PX', 120_000);
    await hostile.sadd(`${prefix}:nodes`, ...Object.keys(heartbeats));
    // The running takes, damaged: a node starting now reads them.
    await hostile.set(`${prefix}:takes`, '{"scene": ');

    // Events through the Socket.IO adapter's request channel, of shapes this version never sends.
    const requests = `${prefix}:socket.io-request#/#`;
    const emit = (...data: unknown[]) => hostile.publish(requests, JSON.stringify({ uid: 'other-version', type: 6, data }));
    await emit('alert', null);
    await emit('alert', { alert: { key: 5 }, from: 'v9', scope: 'node' });
    await emit('readout', null);
    await emit('readout', { cameraId: 'h-1', label: 'HUGE', captureTime: 'now' });
    await emit('preview:want', { node: 'v9', cameras: 5 });
    await emit('preview', { cameraId: 'h-1', jpeg: 7 });
    await emit('take:start', { scene: 5 });
    await emit('take:end', 'all');
    await emit('coverage', { scenes: 'many' });
    await emit('alert:dismiss', null);
    await emit('calibration:fit', null);
    await emit('plan', null);
    await emit('shutdown-everything', {});
    await hostile.publish(requests, '{"type": 6, "data": ');
    // Broadcasts: bytes that are not msgpack, and a packet without its options.
    const broadcasts = `${prefix}:socket.io#/#`;
    await hostile.publish(broadcasts, Buffer.from([0xc1, 0x00, 0xff]));
    await hostile.publish(broadcasts, Buffer.from([0x92, 0xa1, 0x78, 0x80]));

    // A camera whose fencing counter is not a number: it cannot be claimed, the others still are, and Redis is not "away".
    await hostile.set(`${prefix}:fence:h-3`, 'eleven');
    const added = await httpJson(`${a.url}/api/cameras`, { method: 'POST', body: { id: 'h-3', analysisFps: 5, source: { kind: 'file', path: clip, loop: true, realtime: true } } });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await waitFor(async () => a.stderr(), (text) => !alive(a) || /h-3 cannot be claimed/.test(text), 30_000, 'a says h-3 cannot be claimed');

    // Both nodes say what they left out, and neither is gone.
    for (const n of [a, b]) {
      await waitFor(async () => n.stderr(), (text) => !alive(n) || (/message from Redis left out/.test(text) && /heartbeat of node\(s\) .* not one this version reads/.test(text)), 30_000, `${n.nodeId} logs what it left out`);
      assert.ok(alive(n), `${n.nodeId} is still running: ${n.stderr().slice(-3000)}`);
    }
    // A few ticks later: the cluster as it was, every camera on one node, the other values left out of its view.
    for (const n of [a, b]) {
      // Each node reads the cameras every tick: h-3 (added a moment ago) is in its view once it has.
      await waitFor(() => clusterState(n.url), (s) => s.redis === 'up' && s.nodes.map((x) => x.nodeId).join() === 'a,b' && camerasOf(s, 'a').length === 1 && camerasOf(s, 'b').length === 1 && s.unassigned.join() === 'h-3', 30_000, `${n.nodeId}'s view of the cluster`);
    }
    const { client } = await connectClient(a.url);
    try {
      await readoutsFrom(client, ['h-1', 'h-2'], 20_000);
    } finally {
      client.close();
    }
    // A node starting now (the damaged takes in Redis) joins; it takes no camera (capacity 0).
    const c = await node(spec, 'c', 0);
    await waitFor(() => clusterState(a.url), (s) => s.nodes.some((x) => x.nodeId === 'c'), 30_000, 'c in the cluster');
    assert.match(c.stderr(), /running takes in Redis .* not a list this version reads/);
    await stopNode(c);
    for (const n of [a, b]) assert.ok(alive(n), `${n.nodeId} is still running`);
  } finally {
    hostile.disconnect();
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test('a node refused at start says which engine, which key and why (a wrong or missing password, a URL that does not parse, no such database), never the password', { timeout: 180_000 }, async () => {
  const spec = await clusterSpec([]);
  // A Redis with a password: the shared one has none.
  const port = await freePort();
  const guarded = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', 'right-horse'], { stdio: 'ignore' });
  children.push(guarded);
  const probe = new Redis({ port, host: '127.0.0.1', password: 'right-horse', lazyConnect: true, retryStrategy: () => 200 });
  probe.on('error', () => undefined);
  await waitFor(async () => {
    await probe.connect().catch(() => undefined);
    return probe.status;
  }, (status) => status === 'ready', 10_000, 'the guarded redis-server up');
  probe.disconnect();
  const pg = new URL(spec.postgresUrl);
  // What the coded error says (its message and its hint), not only what the log said on the way.
  const cases: { what: string; broken: ClusterSpec; code: string; key: string; message: RegExp; hint: RegExp }[] = [
    { what: 'wrong Redis password', broken: { ...spec, redisUrl: `redis://:stolen-secret@127.0.0.1:${port}` }, code: 'CLUSTER_UNREACHABLE', key: 'cluster.redisUrl', message: /refuses this node: WRONGPASS/, hint: /password/ },
    { what: 'no Redis password', broken: { ...spec, redisUrl: `redis://127.0.0.1:${port}` }, code: 'CLUSTER_UNREACHABLE', key: 'cluster.redisUrl', message: /refuses this node: NOAUTH/, hint: /password/ },
    { what: 'Redis URL with a port that is not a number', broken: { ...spec, redisUrl: 'redis://:stolen-secret@127.0.0.1:sixty' }, code: 'CONFIG_INVALID', key: 'cluster.redisUrl', message: /not a URL/, hint: /redis:\/\// },
    { what: 'PostgreSQL URL with a port that is not a number', broken: { ...spec, postgresUrl: `postgres://shotscale:stolen-secret@127.0.0.1:sixty${pg.pathname}` }, code: 'CONFIG_INVALID', key: 'cluster.postgresUrl', message: /not a URL/, hint: /postgres:\/\// },
    { what: 'no such database', broken: { ...spec, postgresUrl: `postgres://shotscale:stolen-secret@127.0.0.1:${pg.port}/no_such_db` }, code: 'CLUSTER_UNREACHABLE', key: 'cluster.postgresUrl', message: /refuses this node: database "no_such_db" does not exist/, hint: /create the database/ },
  ];
  for (const { what, broken, code, key, message, hint } of cases) {
    const run = await runCli(['serve', '--config', nodeConfig(broken, 'a', 1)], { timeoutMs: 90_000 });
    assert.notEqual(run.code, 0, `${what}: exit code`);
    const lines = run.stderr.split('\n');
    const at = lines.findIndex((line) => line.includes(`${code}: ${key}:`));
    assert.ok(at >= 0, `${what}: a ${code} error naming ${key}: ${run.stderr.slice(-1500)}`);
    assert.match(lines[at]!, message, what);
    assert.match(lines[at + 1] ?? '', new RegExp(`hint: .*${hint.source}`), `${what}: the hint`);
    assert.doesNotMatch(run.stderr + run.stdout, /stolen-secret|right-horse/, `${what}: no password in the output`);
    assert.doesNotMatch(run.stdout, /listening on/, what);
  }
});

/** A redis-server that keeps its data (append-only file, each write on disk), as a production Redis often does. */
async function persistentRedis(): Promise<{ url: string; kill(): Promise<void>; start(): Promise<void> }> {
  const port = await freePort();
  const dir = tempDir('shotscale-redis-aof-');
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
    children.push(child);
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 200 });
    probe.on('error', () => undefined);
    try {
      await waitFor(async () => {
        await probe.connect().catch(() => undefined);
        return probe.status;
      }, (status) => status === 'ready', 15_000, 'redis-server up');
    } finally {
      probe.disconnect();
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    kill: async () => {
      const running = child!;
      running.kill('SIGKILL');
      if (running.exitCode === null && running.signalCode === null) await once(running, 'exit');
    },
  };
}

test('Redis killed and restarted with its data (an append-only file): every node takes back its own cameras, none changes hands', { timeout: 180_000 }, async () => {
  const persistent = await persistentRedis();
  const leaseS = 3;
  const spec = { ...(await clusterSpec(['p-1', 'p-2', 'p-3', 'p-4'], leaseS)), redisUrl: persistent.url };
  const a = await node(spec, 'a', 4);
  const b = await node(spec, 'b', 4);
  try {
    const { nodes } = await waitFor(() => clusterState(a.url), (s) => s.nodes.length === 2 && camerasOf(s, 'a').length === 2 && camerasOf(s, 'b').length === 2, 60_000, 'two cameras each');
    const before_ = Object.fromEntries(nodes.map((n) => [n.nodeId, n.cameras.join()]));
    await persistent.kill();
    const killedAt = Date.now();
    for (const n of [a, b]) await waitFor(() => clusterState(n.url), (s) => s.redis === 'down', 20_000, `${n.nodeId} sees Redis down`);
    // Down for longer than a lease: the reloaded leases and heartbeats have expired.
    await waitFor(async () => Date.now() - killedAt, (ms) => ms > leaseS * 1000 + 2000, 30_000, 'the outage');
    const logged = { a: a.stderr().length, b: b.stderr().length };
    await persistent.start();
    for (const n of [a, b]) await waitFor(() => clusterState(n.url), (s) => s.redis === 'up' && s.nodes.length === 2, 30_000, `${n.nodeId} sees Redis and both nodes again`);
    // Watched for several lease times, by when any camera taken from its node would have been.
    const seen = new Set<string>();
    const watchUntil = Date.now() + 4 * leaseS * 1000;
    while (Date.now() < watchUntil) {
      const state = await clusterState(a.url);
      // A heartbeat late on a loaded machine is not a camera moved: only whole views are compared.
      if (state.nodes.length === 2) seen.add(JSON.stringify(Object.fromEntries(state.nodes.map((n) => [n.nodeId, n.cameras.join()]))));
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual([...seen], [JSON.stringify(before_)], 'every camera stayed on its node');
    for (const n of [a, b]) {
      assert.doesNotMatch(n.stderr().slice(logged[n.nodeId as 'a' | 'b']), /lost the lease|took p-/, `${n.nodeId}: no camera stopped or taken`);
      assert.ok(alive(n));
    }
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
    await persistent.kill().catch(() => undefined);
  }
});

test('an engine away: /api/health and the wall say which, where and why, with a code (CLUSTER_UNREACHABLE), and clear it when it answers again', { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(['e-1']);
  const a = await node(spec, 'a', 1);
  const { client } = await connectClient(a.url);
  try {
    await waitFor(() => clusterState(a.url), (s) => camerasOf(s, 'a').length === 1, 30_000, 'a runs e-1');
    const alertMessages = async () => ((await httpJson(`${a.url}/api/alerts`)).body as { active: { kind: string; message: string }[] }).active.filter((x) => x.kind === 'cluster').map((x) => x.message);
    const redisPort = new URL(redis.url).port;
    await redis.stop();
    try {
      const { fault } = await waitFor(() => clusterState(a.url), (s) => s.redis === 'down' && !!s.fault, 30_000, 'a says Redis is away');
      assert.equal(fault!.code, 'CLUSTER_UNREACHABLE');
      // Which engine, where, and the connection's own error rather than the client's "Stream isn't writeable".
      assert.match(fault!.message, new RegExp(`Redis at redis://127\\.0\\.0\\.1:${redisPort}\\S* \\((connect )?ECONNREFUSED|Redis at redis://127\\.0\\.0\\.1:${redisPort}\\S* \\(.*(closed|ECONNRESET)`), fault!.message);
      assert.doesNotMatch(fault!.message, /Stream isn't writeable/);
      const messages = await waitFor(alertMessages, (list) => list.some((m) => m.startsWith('CLUSTER_UNREACHABLE')), 15_000, 'the wall\'s cluster alert');
      assert.ok(messages.some((m) => m.includes(`redis://127.0.0.1:${redisPort}`)), JSON.stringify(messages));
      await readoutsFrom(client, ['e-1'], 20_000);
    } finally {
      await redis.start();
    }
    await waitFor(() => clusterState(a.url), (s) => s.redis === 'up' && !s.fault, 30_000, 'the fault cleared');
    await waitFor(alertMessages, (list) => list.length === 0, 15_000, 'the cluster alert resolved');

    await postgres.stop();
    try {
      const { fault } = await waitFor(() => clusterState(a.url), (s) => s.postgres === 'down' && !!s.fault, 30_000, 'a says PostgreSQL is away');
      assert.equal(fault!.code, 'CLUSTER_UNREACHABLE');
      assert.match(fault!.message, /PostgreSQL at postgres:\/\/shotscale@127\.0\.0\.1:\d+\/cluster_faults_\S+ \(/);
      assert.match(fault!.message, /shots are held on this node's disk/);
    } finally {
      await postgres.start();
    }
    await waitFor(() => clusterState(a.url), (s) => s.postgres === 'up' && !s.fault, 30_000, 'the fault cleared');
  } finally {
    client.close();
    await redis.start().catch(() => undefined);
    await postgres.start().catch(() => undefined);
    await stopNode(a);
  }
});

test('a lease left without an expiry (typed by hand, a dump restored without expiries) is claimed within a lease time with a new fencing token, said with a code; a live holder whose lease lost its expiry keeps its camera', { timeout: 180_000 }, async () => {
  const leaseS = 3;
  const spec = await clusterSpec(['s-1', 's-2', 's-3'], leaseS);
  const prefix = spec.keyPrefix;
  const hostile = new Redis(redis.url);
  // Held in the name of a node that does not exist, for ever: before the fix, s-2 stayed unassigned.
  await hostile.set(`${prefix}:lease:s-2`, 'ghost#7');
  await hostile.set(`${prefix}:fence:s-2`, '7');
  const a = await node(spec, 'a', 3);
  try {
    await waitFor(() => clusterState(a.url), (s) => camerasOf(s, 'a').join() === 's-1,s-2,s-3' && s.unassigned.length === 0, 30_000, 'a runs every camera, s-2 included');
    assert.equal(await hostile.get(`${prefix}:lease:s-2`), 'a#8', 'a new lease, its token above the stale one');
    const ttl = await hostile.pttl(`${prefix}:lease:s-2`);
    assert.ok(ttl > 0 && ttl <= leaseS * 1000, `an expiry: ${ttl}`);
    assert.match(a.stderr(), new RegExp(`CLUSTER_LEASE_STALE: the lease of s-2 in Redis \\(${prefix}:lease:s-2\\) had no expiry, held by node "ghost" \\(lease 7, not a live node\\): its expiry is cut to ${leaseS} s`));

    // b joins with room; the leases of a (live, renewing) lose their expiry. Nothing changes hands but what the balancer hands over.
    const b = await node(spec, 'b', 1);
    await waitFor(() => clusterState(a.url), (s) => camerasOf(s, 'a').length === 2 && camerasOf(s, 'b').length === 1, 30_000, 'b takes one camera');
    const held = camerasOf(await clusterState(a.url), 'a');
    const values = await hostile.mget(held.map((id) => `${prefix}:lease:${id}`));
    const logged = a.stderr().length;
    for (const id of held) await hostile.persist(`${prefix}:lease:${id}`);
    const watchUntil = Date.now() + 3 * leaseS * 1000;
    while (Date.now() < watchUntil) {
      const state = await clusterState(b.url);
      if (state.nodes.length === 2) assert.deepEqual(camerasOf(state, 'a'), held, 'a keeps its cameras');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(await hostile.mget(held.map((id) => `${prefix}:lease:${id}`)), values, 'the same leases, the same tokens');
    for (const id of held) assert.ok((await hostile.pttl(`${prefix}:lease:${id}`)) > 0, `${id}: an expiry again`);
    assert.doesNotMatch(a.stderr().slice(logged), /lost the lease/);
    await stopNode(b);
  } finally {
    hostile.disconnect();
    await stopNode(a);
  }
});

test('Redis away: /api/health lists this node alone as live and the others as last seen, with the time the list was read; once Redis answers the list is read again (a node that died meanwhile is gone)', { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(['o-1', 'o-2']);
  const a = await node(spec, 'a', 1);
  const b = await node(spec, 'b', 1);
  try {
    await waitFor(() => clusterState(a.url), (s) => camerasOf(s, 'a').length === 1 && camerasOf(s, 'b').length === 1, 30_000, 'one camera each');
    const onB = camerasOf(await clusterState(a.url), 'b')[0]!;
    const stoppedAt = Date.now();
    await redis.stop();
    try {
      const during = await waitFor(() => clusterState(a.url), (s) => s.redis === 'down', 20_000, 'a sees Redis down');
      // Before: b listed as a live node, its heartbeat age growing, though nothing was known of it.
      assert.deepEqual(during.nodes.map((n) => n.nodeId), ['a'], 'only this node, known first hand');
      assert.equal(camerasOf(during, 'a').length, 1);
      assert.deepEqual(during.lastSeen?.map((n) => [n.nodeId, n.url]), [['b', b.url]]);
      assert.ok(during.lastSeen![0]!.heartbeatAt <= stoppedAt + 1000, 'b as last seen before the outage');
      assert.ok(during.nodesAsOf !== null && during.nodesAsOf! <= stoppedAt + 1000 && during.nodesAsOf! > stoppedAt - 10_000, `the list's date: ${during.nodesAsOf} (Redis stopped at ${stoppedAt})`);
      assert.deepEqual(during.unassigned, [], 'not known while Redis is away');
      await stopNode(b, 'SIGKILL');
    } finally {
      await redis.start();
    }
    const restartedAt = Date.now();
    const after_ = await waitFor(() => clusterState(a.url), (s) => s.redis === 'up' && s.unassigned.join() === onB, 30_000, "a reads the list again: b gone, its camera nobody's (a is full)");
    assert.deepEqual(after_.nodes.map((n) => n.nodeId), ['a']);
    assert.deepEqual(after_.lastSeen, []);
    assert.ok(after_.nodesAsOf! >= restartedAt, 'a fresh list');
    assert.ok(alive(a));
  } finally {
    await redis.start().catch(() => undefined);
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test('a second process with the id of a node cut off from Redis (its heartbeat lapsed, it still runs and reaches PostgreSQL) is refused with CLUSTER_NODE_ID_IN_USE, saying where and how long a dead one keeps it; the first keeps its camera', { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(['d-1']);
  const relay = await startRelay(redis);
  const a = await node({ ...spec, redisUrl: relay.url }, 'a', 1);
  const watcher = new Redis(redis.url);
  try {
    await waitFor(() => clusterState(a.url), (s) => camerasOf(s, 'a').length === 1, 30_000, 'a runs d-1');
    await relay.cut();
    await waitFor(() => watcher.exists(`${spec.keyPrefix}:node:a`), (n) => n === 0, 20_000, "a's heartbeat lapsed");
    // Before the fix this one started (the id looked free in Redis), and both logged shots under a's ids.
    const twin = await runCli(['serve', '--config', nodeConfig(spec, 'a', 1)], { timeoutMs: 90_000 });
    assert.notEqual(twin.code, 0);
    const lines = twin.stderr.split('\n');
    const at = lines.findIndex((line) => line.includes('CLUSTER_NODE_ID_IN_USE: cluster.nodeId:'));
    assert.ok(at >= 0, twin.stderr.slice(-2000));
    assert.match(lines[at]!, /node "a" is already running: another process holds its id in PostgreSQL at postgres:\/\/shotscale@127\.0\.0\.1:\d+\/cluster_faults_\S+ \(shotscale a@\S+, from 127\.0\.0\.1, connected since /);
    assert.match(lines[at + 1] ?? '', /hint: .*own cluster\.nodeId.*crashed frees its id at once.*within \d+ s/);
    assert.doesNotMatch(twin.stdout, /listening on/);
    await relay.restore();
    await waitFor(() => clusterState(a.url), (s) => s.redis === 'up' && s.nodes.length === 1 && camerasOf(s, 'a').join() === 'd-1', 30_000, 'a back, with its camera');
    assert.doesNotMatch(a.stderr(), /lost the lease|CLUSTER_NODE_ID_IN_USE/);
    assert.ok(alive(a));
  } finally {
    watcher.disconnect();
    await stopNode(a);
    // A relay left listening would keep this test process alive.
    await relay.cut();
  }
});

test('a node cut off from both engines long enough for another process to take its id steps aside when it is back: it stops its cameras and says CLUSTER_NODE_ID_IN_USE; the new process runs on', { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(['r-1']);
  const [redisRelay, pgRelay] = await Promise.all([startRelay(redis), startRelay(postgres)]);
  const pgUrl = new URL(spec.postgresUrl);
  pgUrl.port = new URL(pgRelay.url).port;
  const old = await node({ ...spec, redisUrl: redisRelay.url, postgresUrl: pgUrl.toString() }, 'a', 1);
  try {
    await waitFor(() => clusterState(old.url), (s) => camerasOf(s, 'a').length === 1, 30_000, 'the first process runs r-1');
    await Promise.all([redisRelay.cut(), pgRelay.cut()]);
    // Its connections closed, PostgreSQL lets its id go at once; Redis, once its heartbeat and lease lapse.
    const successor = await node(spec, 'a', 1);
    await waitFor(() => clusterState(successor.url), (s) => s.nodes.length === 1 && s.nodes[0]!.url === successor.url && camerasOf(s, 'a').join() === 'r-1', 30_000, 'the new process runs r-1');
    await Promise.all([redisRelay.restore(), pgRelay.restore()]);
    const { fault } = await waitFor(() => clusterState(old.url), (s) => s.fault?.code === 'CLUSTER_NODE_ID_IN_USE', 30_000, 'the first process says its id was taken');
    assert.match(fault!.message, /node "a" was taken by another process|another process holds its id in PostgreSQL/);
    assert.match(fault!.message, /stopped its \d camera\(s\) and takes none/);
    assert.match(old.stderr(), /CLUSTER_NODE_ID_IN_USE/);
    // A few lease times later: the new process keeps the camera and its place; the old one took nothing back.
    await new Promise((r) => setTimeout(r, 3 * spec.leaseS * 1000));
    const state = await clusterState(successor.url);
    assert.deepEqual(state.nodes.map((n) => [n.nodeId, n.url, n.cameras.join()]), [['a', successor.url, 'r-1']]);
    assert.ok(alive(old) && alive(successor));
    assert.doesNotMatch(successor.stderr(), /lost the lease/);
    await stopNode(successor);
  } finally {
    await stopNode(old);
    await Promise.all([redisRelay.cut(), pgRelay.cut()]);
  }
});
