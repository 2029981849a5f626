/**
 * A real server whose shot log lives on a disk that really fills: a 2 MiB
 * tmpfs as shots.dataDir, filled to ENOSPC by a filler file while a testsrc
 * camera runs. The server keeps analysing, raises the storage alert, answers
 * a slate with 507 STORAGE_FULL, and holds the shots it closes meanwhile;
 * once the filler is deleted, every one of them is in the database, closed,
 * and the alert resolves.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../server/app/shotscale-server.js';
import type { Alert, ShotRecord } from '../../server/shared/shots.js';
import { tempDir } from '../support/media.js';
import { collectReadouts, connectClient, httpJson, startTestServer, testsrcCamera, type TestClient } from '../support/server-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dataDir = '';
let mountError: string | null = null;

before(() => {
  dataDir = path.join(tempDir(), 'data');
  mkdirSync(dataDir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dataDir], { stdio: 'pipe' });
  } catch (error) {
    mountError = ((error as { stderr?: Buffer }).stderr?.toString() || String(error)).trim();
  }
});

after(() => {
  if (!mountError) execFileSync('umount', [dataDir]);
});

/** Writes `file` until the filesystem refuses (ENOSPC): big chunks, then ever smaller ones. Returns the bytes written. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [65536, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          const n = writeSync(fd, chunk);
          written += n;
          if (n < size) break;
        } catch (error) {
          assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const activeAlerts = async (url: string) => ((await httpJson(`${url}/api/alerts`)).body as { active: Alert[] }).active;
const storedShots = async (url: string) => ((await httpJson(`${url}/api/shots`)).body as { shots: ShotRecord[] }).shots;

test('the disk fills while a camera runs: analysis goes on, shots are held under a storage alert, and all are written when space returns', { timeout: 120_000 }, async (t) => {
  if (mountError) {
    t.skip(`cannot mount a tmpfs here: ${mountError}`);
    return;
  }
  let server: RunningServer | null = null;
  let client: TestClient | null = null;
  const filler = path.join(dataDir, 'filler');
  try {
    server = await startTestServer({ shots: { dataDir }, cameras: [testsrcCamera('cam-1')] });
    const { url } = server;
    const shotLog = server.shotLog!;
    assert.equal(shotLog.file, path.join(dataDir, 'shotscale.sqlite'));
    client = (await connectClient(url)).client;
    const shotEvents: ShotRecord[] = [];
    const alertEvents: Alert[] = [];
    client.on('shot', (shot) => shotEvents.push(shot));
    client.on('alert', (alert) => alertEvents.push(alert));
    await collectReadouts(client, 3, (r) => r.cameraId === 'cam-1');
    const slated = await httpJson(`${url}/api/takes`, { method: 'POST', body: { scene: '21' } });
    assert.equal(slated.status, 201, JSON.stringify(slated.body));
    await sleep(600);

    // Fill the disk. The open shot is written four times a second, so the next write fails.
    const written = fillDisk(filler);
    assert.ok(written > 0, 'the filler took what space was left');
    const storage = await until('the storage alert', async () => (await activeAlerts(url)).find((a) => a.kind === 'storage'), 10_000);
    assert.equal(storage.severity, 'critical');
    assert.ok(storage.message.startsWith(`The shot log at ${shotLog.file} cannot be written (SQLITE_FULL: database or disk is full); `), storage.message);
    assert.match(storage.message, /\d+ shots? (is|are) held in memory/);
    assert.ok(alertEvents.some((a) => a.kind === 'storage' && a.resolvedAt === null), 'pushed to the dashboard');

    // A slate cannot be stored: 507 with the code, and nothing half-done.
    const refused = await httpJson(`${url}/api/takes`, { method: 'POST', body: { scene: '22' } });
    assert.equal(refused.status, 507, JSON.stringify(refused.body));
    const refusal = (refused.body as { error: { code: string; message: string } }).error;
    assert.equal(refusal.code, 'STORAGE_FULL');
    assert.ok(refusal.message.includes(shotLog.file), refusal.message);
    assert.deepEqual(shotLog.runningTakes().map((take) => take.scene), ['21']);

    // Close shots while full: split the shot on air, as a slate would.
    const mark = shotEvents.length;
    const tracker = shotLog.tracker('cam-1')!;
    for (let i = 0; i < 4; i++) {
      tracker.setTake(tracker.currentTake);
      await sleep(700);
    }
    const readouts = await collectReadouts(client, 5, (r) => r.cameraId === 'cam-1');
    assert.equal(readouts.length, 5, 'still analysing');
    const closedWhileFull = await until('four shots closed', async () => {
      const closed = shotEvents.slice(mark).filter((s) => s.status === 'closed');
      return closed.length >= 4 && closed;
    });
    assert.ok((await activeAlerts(url)).some((a) => a.kind === 'storage'), 'still full');
    const held = shotLog.heldWrites()!;
    assert.ok(held.shots >= 5, `the shots closed and the one open are held: ${JSON.stringify(held)}`);
    // Reads come from the database: the shots held are not there yet.
    const duringOutage = await storedShots(url);
    for (const shot of closedWhileFull) {
      assert.notEqual(duringOutage.find((s) => s.id === shot.id)?.status, 'closed', `shot ${shot.id} was really held, not written`);
    }

    // Space returns: within a retry or two, every held shot is written and the alert resolves.
    rmSync(filler);
    await until('the storage alert resolving', async () => !(await activeAlerts(url)).some((a) => a.kind === 'storage'), 10_000);
    assert.equal(shotLog.heldWrites(), null);
    const stored = await storedShots(url);
    for (const shot of closedWhileFull) {
      const kept = stored.find((s) => s.id === shot.id);
      assert.ok(kept, `shot ${shot.id}, closed while the disk was full, is in the log`);
      assert.deepEqual(
        [kept.status, kept.inFrame, kept.outFrame, kept.cutIn, kept.cutOut, kept.scene, kept.take, kept.hasThumbnail],
        ['closed', shot.inFrame, shot.outFrame, shot.cutIn, 'take', '21', '1', shot.hasThumbnail],
      );
    }
    const ids = stored.map((s) => s.id);
    assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b), 'ids unique and in order');
    const history = ((await httpJson(`${url}/api/alerts?history=1`)).body as { history: Alert[] }).history;
    const record = history.find((a) => a.kind === 'storage');
    assert.ok(record && record.resolvedAt !== null, `the outage is in the alert history: ${JSON.stringify(history)}`);
    assert.ok(alertEvents.some((a) => a.kind === 'storage' && a.resolvedAt !== null), 'the resolution was pushed');

    // Slates work again.
    assert.equal((await httpJson(`${url}/api/takes`, { method: 'POST', body: { scene: '22' } })).status, 201);
  } finally {
    client?.close();
    await server?.close();
    rmSync(filler, { force: true });
  }
});
