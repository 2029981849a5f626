/**
 * What one shot's readouts add up to: the scale from the smoothed
 * probabilities averaged over the shot (with its confidence), the subjects
 * seen most often, the reason given for the winning scale nearest mid-shot,
 * and a few evenly spaced frames to take the mid-shot thumbnail from.
 */
import { argmax, CANONICAL_SCALES, SCALE_COUNT, type CanonicalScale } from '../shared/scale.js';
import type { Readout, Subjects } from '../shared/socket-events.js';

/** Frames kept per shot for the thumbnail; thinned to every other one when full. */
const MAX_THUMBNAIL_CANDIDATES = 12;

export interface ThumbnailFrame {
  /** Seconds into the source session. */
  timeS: number;
  width: number;
  height: number;
  /** RGB24, row-major. */
  data: Uint8Array;
}

/** What a shot keeps of a readout. */
export type ReadoutSample = Pick<Readout, 'smoothed' | 'label' | 'reason' | 'subjects'> & { raw?: Readout['raw'] };

export interface ShotSummary {
  scale: CanonicalScale;
  confidence: number;
  probabilities: number[];
  readouts: number;
  subjects: Subjects | null;
  reason: string | null;
}

interface Sample {
  timeS: number;
  label: CanonicalScale;
  reason: string | undefined;
}

export class ShotAccumulator {
  private readonly sum = new Array<number>(SCALE_COUNT).fill(0);
  private count = 0;
  private readonly subjectVotes = new Map<string, { subjects: Subjects; votes: number }>();
  private readonly samples: Sample[] = [];
  private candidates: ThumbnailFrame[] = [];
  private keepEvery = 1;
  private seen = 0;

  /**
   * @param fallback probabilities to report when no frame of the shot was
   * analysed (a shot shorter than the analysis interval): the camera's last.
   */
  constructor(private readonly fallback: readonly number[] | null) {}

  add(readout: ReadoutSample, timeS: number, frame: ThumbnailFrame | null): void {
    for (let i = 0; i < SCALE_COUNT; i++) this.sum[i]! += readout.smoothed[i] ?? 0;
    this.count += 1;
    if (readout.subjects) {
      const key = JSON.stringify(readout.subjects);
      const vote = this.subjectVotes.get(key);
      if (vote) vote.votes += 1;
      else this.subjectVotes.set(key, { subjects: readout.subjects, votes: 1 });
    }
    // Reasons are few words; keeping one per readout is cheap next to the frames.
    // A reason explains its own frame's prediction (raw), not the smoothed label.
    const label = readout.raw ? CANONICAL_SCALES[argmax(readout.raw)]! : readout.label;
    this.samples.push({ timeS, label, reason: readout.reason });
    if (frame) this.keepCandidate(frame);
  }

  get readouts(): number {
    return this.count;
  }

  /** The latest probabilities averaged so far, for the next shot's fallback. */
  probabilities(): number[] | null {
    if (!this.count) return this.fallback ? [...this.fallback] : null;
    return this.sum.map((s) => s / this.count);
  }

  summary(midS: number): ShotSummary {
    const probabilities = this.probabilities() ?? new Array<number>(SCALE_COUNT).fill(1 / SCALE_COUNT);
    const best = argmax(probabilities);
    const scale = CANONICAL_SCALES[best]!;
    let subjects: Subjects | null = null;
    let votes = 0;
    for (const vote of this.subjectVotes.values()) {
      if (vote.votes > votes) [subjects, votes] = [vote.subjects, vote.votes];
    }
    const withReason = this.samples.filter((s) => s.label === scale && s.reason);
    const reason = nearest(withReason, midS)?.reason ?? null;
    return {
      scale,
      // Without an analysed frame the scale is carried over: say so by a low confidence.
      confidence: this.count ? probabilities[best]! : probabilities[best]! * 0.5,
      probabilities,
      readouts: this.count,
      subjects,
      reason,
    };
  }

  thumbnail(midS: number): ThumbnailFrame | null {
    return nearest(this.candidates, midS);
  }

  /** Keeps every keepEvery-th frame; when full, drops every other one and doubles the spacing. */
  private keepCandidate(frame: ThumbnailFrame): void {
    if (this.seen++ % this.keepEvery !== 0) return;
    this.candidates.push(frame);
    if (this.candidates.length >= MAX_THUMBNAIL_CANDIDATES) {
      this.candidates = this.candidates.filter((_f, i) => i % 2 === 0);
      this.keepEvery *= 2;
    }
  }
}

function nearest<T extends { timeS: number }>(items: readonly T[], timeS: number): T | null {
  let best: T | null = null;
  for (const item of items) {
    if (!best || Math.abs(item.timeS - timeS) < Math.abs(best.timeS - timeS)) best = item;
  }
  return best;
}
