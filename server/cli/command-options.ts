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
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
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

/** A whole number from `min` to `max`, or a UsageError naming the option and the value. */
export function wholeNumberOption(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(value)}: a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}`);
  }
  return n;
}
