/** Runs the real `shotscale` CLI as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { FIXTURE_MANIFEST, REPO_DIR } from './server-harness.js';

export const CLI = path.join(REPO_DIR, 'bin', 'shotscale.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `input`, when given, is written to its stdin. */
export function runCli(args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_DIR, env: { ...process.env, ...options.env }, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shotscale ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/**
 * A config file for `shotscale serve` in a child process: the fixture
 * classifier on the CPU, any free port (or `port`, for a server killed and
 * started again where the page looks for it), the shot log in `dataDir`, and
 * the given camera lines (YAML flow mappings).
 */
export function writeServeConfig(file: string, dataDir: string, cameras: string[] = [], port = 0): string {
  writeFileSync(
    file,
    [
      `server: { port: ${port} }`,
      `model: { manifest: ${JSON.stringify(FIXTURE_MANIFEST)}, executionProviders: [cpu] }`,
      `shots: { dataDir: ${JSON.stringify(dataDir)} }`,
      ...(cameras.length ? ['cameras:', ...cameras.map((c) => `  - ${c}`)] : ['cameras: []']),
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * `shotscale serve --config FILE` (or another entry taking the same
 * arguments) in a child process, once it says where it listens; its stderr's
 * last 8,000 characters kept for a failing test to show.
 */
export async function startServeProcess(config: string, entry = CLI): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [entry, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => (stderr = (stderr + text).slice(-8000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 30 s: ${stderr}`)), 30_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

/**
 * Kills a served child at once (SIGKILL, after SIGCONT for one a test froze
 * with SIGSTOP: a crash, as far as the page can tell); resolves once it is
 * gone. Nothing to do for one gone already.
 */
export function killServeProcess(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  return exited;
}
