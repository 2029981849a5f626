/**
 * Camera leases in Redis: a camera is analysed by the node that holds its
 * lease, and by no other. A lease is a key with an expiry, renewed by its
 * holder; a node that stops renewing (killed, hung, cut off) loses it when
 * the key expires, and another node may claim it.
 *
 * Each claim takes a fencing token from a counter that only grows, so a
 * holder's token tells the newer lease from an older one: a node whose
 * renewal finds another value in the key has lost the camera and stops it.
 * Claim, renew and release are Lua scripts: each reads and writes the key as
 * one step, so two nodes can never both believe they renewed or claimed it.
 *
 * A lease that would outlast a lease time (no expiry at all: a SET typed by
 * hand, a dump restored without its expiries; or a longer one) used to keep
 * its camera unclaimed for ever, shown as unassigned. A claim that meets one
 * cuts its expiry to one lease time rather than taking it: a live holder
 * renews it at its next tick as ever and keeps the camera, a dead one (or a
 * value no node writes) lets it expire, and the camera is claimed then, with
 * a new fencing token. Taking it at once would be quicker, but only the
 * holder knows whether it still renews.
 */
import type { Redis } from 'ioredis';

/**
 * KEYS: lease, fence. ARGV: holder, lease ms. The new fencing token; nil
 * when the camera is held; or, for a lease that would outlast a lease time,
 * its value and its expiry as found (-1: none), once that is cut to one lease time.
 */
