/**
 * A take's gap in the cluster's record, on a real redis-server and a real
 * PostgreSQL: a node killed during a take and started again resumes it,
 * and the cluster's record of the take (GET /api/takes on any node) notes
 * the gap as the node's own log does, with the node and the cameras it
 * concerns; a node whose camera another node took over meanwhile ends its
 * gap and alert where that node's shots of the camera began (they said the
 * whole rest of the take was lost, where 4 s were); and a node that
 * cannot read the running takes from Redis as it starts again keeps the
 * take it resumed (an unread list is not an empty one), joining it to the
 * cluster's record once Redis answers.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { freePort, type Engine } from '../support/cluster-engines.js';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import { listed, post, same, testsrc, until, withoutCameras } from '../support/cluster-takes.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-health.js';
import type { Alert, ShotRecord, Take } from '../../server/shared/shots.js';
import { clockTime } from '../../server/shots/restart-gaps.js';

const bed = clusterTestBed();
const started = bed.started;

type ClusterGap = { from: number; to: number; node: string; cameras: string[] };

async function clusterSpec(name: string, redisUrl: string): Promise<ClusterSpec> {
  return { redisUrl, postgresUrl: await createDatabase(bed.postgres.url, name), keyPrefix: name, leaseS: 3, cameras: ['g-1', 'g-2'].map(testsrc) };
}

/** The camera a node runs, once each of the two nodes runs one. */
async function cameraOf(url: string, nodeId: string): Promise<string> {
  const state = await until(
    async () => ((await httpJson(`${url}/api/health`)).body as { cluster: ClusterNodeState }).cluster,
    (s) => s.nodes.length === 2 && s.nodes.every((n) => n.cameras.length === 1),
    'one camera on each node',
  );
  return state.nodes.find((n) => n.nodeId === nodeId)!.cameras[0]!;
}

/** Waits until the node's own log has a shot of `camera` in scene `scene` (so the take is on that camera there). */
async function shotInTake(node: NodeProcess, camera: string, scene: string): Promise<void> {
  await until(async () => ((await httpJson(`${node.url}/api/shots?scope=node&camera=${camera}&scene=${scene}`)).body as { shots: ShotRecord[] }).shots, (shots) => shots.length > 0, `${node.nodeId}'s shots of ${camera} in scene ${scene}`);
}

/** Kills b during the take and starts it again on its own shot log: its log notes the gap. */
async function restartDuringTake(spec: ClusterSpec, b: NodeProcess): Promise<{ b: NodeProcess; ownGap: { from: number; to: number } }> {
  await stopNode(b, 'SIGKILL');
  const again = await startNode(spec, 'b', 1, { config: b.config });
  started.push(again);
  const own = await until(async () => (await listed(again.url, '?scope=node')).running, (running) => running.length === 1 && running[0]!.gaps.length === 1, "b's own log resumed the take");
  return { b: again, ownGap: own[0]!.gaps[0]! };
}

/**
 * The node's gap once the take's first shot since the restart has come: its
 * log stores the gap ending at the restart at once (`ownGap`) and moves its
 * end to that shot (restart-gaps.ts); the cluster's record, given the gap at
 * the join, gets that end too, as one gap.
 */
async function closedGap(node: NodeProcess, camera: string, scene: string, ownGap: { from: number; to: number }): Promise<{ from: number; to: number }> {
  await until(
    async () => ((await httpJson(`${node.url}/api/shots?scope=node&camera=${camera}&scene=${scene}`)).body as { shots: ShotRecord[] }).shots,
    (shots) => shots.some((s) => s.inTime >= ownGap.to),
    `${node.nodeId}'s first shot of ${camera} since the restart`,
  );
  const gaps = (await listed(node.url, '?scope=node')).running[0]!.gaps;
  assert.equal(gaps.length, 1, JSON.stringify(gaps));
  return gaps[0]!;
}

test("a node killed during a take and started again: the cluster's record of the take has its gap, naming the node and its cameras, as the node's own log has it", { timeout: 180_000 }, async () => {
  const spec = await clusterSpec(`cluster_take_gaps_${process.pid}`, bed.redis.url);
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  try {
    a = await startNode(spec, 'a', 1);
    started.push(a);
    b = await startNode(spec, 'b', 1);
    started.push(b);
    const bCamera = await cameraOf(a.url, 'b');
    const slated = (await post(a.url, '/api/takes', { scene: '90' })) as Take;
    await shotInTake(b, bCamera, '90');

    const restarted = await restartDuringTake(spec, b);
    b = restarted.b;
    const gap: ClusterGap = { ...(await closedGap(b, bCamera, '90', restarted.ownGap)), node: 'b', cameras: [bCamera] };
    assert.ok(gap.from < gap.to, JSON.stringify(gap));
    // The running take, listed on either node, has the gap of the cluster's record.
    for (const node of [a, b]) {
      await until(async () => (await listed(node.url, '')).running.map((t) => [t.id, t.gaps]), same([[slated.id, [gap]]]), `the running take listed on ${node.nodeId}`);
    }
    // Ended on a: the record ended has the gap, read on either node; it is the one record of the take.
    await post(a.url, '/api/takes/end', {});
    for (const node of [a, b]) {
      await until(
        async () => (await listed(node.url, '?scene=90')).takes.map((t) => [t.id, t.endedAt !== null, t.gaps]),
        same([[slated.id, true, [gap]]]),
        `scene 90's record, read on ${node.nodeId}`,
      );
    }
    // a was not down: its own log has no gap.
    assert.deepEqual((await listed(a.url, '?scope=node&scene=90')).takes.map((t) => t.gaps), [[]]);
  } finally {
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
  }
});

