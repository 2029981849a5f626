/**
 * The cluster's two engines, connected and checked at start: Redis (leases,
 * heartbeats, live fan-out) and PostgreSQL (the cluster's cameras).
 *
 * Why the checks at start: a node that cannot reach either is not a node of
 * the cluster at all, so it says which and exits non-zero. Later outages are
 * survived: the Redis clients reconnect forever (every 0.5-2 s), and a
 * command issued while Redis is down fails at once instead of queueing (a
 * lease renewal or a readout held for a minute would be wrong when it lands).
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config } from '../config/schema.js';
import { errorMessage, ShotscaleError } from '../errors.js';
import type { Logger } from '../shared/logger.js';

export type ClusterSettings = Config['cluster'];

export interface ClusterConnections {
  /** Leases and heartbeats: fails fast while Redis is down. */
  redis: Redis;
  /** The Socket.IO adapter's two clients (a subscribed connection can do nothing else). */
  publisher: Redis;
  subscriber: Redis;
  pg: pg.Pool;
  close(): Promise<void>;
}

/** How long the start waits for each engine before saying it cannot be reached. */
const CONNECT_TIMEOUT_MS = 5000;
/**
 * Longest wait for one Redis command or PostgreSQL query. A tick runs every
 * second and leases last `leaseS` (10 s): an engine that stops answering is
 * treated as down within a few ticks, never holding the node for long.
 */
const COMMAND_TIMEOUT_MS = 2000;
const QUERY_TIMEOUT_MS = 5000;

/** A URL as the log may show it: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function unreachable(what: 'redis' | 'postgres', url: string, error: unknown): ShotscaleError {
  const key = what === 'redis' ? 'cluster.redisUrl' : 'cluster.postgresUrl';
  const engine = what === 'redis' ? 'Redis' : 'PostgreSQL';
  return new ShotscaleError('CLUSTER_UNREACHABLE', `${key}: ${engine} at ${redactUrl(url)} cannot be reached: ${errorMessage(error) || 'no answer'}`, {
    hint: `start ${engine}, or correct ${key} in the config (cluster.enabled: false runs this node alone)`,
    cause: error,
  });
}

function redisClient(url: string, role: string, log: Logger, failFast: boolean): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: `shotscale-${role}`,
    enableOfflineQueue: !failFast,
    maxRetriesPerRequest: failFast ? 0 : null,
    // A command Redis does not answer (a network black hole) fails instead of holding the tick.
    ...(failFast ? { commandTimeout: COMMAND_TIMEOUT_MS } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(500 * times, 2000),
  });
  // One line per outage, not one per reconnect attempt.
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn(`redis (${role}): ${errorMessage(error)}; reconnecting`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info(`redis (${role}): connected again`);
  });
  return client;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function postgresPool(settings: Pick<ClusterSettings, 'postgresUrl'>, log: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.postgresUrl,
    max: 4,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
  });
  // An idle client whose server went away: logged; the pool makes a new one for the next query.
  pool.on('error', (error) => log.warn(`postgres: ${errorMessage(error)}`));
  return pool;
}

/** PostgreSQL alone (a command that reads or writes the cluster's records, no node): reached, or CLUSTER_UNREACHABLE. */
export async function connectPostgres(settings: Pick<ClusterSettings, 'postgresUrl'>, log: Logger): Promise<pg.Pool> {
  const pool = postgresPool(settings, log);
  try {
    await withTimeout(pool.query('SELECT 1'), CONNECT_TIMEOUT_MS);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable('postgres', settings.postgresUrl, error);
  }
  return pool;
}

export async function connectCluster(settings: ClusterSettings, log: Logger): Promise<ClusterConnections> {
  const redis = redisClient(settings.redisUrl, 'commands', log, true);
  const publisher = redisClient(settings.redisUrl, 'publish', log, true);
  const subscriber = redisClient(settings.redisUrl, 'subscribe', log, false);
  const pool = postgresPool(settings, log);
  const closeAll = async () => {
    redis.disconnect();
    publisher.disconnect();
    subscriber.disconnect();
    await pool.end().catch(() => undefined);
  };
  try {
    await withTimeout(Promise.all([redis.connect(), publisher.connect(), subscriber.connect()]), CONNECT_TIMEOUT_MS).catch((error: unknown) => {
      throw unreachable('redis', settings.redisUrl, error);
    });
    await withTimeout(pool.query('SELECT 1'), CONNECT_TIMEOUT_MS).catch((error: unknown) => {
      throw unreachable('postgres', settings.postgresUrl, error);
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  log.info(`cluster: redis ${redactUrl(settings.redisUrl)}, postgres ${redactUrl(settings.postgresUrl)}`);
  return { redis, publisher, subscriber, pg: pool, close: closeAll };
}
