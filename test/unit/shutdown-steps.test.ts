import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedStep } from '../../server/app/shutdown-steps.js';
import { createLogger } from '../../server/shared/logger.js';

function recordingLogger() {
  const lines: string[] = [];
  return { lines, log: createLogger('test', 'info', (line) => lines.push(line)) };
}

test('a step that never ends is left after its limit, named in the log, and the next step runs', async () => {
  const { lines, log } = recordingLogger();
  const done: string[] = [];
  const started = Date.now();
  await boundedStep('stopping cameras', () => new Promise(() => undefined), log, 200);
  await boundedStep('closing HTTP', async () => void done.push('http'), log, 200);
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(done, ['http']);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /stopping: stopping cameras still not done after 0\.2 s; going on without it/);
});

test('a step that fails is logged with its error and the stop goes on; one that ends in time says nothing', async () => {
  const { lines, log } = recordingLogger();
  await boundedStep('releasing the models', () => Promise.reject(new Error('session busy')), log, 1000);
  await boundedStep('the last inference batch', () => new Promise((resolve) => setTimeout(resolve, 20)), log, 1000);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /stopping: releasing the models failed \(Error: session busy\); going on/);
});
