/**
 * What a node owes the cluster's takes after it was cut off from Redis, and
 * what it missed: takes slated here meanwhile (no other node heard of them),
 * a write of the running takes that failed, and takes other nodes started
 * meanwhile (their take:start never reached this node). Settled when Redis
 * answers again (its client's connection is ready).
 */
import type { SocketHub } from '../api/socket-hub.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { ShotLog } from '../shots/shot-log.js';
import { sameRunningTake, type RunningTakesList } from './running-takes-list.js';
import type { TakeKeys, UnendedTake } from './take-records.js';

/**
 * How long after this node reaches Redis again the takes it slated while
 * cut off are told to the others: every node's Redis clients try again at
 * least every 2 s (retryStrategy in cluster-connections.ts), so by then the
 * others listen again, and this node's publisher is back (an event sent
 * before is dropped: cluster-fanout.ts).
 */
const SHARE_AFTER_MS = 2500;

/** Tries of the write of the running takes once Redis is back, while other nodes write them too. */
const KEEP_TRIES = 5;

/** How much earlier than its start where it was started a take may start on a node it is relayed to, by their clocks (NTP: milliseconds). */
const RELAY_SLACK_MS = 2000;

export interface TakesAfterCutOffDeps {
  list: RunningTakesList;
  shotLog: ShotLog;
  keys: TakeKeys;
  /** The takes running here, as Redis keeps them (`only`: those with these ids of this node's). */
  runningHere: (only?: Set<number>) => UnendedTake[];
  hub: () => SocketHub | null;
  /** The running takes changed here: pushed to this node's dashboards. */
  pushRunning: () => void;
  /** Whether the node has joined the cluster's running takes: before, Redis answering is the start, not a return. */
  joined: () => boolean;
  closed: () => boolean;
  log: Logger;
}

export class TakesAfterCutOff {
  /** Takes slated here while this node was cut off from Redis (by this node's id): no other node heard of them. */
  private readonly unshared = new Set<number>();
  /** Whether the running takes' last write to Redis failed: written again once Redis answers. */
  private unkept = false;

  constructor(private readonly deps: TakesAfterCutOffDeps) {}

  /** Take `takeId` was slated here while no other node could hear of it: told to them once Redis answers. */
  slatedUnheard(takeId: number): void {
    this.unshared.add(takeId);
  }

  /** The running takes were written to Redis (true), or the write failed (false: written again once Redis answers). */
  kept(written: boolean): void {
    this.unkept = !written;
  }

  /**
   * Redis answers again: takes other nodes started meanwhile are joined; if
   * this node could not write the running takes, or slated takes the others
   * never heard of, the running takes are kept in Redis again (nodes that
   * start later join them), and those takes are told to the others
   * (SHARE_AFTER_MS), which start them as they would have. A take ended
   * meanwhile is not told. Nothing owed: nothing done.
   */
  redisBack(): void {
    const { log } = this.deps;
    if (this.deps.closed()) return;
    if (this.deps.joined()) void this.joinMissed().catch((error: unknown) => log.warn(`cluster: the running takes not read as Redis answered again (${errorMessage(error)}): a take started elsewhere meanwhile runs here from the next one heard`));
    if (!this.unkept && !this.unshared.size) return;
    const unshared = new Set(this.unshared);
    if (this.unkept) void this.keepAgain(unshared).catch((error: unknown) => log.warn(`cluster: running takes not kept in Redis again: ${errorMessage(error)}; tried again when Redis next answers`));
    if (!unshared.size) return;
    setTimeout(() => {
      const hub = this.deps.hub();
      if (this.deps.closed() || !hub) return;
      const told = this.deps.runningHere(unshared);
      for (const take of told) hub.io.serverSideEmit('take:start', { scene: take.scene, take: take.take, cameras: take.cameras, startedAt: take.startedAt });
      for (const id of unshared) this.unshared.delete(id);
      if (told.length) log.info(`cluster: told the other nodes of the take(s) slated here while Redis was away: ${told.map((t) => `scene ${t.scene} take ${t.take}`).join(', ')}`);
    }, SHARE_AFTER_MS).unref();
  }

  /**
   * The takes another node started while this node was cut off run here
   * too, as a node that starts during a take joins it; else this node's
   * cameras stay out of them, and its next write of the running takes drops
   * them from Redis. A take this node has run since its start there (and
   * ended here while cut off) is not started again.
   */
  private async joinMissed(): Promise<void> {
    const { shotLog, keys, log } = this.deps;
    const { takes } = await this.deps.list.read();
    let joined = 0;
    for (const take of takes ?? []) {
      if (shotLog.runningTakes().some((t) => t.scene === take.scene && t.take === take.take && keys.originOf(t) === take.startedAt)) continue;
      const ranHere = shotLog.takeStore.find(take.scene, take.take);
      if (ranHere && ranHere.startedAt >= take.startedAt - RELAY_SLACK_MS) continue;
      keys.started(shotLog.startTake({ scene: take.scene, take: take.take, cameras: take.cameras, exceptCameras: take.exceptCameras, again: true }).id, take.startedAt);
      log.info(`cluster: joined scene ${take.scene} take ${take.take}, started on another node while this one could not reach Redis`);
      joined++;
    }
    if (joined) this.deps.pushRunning();
  }

  /**
   * The running takes written to Redis again. Where Redis holds none (it
   * lost its data), this node's, as a node joining from the cluster's
   * record writes them; else the list there, which the others may have
   * changed meanwhile, with the takes slated here while cut off added (a
   * list of this node's alone would drop the takes the others slated while
   * this node was away). Set only where no other node wrote it meanwhile.
   */
  private async keepAgain(unshared: Set<number>): Promise<void> {
    const { list, log } = this.deps;
    for (let tries = 0; tries < KEEP_TRIES; tries++) {
      const { stored, takes: theirs } = await list.read();
      const mine = this.deps.runningHere(theirs ? unshared : undefined).filter((t) => !theirs?.some((other) => sameRunningTake(t, other)));
      const kept = [...(theirs ?? []), ...mine];
      if (await list.writeIfUnchanged(stored, kept)) {
        this.unkept = false;
        log.info(`cluster: running takes kept in Redis again (${kept.map((t) => `scene ${t.scene} take ${t.take}`).join(', ') || 'none'})`);
        return;
      }
    }
    throw new Error(`the list changed under each of ${KEEP_TRIES} tries`);
  }
}
