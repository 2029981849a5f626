/**
 * One process per node id, fenced in PostgreSQL, where the shot ids live.
 *
 * Each node logs its shots under ids of its own range (its number times
 * 2^36, shot-replicator.ts). Two processes with one node id (a config copied
 * without changing cluster.nodeId, or a node restarted while its old process
 * still runs behind a partition) would give one id to two shots, and each
 * would overwrite the other's in the cluster's log. The heartbeat in Redis
 * cannot prevent that alone: a process cut off from Redis has no heartbeat
 * there, yet may still reach PostgreSQL and copy its shots.
 *
 * So each process holds a session advisory lock on its node number, on a
 * connection of its own, and copies its shots over that connection only:
 * while it holds the lock no other process with its id gets past the start,
 * and once it has lost the connection and another process has taken the id,
 * it cannot write one more shot (it takes the lock again before it copies).
 *
 * How long a dead holder keeps the id: a process that exits or is killed
 * closes its connection, and PostgreSQL lets the lock go at once, so a node
 * restarted after a crash does not wait. A machine that vanished (power, a
 * cable) is noticed by the TCP keepalive set on that connection below: the
 * lock goes within about KEEPALIVE_S seconds.
 */
import os from 'node:os';
import pg from 'pg';
import { errorMessage, ShotscaleError } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import { redactUrl } from './cluster-connections.js';

/** The first key of the lock (the second is the node number); any constant no other lock of the cluster uses. */
const LOCK_CLASS = 0x5ca1d;

/** Keepalive of the lock's connection: idle 5 s, then 3 probes 2 s apart (and unacknowledged data for as long). */
const KEEPALIVE = { idleS: 5, intervalS: 2, count: 3 };
export const KEEPALIVE_S = KEEPALIVE.idleS + KEEPALIVE.intervalS * KEEPALIVE.count;

const CONNECT_TIMEOUT_MS = 5000;
const QUERY_TIMEOUT_MS = 5000;

/** What the shot copy needs of a connection. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

export interface NodeIdLockOptions {
  postgresUrl: string;
  nodeId: string;
  /** The node's number (cluster_nodes), whose shot-id range the lock guards. */
  number: number;
  log: Logger;
}

export class NodeIdLock {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  /** The backend that held the lock for this process last: after a dropped connection it may hold it a while yet. */
  private ownPid: number | null = null;
  /** Set once another process has taken this node's id: this one writes nothing more. */
  private lost: ShotscaleError | null = null;

  private constructor(private readonly options: NodeIdLockOptions) {}

  /**
   * Takes the node's id for this process, waiting up to `waitMs` for a
   * holder that is going away (a vanished machine's connection); then
   * CLUSTER_NODE_ID_IN_USE, saying who holds it, from where, since when.
   */
  static async acquire(options: NodeIdLockOptions, waitMs: number, sleep: (ms: number) => Promise<void>): Promise<NodeIdLock> {
    const lock = new NodeIdLock(options);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const holder = await lock.take();
      if (holder === null) return lock;
      if (Date.now() >= deadline) throw lock.inUse(holder, `waited ${Math.round(waitMs / 1000)} s`);
      await sleep(Math.min(1000, Math.max(50, deadline - Date.now())));
    }
  }

  /**
   * The connection that holds the lock, for writing this node's shots.
   * After a dropped connection it connects and takes the lock again; it
   * throws CLUSTER_NODE_ID_IN_USE once another process holds it, and from
   * then on.
   */
  async session(): Promise<Queryable> {
    if (this.lost) throw this.lost;
    if (this.client) return this.client;
    this.connecting ??= this.retake().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Whether this process still holds its id (as of the last look); throws as session() does. */
  async verify(): Promise<void> {
    await this.session();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async retake(): Promise<pg.Client> {
    const holder = await this.take();
    if (holder === null) return this.client!;
    // This process's own dropped connection, not yet noticed by PostgreSQL: its lock goes with it shortly.
    if (holder.pid === this.ownPid) throw new Error(`the node id's lock is still held by this node's dropped connection; PostgreSQL lets it go within ${KEEPALIVE_S} s`);
    this.lost = this.inUse(holder, 'this node lost its connection to PostgreSQL meanwhile; it stops its cameras and copies no more shots');
    this.options.log.error(`${this.lost.code}: ${this.lost.message}`);
    throw this.lost;
  }

  /** One try: null once the lock is held on a new connection kept as `client`; else who holds it. */
  private async take(): Promise<Holder | null> {
    const { postgresUrl, nodeId, number, log } = this.options;
    const client = new pg.Client({
      connectionString: postgresUrl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      statement_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE.idleS * 1000,
      application_name: `shotscale ${nodeId}@${os.hostname()}`.slice(0, 63),
    });
    // A connection that drops is noticed here; the next session() takes the lock again.
    client.on('error', (error) => {
      log.warn(`postgres (node id lock): ${errorMessage(error)}`);
      this.forget(client);
    });
    client.on('end', () => this.forget(client));
    try {
      await client.connect();
      // So that PostgreSQL lets go of a vanished machine's lock in seconds, not after the system's two hours.
      await client.query(`SET tcp_keepalives_idle = ${KEEPALIVE.idleS}; SET tcp_keepalives_interval = ${KEEPALIVE.intervalS}; SET tcp_keepalives_count = ${KEEPALIVE.count}; SET tcp_user_timeout = ${KEEPALIVE_S * 1000}`);
      const { rows } = await client.query<{ taken: boolean; pid: number }>('SELECT pg_try_advisory_lock($1, $2) AS taken, pg_backend_pid() AS pid', [LOCK_CLASS, number]);
      if (rows[0]!.taken) {
        this.ownPid = rows[0]!.pid;
        this.client = client;
        return null;
      }
      const holder = await client.query<Holder>(
        `SELECT a.pid, host(a.client_addr) AS address, a.application_name AS application, a.backend_start AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2 AND l.granted`,
        [LOCK_CLASS, number],
      );
      await client.end().catch(() => undefined);
      // Gone between the two queries: said as unknown, tried again by the caller.
      return holder.rows[0] ?? { pid: null, address: null, application: null, since: null };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private forget(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
  }

  private inUse(holder: Holder, detail: string): ShotscaleError {
    const { nodeId, postgresUrl } = this.options;
    const from = [holder.application, holder.address ? `from ${holder.address}` : null, holder.since ? `connected since ${new Date(holder.since).toISOString()}` : null].filter(Boolean).join(', ');
    return new ShotscaleError(
      'CLUSTER_NODE_ID_IN_USE',
      `cluster.nodeId: node "${nodeId}" is already running: another process holds its id in PostgreSQL at ${redactUrl(postgresUrl)}${from ? ` (${from})` : ''}; ${detail}`,
      { hint: `give each node its own cluster.nodeId; a node that stopped or crashed frees its id at once, a machine gone from the network within ${KEEPALIVE_S} s` },
    );
  }
}

interface Holder {
  pid: number | null;
  address: string | null;
  application: string | null;
  since: Date | null;
}
