/**
 * Concurrent edits of one camera in a cluster, on a real redis-server and a
 * real PostgreSQL: admins on two nodes PATCH different fields of the same
 * camera at the same moment, and every field they set lands. A PATCH merges
 * its fields into the camera as PostgreSQL has it at that moment, so one
 * edit never writes back another's stale copy of the record.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { clusterTestBed, createDatabase, startNode, stopNode, type ClusterSpec } from '../support/cluster-nodes.js';
import { httpJson } from '../support/server-harness.js';
import type { CameraConfig } from '../../server/config/schema.js';

const bed = clusterTestBed();
const started = bed.started;

const ID = 'contested';
/**
 * Rounds of simultaneous edits. One round loses an edit only when two
 * requests read the record before either writes it; 25 rounds of four
 * requests make that near certain wherever merges are not atomic.
 */
const ROUNDS = 25;

/** Round `round`'s value of each field, distinct in every round: what the camera must hold after it. */
function roundEdits(round: number): Record<string, Partial<CameraConfig>> {
  const ss = String(round % 60).padStart(2, '0');
  return {
    name: { name: `Round ${round}` },
    analysisFps: { analysisFps: 1 + (round % 10) },
    timecode: { timecode: { start: `01:00:${ss}:00` } },
    source: { source: { kind: 'testsrc', pattern: 'testsrc2', width: 64 + 2 * round, height: 48, fps: 5 } },
  };
}

test('PATCHes of different fields of one camera sent at once through two nodes: every field lands, round after round; refused ones change nothing', { timeout: 180_000 }, async () => {
  const name = `cluster_edits_${process.pid}`;
  // Disabled, so that no node restarts an ffmpeg at every edit: the edits are what is under test.
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: [`{ id: ${ID}, enabled: false, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }`],
  };
  const a = await startNode(spec, 'a', 2);
  started.push(a);
  const b = await startNode(spec, 'b', 2);
  started.push(b);
  try {
    const lost: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const edits = Object.entries(roundEdits(round));
      // Each field through the other node than the one before it, all in flight together.
      const answers = await Promise.all(edits.map(([, body], i) => httpJson(`${(i % 2 ? b : a).url}/api/cameras/${ID}`, { method: 'PATCH', body })));
      answers.forEach((answer, i) => assert.equal(answer.status, 200, `round ${round}, ${edits[i]![0]}: ${JSON.stringify(answer.body)}`));

      // Read back through either node: both read the one record in PostgreSQL.
      const described = await httpJson(`${(round % 2 ? a : b).url}/api/cameras/${ID}`);
      assert.equal(described.status, 200, JSON.stringify(described.body));
      const config = (described.body as { config: CameraConfig }).config;
      for (const [field, body] of edits) {
        const key = field as keyof CameraConfig;
        // Objects compared by value: PostgreSQL (JSONB) gives keys back in its own order.
        if (!isDeepStrictEqual(config[key], body[key])) lost.push(`round ${round}: ${field} is ${JSON.stringify(config[key])}, not ${JSON.stringify(body[key])}`);
      }
      // The fields no request touched stay as they were.
      assert.equal(config.enabled, false, `round ${round}: enabled changed`);
    }
    assert.deepEqual(lost, [], `${lost.length} edits lost over ${ROUNDS} rounds`);

    // Refused edits, several at once on both nodes, change nothing and hold no lock: the edit after them lands.
    const unchanged = ((await httpJson(`${a.url}/api/cameras/${ID}`)).body as { config: CameraConfig }).config;
    const refusals = await Promise.all([
      httpJson(`${a.url}/api/cameras/${ID}`, { method: 'PATCH', body: { analysisFps: 0 } }),
      httpJson(`${b.url}/api/cameras/${ID}`, { method: 'PATCH', body: { id: 'renamed' } }),
      httpJson(`${a.url}/api/cameras/${ID}`, { method: 'PATCH', body: { source: { kind: 'warp' } } }),
      httpJson(`${b.url}/api/cameras/nope`, { method: 'PATCH', body: { name: 'x' } }),
    ]);
    assert.deepEqual(
      refusals.map((r) => [r.status, (r.body as { error: { code: string } }).error.code]),
      [
        [400, 'CAMERA_INVALID'],
        [400, 'CAMERA_INVALID'],
        [400, 'CAMERA_INVALID'],
        [404, 'CAMERA_NOT_FOUND'],
      ],
    );
    assert.deepEqual(((await httpJson(`${b.url}/api/cameras/${ID}`)).body as { config: CameraConfig }).config, unchanged);
    const edited = await httpJson(`${b.url}/api/cameras/${ID}`, { method: 'PATCH', body: { name: 'After the refusals' } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual(((await httpJson(`${a.url}/api/cameras/${ID}`)).body as { config: CameraConfig }).config, { ...unchanged, name: 'After the refusals' });
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});

test('a config camera removed over the API stays removed when a node starts again with that config; adding it over the API brings it back for good', { timeout: 120_000 }, async () => {
  const name = `cluster_removed_${process.pid}`;
  const spec: ClusterSpec = {
    redisUrl: bed.redis.url,
    postgresUrl: await createDatabase(bed.postgres.url, name),
    keyPrefix: name,
    leaseS: 3,
    cameras: ['{ id: kept, enabled: false, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }', '{ id: dropped, enabled: false, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }'],
  };
  const ids = async (node: { url: string }) => ((await httpJson(`${node.url}/api/cameras`)).body as { cameraId: string }[]).map((c) => c.cameraId).sort();
  let a = await startNode(spec, 'a', 2);
  started.push(a);
  assert.deepEqual(await ids(a), ['dropped', 'kept']);
  const removed = await httpJson(`${a.url}/api/cameras/dropped`, { method: 'DELETE' });
  assert.equal(removed.status, 204, JSON.stringify(removed.body));
  await stopNode(a);

  // The same config on a node started again, and on a second node: neither adds it back, and the node says why.
  a = await startNode(spec, 'a', 2);
  started.push(a);
  const b = await startNode(spec, 'b', 2);
  started.push(b);
  try {
    assert.deepEqual(await ids(a), ['kept']);
    assert.deepEqual(await ids(b), ['kept']);
    assert.match(b.stderr(), /removed from the cluster over the API, not added back: dropped/);

    // Added over the API, it is the cluster's again, and a later start keeps it as added.
    const back = await httpJson(`${b.url}/api/cameras`, { method: 'POST', body: { id: 'dropped', name: 'Back again', enabled: false, source: { kind: 'testsrc', width: 64, height: 48, fps: 5 } } });
    assert.equal(back.status, 201, JSON.stringify(back.body));
    await stopNode(a);
    a = await startNode(spec, 'a', 2);
    started.push(a);
    assert.deepEqual(await ids(a), ['dropped', 'kept']);
    assert.equal(((await httpJson(`${a.url}/api/cameras/dropped`)).body as { config: CameraConfig }).config.name, 'Back again');
  } finally {
    await Promise.all([stopNode(a), stopNode(b)]);
  }
});
