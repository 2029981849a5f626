/**
 * Records for the cluster's PostgreSQL that must neither hold up the live
 * work that makes them (an alert, a take started from the wall) nor be lost
 * while PostgreSQL is away: queued in order, a later write of the same
 * record (its slot) replacing an earlier one still waiting, and retried
 * every second until PostgreSQL takes them. Past a bound the oldest are
 * dropped, and so is a record PostgreSQL refuses for its content; both are
 * logged.
 */
import type pg from 'pg';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import { refusedForContent } from './pg-errors.js';

const RETRY_MS = 1000;

interface Write {
  text: string;
  values: unknown[];
}

export class PgWriteQueue {
  private readonly waiting = new Map<string, Write>();
  private writing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    /** What the records are, for the log: "alert records". */
    private readonly what: string,
    private readonly max = 2000,
  ) {
    this.timer = setInterval(() => void this.flush(), RETRY_MS);
    this.timer.unref();
  }

  write(slot: string, text: string, values: unknown[]): void {
    this.waiting.delete(slot);
    this.waiting.set(slot, { text, values });
    if (this.waiting.size > this.max) {
      const oldest = this.waiting.keys().next().value!;
      this.waiting.delete(oldest);
      this.log.error(`cluster: PostgreSQL has been away too long: ${this.what}: ${oldest} is dropped`);
    }
    void this.flush();
  }

  pending(): number {
    return this.waiting.size;
  }

  /**
   * Waits, at most `timeoutMs`, until the write in `slot` no longer waits
   * (written, or dropped): whether it did. For an answer that needs the
   * record in PostgreSQL (its id); while PostgreSQL fails it tries again
   * every 100 ms, not in a loop.
   */
  async settled(slot: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.waiting.has(slot)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.flushWithin(left);
      if (this.waiting.has(slot)) await new Promise((r) => setTimeout(r, Math.min(100, Math.max(0, deadline - Date.now()))));
    }
    return true;
  }

  /** Writes what waits, in order, one flush at a time; a failure leaves the rest for the next try. */
  flush(): Promise<void> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  /** A flush, waited for at most `ms` (PostgreSQL may be slow or away; what is not written by then waits on). */
  async flushWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
  }

  /** One last try, bounded: PostgreSQL may be away. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushWithin(2000);
  }

  private async writeAll(): Promise<void> {
    try {
      for (const [slot, write] of this.waiting) {
        try {
          await this.pool.query(write.text, write.values);
        } catch (error) {
          // One record PostgreSQL refuses for what is in it must not hold up every later one.
          if (!refusedForContent(error)) throw error;
          this.log.error(`cluster: ${this.what}: ${slot} refused by PostgreSQL (${errorMessage(error)}); left out`);
        }
        // A newer write of the same record may have taken the slot meanwhile: that one still waits.
        if (this.waiting.get(slot) === write) this.waiting.delete(slot);
      }
      if (this.failing) this.log.info(`cluster: PostgreSQL takes the ${this.what} again`);
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log.warn(`cluster: ${this.what} wait for PostgreSQL (${errorMessage(error)}); retried every ${RETRY_MS / 1000} s`);
      this.failing = true;
    }
  }
}
