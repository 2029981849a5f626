/**
 * Assembles exact frames from the arbitrary chunks a pipe delivers. A chunk
 * may hold part of a frame, several frames, or a frame's end and the next
 * one's start. Each complete frame is stamped with the time it completed.
 */
import type { Clock } from '../shared/clock.js';

export class FrameReader {
  private pending: Uint8Array | null = null;
  private filled = 0;

  constructor(
    readonly frameBytes: number,
    private readonly onFrame: (data: Uint8Array, completedAt: number) => void,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
  }

  push(chunk: Uint8Array): void {
    let offset = 0;
    const now = this.clock();
    if (this.pending) {
      const take = Math.min(this.frameBytes - this.filled, chunk.length);
      this.pending.set(chunk.subarray(0, take), this.filled);
      this.filled += take;
      offset = take;
      if (this.filled < this.frameBytes) return;
      const frame = this.pending;
      this.pending = null;
      this.filled = 0;
      this.onFrame(frame, now);
    }
    // Whole frames inside this chunk: copy them out, so a frame held in a
    // ring buffer does not pin the pipe's whole 64 KiB chunk in memory.
    while (chunk.length - offset >= this.frameBytes) {
      // Uint8Array's slice, which copies: a pipe chunk is a Buffer, whose slice() is a view.
      this.onFrame(Uint8Array.prototype.slice.call(chunk, offset, offset + this.frameBytes), now);
      offset += this.frameBytes;
    }
    if (offset < chunk.length) {
      this.pending = new Uint8Array(this.frameBytes);
      this.pending.set(chunk.subarray(offset), 0);
      this.filled = chunk.length - offset;
    }
  }

  /** Bytes of an incomplete frame held back (dropped on restart). */
  get partialBytes(): number {
    return this.filled;
  }

  reset(): void {
    this.pending = null;
    this.filled = 0;
  }
}
