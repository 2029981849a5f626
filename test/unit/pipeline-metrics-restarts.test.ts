/**
 * shotscale_ffmpeg_restarts_total against the cameras' own reconnect counts
 * (what the Health view shows): a camera that never comes back stays
 * "restarting" through every attempt, and the counter counted only the first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PipelineMetrics } from '../../server/metrics/pipeline-metrics.js';
import { ALERT_KINDS } from '../../server/shared/shots.js';

async function restarts(metrics: PipelineMetrics, camera: string): Promise<number | null> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`shotscale_ffmpeg_restarts_total{camera="${camera}"} `));
  return line ? Number(line.split(' ').at(-1)) : null;
}

test('every restart of a camera that stays down is counted, as the dashboard counts its reconnects', async () => {
  const metrics = new PipelineMetrics();
  const cameras = [{ cameraId: 'dead', reconnects: 1 }, { cameraId: 'fine', reconnects: 0 }];
  metrics.restartsFrom(() => cameras);
  assert.equal(await restarts(metrics, 'dead'), 1);
  cameras[0]!.reconnects = 7;
  assert.equal(await restarts(metrics, 'dead'), 7);
  // Read twice, counted once.
  assert.equal(await restarts(metrics, 'dead'), 7);
  assert.equal(await restarts(metrics, 'fine'), 0, 'a camera never restarted has its series, at 0');
});

test('a camera started afresh (its count back to 0) goes on counting; a removed one starts over', async () => {
  const metrics = new PipelineMetrics();
  const cameras = [{ cameraId: 'cam', reconnects: 4 }];
  metrics.restartsFrom(() => cameras);
  assert.equal(await restarts(metrics, 'cam'), 4);
  cameras[0]!.reconnects = 2;
  assert.equal(await restarts(metrics, 'cam'), 6, 'a counter never goes down');
  metrics.forgetCamera('cam');
  cameras[0]!.reconnects = 3;
  assert.equal(await restarts(metrics, 'cam'), 3);
});

/** The value of the series `name{labels}` in a scrape, null when it has none. */
async function sample(metrics: PipelineMetrics, series: string): Promise<number | null> {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').at(-1)) : null;
}

test('counters have a sample at 0 before their first event, so increase() > 0 sees the first one', async () => {
  const metrics = new PipelineMetrics();
  const cameras: { cameraId: string; reconnects: number }[] = [];
  metrics.restartsFrom(() => cameras);
  // The auth refusals, every transport and reason, from the start.
  for (const transport of ['http', 'socket']) {
    for (const reason of ['missing', 'wrong', 'blocked', 'forbidden', 'foreign-page']) {
      assert.equal(await sample(metrics, `shotscale_auth_refused_total{transport="${transport}",reason="${reason}"}`), 0, `${transport} ${reason}`);
    }
  }
  // A camera's, every counter and every value of its other label, at the first scrape after it is added.
  const perCamera = [
    'shotscale_ffmpeg_restarts_total{camera="cam-1"}',
    'shotscale_camera_stalls_total{camera="cam-1"}',
    'shotscale_frames_in_total{camera="cam-1"}',
    'shotscale_frames_analysed_total{camera="cam-1"}',
    ...['overflow', 'superseded', 'stale', 'throttled'].map((reason) => `shotscale_frames_dropped_total{camera="cam-1",reason="${reason}"}`),
    ...['hard', 'dissolve', 'fade', 'take', 'restart', 'end'].map((cut) => `shotscale_shots_total{camera="cam-1",cut="${cut}"}`),
  ];
  for (const series of perCamera) assert.equal(await sample(metrics, series), null, `${series} before the camera is added`);
  cameras.push({ cameraId: 'cam-1', reconnects: 0 });
  for (const series of perCamera) assert.equal(await sample(metrics, series), 0, series);
  metrics.stalls.inc({ camera: 'cam-1' });
  metrics.shotsClosed.inc({ camera: 'cam-1', cut: 'hard' });
  assert.equal(await sample(metrics, 'shotscale_camera_stalls_total{camera="cam-1"}'), 1, 'zeroing at a scrape adds nothing');
  assert.equal(await sample(metrics, 'shotscale_shots_total{camera="cam-1",cut="hard"}'), 1, 'zeroing at a scrape adds nothing');
  // Removed: gone from the scrape, as before.
  cameras.pop();
  metrics.forgetCamera('cam-1');
  for (const series of perCamera) assert.equal(await sample(metrics, series), null, `${series} after the camera is removed`);
  // Each model's inference restarts, once it is loaded.
  metrics.modelsLoaded(['default', 'framing']);
  assert.equal(await sample(metrics, 'shotscale_inference_restarts_total{model="default"}'), 0);
  assert.equal(await sample(metrics, 'shotscale_inference_restarts_total{model="framing"}'), 0);
});

test("shotscale_alerts_active's HELP names every kind it exports", async () => {
  const metrics = new PipelineMetrics();
  const text = await metrics.registry.metrics();
  const help = text.split('\n').find((l) => l.startsWith('# HELP shotscale_alerts_active '))!;
  const exported = [...text.matchAll(/^shotscale_alerts_active\{kind="([^"]+)"\}/gm)].map((m) => m[1]!);
  assert.ok(exported.includes('take-interrupted'));
  for (const kind of exported) assert.ok(help.includes(kind), `${kind} in ${help}`);
});

test('shotscale_alerts_active counts the alerts the wall shows at each scrape, every kind present at 0', async () => {
  const metrics = new PipelineMetrics();
  const active = async (kind: string) => {
    const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`shotscale_alerts_active{kind="${kind}"} `));
    return line ? Number(line.split(' ').at(-1)) : null;
  };
  assert.equal(await active('stalled'), 0, 'before anything says which alerts there are');
  // In a cluster the wall's alerts are the cluster's, judged on another node and only heard here: no event of this node's own tells the gauge.
  const shown: { kind: (typeof ALERT_KINDS)[number] }[] = [{ kind: 'stalled' }, { kind: 'stalled' }, { kind: 'take-interrupted' }];
  metrics.alertsFrom(() => shown);
  assert.equal(await active('stalled'), 2);
  assert.equal(await active('take-interrupted'), 1);
  for (const kind of ALERT_KINDS.filter((k) => k !== 'stalled' && k !== 'take-interrupted')) assert.equal(await active(kind), 0, kind);
  shown.splice(0, 2);
  assert.equal(await active('stalled'), 0, 'resolved: back to 0 at the next scrape');
});
