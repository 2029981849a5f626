/**
 * Tells a node that the leases and heartbeats in Redis may have lapsed
 * under the live nodes (Redis restarted, or this node was away from it for
 * a while), so that it lets every node take back its own leases before any
 * camera changes hands.
 *
 * A Redis that restarted has no live leases and no heartbeats: an empty
 * one has none at all, and one that reloaded its data (RDB or AOF) finds
 * them expired. The first node to tick would see every camera free and
 * itself alone, and take the others' cameras, which they then lose at
 * their next renewal (a camera stopped and started twice, its shot cut).
 * Two signs tell: a random epoch key gone or changed (an empty Redis),
 * and Redis's run_id changed (any restart, with or without its data).
 *
 * A Redis that kept running does the same to nodes cut off from it (a
 * switch, a firewall) or that it stopped answering (hung, kill -STOP):
 * their leases and heartbeats expire while they keep analysing. Neither
 * sign tells that; the node itself does: Redis failed to answer it (a
 * check failed, cut off, or timed out on a hung Redis). Even a short
 * absence counts: a node cut off alike may come back up to 2 s later
 * (SETTLE_EXTRA_MS), by when its leases may have lapsed. A tick merely
 * late (a busy event loop) is no absence: Redis never failed. On the floor,
 * nodes cut off for 30 s took each other's cameras when they came back,
 * moved them again to rebalance, and closed the open shots of the others
 * as orphans (two nodes logging one camera, false `restart` cuts).
 *
 * Then the node takes back its own leases (renew does), claims nothing and
 * closes no orphans for one lease time and a reconnection (SETTLE_EXTRA_MS)
 * from when it is back, by when every live node has taken back its own: the
 * others, cut off alike, come back on their own reconnection schedule.
 */
import { randomUUID } from 'node:crypto';
import { ReplyError, type Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';

/**
 * The longest another node may take to reach Redis again after this one
 * did: its client tries to reconnect every 2 s at most (retryStrategy in
 * cluster-connections.ts), so a node back first would otherwise stop
 * waiting before a node that tried just before Redis answered again.
 */
const SETTLE_EXTRA_MS = 2000;

export class RedisRestarts {
  /** Redis's epoch as this node knows it. */
  private epoch: string | null = null;
  /** Redis's run_id when this node last looked: another one means Redis restarted, with its data or not. */
  private redisRun: string | null = null;
  /** When Redis last answered this node's check (the start of that tick); null before the first. */
  private answeredAt: number | null = null;
  /** Whether a check failed since Redis last answered (this node could not reach it). */
  private missed = false;
  /** Until when the node waits after Redis restarted, or after it was away from Redis. */
  private settleUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {}

  /** Looks for a restart, or a return after an absence (at every tick, first): throws as any Redis command does while Redis is away. */
  async check(now: number): Promise<void> {
    const key = `${this.keyPrefix}:epoch`;
    let current: string | null;
    let runId: string | null;
    try {
      current = await this.redis.get(key);
      runId = await this.redisRunId();
    } catch (error) {
      this.missed = true;
      throw error;
    }
    const away = this.missed && this.answeredAt !== null ? now - this.answeredAt : null;
    this.missed = false;
    this.answeredAt = now;
    if (current !== null && current === this.epoch && runId === this.redisRun) {
      if (away !== null) this.settle(now, `back after ${(away / 1000).toFixed(1)} s away from Redis (the leases and heartbeats of nodes cut off alike may have expired meanwhile)`);
      return;
    }
    if (current === null) await this.redis.set(key, randomUUID(), 'NX');
    const adopted = await this.redis.get(key);
    if (this.epoch !== null) this.settle(now, 'Redis restarted (or lost its data)');
    this.epoch = adopted;
    this.redisRun = runId;
  }

  /** Whether cameras may change hands (and orphans be closed) now: no Redis restart, nor return to Redis, within the settle time. */
  settled(now: number): boolean {
    return now >= this.settleUntil;
  }

  private settle(now: number, why: string): void {
    const ms = this.leaseMs + SETTLE_EXTRA_MS;
    this.settleUntil = Math.max(this.settleUntil, now + ms);
    this.log.warn(`cluster: ${why}: taking back this node's leases; no camera changes hands, and no node is taken for gone, for ${ms / 1000} s, while every node takes back its own`);
  }

  /** Redis's run_id, new at each start of the server; null where INFO is refused (a managed Redis may rename it). */
  private async redisRunId(): Promise<string | null> {
    try {
      return /^run_id:(\w+)/m.exec(await this.redis.info('server'))?.[1] ?? null;
    } catch (error) {
      // Refused (a reply), the epoch alone tells; Redis away, the tick learns it as from any command.
      if (error instanceof ReplyError) return null;
      throw error;
    }
  }
}
