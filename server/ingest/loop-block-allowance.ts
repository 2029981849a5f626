/**
 * How long the event loop was blocked while a camera watchdog waited for a
 * frame, so that a stall is judged on the time frames could have been read.
 *
 * A review held the loop ~10 s (a big export, since moved off it): the first
 * watchdog tick after the block said "no frame for 11.0 s", SIGKILLed ffmpeg
 * and cut the shot with `restart`, yet the frames were there, unread in
 * ffmpeg's pipe: libuv runs timers before the poll phase that reads them. The
 * same goes for any long GC pause or synchronous work.
 *
 * A tick that comes late says by how much: that lateness, measured in real time
 * (performance.now(), never the injected clock that tests drive), is time in
 * which no frame could be read, and is not held against the source. A real
 * stall is still caught: only the lateness is let off, not the time between
 * ticks, so a loop that is late on every tick still sees the wait grow.
 */
export class LoopBlockAllowance {
  private lastTickAt: number | null = null;
  private blockedMs = 0;

  /** `everyMs`: how often the watchdog ticks; `realNow`: a monotonic real-time clock in ms. */
  constructor(
    private readonly everyMs: number,
    private readonly realNow: () => number = () => performance.now(),
  ) {}

  /** Called at each watchdog tick: the ms the loop was blocked since the last frame (or start). */
  tick(): number {
    const now = this.realNow();
    if (this.lastTickAt !== null) this.blockedMs += Math.max(0, now - this.lastTickAt - this.everyMs);
    this.lastTickAt = now;
    return this.blockedMs;
  }

  /** A frame came (or the wait began afresh): a block before it no longer excuses anything. */
  reset(): void {
    this.blockedMs = 0;
  }
}
