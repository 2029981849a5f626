/**
 * RTSP servers that take the connection and then send nothing, against real
 * ffmpeg and real sockets, as a camera whose encoder is stopped (or a port
 * that is not RTSP's) behaves: one answers OPTIONS, DESCRIBE, SETUP and PLAY
 * and never streams; one accepts and says nothing at all. ffmpeg calls the
 * first "Connection timed out" (or "no stream") and the second "Invalid
 * data"; the camera's status says what happened instead.
 */
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { CameraStatus } from '../../server/shared/socket-events.js';
import { connectClient, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';

/** Answers each RTSP request as a camera would (one H.264 track over TCP), and then sends no media. */
function answerWithoutMedia(socket: Socket, port: number): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    pending += text;
    for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
      const request = pending.slice(0, end);
      pending = pending.slice(end + 4);
      const method = request.split(' ')[0];
      const cseq = /^CSeq:\s*(\d+)/im.exec(request)?.[1] ?? '0';
      const head = `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n`;
      if (method === 'DESCRIBE') {
        const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=stopped encoder\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:track1\r\n';
        socket.write(`${head}Content-Base: rtsp://127.0.0.1:${port}/cam/\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`);
      } else if (method === 'SETUP') socket.write(`${head}Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 4711;timeout=60\r\n\r\n`);
      else if (method === 'OPTIONS') socket.write(`${head}Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n`);
      else socket.write(`${head}Session: 4711\r\n\r\n`);
    }
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** ffmpeg words these differently from version to version: the server's own ffmpeg, and the system's where it is another. */
const FFMPEGS: (string | null)[] = [null, ...(existsSync('/usr/bin/ffmpeg') ? ['/usr/bin/ffmpeg'] : [])];

for (const ffmpegPath of FFMPEGS) describe(`an RTSP server that sends no picture (${ffmpegPath ?? 'the default ffmpeg'})`, () => {
  let server: RunningServer;
  let client: TestClient;
  const sockets = new Set<Socket>();
  const keep = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  };
  let answering: Server;
  let mute: Server;

  before(async () => {
    let answeringPort = 0;
    answering = createServer((socket) => {
      keep(socket);
      answerWithoutMedia(socket, answeringPort);
    });
    mute = createServer(keep);
    answeringPort = await listen(answering);
    const mutePort = await listen(mute);
    server = await startTestServer({
      ffmpeg: { path: ffmpegPath },
      cameras: [
        { id: 'answers', analysisFps: 5, source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${answeringPort}/cam`, timeoutS: 2 } },
        { id: 'mute', analysisFps: 5, source: { kind: 'rtsp', url: `rtsp://127.0.0.1:${mutePort}/cam`, timeoutS: 2 } },
      ],
    });
    client = (await connectClient(server.url)).client;
  });

  after(async () => {
    client?.close();
    await server?.close();
    for (const socket of sockets) socket.destroy();
    answering?.close();
    mute?.close();
  });

  /** The camera's status once its first ffmpeg has ended and been explained. */
  async function explained(cameraId: string): Promise<CameraStatus> {
    const now = server.cameras.get(cameraId).status();
    if (now.reconnects >= 1 && now.lastError) return now;
    return waitForStatus(client, (s) => s.cameraId === cameraId && s.reconnects >= 1 && s.lastError !== null, 20_000);
  }

  test('answered, then no media: "answered but sent no picture", not "the host does not answer"', async () => {
    const status = await explained('answers');
    assert.match(status.lastError ?? '', /^rtsp:\/\/127\.0\.0\.1:\d+\/cam: the RTSP server answered but sent no picture in 2 s \(source\.timeoutS\)/);
    assert.doesNotMatch(status.lastError ?? '', /does not answer|no video stream|timed out/);
    assert.equal(status.errorCode, 'SOURCE_STALLED', 'connected, no picture: not unreachable');
  });

  test('accepted and said nothing: not "something that is not a video stream"', async () => {
    const status = await explained('mute');
    assert.match(status.lastError ?? '', /^rtsp:\/\/127\.0\.0\.1:\d+\/cam: the server accepted the connection but answered nothing in 2 s \(source\.timeoutS\)/);
    assert.doesNotMatch(status.lastError ?? '', /invalid data|not a video stream/i);
    assert.equal(status.errorCode, 'SOURCE_STALLED');
  });
});
