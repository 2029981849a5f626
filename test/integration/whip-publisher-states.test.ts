/**
 * What a WHIP publisher's camera says and refuses, with a real server and
 * real peers (@roamhq/wrtc over loopback): a publisher that connects but
 * sends no picture reads `stalled` (SOURCE_STALLED) after stallTimeoutS, not
 * `waiting` for the whole silentTimeoutS; a publisher that stops on purpose
 * leaves no stale error or alert behind; a new publisher of a `gone` camera
 * shows it `waiting`; a publisher's rename is checked as its first name was;
 * an offer that cannot bring a picture is refused from its text, with the
 * real reason and before any camera is made; a 405 lists only methods that
 * are served; wrong publish tokens block publishing, not the wall.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import wrtc from '@roamhq/wrtc';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Alert } from '../../server/shared/shots.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { cameraStatus, connectClient, httpJson, startTestServer, type TestClient } from '../support/server-harness.js';
import { offeringPeer, publishWhip, type OfferingPeer } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const { RTCPeerConnection } = wrtc;

const SMALL = { width: 320, height: 240, fps: 15 } as const;

/** Sends grey-ish I420 frames at 15 fps for `ms`. */
async function sendFrames(source: OfferingPeer['source'], ms: number): Promise<void> {
  const width = 320;
  const height = 240;
  const data = new Uint8ClampedArray((width * height * 3) / 2).fill(128);
  for (let i = 0; i < width * height; i++) data[i] = (i * 13) & 255;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    source.onFrame({ width, height, data } as unknown as { width: number; height: number; data: Uint8Array });
    await new Promise((r) => setTimeout(r, 66));
  }
}

async function postOffer(url: string, offer: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; location: string | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp', ...headers }, body: offer });
  return { status: response.status, body: await response.text(), location: response.headers.get('location') };
}

