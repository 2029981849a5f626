/**
 * Where each source session starts in timecode. A camera's frames are counted
 * from a start timecode (the source's own when it carries one, else the
 * configured one), or stamped with the time of day like a jam-synced camera.
 * After a reconnect the count resumes where the wall clock says it should, so
 * timecode never runs backwards and gaps show as gaps.
 */
import { secondsToFrames, timeOfDayFrames, timecodeToFrames, type TimecodeRate } from './timecode.js';

export type TimecodeMode = 'frame-count' | 'time-of-day';

export class TimecodeClock {
  private first: { wallMs: number; frame: number } | null = null;

  constructor(
    readonly rate: TimecodeRate,
    private readonly mode: TimecodeMode,
    /** Timecode (frames) of the first frame in frame-count mode. */
    private startFrame: number,
    /** Whether the source's own timecode, once known, replaces startFrame. */
    private readonly fromSource = false,
  ) {}

  /**
   * The source turned out to carry a start timecode: count from it, if
   * allowed and no frame has been stamped yet. Returns whether it was taken.
   */
  useSourceStart(timecode: string): boolean {
    if (!this.fromSource || this.mode !== 'frame-count' || this.first) return false;
    this.startFrame = timecodeToFrames(timecode, this.rate);
    return true;
  }

  /** Timecode frame of a session's first frame, which left the source at `wallMs`. */
  sessionStart(wallMs: number): number {
    if (this.mode === 'time-of-day') return timeOfDayFrames(wallMs, this.rate);
    if (!this.first) {
      this.first = { wallMs, frame: this.startFrame };
      return this.startFrame;
    }
    return this.first.frame + Math.max(0, secondsToFrames((wallMs - this.first.wallMs) / 1000, this.rate));
  }
}
