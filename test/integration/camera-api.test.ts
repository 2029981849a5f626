/**
 * Cameras at runtime over HTTP: add, change, remove one without touching the
 * others; bad cameras (unreachable URL, unknown kind, NDI without libndi)
 * fail alone with a clear reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';

describe('camera API', () => {
  let server: RunningServer;
  let client: TestClient;
  let steadyPid: number | undefined;

  before(async () => {
    server = await startTestServer({ cameras: [testsrcCamera('steady')] });
    client = (await connectClient(server.url)).client;
    await waitForStatus(client, (s) => s.cameraId === 'steady' && s.state === 'live').catch(() => undefined);
    steadyPid = server.cameras.get('steady').pid;
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  const api = (path: string, init?: Parameters<typeof httpJson>[1]) => httpJson(`${server.url}${path}`, init);

  test('add a camera: 201, it goes live and its readouts arrive', async () => {
    const live = waitForStatus(client, (s) => s.cameraId === 'added' && s.state === 'live');
    const res = await api('/api/cameras', { method: 'POST', body: testsrcCamera('added', { name: 'Added camera' }) });
    assert.equal(res.status, 201);
    assert.equal((res.body as CameraStatus).cameraId, 'added');
    assert.equal((res.body as CameraStatus).name, 'Added camera');
    const first = await live;
    assert.ok(first.measuredFps <= 6, `measured fps right after going live is ${first.measuredFps}, not a division by a tiny span`);
    await collectReadouts(client, 3, (r) => r.cameraId === 'added');
    const settled = ((await api('/api/cameras')).body as CameraStatus[]).find((c) => c.cameraId === 'added')!;
    assert.ok(settled.measuredFps > 3 && settled.measuredFps < 7, `measured ${settled.measuredFps} fps for analysisFps 5`);
  });

  test('change a camera: it restarts with the new settings; others untouched', async () => {
    const res = await api('/api/cameras/added', { method: 'PATCH', body: { name: 'Renamed', analysisFps: 2 } });
    assert.equal(res.status, 200);
    assert.equal((res.body as CameraStatus).name, 'Renamed');
    assert.equal((res.body as CameraStatus).analysisFps, 2);
    const detail = (await api('/api/cameras/added')).body as { config: { analysisFps: number; source: { kind: string } } };
    assert.equal(detail.config.analysisFps, 2);
    assert.equal(detail.config.source.kind, 'testsrc');
    await collectReadouts(client, 2, (r) => r.cameraId === 'added');
  });

  test('remove a camera: 204, camera:removed, its readouts stop, others go on', async () => {
    const removed = new Promise<string>((resolve) => client.once('camera:removed', (p) => resolve(p.cameraId)));
    const res = await api('/api/cameras/added', { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.equal(await removed, 'added');
    const list = (await api('/api/cameras')).body as CameraStatus[];
    assert.deepEqual(list.map((c) => c.cameraId), ['steady']);
    let late = 0;
    const count = (r: { cameraId: string }) => (late += r.cameraId === 'added' ? 1 : 0);
    await new Promise((r) => setTimeout(r, 300));
    client.on('readout', count);
    await collectReadouts(client, 5, (r) => r.cameraId === 'steady');
    client.off('readout', count);
    assert.equal(late, 0);
    const metrics = (await api('/metrics')).body as string;
    assert.ok(!metrics.includes('camera="added"'), 'the removed camera has no metric series left');
  });

  test('requests that make no sense get a code and a message', async () => {
    const duplicate = await api('/api/cameras', { method: 'POST', body: testsrcCamera('steady') });
    assert.equal(duplicate.status, 409);
    assert.equal((duplicate.body as { error: { code: string } }).error.code, 'CAMERA_EXISTS');

    const unknownKind = await api('/api/cameras', { method: 'POST', body: { id: 'weird', source: { kind: 'carrier-pigeon' } } });
    assert.equal(unknownKind.status, 400);
    const err = (unknownKind.body as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'CAMERA_INVALID');
    assert.match(err.message, /source\.kind/);
    assert.match(err.message, /rtsp/);

    const unknownKey = await api('/api/cameras', { method: 'POST', body: { ...testsrcCamera('x'), colour: 'red' } });
    assert.equal(unknownKey.status, 400);
    assert.match((unknownKey.body as { error: { message: string } }).error.message, /unknown key "colour"/);

    const missing = await api('/api/cameras/nope', { method: 'PATCH', body: { name: 'x' } });
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error: { code: string } }).error.code, 'CAMERA_NOT_FOUND');

    const idChange = await api('/api/cameras/steady', { method: 'PATCH', body: { id: 'other' } });
    assert.equal(idChange.status, 400);

    const malformed = await api('/api/cameras', { method: 'POST', body: '{"id": "broken",' });
    assert.equal(malformed.status, 400);
    assert.equal((malformed.body as { error: { code: string } }).error.code, 'BAD_REQUEST');

    assert.equal((await api('/api/cameras/nope', { method: 'DELETE' })).status, 404);
  });

  test('an unreachable camera keeps retrying alone; the others keep running', async () => {
    const restarting = waitForStatus(client, (s) => s.cameraId === 'dead' && s.state === 'restarting' && s.reconnects >= 2, 20_000);
    const res = await api('/api/cameras', { method: 'POST', body: { id: 'dead', source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/nothing', timeoutS: 1 } } });
    assert.equal(res.status, 201);
    const status = await restarting;
    // The reason in words, first (a tile cuts a long line): pid and exit code are in the log.
    assert.match(status.lastError ?? '', /^rtsp:\/\/127\.0\.0\.1:9\/nothing: connection (refused|timed out)/);
    assert.equal(status.errorCode, 'SOURCE_UNREACHABLE');
    assert.doesNotMatch(status.lastError ?? '', /pid|exited with code/);
    assert.ok(status.lastStderr.length > 0, 'ffmpeg stderr kept');
    await collectReadouts(client, 5, (r) => r.cameraId === 'steady');
    assert.equal(server.cameras.get('steady').pid, steadyPid, 'the steady camera was never restarted');
    assert.equal((await api('/api/cameras/dead', { method: 'DELETE' })).status, 204);
  });

  test('a source this ffmpeg cannot read fails at once with the reason', async (t) => {
    if (server.ffmpeg.hasNdi) return t.skip('this ffmpeg has NDI');
    const res = await api('/api/cameras', { method: 'POST', body: { id: 'ndi-cam', source: { kind: 'ndi', name: 'STUDIO (OBS)' } } });
    assert.equal(res.status, 201);
    const status = res.body as CameraStatus;
    assert.equal(status.state, 'failed');
    assert.match(status.lastError ?? '', /libndi_newtek/);
    assert.equal(status.errorCode, 'SOURCE_UNSUPPORTED');
    await collectReadouts(client, 3, (r) => r.cameraId === 'steady');
  });

  test('a file camera whose file does not exist is refused when added or pointed there, naming the path', async () => {
    const missing = path.join(tempDir('shotscale-missing-'), 'take3.mp4');
    const added = await api('/api/cameras', { method: 'POST', body: { id: 'replay', source: { kind: 'file', path: missing } } });
    assert.equal(added.status, 400);
    const err = (added.body as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'CAMERA_INVALID');
    assert.equal(err.message, `camera "replay": source.path: ${missing}: no such file`);
    assert.equal((await api('/api/cameras/replay')).status, 404, 'nothing of it is left behind');

    const edited = await api('/api/cameras/steady', { method: 'PATCH', body: { source: { kind: 'file', path: missing } } });
    assert.equal(edited.status, 400);
    assert.equal((edited.body as { error: { code: string } }).error.code, 'CAMERA_INVALID');
    assert.equal(server.cameras.get('steady').camera.source.kind, 'testsrc', 'the camera runs on as it was');
    assert.equal(server.cameras.get('steady').pid, steadyPid);
  });

  test('a test pattern larger than 8K UHD is refused with the limit', async () => {
    const res = await api('/api/cameras', { method: 'POST', body: { id: 'huge', source: { kind: 'testsrc', width: 100000, height: 100000 } } });
    assert.equal(res.status, 400);
    const err = (res.body as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'CAMERA_INVALID');
    assert.match(err.message, /source\.width: at most 7680/);
    assert.match(err.message, /source\.height: at most 4320/);
  });

  test('a disabled camera is listed but not read', async () => {
    const res = await api('/api/cameras', { method: 'POST', body: testsrcCamera('off', { enabled: false }) });
    assert.equal(res.status, 201);
    assert.equal((res.body as CameraStatus).state, 'stopped');
    assert.equal(server.cameras.get('off').pid, undefined);
    const enabled = waitForStatus(client, (s) => s.cameraId === 'off' && s.state === 'live');
    await api('/api/cameras/off', { method: 'PATCH', body: { enabled: true } });
    await enabled;
  });
});
