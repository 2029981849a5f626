/**
 * `shotscale serve` processes as nodes of one cluster on loopback: the
 * fixture classifier, file cameras looping in real time, each node with its
 * own shot log, all on one Redis and one PostgreSQL database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { CLI } from './cli.js';
import { startPostgres, startRedis, type Engine } from './cluster-engines.js';
import { tempDir } from './media.js';
import { FIXTURE_MANIFEST } from './server-harness.js';

export interface ClusterSpec {
  redisUrl: string;
  postgresUrl: string;
  keyPrefix: string;
  leaseS: number;
  /** YAML flow mappings, the cameras every node's config lists. */
  cameras: string[];
}

export interface NodeProcess {
  nodeId: string;
  /** Its config file: start it again with the same one to keep its shot log. */
  config: string;
  child: ChildProcess;
  url: string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
}

/** A database of its own on the PostgreSQL server, so that tests never see each other's cameras. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  // A client, not a pool: its end() resolves once the connection is closed (a server stopped next tells it nothing).
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `model`: the config's model section (default: the fixture classifier, one thread). */
export function nodeConfig(spec: ClusterSpec, nodeId: string, capacity: number, extra: string[] = [], model = `{ manifest: ${JSON.stringify(FIXTURE_MANIFEST)}, executionProviders: [cpu], inferenceThreads: 1 }`): string {
  const dir = tempDir(`shotscale-node-${nodeId}-`);
  const file = path.join(dir, 'node.yaml');
  writeFileSync(
    file,
    [
      'server: { port: 0 }',
      `model: ${model}`,
      'supervisor: { stallTimeoutS: 3, firstFrameTimeoutS: 10, backoffInitialS: 0.2, backoffMaxS: 2 }',
      `shots: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }`,
      `cluster: { enabled: true, nodeId: ${nodeId}, redisUrl: ${JSON.stringify(spec.redisUrl)}, postgresUrl: ${JSON.stringify(spec.postgresUrl)}, keyPrefix: ${spec.keyPrefix}, leaseS: ${spec.leaseS}, capacity: { cameras: ${capacity} } }`,
      ...(spec.cameras.length ? ['cameras:', ...spec.cameras.map((c) => `  - ${c}`)] : ['cameras: []']),
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}

/** Starts a node and waits for its "listening" line; rejects with its stderr when it exits first. */
export async function startNode(spec: ClusterSpec, nodeId: string, capacity: number, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; config?: string } = {}): Promise<NodeProcess> {
  const config = options.config ?? nodeConfig(spec, nodeId, capacity);
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOTSCALE_LOG_LEVEL: 'info', ...options.env } });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-20_000)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${nodeId}: no "listening" line within ${(options.timeoutMs ?? 60_000) / 1000} s: ${stderr}`)), options.timeoutMs ?? 60_000);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node ${nodeId} exited (${code}) before listening: ${stderr}`));
    });
  });
  return { nodeId, config, child, url, stderr: () => stderr, exited };
}

/** Stops a node: SIGTERM (it hands its cameras over) or SIGKILL (it just vanishes). */
export async function stopNode(node: NodeProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill(signal);
  await node.exited;
}

/**
 * A cluster test file's bed: a redis-server and a PostgreSQL started before
 * its tests, and after them every node it started killed (then `cleanUp`,
 * e.g. the file's own children), then the engines stopped.
 */
export function clusterTestBed(cleanUp: () => Promise<unknown> = async () => undefined): { readonly redis: Engine; readonly postgres: Engine; started: NodeProcess[] } {
  let engines: [Engine, Engine] | undefined;
  const started: NodeProcess[] = [];
  before(async () => {
    engines = await Promise.all([startRedis(), startPostgres()]);
  });
  after(async () => {
    await Promise.all(started.map((node) => stopNode(node, 'SIGKILL')));
    await cleanUp();
    await Promise.all((engines ?? []).map((engine) => engine.stop()));
  });
  const engine = (i: 0 | 1): Engine => {
    if (!engines) throw new Error('the cluster engines start before the tests (clusterTestBed is called at the top of the file)');
    return engines[i];
  };
  return { get redis() { return engine(0); }, get postgres() { return engine(1); }, started };
}
