/**
 * An action that can be taken back for a few seconds: it is done only when
 * the time is up, or at once when the page goes away (the view closed, the
 * tab closed), so an undo never has to put back what the server already
 * removed. Deleting a correction is one: a wrong click in a run of keyboard
 * labelling should cost nothing.
 */
export interface Pending<T> {
  key: string;
  item: T;
  /** Epoch ms when it is done unless taken back. */
  dueAt: number;
}

export class Undoable<T> {
  private readonly waiting = new Map<string, { pending: Pending<T>; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    /** Does the action; a rejection is reported to `failed`. */
    private readonly run: (item: T, leaving: boolean) => Promise<void>,
    /** The list of waiting actions changed (scheduled, taken back, done). */
    private readonly changed: (pending: Pending<T>[]) => void,
    private readonly failed: (item: T, error: unknown) => void,
    private readonly delayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits `delayMs`, then runs; the same key again restarts the wait. */
  schedule(key: string, item: T): void {
    this.clear(key);
    const pending = { key, item, dueAt: this.now() + this.delayMs };
    this.waiting.set(key, { pending, timer: setTimeout(() => void this.finish(key, false), this.delayMs) });
    this.report();
  }

  /** Takes the action back; false when it was already done (or never scheduled). */
  undo(key: string): boolean {
    if (!this.clear(key)) return false;
    this.report();
    return true;
  }

  has(key: string): boolean {
    return this.waiting.has(key);
  }

  /**
   * Runs every waiting action now: the page is going away (`leaving`), or
   * what comes next must see them done (a fit must not learn from a
   * correction being deleted). Resolves once they are done or failed.
   */
  async flush(leaving: boolean): Promise<void> {
    await Promise.all([...this.waiting.keys()].map((key) => this.finish(key, leaving)));
  }

  list(): Pending<T>[] {
    return [...this.waiting.values()].map((w) => w.pending);
  }

  private async finish(key: string, leaving: boolean): Promise<void> {
    const waiting = this.waiting.get(key);
    if (!waiting) return;
    this.clear(key);
    this.report();
    try {
      await this.run(waiting.pending.item, leaving);
    } catch (error) {
      this.failed(waiting.pending.item, error);
    }
  }

  private clear(key: string): boolean {
    const waiting = this.waiting.get(key);
    if (!waiting) return false;
    clearTimeout(waiting.timer);
    this.waiting.delete(key);
    return true;
  }

  private report(): void {
    this.changed(this.list());
  }
}
