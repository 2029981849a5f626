/**
 * A camera edited while live (a new name: a new source, the same camera) goes
 * on logging: its shots after the edit start after the edit, its timecode
 * counts on, and the frames of its earlier source still in inference at the
 * edit neither open a shot in the past nor make the new source's frames be
 * dropped. Real ffmpeg test patterns, the real shot log.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';

let server: RunningServer;

before(async () => {
  server = await startTestServer({ cameras: [testsrcCamera('cam-a')] });
});

after(async () => {
  await server?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function shots(): Promise<ShotRecord[]> {
  return ((await httpJson(`${server.url}/api/shots?camera=cam-a&order=asc`)).body as { shots: ShotRecord[] }).shots;
}

/** Waits until a shot of cam-a is open that began at or after `since` (epoch ms). */
async function openShotSince(since: number): Promise<ShotRecord> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const open = (await shots()).find((s) => s.status === 'open' && s.inTime >= since - 500);
    if (open) return open;
    if (Date.now() > deadline) throw new Error(`no shot of cam-a open since ${new Date(since).toISOString()}: ${JSON.stringify((await shots()).map((s) => [s.status, s.inTime, s.tcIn]))}`);
    await sleep(250);
  }
}

test('edited twice while live, a camera logs on: each edit starts a shot after it, timecode never goes back', { timeout: 90_000 }, async () => {
  const first = await openShotSince(0);
  for (const name of ['Camera A', 'Camera A again']) {
    await sleep(2500);
    const editedAt = Date.now();
    const edited = await httpJson(`${server.url}/api/cameras/cam-a`, { method: 'PATCH', body: { name } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const open = await openShotSince(editedAt);
    assert.ok(open.readouts >= 0 && open.inTime <= Date.now());
  }
  await sleep(1500);
  const all = await shots();
  assert.ok(all.length >= 3, `a shot per source at least: ${all.length}`);
  for (let i = 1; i < all.length; i++) {
    assert.ok(all[i]!.inTime >= all[i - 1]!.inTime, `shot ${i} starts after shot ${i - 1}: ${JSON.stringify(all.map((s) => [s.inTime, s.tcIn, s.cutIn]))}`);
    assert.ok(all[i]!.inFrame >= all[i - 1]!.outFrame - 1, `timecode counts on: ${all.map((s) => `${s.tcIn}-${s.tcOut}`).join(', ')}`);
  }
  assert.equal(all[0]!.id, first.id);
  assert.ok(all.at(-1)!.status === 'open', 'the last source is being logged');
});
