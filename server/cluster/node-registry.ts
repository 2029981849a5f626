/**
 * The cluster's live nodes: each node writes a heartbeat key with an expiry
 * (the lease time) every tick, holding what the Health view and the other
 * nodes need: its capacity, its cameras' statuses, its load. A node whose key
 * has expired is gone; its cameras' leases expire in the same time.
 */
import type { Redis } from 'ioredis';
import { ShotscaleError } from '../errors.js';
import type { CameraStatus } from '../shared/socket-events.js';

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
    await this.redis.multi().set(this.key(heartbeat.nodeId), JSON.stringify(heartbeat), 'PX', this.ttlMs).sadd(this.setKey, heartbeat.nodeId).exec();
  }

  async leave(nodeId: string): Promise<void> {
    await this.redis.multi().del(this.key(nodeId)).srem(this.setKey, nodeId).exec();
  }

  /** Every node whose heartbeat has not expired; expired ones are dropped from the set. */
  async live(): Promise<NodeHeartbeat[]> {
    const ids = await this.redis.smembers(this.setKey);
    if (!ids.length) return [];
    const values = await this.redis.mget(ids.map((id) => this.key(id)));
    const live: NodeHeartbeat[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const value = values[i];
      if (!value) return gone.push(id);
      try {
        live.push(JSON.parse(value) as NodeHeartbeat);
      } catch {
        gone.push(id);
      }
    });
    if (gone.length) await this.redis.srem(this.setKey, ...gone);
    return live.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /**
   * Refuses to start a second node with a live node's id. A node restarted
   * at once after a crash finds its own old heartbeat: it waits for that to
   * expire (at most the lease time) rather than failing.
   */
  async assertIdFree(nodeId: string, instance: string, waitMs: number, sleep: (ms: number) => Promise<void>): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const value = await this.redis.get(this.key(nodeId));
      if (!value) return;
      const other = JSON.parse(value) as NodeHeartbeat;
      if (other.instance === instance) return;
      if (Date.now() >= deadline) {
        throw new ShotscaleError('CLUSTER_NODE_ID_IN_USE', `cluster.nodeId: node "${nodeId}" is already running (${other.url}, heartbeat ${Math.round((Date.now() - other.at) / 1000)} s ago)`, {
          hint: 'give each node its own cluster.nodeId',
        });
      }
      await sleep(Math.min(500, Math.max(50, deadline - Date.now())));
    }
  }
}
