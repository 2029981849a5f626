/**
 * Where each source session starts in timecode. A camera's frames are counted
 * from a start timecode (the source's own when it carries one, else the
 * configured one), or stamped with the time of day like a jam-synced camera.
 * After a reconnect the count resumes where the wall clock says it should, so
 * timecode never runs backwards and gaps show as gaps. A camera whose log
 * already has shots counts on from its last one in the same way (free-run:
 * the time the server was down is counted), so a restarted server never
 * stamps a camera's shots with timecode its log already has.
 */
import { secondsToFrames, timeOfDayFrames, timecodeToFrames, type TimecodeRate } from './timecode.js';

export type TimecodeMode = 'frame-count' | 'time-of-day';

/** Where a camera's log ends: its latest shot's out point (the frame after its last) and that frame's wall time. */
export interface LoggedEnd {
  frame: number;
  wallMs: number;
  rate: TimecodeRate;
}

export class TimecodeClock {
  private first: { wallMs: number; frame: number } | null = null;
  /** The end of what this camera logged before (frame-count mode, at this clock's rate): the count goes on from there. */
  private resume: { wallMs: number; frame: number } | null = null;

  constructor(
    readonly rate: TimecodeRate,
    private readonly mode: TimecodeMode,
    /** Timecode (frames) of the first frame in frame-count mode. */
    private startFrame: number,
    /** Whether the source's own timecode, once known, replaces startFrame. */
    private readonly fromSource = false,
  ) {}

  /**
   * The camera's log ends at `end`: the first session counts on from there as
   * a free-running camera would, `end.frame` plus the frames of the wall time
   * since (never less, whatever the clocks say), or from the start when that
   * is later. Frames at another rate are carried over by their time. No
   * effect in time-of-day mode, once a frame is stamped, or once the source's
   * own timecode is taken (its frames are the source's).
   */
  resumeAfter(end: LoggedEnd): void {
    if (this.mode !== 'frame-count' || this.first) return;
    // Rounded up: a count carried to a slower rate must not land on a frame the log has.
    const frame = end.rate.name === this.rate.name ? end.frame : Math.ceil((end.frame / end.rate.fps) * this.rate.fps - 1e-6);
    this.resume = { wallMs: end.wallMs, frame };
  }

  /**
   * The source turned out to carry a start timecode: count from it, if
   * allowed and no frame has been stamped yet. Returns whether it was taken.
   */
  useSourceStart(timecode: string): boolean {
    if (!this.fromSource || this.mode !== 'frame-count' || this.first) return false;
    this.startFrame = timecodeToFrames(timecode, this.rate);
    this.resume = null;
    return true;
  }

  /** Timecode frame of a session's first frame, which left the source at `wallMs`. */
  sessionStart(wallMs: number): number {
    if (this.mode === 'time-of-day') return timeOfDayFrames(wallMs, this.rate);
    if (!this.first) {
      const resumed = this.resume ? this.resume.frame + Math.max(0, secondsToFrames((wallMs - this.resume.wallMs) / 1000, this.rate)) : -Infinity;
      this.first = { wallMs, frame: Math.max(this.startFrame, resumed) };
      return this.first.frame;
    }
    return this.first.frame + Math.max(0, secondsToFrames((wallMs - this.first.wallMs) / 1000, this.rate));
  }
}
