/**
 * onnxruntime-node's telemetry is off: a real process that loads a model
 * leaves nothing under its HOME (onnxruntime keeps its id in
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ when telemetry is on), and,
 * where strace is installed, never opens /etc/machine-id.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, runCli } from '../support/cli.js';
import { tempDir } from '../support/media.js';
import { FIXTURE_MANIFEST, REPO_DIR, SHARED_DIR } from '../support/server-harness.js';

const IMAGE = path.join(SHARED_DIR, 'evalset', 'cinemanet', 'img', 'cn_0001.jpg');
const FIXTURE_ONNX = path.join(SHARED_DIR, 'fixtures', 'movieshots-mobilenetv3-small-random.onnx');
const cacheOf = (home: string) => path.join(home, '.cache', 'Microsoft');

function fixtureConfig(): string {
  const file = path.join(tempDir(), 'config.yaml');
  writeFileSync(file, `model: { manifest: ${FIXTURE_MANIFEST}, executionProviders: [cpu] }\n`);
  return file;
}

const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** Environment variables by which onnxruntime's telemetry tells a CI machine and stays off there. */
const CI_VARIABLES = ['CI', 'TF_BUILD', 'GITHUB_ACTIONS', 'GITLAB_CI', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'CODEBUILD_BUILD_ID', 'BUILDKITE', 'TEAMCITY_VERSION', 'APPVEYOR'];

/**
 * This environment as on a user's machine: without the CI variables (with
 * them, onnxruntime's telemetry is off by itself and every check here would
 * pass for the wrong reason) and without ORT_DISABLE_TELEMETRY (this test
 * process set it when it loaded the onnx adapter), plus `extra`.
 */
function userEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // Undefined, not deleted: a child process gets no such variable either way, and merged over process.env it still hides it.
  const unset = Object.fromEntries([...CI_VARIABLES, 'ORT_DISABLE_TELEMETRY'].map((name) => [name, undefined]));
  return { ...process.env, ...unset, ...extra };
}

describe('onnxruntime telemetry', () => {
  test('shotscale classify (model in its thread) writes nothing under HOME', async () => {
    const config = fixtureConfig();
    const home = tempDir();
    // Unset, not inherited: this test process has set it already (the harness loads the onnx adapter).
    const off = await runCli(['classify', '--config', config, IMAGE], { env: userEnv({ HOME: home }) });
    assert.equal(off.code, 0, off.stderr);
    assert.equal(existsSync(cacheOf(home)), false, `${cacheOf(home)} was made`);
  });

  /**
   * Opens a session through the onnx adapter and, for up to `waitMs`, watches
   * HOME for onnxruntime's directory (its telemetry writes it from a thread of
   * its own, so a process that exits at once may beat it).
   */
  function openSessionWithHome(home: string, telemetry: string | undefined, waitMs: number): { opened: boolean; made: boolean } {
    const script = `
      const { existsSync } = await import('node:fs');
      const { openSession } = await import(${JSON.stringify(path.join(REPO_DIR, 'server/inference/onnx-session.ts'))});
      const { silentLogger } = await import(${JSON.stringify(path.join(REPO_DIR, 'server/shared/logger.ts'))});
      const { session } = await openSession(${JSON.stringify(FIXTURE_ONNX)}, { executionProviders: ['cpu'], intraOpThreads: 1 }, silentLogger);
      const until = Date.now() + ${waitMs};
      while (Date.now() < until && !existsSync(${JSON.stringify(cacheOf(home))})) await new Promise((r) => setTimeout(r, 100));
      await session.release();
      console.log('opened');`;
    const env = userEnv({ HOME: home, ...(telemetry === undefined ? {} : { ORT_DISABLE_TELEMETRY: telemetry }) });
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_DIR, env, encoding: 'utf8' });
    return { opened: /opened/.test(out), made: existsSync(cacheOf(home)) };
  }

  test('a process that only imports the onnx adapter and opens a session writes nothing under HOME (given 3 s to)', () => {
    const { opened, made } = openSessionWithHome(tempDir(), undefined, 3000);
    assert.ok(opened);
    assert.equal(made, false);
  });

  test('the check can fail: with ORT_DISABLE_TELEMETRY=0 (the user\'s choice is kept) the directory appears', () => {
    const { opened, made } = openSessionWithHome(tempDir(), '0', 15_000);
    assert.ok(opened);
    assert.equal(made, true, 'telemetry on leaves its directory');
  });

  test('/etc/machine-id is never opened', { skip: hasStrace ? false : 'strace not installed' }, () => {
    const home = tempDir();
    const trace = path.join(tempDir(), 'strace.txt');
    const env = userEnv({ HOME: home });
    const res = spawnSync('strace', ['-f', '-e', 'trace=open,openat', '-o', trace, process.execPath, CLI, 'classify', '--config', fixtureConfig(), IMAGE], { cwd: REPO_DIR, env, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const opened = readFileSync(trace, 'utf8').split('\n').filter((line) => line.includes('/etc/machine-id'));
    assert.deepEqual(opened, []);
  });
});
