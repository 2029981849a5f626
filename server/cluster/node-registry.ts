/**
 * The cluster's live nodes: each node writes a heartbeat key with an expiry
 * (the lease time) every tick, holding what the Health view and the other
 * nodes need: its capacity, its cameras' statuses, its load. A node whose key
 * has expired is gone; its cameras' leases expire in the same time.
 */
import type { Redis } from 'ioredis';
import { ShotscaleError } from '../errors.js';
import { parseHeartbeat, type NodeHeartbeat } from './cluster-messages.js';

export type { NodeHeartbeat };

/**
 * KEYS: heartbeat, node set. ARGV: heartbeat JSON, instance, ttl ms, node
 * id, now (epoch ms). Nil once written; the heartbeat found instead when it
 * is another instance's and younger than the ttl. One that cannot be read,
 * or an old one (a restored dump), is overwritten as before.
 */
const BEAT = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, found = pcall(cjson.decode, current)
  if ok and type(found) == 'table' and type(found.instance) == 'string' and found.instance ~= ARGV[2]
    and type(found.at) == 'number' and found.at > tonumber(ARGV[5]) - tonumber(ARGV[3]) then
    return current
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
return nil`;

/** KEYS: heartbeat, node set. ARGV: instance, node id. */
const LEAVE = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, found = pcall(cjson.decode, current)
  if ok and type(found) == 'table' and found.instance ~= ARGV[1] then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

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

  /**
   * Writes this node's heartbeat, unless a fresh one of another process
   * with this node id is there: that process took the id while this one was
   * cut off (its heartbeat lapsed), and CLUSTER_NODE_ID_IN_USE says so
   * rather than the two overwriting each other's.
   */
  async beat(heartbeat: NodeHeartbeat): Promise<void> {
    const other = await this.redis.eval(BEAT, 2, this.key(heartbeat.nodeId), this.setKey, JSON.stringify(heartbeat), heartbeat.instance, this.ttlMs, heartbeat.nodeId, heartbeat.at);
    if (other === null) return;
    const found = parseHeartbeat(String(other));
    throw new ShotscaleError('CLUSTER_NODE_ID_IN_USE', `cluster.nodeId: node "${heartbeat.nodeId}" was taken by another process${found ? ` (${found.url}, started ${new Date(found.startedAt).toISOString()})` : ''} while this one could not renew its heartbeat in Redis`, {
      hint: 'give each node its own cluster.nodeId; this process stops its cameras and leaves the id to the other',
    });
  }

  /** Removes this process's heartbeat (not one another process with the id wrote since). */
  async leave(nodeId: string, instance: string): Promise<void> {
    await this.redis.eval(LEAVE, 2, this.key(nodeId), this.setKey, instance, nodeId);
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
        throw new ShotscaleError(
          'CLUSTER_NODE_ID_IN_USE',
          `cluster.nodeId: node "${heartbeat.nodeId}" is already running${other ? ` (${other.url}, heartbeat ${Math.round((Date.now() - other.at) / 1000)} s ago)` : ''}: its heartbeat in Redis was renewed throughout the ${Math.round(waitMs / 1000)} s waited`,
          { hint: `give each node its own cluster.nodeId; a node that stopped or crashed frees its id within the lease time (${this.ttlMs / 1000} s, cluster.leaseS)` },
        );
      }
      await sleep(Math.min(500, Math.max(50, deadline - Date.now())));
    }
  }
}
