/**
 * Starts a real server in-process (real ffmpeg, real onnxruntime, real
 * Socket.IO) on a free port, with the shared fixture classifier, and gives
 * tests a client and small waiting helpers.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { tempDir } from './media.js';
import { validateConfig, deepFreeze } from '../../server/config/load-config.js';
import type { Config } from '../../server/config/schema.js';
import { startServer, type RunningServer } from '../../server/app/shotscale-server.js';
import { createLogger, type Logger } from '../../server/shared/logger.js';
import type { CameraStatus, ClientToServerEvents, Readout, ServerInfo, ServerToClientEvents } from '../../server/shared/socket-events.js';

export const TEST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(TEST_DIR, '..');
export const SHARED_DIR = path.resolve(REPO_DIR, '..', 'shared');
export const FIXTURE_MANIFEST = path.join(TEST_DIR, 'fixtures', 'movieshots-fixture.manifest.json');

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A quick config: fixture model, fast supervisor timings, a free port. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  const base = {
    server: { port: 0 },
    // One model thread unless a test asks for more: thread counts and restart logs stay the same on any machine.
    model: { manifest: FIXTURE_MANIFEST, executionProviders: ['cpu'], inferenceThreads: 1 },
    supervisor: { stallTimeoutS: 3, firstFrameTimeoutS: 10, backoffInitialS: 0.2, backoffMaxS: 2 },
    // Each test server keeps its shot log apart (removed when the test process exits).
    shots: { dataDir: tempDir('shotscale-data-') },
    cameras: [],
  };
  return validateConfig(deepMerge(base, overrides), '(test)');
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev) ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export function testLogger(): Logger {
  return createLogger('test', (process.env.SHOTSCALE_TEST_LOG as 'info' | undefined) ?? 'silent');
}

export async function startTestServer(overrides: Record<string, unknown> = {}, log: Logger = testLogger()): Promise<RunningServer> {
  const config = deepFreeze(testConfig(overrides));
  return startServer({ config, file: null, baseDir: TEST_DIR }, { log });
}

export interface ConnectedClient {
  client: TestClient;
  info: ServerInfo;
  cameras: CameraStatus[];
}

/** Connects and waits for the server's hello (listened for before connecting, so never missed). */
export async function connectClient(url: string, auth?: { token: string }): Promise<ConnectedClient> {
  const client: TestClient = io(url, { transports: ['websocket'], reconnection: false, ...(auth ? { auth } : {}) });
  return new Promise<ConnectedClient>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no hello from ${url} within 10 s`)), 10_000);
    client.once('hello', (info, cameras) => {
      clearTimeout(timer);
      resolve({ client, info, cameras });
    });
    client.once('connect_error', (error) => {
      clearTimeout(timer);
      client.close();
      reject(error);
    });
  });
}

/** Resolves with the first `count` readouts that pass `filter`; rejects after `timeoutMs`. */
export function collectReadouts(client: TestClient, count: number, filter: (r: Readout) => boolean = () => true, timeoutMs = 15_000): Promise<Readout[]> {
  return new Promise((resolve, reject) => {
    const got: Readout[] = [];
    const timer = setTimeout(() => {
      client.off('readout', onReadout);
      reject(new Error(`got ${got.length} of ${count} readouts within ${timeoutMs} ms`));
    }, timeoutMs);
    function onReadout(r: Readout) {
      if (!filter(r)) return;
      got.push(r);
      if (got.length >= count) {
        clearTimeout(timer);
        client.off('readout', onReadout);
        resolve(got);
      }
    }
    client.on('readout', onReadout);
  });
}

export function waitForStatus(client: TestClient, predicate: (s: CameraStatus) => boolean, timeoutMs = 15_000): Promise<CameraStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('camera:status', onStatus);
      reject(new Error(`no matching camera:status within ${timeoutMs} ms`));
    }, timeoutMs);
    function onStatus(s: CameraStatus) {
      if (!predicate(s)) return;
      clearTimeout(timer);
      client.off('camera:status', onStatus);
      resolve(s);
    }
    client.on('camera:status', onStatus);
  });
}

export async function httpJson(url: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  // A server that never answers fails the test here, saying which request, not at the test's own timeout.
  const response = await fetch(url, { method: init.method ?? 'GET', headers, signal: AbortSignal.timeout(60_000), ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}) }).catch((error: unknown) => {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${String(error)}`, { cause: error });
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (e.g. /metrics)
  }
  return { status: response.status, body };
}

/** A camera's status as `GET /api/cameras/:id` answers it; null when there is no such camera (404). */
export async function cameraStatus(url: string, id: string): Promise<CameraStatus | null> {
  const response = await httpJson(`${url}/api/cameras/${encodeURIComponent(id)}`);
  return response.status === 404 ? null : (response.body as { status: CameraStatus }).status;
}

export const testsrcCamera = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  analysisFps: 5,
  source: { kind: 'testsrc', pattern: 'testsrc2', width: 320, height: 240, fps: 25 },
  ...extra,
});

/** A camera playing a video file in real time, looped: a feed that never ends. */
export const fileCamera = (id: string, clip: string) => ({ id, source: { kind: 'file', path: clip, loop: true, realtime: true }, analysisFps: 5 });

/** Resolves with the camera ids seen in readouts on `client` once every one of `ids` has been seen; rejects, saying which came, after `timeoutMs`. */
export function readoutsFrom(client: TestClient, ids: readonly string[], timeoutMs: number): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const seen = new Set<string>();
    const timer = setTimeout(() => {
      client.off('readout', listener);
      reject(new Error(`readouts within ${timeoutMs} ms from ${[...seen].sort().join(', ') || 'none'}; wanted ${ids.join(', ')}`));
    }, timeoutMs);
    const listener = (readout: { cameraId: string }) => {
      seen.add(readout.cameraId);
      if (ids.every((id) => seen.has(id))) {
        clearTimeout(timer);
        client.off('readout', listener);
        resolve(seen);
      }
    };
    client.on('readout', listener);
  });
}
