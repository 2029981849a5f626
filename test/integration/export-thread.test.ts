/**
 * A day's log exported and reported over HTTP: the body is built on a thread
 * of its own, so the server answers other requests meanwhile (a day's FCPXML
 * once held the loop ~10 s and a live camera was declared stalled), and what
 * it answers is byte for byte what the synchronous export gives for the same
 * shots. Beside it, an EDL past 999 events is refused with a 400 over HTTP
 * and by `shotscale export`, and a scene filter is trimmed as the slate trims.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import { EXPORT_FORMATS, exportShots } from '../../server/exports/export-shots.js';
import { EXPORT_THREAD_CHANNEL, type ExportThreadEvent } from '../../server/exports/export-thread.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import { DATABASE_FILE, openDatabase } from '../../server/store/database.js';
import { ShotStore } from '../../server/store/shot-store.js';
import { timecodeAtRate } from '../../server/shots/timecode.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { startTestServer } from '../support/server-harness.js';
import { shot } from '../support/timecoded-shots.js';

/** As the reviewer's log: 8 cameras, 1,000 shots each (4 s), every other one with a thumbnail. */
const CAMERAS = 8;
const SHOTS_PER_CAMERA = 1000;
const tc = (seconds: number) => `${String(8 + Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}:00`;

function loggedDay(): string {
  const dir = tempDir('shotscale-export-thread-');
  const db = openDatabase(path.join(dir, DATABASE_FILE));
  try {
    const store = new ShotStore(db, timecodeAtRate);
    const jpeg = Buffer.alloc(2000, 0xab);
    db.transaction(() => {
      for (let c = 0; c < CAMERAS; c++) {
        for (let i = 0; i < SHOTS_PER_CAMERA; i++) {
          const record = shot({ camera: `cam-${c + 1}`, id: c * SHOTS_PER_CAMERA + i + 1, rate: '25', tcIn: tc(i * 4), tcOut: tc(i * 4 + 4), scale: CANONICAL_SCALES[(i + c) % 8]!, extra: { scene: `${1 + (i % 20)}`, hasThumbnail: i % 2 === 0 } });
          store.add({ ...record, status: 'open' }, null);
          store.finish(record, i % 2 === 0 ? jpeg : null);
        }
      }
    })();
  } finally {
    db.close();
  }
  return dir;
}

