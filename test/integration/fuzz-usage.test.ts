/**
 * `npm run fuzz -- --help` died with ERR_PARSE_ARGS_UNKNOWN_OPTION and a
 * stack: it prints the usage now, and an option it does not know is a coded
 * line with the usage line and exit 2, before any server is started.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_DIR } from '../support/server-harness.js';

const RUN_FUZZ = path.join(REPO_DIR, 'test', 'fuzz', 'run-fuzz.ts');

function runFuzz(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', RUN_FUZZ, ...args], { cwd: REPO_DIR, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('--help prints the usage and every option, and exits 0', () => {
  for (const flag of ['--help', '-h']) {
    const { code, stdout, stderr } = runFuzz(flag);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^usage: npm run fuzz -- \[--http N\]/);
    for (const option of ['--http N', '--socket N', '--seed N', '--timeout MS', '--out FILE']) assert.ok(stdout.includes(`  ${option}`), `${option} is not described:\n${stdout}`);
    assert.doesNotMatch(stderr, /ERR_PARSE_ARGS|\n\s+at /);
  }
});

test('an unknown option, an argument or a value that is not a number: a coded line, the usage line, exit 2, no stack', () => {
  for (const [args, said] of [[['--bogus'], /Unknown option '--bogus'/], [['stray'], /Unexpected argument 'stray'/], [['--http', 'many'], /--http "many" is not a whole number/]] as const) {
    const { code, stdout, stderr } = runFuzz(...args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    const lines = stderr.trim().split('\n');
    assert.match(lines[0]!, /^error BAD_REQUEST: /);
    assert.match(lines[0]!, said);
    assert.match(lines[1]!, /^usage: npm run fuzz -- /);
    assert.equal(lines.length, 2, stderr);
  }
});
