/**
 * A bounded per-camera frame buffer where the newest frame wins: pushing into
 * a full buffer drops the oldest, and taking the newest discards the older
 * ones. Every drop is counted and reported by reason.
 */
/** throttled: skipped by the capacity governor (capacity-governor.ts) before it queued. */
export type DropReason = 'overflow' | 'superseded' | 'stale' | 'throttled';

export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private head = 0; // index of the oldest item
  private count = 0;
  readonly drops: Record<'overflow' | 'superseded', number> = { overflow: 0, superseded: 0 };

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds an item; returns the item dropped to make room, if any. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.count === this.capacity) {
      dropped = this.items[this.head];
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count -= 1;
      this.drops.overflow += 1;
    }
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count += 1;
    return dropped;
  }

  /** The oldest item still held, without removing it. */
  peekOldest(): T | undefined {
    return this.count ? this.items[this.head] : undefined;
  }

  peekNewest(): T | undefined {
    return this.count ? this.items[(this.head + this.count - 1) % this.capacity] : undefined;
  }

  /** Removes everything and returns the newest item; the older ones count as superseded. */
  takeNewest(): { item: T; superseded: number } | undefined {
    if (!this.count) return undefined;
    const item = this.peekNewest() as T;
    const superseded = this.count - 1;
    this.drops.superseded += superseded;
    this.clear();
    return { item, superseded };
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
