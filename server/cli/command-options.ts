/**
 * Options as eval, calibrate, samples and classify read them: a mistake on
 * the command line is a UsageError (BAD_REQUEST, exit 2, the command's usage
 * after it: main.ts), saying which option, the value given and what it takes.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ShotscaleError } from '../errors.js';

export class UsageError extends ShotscaleError {
  constructor(message: string, hint?: string) {
    super('BAD_REQUEST', message, hint === undefined ? undefined : { hint });
    this.name = 'UsageError';
  }
}

/**
 * parseArgs, and an option that takes one value given twice with different
 * values refused: node keeps the last one silently, so `--taxonomy three ...
 * --taxonomy six` would score in a taxonomy the user may not have meant.
 * A negative number after an option is its value (negativeValuesJoined).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(asked: T): ReturnType<typeof parseArgs<T>> {
  const config: T = { ...asked, args: negativeValuesJoined(asked) };
  const parsed = parseArgs(config);
  const { tokens } = parseArgs({ ...config, tokens: true } as ParseArgsConfig);
  const given = new Map<string, string[]>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || token.value === undefined || config.options?.[token.name]?.multiple) continue;
    given.set(token.name, [...(given.get(token.name) ?? []), token.value]);
  }
  for (const [name, values] of given) {
    if (new Set(values).size > 1) throw new UsageError(`--${name} given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}): it takes one value`, `give --${name} once`);
  }
  return parsed;
}

/** A value that reads as a negative number ("-1", "-0.5", "-.5", "-1e3"), not as an option. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * The arguments with a negative number after an option that takes a value
 * joined to it (`--fps -1` as `--fps=-1`): node reads "-1" as an option and
 * refuses the pair as ambiguous ("use '--fps=-XYZ'"), where the option's own
 * range check says what it takes. Nothing after "--" is touched.
 */
function negativeValuesJoined(config: ParseArgsConfig): string[] {
  const args = config.args ?? process.argv.slice(2);
  const options = config.options ?? {};
  const takesValue = (arg: string): string | null => {
    const long = /^--([^=]+)$/.exec(arg)?.[1];
    const name = long ?? Object.keys(options).find((key) => arg.length === 2 && arg[0] === '-' && options[key]?.short === arg[1]);
    return name !== undefined && options[name]?.type === 'string' ? name : null;
  };
  const joined: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') return [...joined, ...args.slice(i)];
    const name = takesValue(arg);
    const next = args[i + 1];
    if (name !== null && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`--${name}=${next}`);
      i += 1;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/**
 * Most frames in one inference batch (--batch of log, classify, eval): the
 * bound the server's config puts on pipeline.batch.maxSize (config/schema.ts).
 * Unbounded, `--batch 1000000000` held every decoded frame (about 340 KB
 * each at the model's input size) until the file's end: 7 GB for a 2 h film.
 */
export const MAX_BATCH = 64;

/** A whole number from `min` to `max`, or a UsageError naming the option and the value. */
export function wholeNumberOption(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(value)}: a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}`);
  }
  return n;
}
