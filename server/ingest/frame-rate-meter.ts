/**
 * A camera's frame rate over the last few seconds: intervals between frames,
 * not frames per wall time, so a camera live for 1 ms does not read 1000 fps.
 */
const WINDOW_MS = 5000;

export class FrameRateMeter {
  private times: number[] = [];

  frame(at: number): void {
    this.times.push(at);
    if (this.times.length > 512) this.trim(at);
  }

  fps(now: number): number {
    this.trim(now);
    const n = this.times.length;
    if (n < 2) return 0;
    const spanMs = this.times[n - 1]! - this.times[0]!;
    return spanMs > 0 ? Math.round(((n - 1) / spanMs) * 1000 * 100) / 100 : 0;
  }

  private trim(now: number): void {
    const cutoff = now - WINDOW_MS;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < cutoff) drop++;
    if (drop) this.times.splice(0, drop);
  }
}
