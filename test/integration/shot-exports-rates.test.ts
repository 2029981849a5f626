/**
 * GET /api/shots?format= on a real server whose log holds cameras at
 * different rates, and `shotscale export` of the same log: an EDL or ALE source timecode is the camera's own (what a
 * conform against the camera originals looks up), so cameras at several
 * rates are refused with what to export instead, while cameras numbering the
 * same frames drop-frame and not (29.97DF and 29.97) export together, each in
 * its own numbering; a mistyped camera is CAMERA_NOT_FOUND, not an empty
 * file; an empty export is at the configured rate, not 25.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { runCli } from '../support/cli.js';
import { parseAle, parseCsv, parseEdl } from '../support/export-parsers.js';
import { tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, startTestServer, testsrcCamera } from '../support/server-harness.js';
import { loggedShotsDir, type ShotSpec } from '../support/timecoded-shots.js';
import { exportPath } from '../../web/src/lib/shot-filters.js';

/** a-cam at 25 and b-cam at 23.976, both starting at 01:00:00:00, as two cameras rolling together. */
const SHOTS: ShotSpec[] = [
  { camera: 'a-cam', id: 1, rate: '25', tcIn: '01:00:00:00', tcOut: '01:00:04:00', scale: 'WS' },
  { camera: 'a-cam', id: 2, rate: '25', tcIn: '01:00:04:00', tcOut: '01:00:09:12', scale: 'MS' },
  { camera: 'b-cam', id: 3, rate: '23.976', tcIn: '00:59:58:00', tcOut: '01:00:00:00', scale: 'CU' },
  { camera: 'b-cam', id: 4, rate: '23.976', tcIn: '01:00:00:00', tcOut: '01:00:00:21', scale: 'MCU', extra: { scene: '4' } },
];

/** a-cam at 29.97 drop-frame, b-cam at 29.97 non-drop, rolling together: ten minutes in, their numbers for one frame are 18 apart. */
const NTSC_SHOTS: ShotSpec[] = [
  { camera: 'a-cam', id: 1, rate: '29.97DF', tcIn: '00:10:00;00', tcOut: '00:10:05;00', scale: 'WS' },
  { camera: 'b-cam', id: 2, rate: '29.97', tcIn: '00:10:00:00', tcOut: '00:10:04:00', scale: 'CU' },
  { camera: 'a-cam', id: 3, rate: '29.97DF', tcIn: '00:10:05;00', tcOut: '00:10:08;00', scale: 'MS' },
];


