/**
 * Collects the newest unprocessed frame of each camera into one batch. A batch
 * runs as soon as every camera that can take part has a frame or the batch is
 * full, else when the oldest waiting frame has waited `windowMs`; it never
 * waits for all cameras. Frames older than `staleMs` at batch time are
 * dropped. Up to `lanes` batches run at once (one per model thread); a camera
 * has at most one frame in flight, so its readouts stay in order, and the
 * frames ready are split between the free lanes. While batches run, newer
 * frames replace older ones in the rings.
 */
import type { Clock } from '../shared/clock.js';
import type { Frame } from '../shared/frame.js';
import { CapacityGovernor, type CapacityState, type GovernorOptions } from './capacity-governor.js';
import { RingBuffer, type DropReason } from './ring-buffer.js';

export interface SchedulerOptions {
  maxSize: number;
  windowMs: number;
  staleMs: number;
  ringBufferSize: number;
  /** Fair shares when the cameras ask for more than the model can do; null: off (the rings alone drop). */
  governor?: GovernorOptions | null;
  /** Batches that may run at once (the model's threads); default 1. */
  lanes?: number;
}

export interface SchedulerHooks {
  runBatch: (frames: Frame[]) => Promise<void>;
  onDrop: (cameraId: string, reason: DropReason, count: number) => void;
  onBatchError: (error: unknown) => void;
  /** The capacity governor's state after each change of it. */
  onCapacity?: (state: CapacityState, previous: CapacityState) => void;
}

export class BatchScheduler {
  private readonly rings = new Map<string, RingBuffer<Frame>>();
  private running = 0;
  /** Cameras with a frame in a running batch. */
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private rotation = 0; // fairness when more cameras are ready than fit in a batch
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly governor: CapacityGovernor | null;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly hooks: SchedulerHooks,
    private readonly clock: Clock,
  ) {
    this.governor = options.governor ? new CapacityGovernor(options.governor, hooks.onCapacity, this.lanes) : null;
  }

  private get lanes(): number {
    return Math.max(1, Math.floor(this.options.lanes ?? 1));
  }

  addCamera(cameraId: string): void {
    if (!this.rings.has(cameraId)) this.rings.set(cameraId, new RingBuffer<Frame>(this.options.ringBufferSize));
    this.governor?.addCamera(cameraId);
  }

  removeCamera(cameraId: string): void {
    this.rings.delete(cameraId);
    this.governor?.removeCamera(cameraId);
  }

  /** Over capacity or not, and each camera's share; null when the governor is off. */
  capacity(): CapacityState | null {
    return this.governor?.snapshot(this.clock()) ?? null;
  }

  /** Called from capture: never blocks, never throws. */
  push(frame: Frame): void {
    const ring = this.rings.get(frame.cameraId);
    if (!ring || this.closed) return;
    if (this.governor && !this.governor.admit(frame.cameraId, this.clock())) {
      this.hooks.onDrop(frame.cameraId, 'throttled', 1);
      return;
    }
    if (ring.push(frame) !== undefined) this.hooks.onDrop(frame.cameraId, 'overflow', 1);
    this.schedule();
  }

  /** Resolves once no batch is running (for orderly shutdown). */
  async idle(): Promise<void> {
    if (this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.running >= this.lanes || this.closed) return;
    let ready = 0;
    let oldest = Infinity;
    for (const [id, ring] of this.rings) {
      const first = ring.peekOldest();
      if (!first || this.inFlight.has(id)) continue;
      ready += 1;
      oldest = Math.min(oldest, first.captureTime);
    }
    if (ready === 0) return;
    const full = ready >= Math.min(this.options.maxSize, this.rings.size - this.inFlight.size);
    const waitedMs = this.clock() - oldest;
    if (full || waitedMs >= this.options.windowMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      // The frames ready are shared between the free lanes rather than all going to one.
      const share = Math.ceil(ready / (this.lanes - this.running));
      void this.runOnce(Math.min(this.options.maxSize, share));
      this.schedule();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, this.options.windowMs - waitedMs);
    }
  }

  private collect(size: number): Frame[] {
    const ids = [...this.rings.keys()];
    const now = this.clock();
    const batch: Frame[] = [];
    for (let i = 0; i < ids.length && batch.length < size; i++) {
      const id = ids[(this.rotation + i) % ids.length]!;
      if (this.inFlight.has(id)) continue;
      const taken = this.rings.get(id)!.takeNewest();
      if (!taken) continue;
      if (taken.superseded) this.hooks.onDrop(id, 'superseded', taken.superseded);
      if (now - taken.item.captureTime > this.options.staleMs) {
        this.hooks.onDrop(id, 'stale', 1);
        continue;
      }
      batch.push(taken.item);
    }
    this.rotation = ids.length ? (this.rotation + 1) % ids.length : 0;
    return batch;
  }

  private async runOnce(size: number): Promise<void> {
    this.running += 1;
    const batch = this.collect(size);
    for (const frame of batch) this.inFlight.add(frame.cameraId);
    try {
      if (batch.length) {
        const started = this.clock();
        await this.hooks.runBatch(batch);
        // Failed batches are not counted: a model that fails at once would read as infinitely fast.
        this.governor?.batch(this.clock(), this.clock() - started, batch.length);
      }
    } catch (error) {
      this.hooks.onBatchError(error);
    } finally {
      for (const frame of batch) this.inFlight.delete(frame.cameraId);
      this.running -= 1;
      if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      this.schedule();
    }
  }
}
