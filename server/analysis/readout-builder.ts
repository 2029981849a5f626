/**
 * Turns a frame's prediction into the camera's readout: smooth, apply
 * hysteresis, stamp the latency. One smoother per camera.
 */
import type { Clock } from '../shared/clock.js';
import type { Frame } from '../shared/frame.js';
import type { ScalePrediction } from '../inference/model.js';
import type { Readout } from '../shared/socket-events.js';
import { ScaleSmoother, type SmoothingSettings } from './scale-smoother.js';

export class ReadoutBuilder {
  private readonly smoothers = new Map<string, ScaleSmoother>();

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
    const { label, confidence, smoothed } = smoother.update(prediction.probabilities, frame.captureTime);
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
    if (prediction.reason) readout.reason = prediction.reason;
    if (prediction.subjects) readout.subjects = prediction.subjects;
    readout.latencyMs = this.clock() - frame.captureTime;
    return readout;
  }

  /** The reset hook for cuts and source restarts: the next frame sets the label directly. */
  reset(cameraId: string): void {
    this.smoothers.get(cameraId)?.reset();
  }

  forget(cameraId: string): void {
    this.smoothers.delete(cameraId);
  }
}
