/**
 * The shot log survives the server being killed: a real `shotscale serve`
 * process logs a looping clip with cuts, is killed with SIGKILL mid-shot, and
 * a new server on the same data directory finds every closed shot as it was
 * and the open one closed at its last written frame. An unexpected error
 * inside the server closes the open shot itself and exits non-zero.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, startServeProcess, writeServeConfig } from '../support/cli.js';
import { makeCutClip } from '../support/cut-clips.js';
import { tempDir } from '../support/media.js';
import { httpJson, startTestServer, TEST_DIR } from '../support/server-harness.js';
import type { ShotRecord } from '../../server/shared/shots.js';

async function shotsAt(url: string): Promise<ShotRecord[]> {
  return ((await httpJson(`${url}/api/shots`)).body as { shots: ShotRecord[] }).shots;
}

/** A real `shotscale serve` (or another entry taking the same arguments) logging a looping clip with cuts. */
async function startLoggingServer(entry = CLI): Promise<{ child: ChildProcess; url: string; dataDir: string; stderr: () => string }> {
  const clip = await makeCutClip('hard-cuts');
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  const config = writeServeConfig(path.join(dir, 'config.yaml'), dataDir, [`{ id: loop, analysisFps: 5, source: { kind: file, path: ${JSON.stringify(clip.path)}, loop: true, realtime: true } }`]);
  const { child, url, stderr } = await startServeProcess(config, entry);
  return { child, url, dataDir, stderr };
}

/** Waits for a few closed shots and an open one that has run for a while. */
async function shotsUnderWay(url: string): Promise<ShotRecord[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const shots = await shotsAt(url);
    const open = shots.find((s) => s.status === 'open');
    if (shots.filter((s) => s.status === 'closed').length >= 3 && open && open.durationS > 0.5) return shots;
    if (Date.now() > deadline) throw new Error(`not enough shots within 30 s: ${JSON.stringify(shots.map((s) => [s.status, s.durationS]))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('SIGKILL mid-run: closed shots are kept, the open one is closed at its last frame', { timeout: 90_000 }, async () => {
  const { child, url, dataDir } = await startLoggingServer();
  try {
    const before = await shotsUnderWay(url);
    const fetchedAt = Date.now();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await exited;

    const server = await startTestServer({ shots: { dataDir } });
    try {
      const after = await shotsAt(server.url);
      const wasOpen = before.find((s) => s.status === 'open')!;
      for (const shot of before.filter((s) => s.status === 'closed')) {
        const kept = after.find((s) => s.id === shot.id);
        assert.ok(kept, `closed shot ${shot.id} survived`);
        assert.deepEqual(
          [kept.status, kept.inFrame, kept.outFrame, kept.tcIn, kept.tcOut, kept.scale, kept.cutIn, kept.cutOut, kept.hasThumbnail],
          [shot.status, shot.inFrame, shot.outFrame, shot.tcIn, shot.tcOut, shot.scale, shot.cutIn, shot.cutOut, shot.hasThumbnail],
        );
      }
      const closed = after.find((s) => s.id === wasOpen.id);
      assert.ok(closed, 'the shot open at the kill is still there');
      assert.equal(closed.status, 'closed');
      assert.equal(closed.cutOut, 'restart');
      assert.equal(closed.inFrame, wasOpen.inFrame);
      // Written four times a second, so it ends within a fraction of a second of the kill.
      assert.ok(closed.outTime >= wasOpen.outTime - 300, `out ${closed.outTime} vs ${wasOpen.outTime} seen before the kill`);
      // The kill in the server's own clock: the open shot's out point when read, plus the time
      // until the kill (both processes' clocks are not compared: under load they differ by 100 ms or more).
      const killInServerTime = wasOpen.outTime + (killedAt - fetchedAt);
      assert.ok(closed.outTime <= killInServerTime + 300 && closed.outTime > killInServerTime - 1500, `closed at ${(killInServerTime - closed.outTime).toFixed(0)} ms before the kill`);
      assert.ok(after.every((s) => s.status === 'closed'), 'nothing is left open');
    } finally {
      await server.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test('an unexpected error: logged, the open shot closed by the server itself, exit 70 for a supervisor', { timeout: 90_000 }, async () => {
  const { child, url, dataDir, stderr } = await startLoggingServer(path.join(TEST_DIR, 'support', 'crashing-serve.mjs'));
  try {
    const before = await shotsUnderWay(url);
    const wasOpen = before.find((s) => s.status === 'open')!;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGUSR2');
    assert.equal(await exited, 70);
    assert.match(stderr(), /unexpected error, exiting with 70[^\n]*rehearsed unexpected error/);
    assert.match(stderr(), /open shots closed at their last frame/);
    assert.doesNotMatch(stderr(), /closed \d+ shot\(s\)/, 'nothing needed recovery');

    // Read the file as it was left, before any server could recover it.
    const db = new Database(path.join(dataDir, 'shotscale.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, status, cut_out FROM shots ORDER BY id').all() as { id: number; status: string; cut_out: string | null }[];
      assert.ok(rows.length >= before.length);
      assert.deepEqual(rows.filter((r) => r.status !== 'closed'), [], 'no shot left open');
      assert.equal(rows.find((r) => r.id === wasOpen.id)?.cut_out, 'restart');
    } finally {
      db.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
