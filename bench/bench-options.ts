/**
 * The bench:* scripts' options, read as `shotscale bench` reads its own
 * (server/cli/command-options.ts): `--help` prints the script's usage (exit
 * 0); an unknown option, a missing value or a bad number is one coded line
 * (`error BAD_REQUEST: ...`) and the usage (exit 2), and an output that
 * cannot be written is OUTPUT_UNWRITABLE (exit 1), all before any work
 * starts. Why: `--rounds abc` ran the model bench on NaN, printed a table of
 * NaN and wrote nulls over the last results; `--bogus` was Node's stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkOutputFile } from '../server/cli/output-files.js';
import { parseCommandArgs, UsageError } from '../server/cli/command-options.js';
import { errorMessage, isShotscaleError, ShotscaleError } from '../server/errors.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type BenchValues<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: false }>>['values'];

/**
 * `argv` read against `options`, then `check`ed (the numbers turned into
 * numbers, each refused with a UsageError where it does not fit); `out`, when
 * an option of that name is given or defaulted, checked writable. Returns what
 * `check` returns; on --help or a mistake it exits the process.
 */
export function benchArgs<const O extends OptionsConfig, R>(usage: string, argv: readonly string[], options: O, check: (values: BenchValues<O>) => R): R {
  // "--help" anywhere before "--" (after it, an argument like any other: none of these scripts takes one).
  const ahead = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (ahead.includes('--help') || ahead.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    const { values } = parseCommandArgs({ args: [...argv], options, allowPositionals: false, strict: true });
    const checked = check(values as BenchValues<O>);
    const out = (values as Record<string, unknown>).out;
    if (typeof out === 'string') checkOutputFile('--out', out);
    return checked;
  } catch (error) {
    const coded = codedMistake(error);
    if (!coded) throw error;
    // As the CLI: a mistake on the command line (BAD_REQUEST) exits 2 with the usage; another coded error (an unwritable --out) exits 1.
    const usageMistake = coded.code === 'BAD_REQUEST';
    process.stderr.write(usageMistake ? `${coded.toDisplay()}\n\n${usage}\n` : `${coded.toDisplay()}\n`);
    process.exit(usageMistake ? 2 : 1);
  }
}

/** A mistake on the command line as a coded error: node's own ("Unknown option '--bogus'") coded BAD_REQUEST; anything else not one. */
function codedMistake(error: unknown): ShotscaleError | null {
  if (isShotscaleError(error)) return error;
  // One line: node's message for `--per-class -3` runs to three.
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return new UsageError(errorMessage(error).replace(/\s*\n\s*/g, ' '), 'the usage below lists every option');
  return null;
}

/** A whole number from `min` to `max` (camera counts, rounds, kills): the CLI's own check. */
export { wholeNumberOption as wholeNumber } from '../server/cli/command-options.js';

/** A number above 0 and at most `max` (seconds, frames per second). */
export function positiveNumber(name: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(value)}: a number more than 0${max === Number.MAX_SAFE_INTEGER ? '' : ` and at most ${max}`}`);
  }
  return n;
}

/** A number from `min` to `max`, either end included (a warm-up of 0 s, previews at 0 fps). */
export function numberFrom(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(value)}: a number of at least ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` and at most ${max}`}`);
  }
  return n;
}

/** A comma-separated list (--fps 2,5), each item read by `read`; the message names the whole value. */
export function listOf<T>(name: string, value: string, read: (name: string, item: string) => T): T[] {
  try {
    return value.split(',').map((item) => read(name, item));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`--${name} ${JSON.stringify(value)}: ${error.message.slice(error.message.indexOf(': ') + 2)} each, separated by commas`);
  }
}