/** b's take-interrupted alerts active on a node's wall. */
async function bInterruptions(url: string): Promise<Alert[]> {
  return ((await httpJson(`${url}/api/alerts`)).body as { active: Alert[] }).active.filter((alert) => alert.kind === 'take-interrupted' && alert.key.endsWith('@b'));
}

/**
 * a (room for both cameras) and b run one camera each; a take on both is
 * slated, b is killed once it has a shot in it, and a takes b's camera over
 * (once b's lease lapses): `resumedAt`, a's first shot of it in the take.
 */
async function takenOverDuringTake(name: string, scene: string): Promise<{ spec: ClusterSpec; a: NodeProcess; killed: NodeProcess; bCamera: string; slated: Take; resumedAt: number }> {
  const spec = await clusterSpec(name, bed.redis.url);
  const a = await startNode(spec, 'a', 2);
  started.push(a);
  const b = await startNode(spec, 'b', 1);
  started.push(b);
  const bCamera = await cameraOf(a.url, 'b');
  const slated = (await post(a.url, '/api/takes', { scene })) as Take;
  await shotInTake(b, bCamera, scene);
  await stopNode(b, 'SIGKILL');
  const takenOver = await until(
    async () => ((await httpJson(`${a.url}/api/shots?scope=node&camera=${bCamera}&scene=${scene}`)).body as { shots: ShotRecord[] }).shots,
    (shots) => shots.length > 0,
    `a's shot of ${bCamera} in scene ${scene}, taken over`,
  );
  return { spec, a, killed: b, bCamera, slated, resumedAt: Math.min(...takenOver.map((s) => s.inTime)) };
}

/** b started again with no room for cameras: it gets none back, so no shot of its own ever ends its gap. */
async function restartedIdle(spec: ClusterSpec, killed: NodeProcess): Promise<NodeProcess> {
  const b = await startNode(spec, 'b', 0, { config: withoutCameras(killed.config) });
  started.push(b);
  return b;
}

const RUNS_ON = '; the take runs on';

test("a node killed during a take whose camera another node took over: its gap and alert end at the other node's first shot of the camera, not at the take's end", { timeout: 180_000 }, async () => {
  const { spec, a, killed, bCamera, slated, resumedAt } = await takenOverDuringTake(`cluster_take_takeover_${process.pid}`, '92');
  let b: NodeProcess | null = null;
  try {
    b = await restartedIdle(spec, killed);
    const bUrl = b.url;
    const gap = await until(
      async () => (await listed(a.url, '')).running.flatMap((t) => t.gaps),
      (gaps) => gaps.length === 1 && gaps[0]!.to === Math.round(resumedAt),
      "the record's gap, ending at a's first shot of the camera",
    );
    assert.deepEqual(gap[0], { from: gap[0]!.from, to: Math.round(resumedAt), node: 'b', cameras: [bCamera] });
    const told = `Node b: The server restarted during scene 92 take 1: no shots from ${clockTime(gap[0]!.from)} to ${clockTime(resumedAt)} (${bCamera} run on by node a since ${clockTime(resumedAt)})`;
    await until(async () => (await bInterruptions(bUrl)).map((alert) => alert.message), same([told + RUNS_ON]), "b's alert");

    // Ended: the gap stays where the footage resumed, and the alert says when the take ended.
    await post(a.url, '/api/takes/end', {});
    const ended = await until(async () => (await listed(a.url, '?scene=92')).takes, (takes) => takes.length === 1 && takes[0]!.endedAt !== null, "scene 92's record, ended");
    assert.deepEqual(ended.map((t) => [t.id, t.gaps]), [[slated.id, gap]]);
    await until(async () => (await bInterruptions(bUrl)).map((alert) => alert.message), same([`${told}; the take ended at ${clockTime(ended[0]!.endedAt!)}`]), "b's alert, once the take ended");
  } finally {
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
  }
});

