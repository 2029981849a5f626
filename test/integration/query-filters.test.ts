/**
 * Query filters that said nothing was there when the query was wrong, on a
 * real server over a real SQLite log, and `shotscale export` of that log:
 * the film report and coverage of a camera neither configured nor logged are
 * CAMERA_NOT_FOUND as its export is (a removed camera with shots and a
 * configured one without are not), coverage refuses order, limit and offset
 * (it is over every matching shot), and a date alone as `to` is that whole
 * day, not its first instant.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { DATABASE_FILE } from '../../server/store/database.js';
import { runCli } from '../support/cli.js';
import { parseCsv } from '../support/export-parsers.js';
import { startTestServer, testsrcCamera } from '../support/server-harness.js';
import { DAY_START, loggedShotsDir, type ShotSpec } from '../support/timecoded-shots.js';

const DAY_MS = 86_400_000;

/** a-cam's shots on 2026-11-22 (UTC; removed from the config since), and one of the next day's. */
const SHOTS: ShotSpec[] = [
  { camera: 'a-cam', id: 1, rate: '25', tcIn: '10:00:00:00', tcOut: '10:00:04:00', scale: 'WS' },
  { camera: 'a-cam', id: 2, rate: '25', tcIn: '23:59:50:00', tcOut: '23:59:58:00', scale: 'MS' },
  { camera: 'a-cam', id: 3, rate: '25', tcIn: '00:00:02:00', tcOut: '00:00:06:00', scale: 'CU', extra: { inTime: DAY_START + DAY_MS + 2000, outTime: DAY_START + DAY_MS + 6000 } },
];


describe('query filters over HTTP and the CLI', () => {
  let server: RunningServer;
  let dataDir: string;
  const get = (target: string) => fetch(`${server.url}${target}`);
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;
  const coverageShots = async (query: string) => {
    const response = await get(`/api/coverage?${query}`);
    assert.equal(response.status, 200, query);
    return ((await response.json()) as { stats: { shots: number } }).stats.shots;
  };
  const listed = async (query: string) => ((await (await get(`/api/shots?${query}`)).json()) as { shots: { id: number }[] }).shots.map((s) => s.id);

  before(async () => {
    // a-cam was removed after logging; c-cam is configured and has logged nothing.
    server = await startTestServer({ shots: { dataDir: (dataDir = loggedShotsDir(SHOTS, 'shotscale-query-filters-')) }, cameras: [testsrcCamera('c-cam', { enabled: false })] });
  });

  after(async () => {
    await server?.close();
  });

  test('the report and coverage of an unknown camera are CAMERA_NOT_FOUND, naming the configured cameras, as its export is', async () => {
    for (const [target, nothing] of [
      ['/api/report?camera=nope', 'nothing to report'],
      ['/api/coverage?camera=nope', 'no coverage to count'],
      ['/api/coverage?camera=nope&scene=12', 'no coverage to count'],
      ['/api/shots?camera=nope&format=csv', 'nothing to export as csv'],
    ] as const) {
      const response = await get(target);
      assert.equal(response.status, 404, target);
      const error = await errorOf(response);
      assert.equal(error.code, 'CAMERA_NOT_FOUND', target);
      assert.match(error.message, new RegExp(`^camera: "nope" is neither configured nor in the shot log, so there is ${nothing} \\(configured: c-cam\\)$`), error.message);
    }
    for (const route of ['/api/report', '/api/coverage']) {
      const both = await get(`${route}?camera=a-cam,nope`);
      assert.equal(both.status, 404, route);
      assert.match((await errorOf(both)).message, /^camera: "nope" is neither/, route);
    }
    // What the request typed comes back shortened, five ids at most: not a 5,000-character id, nor a thousand ids.
    const long = 'x'.repeat(5000);
    const many = Array.from({ length: 12 }, (_, i) => `typo-${i}`).join(',');
    for (const [camera, said] of [[long, `camera: "${'x'.repeat(40)}..." is neither`], [many, 'camera: "typo-0", "typo-1", "typo-2", "typo-3", "typo-4" and 7 more are neither']] as const) {
      const response = await get(`/api/report?camera=${camera}`);
      assert.equal(response.status, 404);
      const { message } = await errorOf(response);
      assert.ok(message.startsWith(said), message.slice(0, 300));
      assert.ok(message.length < 300, `${message.length} characters`);
    }
  });

  test('a removed camera with shots and a configured one without are no mistake', async () => {
    assert.equal(await coverageShots('camera=a-cam'), 3);
    assert.equal(await coverageShots('camera=c-cam'), 0);
    const removed = await get('/api/report?camera=a-cam');
    assert.equal(removed.status, 200);
    assert.match(await removed.text(), /3 shots from the live log/);
    const configured = await get('/api/report?camera=c-cam');
    assert.equal(configured.status, 200);
    assert.match(await configured.text(), /0 shots from the live log/);
    // The plain list is a filter, as scene= is: an unknown camera lists no shots.
    const list = await get('/api/shots?camera=nope');
    assert.equal(list.status, 200);
    assert.deepEqual(((await list.json()) as { shots: unknown[] }).shots, []);
  });

  test('coverage refuses order, limit and offset, naming the keys it takes', async () => {
    for (const query of ['limit=1', 'order=desc', 'offset=1', 'scene=12&limit=1']) {
      const response = await get(`/api/coverage?${query}`);
      assert.equal(response.status, 400, query);
      const error = await errorOf(response);
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, /^query parameter "(limit|order|offset)": GET \/api\/coverage takes camera, scene, take, from, to, status$/, error.message);
    }
    assert.equal(await coverageShots('scene=12'), 3, 'over every matching shot');
  });

  test('a date alone as `to` is that whole day; as `from` its first instant', async () => {
    assert.deepEqual(await listed('from=2026-11-22&to=2026-11-22'), [1, 2]);
    assert.deepEqual(await listed('to=2026-11-22'), [1, 2]);
    assert.deepEqual(await listed('from=2026-11-23&to=2026-11-23'), [3]);
    assert.deepEqual(await listed('from=2026-11-22&to=2026-11-22T10:00:01Z'), [1], 'a full timestamp is as given');
    assert.equal(await coverageShots('from=2026-11-22&to=2026-11-22'), 2);
    assert.match(await (await get('/api/report?from=2026-11-22&to=2026-11-22')).text(), /2 shots from the live log/);
    const inverted = await get('/api/shots?from=2026-11-23&to=2026-11-22');
    assert.equal(inverted.status, 400);
    assert.match((await errorOf(inverted)).message, /from "2026-11-23" is after to "2026-11-22"/);
  });

  test('shotscale export --from/--to: a date alone as `to` is that whole day too', async () => {
    const db = path.join(dataDir, DATABASE_FILE);
    const day = await runCli(['export', '--db', db, '--format', 'csv', '--from', '2026-11-22', '--to', '2026-11-22']);
    assert.equal(day.code, 0, day.stderr);
    assert.deepEqual(parseCsv(day.stdout).map((row) => row.id), ['1', '2']);
    const inverted = await runCli(['export', '--db', db, '--format', 'csv', '--from', '2026-11-23', '--to', '2026-11-22']);
    assert.notEqual(inverted.code, 0);
    assert.match(inverted.stderr, /--from 2026-11-23 is after --to 2026-11-22/);
    assert.equal(inverted.stdout, '');
  });
});
