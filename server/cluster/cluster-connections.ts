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
  /** While the command client has no connection: why, as the connection last failed (ECONNREFUSED, WRONGPASS); null while it has one. */
  redisProblem(): string | null;
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

/** The password written in a URL (even one that does not parse), so that no message repeats it. */
function passwordIn(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.password ? decodeURIComponent(parsed.password) : null;
  } catch {
    return /\/\/[^:@/]*:([^@/]*)@/.exec(url)?.[1] ?? null;
  }
}

/** A library's message about `url`, without its password (some repeat the URL they were given). */
function scrubbed(message: string, url: string): string {
  const password = passwordIn(url);
  let out = message.split(url).join(redactUrl(url));
  if (password) out = out.split(password).join('***');
  return out;
}

type Engine = 'redis' | 'postgres';
const keyOf = (what: Engine) => (what === 'redis' ? 'cluster.redisUrl' : 'cluster.postgresUrl');
const nameOf = (what: Engine) => (what === 'redis' ? 'Redis' : 'PostgreSQL');

/**
 * What to do about a refusal that reaching the engine does not cure: Redis's answers to a
 * wrong or missing password (WRONGPASS, NOAUTH) or a user without rights
 * (NOPERM); PostgreSQL's invalid password or authorization (28xxx) and a
 * database or role that does not exist (3D000).
 */
function refusal(what: Engine, error: unknown): string | null {
  const key = keyOf(what);
  const credentials = `correct the user name or password in ${key} (or in the environment variable the password comes from)`;
  const message = errorMessage(error);
  if (what === 'redis') return /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(message) ? credentials : null;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('28')) return credentials;
  if (code === '3D000') return `create the database (createdb), or correct its name in ${key}`;
  return null;
}

function unreachable(what: Engine, url: string, error: unknown): ShotscaleError {
  const key = keyOf(what);
  const engine = nameOf(what);
  const reason = scrubbed(errorMessage(error), url) || 'no answer';
  const refused = refusal(what, error);
  if (refused) {
    return new ShotscaleError('CLUSTER_UNREACHABLE', `${key}: ${engine} at ${redactUrl(url)} refuses this node: ${reason}`, {
      hint: refused,
      cause: error,
    });
  }
  return new ShotscaleError('CLUSTER_UNREACHABLE', `${key}: ${engine} at ${redactUrl(url)} cannot be reached: ${reason}`, {
    hint: `start ${engine}, or correct ${key} in the config (cluster.enabled: false runs this node alone)`,
    cause: error,
  });
}

/** A URL the engine's client cannot even parse (a port that is not a number): said with its key, never with its password. */
function checkUrl(what: Engine, url: string): void {
  try {
    new URL(url);
  } catch {
    throw new ShotscaleError('CONFIG_INVALID', `${keyOf(what)}: ${redactUrl(url)} is not a URL a ${nameOf(what)} client can use`, {
      hint: `write it as ${what === 'redis' ? 'redis://[:PASSWORD@]HOST:PORT' : 'postgres://USER[:PASSWORD]@HOST:PORT/DATABASE'}`,
    });
  }
}

/**
 * The first error a client reports while connecting: Redis's answer to AUTH
 * (WRONGPASS, NOAUTH) comes as an error event, and connect() then fails
 * only with "Connection is closed", which says nothing of the password.
 */
function firstError(clients: Redis[]): { error: () => Error | null; stop: () => void } {
  let seen: Error | null = null;
  const listener = (error: Error) => {
    seen ??= error;
  };
  for (const client of clients) client.on('error', listener);
  return { error: () => seen, stop: () => clients.forEach((client) => client.off('error', listener)) };
}

/** Each Redis client's last connection error, until it is connected again. */
const lastErrors = new WeakMap<Redis, string>();

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
    lastErrors.set(client, errorMessage(error));
    if (down) return;
    down = true;
    log.warn(`redis (${role}): ${errorMessage(error)}; reconnecting`);
  });
  // Redis shut down cleanly ends the connection without an error: until a reconnection fails, that is the reason
  // (the fault read "no connection (connecting)" in that moment).
  client.on('close', () => {
    if (!lastErrors.has(client)) lastErrors.set(client, 'the connection was closed by the server');
  });
  client.on('ready', () => {
    lastErrors.delete(client);
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
  checkUrl('postgres', settings.postgresUrl);
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
  checkUrl('redis', settings.redisUrl);
  checkUrl('postgres', settings.postgresUrl);
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
  const connecting = firstError([redis, publisher, subscriber]);
  try {
    await withTimeout(Promise.all([redis.connect(), publisher.connect(), subscriber.connect()]), CONNECT_TIMEOUT_MS).catch((error: unknown) => {
      const answer = connecting.error();
      throw unreachable('redis', settings.redisUrl, answer && refusal('redis', answer) ? answer : error);
    });
    await withTimeout(pool.query('SELECT 1'), CONNECT_TIMEOUT_MS).catch((error: unknown) => {
      throw unreachable('postgres', settings.postgresUrl, error);
    });
  } catch (error) {
    await closeAll();
    throw error;
  } finally {
    connecting.stop();
  }
  log.info(`cluster: redis ${redactUrl(settings.redisUrl)}, postgres ${redactUrl(settings.postgresUrl)}`);
  const redisProblem = () => (redis.status === 'ready' ? null : scrubbed(lastErrors.get(redis) ?? `no connection (${redis.status})`, settings.redisUrl));
  return { redis, publisher, subscriber, pg: pool, redisProblem, close: closeAll };
}
