/**
 * Test harness around `rtsp-server.py`: a real GStreamer RTSP server serving a
 * live H.264 test pattern, for integration tests that need ffmpeg to pull an
 * actual `rtsp://` feed.
 *
 * The Python script needs Debian's python3-gi + gir1.2-gst-rtsp-server-1.0, so
 * it is always run with the system interpreter, never whatever `python3` is
 * first on PATH.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT_PATH = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
const KILL_GRACE_MS = 3_000;
/** Keep only the tail of stderr for error messages. */
const STDERR_LIMIT = 8_192;

export interface RtspServerOptions {
  /** Mount point, e.g. `/cam`. Defaults to `/test`. */
  path?: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Enables basic auth; must be given together with `password`. */
  user?: string;
  password?: string;
}

export interface RtspServer {
  /** `rtsp://127.0.0.1:PORT/path`, never containing credentials. */
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and waits for exit. */
  stop(): Promise<void>;
}

let availability: boolean | undefined;

/**
 * Whether the system Python can load the GStreamer RTSP server bindings, so a
 * test can skip with a clear reason instead of failing obscurely.
 */
export function rtspServerAvailable(): boolean {
  availability ??=
    spawnSync(
      SYSTEM_PYTHON,
      [
        '-c',
        "import gi; gi.require_version('GstRtspServer','1.0'); from gi.repository import GstRtspServer",
      ],
      { stdio: 'ignore', timeout: 10_000 },
    ).status === 0;
  return availability;
}

/**
 * Asks the OS for a free TCP port on 127.0.0.1. GstRTSPServer cannot report
 * the port it bound for service "0", so we probe one here; the small race
 * until the child binds it surfaces as a start-up error.
 */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      if (address === null || typeof address === 'string') {
        probe.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      probe.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}

export async function startRtspServer(opts: RtspServerOptions = {}): Promise<RtspServer> {
  if ((opts.user === undefined) !== (opts.password === undefined)) {
    throw new Error('startRtspServer: user and password must be given together');
  }

  const port = await findFreePort();
  const args = [SCRIPT_PATH, '--port', String(port), '--exit-on-stdin-eof'];
  if (opts.path !== undefined) args.push('--path', opts.path);
  if (opts.width !== undefined) args.push('--width', String(opts.width));
  if (opts.height !== undefined) args.push('--height', String(opts.height));
  if (opts.fps !== undefined) args.push('--fps', String(opts.fps));
  if (opts.user !== undefined && opts.password !== undefined) {
    args.push('--user', opts.user, '--password', opts.password);
  }

  // stdin stays an open pipe: the script exits when it closes, so the server
  // dies with this process even if a test never calls stop().
  const child = spawn(SYSTEM_PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // A child that failed to spawn emits 'error' and never 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });

  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_LIMIT);
  });

  let url: string;
  try {
    url = await waitForReady(child, () => stderr);
  } catch (err) {
    await killAndWait(child, exited);
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () => (stopping ??= killAndWait(child, exited)),
  };
}

function waitForReady(child: ChildProcess, getStderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (reason: string): void => {
      cleanup();
      const err = getStderr().trim();
      reject(new Error(`rtsp-server ${reason}${err ? `; stderr:\n${err}` : ' (no stderr)'}`));
    };
    const onData = (chunk: string): void => {
      stdout += chunk;
      const match = /^READY (rtsp:\/\/\S+)$/m.exec(stdout);
      if (match) {
        // Detaching the listener leaves stdout flowing, so later output is
        // discarded rather than filling the pipe.
        cleanup();
        resolve(match[1]!);
      }
    };
    // Give stderr a moment to drain so the error carries the real cause.
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      setTimeout(() => fail(`exited before READY (code ${code}, signal ${signal})`), 50);
    };
    const onError = (err: Error): void => fail(`failed to spawn ${SYSTEM_PYTHON}: ${err.message}`);
    const timer = setTimeout(
      () => fail(`did not print READY within ${READY_TIMEOUT_MS / 1000} s`),
      READY_TIMEOUT_MS,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/**
 * Why RTSP tests must be skipped on this machine, or false to run them. In CI
 * (CI set) they always run: .ci/run installs GStreamer, so a missing server
 * there is a failure, not a skip.
 */
export function rtspSkipReason(): string | false {
  if (rtspServerAvailable() || process.env.CI) return false;
  return 'GStreamer RTSP server unavailable: /usr/bin/python3 cannot import gi GstRtspServer 1.0 (install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-ugly)';
}
