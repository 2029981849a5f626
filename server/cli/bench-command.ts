/** `shotscale bench`: the pipeline benchmark (bench/pipeline-bench.ts). */
export async function runBench(argv: string[]): Promise<number> {
  const { runPipelineBench } = await import('../../bench/pipeline-bench.js');
  return runPipelineBench(argv);
}
