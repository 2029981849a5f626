/**
 * Another node's shots, on a real redis-server and a real PostgreSQL, with
 * access tokens: the film report covers the cluster's log as GET /api/shots
 * does (?scope=node: this node's file), thumbnails of every node's shots
 * embedded; an edit of another node's shot is passed on to the node that
 * logs it (the caller's role checked here, the token carried there); and a
 * thumbnail asked for the moment another node announces its closed shot is
 * there, not a 404 until the copy to PostgreSQL lands.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { clusterTestBed, createDatabase, nodeConfig, startNode, stopNode, type ClusterSpec, type NodeProcess } from '../support/cluster-nodes.js';
import { connectClient, httpJson } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';
import type { ClusterNodeState } from '../../server/cluster/cluster-node.js';
import type { ShotRecord } from '../../server/shared/shots.js';

const ADMIN = 'remote-shots-admin-token-0001';
const OPERATOR = 'remote-shots-operator-token-01';
const VIEWER = 'remote-shots-viewer-token-0001';

const bed = clusterTestBed();
const camera = (id: string) => `{ id: ${id}, analysisFps: 5, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let a: NodeProcess;
let b: NodeProcess;
/** The camera each node runs. */
let onA: string;
let onB: string;

function withTokens(spec: ClusterSpec, nodeId: string): string {
  const file = nodeConfig(spec, nodeId, 1);
  const tokens = `tokens: [{ role: operator, token: ${OPERATOR} }, { role: viewer, token: ${VIEWER} }]`;
  writeFileSync(file, readFileSync(file, 'utf8').replace('server: { port: 0 }', `server: { port: 0, accessToken: ${ADMIN}, ${tokens} }`));
  return file;
}

async function runners(url: string): Promise<Map<string, string[]>> {
  const state = ((await httpJson(`${url}/api/health`, { token: VIEWER })).body as { cluster: ClusterNodeState }).cluster;
  return new Map(state.nodes.map((n) => [n.nodeId, [...n.cameras]]));
}

async function shots(url: string, query: string): Promise<ShotRecord[]> {
  const { status, body } = await httpJson(`${url}/api/shots?${query}`, { token: VIEWER });
  assert.equal(status, 200, JSON.stringify(body));
  return (body as { shots: ShotRecord[] }).shots;
}

