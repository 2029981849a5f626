/**
 * The live shot log at cuts, against a real server (real ffmpeg, real
 * onnxruntime): a looping file of two shots, a red test pattern and a blue
 * one, 0.8 s each, hard cuts between them and at the loop point, read by a
 * tiny colour classifier (red: close, blue: wide) at 25 frames a second.
 * The cut detector decides a hard cut 5 frames after it, and the frames of
 * the new shot read in between were smoothed with the shot before: they
 * held its label, so a shot opened on the label of the one before it (and a
 * short one kept it, with a reason none of its frames gave) and its
 * probabilities were partly the other shot's. Now every closed shot is what
 * its own frames read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { argmax, CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import type { Readout } from '../../server/shared/socket-events.js';
import { tempDir } from '../support/media.js';
import { connectClient, httpJson, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';
import { writeTinyClassifier } from '../support/tiny-classifier.js';

/** Frames of each shot at 25 fps. */
const SHOT_FRAMES = 20;

/** testsrc2 tinted red, then testsrc tinted blue: a hard cut in brightness between them, and again where the file loops. */
function redThenBlue(dir: string): string {
  const out = path.join(dir, 'red-then-blue.mp4');
  const tint = (cb: number, cr: number) => `trim=end_frame=${SHOT_FRAMES},setpts=PTS-STARTPTS,format=yuv420p,geq=lum='lum(X,Y)':cb=${cb}:cr=${cr}`;
  const graph = `[0]${tint(64, 192)}[a];[1]${tint(192, 64)}[b];[a][b]concat=n=2:v=1[v]`;
  const source = (pattern: string) => ['-f', 'lavfi', '-i', `${pattern}=size=320x240:rate=25`];
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...source('testsrc2'), ...source('testsrc'), '-filter_complex', graph, '-map', '[v]', '-pix_fmt', 'yuv420p', out]);
  return out;
}

const mean = (rows: readonly (readonly number[])[]): number[] => CANONICAL_SCALES.map((_s, i) => rows.reduce((sum, r) => sum + r[i]!, 0) / rows.length);
const show = (p: readonly number[]) => p.map((x) => x.toFixed(3)).join(' ');

describe('live shots at cuts', () => {
  let server: RunningServer;
  let client: TestClient;
  let clip: string;
  const readouts: Readout[] = [];

  before(async () => {
    const dir = tempDir('shotscale-live-cuts-');
    clip = redThenBlue(dir);
    server = await startTestServer({ model: { manifest: writeTinyClassifier(dir) }, shots: { timecode: { rate: 25 } }, cameras: [] });
    ({ client } = await connectClient(server.url));
    client.on('readout', (r) => readouts.push(r));
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('a shot after a cut is what its own frames read: its scale, the scales it opens and closes on, its probabilities', { timeout: 60_000 }, async () => {
    const created = await httpJson(`${server.url}/api/cameras`, { method: 'POST', body: { id: 'loop', analysisFps: 25, source: { kind: 'file', path: clip, loop: true, realtime: true } } });
    assert.equal(created.status, 201);
    await waitForStatus(client, (s) => s.cameraId === 'loop' && s.state === 'live');
    // Eight cuts in (five loops of the file): shots cut in by a hard cut, each with its frames read.
    let closed: ShotRecord[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { body } = await httpJson(`${server.url}/api/shots?camera=loop`);
      closed = (body as { shots: ShotRecord[] }).shots.filter((s) => s.status === 'closed' && s.cutIn === 'hard');
      if (closed.length >= 8) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(closed.length >= 8, `${closed.length} shots closed after a hard cut within 30 s`);

    // What the frames of each colour read, each frame on its own (red: close, blue: wide).
    const own = (scale: string) => readouts.filter((r) => r.cameraId === 'loop' && CANONICAL_SCALES[argmax(r.raw)] === scale).map((r) => r.raw);
    const reads = { red: mean(own('ECU')), blue: mean(own('EWS')) };
    assert.ok(own('ECU').length > 20 && own('EWS').length > 20, `frames read ECU: ${own('ECU').length}, EWS: ${own('EWS').length}`);

    const wrong: string[] = [];
    for (const shot of closed) {
      const first = Math.round(shot.startS * 25);
      assert.equal(first % SHOT_FRAMES, 0, `shot ${shot.id} cut in at frame ${first}, a multiple of ${SHOT_FRAMES}`);
      const colour = (first / SHOT_FRAMES) % 2 === 0 ? 'red' : 'blue';
      const expected = colour === 'red' ? 'ECU' : 'EWS';
      const where = `shot ${shot.id} (${colour}, ${shot.startS.toFixed(2)} s, ${shot.readouts} readouts): ${shot.scale} ${shot.scaleStart} -> ${shot.scaleEnd}, p ${show(shot.probabilities)}; its frames read ${show(reads[colour])}`;
      if (shot.scale !== expected || shot.scaleStart !== expected || shot.scaleEnd !== expected) wrong.push(where);
      else if (shot.probabilities.some((p, i) => Math.abs(p - reads[colour][i]!) > 0.02)) wrong.push(`${where}: probabilities partly another shot's`);
    }
    assert.deepEqual(wrong, [], `shots not what their own frames read:\n${wrong.join('\n')}`);
  });
});
