/**
 * WHIP publishers that hold a camera without a picture, and the caps, with a
 * real server and real peers (@roamhq/wrtc over loopback). An offer stripped
 * of its ICE candidates is answered but can never connect: it used to hold
 * its camera for good (every real publisher refused 409). Now it is dropped
 * after supervisor.whip.connectTimeoutS and the camera freed; one that
 * connects but sends no picture is dropped after silentTimeoutS; a camera
 * WHIP made goes once its publisher has left; sessions and made cameras are
 * capped (503 WHIP_CAPACITY).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import wrtc from '@roamhq/wrtc';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { cameraStatus, httpJson, startTestServer } from '../support/server-harness.js';
import { publishWhip } from '../support/whip-publisher.js';
import { collectWrtcGarbage } from '../support/wrtc-cleanup.js';

const { RTCPeerConnection, nonstandard } = wrtc;

const SMALL = { width: 320, height: 240, fps: 15 } as const;

/** A peer with a video track that sends nothing, and its offer (optionally without its candidates). */
async function silentPeer(stripCandidates: boolean): Promise<{ pc: InstanceType<typeof RTCPeerConnection>; offer: string; close: () => void }> {
  const track = new nonstandard.RTCVideoSource().createTrack();
  const pc = new RTCPeerConnection({ iceServers: [] });
  const close = () => {
    track.stop();
    pc.close();
  };
  pc.addTransceiver(track, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    };
    pc.onicegatheringstatechange = done;
    done();
  });
  const sdp = pc.localDescription!.sdp;
  const offer = stripCandidates ? sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate')).join('\r\n') : sdp;
  return { pc, offer, close };
}

async function postOffer(url: string, offer: string): Promise<{ status: number; body: string; location: string | null; retryAfter: string | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
  return { status: response.status, body: await response.text(), location: response.headers.get('location'), retryAfter: response.headers.get('retry-after') };
}

