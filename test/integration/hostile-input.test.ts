/**
 * What an attacker or a broken client once got through, kept closed: camera
 * options that made ffmpeg write files, secrets sent to a new host, Socket.IO
 * frames and HTTP bodies that crashed the server or answered 500, WHIP offers
 * that left cameras behind, and a port in use.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { REQUEST_CHECK_MS, REQUEST_TIMEOUT_MS } from '../../server/api/http-app.js';
import { isShotscaleError } from '../../server/errors.js';
import type { SubscribeAck, TakeAck } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { connectClient, httpJson, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { errorCode, rawRequest } from '../support/raw-http.js';

let server: RunningServer;

before(async () => {
  server = await startTestServer({ cameras: [testsrcCamera('cam-a')] });
});

after(async () => {
  await server?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function alive(): Promise<void> {
  assert.equal((await httpJson(`${server.url}/api/health`)).status, 200, 'the server still answers');
}

describe('camera sources', () => {
  test('input options that add inputs or outputs are refused; ffmpeg never runs them', async () => {
    const target = path.join(tempDir('shotscale-injection-'), 'x.png');
    const res = await httpJson(`${server.url}/api/cameras`, {
      method: 'POST',
      body: { id: 'inject', source: { kind: 'url', url: 'udp://127.0.0.1:1', inputOptions: ['-f', 'lavfi', '-i', 'color=red', '-frames:v', '1', '-y', target] } },
    });
    assert.equal(res.status, 400);
    assert.equal(errorCode(JSON.stringify(res.body)), 'CAMERA_INVALID');
    assert.match(JSON.stringify(res.body), /inputOptions\[1\]/);
    await sleep(1500);
    assert.equal(existsSync(target), false, 'no file was written');
    assert.equal(server.cameras.has('inject'), false);
    const file = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'local', source: { kind: 'url', url: 'file:/etc/passwd' } } });
    assert.equal(file.status, 400);
  });

  test('secrets are restored for the same host only; another host gets nothing, not even a connection', async () => {
    const seen = { same: '', other: '' };
    const listeners = await Promise.all(
      (['same', 'other'] as const).map(
        (which) =>
          new Promise<net.Server>((resolve) => {
            const listener = net.createServer((socket) => {
              socket.on('data', (data) => {
                seen[which] += data.toString('latin1');
                socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
              });
            });
            listener.listen(0, '127.0.0.1', () => resolve(listener));
          }),
      ),
    );
    const [same, other] = listeners.map((l) => (l.address() as net.AddressInfo).port);
    try {
      const basic = Buffer.from('cam:hunter2').toString('base64');
      const created = await httpJson(`${server.url}/api/cameras`, {
        method: 'POST',
        body: { id: 'http-cam', source: { kind: 'url', url: `http://cam:hunter2@127.0.0.1:${same}/live`, inputOptions: ['-auth_type', 'basic', '-headers', 'X-Api-Key: k-secret\r\n'] } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const detail = (await httpJson(`${server.url}/api/cameras/http-cam`)).body as { config: { source: { url: string; inputOptions: string[] } } };
      assert.ok(!JSON.stringify(detail).includes('hunter2') && !JSON.stringify(detail).includes('k-secret'), JSON.stringify(detail));

      const moved = await httpJson(`${server.url}/api/cameras/http-cam`, { method: 'PATCH', body: { source: { ...detail.config.source, url: detail.config.source.url.replace(String(same), String(other)) } } });
      assert.equal(moved.status, 400, JSON.stringify(moved.body));
      assert.equal(errorCode(JSON.stringify(moved.body)), 'CAMERA_INVALID');

      const kept = await httpJson(`${server.url}/api/cameras/http-cam`, { method: 'PATCH', body: { source: detail.config.source } });
      assert.equal(kept.status, 200, JSON.stringify(kept.body));
      const deadline = Date.now() + 15_000;
      while (!seen.same.includes(basic) && Date.now() < deadline) await sleep(200);
      assert.ok(seen.same.includes(`Authorization: Basic ${basic}`), 'the same host still gets the stored password');
      assert.ok(seen.same.includes('X-Api-Key: k-secret'), 'and the stored header');
      assert.equal(seen.other, '', 'the other host saw nothing');
    } finally {
      if (server.cameras.has('http-cam')) await server.cameras.remove('http-cam');
      for (const l of listeners) l.close();
    }
  });
});

describe('Socket.IO frames', () => {
  test('deeply nested and mistyped payloads are answered or ignored; the server stays up and stores nothing', async () => {
    const { client } = await connectClient(server.url);
    try {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      // Raw socket.io packets (2 = EVENT), as a hostile client would send them.
      client.io.engine.send(`2["subscribe",${deep}]`);
      client.io.engine.send(`2["preview:subscribe",${deep}]`);
      client.io.engine.send(`2["take:start",${deep}]`);
      client.io.engine.send(`2["take:end",${deep}]`);
      await sleep(300);
      await alive();
      const ask = (payload: unknown) => new Promise<TakeAck>((resolve) => client.emit('take:start', payload as never, resolve));
      for (const payload of [{ scene: '1', cameras: 'abc' }, { scene: {} }, { scene: 'x'.repeat(60_000) }, { scene: '1', extra: true }, null, 'scene 1', [], { scene: '1', cameras: [{}] }]) {
        const ack = await ask(payload);
        assert.ok(!ack.ok && ack.error.code === 'BAD_REQUEST', `${JSON.stringify(payload).slice(0, 60)}: ${JSON.stringify(ack).slice(0, 200)}`);
        assert.ok(ack.error.message.length < 700, 'the answer is short whatever was sent');
      }
      const subscribed = await new Promise<SubscribeAck>((resolve) => client.emit('subscribe', 'abc' as never, resolve));
      assert.ok(!subscribed.ok && subscribed.error.code === 'BAD_REQUEST', JSON.stringify(subscribed));
      assert.equal(subscribed.subscribed, null, 'a malformed subscribe leaves the subscription in force (all)');
      assert.deepEqual(server.shotLog!.takeStore.list(), [], 'no take was stored');
    } finally {
      client.close();
    }
    await alive();
  });

  test('a frame over the size limit closes that client only', async () => {
    const { client } = await connectClient(server.url);
    const closed = new Promise<string>((resolve) => client.on('disconnect', (reason) => resolve(reason)));
    client.emit('take:start', { scene: 'x'.repeat(200_000) });
    assert.ok(await closed);
    await alive();
  });
});

describe('HTTP requests', () => {
  const send = (method: string, target: string, body?: string, type = 'application/json') => rawRequest(server.url, method, target, body === undefined ? {} : { body, headers: { 'content-type': type } });

  test('repeated query keys, huge numbers, deep and broken JSON answer 4xx with a code, never 500', async () => {
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const cases: [string, string, string | undefined, number, string][] = [
      ['GET', '/api/shots?camera=a&camera=b', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots?take=1&take=2', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/coverage?scene=1&scene=2', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots?limit=1e20', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots?limit=99999999999999999999', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots?offset=-1', undefined, 400, 'BAD_REQUEST'],
      // Times are epoch ms or ISO 8601 days of the calendar, not whatever Date.parse makes of a string.
      ['GET', '/api/shots?from=-5', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots?from=Tuesday%2012', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots?to=2026-02-30', undefined, 400, 'BAD_REQUEST'],
      // A window the wrong way round is refused, not answered with an empty export that passes for "no shots".
      ['GET', '/api/shots?format=edl&from=2026-12-07T07:50:10Z&to=2026-12-07T07:50:00Z', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/report?from=1796629239924&to=1796629239000', undefined, 400, 'BAD_REQUEST'],
      // A filter a route does not read is refused, not ignored (the whole log would come back).
      ['GET', '/api/shots?format=csv&camera%5B0%5D=a', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots?Scene=1', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/alerts?history=1&scene=2', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/coverage?format=csv', undefined, 400, 'BAD_REQUEST'],
      ['GET', '/api/shots/1e3', undefined, 400, 'BAD_REQUEST'],
      ['POST', '/api/cameras', deep, 400, 'BAD_REQUEST'],
      ['PATCH', '/api/cameras/cam-a', deep, 400, 'BAD_REQUEST'],
      ['PUT', '/api/plans/1', deep, 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', '[' + deep + ']', 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', '{"scene":', 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', '{"__proto__":{"x":1},"scene":"1"}', 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', JSON.stringify({ scene: 'x'.repeat(300_000) }), 413, 'BODY_TOO_LARGE'],
      ['PATCH', '/api/shots/1', JSON.stringify({ note: 'n'.repeat(200_000) }), 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', JSON.stringify({ scene: {} }), 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', JSON.stringify({ scene: '1', cameras: 'abc' }), 400, 'BAD_REQUEST'],
      ['PATCH', '/api/cameras/cam-a', '[]', 400, 'BAD_REQUEST'],
      // A take number past what a slate shows, or one JSON cannot hold exactly, is refused, not rounded into another take.
      ['POST', '/api/takes', '{"scene":"T4","take":9007199254740993}', 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', '{"scene":"T4","take":1e21}', 400, 'BAD_REQUEST'],
      ['POST', '/api/takes', '{"scene":"T4","take":-1.5e300}', 400, 'BAD_REQUEST'],
      // A take names cameras there are, and at least one ([] is not "every camera").
      ['POST', '/api/takes', JSON.stringify({ scene: '1', cameras: ['nope'] }), 404, 'CAMERA_NOT_FOUND'],
      ['POST', '/api/takes', JSON.stringify({ scene: '1', cameras: [] }), 400, 'BAD_REQUEST'],
      ['POST', '/api/takes/end', JSON.stringify({ cameras: [] }), 400, 'BAD_REQUEST'],
      ['POST', '/api/takes/end', JSON.stringify({ cameras: ['nope'] }), 404, 'CAMERA_NOT_FOUND'],
    ];
    for (const [method, target, body, status, code] of cases) {
      const response = await send(method, target, body);
      const where = `${method} ${target} ${body?.slice(0, 30) ?? ''}: ${response.status} ${response.body.slice(0, 200)}`;
      assert.equal(response.status, status, where);
      assert.equal(errorCode(response.body), code, where);
      assert.ok(response.body.length < 1000, `short answer: ${where}`);
    }
    assert.deepEqual(server.shotLog!.takeStore.list(), []);
    for (const target of ['/api/shots?from=2026-12-05&to=2026-12-05T14:30:00.250Z', '/api/shots?from=2026-12-05T14:30%2B01:00&token=ignored', '/api/alerts?history=1', '/api/coverage?scene=1&from=1733400000000']) {
      const response = await send('GET', target);
      assert.equal(response.status, 200, `${target}: ${response.body.slice(0, 200)}`);
    }
    const misspelt = JSON.parse((await send('GET', '/api/shots?Scene=1')).body) as { error: { message: string } };
    assert.match(misspelt.error.message, /query parameter "Scene": GET \/api\/shots takes camera, scene, take/);
    await alive();
  });

  test('the message says what is wrong: a poisoned body, a broken one, an over-long path part, a missing Host', async () => {
    const poisoned = await send('POST', '/api/takes', '{"scene":"1","__proto__":{"x":1}}');
    assert.equal(poisoned.status, 400);
    assert.match(poisoned.body, /a key named __proto__/);
    const broken = await send('POST', '/api/takes', '{"scene":');
    assert.match(broken.body, /not valid JSON \(it ends early\)/);
    assert.match((await send('POST', '/api/takes', '{"scene":undefined}')).body, /not valid JSON \(at character 9\)/, 'where, also where the parser does not say');
    const long = await send('GET', `/api/cameras/${'a'.repeat(200)}`);
    assert.equal(long.status, 404);
    assert.match(long.body, /200 characters long, and no id or name is longer than 100/);
    assert.doesNotMatch((await send('GET', '/api/nope')).body, /characters long/);
    const { port } = new URL(server.url);
    const withoutHost = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nConnection: close\r\n\r\n`));
        let got = '';
        socket.on('data', (d) => (got += String(d)));
        socket.on('error', reject);
        socket.on('close', () => resolve(got));
      });
    const api = await withoutHost('/api/health');
    assert.match(api, /^HTTP\/1\.1 400/);
    assert.equal(errorCode(api.slice(api.indexOf('{'))), 'BAD_REQUEST');
    assert.match(api, /needs a Host header/);
    const socketIo = await withoutHost('/socket.io/?EIO=4&transport=polling');
    assert.match(socketIo, /^HTTP\/1\.1 403/);
    assert.doesNotMatch(socketIo, /"sid"/, 'no Socket.IO session without Host');
    await alive();
  });

  test('errors before routing keep the { error: { code } } shape and never echo the URL (it may carry a token)', async () => {
    for (const [target, status] of [
      ['/nope/at/all?token=secret-in-url-0123456789', 404],
      ['/api/nope?token=secret-in-url-0123456789', 404],
      ['/api/cameras/%zz?token=secret-in-url-0123456789', 400],
    ] as const) {
      for (const method of ['GET', 'POST']) {
        const response = await send(method, target, method === 'POST' ? '{}' : undefined);
        assert.equal(response.status, status, `${method} ${target}: ${response.body}`);
        assert.ok(errorCode(response.body), `${method} ${target}: ${response.body}`);
        assert.ok(!response.body.includes('secret-in-url'), `${method} ${target} echoed: ${response.body}`);
      }
    }
  });

  test('a page path that climbs out of the page folder is refused with a code, and nothing is read', async () => {
    for (const target of ['/..%2fpackage.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/package.json']) {
      const response = await send('GET', target);
      assert.ok([403, 404].includes(response.status), `${target}: ${response.status} ${response.body.slice(0, 200)}`);
      if (response.status === 403) assert.equal(errorCode(response.body), 'FORBIDDEN', response.body);
      assert.ok(!response.body.includes('"dependencies"'), `${target} read package.json`);
    }
  });

  test('a body that never finishes arriving is answered 408 REQUEST_TIMEOUT and its socket closed', { timeout: 60_000 }, async () => {
    const { port } = new URL(server.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /api/takes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"scene":');
      });
      let got = '';
      socket.on('data', (d) => (got += String(d)));
      socket.on('error', reject);
      socket.on('close', () => resolve(got));
    });
    const waitedS = (Date.now() - started) / 1000;
    assert.match(answer, /^HTTP\/1\.1 408/, answer.slice(0, 200));
    // A code of its own, not BAD_REQUEST: the request was fine, it did not arrive in time.
    assert.equal(errorCode(answer.slice(answer.indexOf('{'))), 'REQUEST_TIMEOUT', answer);
    assert.match(answer, /did not all arrive within 30 s/);
    assert.ok(waitedS >= REQUEST_TIMEOUT_MS / 1000 - 1 && waitedS < (REQUEST_TIMEOUT_MS + 2 * REQUEST_CHECK_MS) / 1000 + 1, `closed after ${waitedS} s`);
    assert.deepEqual(server.shotLog!.takeStore.list(), []);
    await alive();
  });

  test('rejected WHIP offers leave no camera and no metric series behind; DELETE of an unknown session creates nothing', async () => {
    const before = server.cameras.list().length;
    for (let i = 0; i < 25; i++) {
      const response = await send('POST', `/whip/junk-${i}`, 'v=0\r\nthis is not SDP\r\n', 'application/sdp');
      assert.equal(response.status, 400, response.body);
    }
    const gone = await send('DELETE', '/whip/never-made/sessions/abc');
    assert.equal(gone.status, 404);
    assert.equal(server.cameras.list().length, before);
    assert.ok(!server.cameras.has('never-made'));
    const metrics = await server.metrics.registry.metrics();
    assert.ok(!/junk-\d/.test(metrics), 'no metric series for refused publishers');
  });
});

describe('start-up faults', () => {
  test('a port in use is a coded error, and nothing is left running', async () => {
    const port = Number(new URL(server.url).port);
    await assert.rejects(startTestServer({ server: { port } }), (error: unknown) => isShotscaleError(error, 'PORT_IN_USE') && error.message.includes(String(port)));
    await alive();
  });
});
