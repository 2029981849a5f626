/** The command line as eval, calibrate, classify and log read it (command-options.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_BATCH, parseCommandArgs, UsageError, wholeNumberOption } from '../../server/cli/command-options.js';

const options = { fps: { type: 'string' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' } } as const;
const parse = (args: string[]) => parseCommandArgs({ args, allowPositionals: true, options });

describe('parseCommandArgs: a negative number after an option', () => {
  test('is the option\'s value (node called "--fps -1" ambiguous), long and short alike', () => {
    assert.equal(parse(['--fps', '-1']).values.fps, '-1');
    assert.equal(parse(['clip.mp4', '--fps', '-0.5']).values.fps, '-0.5');
    assert.equal(parse(['--fps', '-.5']).values.fps, '-.5');
    assert.equal(parse(['-o', '-2']).values.out, '-2');
  });

  test('an option that takes no value, "--" and what follows it, and a dash not before a digit are as node reads them', () => {
    const after = parse(['--fps', '3', '--', '--fps', '-1']);
    assert.deepEqual([after.values.fps, after.positionals], ['3', ['--fps', '-1']]);
    assert.throws(() => parse(['--json', '-1']), (error: Error & { code?: string }) => error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION');
    assert.throws(() => parse(['--fps', '-x']), (error: Error & { code?: string }) => error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE');
  });

  test('given twice, once as a negative number, is refused as any option given twice is', () => {
    assert.throws(() => parse(['--fps', '2', '--fps', '-1']), (error) => error instanceof UsageError && /--fps given 2 times \("2", "-1"\)/.test(error.message));
  });
});

describe('--batch', () => {
  test('at most the server\'s own bound on a batch (pipeline.batch.maxSize: 64)', () => {
    assert.equal(MAX_BATCH, 64);
    assert.equal(wholeNumberOption('batch', '64', 1, MAX_BATCH), 64);
    for (const value of ['65', '1000000000', '1e12']) {
      assert.throws(() => wholeNumberOption('batch', value, 1, MAX_BATCH), (error) => error instanceof UsageError && error.message === `--batch "${value}": a whole number from 1 to 64`);
    }
  });
});