async function take(url: string, path: string, body: unknown): Promise<void> {
  const answer = await httpJson(`${url}${path}`, { method: 'POST', body, token: OPERATOR });
  assert.ok(answer.status === 200 || answer.status === 201, `${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

async function report(url: string, query: string): Promise<{ count: number; images: number }> {
  const answer = await fetch(`${url}/api/report?${query}`, { headers: { authorization: `Bearer ${VIEWER}` } });
  const html = await answer.text();
  assert.equal(answer.status, 200, html.slice(0, 500));
  const count = /(\d+) shots? from the live log/.exec(html);
  assert.ok(count, 'the report says how many shots');
  return { count: Number(count[1]), images: html.split('<img src="data:image/jpeg;base64,').length - 1 };
}

/** Two nodes, a camera each, and a take of scene 12 on both; started by the first test that needs them. */
async function startCluster(): Promise<void> {
  const name = `cluster_remote_shots_${process.pid}`;
  const spec: ClusterSpec = { redisUrl: bed.redis.url, postgresUrl: await createDatabase(bed.postgres.url, name), keyPrefix: name, leaseS: 3, cameras: ['r-1', 'r-2'].map(camera) };
  a = await startNode(spec, 'a', 1, { config: withTokens(spec, 'a') });
  bed.started.push(a);
  b = await startNode(spec, 'b', 1, { config: withTokens(spec, 'b') });
  bed.started.push(b);
  const run = await waitFor('each node runs a camera', async () => {
    const found = await runners(a.url);
    return found.get('a')?.length === 1 && found.get('b')?.length === 1 ? found : undefined;
  }, 30_000);
  onA = run.get('a')![0]!;
  onB = run.get('b')![0]!;
  // Both cameras live before the take: each logs shots of it, closed (with a thumbnail) at its end.
  await sleep(2000);
  await take(a.url, '/api/takes', { scene: '12', take: '1' });
  await sleep(2500);
  await take(a.url, '/api/takes/end', {});
  await waitFor('closed shots of scene 12 from both cameras, with thumbnails, in the cluster log', async () => {
    const found = await shots(a.url, 'scene=12');
    const done = found.every((s) => s.status === 'closed') && [onA, onB].every((id) => found.some((s) => s.cameraId === id && s.hasThumbnail));
    return done ? true : undefined;
  }, 20_000);
  // Every thumbnail copied (every 250 ms) before the reports are compared with the lists.
  await sleep(1500);
}
let started: Promise<void> | undefined;
const cluster = (): Promise<void> => (started ??= startCluster());

test("the film report covers the cluster's shots on any node, with every node's thumbnails; ?scope=node this node's file", { timeout: 180_000 }, async () => {
  await cluster();
  const everyNode = await shots(a.url, 'scene=12');
  const withThumbnails = everyNode.filter((s) => s.hasThumbnail).length;
  for (const node of [a, b]) {
    const own = await shots(node.url, 'scene=12&scope=node');
    assert.ok(own.length > 0 && own.length < everyNode.length, `node ${node.nodeId}: its own ${own.length} of ${everyNode.length}: the test shows nothing`);
    const all = await report(node.url, 'scene=12');
    assert.equal(all.count, everyNode.length, `node ${node.nodeId}: the report of scene 12 counts the cluster's shots`);
    assert.equal(all.images, withThumbnails, `node ${node.nodeId}: every shot with a thumbnail has its picture, another node's too`);
    const mine = await report(node.url, 'scene=12&scope=node');
    assert.equal(mine.count, own.length, `node ${node.nodeId}: ?scope=node counts its own file`);
  }
  const wrongScope = await httpJson(`${a.url}/api/report?scope=everything`, { token: VIEWER });
  assert.equal(wrongScope.status, 400);
});

test("an edit of another node's shot is passed on to the node that logs it, with the caller's token, and its role is checked first", { timeout: 120_000 }, async () => {
  await cluster();
  const theirs = (await shots(a.url, `scene=12&camera=${onB}`))[0]!;
  assert.ok(theirs, `a shot of b's camera ${onB}`);
  const viewer = await httpJson(`${a.url}/api/shots/${theirs.id}`, { method: 'PATCH', body: { note: 'by a viewer' }, token: VIEWER });
  assert.equal(viewer.status, 403, JSON.stringify(viewer.body));
  const nobody = await httpJson(`${a.url}/api/shots/${theirs.id}`, { method: 'PATCH', body: { note: 'by nobody' } });
  assert.equal(nobody.status, 401, JSON.stringify(nobody.body));

  const edited = await httpJson(`${a.url}/api/shots/${theirs.id}`, { method: 'PATCH', body: { note: 'keeper, from a' }, token: OPERATOR });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.equal((edited.body as ShotRecord).id, theirs.id);
  assert.equal((edited.body as ShotRecord).note, 'keeper, from a');
  // Edited in b's own file, and copied to the cluster's log from there.
  const inB = (await shots(b.url, `scene=12&camera=${onB}&scope=node`)).find((s) => s.id === theirs.id);
  assert.equal(inB?.note, 'keeper, from a');
  await waitFor('the edit copied to the cluster log', async () => ((await shots(a.url, `scene=12&camera=${onB}`)).find((s) => s.id === theirs.id)?.note === 'keeper, from a' ? true : undefined), 5000);
  const none = await httpJson(`${a.url}/api/shots/${3 * 2 ** 36 + 5}`, { method: 'PATCH', body: { note: 'x' }, token: OPERATOR });
  assert.equal(none.status, 404, 'no such shot anywhere');
});