describe('exports and reports off the loop', () => {
  let server: RunningServer;
  let dataDir: string;
  const events: ExportThreadEvent[] = [];
  const listen = (message: unknown) => events.push(message as ExportThreadEvent);

  before(async () => {
    dataDir = loggedDay();
    server = await startTestServer({ shots: { dataDir, timecode: { rate: '25' } } });
    subscribe(EXPORT_THREAD_CHANNEL, listen);
  });

  after(async () => {
    unsubscribe(EXPORT_THREAD_CHANNEL, listen);
    await server?.close();
  });

  /** Waits for the thread of `what` to start, or for `done` (the export answered without one: built on the loop). */
  async function threadStarted(what: string, done: Promise<unknown>): Promise<boolean> {
    const started = () => events.some((e) => e.phase === 'started' && e.what === what);
    const finished = done.then(() => 'done' as const);
    while (!started()) {
      if ((await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 5, 'wait'))])) === 'done') return started();
    }
    return true;
  }

  for (const [what, url] of [
    ['fcpxml', '/api/shots?format=fcpxml'],
    ['otio', '/api/shots?format=otio'],
    ['report', '/api/report'],
  ] as const) {
    test(`${url} of 8,000 shots is built on a thread: /api/health answers while it is built`, async () => {
      let exportDone = false;
      const exported = fetch(`${server.url}${url}`).then(async (response) => {
        const body = await response.text();
        exportDone = true;
        return { status: response.status, body };
      });
      assert.ok(await threadStarted(what, exported), `the ${what} was built without a thread`);
      const health = await fetch(`${server.url}/api/health`);
      assert.equal(health.status, 200);
      assert.equal(exportDone, false, `/api/health answered only after the ${what}`);
      const { status, body } = await exported;
      assert.equal(status, 200);
      assert.ok(body.length > 100_000, `${body.length} characters`);
      if (what === 'report') assert.equal(body.split('data:image/jpeg;base64,').length - 1, (CAMERAS * SHOTS_PER_CAMERA) / 2, 'every thumbnail read by the thread');
    });
  }

  test('every format over HTTP is byte for byte the synchronous export of the shots the route read', async () => {
    // Two cameras of scene 3: 100 shots, under an EDL's 999 events.
    const query = 'camera=cam-2,cam-5&scene=3';
    const listed = (await (await fetch(`${server.url}/api/shots?${query}`)).json()) as { shots: ShotRecord[] };
    assert.equal(listed.shots.length, 100);
    for (const format of EXPORT_FORMATS) {
      const response = await fetch(`${server.url}/api/shots?${query}&format=${format}`);
      assert.equal(response.status, 200, format);
      const bytes = Buffer.from(await response.arrayBuffer());
      const sync = exportShots(listed.shots, format, { title: 'shotscale cam-2,cam-5 scene 3', projectRate: '25', generatedAt: 0 });
      assert.equal(response.headers.get('content-type'), sync.contentType, format);
      // The JSON export says when it was made: that moment aside, the same bytes.
      const made = (text: string) => (format === 'json' ? text.replace(/"generatedAt": *"[^"]*"/, '"generatedAt":""') : text);
      assert.equal(made(bytes.toString('utf8')), made(sync.body), format);
      if (format !== 'json') assert.ok(bytes.equals(Buffer.from(sync.body, 'utf8')), format);
    }
  });

  test('an EDL or marker EDL of more than 999 events is a 400 saying how many and how to narrow it; shotscale export says the same', async () => {
    for (const format of ['edl', 'markers']) {
      const response = await fetch(`${server.url}/api/shots?format=${format}&camera=cam-1,cam-2`);
      assert.equal(response.status, 400, format);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, new RegExp(`^${format}: 2000 events are more than the 999`));
      assert.match(error.message, /one camera, scene, take, or a from\/to range/);
      assert.equal((await fetch(`${server.url}/api/shots?format=${format}&camera=cam-1&limit=999`)).status, 200, `${format}: 999 events`);
    }
    const cli = await runCli(['export', '--format', 'edl', '--db', path.join(dataDir, DATABASE_FILE), '--camera', 'cam-1']);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /error BAD_REQUEST: edl: 1000 events are more than the 999/);
    assert.equal(cli.stdout, '');
  });

  test('scene and take filters are trimmed as the slate trims them: scene=%2012 finds scene 12, in the list, an export and coverage', async () => {
    const list = (await (await fetch(`${server.url}/api/shots?scene=%2012%20&camera=cam-1`)).json()) as { count: number };
    assert.equal(list.count, 50);
    const csv = await (await fetch(`${server.url}/api/shots?scene=%2012&take=%203%20&camera=cam-1&format=csv`)).text();
    assert.equal(csv.trim().split('\n').length, 1 + 50);
    const coverage = (await (await fetch(`${server.url}/api/coverage?scene=%2012`)).json()) as Record<string, unknown>;
    const plain = (await (await fetch(`${server.url}/api/coverage?scene=12`)).json()) as Record<string, unknown>;
    assert.deepEqual(coverage, plain);
    assert.equal((plain as { stats: { shots: number } }).stats.shots, CAMERAS * 50, 'scene 12 on every camera');
    assert.equal((await (await fetch(`${server.url}/api/shots?scene=%20%20`)).json() as { count: number }).count, 0, 'a blank scene finds nothing, not every shot');
    // The takes of a scene, as the slate stores its name.
    const started = await fetch(`${server.url}/api/takes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scene: ' 12 ' }) });
    assert.equal(started.status, 201, await started.clone().text());
    const takes = (await (await fetch(`${server.url}/api/takes?scene=%2012`)).json()) as { running: { scene: string }[]; takes: { scene: string }[] };
    assert.deepEqual(takes.takes.map((take) => take.scene), ['12']);
  });
});
