/**
 * Whether a camera's source sends fewer pictures than its analysisFps asks,
 * told from the frames ffmpeg writes. Its fps filter fills the rate by
 * repeating each picture, and the repeats come all at once, when the next
 * source frame arrives: a 1 fps RTSP camera analysed at 5 fps read "received
 * 5.9-6.5 / 5.0 fps", and of 156 frames in, 95 were dropped from its 2-frame
 * buffer and 59 analysed (copies, on model capacity other cameras needed).
 * A repeat is counted neither as received nor as dropped, and not analysed.
 *
 * A source that has kept up with the analysis rate before (a 25 fps Wi-Fi
 * camera) and now sends a picture a second is degraded, not slow by nature:
 * it is not called slower, so Health goes on saying it receives less than it
 * asks.
 */
import type { FrameRateMeter } from './frame-rate-meter.js';

/** How long a camera must have been live before its rate counts as kept up: the rate meter's window. */
const KEPT_UP_AFTER_MS = 5000;

/** Kept up: the rate received reached this share of analysisFps. */
const KEPT_UP_SHARE = 0.9;

/**
 * A frame ffmpeg's fps filter made up, not one the source sent: the same
 * picture as the frame before, byte for byte, written in the same burst (under
 * half an analysis interval after it). A still picture from a source at the
 * analysis rate or faster comes an interval apart and is passed on (a frozen
 * feed is news).
 */
export function isRepeat(previous: { data: Uint8Array; at: number }, data: Uint8Array, at: number, analysisFps: number): boolean {
  if (at - previous.at >= 500 / analysisFps) return false;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(previous.data);
}

export class SourcePace {
  /** The last frame ffmpeg wrote, and when. */
  private previous: { data: Uint8Array; at: number } | null = null;
  /** The picture last passed on has been repeated since. */
  private repeated = false;
  /** The picture before the last one passed on was repeated. */
  private slower = false;
  /** The source reached the analysis rate once (kept over restarts: a reconnect of a degraded camera is no slow source). */
  private keptUp = false;

  constructor(private readonly analysisFps: () => number) {}

  /** A new ffmpeg: its first frame is no repeat of the last one's. */
  restart(): void {
    this.previous = null;
    this.repeated = false;
    this.slower = false;
  }

  /** Takes a frame ffmpeg wrote; false for a repeat (not a picture the source sent). */
  frame(data: Uint8Array, at: number): boolean {
    const previous = this.previous;
    this.previous = { data, at };
    if (previous && isRepeat(previous, data, at, this.analysisFps())) {
      this.repeated = true;
      return false;
    }
    this.slower = this.repeated;
    this.repeated = false;
    return true;
  }

  /** After a picture the source sent was counted in `rate`: whether the source has kept up with the analysis rate. */
  counted(rate: FrameRateMeter, at: number, liveAt: number): void {
    if (!this.keptUp && at - liveAt >= KEPT_UP_AFTER_MS && rate.fps(at) >= KEPT_UP_SHARE * this.analysisFps()) this.keptUp = true;
  }

  /** The source sends fewer pictures than analysisFps asks, by its nature (it never kept up). */
  get sourceSlower(): boolean {
    return !this.keptUp && (this.slower || this.repeated);
  }
}
