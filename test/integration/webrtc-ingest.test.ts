/**
 * WebRTC ingest over WHIP with real peers: a Node publisher (@roamhq/wrtc,
 * synthetic frames) publishes to the server over loopback; readouts arrive
 * for the camera, shots are cut on its frames, a resolution change is taken
 * in stride, a second publisher on the same id is refused, DELETE ends the
 * session, a vanished publisher is noticed, and tokens decide who publishes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';
import { publishWhip } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

async function cameraState(url: string, id: string): Promise<CameraStatus> {
  return ((await httpJson(`${url}/api/cameras/${id}`)).body as { status: CameraStatus }).status;
}

describe('WHIP publishers', () => {
  let server: RunningServer;
  let client: TestClient;

  before(async () => {
    server = await startTestServer({ cameras: [testsrcCamera('ffmpeg-cam')] });
    client = (await connectClient(server.url)).client;
  });

  after(async () => {
    client?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  test('a publisher becomes a live camera whose readouts arrive; resolution changes are taken in stride', async () => {
    const publisher = await publishWhip(`${server.url}/whip/phone-1`, { width: 640, height: 360, fps: 25, pattern: 'cuts' });
    try {
      assert.match(publisher.location, /\/whip\/phone-1\/sessions\/[0-9a-f-]{36}$/);
      await waitForStatus(client, (s) => s.cameraId === 'phone-1' && s.state === 'live', 15_000);
      const readouts = await collectReadouts(client, 5, (r) => r.cameraId === 'phone-1', 15_000);
      assert.equal(readouts.length, 5);
      const status = await cameraState(server.url, 'phone-1');
      assert.equal(status.sourceKind, 'webrtc');
      assert.match(status.source, /640x360/);
      publisher.setSize(320, 240);
      await new Promise((r) => setTimeout(r, 1500));
      await collectReadouts(client, 3, (r) => r.cameraId === 'phone-1', 10_000);
      assert.match((await cameraState(server.url, 'phone-1')).source, /320x240/);
      // The publisher cuts between pictures every 2 s: the shot log has cut it into shots.
      await new Promise((r) => setTimeout(r, 2500));
      const shots = ((await httpJson(`${server.url}/api/shots?camera=phone-1`)).body as { shots: ShotRecord[] }).shots;
      assert.ok(shots.some((s) => s.cutIn === 'hard'), `hard cuts in ${JSON.stringify(shots.map((s) => s.cutIn))}`);
    } finally {
      await publisher.stop();
    }
    await waitForStatus(client, (s) => s.cameraId === 'phone-1' && s.state === 'waiting', 10_000);
    const shots = ((await httpJson(`${server.url}/api/shots?camera=phone-1`)).body as { shots: ShotRecord[] }).shots;
    assert.ok(shots.every((s) => s.status === 'closed'), 'ending the session closes its shot');
    assert.equal(shots.at(-1)!.cutOut, 'restart');
  });

  test('a second publisher on the same camera is refused; after DELETE the id is free again', async () => {
    const first = await publishWhip(`${server.url}/whip/phone-2`, { width: 320, height: 240, fps: 15 });
    try {
      await assert.rejects(publishWhip(`${server.url}/whip/phone-2`, { width: 320, height: 240, fps: 15 }), /409[\s\S]*CAMERA_BUSY/);
      await waitForStatus(client, (s) => s.cameraId === 'phone-2' && s.state === 'live', 15_000);
    } finally {
      await first.stop();
    }
    const second = await publishWhip(`${server.url}/whip/phone-2`, { width: 320, height: 240, fps: 15 });
    await second.stop();
  });

  test('a publisher that vanishes without DELETE is noticed: the camera is gone, and can be published again', async () => {
    const publisher = await publishWhip(`${server.url}/whip/phone-3`, { width: 320, height: 240, fps: 15 });
    await waitForStatus(client, (s) => s.cameraId === 'phone-3' && s.state === 'live', 15_000);
    publisher.drop();
    const gone = await waitForStatus(client, (s) => s.cameraId === 'phone-3' && (s.state === 'gone' || s.state === 'stalled'), 20_000);
    if (gone.state === 'stalled') await waitForStatus(client, (s) => s.cameraId === 'phone-3' && s.state === 'gone', 40_000);
    const again = await publishWhip(`${server.url}/whip/phone-3`, { width: 320, height: 240, fps: 15 });
    await waitForStatus(client, (s) => s.cameraId === 'phone-3' && s.state === 'live', 15_000);
    await again.stop();
  });

  test('bad requests: an ffmpeg camera, a non-SDP body, an unknown session, trickle ICE', async () => {
    await assert.rejects(publishWhip(`${server.url}/whip/ffmpeg-cam`, { width: 320, height: 240, fps: 15 }), /409[\s\S]*testsrc camera/);
    const notSdp = await fetch(`${server.url}/whip/phone-9`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(notSdp.status, 415);
    const noVideo = await fetch(`${server.url}/whip/phone-9`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
    assert.equal(noVideo.status, 400);
    assert.match(await noVideo.text(), /no video/);
    const unknown = await fetch(`${server.url}/whip/phone-9/sessions/nope`, { method: 'DELETE' });
    assert.equal(unknown.status, 404);
    const trickle = await fetch(`${server.url}/whip/phone-9/sessions/nope`, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=candidate' });
    assert.equal(trickle.status, 405);
  });
});

describe('WHIP with tokens', () => {
  const ACCESS = 'access-token-0123456789';
  const PUBLISH = 'publish-token-0123456789';
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ server: { accessToken: ACCESS, publishTokens: [PUBLISH] } });
  });

  after(async () => {
    await server?.close();
    await collectWrtcGarbage();
  });

  test('publishing needs the access token or a publish token; a publish token opens nothing else', async () => {
    await assert.rejects(publishWhip(`${server.url}/whip/obs`, { width: 320, height: 240, fps: 15 }), /401/);
    await assert.rejects(publishWhip(`${server.url}/whip/obs`, { width: 320, height: 240, fps: 15, token: 'wrong-token-0123456789' }), /401/);
    const withPublish = await publishWhip(`${server.url}/whip/obs`, { width: 320, height: 240, fps: 15, token: PUBLISH });
    await withPublish.stop();
    const withAccess = await publishWhip(`${server.url}/whip/obs`, { width: 320, height: 240, fps: 15, token: ACCESS });
    await withAccess.stop();
    assert.equal((await httpJson(`${server.url}/api/cameras`, { token: PUBLISH })).status, 403, 'a publish token is not an API token');
    assert.equal((await httpJson(`${server.url}/api/cameras`, { token: ACCESS })).status, 200);
  });
});
