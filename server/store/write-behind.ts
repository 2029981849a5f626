/**
 * Writes that must not be lost, held in memory while the database cannot take
 * them (a full disk, I/O errors, a lock held elsewhere) and retried in order.
 *
 * Why: the shot log is written synchronously from the live pipeline. A write
 * that threw there would stop the analysis of every camera for a fault that
 * usually passes (someone frees space). So a write that fails with a storage
 * fault is queued, every later write queues behind it (order matters: a
 * shot's close must not land before its insert), and the queue is retried
 * every `retryMs` until it drains. The owner hears when holding starts, when
 * what is held changes, and when everything is written (it raises an alert).
 *
 * The queue stays small: a write may carry a `coalesce` key, and a newer write
 * with the same key replaces the queued one in its place (an open shot's four
 * updates a second become one); or a `supersedes` key, whose queued write it
 * makes moot (a shot's close rewrites every column its updates wrote).
 */

export interface HeldWrite {
  /** The shot the write belongs to: the state counts distinct shots held. */
  shotId?: number;
  /** A queued write with this key is replaced by this one, at its place. */
  coalesce?: string;
  /** A queued write whose coalesce key is this is dropped: this one covers it. */
  supersedes?: string;
  run(): void;
}

export interface HeldState {
  /** Epoch ms of the first write held. */
  since: number;
  /** Why the latest attempt failed. */
  reason: string;
  /** Distinct shots with writes held. */
  shots: number;
  writes: number;
}

export interface WriteBehindOptions {
  retryMs: number;
  clock: () => number;
  /** May the error pass (the write is held), or will it fail the same way again? */
  isFault(error: unknown): boolean;
  describe(error: unknown): string;
  /** Runs a retry batch as one transaction: a batch lands whole or not at all. */
  transaction(work: () => void): void;
  /** Holding began, or the shots held or the reason changed; null: everything is written. */
  onState(state: HeldState | null): void;
  /** A held write failed for a reason that will not pass: it is dropped. */
  onDropped(error: unknown): void;
}

/**
 * Writes per retry transaction. After a long outage the queue is drained in
 * batches, yielding between them for at most DRAIN_SLICE_MS of each tick, so
 * a backlog of thousands of writes does not stall the live pipeline at once.
 */
const BATCH = 200;
const DRAIN_SLICE_MS = 20;

/** A place in the queue; its write is replaced when coalesced, null once superseded. */
interface Slot {
  write: HeldWrite | null;
}

export class WriteBehind {
  private queue: Slot[] = [];
  /** The queued slot of each coalesce key, and the writes held per shot: O(1) per write however long the queue. */
  private readonly byKey = new Map<string, Slot>();
  private readonly perShot = new Map<number, number>();
  private writes = 0;
  private since = 0;
  private reason = '';
  private announced: { shots: number; reason: string } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: WriteBehindOptions) {}

  /** What is held, or null when nothing is. */
  get state(): HeldState | null {
    if (!this.queue.length) return null;
    return { since: this.since, reason: this.reason, shots: this.perShot.size, writes: this.writes };
  }

  /**
   * Runs the write now when nothing is held; otherwise (or when it fails with
   * a storage fault) queues it. Any other error is the caller's, as before.
   */
  write(write: HeldWrite): void {
    if (this.queue.length) {
      this.enqueue(write);
      this.announce();
      return;
    }
    try {
      write.run();
    } catch (error) {
      if (!this.options.isFault(error)) throw error;
      this.since = this.options.clock();
      this.reason = this.options.describe(error);
      this.enqueue(write);
      this.schedule(this.options.retryMs);
      this.announce();
    }
  }

  /** Writes everything held now, if the database takes it. True when nothing is held any more. */
  flush(): boolean {
    return this.drain(Infinity);
  }

  /** Stops retrying (what is still held stays in `state`). */
  dispose(): void {
    this.cancelRetry();
  }

  private enqueue(write: HeldWrite): void {
    const superseded = write.supersedes === undefined ? undefined : this.byKey.get(write.supersedes);
    if (superseded) this.release(superseded);
    const same = write.coalesce === undefined ? undefined : this.byKey.get(write.coalesce);
    if (same) {
      this.count(same.write!, -1);
      same.write = write;
      this.count(write, +1);
      return;
    }
    const slot: Slot = { write };
    this.queue.push(slot);
    if (write.coalesce !== undefined) this.byKey.set(write.coalesce, slot);
    this.count(write, +1);
  }

  /** The slot's write is written or moot: it no longer counts. */
  private release(slot: Slot): void {
    const write = slot.write;
    if (!write) return;
    slot.write = null;
    if (write.coalesce !== undefined && this.byKey.get(write.coalesce) === slot) this.byKey.delete(write.coalesce);
    this.count(write, -1);
  }

  private count(write: HeldWrite, delta: 1 | -1): void {
    this.writes += delta;
    if (write.shotId === undefined) return;
    const n = (this.perShot.get(write.shotId) ?? 0) + delta;
    if (n > 0) this.perShot.set(write.shotId, n);
    else this.perShot.delete(write.shotId);
  }

  /** Batches until the queue is empty, a fault stops it, or `budgetMs` is spent. */
  private drain(budgetMs: number): boolean {
    this.cancelRetry();
    if (!this.queue.length) return true;
    const started = performance.now();
    while (this.queue.length) {
      if (performance.now() - started > budgetMs) {
        this.schedule(0);
        this.announce();
        return false;
      }
      const batch = this.queue.slice(0, BATCH);
      const dropped: unknown[] = [];
      try {
        this.options.transaction(() => {
          for (const { write } of batch) {
            try {
              write?.run();
            } catch (error) {
              if (this.options.isFault(error)) throw error;
              dropped.push(error);
            }
          }
        });
      } catch (error) {
        // A fault (or a transaction that could not even begin): all of the batch stays held.
        this.reason = this.options.describe(error);
        this.schedule(this.options.retryMs);
        this.announce();
        return false;
      }
      this.queue.splice(0, batch.length);
      for (const slot of batch) this.release(slot);
      for (const error of dropped) this.options.onDropped(error);
    }
    this.announced = null;
    this.options.onState(null);
    return this.queue.length === 0;
  }

  private schedule(ms: number): void {
    this.cancelRetry();
    this.timer = setTimeout(() => this.drain(DRAIN_SLICE_MS), ms);
    // Never what keeps a process alive: the owner's close() flushes what it can.
    this.timer.unref();
  }

  private cancelRetry(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Tells the owner when the shots held or the reason changed (not for every coalesced update). */
  private announce(): void {
    const state = this.state;
    if (!state) return;
    if (this.announced && this.announced.shots === state.shots && this.announced.reason === state.reason) return;
    this.announced = { shots: state.shots, reason: state.reason };
    this.options.onState(state);
  }
}
