/**
 * /api/health's status and /api/health/ready against a real server: a
 * testsrc camera live and an RTSP camera nobody answers (degraded, ready
 * 200), then the shot log's database really full (failing, ready 503 with
 * the body) while shots close, then room again. And a camera's counters in /metrics at 0 from
 * the first scrape after it is added, every one of them for a camera that never delivers a frame.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { HealthProblem } from '../../server/api/health-status.js';
import { fillUp, lift } from '../support/full-database.js';
import { httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { waitFor } from '../support/wait-for.js';

/** Nothing listens here (the port range of this test). */
const DEAD_RTSP = 'rtsp://127.0.0.1:7451/cam';

interface Health {
  status: string;
  problems: HealthProblem[];
  shotLog: { held: { reason: string; shots: number } | null } | null;
}

let server: RunningServer;

before(async () => {
  server = await startTestServer({
    cameras: [testsrcCamera('bars'), { id: 'far', analysisFps: 5, source: { kind: 'rtsp', url: DEAD_RTSP, timeoutS: 1 } }],
  });
});

after(async () => {
  await server?.close();
});

const health = async (path = '/api/health') => {
  const { status, body } = await httpJson(`${server.url}${path}`);
  return { http: status, body: body as Health };
};

test('one camera of two unreachable: degraded with the camera and its code, still ready; the shot log failing: 503 until it writes again', { timeout: 90_000 }, async () => {
  const degraded = await waitFor(
    'degraded with bars live',
    async () => {
      const h = await health();
      return h.body.status === 'degraded' && h.body.problems.every((p) => p.cameraId === 'far') ? h : undefined;
    },
    20_000,
  );
  assert.equal(degraded.http, 200);
  const far = degraded.body.problems.find((p) => p.code === 'camera-not-live');
  assert.ok(far, JSON.stringify(degraded.body.problems));
  assert.equal(far.level, 'degraded');
  const ready = await httpJson(`${server.url}/api/health/ready`);
  assert.equal(ready.status, 200, 'degraded still serves');
  assert.deepEqual(ready.body, { ready: true }, 'the one word, nothing of cameras or problems');

  // The database full, and the shot on air split (as a slate would): its close, with its thumbnail, fails and is held.
  const db = server.shotLog!.db;
  fillUp(db);
  try {
    const tracker = server.shotLog!.tracker('bars')!;
    const failing = await waitFor(
      'failing',
      async () => {
        tracker.setTake(tracker.currentTake);
        const h = await health();
        return h.body.status === 'failing' ? h : undefined;
      },
      20_000,
    );
    assert.equal(failing.http, 200, '/api/health itself stays 200: the dashboard and scripts read its body');
    assert.ok(failing.body.shotLog?.held, 'shots held');
    const unwritable = failing.body.problems.find((p) => p.code === 'shot-log-unwritable');
    assert.ok(unwritable, JSON.stringify(failing.body.problems));
    assert.equal(unwritable.level, 'failing');
    assert.match(unwritable.message, /SQLITE_FULL/);
    const notReady = await httpJson(`${server.url}/api/health/ready`);
    assert.equal(notReady.status, 503);
    assert.deepEqual(notReady.body, { ready: false });
  } finally {
    lift(db);
  }
  // Room again: the held writes go in at the next retry, and it is ready again.
  await waitFor('ready again', async () => ((await httpJson(`${server.url}/api/health/ready`)).status === 200 ? true : undefined), 20_000);
  assert.equal((await health()).body.status, 'degraded', 'the unreachable camera is still a problem');
});

test("a camera's counters are in /metrics at 0 from the first scrape after it is added", async () => {
  const added = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: testsrcCamera('new-cam') });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const text = (await httpJson(`${server.url}/metrics`)).body as string;
  for (const series of ['shotscale_ffmpeg_restarts_total', 'shotscale_camera_stalls_total']) {
    assert.match(text, new RegExp(`^${series}\\{camera="new-cam"\\} 0$`, 'm'), series);
  }
  assert.match(text, /^shotscale_inference_restarts_total\{model="default"\} 0$/m);
  assert.match(text, /^shotscale_auth_refused_total\{transport="http",reason="wrong"\} 0$/m);
  const removed = await httpJson(`${server.url}/api/cameras/new-cam`, { method: 'DELETE' });
  assert.equal(removed.status, 204);
  assert.doesNotMatch((await httpJson(`${server.url}/metrics`)).body as string, /camera="new-cam"/);
});

/**
 * Every per-camera counter series, each value of its other label, in `text` for `camera`: at 0 where
 * only a frame could move it. Its restarts and stalls need only be there (a source nobody answers
 * restarts from its first try; the test above has them at 0).
 */
function assertEverySeries(text: string, camera: string): void {
  const atZero = [
    ...['shotscale_frames_in_total', 'shotscale_frames_analysed_total'].map((name) => `${name}{camera="${camera}"}`),
    ...['overflow', 'superseded', 'stale', 'throttled'].map((reason) => `shotscale_frames_dropped_total{camera="${camera}",reason="${reason}"}`),
    ...['hard', 'dissolve', 'fade', 'take', 'restart', 'end'].map((cut) => `shotscale_shots_total{camera="${camera}",cut="${cut}"}`),
  ];
  const lines = text.split('\n');
  for (const series of atZero) assert.ok(lines.includes(`${series} 0`), `${series} 0 in /metrics`);
  for (const name of ['shotscale_ffmpeg_restarts_total', 'shotscale_camera_stalls_total']) {
    assert.ok(lines.some((line) => line.startsWith(`${name}{camera="${camera}"} `)), `${name} for ${camera} in /metrics`);
  }
}

test('a camera that never delivers a frame has every counter in /metrics at 0, added over the API or from the config', async () => {
  // Nobody answers: no frame, no shot, no drop ever comes from it, so only the zeroing can show its series.
  const added = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'silent', source: { kind: 'rtsp', url: DEAD_RTSP, timeoutS: 1 } } });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const text = (await httpJson(`${server.url}/metrics`)).body as string;
  assertEverySeries(text, 'silent');
  assertEverySeries(text, 'far');
  const removed = await httpJson(`${server.url}/api/cameras/silent`, { method: 'DELETE' });
  assert.equal(removed.status, 204);
  assert.doesNotMatch((await httpJson(`${server.url}/metrics`)).body as string, /camera="silent"/);
});

test('with tokens, the readiness probe needs none (a balancer often cannot send one), and /api/health still does', async () => {
  const guarded = await startTestServer({ server: { accessToken: 'probe-test-token-0123456789' }, cameras: [testsrcCamera('bars')] });
  try {
    const ready = await httpJson(`${guarded.url}/api/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true });
    assert.equal((await httpJson(`${guarded.url}/api/health`)).status, 401);
  } finally {
    await guarded.close();
  }
});
