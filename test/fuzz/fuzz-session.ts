/**
 * One fuzz run's hold on the server: the process (started again after a
 * crash), the admin's view of it between batches (is it up and answering,
 * what state is it in), and putting back what allowed cases changed (a
 * camera removed or made expensive), so every batch starts from the same
 * cheap server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '../support/raw-http.js';
import { readRouteTable, readSocketEventTable, type DocumentedEvent, type DocumentedRoute } from '../support/route-table.js';
import { FuzzTally } from './fuzz-report.js';
import { FUZZ_CAMERAS, FUZZ_TOKENS, FuzzServer } from './fuzz-server.js';
import { readPublicFiles, type PublicFiles } from './http-oracle.js';

const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Long enough for a server on two busy cores; a request that takes longer is a hang. */
export const DEFAULT_TIMEOUT_MS = 5_000;

interface Answer {
  status: number;
  body: string;
}

export class FuzzSession {
  readonly routes: DocumentedRoute[];
  readonly events: DocumentedEvent[];
  readonly publicFiles: PublicFiles;
  readonly tally = { http: new FuzzTally(), socket: new FuzzTally() };
  restarts = 0;
  private baseline = new Map<string, string>();

  private constructor(
    public server: FuzzServer,
    readonly timeoutMs: number,
  ) {
    const readme = readFileSync(path.join(REPO_DIR, 'README.md'), 'utf8');
    this.routes = readRouteTable(readme);
    this.events = readSocketEventTable(readme);
    this.publicFiles = readPublicFiles(path.join(REPO_DIR, 'web', 'dist'));
    if (this.routes.length < 20 || this.events.length < 4) throw new Error(`README tables not found: ${this.routes.length} routes, ${this.events.length} events`);
  }

  static async start(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<FuzzSession> {
    const session = new FuzzSession(await FuzzServer.start(), timeoutMs);
    await session.recordBaseline();
    return session;
  }

  get url(): string {
    return this.server.url;
  }

  get host(): string {
    return new URL(this.server.url).host;
  }

  /** A request as the admin (JSON body), answered within the timeout or rejected. */
  admin(method: string, target: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${FUZZ_TOKENS.admin}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return rawRequest(this.url, method, target, { headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), timeoutMs: this.timeoutMs });
  }

  /**
   * null when the process is up and /api/health answers 200 with the admin
   * token and `ready` (it can record shots; its status may say cameras are
   * not live yet, or one a case added); else what is wrong.
   */
  async healthProblem(): Promise<string | null> {
    if (!this.server.alive) return `the process is gone (${this.server.exit})`;
    try {
      const answer = await this.admin('GET', '/api/health');
      const ready = answer.status === 200 && (JSON.parse(answer.body) as { ready?: boolean }).ready === true;
      if (!ready) return `/api/health answered ${answer.status} ${answer.body.slice(0, 200)}`;
      return null;
    } catch (error) {
      return `/api/health: ${(error as Error).message}`;
    }
  }

  /** Waits up to `ms` for the server to answer health again; the problem if it does not. */
  async recovers(ms: number): Promise<string | null> {
    const until = Date.now() + ms;
    let problem = await this.healthProblem();
    while (problem && this.server.alive && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      problem = await this.healthProblem();
    }
    return problem;
  }

  /** A fresh server (the old one is stopped if it still runs). */
  async restart(): Promise<void> {
    await this.server.stop();
    this.server = await FuzzServer.start();
    this.restarts += 1;
    await this.recordBaseline();
  }

  private async recordBaseline(): Promise<void> {
    for (const id of FUZZ_CAMERAS) {
      const answer = await this.admin('GET', `/api/cameras/${id}`);
      this.baseline.set(id, JSON.stringify((JSON.parse(answer.body) as { config: unknown }).config));
    }
  }

  /** Removes cameras the fuzz added and puts back any of the start's cameras a case removed or changed. */
  async restoreCameras(): Promise<string[]> {
    const changed: string[] = [];
    const ids = (JSON.parse((await this.admin('GET', '/api/cameras')).body) as { cameraId: string }[]).map((c) => c.cameraId);
    for (const id of ids.filter((id) => !this.baseline.has(id))) {
      await this.admin('DELETE', `/api/cameras/${encodeURIComponent(id)}`);
      changed.push(`removed ${id}`);
    }
    for (const [id, config] of this.baseline) {
      const now = ids.includes(id) ? JSON.stringify((JSON.parse((await this.admin('GET', `/api/cameras/${id}`)).body) as { config: unknown }).config) : null;
      if (now === config) continue;
      if (now !== null) await this.admin('DELETE', `/api/cameras/${id}`);
      const added = await this.admin('POST', '/api/cameras', JSON.parse(config));
      if (added.status !== 201) throw new Error(`could not put camera ${id} back: ${added.status} ${added.body.slice(0, 200)}`);
      changed.push(`${now === null ? 'added back' : 'reset'} ${id}`);
    }
    return changed;
  }

  /**
   * What no viewer, publisher or tokenless request may change: the cameras
   * and their config, the takes, the plans, and the edits on the shots that
   * exist (new shots come from the cameras themselves).
   */
  async state(): Promise<{ fixed: string; shots: Map<number, string> }> {
    const get = async (target: string) => {
      const answer = await this.admin('GET', target);
      if (answer.status !== 200) throw new Error(`${target}: ${answer.status} ${answer.body.slice(0, 200)}`);
      return JSON.parse(answer.body) as unknown;
    };
    const cameras = (await get('/api/cameras')) as { cameraId: string }[];
    const configs = await Promise.all(cameras.map(async (c) => get(`/api/cameras/${encodeURIComponent(c.cameraId)}`).then((r) => (r as { config: unknown }).config)));
    const fixed = JSON.stringify({ configs, takes: await get('/api/takes'), plans: await get('/api/plans') });
    const { shots } = (await get('/api/shots?limit=1000')) as { shots: { id: number; tags?: unknown; note?: unknown; scene?: unknown; take?: unknown }[] };
    return { fixed, shots: new Map(shots.map((s) => [s.id, JSON.stringify([s.tags, s.note, s.scene, s.take])])) };
  }

  /** How `after` differs from `before` in what state() covers; null when it does not. */
  static stateChange(before: Awaited<ReturnType<FuzzSession['state']>>, after: Awaited<ReturnType<FuzzSession['state']>>): string | null {
    if (before.fixed !== after.fixed) return `cameras, takes or plans changed: before ${before.fixed.slice(0, 600)} after ${after.fixed.slice(0, 600)}`;
    for (const [id, edits] of before.shots) {
      const now = after.shots.get(id);
      if (now !== undefined && now !== edits) return `shot ${id} was edited: ${edits} -> ${now}`;
    }
    return null;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
