/**
 * The server under fuzz: a real `shotscale serve` child process (so a crash
 * is a dead process, not a failed test runner), with a token of every role,
 * two cheap test-pattern cameras and the fixture classifier on the CPU. Keeps
 * the last lines of its stderr so every finding can carry them.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startServerProcess } from '../../bench/server-process.js';
import type { Role } from '../../server/shared/access-roles.js';

const TEST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE_MANIFEST = path.join(TEST_DIR, 'fixtures', 'movieshots-fixture.manifest.json');

/** One token per role; 16+ characters as the config demands. */
export const FUZZ_TOKENS: Record<Role, string> = {
  admin: 'fuzz-admin-token-0123456789abcdef',
  operator: 'fuzz-operator-token-0123456789abcdef',
  viewer: 'fuzz-viewer-token-0123456789abcdef',
  publish: 'fuzz-publish-token-0123456789abcdef',
};

/** The cameras the config starts with; the fuzzer puts them back if a case removed one. */
export const FUZZ_CAMERAS = ['cam-a', 'cam-b'] as const;

/** 160x120 at 5 fps, one analysed frame a second: two of these cost almost nothing. */
export function cheapCamera(id: string): Record<string, unknown> {
  return { id, analysisFps: 1, source: { kind: 'testsrc', width: 160, height: 120, fps: 5 } };
}

const STDERR_LINES_KEPT = 400;

export class FuzzServer {
  private lines: string[] = [];
  private partial = '';
  /** Lines seen since the start, kept or not. */
  private seen = 0;
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    private readonly dir: string,
  ) {
    child.stderr!.on('data', (chunk: Buffer | string) => this.onStderr(String(chunk)));
    // A fuzzer that dies or is interrupted must not leave a server (and its ffmpeg children) behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
  }

  /** Writes the config into a fresh temp dir and starts the server on a free port. */
  static async start(): Promise<FuzzServer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-fuzz-'));
    const config = {
      server: {
        port: 0,
        accessToken: FUZZ_TOKENS.admin,
        tokens: [
          { role: 'operator', token: FUZZ_TOKENS.operator, name: 'fuzz-operator' },
          { role: 'viewer', token: FUZZ_TOKENS.viewer, name: 'fuzz-viewer' },
        ],
        publishTokens: [FUZZ_TOKENS.publish],
        // The fuzzer sends thousands of wrong tokens on purpose; the limiter has its own test.
        authAttempts: { maxFailures: 100_000_000, windowS: 1, blockS: 0 },
      },
      model: { manifest: FIXTURE_MANIFEST, executionProviders: ['cpu'], intraOpThreads: 1 },
      dashboard: { previewFps: 1 },
      shots: { dataDir: path.join(dir, 'data') },
      cameras: FUZZ_CAMERAS.map(cheapCamera),
    };
    const file = path.join(dir, 'fuzz.yaml');
    writeFileSync(file, stringify(config));
    try {
      const { child, url } = await startServerProcess(file);
      return new FuzzServer(child, url, dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private onStderr(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    // A fuzzed value can be huge; a log line is kept only as far as a reader would look.
    for (const line of parts) this.lines.push(line.length > 2000 ? `${line.slice(0, 2000)}... (${line.length} chars)` : line);
    this.seen += parts.length;
    if (this.lines.length > STDERR_LINES_KEPT) this.lines.splice(0, this.lines.length - STDERR_LINES_KEPT);
  }

  /** The last `count` stderr lines (and any unfinished one). */
  stderrTail(count = 20): string[] {
    return [...this.lines.slice(-count), ...(this.partial ? [this.partial.slice(0, 2000)] : [])];
  }

  /** A mark to hand to stderrSince later. */
  get stderrMark(): number {
    return this.seen;
  }

  /** The kept lines written since `mark` (the newest `count` of them). */
  stderrSince(mark: number, count = 20): string[] {
    const fresh = Math.min(this.seen - mark, this.lines.length);
    return fresh > 0 ? this.lines.slice(-fresh).slice(-count) : [];
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the process ended, for a crash report. */
  get exit(): string {
    return this.alive ? 'running' : `exit code ${this.child.exitCode}, signal ${this.child.signalCode}`;
  }

  async stop(): Promise<void> {
    if (this.alive) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
