/**
 * What one shot's readouts add up to: the scale held longest (the camera's
 * stable label weighted by time, not an average that could land on a class
 * the shot never had, as a push-in from MS to CU would on MCU; only a label
 * one of its frames read), the scales it
 * opens and closes on, the mean probabilities with the confidence of the
 * scale, the subjects seen most often in the frames that read that scale,
 * the reason one of those frames gave nearest mid-shot, a few evenly
 * spaced frames for the mid-shot thumbnail, and how long it had no picture
 * (frames of one flat colour count towards nothing else).
 */
import { argmax, CANONICAL_SCALES, SCALE_COUNT, type CanonicalScale } from '../shared/scale.js';
import type { NoPicture, Readout, Subjects } from '../shared/socket-events.js';
import { describeNoPicture } from '../shared/shots.js';

/** Frames kept per shot for the thumbnail; thinned to every other one when full. */
const MAX_THUMBNAIL_CANDIDATES = 12;

export interface ThumbnailFrame {
  /** Seconds into the source session. */
  timeS: number;
  width: number;
  height: number;
  /** RGB24, row-major. */
  data: Uint8Array;
  /** What the model measured in this frame (framing features, rules' probabilities), when it says. */
  analysis?: FrameAnalysis;
}

export interface FrameAnalysis {
  features: Float32Array;
  rules: readonly number[];
}

/** What a shot keeps of a readout. */
export type ReadoutSample = Pick<Readout, 'smoothed' | 'label' | 'reason' | 'subjects' | 'noPicture'> & { raw?: Readout['raw'] };

export interface ShotSummary {
  scale: CanonicalScale;
  scaleStart: CanonicalScale | null;
  scaleEnd: CanonicalScale | null;
  confidence: number;
  probabilities: number[];
  readouts: number;
  subjects: Subjects | null;
  reason: string | null;
  /** Present when every readout of the shot had no picture (at least one did, none had a picture). */
  noPicture?: NoPicture;
  /** Seconds from the first readout on during which the frames had no picture (each readout holds until the next); present when over 0. */
  noPictureS?: number;
}

interface Sample {
  timeS: number;
  /** This frame's own best class, which its reason explains. */
  label: CanonicalScale;
  /** The camera's stable label (after smoothing and hysteresis). */
  stable: CanonicalScale;
  /** The smoothed probabilities counted in the shot's mean. */
  smoothed: readonly number[];
  reason: string | undefined;
  subjects: Subjects | undefined;
  /** Set when a frame with no picture came next: the label holds until then, not over the black. */
  untilS?: number;
}

/**
 * The label held longest over `samples` (each holds until the next, or the
 * frame with no picture after it; the last until `endS`), ties to the more
 * probable. Time without a picture counts for no label: a spell of black
 * after a second of MS is no MS the classifier read. Nor is a stable label
 * that no frame of the shot read (`read`: one held over from the shot
 * before its cut, or one the average reached alone, between the classes the
 * frames read): its time counts for what each frame read.
 */
function heldLongest(samples: readonly Sample[], endS: number, probabilities: readonly number[], read: ReadonlySet<CanonicalScale>): CanonicalScale | null {
  if (!samples.length) return null;
  const held = new Map<CanonicalScale, number>();
  samples.forEach((s, i) => {
    const until = s.untilS ?? (i + 1 < samples.length ? samples[i + 1]!.timeS : Math.max(endS, s.timeS));
    const scale = read.has(s.stable) ? s.stable : s.label;
    // A readout alone still counts, however short its span.
    held.set(scale, (held.get(scale) ?? 0) + Math.max(until - s.timeS, 1e-6));
  });
  let best: CanonicalScale | null = null;
  for (const [scale, seconds] of held) {
    const current = best === null ? -1 : held.get(best)!;
    const p = (c: CanonicalScale) => probabilities[CANONICAL_SCALES.indexOf(c)] ?? 0;
    if (seconds > current + 1e-9 || (Math.abs(seconds - current) <= 1e-9 && best !== null && p(scale) > p(best))) best = scale;
  }
  return best;
}

export class ShotAccumulator {
  private readonly sum = new Array<number>(SCALE_COUNT).fill(0);
  private count = 0;
  private readonly samples: Sample[] = [];
  private candidates: ThumbnailFrame[] = [];
  private keepEvery = 1;
  private seen = 0;
  /** Readouts of frames with no picture (one flat colour), which count towards nothing else; the kind of the first. */
  private blank: { count: number; kind: NoPicture } | null = null;
  /** Seconds of no picture up to the last readout, and that readout: its time and whether it had no picture. */
  private blankS = 0;
  private last: { timeS: number; blank: boolean } | null = null;

  /**
   * @param fallback probabilities to report when no frame of the shot was
   * analysed (a shot shorter than the analysis interval): the camera's last.
   */
  constructor(private readonly fallback: readonly number[] | null) {}

