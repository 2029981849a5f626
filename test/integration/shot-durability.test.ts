/**
 * The shot log survives the server being killed: a real `shotscale serve`
 * process logs a looping clip with cuts, is killed with SIGKILL mid-shot, and
 * a new server on the same data directory finds every closed shot as it was
 * and the open one closed at its last written frame.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI } from '../support/cli.js';
import { makeCutClip } from '../support/cut-clips.js';
import { tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, httpJson, startTestServer } from '../support/server-harness.js';
import type { ShotRecord } from '../../server/shared/shots.js';

async function shotsAt(url: string): Promise<ShotRecord[]> {
  return ((await httpJson(`${url}/api/shots`)).body as { shots: ShotRecord[] }).shots;
}

test('SIGKILL mid-run: closed shots are kept, the open one is closed at its last frame', { timeout: 90_000 }, async () => {
  const clip = await makeCutClip('hard-cuts');
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'server: { port: 0 }',
      `model: { manifest: ${JSON.stringify(FIXTURE_MANIFEST)}, executionProviders: [cpu] }`,
      `shots: { dataDir: ${JSON.stringify(dataDir)} }`,
      'cameras:',
      `  - { id: loop, analysisFps: 5, source: { kind: file, path: ${JSON.stringify(clip.path)}, loop: true, realtime: true } }`,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line within 30 s: ${stderr}`)), 30_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        const match = /listening on (http:\/\/\S+)/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    });

    // Wait for a few closed shots and an open one that has run for a while.
    let before: ShotRecord[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      before = await shotsAt(url);
      const open = before.find((s) => s.status === 'open');
      if (before.filter((s) => s.status === 'closed').length >= 3 && open && open.durationS > 0.5) break;
      if (Date.now() > deadline) throw new Error(`not enough shots within 30 s: ${JSON.stringify(before.map((s) => [s.status, s.durationS]))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
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
      assert.ok(closed.outTime <= killedAt + 100 && closed.outTime > killedAt - 1500, `closed at ${killedAt - closed.outTime} ms before the kill`);
      assert.ok(after.every((s) => s.status === 'closed'), 'nothing is left open');
    } finally {
      await server.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
