/**
 * The inference thread is supervised: killed for real (made to exit, or to
 * throw, from outside through the inspector; test/support/model-threads.ts),
 * it is restarted with backoff, counted in /metrics and logged once, and
 * readouts resume. A thread that cannot load its model again is retried with
 * growing delays, never in a tight loop. dispose() does not restart it.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../server/app/shotscale-server.js';
import { deepFreeze } from '../../server/config/load-config.js';
import { isShotscaleError } from '../../server/errors.js';
import { WorkerModel } from '../../server/inference/worker/worker-model.js';
import { createLogger, silentLogger } from '../../server/shared/logger.js';
import { countModelThreads, inModelThreads } from '../support/model-threads.js';
import { tempDir } from '../support/media.js';
import { collectReadouts, connectClient, FIXTURE_MANIFEST, httpJson, SHARED_DIR, TEST_DIR, testConfig, testsrcCamera } from '../support/server-harness.js';

const FIXTURE_ONNX = path.join(SHARED_DIR, 'fixtures', 'movieshots-mobilenetv3-small-random.onnx');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server with one testsrc camera whose log lines (with the time they were written) the test keeps. */
async function startLogged(overrides: Record<string, unknown> = {}): Promise<{ server: RunningServer; lines: { at: number; text: string }[] }> {
  const lines: { at: number; text: string }[] = [];
  const log = createLogger('test', 'info', (text) => {
    lines.push({ at: performance.now(), text });
    if (process.env.SHOTSCALE_TEST_LOG) process.stderr.write(text + '\n');
  });
  const config = deepFreeze(testConfig({ cameras: [testsrcCamera('cam')], ...overrides }));
  return { server: await startServer({ config, file: null, baseDir: TEST_DIR }, { log }), lines };
}

