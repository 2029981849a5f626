/**
 * Tells a node that the cluster's Redis restarted, so that it lets every
 * node take back its own leases before any camera changes hands.
 *
 * A Redis that restarted has no live leases and no heartbeats: an empty
 * one has none at all, and one that reloaded its data (RDB or AOF) finds
 * them expired. The first node to tick would see every camera free and
 * itself alone, and take the others' cameras, which they then lose at
 * their next renewal (a camera stopped and started twice, its shot cut).
 * Two signs tell: a random epoch key gone or changed (an empty Redis),
 * and Redis's run_id changed (any restart, with or without its data).
 * Then the node takes back its own leases (renew does) and claims
 * nothing, and closes no orphans, for one lease time, by when every live
 * node has taken back its own.
 */
import { randomUUID } from 'node:crypto';
import { ReplyError, type Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';

export class RedisRestarts {
  /** Redis's epoch as this node knows it. */
  private epoch: string | null = null;
  /** Redis's run_id when this node last looked: another one means Redis restarted, with its data or not. */
  private redisRun: string | null = null;
  /** Until when the node waits after Redis restarted. */
  private settleUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {}

  /** Looks for a restart (at every tick, first): throws as any Redis command does while Redis is away. */
  async check(now: number): Promise<void> {
    const key = `${this.keyPrefix}:epoch`;
    const current = await this.redis.get(key);
    const runId = await this.redisRunId();
    if (current !== null && current === this.epoch && runId === this.redisRun) return;
    if (current === null) await this.redis.set(key, randomUUID(), 'NX');
    const adopted = await this.redis.get(key);
    if (this.epoch !== null) {
      this.settleUntil = now + this.leaseMs;
      this.log.warn(`cluster: Redis restarted (or lost its data): taking back this node's leases; no camera changes hands for ${this.leaseMs / 1000} s`);
    }
    this.epoch = adopted;
    this.redisRun = runId;
  }

  /** Whether cameras may change hands (and orphans be closed) now: no Redis restart within the last lease time. */
  settled(now: number): boolean {
    return now >= this.settleUntil;
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
