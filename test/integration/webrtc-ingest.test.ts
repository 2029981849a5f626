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
import { createLogger } from '../../server/shared/logger.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, waitForStatus, type TestClient } from '../support/server-harness.js';
import wrtc from '@roamhq/wrtc';
import { publishWhip } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

async function cameraState(url: string, id: string): Promise<CameraStatus> {
  return ((await httpJson(`${url}/api/cameras/${id}`)).body as { status: CameraStatus }).status;
}

/**
 * A real offer (its ICE and DTLS lines) whose video offers H.264 alone, as OBS's
 * default WHIP output does: @roamhq/wrtc makes no H.264 offer itself, so its
 * codec lines are swapped for H.264's.
 */
async function h264OnlyOffer(): Promise<string> {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  try {
    const source = new wrtc.nonstandard.RTCVideoSource();
    const track = source.createTrack();
    pc.addTransceiver(track, { direction: 'sendonly' });
    const offer = await pc.createOffer();
    track.stop();
    const lines = offer.sdp!.split('\r\n');
    const out: string[] = [];
    let video = false;
    for (const line of lines) {
      if (line.startsWith('m=')) video = line.startsWith('m=video ');
      if (video && line.startsWith('m=video ')) {
        out.push(line.replace(/^(m=video \d+ \S+) .*$/, '$1 102'));
        out.push('a=rtpmap:102 H264/90000', 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f');
        continue;
      }
      if (video && /^a=(rtpmap|fmtp|rtcp-fb):/.test(line)) continue;
      out.push(line);
    }
    return out.join('\r\n');
  } finally {
    pc.close();
  }
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
      // Told in words for the person at the device (it read "end it first (DELETE its session)"), and by a field for a client.
      const refused = await publishWhip(`${server.url}/whip/phone-2`, { width: 320, height: 240, fps: 15 }).then(
        async (second) => {
          await second.stop();
          return assert.fail('a second publisher was let in');
        },
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const body = JSON.parse(refused.slice(refused.indexOf('{'))) as { error: { code: string; message: string; publisher?: string } };
      assert.equal(body.error.code, 'CAMERA_BUSY');
      assert.equal(body.error.publisher, 'connected');
      assert.match(body.error.message, /^camera "phone-2" already has a publisher: another device \(a phone, a browser tab or an encoder\) is publishing to it\. Stop it there first/);
      assert.doesNotMatch(body.error.message, /DELETE|session/);
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
    // A form (what an HTML form posts) gets the route's own words, not the framework's.
    const form = await fetch(`${server.url}/whip/phone-9`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    assert.equal(form.status, 415);
    assert.match(await form.text(), /"code":"UNSUPPORTED_MEDIA_TYPE".*Content-Type: application\/sdp/);
    assert.ok(!server.cameras.has('phone-9'), 'no camera made by refused requests');
  });

  test('RFC 9725: OPTIONS says the endpoint takes SDP; GET, HEAD and PUT are 405 with Allow', async () => {
    const options = await fetch(`${server.url}/whip/phone-9`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('accept-post'), 'application/sdp');
    for (const method of ['GET', 'HEAD', 'PUT']) {
      const response = await fetch(`${server.url}/whip/phone-9`, { method, ...(method === 'PUT' ? { headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' } : {}) });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'POST, OPTIONS', method);
    }
    assert.ok(!server.cameras.has('phone-9'));
  });

  test('an offer whose video is H.264 only is refused WHIP_CODEC, naming the codecs; no camera is left waiting', async () => {
    const offer = await h264OnlyOffer();
    const seen: string[] = [];
    const onStatus = (status: CameraStatus) => seen.push(status.cameraId);
    client.on('camera:status', onStatus);
    const response = await fetch(`${server.url}/whip/obs-h264`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(body.error.code, 'WHIP_CODEC');
    assert.match(body.error.message, /H264 only/);
    assert.match(body.error.message, /decodes VP8, VP9, AV1/);
    assert.match(body.error.message, /AV1/);
    assert.ok(!server.cameras.has('obs-h264'), 'no camera is left for the refused offer');
    await new Promise((r) => setTimeout(r, 200));
    client.off('camera:status', onStatus);
    assert.ok(!seen.includes('obs-h264'), 'nor was one made (a tile flashing onto the wall)');
    // A camera that exists is not held by the refused offer: a real publisher takes it at once.
    assert.equal((await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'phone-6', source: { kind: 'webrtc' } } })).status, 201);
    const again = await fetch(`${server.url}/whip/phone-6`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    assert.equal(again.status, 400);
    assert.equal((await cameraState(server.url, 'phone-6')).state, 'waiting');
    const next = await publishWhip(`${server.url}/whip/phone-6`, { width: 320, height: 240, fps: 15 });
    await next.stop();
  });

  test('?name= renames a camera a publisher made when one publishes to it again; a listed camera keeps its name', async () => {
    const first = await publishWhip(`${server.url}/whip/phone-7?name=${encodeURIComponent('Phone seven')}`, { width: 320, height: 240, fps: 15 });
    await waitForStatus(client, (s) => s.cameraId === 'phone-7' && s.state === 'live', 15_000);
    assert.equal((await cameraState(server.url, 'phone-7')).name, 'Phone seven');
    await first.stop();
    const second = await publishWhip(`${server.url}/whip/phone-7?name=${encodeURIComponent('Boom cam')}`, { width: 320, height: 240, fps: 15 });
    try {
      await waitForStatus(client, (s) => s.cameraId === 'phone-7' && s.name === 'Boom cam', 10_000);
      assert.equal((await cameraState(server.url, 'phone-7')).name, 'Boom cam');
    } finally {
      await second.stop();
    }
    await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'listed-cam', name: 'Listed', source: { kind: 'webrtc' } } });
    const listed = await publishWhip(`${server.url}/whip/listed-cam?name=Other`, { width: 320, height: 240, fps: 15 });
    await listed.stop();
    assert.equal((await cameraState(server.url, 'listed-cam')).name, 'Listed');
  });
});

describe('WHIP with tokens', () => {
  const ACCESS = 'access-token-0123456789';
  const PUBLISH = 'publish-token-0123456789';
  let server: RunningServer;
  const logged: string[] = [];

  before(async () => {
    server = await startTestServer({ server: { accessToken: ACCESS, publishTokens: [PUBLISH] } }, createLogger('test', 'info', (line) => logged.push(line)));
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

  test('the log has one line per session start and end (camera, session, peer, why), never a token or SDP', async () => {
    const publisher = await publishWhip(`${server.url}/whip/logged-cam`, { width: 320, height: 240, fps: 15, token: PUBLISH });
    const session = publisher.location.split('/').at(-1)!.slice(0, 8);
    await publisher.stop();
    const lines = logged.filter((line) => line.includes(`WHIP session ${session}`));
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /INFO .*camera:logged-cam\] WHIP session [0-9a-f]{8} started from \S*127\.0\.0\.1/);
    assert.match(lines[1]!, /INFO .*camera:logged-cam\] WHIP session [0-9a-f]{8} from \S*127\.0\.0\.1 ended after \d+ s: the publisher ended it \(DELETE\)/);
    for (const line of logged) {
      assert.ok(!line.includes(PUBLISH) && !line.includes(ACCESS), `a token in the log: ${line}`);
      assert.ok(!/a=fingerprint|a=ice-pwd|v=0/.test(line), `SDP in the log: ${line}`);
    }
  });
});
