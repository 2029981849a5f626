/**
 * Turns a frame's prediction into the camera's readout: smooth, apply
 * hysteresis, stamp the latency, and keep the reason that explains the label
 * shown. One smoother per camera.
 */
import type { Clock } from '../shared/clock.js';
import type { Frame } from '../shared/frame.js';
import type { ScalePrediction } from '../inference/model.js';
import type { Readout, Subjects } from '../shared/socket-events.js';
import { argmax, CANONICAL_SCALES } from '../shared/scale.js';
import { describeNoPicture } from '../shared/shots.js';
import { noPictureIn } from './picture-check.js';
import { ScaleSmoother, type SmoothedScale, type SmoothingSettings } from './scale-smoother.js';
import { StillPictureWatch } from './still-picture.js';

/**
 * What a readout keeps of its frame's reading: enough to smooth the frame
 * again (ReadoutBuilder.restart).
 */
export type FrameReading = Pick<Readout, 'raw' | 'captureTime' | 'subjects' | 'noPicture' | 'reason'>;

/** A frame's own reading, for a camera with no label yet. */
function unsmoothed(probabilities: readonly number[]): SmoothedScale {
  const best = argmax(probabilities);
  return { label: CANONICAL_SCALES[best]!, confidence: probabilities[best]!, smoothed: [...probabilities] };
}

export class ReadoutBuilder {
  private readonly smoothers = new Map<string, ScaleSmoother>();
  /** Per camera, for each label read: the reason (and who was in frame) of the latest frame that read it. */
  private readonly reasons = new Map<string, Map<string, { reason: string; subjects?: Subjects }>>();
  private readonly still = new StillPictureWatch();

  constructor(
    private readonly settings: SmoothingSettings,
    private readonly clock: Clock,
  ) {}

  build(frame: Frame, prediction: ScalePrediction, model: string): Readout {
    // A frame of one flat colour has no scale to read.
    const noPicture = noPictureIn(frame);
    const smoother = this.smootherOf(frame.cameraId);
    const unread = noPicture !== null && !smoother.started;
    const { label, confidence, smoothed } = this.smooth(smoother, { raw: prediction.probabilities, captureTime: frame.captureTime, noPicture: noPicture ?? undefined, subjects: prediction.subjects });
    const readout: Readout = {
      cameraId: frame.cameraId,
      captureTime: frame.captureTime,
      label,
      confidence,
      raw: prediction.probabilities,
      smoothed,
      latencyMs: 0,
      model,
    };
    if (noPicture) {
      readout.noPicture = noPicture;
      readout.reason = describeNoPicture(noPicture);
      if (unread) readout.labelUnread = true;
    } else if (prediction.reason) {
      readout.reason = prediction.reason;
      this.keepReason(frame.cameraId, prediction.probabilities, prediction.reason, prediction.subjects);
    }
    // A held label keeps the reason of the frame that last read it, and who
    // was in that frame: the latest frame's own may name another class (a
    // frame and its mirror can disagree) or find nobody (a blurred pass).
    const why = this.reasons.get(frame.cameraId)?.get(label);
    if (why) {
      readout.labelReason = why.reason;
      if (why.subjects) readout.labelSubjects = why.subjects;
    }
    if (prediction.subjects) readout.subjects = prediction.subjects;
    const stillSince = this.still.observe(frame);
    if (stillSince !== null && stillSince < frame.captureTime) readout.stillSince = stillSince;
    readout.latencyMs = this.clock() - frame.captureTime;
    return readout;
  }

  /** The reset hook for cuts and source restarts: the next frame sets the label directly. */
  reset(cameraId: string): void {
    this.smoothers.get(cameraId)?.reset();
    this.reasons.delete(cameraId);
  }

  /**
   * A cut found after some frames of the new shot were read (the cut
   * detector decides a few frames late, a dissolve up to 2 s late): the
   * smoothing starts again at the cut and reads those frames again, in
   * order, so that none of them is smoothed with the shot before and the
   * next frame goes on from them. Returns their labels and probabilities,
   * one for each reading; with no reading, a plain reset.
   */
  restart(cameraId: string, readings: readonly FrameReading[]): SmoothedScale[] {
    this.reset(cameraId);
    const smoother = this.smootherOf(cameraId);
    return readings.map((reading) => {
      if (!reading.noPicture && reading.reason) this.keepReason(cameraId, reading.raw, reading.reason, reading.subjects);
      return this.smooth(smoother, reading);
    });
  }

  forget(cameraId: string): void {
    this.smoothers.delete(cameraId);
    this.reasons.delete(cameraId);
    this.still.forget(cameraId);
  }

  private smootherOf(cameraId: string): ScaleSmoother {
    let smoother = this.smoothers.get(cameraId);
    if (!smoother) {
      smoother = new ScaleSmoother(this.settings);
      this.smoothers.set(cameraId, smoother);
    }
    return smoother;
  }

  /** One frame's reading through the camera's smoother. */
  private smooth(smoother: ScaleSmoother, reading: FrameReading): SmoothedScale {
    // A frame with no picture holds the label (weight 0) and is no first reading either.
    if (reading.noPicture && !smoother.started) return unsmoothed(reading.raw);
    // A frame in which the detectors found nobody weighs less (SmoothingSettings.emptyFrameWeight); a model that cannot say counts fully.
    const weight = reading.noPicture ? 0 : reading.subjects?.kind === 'none' ? this.settings.emptyFrameWeight : 1;
    return smoother.update(reading.raw, reading.captureTime, weight);
  }

  /** For the label a frame read, its reason and who was in it (the latest frame that read it wins). */
  private keepReason(cameraId: string, probabilities: readonly number[], reason: string, subjects: Subjects | undefined): void {
    let byLabel = this.reasons.get(cameraId);
    if (!byLabel) this.reasons.set(cameraId, (byLabel = new Map()));
    byLabel.set(CANONICAL_SCALES[argmax(probabilities)]!, { reason, ...(subjects ? { subjects } : {}) });
  }
}