describe('shot exports over HTTP: rates and cameras', () => {
  let server: RunningServer;
  let dataDir: string;
  const get = (query: string) => fetch(`${server.url}/api/shots?${query}`);
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

  before(async () => {
    server = await startTestServer({
      // The project's rate; a-cam and b-cam were removed after logging, c-cam is configured and has logged nothing.
      shots: { dataDir: (dataDir = loggedShotsDir(SHOTS, 'shotscale-rates-')), timecode: { rate: '29.97DF' } },
      cameras: [testsrcCamera('c-cam', { enabled: false })],
    });
  });

  after(async () => {
    await server?.close();
  });

  test('EDL and ALE of cameras at several rates are refused, naming the cameras, their rates and the filter for each', async () => {
    for (const format of ['edl', 'ale']) {
      for (const query of [`format=${format}`, `format=${format}&camera=b-cam,a-cam`]) {
        const response = await get(query);
        assert.equal(response.status, 400, query);
        const error = await errorOf(response);
        assert.equal(error.code, 'BAD_REQUEST');
        assert.match(error.message, /several timecode rates \(a-cam 25, b-cam 23\.976\)/, error.message);
        assert.match(error.message, /camera=a-cam, camera=b-cam/, error.message);
      }
    }
  });

  test("one camera's EDL and ALE carry its own timecode, as the CSV does", async () => {
    const csv = parseCsv(await (await get('format=csv&camera=b-cam')).text());
    const edl = parseEdl(await (await get('format=edl&camera=b-cam')).text());
    const ale = parseAle(await (await get('format=ale&camera=b-cam')).text());
    assert.deepEqual(csv.map((row) => [row.tc_in, row.tc_out]), [
      ['00:59:58:00', '01:00:00:00'],
      ['01:00:00:00', '01:00:00:21'],
    ]);
    assert.deepEqual(edl.events.map((e) => [e.reel, e.srcIn, e.srcOut]), [
      ['B_CAM', '00:59:58:00', '01:00:00:00'],
      ['B_CAM', '01:00:00:00', '01:00:00:21'],
    ]);
    assert.equal(ale.heading.FPS, '23.98');
    assert.deepEqual(ale.rows.map((row) => [row.Name, row.Start, row.End]), [
      ['b-cam_0003', '00:59:58:00', '01:00:00:00'],
      ['b-cam_0004', '01:00:00:00', '01:00:00:21'],
    ]);
    const a = parseEdl(await (await get('format=edl&camera=a-cam')).text());
    assert.deepEqual(a.events.map((e) => [e.srcIn, e.srcOut]), [
      ['01:00:00:00', '01:00:04:00'],
      ['01:00:04:00', '01:00:09:12'],
    ]);
  });

  test('a camera neither configured nor in the log is CAMERA_NOT_FOUND; a removed camera with shots and a configured one without still export', async () => {
    for (const format of ['edl', 'ale', 'csv', 'fcpxml']) {
      const response = await get(`format=${format}&camera=nope`);
      assert.equal(response.status, 404, format);
      const error = await errorOf(response);
      assert.equal(error.code, 'CAMERA_NOT_FOUND');
      assert.match(error.message, /"nope" is neither configured nor in the shot log/, error.message);
      assert.match(error.message, /configured: c-cam/, error.message);
    }
    const both = await get('format=edl&camera=a-cam,nope');
    assert.equal(both.status, 404);
    assert.match((await errorOf(both)).message, /"nope"/);
    assert.equal((await get('format=edl&camera=c-cam')).status, 200, 'configured, nothing logged yet: an empty export');
    // The listing itself is unchanged: an unknown camera has no shots.
    assert.equal((await get('camera=nope')).status, 200);
  });

  test("an export of no shots is at the configured rate (29.97 drop-frame here), not 25", async () => {
    const edl = parseEdl(await (await get('format=edl&scene=nothing')).text());
    assert.equal(edl.fcm, 'DROP FRAME');
    assert.equal(edl.events.length, 0);
    const ale = parseAle(await (await get('format=ale&scene=nothing')).text());
    assert.equal(ale.heading.FPS, '29.97');
    const empty = await (await get('format=fcpxml&camera=c-cam')).text();
    assert.match(empty, /frameDuration="1001\/30000s"/);
    assert.doesNotMatch(empty, /FFVideoFormat1080p25\b/);
    // One camera's shots keep their own rate whatever the project's.
    assert.equal(parseEdl(await (await get('format=edl&scene=4')).text()).fcm, 'NON-DROP FRAME');
  });

  test('shotscale export of the same log: the same refusal, and the configured rate for no shots', async () => {
    const config = path.join(tempDir('shotscale-rates-config-'), 'shotscale.yaml');
    writeFileSync(config, [`model: { manifest: ${JSON.stringify(FIXTURE_MANIFEST)}, executionProviders: [cpu] }`, `shots: { dataDir: ${JSON.stringify(dataDir)}, timecode: { rate: "29.97DF" } }`, 'cameras: []', ''].join('\n'));
    const mixed = await runCli(['export', '--config', config, '--format', 'edl']);
    assert.notEqual(mixed.code, 0, mixed.stderr);
    assert.match(mixed.stderr, /^error BAD_REQUEST: edl: the shots are at several timecode rates \(a-cam 25, b-cam 23\.976\)/);
    assert.equal(mixed.stdout, '', 'no EDL written');
    const one = await runCli(['export', '--config', config, '--format', 'edl', '--camera', 'b-cam']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(parseEdl(one.stdout).events[1]!.srcIn, '01:00:00:00');
    const none = await runCli(['export', '--config', config, '--format', 'ale', '--scene', 'nothing']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(parseAle(none.stdout).heading.FPS, '29.97');
  });
});

describe('shot exports over HTTP: 29.97 drop-frame and non-drop cameras together', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ shots: { dataDir: loggedShotsDir(NTSC_SHOTS, 'shotscale-rates-'), timecode: { rate: '29.97DF' } }, cameras: [] });
  });

  after(async () => {
    await server?.close();
  });

  test("the Shots page's EDL and ALE of all cameras: each source timecode in its camera's own numbering", async () => {
    const own = NTSC_SHOTS.map((spec) => [spec.tcIn, spec.tcOut]);
    const edlResponse = await fetch(`${server.url}${exportPath({}, 'edl')}`);
    const edlText = await edlResponse.text();
    assert.equal(edlResponse.status, 200, edlText);
    const edl = parseEdl(edlText);
    assert.deepEqual(edl.events.map((e) => [e.reel, e.srcIn, e.srcOut]), NTSC_SHOTS.map((spec) => [spec.camera.toUpperCase().replace('-', '_'), spec.tcIn, spec.tcOut]));
    // The record is the project's drop-frame timeline; an FCM line before each event whose source numbering changes.
    const lines = edlText.split('\r\n');
    assert.equal(lines[1], 'FCM: DROP FRAME');
    assert.deepEqual(
      lines.filter((line) => line.startsWith('FCM: ') || /^\d{3} {2}/.test(line)).map((line) => line.slice(0, 20).trimEnd()),
      ['FCM: DROP FRAME', '001  A_CAM    V', 'FCM: NON-DROP FRAME', '002  B_CAM    V', 'FCM: DROP FRAME', '003  A_CAM    V'],
    );
    assert.deepEqual(edl.events.map((e) => e.recIn), ['01:00:00;00', '01:00:05;00', '01:00:09;00']);

    const aleResponse = await fetch(`${server.url}${exportPath({}, 'ale')}`);
    const aleText = await aleResponse.text();
    assert.equal(aleResponse.status, 200, aleText);
    const ale = parseAle(aleText);
    assert.equal(ale.heading.FPS, '29.97');
    assert.deepEqual(ale.rows.map((row) => [row.Start, row.End]), own);
    // The CSV, which never refused them, says the same.
    const csv = parseCsv(await (await fetch(`${server.url}${exportPath({}, 'csv')}`)).text());
    assert.deepEqual(csv.map((row) => [row.tc_in, row.tc_out]), own);
  });
});