/** Polls until `check` returns a value (not undefined); fails with `what` after `timeoutMs`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const live = (url: string, id: string) => eventually(`${id} live`, async () => ((await cameraStatus(url, id))?.state === 'live' ? true : undefined));

describe('WHIP publishers without a picture are dropped', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({
      supervisor: { whip: { connectTimeoutS: 1.5, silentTimeoutS: 3, removeAfterS: 2 } },
      cameras: [
        { id: 'listed-1', source: { kind: 'webrtc' } },
        { id: 'listed-2', source: { kind: 'webrtc' } },
      ],
    });
  });

  after(async () => {
    await server?.close();
    await collectWrtcGarbage();
  });

  test('an offer without candidates is answered, never said to be connected, dropped after connectTimeoutS; its made camera goes and a real publisher gets the id', async () => {
    const squatter = await silentPeer(true);
    try {
      const answered = await postOffer(`${server.url}/whip/squat1`, squatter.offer);
      assert.equal(answered.status, 201, answered.body);
      const status = (await cameraStatus(server.url, 'squat1'))!;
      assert.equal(status.state, 'waiting');
      assert.ok(status.lastStderr.some((line) => /answered, connecting/.test(line)), status.lastStderr.join('\n'));
      assert.ok(!status.lastStderr.some((line) => /\bconnected \(session/.test(line)), `not connected yet: ${status.lastStderr.join('\n')}`);
      // The publisher that holds the camera has not connected: the refusal says when it is dropped (connectTimeoutS), in words and as a field.
      await assert.rejects(publishWhip(`${server.url}/whip/squat1`, SMALL), (error: Error) => {
        assert.match(error.message, /409/);
        const body = JSON.parse(error.message.slice(error.message.indexOf('{'))) as { error: { code: string; message: string; publisher?: string; droppedAfterS?: number } };
        assert.equal(body.error.code, 'CAMERA_BUSY');
        assert.equal(body.error.publisher, 'connecting');
        assert.equal(typeof body.error.droppedAfterS, 'number');
        assert.match(body.error.message, new RegExp(`still connecting: another device is starting to publish to it\\. If it does not connect within ${body.error.droppedAfterS} s it is dropped; publish again then$`));
        return true;
      });
      // Dropped, and the camera it made (which never showed a picture) removed with it.
      await eventually('squat1 removed', async () => ((await cameraStatus(server.url, 'squat1')) === null ? true : undefined), 10_000);
      const late = await fetch(new URL(answered.location!, server.url), { method: 'DELETE' });
      assert.equal(late.status, 404, 'the session is over');
    } finally {
      squatter.close();
    }
    const publisher = await publishWhip(`${server.url}/whip/squat1`, SMALL);
    try {
      await live(server.url, 'squat1');
      assert.ok((await cameraStatus(server.url, 'squat1'))!.lastStderr.some((line) => /\bconnected \(session \d+\)/.test(line)));
    } finally {
      await publisher.stop();
    }
  });

  test('on a listed camera the same offer is dropped with its reason and the camera waits on for a real publisher', async () => {
    const squatter = await silentPeer(true);
    try {
      assert.equal((await postOffer(`${server.url}/whip/listed-1`, squatter.offer)).status, 201);
      const dropped = await eventually('listed-1 dropped', async () => {
        const status = await cameraStatus(server.url, 'listed-1');
        return status?.lastError && /did not connect within 1\.5 s/.test(status.lastError) ? status : undefined;
      });
      assert.equal(dropped.state, 'waiting');
      assert.equal(dropped.errorCode, 'SOURCE_UNREACHABLE', 'waiting, yet the publisher that failed is coded');
    } finally {
      squatter.close();
    }
    const publisher = await publishWhip(`${server.url}/whip/listed-1`, SMALL);
    try {
      await live(server.url, 'listed-1');
    } finally {
      await publisher.stop();
    }
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await cameraStatus(server.url, 'listed-1'))?.state, 'waiting', 'a listed camera is never removed');
  });

  test('a publisher that connects but sends no picture is dropped after silentTimeoutS', async () => {
    const silent = await silentPeer(false);
    try {
      const answered = await postOffer(`${server.url}/whip/listed-2`, silent.offer);
      assert.equal(answered.status, 201, answered.body);
      await silent.pc.setRemoteDescription({ type: 'answer', sdp: answered.body });
      await eventually('connected', async () => ((await cameraStatus(server.url, 'listed-2'))!.lastStderr.some((line) => /\bconnected \(session/.test(line)) ? true : undefined));
      const gone = await eventually('listed-2 dropped', async () => {
        const status = await cameraStatus(server.url, 'listed-2');
        return status?.state === 'gone' ? status : undefined;
      });
      assert.match(gone.lastError ?? '', /no picture for [34] s/);
      assert.equal(gone.errorCode, 'SOURCE_STALLED');
    } finally {
      silent.close();
    }
    const publisher = await publishWhip(`${server.url}/whip/listed-2`, SMALL);
    await publisher.stop();
  });

  test('a camera WHIP made is removed removeAfterS after its publisher left; its shots stay', async () => {
    const publisher = await publishWhip(`${server.url}/whip/phone-a`, SMALL);
    try {
      await live(server.url, 'phone-a');
    } finally {
      await publisher.stop();
    }
    assert.equal((await cameraStatus(server.url, 'phone-a'))?.state, 'waiting', 'kept a while for the phone to come back');
    await eventually('phone-a removed', async () => ((await cameraStatus(server.url, 'phone-a')) === null ? true : undefined), 10_000);
    const shots = ((await httpJson(`${server.url}/api/shots?camera=phone-a`)).body as { shots: ShotRecord[] }).shots;
    assert.ok(shots.length > 0, 'the shot log keeps its shots');
  });
});

describe('WHIP caps', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({
      supervisor: { whip: { connectTimeoutS: 2, maxSessions: 2, maxCameras: 2, removeAfterS: 60 } },
      cameras: [{ id: 'stage', source: { kind: 'webrtc' } }],
    });
  });

  after(async () => {
    await server?.close();
    await collectWrtcGarbage();
  });

  test('sessions: past maxSessions 503 WHIP_CAPACITY with Retry-After, for listed and new ids alike; free again once the squatters are dropped', async () => {
    const squatters = [await silentPeer(true), await silentPeer(true)];
    try {
      for (const [i, squatter] of squatters.entries()) assert.equal((await postOffer(`${server.url}/whip/sq-${i}`, squatter.offer)).status, 201);
      const third = await silentPeer(true);
      try {
        for (const id of ['stage', 'sq-new']) {
          const refused = await postOffer(`${server.url}/whip/${id}`, third.offer);
          assert.equal(refused.status, 503, refused.body);
          assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'WHIP_CAPACITY');
          assert.match(refused.body, /maxSessions/);
          assert.equal(refused.retryAfter, '2');
        }
      } finally {
        third.close();
      }
      assert.equal(await cameraStatus(server.url, 'sq-new'), null, 'a refused offer makes no camera');
      // A camera with a publisher says so (409), not the cap.
      await assert.rejects(publishWhip(`${server.url}/whip/sq-0`, SMALL), /409[\s\S]*CAMERA_BUSY/);
    } finally {
      for (const squatter of squatters) squatter.close();
    }
    const publisher = await eventually('room again', async () => publishWhip(`${server.url}/whip/stage`, SMALL).catch(() => undefined), 10_000);
    try {
      await live(server.url, 'stage');
      // One squatter dropped is room enough for 'stage'; the other goes within a check of its own timeout.
      await eventually('both squatters\' made cameras removed', async () => ((await cameraStatus(server.url, 'sq-0')) === null && (await cameraStatus(server.url, 'sq-1')) === null ? true : undefined), 10_000);
    } finally {
      await publisher.stop();
    }
  });

  test('made cameras: past maxCameras a new id is refused 503 WHIP_CAPACITY; made and listed ids still publish; a removed one makes room', async () => {
    const first = await publishWhip(`${server.url}/whip/cam-a`, SMALL);
    await live(server.url, 'cam-a');
    await first.stop();
    const second = await publishWhip(`${server.url}/whip/cam-b`, SMALL);
    try {
      await assert.rejects(publishWhip(`${server.url}/whip/cam-c`, SMALL), /503[\s\S]*WHIP_CAPACITY[\s\S]*maxCameras/);
      assert.equal(await cameraStatus(server.url, 'cam-c'), null);
      const again = await publishWhip(`${server.url}/whip/cam-a`, SMALL);
      await again.stop();
      assert.equal((await httpJson(`${server.url}/api/cameras/cam-a`, { method: 'DELETE' })).status, 204);
      const third = await publishWhip(`${server.url}/whip/cam-c`, SMALL);
      await third.stop();
    } finally {
      await second.stop();
    }
  });
});

describe('WHIP caps: when a made camera is due to go', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ supervisor: { whip: { connectTimeoutS: 4, maxSessions: 4, maxCameras: 2, removeAfterS: 300 } } });
  });

  after(async () => {
    await server?.close();
    await collectWrtcGarbage();
  });

  test('past maxCameras, Retry-After says when the first made camera that never showed a picture goes, not removeAfterS', async () => {
    // Offers that never connect: their cameras go connectTimeoutS after their answers. Retry-After said 300 (removeAfterS).
    const squatters = [await silentPeer(true), await silentPeer(true), await silentPeer(true)];
    try {
      for (const [i, squatter] of squatters.slice(0, 2).entries()) assert.equal((await postOffer(`${server.url}/whip/made-${i}`, squatter.offer)).status, 201);
      const refused = await postOffer(`${server.url}/whip/made-2`, squatters[2]!.offer);
      assert.equal(refused.status, 503, refused.body);
      assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'WHIP_CAPACITY');
      assert.match(refused.body, /maxCameras/);
      const retryAfter = Number(refused.retryAfter);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 4, `Retry-After: ${refused.retryAfter}`);
      assert.match(refused.body, new RegExp(`the next is due to go in about ${retryAfter} s`));
      // And it does go then: the same offer is taken once one has.
      await eventually('a made camera removed', async () => ((await cameraStatus(server.url, 'made-0')) === null || (await cameraStatus(server.url, 'made-1')) === null ? true : undefined), (retryAfter + 3) * 1000);
    } finally {
      for (const squatter of squatters) squatter.close();
    }
  });
});