  /**
   * Returns the readout's place in the shot, for relabel(); null for a frame
   * with no picture, which counts towards no scale.
   */
  add(readout: ReadoutSample, timeS: number, frame: ThumbnailFrame | null): number | null {
    if (this.last?.blank) this.blankS += Math.max(0, timeS - this.last.timeS);
    this.last = { timeS, blank: readout.noPicture !== undefined };
    // A black or plain frame has no scale: the shot's scale, subjects and thumbnail come from the frames with a picture.
    if (readout.noPicture) {
      const before = this.samples.at(-1);
      if (before && before.untilS === undefined) before.untilS = Math.max(timeS, before.timeS);
      if (this.blank) this.blank.count += 1;
      else this.blank = { count: 1, kind: readout.noPicture };
      return null;
    }
    for (let i = 0; i < SCALE_COUNT; i++) this.sum[i]! += readout.smoothed[i] ?? 0;
    this.count += 1;
    // Reasons are few words; keeping one per readout is cheap next to the frames.
    // A reason explains its own frame's prediction (raw), not the smoothed label.
    const label = readout.raw ? CANONICAL_SCALES[argmax(readout.raw)]! : readout.label;
    this.samples.push({ timeS, label, stable: readout.label, smoothed: readout.smoothed, reason: readout.reason, subjects: readout.subjects });
    if (frame) this.keepCandidate(frame);
    return this.samples.length - 1;
  }

  /**
   * The readout added at `index` smoothed again (its shot's cut was found
   * after it was read, ReadoutBuilder.restart): its stable label and
   * probabilities replace those it was added with.
   */
  relabel(index: number, readout: Pick<ReadoutSample, 'label' | 'smoothed'>): void {
    const sample = this.samples[index];
    if (!sample) return;
    for (let i = 0; i < SCALE_COUNT; i++) this.sum[i]! += (readout.smoothed[i] ?? 0) - (sample.smoothed[i] ?? 0);
    sample.stable = readout.label;
    sample.smoothed = readout.smoothed;
  }

  get readouts(): number {
    return this.count;
  }

  /** The latest probabilities averaged so far, for the next shot's fallback. */
  probabilities(): number[] | null {
    if (!this.count) return this.fallback ? [...this.fallback] : null;
    return this.sum.map((s) => s / this.count);
  }

  /**
   * @param midS the shot's middle and `endS` its end, in the readouts' time
   * (seconds into the source session).
   */
  summary(midS: number, endS = midS): ShotSummary {
    const probabilities = this.probabilities() ?? new Array<number>(SCALE_COUNT).fill(1 / SCALE_COUNT);
    // No analysed frame: the scale carried over from the previous shot's probabilities.
    // A shot takes only a label one of its own frames read, and so opens and closes on one.
    const read = new Set(this.samples.map((s) => s.label));
    const scale = heldLongest(this.samples, endS, probabilities, read) ?? CANONICAL_SCALES[argmax(probabilities)]!;
    const best = CANONICAL_SCALES.indexOf(scale);
    const quarter = Math.max(1, Math.ceil(this.samples.length / 4));
    const scaleStart = heldLongest(this.samples.slice(0, quarter), this.samples[quarter]?.timeS ?? endS, probabilities, read);
    const scaleEnd = heldLongest(this.samples.slice(-quarter), endS, probabilities, read);
    // Who is in the shot at its scale, so that the subjects and the reason describe the same frames
    // (a held MCU over frames where the detectors lost the person is not "no one in frame").
    const readingScale = this.samples.filter((s) => s.label === scale);
    const subjects = mostSeen(readingScale) ?? mostSeen(this.samples);
    const withReason = readingScale.filter((s) => s.reason);
    // The reason of a frame with those subjects where one gave it: a "2 people" reason beside "group, 3" reads as a contradiction.
    const shotSubjects = subjects && JSON.stringify(subjects);
    const sameSubjects = withReason.filter((s) => s.subjects && JSON.stringify(s.subjects) === shotSubjects);
    // A shot with no picture at all (a camera black from cut to cut) says so rather than carry the last scale's reason.
    const noPicture = this.blank && !this.count ? this.blank.kind : null;
    const noPictureS = this.blankS + (this.last?.blank ? Math.max(0, endS - this.last.timeS) : 0);
    const reason = nearest(sameSubjects.length ? sameSubjects : withReason, midS)?.reason ?? (noPicture ? `${describeNoPicture(noPicture)} throughout` : null);
    return {
      scale,
      scaleStart,
      scaleEnd,
      // Without an analysed frame the scale is carried over: say so by a low confidence.
      confidence: this.count ? probabilities[best]! : probabilities[best]! * 0.5,
      probabilities,
      readouts: this.count,
      subjects,
      reason,
      ...(noPicture ? { noPicture } : {}),
      ...(noPictureS > 0 ? { noPictureS } : {}),
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

/** The subjects of the most samples (ties to the earliest seen); null when none has any. */
function mostSeen(samples: readonly Sample[]): Subjects | null {
  const votes = new Map<string, { subjects: Subjects; votes: number }>();
  for (const { subjects } of samples) {
    if (!subjects) continue;
    const key = JSON.stringify(subjects);
    const vote = votes.get(key);
    if (vote) vote.votes += 1;
    else votes.set(key, { subjects, votes: 1 });
  }
  let best: { subjects: Subjects; votes: number } | null = null;
  for (const vote of votes.values()) if (!best || vote.votes > best.votes) best = vote;
  return best?.subjects ?? null;
}

function nearest<T extends { timeS: number }>(items: readonly T[], timeS: number): T | null {
  let best: T | null = null;
  for (const item of items) {
    if (!best || Math.abs(item.timeS - timeS) < Math.abs(best.timeS - timeS)) best = item;
  }
  return best;
}
