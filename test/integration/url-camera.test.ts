/**
 * A camera of kind "url": any stream ffmpeg reads. Here a real ffmpeg sends
 * MPEG-TS over UDP to loopback, as an encoder or a gateway on set would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { collectReadouts, connectClient, startTestServer } from '../support/server-harness.js';

let sender: ChildProcess;
let server: RunningServer;

/** A free UDP port on loopback. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

before(async () => {
  const port = await freeUdpPort();
  sender = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-c:v', 'mpeg2video', '-q:v', '5', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`], { stdio: 'ignore' });
  server = await startTestServer({ cameras: [{ id: 'udp-feed', analysisFps: 5, source: { kind: 'url', url: `udp://127.0.0.1:${port}?overrun_nonfatal=1&fifo_size=100000`, inputOptions: ['-f', 'mpegts'] } }] });
});

after(async () => {
  sender?.kill('SIGKILL');
  await server?.close();
});

test('readouts arrive from an MPEG-TS over UDP feed', async () => {
  const { client } = await connectClient(server.url);
  const readouts = await collectReadouts(client, 5, (r) => r.cameraId === 'udp-feed', 20_000);
  client.close();
  assert.equal(readouts.length, 5);
  const status = server.cameras.get('udp-feed').status();
  assert.equal(status.sourceKind, 'url');
  assert.equal(status.state, 'live');
});
