/** A real `shotscale serve` for the benchmarks, in its own process (so its CPU can be read from /proc). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm start` sets (scripts/start.mjs), so the benchmarks measure the server as users run it. */
const NPM_START_ENV: NodeJS.ProcessEnv = process.platform === 'linux' ? { MALLOC_ARENA_MAX: '2' } : {};
const NPM_START_NODE_ARGS = ['--max-semi-space-size=2'];

/** Starts the server on `configFile` and resolves with its URL once it prints it. */
export async function startServerProcess(configFile: string, env: NodeJS.ProcessEnv = process.env, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...NPM_START_NODE_ARGS, ...nodeArgs, path.join(ROOT, 'bin', 'shotscale.js'), 'serve', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...NPM_START_ENV, ...env, SHOTSCALE_LOG_LEVEL: 'warn' } });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (t: string) => {
      const m = /listening on (\S+)/.exec(t);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${stderr}`));
    });
  });
  return { child, url };
}
