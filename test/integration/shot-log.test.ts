/**
 * The live shot log end to end: a real clip with known hard cuts played as a
 * camera through real ffmpeg and onnxruntime; shots cut at the known frames
 * with timecode from the configured start, a take marked over Socket.IO and
 * ended over HTTP splitting shots, a coverage plan whose missing item raises
 * an alert that a tag then clears, thumbnails, and exports over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeCutClip, type CutClip } from '../support/cut-clips.js';
import { parseCsv, parseEdl } from '../support/export-parsers.js';
import { connectClient, httpJson, startTestServer, waitForStatus, type TestClient } from '../support/server-harness.js';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Alert, ShotRecord, Take } from '../../server/shared/shots.js';
import type { TakeAck } from '../../server/shared/socket-events.js';
import { timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';

const START_TC = '01:00:00:00';
const START = timecodeToFrames(START_TC, timecodeRate('25'));

describe('live shot log', () => {
  let clip: CutClip;
  let server: RunningServer;
  let client: TestClient;
  const shotEvents: ShotRecord[] = [];
  const alerts: Alert[] = [];
  const takeEvents: Take[][] = [];
  let shots: ShotRecord[] = [];

  before(async () => {
    clip = await makeCutClip('hard-cuts');
    server = await startTestServer({
      shots: { timecode: { rate: 25, start: START_TC } },
      coverage: {
        plans: [
          {
            scene: '7',
            items: [
              // The clip's shots are a second or two long: any length counts here (the default minimum is 2 s).
              { id: 'any', label: 'Anything at all', scale: 'ECU..EWS', minDurationS: 0 },
              { id: 'anna', scale: 'ECU..EWS', tag: 'Anna', minDurationS: 0 },
            ],
          },
        ],
      },
    });
    const connected = await connectClient(server.url);
    client = connected.client;
    client.on('shot', (shot) => shotEvents.push(shot));
    client.on('alert', (alert) => alerts.push(alert));
    client.on('takes', (running) => takeEvents.push(running));
    const created = await httpJson(`${server.url}/api/cameras`, {
      method: 'POST',
      body: { id: 'cam-a', analysisFps: 5, source: { kind: 'file', path: clip.path, loop: false, realtime: true } },
    });
    assert.equal(created.status, 201);
    await waitForStatus(client, (s) => s.cameraId === 'cam-a' && s.state === 'live');
    // Slate scene 7 a second in, over Socket.IO; end it two seconds later over HTTP.
    await new Promise((r) => setTimeout(r, 1000));
    const ack = await new Promise<TakeAck>((resolve) => client.emit('take:start', { scene: '7' }, resolve));
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(ack.ok && ack.takes[0]!.take, '1', 'the first take of a scene is take 1');
    await new Promise((r) => setTimeout(r, 2000));
    const ended = await httpJson(`${server.url}/api/takes/end`, { method: 'POST', body: {} });
    assert.equal(ended.status, 200);
    await waitForStatus(client, (s) => s.cameraId === 'cam-a' && s.state === 'stopped', 20_000);
    const listed = await httpJson(`${server.url}/api/shots?camera=cam-a`);
    shots = (listed.body as { shots: ShotRecord[] }).shots;
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  test('every hard cut of the clip starts a shot, within 2 frames, and nothing else does', () => {
    const cutFrames = shots.filter((s) => s.cutIn === 'hard').map((s) => s.inFrame - START);
    for (const truth of clip.hardCuts) {
      assert.ok(cutFrames.some((f) => Math.abs(f - truth) <= 2), `cut at frame ${truth} not found in ${cutFrames.join(', ')}`);
    }
    assert.equal(cutFrames.length, clip.hardCuts.length, `detected ${cutFrames.join(', ')}; true ${clip.hardCuts.join(', ')}`);
  });

  test('shots tile the feed: timecode from the configured start, contiguous, closed at the end of the file', () => {
    assert.ok(shots.length >= clip.hardCuts.length + 1);
    assert.equal(shots[0]!.cutIn, 'start');
    assert.equal(shots[0]!.tcIn, START_TC);
    for (let i = 1; i < shots.length; i++) assert.equal(shots[i]!.inFrame, shots[i - 1]!.outFrame, `shot ${i} starts where shot ${i - 1} ends`);
    const last = shots.at(-1)!;
    assert.equal(last.cutOut, 'end');
    assert.ok(Math.abs(last.outFrame - START - clip.frames) <= 2, `the last shot ends at frame ${last.outFrame - START} of ${clip.frames}`);
    for (const shot of shots) {
      assert.equal(shot.status, 'closed');
      assert.equal(shot.rate, '25');
      assert.match(shot.tcIn, /^01:00:\d\d:\d\d$/);
      assert.ok(Math.abs(shot.durationS - (shot.outFrame - shot.inFrame) / 25) < 0.01);
      assert.equal(shot.probabilities.length, 8);
    }
  });

  test('the take splits shots at its start and end, and its shots carry scene and take', () => {
    const inTake = shots.filter((s) => s.scene === '7');
    assert.ok(inTake.length >= 1, 'shots attached to scene 7');
    assert.ok(inTake.every((s) => s.take === '1'));
    assert.equal(inTake[0]!.cutIn, 'take', 'the take starts a new shot');
    assert.equal(inTake.at(-1)!.cutOut, 'take', 'ending the take ends its shot');
    const takeS = (inTake.at(-1)!.outTime - inTake[0]!.inTime) / 1000;
    assert.ok(takeS > 1.2 && takeS < 3.5, `the take lasted about 2 s (${takeS.toFixed(2)} s)`);
    assert.ok(takeEvents.some((running) => running.length === 1 && running[0]!.scene === '7'), 'takes event while running');
    assert.deepEqual(takeEvents.at(-1), [], 'takes event after the end');
  });

  test('shots were pushed as they opened and closed, with thumbnails from mid-shot', async () => {
    const closed = shotEvents.filter((s) => s.status === 'closed');
    assert.equal(closed.length, shots.length);
    assert.ok(shotEvents.some((s) => s.status === 'open'));
    const withPicture = shots.filter((s) => s.hasThumbnail);
    assert.ok(withPicture.length >= shots.length - 2, 'nearly every shot has a thumbnail (a very short one may have no analysed frame)');
    const response = await fetch(`${server.url}/api/shots/${withPicture[0]!.id}/thumbnail`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
    assert.equal((await httpJson(`${server.url}/api/shots/999999/thumbnail`)).status, 404);
  });

  test('a take ending with plan items missing raises an alert; tagging a shot clears it', async () => {
    const raised = alerts.find((a) => a.kind === 'plan-missing' && a.resolvedAt === null);
    assert.ok(raised, `plan-missing alert, got ${JSON.stringify(alerts)}`);
    assert.match(raised.message, /7/);
    let coverage = (await httpJson(`${server.url}/api/coverage?scene=7`)).body as { scene: { plan: { id: string; met: boolean }[]; missing: string[] } };
    assert.deepEqual(
      coverage.scene.plan.map((p) => [p.id, p.met]),
      [
        ['any', true],
        ['anna', false],
      ],
    );
    const shot = shots.find((s) => s.scene === '7')!;
    const patched = await httpJson(`${server.url}/api/shots/${shot.id}`, { method: 'PATCH', body: { tags: ['Anna'], note: 'Anna enters' } });
    assert.equal(patched.status, 200);
    assert.deepEqual((patched.body as ShotRecord).tags, ['Anna']);
    coverage = (await httpJson(`${server.url}/api/coverage?scene=7`)).body as typeof coverage;
    assert.deepEqual(coverage.scene.missing, []);
    const deadline = Date.now() + 5000;
    while (!alerts.some((a) => a.key === raised.key && a.resolvedAt !== null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      alerts.some((a) => a.key === raised.key && a.resolvedAt !== null),
      'the alert resolves once the plan is met',
    );
    const history = (await httpJson(`${server.url}/api/alerts?history=1`)).body as { active: Alert[]; history: Alert[] };
    assert.ok(history.history.some((a) => a.key === raised.key && a.resolvedAt !== null), 'the alert history keeps it');
  });

  test('GET /api/shots exports every format with the same shots and filters', async () => {
    const edl = await fetch(`${server.url}/api/shots?camera=cam-a&format=edl`);
    assert.equal(edl.status, 200);
    assert.match(edl.headers.get('content-disposition') ?? '', /attachment; filename="shotscale-shots-cam-a\.edl"/);
    const parsed = parseEdl(await edl.text());
    assert.equal(parsed.fcm, 'NON-DROP FRAME');
    assert.equal(parsed.events.length, shots.length);
    assert.deepEqual(
      parsed.events.map((e) => [e.srcIn, e.srcOut]),
      shots.map((s) => [s.tcIn, s.tcOut]),
    );
    const csv = parseCsv(await (await fetch(`${server.url}/api/shots?scene=7&format=csv`)).text());
    assert.deepEqual(
      csv.map((row) => row.tc_in),
      shots.filter((s) => s.scene === '7').map((s) => s.tcIn),
    );
    const middle = shots[Math.floor(shots.length / 2)]!;
    const window = (await httpJson(`${server.url}/api/shots?from=${middle.inTime}&to=${middle.outTime}`)).body as { shots: ShotRecord[] };
    assert.ok(window.shots.some((s) => s.id === middle.id));
    assert.ok(window.shots.every((s) => s.outTime > middle.inTime && s.inTime < middle.outTime));
    for (const format of ['json', 'ale', 'otio', 'markers']) {
      const response = await fetch(`${server.url}/api/shots?format=${format}`);
      assert.equal(response.status, 200, format);
      assert.ok((await response.text()).length > 100, format);
    }
    const bad = await httpJson(`${server.url}/api/shots?format=docx`);
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /csv, json, edl, ale, otio, markers/);
    assert.equal((await httpJson(`${server.url}/api/shots?from=yesterday`)).status, 400);
  });

  test('takes and plans over HTTP: bad input is refused with a reason, good input kept', async () => {
    assert.equal((await httpJson(`${server.url}/api/takes`, { method: 'POST', body: { take: '2' } })).status, 400);
    const badPlan = await httpJson(`${server.url}/api/plans/9`, { method: 'PUT', body: { items: [{ id: 'x', scale: 'HUGE' }] } });
    assert.equal(badPlan.status, 400);
    assert.match(JSON.stringify(badPlan.body), /PLAN_INVALID.*HUGE/);
    const plan = await httpJson(`${server.url}/api/plans/9`, { method: 'PUT', body: { items: [{ id: 'master', scale: 'WS+' }] } });
    assert.equal(plan.status, 200);
    assert.equal((await httpJson(`${server.url}/api/plans/9`)).status, 200);
    const plans = (await httpJson(`${server.url}/api/plans`)).body as { scene: string }[];
    assert.deepEqual(
      plans.map((p) => p.scene),
      ['7', '9'],
    );
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /shotscale_shots_total\{camera="cam-a",cut="hard"\} \d+/);
  });

  test('GET /api/report?scene=7: the film report of the scene, one row per shot, self-contained', async () => {
    const res = await fetch(`${server.url}/api/report?scene=7`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await res.text();
    const scene = shots.filter((s) => s.scene === '7');
    assert.ok(scene.length >= 1);
    assert.equal(html.match(/<tbody>[\s\S]*<\/tbody>/)![0].split('<tr>').length - 1, scene.length, 'a row per shot of the scene');
    assert.match(html, /<h1>shotscale: scene 7<\/h1>/);
    for (const shot of scene) assert.ok(html.includes(shot.tcIn), `in point ${shot.tcIn}`);
    assert.doesNotMatch(html, /<script|https?:\/\//, 'nothing to run, nothing to fetch');
    // Filtered by scale: the title says so, or a report of the CUs alone reads as the whole log at 100% CU.
    const scale = scene[0]!.scale;
    const byScale = await (await fetch(`${server.url}/api/report?scene=7&scale=${scale.toLowerCase()}`)).text();
    assert.match(byScale, new RegExp(`<h1>shotscale: scene 7, ${scale}</h1>`));
    assert.equal(byScale.match(/<tbody>[\s\S]*<\/tbody>/)![0].split('<tr>').length - 1, scene.filter((s) => s.scale === scale && !s.noPicture).length);
    const none = await (await fetch(`${server.url}/api/report?scene=no-such-scene`)).text();
    assert.match(none, /No shots match/);
    const bad = await fetch(`${server.url}/api/report?from=yesterday`);
    assert.equal(bad.status, 400);
  });
});
