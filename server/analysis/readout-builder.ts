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
    let smoother = this.smoothers.get(frame.cameraId);
    if (!smoother) {
      smoother = new ScaleSmoother(this.settings);
      this.smoothers.set(frame.cameraId, smoother);
    }
    // A frame of one flat colour has no scale to read: it holds the label (weight 0) and is no first reading either.
    const noPicture = noPictureIn(frame);
    // A frame in which the detectors found nobody weighs less (SmoothingSettings.emptyFrameWeight); a model that cannot say counts fully.
    const weight = noPicture ? 0 : prediction.subjects?.kind === 'none' ? this.settings.emptyFrameWeight : 1;
    const unread = noPicture !== null && !smoother.started;
    const { label, confidence, smoothed } = unread ? unsmoothed(prediction.probabilities) : smoother.update(prediction.probabilities, frame.captureTime, weight);
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
      let byLabel = this.reasons.get(frame.cameraId);
      if (!byLabel) this.reasons.set(frame.cameraId, (byLabel = new Map()));
      byLabel.set(CANONICAL_SCALES[argmax(prediction.probabilities)]!, { reason: prediction.reason, ...(prediction.subjects ? { subjects: prediction.subjects } : {}) });
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

  forget(cameraId: string): void {
    this.smoothers.delete(cameraId);
    this.reasons.delete(cameraId);
    this.still.forget(cameraId);
  }
}
