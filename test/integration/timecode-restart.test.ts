/**
 * A camera's frame-count timecode survives the server being killed: a real
 * `shotscale serve` logs a test pattern from 00:00:00:00 (the default start)
 * and is killed with SIGKILL; started again on the same data directory, the
 * camera's new shots count on after its last out point as a free-running
 * camera would (the time the server was down counted), so no timecode of the
 * camera goes back or repeats in its log, and its EDL keeps the camera's own
 * timecode as record time.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { killServeProcess, startServeProcess, writeServeConfig } from '../support/cli.js';
import { parseEdl } from '../support/export-parsers.js';
import { tempDir } from '../support/media.js';
import { httpJson } from '../support/server-harness.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { waitFor } from '../support/wait-for.js';

const FPS = 25;

const shotsOf = async (url: string) => ((await httpJson(`${url}/api/shots?camera=cam-a`)).body as { shots: ShotRecord[] }).shots.filter((s) => s.cameraId === 'cam-a');

test('SIGKILL and a restart on the same data directory: the camera counts on after its last out point, by the time it was down', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const config = writeServeConfig(path.join(dir, 'config.yaml'), path.join(dir, 'data'), [
    `{ id: cam-a, analysisFps: 2, source: { kind: testsrc, pattern: testsrc2, width: 160, height: 120, fps: ${FPS} } }`,
  ]);
  const children: ChildProcess[] = [];
  try {
    const first = await startServeProcess(config);
    children.push(first.child);
    const before = await waitFor('a shot of cam-a a second long', async () => {
      const shots = await shotsOf(first.url);
      return shots.some((s) => s.durationS > 1) ? shots : undefined;
    });
    assert.equal(before[0]!.tcIn, '00:00:00:00', 'the first server counts from the configured start');
    await killServeProcess(first.child);
    const killedAt = Date.now();

    const second = await startServeProcess(config);
    children.push(second.child);
    const all = await waitFor('a shot of cam-a after the restart', async () => {
      const shots = await shotsOf(second.url);
      return shots.some((s) => s.inTime >= killedAt) ? shots : undefined;
    });
    const old = all.filter((s) => s.inTime < killedAt);
    const fresh = all.filter((s) => s.inTime >= killedAt);
    const show = all.map((s) => `${s.tcIn}-${s.tcOut} (${s.cutIn}/${s.cutOut ?? 'open'})`).join(', ');
    assert.ok(old.length >= 1, show);
    const last = old.reduce((a, b) => (b.outFrame > a.outFrame ? b : a));
    const next = fresh[0]!;
    assert.notEqual(next.tcIn, '00:00:00:00', `the count does not start again: ${show}`);
    assert.ok(next.inFrame > last.outFrame, `the new shot's in point ${next.tcIn} is after the old shots' out point ${last.tcOut}: ${show}`);
    // Free-run: the frames between them are the time between them (the server was down some seconds).
    const downFrames = Math.round(((next.inTime - last.outTime) / 1000) * FPS);
    assert.ok(downFrames > FPS, `down more than a second: ${downFrames} frames`);
    assert.ok(Math.abs(next.inFrame - last.outFrame - downFrames) <= 1, `${next.inFrame - last.outFrame} frames of timecode for ${downFrames} frames of wall time: ${show}`);
    // No in point of the camera repeats, and in points never go back.
    assert.equal(new Set(all.map((s) => s.tcIn)).size, all.length, show);
    for (let i = 1; i < all.length; i++) assert.ok(all[i]!.inFrame >= all[i - 1]!.outFrame, show);
    // So the camera's EDL keeps its own timecode as record time, across the restart too, not events laid end to end.
    const edl = parseEdl(await (await fetch(`${second.url}/api/shots?camera=cam-a&format=edl`)).text());
    assert.ok(edl.events.length >= 2, JSON.stringify(edl.events));
    assert.deepEqual(
      edl.events.map((e) => e.recIn),
      edl.events.map((e) => e.srcIn),
      `record time is source time: ${edl.events.map((e) => `${e.srcIn}/${e.recIn}`).join(', ')}`,
    );
  } finally {
    for (const child of children) await killServeProcess(child);
  }
});