/** Polls until `check` returns a value (not undefined); fails with `what` after `timeoutMs`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const inState = (url: string, id: string, state: CameraStatus['state'], timeoutMs?: number) =>
  eventually(`${id} ${state}`, async () => {
    const status = await cameraStatus(url, id);
    return status?.state === state ? status : undefined;
  }, timeoutMs);

const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe('WHIP publisher states', () => {
  let server: RunningServer;
  let client: TestClient;

  before(async () => {
    server = await startTestServer({
      supervisor: { stallTimeoutS: 1, whip: { connectTimeoutS: 5, silentTimeoutS: 5 } },
      coverage: { alerts: { stalledS: 0.5 } },
      cameras: [
        { id: 'stage', source: { kind: 'webrtc' } },
        { id: 'stage-2', source: { kind: 'webrtc' } },
      ],
    });
    client = (await connectClient(server.url)).client;
  });

  after(async () => {
    client?.close();
    await server?.close();
    await collectWrtcGarbage();
  });

  test('a publisher that connects but sends no picture reads stalled (SOURCE_STALLED) after stallTimeoutS; a new publisher of the gone camera shows it waiting', async () => {
    const silent = await offeringPeer();
    let again: OfferingPeer | null = null;
    try {
      const answered = await postOffer(`${server.url}/whip/stage`, silent.offer);
      assert.equal(answered.status, 201, answered.body);
      const connecting = (await cameraStatus(server.url, 'stage'))!;
      assert.equal(connecting.state, 'waiting', 'still connecting');
      await silent.pc.setRemoteDescription({ type: 'answer', sdp: answered.body });
      // stallTimeoutS is 1 s, silentTimeoutS 5 s: it used to read waiting (errorCode null) the whole 5 s.
      const stalled = await inState(server.url, 'stage', 'stalled', 4000);
      assert.equal(stalled.errorCode, 'SOURCE_STALLED');
      assert.match(stalled.lastError ?? '', /connected, but no picture in \d+\.\d s/);
      // It still holds the camera (README: stalled, dropped after silentTimeoutS): another publisher is told so.
      const busy = await postOffer(`${server.url}/whip/stage`, silent.offer);
      assert.equal(busy.status, 409, busy.body);
      assert.equal(errorOf(busy.body).code, 'CAMERA_BUSY');
      const gone = await inState(server.url, 'stage', 'gone', 8000);
      assert.equal(gone.errorCode, 'SOURCE_STALLED');
      // A new publisher takes the gone camera: while it connects the camera waits for it, no longer gone, its failure over.
      again = await offeringPeer();
      const retaken = await postOffer(`${server.url}/whip/stage`, again.offer);
      assert.equal(retaken.status, 201, retaken.body);
      const waiting = (await cameraStatus(server.url, 'stage'))!;
      assert.equal(waiting.state, 'waiting');
      assert.equal(waiting.errorCode, null);
      assert.equal(waiting.lastError, null);
      await fetch(new URL(retaken.location!, server.url), { method: 'DELETE' });
    } finally {
      silent.close();
      again?.close();
    }
  });

  test('Stop (DELETE) after a stall clears SOURCE_STALLED and resolves the stalled alert', async () => {
    const peer = await offeringPeer();
    try {
      const answered = await postOffer(`${server.url}/whip/stage-2`, peer.offer);
      assert.equal(answered.status, 201, answered.body);
      await peer.pc.setRemoteDescription({ type: 'answer', sdp: answered.body });
      const frames = sendFrames(peer.source, 2500);
      await inState(server.url, 'stage-2', 'live');
      await frames;
      const stalled = await inState(server.url, 'stage-2', 'stalled', 4000);
      assert.equal(stalled.errorCode, 'SOURCE_STALLED');
      assert.match(stalled.lastError ?? '', /no frame for/);
      await eventually('the stalled alert', async () => {
        const { active } = (await httpJson(`${server.url}/api/alerts`)).body as { active: Alert[] };
        return active.some((alert) => alert.key === 'stalled:stage-2') ? true : undefined;
      });
      const ended = await fetch(new URL(answered.location!, server.url), { method: 'DELETE' });
      assert.equal(ended.status, 200);
      const after = (await cameraStatus(server.url, 'stage-2'))!;
      assert.equal(after.state, 'waiting');
      assert.equal(after.errorCode, null, 'stopped on purpose: nothing is wrong');
      assert.equal(after.lastError, null);
      await eventually('the stalled alert resolved', async () => {
        const { active } = (await httpJson(`${server.url}/api/alerts`)).body as { active: Alert[] };
        return active.some((alert) => alert.key === 'stalled:stage-2') ? undefined : true;
      }, 3000);
    } finally {
      peer.close();
    }
  });

  test('publishing again to a camera a publisher made checks ?name= as the first publish does, before anything changes', async () => {
    const first = await publishWhip(`${server.url}/whip/made-1?name=${encodeURIComponent('Phone one')}`, SMALL);
    try {
      // One that showed a picture stays a while (removeAfterS) for its phone to come back.
      await inState(server.url, 'made-1', 'live');
    } finally {
      await first.stop();
    }
    const tooLong = 'x'.repeat(600);
    for (const name of [tooLong, 'Cam \u202eevil 2\nline']) {
      await assert.rejects(publishWhip(`${server.url}/whip/made-1?name=${encodeURIComponent(name)}`, SMALL), (error: Error) => {
        assert.match(error.message, /answered 400/);
        const body = errorOf(error.message.slice(error.message.indexOf('{')));
        assert.equal(body.code, 'CAMERA_INVALID');
        assert.match(body.message, /^camera: name: /);
        return true;
      });
      const status = (await cameraStatus(server.url, 'made-1'))!;
      assert.equal(status.name, 'Phone one', 'the name is unchanged');
      assert.equal(status.state, 'waiting', 'and no publisher holds the camera');
    }
    // A name that passes the check still renames it.
    const renamed = await publishWhip(`${server.url}/whip/made-1?name=${encodeURIComponent('Boom cam')}`, SMALL);
    await renamed.stop();
    assert.equal((await cameraStatus(server.url, 'made-1'))!.name, 'Boom cam');
    // An admin's unrelated edit of the camera is not refused for a name a publisher gave it.
    const patched = await httpJson(`${server.url}/api/cameras/made-1`, { method: 'PATCH', body: { analysisFps: 3 } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
  });

  test('an offer that cannot bring a picture is refused at once with the real reason, and no camera is made for it', async () => {
    const peer = await offeringPeer();
    const audioPc = new RTCPeerConnection({ iceServers: [] });
    let audioOffer: string;
    try {
      audioPc.addTransceiver('audio', { direction: 'sendonly' });
      audioOffer = (await audioPc.createOffer()).sdp!;
    } finally {
      audioPc.close();
    }
    const offer = peer.offer;
    peer.close();
    const strip = (prefix: string) => offer.split('\r\n').filter((line) => !line.startsWith(prefix)).join('\r\n');
    const cases: { id: string; body: string; message: RegExp }[] = [
      { id: 'bad-port0', body: offer.replace(/^m=video \d+/m, 'm=video 0'), message: /video turned off \(m=video 0/ },
      { id: 'bad-audio', body: audioOffer, message: /no video \(m=video\) section: it offers audio only/ },
      { id: 'bad-fingerprint', body: strip('a=fingerprint:'), message: /no DTLS fingerprint \(a=fingerprint\)/ },
      { id: 'bad-ufrag', body: strip('a=ice-ufrag:'), message: /no ICE credentials \(a=ice-ufrag\)/ },
      { id: 'bad-garbage', body: 'hello, this is not SDP', message: /not an SDP offer/ },
    ];
    const seen: string[] = [];
    const onStatus = (status: CameraStatus) => seen.push(status.cameraId);
    client.on('camera:status', onStatus);
    try {
      for (const { id, body, message } of cases) {
        const started = Date.now();
        const refused = await postOffer(`${server.url}/whip/${id}`, body);
        assert.equal(refused.status, 400, `${id}: ${refused.body}`);
        const error = errorOf(refused.body);
        assert.equal(error.code, 'BAD_REQUEST', id);
        assert.match(error.message, message, id);
        assert.doesNotMatch(error.message, /decodes VP8/, `${id}: not a codec refusal`);
        // Refused from the text: no 3 s of ICE gathering for an answer that was never going to be.
        assert.ok(Date.now() - started < 1500, `${id}: answered in ${Date.now() - started} ms`);
        assert.equal(await cameraStatus(server.url, id), null, `${id}: no camera left`);
      }
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      client.off('camera:status', onStatus);
    }
    assert.deepEqual(seen.filter((id) => id.startsWith('bad-')), [], 'no tile flashed onto the wall');
  });

  test('a 405 lists only the methods served; a WHIP POST of broken JSON is 415, not a JSON error', async () => {
    for (const method of ['GET', 'PUT']) {
      const response = await fetch(`${server.url}/whip/stage/sessions/nope`, { method, ...(method === 'PUT' ? { headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' } : {}) });
      const body = await response.text();
      assert.equal(response.status, 405, `${method}: ${body}`);
      assert.equal(response.headers.get('allow'), 'DELETE, OPTIONS', method);
      assert.doesNotMatch(body, /PATCH/, `${method}: PATCH is not served`);
    }
    const patch = await fetch(`${server.url}/whip/stage/sessions/nope`, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=candidate' });
    assert.equal(patch.status, 405);
    assert.equal(patch.headers.get('allow'), 'DELETE, OPTIONS');
    const remove = await fetch(`${server.url}/whip/stage`, { method: 'DELETE' });
    assert.equal(remove.status, 405, await remove.text());
    assert.equal(remove.headers.get('allow'), 'POST, OPTIONS');
    const json = await fetch(`${server.url}/whip/stage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sdp": ' });
    const jsonBody = await json.text();
    assert.equal(json.status, 415, jsonBody);
    assert.equal(errorOf(jsonBody).code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(errorOf(jsonBody).message, /Content-Type: application\/sdp/);
  });
});

describe('WHIP with publish tokens only', () => {
  const PUBLISH = 'publishpublish0123';
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ server: { publishTokens: [PUBLISH] } });
  });

  after(async () => {
    await server?.close();
    await collectWrtcGarbage();
  });

  test('wrong publish tokens block publishing from that address, not the API and the wall that need no token', async () => {
    for (let i = 0; i < 10; i++) {
      const refused = await postOffer(`${server.url}/whip/fixed-1`, 'v=0\r\n', { authorization: `Bearer wrong-token-${i}` });
      assert.equal(refused.status, 401, refused.body);
    }
    const blocked = await postOffer(`${server.url}/whip/fixed-1`, 'v=0\r\n', { authorization: `Bearer ${PUBLISH}` });
    assert.equal(blocked.status, 429, 'publishing needs a token: blocked, the right one included');
    assert.equal(errorOf(blocked.body).code, 'TOO_MANY_ATTEMPTS');
    for (const path of ['/api/cameras', '/api/health']) {
      const response = await httpJson(`${server.url}${path}`);
      assert.equal(response.status, 200, `${path}: ${JSON.stringify(response.body)}`);
    }
    const { client } = await connectClient(server.url);
    client.close();
    // A token given there is still checked: blocked too, or the address could go on guessing through the API.
    for (const token of ['another-guess', PUBLISH]) {
      const guessed = await httpJson(`${server.url}/api/cameras`, { token });
      assert.equal(guessed.status, 429, `a token on the API from a blocked address: ${JSON.stringify(guessed.body)}`);
      await assert.rejects(connectClient(server.url, { token }), /TOO_MANY_ATTEMPTS|429|too many/i, 'a Socket.IO handshake with a token from a blocked address');
    }
  });
});
