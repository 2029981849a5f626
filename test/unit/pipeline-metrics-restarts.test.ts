/**
 * shotscale_ffmpeg_restarts_total against the cameras' own reconnect counts
 * (what the Health view shows): a camera that never comes back stays
 * "restarting" through every attempt, and the counter counted only the first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PipelineMetrics } from '../../server/metrics/pipeline-metrics.js';

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
  assert.equal(await restarts(metrics, 'fine'), null, 'no series for a camera never restarted');
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
