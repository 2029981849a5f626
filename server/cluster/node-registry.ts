/**
 * The cluster's live nodes: each node writes a heartbeat key with an expiry
 * (the lease time) every tick, holding what the Health view and the other
 * nodes need: its capacity, its cameras' statuses, its load. A node whose key
 * has expired is gone; its cameras' leases expire in the same time.
 */
import type { Redis } from 'ioredis';
import { ShotscaleError } from '../errors.js';
import type { CameraStatus } from '../shared/socket-events.js';
import { parseHeartbeat } from './cluster-messages.js';

export interface NodeHeartbeat {
  nodeId: string;
  /** Random per process: tells a restarted node from another with the same id. */
  instance: string;
  url: string;
  /** Most cameras it takes; 0 while draining. */
  capacity: number;
  draining: boolean;
  startedAt: number;
  /** Epoch ms of this heartbeat. */
  at: number;
  /** The cameras it analyses, with each lease's fencing token and last renewal. */
  leases: Record<string, { token: number; renewedAt: number }>;
  /** Their statuses, so that any node can show every camera. */
  cameras: CameraStatus[];
  /** Frames analysed per second over the last window. */
  analysedFps: number;
  /** Whether it computes the cluster's coverage now. */
  coverageDuty: boolean;
}

export class NodeRegistry {
  /** Nodes whose heartbeat this version cannot read (another version's, or damaged), as of the last live(). */
  unreadable: string[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  private key(nodeId: string): string {
    return `${this.prefix}:node:${nodeId}`;
  }

  private get setKey(): string {
    return `${this.prefix}:nodes`;
  }

  async beat(heartbeat: NodeHeartbeat): Promise<void> {
    const results = await this.redis.multi().set(this.key(heartbeat.nodeId), JSON.stringify(heartbeat), 'PX', this.ttlMs).sadd(this.setKey, heartbeat.nodeId).exec();
    // A command refused inside the transaction is not thrown by exec(): a heartbeat never written must not pass unnoticed.
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('the heartbeat was not written');
  }

  async leave(nodeId: string): Promise<void> {
    await this.redis.multi().del(this.key(nodeId)).srem(this.setKey, nodeId).exec();
  }

  /**
   * Every node whose heartbeat has not expired; expired ones are dropped
   * from the set. A heartbeat this version cannot read is left out (noted in
   * `unreadable`) but not dropped: its node may be alive, and its key
   * expires by itself if not.
   */
  async live(): Promise<NodeHeartbeat[]> {
    const ids = await this.redis.smembers(this.setKey);
    if (!ids.length) {
      this.unreadable = [];
      return [];
    }
    const values = await this.redis.mget(ids.map((id) => this.key(id)));
    const live: NodeHeartbeat[] = [];
    const gone: string[] = [];
    const unreadable: string[] = [];
    ids.forEach((id, i) => {
      const value = values[i];
      if (!value) return gone.push(id);
      const heartbeat = parseHeartbeat(value);
      // Under another node's key: not to be believed either.
      if (heartbeat && heartbeat.nodeId === id) live.push(heartbeat);
      else unreadable.push(id);
    });
    this.unreadable = unreadable;
    if (gone.length) await this.redis.srem(this.setKey, ...gone);
    return live.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /**
   * Takes this node's id for this process, atomically (SET NX), so two
   * processes started at once with one id cannot both run. A node restarted
   * at once after a crash finds its own old heartbeat: it waits for that to
   * expire (at most the lease time) rather than failing.
   */
  async reserveId(heartbeat: NodeHeartbeat, waitMs: number, sleep: (ms: number) => Promise<void>): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const taken = await this.redis.set(this.key(heartbeat.nodeId), JSON.stringify(heartbeat), 'PX', this.ttlMs, 'NX');
      if (taken === 'OK') {
        await this.redis.sadd(this.setKey, heartbeat.nodeId);
        return;
      }
      const value = await this.redis.get(this.key(heartbeat.nodeId));
      if (Date.now() >= deadline) {
        const other = value ? parseHeartbeat(value) : null;
        throw new ShotscaleError('CLUSTER_NODE_ID_IN_USE', `cluster.nodeId: node "${heartbeat.nodeId}" is already running${other ? ` (${other.url}, heartbeat ${Math.round((Date.now() - other.at) / 1000)} s ago)` : ''}`, {
          hint: 'give each node its own cluster.nodeId',
        });
      }
      await sleep(Math.min(500, Math.max(50, deadline - Date.now())));
    }
  }
}