const CLAIM = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 or ttl > tonumber(ARGV[2]) then
  local value = redis.call('GET', KEYS[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {value, ttl}
end
if ttl >= 0 then return nil end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '#' .. token, 'PX', ARGV[2])
return token`;

/**
 * KEYS: lease, fence. ARGV: holder#token, lease ms, token. 1 when still ours
 * and extended, 0 when another node holds it. A lease that is simply gone
 * (Redis restarted empty after an outage) is taken back with the same token,
 * and the fence counter raised to it, so the cameras a node kept running
 * through the outage carry on without a restart. A fence that is not a
 * number (damaged) is replaced by the token, rather than failing every
 * renewal of this node.
 */
const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if current then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if (tonumber(redis.call('GET', KEYS[2]) or '0') or 0) < tonumber(ARGV[3]) then redis.call('SET', KEYS[2], ARGV[3]) end
return 1`;

/** KEYS: lease. ARGV: holder#token. Deletes the lease only while it is ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface LeaseHolder {
  nodeId: string;
  token: number;
}

export function parseHolder(value: string | null): LeaseHolder | null {
  if (!value) return null;
  const at = value.lastIndexOf('#');
  const token = Number(value.slice(at + 1));
  return at > 0 && Number.isInteger(token) ? { nodeId: value.slice(0, at), token } : null;
}

/**
 * A node claimed a camera and could not start it (a file it lacks, a model it
 * cannot load): said in Redis, beside the lease, so that every node's status
 * of the camera gives that cause rather than "every node is at its capacity".
 */
export interface StartFailure {
  nodeId: string;
  /** The error's code (server/errors.ts), and its message. */
  code: string;
  message: string;
  /** Epoch ms of the try. */
  at: number;
  /** The revision of the definition that failed: an edit makes it stale. */
  revision: number;
}

function parseFailure(nodeId: string, value: string): StartFailure | null {
  try {
    const { code, message, at, revision } = JSON.parse(value) as Partial<StartFailure>;
    if (typeof code !== 'string' || typeof message !== 'string' || typeof at !== 'number' || typeof revision !== 'number') return null;
    return { nodeId, code, message, at, revision };
  } catch {
    return null;
  }
}

/** What a claim found: the lease taken (its token), held by a node, or stale (its expiry cut to one lease time). */
export type ClaimResult = { token: number } | { token: null; stale?: { value: string; ttlMs: number } };

export class CameraLeases {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly leaseMs: number,
  ) {}

  private leaseKey(cameraId: string): string {
    return `${this.prefix}:lease:${cameraId}`;
  }

  private fenceKey(cameraId: string): string {
    return `${this.prefix}:fence:${cameraId}`;
  }

  private failureKey(cameraId: string): string {
    return `${this.prefix}:start-failures:${cameraId}`;
  }

  /** The fencing token of a new lease; none while another node holds the camera (`stale`: a lease that would have outlasted a lease time, now cut to one). */
  async claim(cameraId: string): Promise<ClaimResult> {
    const reply = await this.redis.eval(CLAIM, 2, this.leaseKey(cameraId), this.fenceKey(cameraId), this.nodeId, this.leaseMs);
    if (reply === null) return { token: null };
    if (Array.isArray(reply)) return { token: null, stale: { value: String(reply[0]), ttlMs: Number(reply[1]) } };
    return { token: Number(reply) };
  }

  /** Where a camera's lease is kept, for messages an operator acts on. */
  keyOf(cameraId: string): string {
    return this.leaseKey(cameraId);
  }

  /** Renews every lease given; returns the cameras whose lease is no longer this node's. */
  async renew(held: ReadonlyMap<string, number>): Promise<string[]> {
    if (!held.size) return [];
    const pipeline = this.redis.pipeline();
    for (const [cameraId, token] of held) pipeline.eval(RENEW, 2, this.leaseKey(cameraId), this.fenceKey(cameraId), `${this.nodeId}#${token}`, this.leaseMs, token);
    const results = (await pipeline.exec()) ?? [];
    const lost: string[] = [];
    [...held.keys()].forEach((cameraId, i) => {
      const [error, value] = results[i] ?? [new Error('no reply'), 0];
      if (error) throw error;
      if (Number(value) !== 1) lost.push(cameraId);
    });
    return lost;
  }

  async release(cameraId: string, token: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.leaseKey(cameraId), `${this.nodeId}#${token}`);
  }

  /** Who holds each camera now (absent: nobody). */
  async holders(cameraIds: readonly string[]): Promise<Map<string, LeaseHolder>> {
    const out = new Map<string, LeaseHolder>();
    if (!cameraIds.length) return out;
    const values = await this.redis.mget(cameraIds.map((id) => this.leaseKey(id)));
    cameraIds.forEach((id, i) => {
      const holder = parseHolder(values[i] ?? null);
      if (holder) out.set(id, holder);
    });
    return out;
  }

  /** Says that this node could not start the camera (one entry per node, the latest); every entry goes `keepMs` after the last. */
  async noteStartFailure(cameraId: string, failure: Omit<StartFailure, 'nodeId'>, keepMs: number): Promise<void> {
    const key = this.failureKey(cameraId);
    await this.redis.multi().hset(key, this.nodeId, JSON.stringify(failure)).pexpire(key, keepMs).exec();
  }

  /** The camera started on this node: what the nodes that could not start it said no longer stands. */
  async clearStartFailures(cameraId: string): Promise<void> {
    await this.redis.del(this.failureKey(cameraId));
  }

  /** Per camera, the nodes that could not start it, latest first (absent: none said so). Entries this version cannot read are left out. */
  async startFailures(cameraIds: readonly string[]): Promise<Map<string, StartFailure[]>> {
    const out = new Map<string, StartFailure[]>();
    if (!cameraIds.length) return out;
    const pipeline = this.redis.pipeline();
    for (const id of cameraIds) pipeline.hgetall(this.failureKey(id));
    const results = (await pipeline.exec()) ?? [];
    cameraIds.forEach((id, i) => {
      const [error, value] = results[i] ?? [null, null];
      // A key of another type (written by hand, damaged) says nothing of the camera; it goes with its expiry.
      if (error) return;
      const failures = Object.entries((value ?? {}) as Record<string, string>)
        .map(([nodeId, text]) => parseFailure(nodeId, text))
        .filter((f): f is StartFailure => f !== null)
        .sort((a, b) => b.at - a.at);
      if (failures.length) out.set(id, failures);
    });
    return out;
  }
}
