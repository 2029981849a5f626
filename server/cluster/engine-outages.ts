/**
 * Whether a node reaches the cluster's engines (Redis, PostgreSQL), and
 * what it says of an outage: one log line when an engine goes and when it
 * answers again, and the cluster alert and /api/health's fault (which
 * engine, where, without its password, why, and what this node does
 * meanwhile). A node that stepped aside (another process took its id)
 * says that instead.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { redactUrl, type ClusterSettings } from './cluster-connections.js';
import type { ClusterFault } from './cluster-health.js';

export interface EngineOutagesDeps {
  settings: Pick<ClusterSettings, 'redisUrl' | 'postgresUrl'>;
  nodeId: string;
  clock: Clock;
  log: Logger;
  /** Redis or PostgreSQL became unreachable (a message), or both answer again (null). */
  onDegraded: (fault: { since: number; message: string } | null) => void;
}

export class EngineOutages {
  private redis = true;
  private postgres = true;
  private since: number | null = null;
  private current: ClusterFault | null = null;
  /** Why each engine was last found unreachable. */
  private readonly reasons = { redis: '', postgres: '' };

  constructor(private readonly deps: EngineOutagesDeps) {}

  get redisUp(): boolean {
    return this.redis;
  }

  get postgresUp(): boolean {
    return this.postgres;
  }

  /** Since when this node has been degraded; null while it is not. */
  get degradedSince(): number | null {
    return this.since;
  }

  get fault(): ClusterFault | null {
    return this.current;
  }

  /** `heldCameras`: how many cameras this node keeps meanwhile, for the log. */
  setRedis(up: boolean, reason = '', heldCameras = 0): void {
    if (!up) this.reasons.redis = reason;
    if (up === this.redis) return;
    this.redis = up;
    if (!up) this.deps.log.warn(`cluster: Redis unreachable (${reason}): keeping this node's ${heldCameras} camera(s), claiming none, live events stay on this node`);
    else this.deps.log.info('cluster: Redis reachable again');
    this.announce();
  }

  setPostgres(up: boolean, reason = ''): void {
    if (!up) this.reasons.postgres = reason;
    if (up === this.postgres) return;
    this.postgres = up;
    if (!up) this.deps.log.warn(`cluster: PostgreSQL unreachable (${reason}): the last list of cameras read stands`);
    else this.deps.log.info('cluster: PostgreSQL reachable again');
    this.announce();
  }

  /** Another process runs with this node's id: this one says so (CLUSTER_NODE_ID_IN_USE) as its fault. */
  steppedAside(message: string): void {
    this.since ??= this.deps.clock();
    this.current = { code: 'CLUSTER_NODE_ID_IN_USE', message };
    this.deps.onDegraded({ since: this.since, message });
  }

  /** The cluster alert and /api/health's fault: which engine, where (no password), and why. */
  private announce(): void {
    const { settings } = this.deps;
    const down = [
      ...(this.redis ? [] : [`Redis at ${redactUrl(settings.redisUrl)} (${this.reasons.redis})`]),
      ...(this.postgres ? [] : [`PostgreSQL at ${redactUrl(settings.postgresUrl)} (${this.reasons.postgres})`]),
    ];
    if (!down.length) {
      this.since = null;
      this.current = null;
      this.deps.onDegraded(null);
      return;
    }
    this.since ??= this.deps.clock();
    const effects = [
      ...(this.redis ? [] : ["other nodes' cameras are not shown live and no camera changes hands"]),
      ...(this.postgres ? [] : ['camera changes wait for it, shots are held on this node\'s disk']),
    ];
    const engines = [...(this.redis ? [] : ['Redis']), ...(this.postgres ? [] : ['PostgreSQL'])].join(' and ');
    const message = `CLUSTER_UNREACHABLE: cluster degraded on ${this.deps.nodeId}: ${engines} unreachable: ${down.join('; ')}; this node keeps analysing its cameras; ${effects.join('; ')}`;
    this.current = { code: 'CLUSTER_UNREACHABLE', message };
    this.deps.onDegraded({ since: this.since, message });
  }
}
