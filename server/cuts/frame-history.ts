/**
 * The last few seconds of frame features, addressed by arrival position (0 for
 * the first frame pushed, counting every frame received, whatever its index).
 * A fixed ring: no allocation per frame, old frames fall off the back.
 */
import type { FrameFeatures } from './frame-features.js';

export class FrameHistory {
  private readonly ring: (FrameFeatures | undefined)[];
  private received = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<FrameFeatures | undefined>(capacity);
  }

  /** Position of the newest frame; -1 when empty. */
  get newest(): number {
    return this.received - 1;
  }

  /** Position of the oldest frame still held. */
  get oldest(): number {
    return Math.max(0, this.received - this.capacity);
  }

  add(frame: FrameFeatures): number {
    this.ring[this.received % this.capacity] = frame;
    return this.received++;
  }

  has(position: number): boolean {
    return position >= this.oldest && position < this.received;
  }

  at(position: number): FrameFeatures {
    if (!this.has(position)) throw new RangeError(`frame at position ${position} is not held (held ${this.oldest}..${this.newest})`);
    return this.ring[position % this.capacity]!;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.received = 0;
  }
}