async function restartsCounted(url: string): Promise<number> {
  const { status, body } = await httpJson(`${url}/metrics`);
  assert.equal(status, 200);
  const m = /^shotscale_inference_restarts_total\{model="default"\} (\d+)$/m.exec(String(body));
  return m ? Number(m[1]) : 0;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('inference thread supervision in a running server', () => {
  test('a thread that exits, then one that throws: each restarted, counted, logged once; readouts resume', async () => {
    const { server, lines } = await startLogged();
    const { client } = await connectClient(server.url);
    try {
      await collectReadouts(client, 3);
      assert.equal(await restartsCounted(server.url), 0);

      const kills: [string, RegExp][] = [
        ['process.exit(3)', /WARN  \[test:model:default\] the inference thread of movieshots-fixture stopped \(exit code 3\); restarting in 0\.2 s \(attempt 1\)$/],
        // Up less than healthyAfterS (10 s): the second restart waits twice as long.
        ['setTimeout(() => { throw new Error("rehearsed crash") })', /WARN  \[test:model:default\] the inference thread of movieshots-fixture stopped \(error: rehearsed crash\); restarting in 0\.4 s \(attempt 2\)$/],
      ];
      for (const [expression, logged] of kills) {
        const before = await restartsCounted(server.url);
        const killedAt = performance.now();
        assert.equal(await inModelThreads(expression), 1, 'one model thread reached');
        await until('restart counted', async () => (await restartsCounted(server.url)) === before + 1, 5000);
        // Captured after the old thread was found dead: only the new one can analyse it.
        const deadAt = Date.now();
        const [first] = await collectReadouts(client, 1, (r) => r.captureTime > deadAt, 10_000);
        const resumedS = (performance.now() - killedAt) / 1000;
        console.log(`# readouts resumed ${resumedS.toFixed(2)} s after ${expression}`);
        assert.ok(first && resumedS < 8, `resumed after ${resumedS} s`);
        await collectReadouts(client, 3, (r) => r.captureTime > deadAt, 5000);
        assert.equal(lines.filter((l) => logged.test(l.text)).length, 1, lines.map((l) => l.text).join('\n'));
      }
      assert.equal(await restartsCounted(server.url), 2);
      assert.equal(await countModelThreads(), 1, 'exactly one model thread runs after two restarts');
      // The batches that failed while it restarted: at most one line per restart, with its code's message.
      const batchLines = lines.filter((l) => l.text.includes('inference failed for a batch'));
      assert.ok(batchLines.length <= 2, batchLines.map((l) => l.text).join('\n'));
      for (const l of batchLines) assert.match(l.text, /inference failed for a batch: INFERENCE_UNAVAILABLE: the inference thread of movieshots-fixture stopped/);
      assert.equal(lines.filter((l) => /the inference thread of movieshots-fixture is back/.test(l.text)).length, 2);
    } finally {
      client.close();
      await server.close();
    }
    assert.equal(await countModelThreads(), 0, 'closing the server stops the thread for good');
  });

  test('a thread that cannot load its model again is retried with growing delays, then comes back', async () => {
    const dir = tempDir();
    const onnx = path.join(dir, 'model.onnx');
    copyFileSync(FIXTURE_ONNX, onnx);
    const manifest = JSON.parse(readFileSync(FIXTURE_MANIFEST, 'utf8')) as Record<string, unknown>;
    manifest.file = onnx;
    const manifestPath = path.join(dir, 'model.manifest.json');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const { server, lines } = await startLogged({ model: { manifest: manifestPath }, supervisor: { backoffInitialS: 0.2, backoffMaxS: 1 } });
    const { client } = await connectClient(server.url);
    try {
      await collectReadouts(client, 2);
      writeFileSync(onnx, readFileSync(FIXTURE_ONNX).subarray(0, 100_000)); // cut short on disk
      assert.equal(await inModelThreads('process.exit(4)'), 1);
      const restartLines = () => lines.filter((l) => /WARN  \[test:model:default\] the inference thread of movieshots-fixture (stopped|did not start again)/.test(l.text));
      await until('four restarts', () => restartLines().length >= 4, 20_000);
      const seen = restartLines().slice(0, 4);
      assert.match(seen[0]!.text, /stopped \(exit code 4\); restarting in 0\.2 s \(attempt 1\)/);
      const delays = seen.map((l) => Number(/restarting in ([\d.]+) s/.exec(l.text)![1]));
      assert.deepEqual(delays, [0.2, 0.4, 0.8, 1], 'doubling up to backoffMaxS');
      for (const l of seen.slice(1)) assert.match(l.text, /did not start again \(MODEL_LOAD_FAILED: onnxruntime could not load .*model\.onnx/);
      // Each new thread waited its delay: the time between two restart lines is at least the first one's delay.
      for (let i = 1; i < seen.length; i++) {
        const gapS = (seen[i]!.at - seen[i - 1]!.at) / 1000;
        assert.ok(gapS >= delays[i - 1]!, `restart ${i + 1} came ${gapS.toFixed(2)} s after restart ${i}, its delay was ${delays[i - 1]} s`);
      }
      assert.ok((await restartsCounted(server.url)) >= 4);
      assert.ok((await countModelThreads()) <= 1, 'failed threads do not pile up');

      copyFileSync(FIXTURE_ONNX, onnx);
      const fixedAt = Date.now();
      // At most backoffMaxS (1 s) plus a load away.
      await collectReadouts(client, 2, (r) => r.captureTime > fixedAt, 15_000);
      assert.equal(await restartsCounted(server.url), restartLines().length);
    } finally {
      client.close();
      await server.close();
    }
    assert.equal(await countModelThreads(), 0);
  });
});

describe('WorkerModel restart and dispose', () => {
  const options = { executionProviders: ['cpu' as const], intraOpThreads: 1 };
  const frame = { width: 224, height: 224, data: new Uint8Array(224 * 224 * 3) };

  test('while restarting, predict() fails at once with INFERENCE_UNAVAILABLE, one error per restart', async () => {
    let restarts = 0;
    const model = await WorkerModel.load(FIXTURE_MANIFEST, options, silentLogger, { backoffInitialS: 2, onRestart: () => restarts++ });
    try {
      assert.equal((await model.predict([frame])).length, 1);
      await inModelThreads('process.exit(5)');
      await until('restart', () => restarts === 1, 5000);
      const started = performance.now();
      const errors = await Promise.all([model.predict([frame]), model.predict([frame])].map((p) => p.then(() => null, (e: unknown) => e)));
      const tookMs = performance.now() - started;
      assert.ok(errors.every((e) => isShotscaleError(e, 'INFERENCE_UNAVAILABLE')), String(errors));
      assert.equal(errors[0], errors[1], 'the same error object, so a caller can log it once');
      assert.ok(tookMs < 100, `rejected in ${tookMs.toFixed(1)} ms, not after the 2 s backoff`);
    } finally {
      await model.dispose();
    }
  });

  test('dispose() stops the thread without a restart, also in the middle of a backoff', async () => {
    let restarts = 0;
    const onRestart = () => restarts++;
    const model = await WorkerModel.load(FIXTURE_MANIFEST, options, silentLogger, { backoffInitialS: 0.2, onRestart });
    assert.equal(await countModelThreads(), 1);
    await model.dispose();
    await sleep(600);
    assert.equal(restarts, 0);
    assert.equal(await countModelThreads(), 0);
    await assert.rejects(model.predict([frame]), /disposed/);

    const again = await WorkerModel.load(FIXTURE_MANIFEST, options, silentLogger, { backoffInitialS: 0.3, onRestart });
    await inModelThreads('process.exit(6)');
    await until('restart scheduled', () => restarts === 1, 5000);
    await again.dispose();
    await sleep(800);
    assert.equal(restarts, 1, 'no restart after dispose');
    assert.equal(await countModelThreads(), 0, 'the pending restart started no thread');
  });
});
