/**
 * A real redis-server and a real PostgreSQL, each in a throwaway directory on
 * a free loopback port, for the cluster tests and bench:cluster. Both can be
 * stopped and started again on the same port (the outage tests).
 *
 * PostgreSQL refuses to run as root: as root, initdb and postgres run as the
 * `postgres` user (Debian's package creates it), in a directory it owns.
 * start() and stop() are no-ops when already started or stopped.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './media.js';

/** A loopback port free now: for these engines, and for any test that brings a server back on the same port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs / 1000} s: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Engine {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const alive = (child: ChildProcess | null): child is ChildProcess => !!child && child.exitCode === null && child.signalCode === null;

/** SIGTERM for redis-server; SIGINT for postgres (its "fast" shutdown: clients are disconnected, not waited for). */
function stopChild(child: ChildProcess | null, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!alive(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export async function startRedis(): Promise<Engine> {
  const port = await freePort();
  const dir = tempDir('shotscale-redis-');
  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    if (alive(child)) return;
    child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    child.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    await waitForPort(port, 10_000, 'redis-server', () => log);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop: () => stopChild(child) };
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql');
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

export async function startPostgres(): Promise<Engine> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = tempDir('shotscale-pg-');
  const data = path.join(dir, 'data');
  mkdirSync(data);
  // As root: the postgres user owns the directory and the processes run as it.
  let user: { uid: number; gid: number } | Record<string, never> = {};
  if (process.getuid?.() === 0) {
    user = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
    chmodSync(dir, 0o755);
    chownSync(data, user.uid, user.gid);
  }
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'shotscale', '--auth=trust', '-E', 'UTF8', '--no-sync'], { stdio: 'pipe', cwd: dir, ...user });
  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    if (alive(child)) return;
    child = track(spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', data, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...user }));
    child.stdout!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    child.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    await waitForPort(port, 20_000, 'postgres', () => log);
    // Listening comes a moment before accepting logins.
    await new Promise((r) => setTimeout(r, 300));
  };
  await start();
  return { url: `postgres://shotscale@127.0.0.1:${port}/postgres`, port, start, stop: () => stopChild(child, 'SIGINT') };
}

/**
 * A TCP relay in front of an engine, for one node alone: cut() drops its
 * connections and refuses new ones (that node is cut off while the others
 * still reach the engine); restore() lets it through again on the same port.
 */
export interface Relay {
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

export async function startRelay(engine: Engine): Promise<Relay> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(engine.port, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  await listen();
  const url = new URL(engine.url);
  url.port = String(port);
  return {
    url: url.toString().replace(/\/$/, ''),
    cut: async () => {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    restore: listen,
  };
}
