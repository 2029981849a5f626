/**
 * The first start, as a new user meets it: `npm start` (scripts/start.mjs)
 * on the shipped config, on this CPU-only machine. The log is clean (one line
 * says which execution provider runs, no native error lines), the server runs
 * with the environment it needs, the demo reel's four cameras produce
 * readouts with reasons, cuts and shots, and SIGTERM stops it cleanly.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeServeConfig } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { collectReadouts, connectClient, REPO_DIR } from '../support/server-harness.js';

const START = path.join(REPO_DIR, 'scripts', 'start.mjs');

/** The pids of `parent`'s child processes, from /proc (Linux). */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('npm start on a fresh checkout', () => {
  test('npm start runs scripts/start.mjs', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.start, 'node scripts/start.mjs');
  });

  test('a clean log, the environment set, the demo reel live with readouts, cuts and shots, and a clean stop', async () => {
    let server: number | undefined;
    const startedAt = Date.now();
    const env = { ...process.env };
    delete env.MALLOC_ARENA_MAX;
    const child = spawn(process.execPath, [START, '--port', '0'], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed\n${stderr}`)), 30_000);
        child.stdout.setEncoding('utf8').on('data', (t: string) => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(t);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });

      // One line says which provider runs and how to get the GPU one; nothing red, nothing at error level.
      assert.match(stderr, /ffmpeg: .* \(from (config|env|ffmpeg-static|@ffmpeg-installer\/ffmpeg|PATH);/);
      const providerLines = stderr.split('\n').filter((l) => /execution provider/.test(l));
      assert.equal(providerLines.length, 1, providerLines.join('\n'));
      assert.match(providerLines[0]!, /execution provider cpu \(cuda not installed here; to use the GPU, install onnxruntime-node with its CUDA binaries/);
      assert.doesNotMatch(stderr, /\u001b\[1;31m|E:onnxruntime|ERROR|libonnxruntime_providers/, stderr);

      // The server (the launcher's child) runs with MALLOC_ARENA_MAX set by npm start itself.
      [server] = childrenOf(child.pid!);
      assert.ok(server, 'the server runs as the launcher\'s child');
      assert.match(readFileSync(`/proc/${server}/environ`, 'utf8'), /(^|\0)MALLOC_ARENA_MAX=2(\0|$)/);

      let cameras: { cameraId: string; name: string; state: string }[] = [];
      for (let i = 0; i < 50 && cameras.filter((c) => c.state === 'live').length < 4; i++) {
        await sleep(200);
        cameras = (await (await fetch(`${url}/api/cameras`)).json()) as typeof cameras;
      }
      assert.deepEqual(cameras.map((c) => [c.cameraId, c.state]), [['cam-1', 'live'], ['cam-2', 'live'], ['cam-3', 'live'], ['cam-4', 'live']]);
      assert.deepEqual(cameras.map((c) => c.name), ['Tears of Steel', 'Hikers', 'Selfie', 'Gallery']);

      // Every camera gives readouts with a reason and who is in the shot.
      const { client } = await connectClient(url);
      const seen = new Set<string>();
      const readouts = await collectReadouts(client, 1, (r) => {
        if (!r.reason || !r.subjects) return false;
        seen.add(r.cameraId);
        return seen.size === 4;
      }, 30_000);
      client.close();
      assert.equal(readouts[0]!.model, 'framing-default');

      // Tears of Steel cuts three times in ten seconds: shots land in the log within a loop or two.
      let shots: { cameraId: string; scale: string }[] = [];
      for (let i = 0; i < 60 && shots.length < 3; i++) {
        await sleep(500);
        const body = (await (await fetch(`${url}/api/shots?camera=cam-1&from=${startedAt}&status=closed`)).json()) as { shots: typeof shots };
        shots = body.shots;
      }
      assert.ok(shots.length >= 3, `closed shots of cam-1: ${JSON.stringify(shots)}`);
      const coverage = (await (await fetch(`${url}/api/coverage?from=${startedAt}`)).json()) as Record<string, unknown>;
      assert.ok(coverage && typeof coverage === 'object');

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      assert.equal(code, 0);
      assert.match(stderr, /SIGTERM: stopping/);
      assert.deepEqual(childrenOf(child.pid!), [], 'the server stopped with the launcher');
    } finally {
      if (child.exitCode === null) {
        // After a failure: ask nicely (the launcher passes it on), then make sure.
        child.kill('SIGTERM');
        await Promise.race([new Promise((resolve) => child.once('close', resolve)), sleep(10_000)]);
        // The server too: a launcher killed outright cannot pass the signal on.
        for (const pid of [server ?? 0, ...childrenOf(child.pid!)]) if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        child.kill('SIGKILL');
      }
    }
  });

  test('npm stopped by a signal (its shell gone, the signal not passed on): the server stops too, freeing its port and data directory', async () => {
    const dir = tempDir();
    const config = writeServeConfig(path.join(dir, 'serve.yaml'), path.join(dir, 'data'), ['{ id: bars, source: { kind: testsrc, width: 64, height: 48, fps: 5 } }']);
    // As npm runs it: a shell that does not exec its one command, so the launcher is the shell's child.
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${START}" --config "${config}"; true`], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    shell.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const pids: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed\n${stderr}`)), 30_000);
        shell.stdout.setEncoding('utf8').on('data', (t: string) => {
          if (/listening on http:/.test(t)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const [launcher] = childrenOf(shell.pid!);
      assert.ok(launcher, 'the launcher runs under the shell');
      pids.push(launcher, ...childrenOf(launcher));
      assert.equal(pids.length, 2, 'the launcher and its server');
      // npm killed: its shell dies with it and passes nothing on.
      shell.kill('SIGKILL');
      const alive = () => pids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      for (let i = 0; i < 60 && alive().length; i++) await sleep(250);
      assert.deepEqual(alive(), [], 'the launcher and the server stopped');
      assert.match(stderr, /the process that ran "npm start" has gone .*stopping the server/);
      assert.match(stderr, /SIGTERM: stopping cameras and server/, 'a clean stop, as on SIGTERM');
    } finally {
      for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  });
});
