/**
 * The bench:* scripts' options (bench/bench-options.ts): a bad option or
 * value is a coded one-line BAD_REQUEST with the usage, exit 2, before any
 * work and without touching the results file (`--rounds abc` wrote a table
 * of nulls over models.json; `--bogus` was a stack trace); --help is the
 * usage, exit 0. The scripts run as `npm run bench:*` runs them (tsx), and
 * stop at their options, so this is fast.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listOf, numberFrom, positiveNumber, wholeNumber } from '../../bench/bench-options.js';
import { isShotscaleError } from '../../server/errors.js';
import { REPO_DIR } from '../support/server-harness.js';
import { tempDir } from '../support/media.js';

const EARLIER = '{"rows": ["an earlier run"]}\n';

/** Runs a bench script with `args` and --out at a results file of an earlier run; its exit, output and that file after. */
function runBench(script: string, args: string[]): { status: number | null; stdout: string; stderr: string; results: string } {
  const out = path.join(tempDir(), 'results.json');
  writeFileSync(out, EARLIER);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_DIR, 'bench', script), ...args, '--out', out], { cwd: REPO_DIR, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, results: readFileSync(out, 'utf8') };
}

/** stderr is the coded line, then a blank line and the usage. */
function assertRefused(run: ReturnType<typeof runBench>, message: RegExp, usage: string): void {
  assert.equal(run.status, 2, run.stderr);
  const [first, ...rest] = run.stderr.trimEnd().split('\n');
  assert.match(first!, /^error BAD_REQUEST: /);
  assert.match(first!, message);
  assert.ok(rest.join('\n').includes(`usage: ${usage}`), run.stderr);
  assert.doesNotMatch(run.stderr, /TypeError|ERR_PARSE_ARGS|\n\s+at /, 'no stack trace');
  assert.equal(run.results, EARLIER, 'the earlier results are left as they were');
  assert.equal(run.stdout, '', 'no figures printed');
}

describe('a bench script given a bad option', () => {
  test('bench:model --rounds abc, 0 and 1.5: refused, models.json untouched', () => {
    for (const rounds of ['abc', '0', '1.5']) assertRefused(runBench('model-bench.ts', ['--rounds', rounds]), new RegExp(`--rounds "${rounds.replace('.', '\\.')}": a whole number of at least 1`), 'npm run bench:model');
  });

  test('bench:model --bogus: refused as an unknown option', () => {
    assertRefused(runBench('model-bench.ts', ['--bogus']), /Unknown option '--bogus'/, 'npm run bench:model');
  });

  test('bench:steadiness --fps abc and --fps 2,0: refused, steadiness.json untouched', () => {
    assertRefused(runBench('steadiness-bench.ts', ['--fps', 'abc']), /--fps "abc": a number more than 0 and at most 60 each/, 'npm run bench:steadiness');
    assertRefused(runBench('steadiness-bench.ts', ['--fps', '2,0']), /--fps "2,0"/, 'npm run bench:steadiness');
  });

  test('bench:conventions --per-class -3: one line, not a stack trace', () => {
    const run = runBench('conventions-bench.ts', ['--per-class', '-3']);
    assertRefused(run, /--per-class/, 'npm run bench:conventions');
    assert.equal(run.stderr.split('\n\n')[0]!.split('\n').filter((l) => !l.startsWith('  hint:')).length, 1, run.stderr);
    assertRefused(runBench('conventions-bench.ts', ['--per-class=-3']), /--per-class "-3": a whole number of at least 1/, 'npm run bench:conventions');
  });

  test('bench:cluster --lease 0 and bench:dashboard --cameras 0: refused before any engine or server starts', () => {
    assertRefused(runBench('cluster-bench.ts', ['--lease', '0']), /--lease "0": a number of at least 1 and at most 300/, 'npm run bench:cluster');
    assertRefused(runBench('dashboard-bench.ts', ['--cameras', '0']), /--cameras "0": a whole number of at least 1/, 'npm run bench:dashboard');
  });

  test('--help prints the usage and exits 0', () => {
    const run = runBench('steadiness-bench.ts', ['--help']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^usage: npm run bench:steadiness/);
    assert.match(run.stdout, /--fps N,\.\.\./);
    assert.equal(run.results, EARLIER);
  });
});

describe('the option checks', () => {
  const refused = (f: () => unknown, message: RegExp) => assert.throws(f, (e) => isShotscaleError(e, 'BAD_REQUEST') && message.test(e.message));

  test('whole numbers, positive numbers, ranges and lists', () => {
    assert.equal(wholeNumber('rounds', '8', 1), 8);
    refused(() => wholeNumber('rounds', '', 1), /--rounds "": a whole number of at least 1/);
    assert.equal(positiveNumber('fps', '2.5', 60), 2.5);
    refused(() => positiveNumber('fps', 'Infinity'), /a number more than 0/);
    refused(() => positiveNumber('fps', '61', 60), /at most 60/);
    assert.equal(numberFrom('warmup', '0', 0), 0);
    refused(() => numberFrom('warmup', '-1', 0), /--warmup "-1": a number of at least 0/);
    assert.deepEqual(listOf('fps', '2,5', (name, item) => positiveNumber(name, item)), [2, 5]);
    refused(() => listOf('fps', '2,', (name, item) => positiveNumber(name, item)), /--fps "2,": a number more than 0 each, separated by commas/);
  });
});
