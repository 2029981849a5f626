/** `shotscale bench`: the pipeline benchmark (bench/pipeline-bench.ts). */
import { existsSync } from 'node:fs';
import { ShotscaleError } from '../errors.js';
import { parseCommandArgs, UsageError } from './command-options.js';
import { checkOutputFile } from './output-files.js';

/**
 * The benchmark's options checked before any server is started: a bad one
 * would otherwise surface minutes later as a bench server's config error.
 */
function checkBenchArgs(argv: string[]): void {
  const { values } = parseCommandArgs({
    args: argv,
    options: { cameras: { type: 'string' }, fps: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, manifest: { type: 'string' }, out: { type: 'string' } },
  });
  const bad = (message: string) => new UsageError(message);
  if (values.cameras !== undefined && !values.cameras.split(',').every((n) => /^\s*\d+\s*$/.test(n) && Number(n) >= 1)) throw bad(`--cameras ${values.cameras}: camera counts, each a whole number of at least 1, separated by commas (1,4,8,16)`);
  if (values.fps !== undefined && !(Number(values.fps) > 0 && Number(values.fps) <= 60)) throw bad(`--fps ${values.fps}: analysed frames per second, more than 0 and at most 60`);
  if (values.duration !== undefined && !(Number(values.duration) > 0)) throw bad(`--duration ${values.duration}: seconds per run, more than 0`);
  if (values.warmup !== undefined && !(Number(values.warmup) >= 0)) throw bad(`--warmup ${values.warmup}: seconds, 0 or more`);
  if (values.manifest !== undefined && !existsSync(values.manifest)) throw new ShotscaleError('MODEL_MANIFEST_NOT_FOUND', `--manifest ${values.manifest}: no such file`);
  if (values.out !== undefined) checkOutputFile('--out', values.out);
}

export async function runBench(argv: string[]): Promise<number> {
  checkBenchArgs(argv);
  const { runPipelineBench } = await import('../../bench/pipeline-bench.js');
  return runPipelineBench(argv);
}