test("a node killed during a take that another node took over and ended meanwhile: its gap ends at the other node's first shot of the camera, not at the take's end", { timeout: 180_000 }, async () => {
  const { spec, a, killed, bCamera, slated, resumedAt } = await takenOverDuringTake(`cluster_take_takeover_ended_${process.pid}`, '93');
  let b: NodeProcess | null = null;
  try {
    await post(a.url, '/api/takes/end', {});
    const endedAt = (await until(async () => (await listed(a.url, '?scene=93')).takes, (takes) => takes.length === 1 && takes[0]!.endedAt !== null, "scene 93's record, ended"))[0]!.endedAt!;
    b = await restartedIdle(spec, killed);
    const bUrl = b.url;
    const record = await until(
      async () => (await listed(a.url, '?scene=93')).takes,
      (takes) => takes.length === 1 && takes[0]!.gaps.length === 1,
      "scene 93's record with b's gap",
    );
    const gap = record[0]!.gaps[0]!;
    assert.deepEqual([record[0]!.id, gap], [slated.id, { from: gap.from, to: Math.round(resumedAt), node: 'b', cameras: [bCamera] }]);
    const told = `Node b: The server restarted during scene 93 take 1: no shots from ${clockTime(gap.from)} to ${clockTime(resumedAt)} (${bCamera} run on by node a since ${clockTime(resumedAt)}); the take ended at ${clockTime(endedAt)}`;
    await until(async () => (await bInterruptions(bUrl)).map((alert) => alert.message), same([told]), "b's alert");
  } finally {
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
  }
});

/**
 * A TCP relay to Redis that, once armed, cuts every connection the moment
 * a client asks for `key` (the GET is never passed on) and refuses new ones
 * until restored: Redis out of reach from one node at that very command.
 */
async function tripwire(engine: Engine, key: string): Promise<{ url: string; arm(): void; tripped(): boolean; restore(): void; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let armed = false;
  let cut = false;
  let wasTripped = false;
  const needle = Buffer.from(`\r\n${key}\r\n`);
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(engine.port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes(needle) && /get/i.test(chunk.toString('latin1'))) {
        armed = false;
        cut = true;
        wasTripped = true;
        for (const socket of sockets) socket.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    arm: () => (armed = true),
    tripped: () => wasTripped,
    restore: () => (cut = false),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test("a node that cannot read the running takes from Redis as it starts again keeps the take it resumed, and joins it to the cluster's record once Redis answers", { timeout: 180_000 }, async () => {
  const name = `cluster_take_rejoin_${process.pid}`;
  const relay = await tripwire(bed.redis, `${name}:takes`);
  const spec = await clusterSpec(name, bed.redis.url);
  let a: NodeProcess | null = null;
  let b: NodeProcess | null = null;
  try {
    a = await startNode(spec, 'a', 1);
    started.push(a);
    b = await startNode({ ...spec, redisUrl: relay.url }, 'b', 1);
    started.push(b);
    const bCamera = await cameraOf(a.url, 'b');
    const slated = (await post(a.url, '/api/takes', { scene: '91' })) as Take;
    await shotInTake(b, bCamera, '91');

    // Killed, and started again: Redis goes out of reach at the very read of the running takes.
    relay.arm();
    const restarted = await restartDuringTake({ ...spec, redisUrl: relay.url }, b);
    b = restarted.b;
    assert.ok(relay.tripped(), 'the read of the running takes was cut');
    const node = b;
    await until(async () => node.stderr(), (text) => text.includes(`the running takes in Redis (${name}:takes) not read`), "b's warning");
    assert.match(node.stderr(), /the take\(s\) this node resumed after its restart \(scene 91 take 1\) run on; read again every 1 s/);
    // Not read is not "no take runs": b's take runs on while Redis is out of reach.
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual((await listed(b.url, '?scope=node')).running.map((t) => [t.scene, t.take, t.endedAt]), [['91', '1', null]], "b's resumed take runs on");

    // Redis answers again: b joins the take to the cluster's record (its gap there), and it ends as one take.
    relay.restore();
    const gap: ClusterGap = { ...(await closedGap(node, bCamera, '91', restarted.ownGap)), node: 'b', cameras: [bCamera] };
    await until(async () => (await listed(a!.url, '')).running.map((t) => [t.id, t.gaps]), same([[slated.id, [gap]]]), 'the running take listed on a');
    const { ended } = (await post(b.url, '/api/takes/end', {})) as { ended: Take[] };
    assert.deepEqual(ended.map((t) => [t.scene, t.id]), [['91', slated.id]], "ended on b: the end names the cluster's record");
    await until(async () => (await listed(a!.url, '?scene=91')).takes.map((t) => [t.id, t.endedAt !== null, t.gaps]), same([[slated.id, true, [gap]]]), "scene 91's one record");
  } finally {
    await Promise.all([a, b].filter((n) => n !== null).map((n) => stopNode(n)));
    await relay.close();
  }
});