test("a thumbnail asked for on one node the moment another node announces its closed shot is there at once", { timeout: 120_000 }, async () => {
  await cluster();
  const { client } = await connectClient(b.url, { token: VIEWER });
  const answers: { id: number; status: number; bytes: Buffer }[] = [];
  const pending: Promise<void>[] = [];
  client.on('shot', (shot) => {
    if (shot.cameraId !== onA || shot.status !== 'closed' || !shot.hasThumbnail) return;
    pending.push(
      fetch(`${b.url}/api/shots/${shot.id}/thumbnail`, { headers: { authorization: `Bearer ${VIEWER}` } }).then(async (answer) => {
        answers.push({ id: shot.id, status: answer.status, bytes: Buffer.from(await answer.arrayBuffer()) });
      }),
    );
  });
  try {
    // Each take's start and end closes a shot of every camera.
    for (let i = 1; i <= 3; i++) {
      await take(a.url, '/api/takes', { scene: '13', take: String(i) });
      await sleep(1200);
      await take(a.url, '/api/takes/end', {});
      await sleep(600);
    }
    await waitFor('thumbnails of three closed shots of a asked for on b', async () => (pending.length >= 3 ? true : undefined), 20_000);
    await Promise.all(pending);
  } finally {
    client.close();
  }
  for (const answer of answers) {
    assert.equal(answer.status, 200, `shot ${answer.id}: ${answer.bytes.toString('utf8').slice(0, 300)}`);
    assert.deepEqual([...answer.bytes.subarray(0, 2)], [0xff, 0xd8], `shot ${answer.id}: a JPEG`);
    const fromOwner = await fetch(`${a.url}/api/shots/${answer.id}/thumbnail`, { headers: { authorization: `Bearer ${VIEWER}` } });
    assert.deepEqual(answer.bytes, Buffer.from(await fromOwner.arrayBuffer()), `shot ${answer.id}: the same picture as on a`);
  }
  const none = await httpJson(`${b.url}/api/shots/${3 * 2 ** 36 + 5}/thumbnail`, { token: VIEWER });
  assert.equal(none.status, 404, 'no such shot anywhere');
});

test("an edit of a shot whose node is not running cannot be passed on: 409 CLUSTER_ELSEWHERE, saying why", { timeout: 120_000 }, async () => {
  await cluster();
  const theirs = (await shots(a.url, `scene=12&camera=${onB}`))[0]!;
  await stopNode(b);
  await waitFor('a sees b gone', async () => ((await runners(a.url)).has('b') ? undefined : true), 20_000);
  const refused = await httpJson(`${a.url}/api/shots/${theirs.id}`, { method: 'PATCH', body: { note: 'later' }, token: OPERATOR });
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  const error = (refused.body as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'CLUSTER_ELSEWHERE');
  assert.match(error.message, /node "b", which is not running now/);
});

test("the report and coverage of a camera neither the cluster's nor in the cluster's log are CAMERA_NOT_FOUND; one removed whose shots another node logged is not", { timeout: 120_000 }, async () => {
  await cluster();
  for (const route of ['/api/report', '/api/coverage']) {
    const unknown = await httpJson(`${a.url}${route}?camera=nope`, { token: VIEWER });
    assert.equal(unknown.status, 404, `${route}: ${JSON.stringify(unknown.body)}`);
    const error = (unknown.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'CAMERA_NOT_FOUND');
    assert.match(error.message, /"nope" is neither configured nor in the shot log/);
  }
  const logged = (await shots(a.url, `camera=${onB}`)).length;
  assert.ok(logged > 0 && (await shots(a.url, `camera=${onB}&scope=node`)).length === 0, `${onB}'s shots are b's, not in a's own file: the test shows nothing`);
  const removed = await httpJson(`${a.url}/api/cameras/${onB}`, { method: 'DELETE', token: ADMIN });
  assert.equal(removed.status, 204, JSON.stringify(removed.body));
  await waitFor(`${onB} gone from the cluster's cameras`, async () => (((await httpJson(`${a.url}/api/cameras`, { token: VIEWER })).body as { cameraId: string }[]).some((c) => c.cameraId === onB) ? undefined : true), 20_000);
  const coverage = await httpJson(`${a.url}/api/coverage?camera=${onB}`, { token: VIEWER });
  assert.equal(coverage.status, 200, JSON.stringify(coverage.body));
  assert.ok((coverage.body as { stats: { shots: number } }).stats.shots > 0, "counted from the cluster's log");
  assert.equal((await report(a.url, `camera=${onB}`)).count, logged);
});
