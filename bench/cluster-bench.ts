/**
 * What a cluster costs and how fast it fails over, on this machine: 1, 2 and
 * 3 `shotscale serve` nodes on one real redis-server and one real
 * PostgreSQL, with the fixture classifier and two file cameras per node.
 *
 *   npm run bench:cluster [-- --seconds 20 --kills 10 --lease 10 --out bench-results/cluster.json]
 *
 * Per cluster size: frames analysed per second (all nodes); the latency the
 * Redis hop adds to a readout (delivered to a client on node a, the other
 * nodes' cameras against node a's own); Redis commands and publishes per
 * second and PostgreSQL row writes per second, per camera. Then, on two
 * nodes, `kill -9` of the node holding a camera `--kills` times: the time
 * until the survivor holds it and until its first readout after the kill.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { io } from 'socket.io-client';
import { startPostgres, startRedis } from '../test/support/cluster-engines.js';
import { createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../test/support/cluster-nodes.js';
import { makeClip, tempDir } from '../test/support/media.js';
import type { ClusterNodeState } from '../server/cluster/cluster-node.js';
import type { Readout } from '../server/shared/socket-events.js';
import { benchArgs, positiveNumber, numberFrom, wholeNumber } from './bench-options.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const USAGE = `usage: npm run bench:cluster [-- --seconds 20 --kills 10 --lease 10 --out bench-results/cluster.json]
  --seconds S   seconds measured per cluster size: more than 0 (default 20)
  --kills N     kill -9 failovers timed: a whole number, at least 1 (default 10)
  --lease S     a camera's lease (cluster.leaseS): 1 to 300 (default 10)
  --out FILE    where the JSON goes (default bench-results/cluster.json)
  -h, --help    this text`;
const { SECONDS, KILLS, LEASE_S, values } = benchArgs(
  USAGE,
  process.argv.slice(2),
  {
    seconds: { type: 'string', default: '20' },
    kills: { type: 'string', default: '10' },
    lease: { type: 'string', default: '10' },
    out: { type: 'string', default: path.join(ROOT, 'bench-results', 'cluster.json') },
  },
  (values) => ({
    SECONDS: positiveNumber('seconds', values.seconds),
    KILLS: wholeNumber('kills', values.kills, 1),
    // The config's own range (cluster.leaseS).
    LEASE_S: numberFrom('lease', values.lease, 1, 300),
    values,
  }),
);
const CAMERAS_PER_NODE = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function health(url: string): Promise<ClusterNodeState> {
  return ((await (await fetch(`${url}/api/health`)).json()) as { cluster: ClusterNodeState }).cluster;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function redisCounters(redis: Redis): Promise<{ commands: number; publishes: number }> {
  const stats = await redis.info('stats');
  const commandStats = await redis.info('commandstats');
  return {
    commands: Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? 0),
    publishes: Number(/cmdstat_publish:calls=(\d+)/.exec(commandStats)?.[1] ?? 0),
  };
}

async function pgWrites(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) AS n FROM pg_stat_user_tables');
  return Number(rows[0]!.n);
}

const redisEngine = await startRedis();
const postgres = await startPostgres();
const clip = makeClip(tempDir(), 'loop.mp4', 4);
const camera = (id: string) => `{ id: ${id}, analysisFps: 5, source: { kind: file, path: ${JSON.stringify(clip)}, loop: true, realtime: true } }`;
const monitor = new Redis(redisEngine.url);
let round_ = 0;

async function cluster(nodeCount: number, leaseS: number): Promise<{ spec: ClusterSpec; nodes: NodeProcess[]; pool: pg.Pool }> {
  round_ += 1;
  const ids = Array.from({ length: nodeCount * CAMERAS_PER_NODE }, (_, i) => `cam-${i + 1}`);
  const url = await createDatabase(postgres.url, `bench_${round_}`);
  const spec: ClusterSpec = { redisUrl: redisEngine.url, postgresUrl: url, keyPrefix: `bench${round_}`, leaseS, cameras: ids.map(camera) };
  const nodes: NodeProcess[] = [];
  for (let i = 0; i < nodeCount; i++) nodes.push(await startNode(spec, String.fromCharCode(97 + i), CAMERAS_PER_NODE));
  await waitFor('every camera held', async () => (await health(nodes[0]!.url)).nodes.flatMap((n) => n.cameras).length === ids.length, 30_000);
  return { spec, nodes, pool: new pg.Pool({ connectionString: url, max: 1 }) };
}

const sizes: Record<string, unknown>[] = [];
for (const nodeCount of [1, 2, 3]) {
  const { nodes, pool } = await cluster(nodeCount, LEASE_S);
  const cameras = nodeCount * CAMERAS_PER_NODE;
  const state = await health(nodes[0]!.url);
  const onA = new Set(state.nodes.find((n) => n.nodeId === 'a')!.cameras);
  const client = io(nodes[0]!.url, { transports: ['websocket'] });
  const local: number[] = [];
  const remote: number[] = [];
  let readouts = 0;
  client.on('readout', (r: Readout) => {
    readouts += 1;
    // From the readout being built (capture + its glass-to-readout latency) to this client.
    const delivery = Date.now() - (r.captureTime + r.latencyMs);
    (onA.has(r.cameraId) ? local : remote).push(delivery);
  });
  await sleep(3000);
  local.length = 0;
  remote.length = 0;
  readouts = 0;
  const [redis0, pg0] = [await redisCounters(monitor), await pgWrites(pool)];
  await sleep(SECONDS * 1000);
  const counted = readouts;
  const redis1 = await redisCounters(monitor);
  // PostgreSQL's counters are flushed about once a second: let the last one land.
  await sleep(1500);
  const pgSettled = await pgWrites(pool);
  client.close();
  const result = {
    nodes: nodeCount,
    cameras,
    framesPerS: round(counted / SECONDS),
    readoutDeliveryMs: { ownNode: { p50: percentile(local, 50), p95: percentile(local, 95) }, otherNodes: { p50: percentile(remote, 50), p95: percentile(remote, 95) } },
    redisHopAddsMs: remote.length ? { p50: round(percentile(remote, 50)! - percentile(local, 50)!), p95: round(percentile(remote, 95)! - percentile(local, 95)!) } : null,
    perCamera: {
      redisCommandsPerS: round((redis1.commands - redis0.commands) / SECONDS / cameras),
      redisPublishesPerS: round((redis1.publishes - redis0.publishes) / SECONDS / cameras),
      postgresRowWritesPerS: round((pgSettled - pg0) / (SECONDS + 1.5) / cameras),
    },
  };
  console.log(JSON.stringify(result));
  sizes.push(result);
  await Promise.all(nodes.map((n) => stopNode(n)));
  await pool.end();
}

// Failover: two nodes, one camera each; kill the node holding cam-1 and time how long until it runs again.
const failovers: { heldMs: number; readoutMs: number }[] = [];
{
  round_ += 1;
  const url = await createDatabase(postgres.url, `bench_${round_}`);
  const spec: ClusterSpec = { redisUrl: redisEngine.url, postgresUrl: url, keyPrefix: `bench${round_}`, leaseS: LEASE_S, cameras: ['cam-1', 'cam-2'].map(camera) };
  const alive = new Map<string, NodeProcess>();
  for (const id of ['a', 'b']) alive.set(id, await startNode(spec, id, 2));
  for (let kill = 0; kill < KILLS; kill++) {
    await waitFor('both nodes with a camera', async () => {
      const s = await health(alive.get('a')!.url);
      return s.nodes.length === 2 && s.nodes.every((n) => n.cameras.length === 1);
    }, 60_000);
    const s = await health(alive.get('a')!.url);
    const victim = s.nodes.find((n) => n.cameras.includes('cam-1'))!.nodeId;
    const survivor = victim === 'a' ? 'b' : 'a';
    const survivorUrl = alive.get(survivor)!.url;
    const client = io(survivorUrl, { transports: ['websocket'] });
    await new Promise((r) => client.once('hello', r));
    const killedAt = Date.now();
    let readoutAt = 0;
    client.on('readout', (r: Readout) => {
      if (r.cameraId === 'cam-1' && r.captureTime > killedAt && !readoutAt) readoutAt = Date.now();
    });
    await stopNode(alive.get(victim)!, 'SIGKILL');
    await waitFor('cam-1 on the survivor', async () => (await health(survivorUrl)).nodes.find((n) => n.nodeId === survivor)!.cameras.includes('cam-1'), LEASE_S * 1000 + 20_000);
    const heldMs = Date.now() - killedAt;
    await waitFor('a readout of cam-1', async () => readoutAt > 0, 20_000);
    client.close();
    failovers.push({ heldMs, readoutMs: readoutAt - killedAt });
    console.log(`kill ${kill + 1}/${KILLS}: node ${victim}; cam-1 held by ${survivor} after ${heldMs} ms, first readout after ${readoutAt - killedAt} ms`);
    // The killed node comes back under its id (it waits out its own old heartbeat).
    alive.set(victim, await startNode(spec, victim, 2, { config: alive.get(victim)!.config }));
  }
  await Promise.all([...alive.values()].map((n) => stopNode(n)));
}

const report = {
  machine: { cores: (await import('node:os')).cpus().length },
  leaseS: LEASE_S,
  camerasPerNode: CAMERAS_PER_NODE,
  windowS: SECONDS,
  sizes,
  failover: {
    kills: failovers.length,
    heldMs: { p50: percentile(failovers.map((f) => f.heldMs), 50), max: Math.max(...failovers.map((f) => f.heldMs)) },
    firstReadoutMs: { p50: percentile(failovers.map((f) => f.readoutMs), 50), max: Math.max(...failovers.map((f) => f.readoutMs)) },
    each: failovers,
  },
};
console.log(JSON.stringify(report.failover, null, 1));
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
console.log(`written: ${values.out}`);
monitor.disconnect();
await Promise.all([redisEngine.stop(), postgres.stop()]);
