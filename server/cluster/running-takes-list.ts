/**
 * The takes running in the cluster, as Redis keeps them: one JSON list under
 * `<keyPrefix>:takes`, written by the node that starts, ends or changes a
 * take, and read by a node that starts later (it joins them) or reaches
 * Redis again after being cut off (takes-after-cut-off.ts).
 */
import type { Redis } from 'ioredis';
import { parseRunningTakes } from './cluster-messages.js';
import type { UnendedTake } from './take-records.js';

/** Sets KEYS[1] to ARGV[2] only while it holds ARGV[1] (ARGV[3] = '1': while it holds nothing); 1 where it did. */
const SET_IF_UNCHANGED = `local stored = redis.call('GET', KEYS[1])
if ARGV[3] == '1' then if stored then return 0 end elseif stored ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

export interface StoredTakes {
  /** The value as Redis holds it (null: none), for a write only while it is unchanged. */
  stored: string | null;
  /** The takes in it; null where Redis holds none, or a value this version does not read (another version's, or damaged). */
  takes: UnendedTake[] | null;
}

export const sameRunningTake = (x: UnendedTake, y: UnendedTake): boolean => x.scene === y.scene && x.take === y.take && x.startedAt === y.startedAt;

export class RunningTakesList {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}

  async read(): Promise<StoredTakes> {
    const stored = await this.redis.get(this.key);
    const takes = stored === null ? null : (parseRunningTakes(stored)?.map((t) => ({ ...t, exceptCameras: t.exceptCameras ?? [] })) ?? null);
    return { stored, takes };
  }

  async write(takes: UnendedTake[]): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(takes));
  }

  /** Writes `takes` only while the list is still `stored` (null: while Redis holds none); whether it did. */
  async writeIfUnchanged(stored: string | null, takes: UnendedTake[]): Promise<boolean> {
    return (await this.redis.eval(SET_IF_UNCHANGED, 1, this.key, stored ?? '', JSON.stringify(takes), stored === null ? '1' : '0')) === 1;
  }
}
