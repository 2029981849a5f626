/**
 * Two admin actions on one camera id at once, against a real server (real
 * ffmpeg test patterns): changes of a camera wait for each other, and the
 * camera stays listed while it is edited. So a POST of the id while a PATCH
 * restarts it is refused 409 CAMERA_EXISTS (no second ffmpeg feeding its
 * tile), and a DELETE during a PATCH waits for it, then removes the new
 * camera: 204, nothing of it left running. PATCHes of different fields at
 * once each apply to the camera the one before left, so none is lost (the
 * cluster's counterpart: cluster-camera-edits.test.ts).
 *
 * Each source's size is a marker: the ffmpeg children of this process (the
 * server runs in it) whose command line has it are that source's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraSource } from '../../server/ingest/camera-source.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { connectClient, httpJson, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';

const ID = 'race';
/** A test pattern whose size (`WxH`) no other camera of this test uses. */
const pattern = (size: string) => {
  const [width, height] = size.split('x').map(Number);
  return { kind: 'testsrc', pattern: 'testsrc2', width, height, fps: 5 };
};
const MARKERS = ['96x66', '112x66', '128x66', '144x66', '160x66'];
type ErrorBody = { error: { code: string; message: string } };

/** Pids of this process's ffmpeg children reading a test pattern of `size`. */
function ffmpegsOf(size: string): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when no process matches
  }
  return out
    .split('\n')
    .filter((line) => line.includes('ffmpeg') && line.includes(`=size=${size}:`))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('concurrent changes of one camera', () => {
  let server: RunningServer;
  let client: TestClient;
  const removedEvents: string[] = [];

  before(async () => {
    server = await startTestServer({ cameras: [] });
    client = (await connectClient(server.url)).client;
    client.on('camera:removed', (payload) => removedEvents.push(payload.cameraId));
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  const api = (p: string, init?: Parameters<typeof httpJson>[1]) => httpJson(`${server.url}${p}`, init);

  /** Adds camera `race` reading the `size` pattern; resolves once it is live. */
  async function addRace(size: string): Promise<void> {
    const live = waitForStatus(client, (s) => s.cameraId === ID && s.state === 'live');
    const res = await api('/api/cameras', { method: 'POST', body: { id: ID, analysisFps: 2, source: pattern(size) } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await live;
    assert.equal(ffmpegsOf(size).length, 1, `one ffmpeg reads ${size}`);
  }

  /**
   * With `widen`, the running camera's stop takes 400 ms longer, and the
   * resolved promise says when it began: the second request then surely
   * arrives while the edit restarts the camera.
   */
  function slowStop(widen: boolean): Promise<void> {
    if (!widen) return sleep(30).then(() => undefined);
    const source = server.cameras.get(ID) as CameraSource & { stop: () => Promise<void> };
    const stop = source.stop.bind(source);
    return new Promise((began) => {
      source.stop = async () => {
        began();
        await sleep(400);
        await stop();
      };
    });
  }

  const ids = async () => ((await api('/api/cameras')).body as CameraStatus[]).map((c) => c.cameraId);

  for (const widen of [true, false]) {
    const when = widen ? 'while the edit stops the camera' : '30 ms after the PATCH';
    test(`PATCH, and POST of the same id ${when}: 409 CAMERA_EXISTS, one camera, one ffmpeg (the edited one)`, async () => {
      const [first, edited, posted] = widen ? MARKERS.slice(0, 3) : MARKERS.slice(2, 5);
      await addRace(first!);
      const stopping = slowStop(widen);
      const patch = api(`/api/cameras/${ID}`, { method: 'PATCH', body: { source: pattern(edited!) } });
      await stopping;
      if (widen) assert.equal((await api(`/api/cameras/${ID}`)).status, 200, 'the camera is listed while it is edited');
      const post = await api('/api/cameras', { method: 'POST', body: { id: ID, analysisFps: 2, source: pattern(posted!) } });
      assert.equal(post.status, 409, JSON.stringify(post.body));
      assert.equal((post.body as ErrorBody).error.code, 'CAMERA_EXISTS');
      assert.equal((post.body as ErrorBody).error.message, `camera "${ID}" already exists`);
      const patched = await patch;
      assert.equal(patched.status, 200, JSON.stringify(patched.body));

      assert.deepEqual((await ids()).filter((id) => id === ID), [ID]);
      const detail = (await api(`/api/cameras/${ID}`)).body as { config: { source: { width: number } } };
      assert.equal(detail.config.source.width, Number(edited!.split('x')[0]));
      assert.equal(ffmpegsOf(first!).length, 0, 'the ffmpeg from before the edit is gone');
      assert.equal(ffmpegsOf(posted!).length, 0, 'the refused POST started an ffmpeg');
      assert.deepEqual(ffmpegsOf(edited!), [server.cameras.get(ID).pid].filter((pid) => pid !== undefined), 'one ffmpeg, the camera\'s own');

      const res = await api(`/api/cameras/${ID}`, { method: 'DELETE' });
      assert.equal(res.status, 204, JSON.stringify(res.body));
      for (const size of [first!, edited!, posted!]) assert.deepEqual(ffmpegsOf(size), [], `an ffmpeg reading ${size} runs on after DELETE`);
    });

    test(`PATCH, and DELETE ${when}: the DELETE waits, then removes the edited camera; no ffmpeg of it remains`, async () => {
      const [first, edited] = widen ? MARKERS.slice(0, 2) : MARKERS.slice(2, 4);
      await addRace(first!);
      removedEvents.length = 0;
      const stopping = slowStop(widen);
      const patch = api(`/api/cameras/${ID}`, { method: 'PATCH', body: { source: pattern(edited!) } });
      await stopping;
      const del = api(`/api/cameras/${ID}`, { method: 'DELETE' });
      const [patched, deleted] = await Promise.all([patch, del]);
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal((patched.body as { source: string }).source, `testsrc2 ${edited}@5`);
      assert.equal(deleted.status, 204, JSON.stringify(deleted.body));

      assert.equal((await api(`/api/cameras/${ID}`)).status, 404);
      assert.ok(!(await ids()).includes(ID), 'the camera is still listed');
      assert.equal(server.cameras.has(ID), false);
      for (const size of [first!, edited!]) assert.deepEqual(ffmpegsOf(size), [], `an ffmpeg reading ${size} runs on after DELETE`);
      // Nothing starts it again a moment later either.
      await sleep(500);
      for (const size of [first!, edited!]) assert.deepEqual(ffmpegsOf(size), [], `an ffmpeg reading ${size} started after DELETE`);
      assert.deepEqual(removedEvents, [ID], 'camera:removed once');
    });
  }

  test('PATCHes of different fields of one camera at once: each applies to the camera as the one before left it, so every field lands', async () => {
    // Disabled: no ffmpeg restarts at every edit; the merge is what is under test.
    const res = await api('/api/cameras', { method: 'POST', body: { id: 'fields', enabled: false, source: pattern('64x48') } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    for (let round = 1; round <= 5; round += 1) {
      const edits = [{ name: `Round ${round}` }, { analysisFps: round }, { timecode: { start: `01:00:0${round}:00` } }, { source: pattern(`${64 + 2 * round}x48`) }];
      const answers = await Promise.all(edits.map((body) => api('/api/cameras/fields', { method: 'PATCH', body })));
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { config } = (await api('/api/cameras/fields')).body as { config: Record<string, unknown> };
      assert.deepEqual({ name: config.name, analysisFps: config.analysisFps, timecode: config.timecode, source: config.source, enabled: config.enabled }, { ...Object.assign({}, ...edits), enabled: false }, `round ${round}`);
    }
    assert.equal((await api('/api/cameras/fields', { method: 'DELETE' })).status, 204);
  });
});
