/**
 * Runs one scheduler batch through every model its cameras use: each model
 * once, on all the frames that need it (resized when a camera's frames were
 * made for another model), then fuses per frame by weighted average of the
 * canonical probabilities, after the camera's calibration head. A frame is
 * looked at as it is, mirrored, or both ways (mirror-view.ts).
 */
import { applyHead, headFeatures } from '../calibration/framing-head.js';
import { explainHead } from '../calibration/head-explanation.js';
import { argmax, CANONICAL_SCALES } from '../shared/scale.js';
import type { Frame } from '../shared/frame.js';
import type { CameraModelProfile } from './model-set.js';
import { meanOfTwo, mirrorRgb, ViewAlternation } from './mirror-view.js';
import type { FrameInput, ScalePrediction, ShotScaleModel } from './model.js';
import { resizeRgb } from './resize-rgb.js';

interface Job {
  model: ShotScaleModel;
  inputs: FrameInput[];
  /** For each input: which frame of the batch, with what weight. */
  targets: { frame: number; weight: number }[];
}

function refine(prediction: ScalePrediction, profile: CameraModelProfile): ScalePrediction {
  if (!profile.head || !prediction.analysis) return prediction;
  const probabilities = applyHead(profile.head, prediction.analysis.features, prediction.analysis.rules);
  const rulesTop = argmax(prediction.analysis.rules);
  const headTop = argmax(probabilities);
  if (headTop === rulesTop) return { ...prediction, probabilities };
  // The reason explains the rules; when the head overrules them, it says so and which cue decided.
  const cue = explainHead(profile.head, headFeatures(profile.head, prediction.analysis.features), rulesTop, headTop);
  const reason = `${prediction.reason ?? 'rules'}; calibrated -> ${CANONICAL_SCALES[headTop]}${cue ? `, decided by ${cue}` : ''}`;
  return { ...prediction, probabilities, reason };
}

/**
 * How a batch's frames are looked at: as they are; a feed's alternation
 * (every other frame of a camera mirrored, its smoothing averages the views);
 * or both ways, the two views' probabilities averaged (a still picture, as a
 * feed's smoothing would settle on it).
 */
export type Views = 'as-is' | 'both' | ViewAlternation;

/** How a feed (a camera, or a video file read as one) is looked at under `model.mirrorViews`. */
export function feedViews(mirrorViews: boolean): 'as-is' | ViewAlternation {
  return mirrorViews ? new ViewAlternation() : 'as-is';
}

export async function runModels(frames: readonly Frame[], profileOf: (cameraId: string) => CameraModelProfile, views: Views = 'as-is'): Promise<ScalePrediction[]> {
  if (views === 'both') {
    const predictions = await runViews(frames.flatMap((frame) => [frame, mirrorRgb(frame)]), profileOf);
    return frames.map((_, i) => meanOfViews(predictions[2 * i]!, predictions[2 * i + 1]!));
  }
  return runViews(views === 'as-is' ? frames : frames.map((frame) => (views.mirrored(frame.cameraId) ? mirrorRgb(frame) : frame)), profileOf);
}

async function runViews(frames: readonly Frame[], profileOf: (cameraId: string) => CameraModelProfile): Promise<ScalePrediction[]> {
  const jobs = new Map<ShotScaleModel, Job>();
  const profiles = frames.map((f) => profileOf(f.cameraId));
  frames.forEach((frame, i) => {
    for (const { model, weight } of profiles[i]!.models) {
      let job = jobs.get(model);
      if (!job) jobs.set(model, (job = { model, inputs: [], targets: [] }));
      job.inputs.push(resizeRgb(frame, model.input.width, model.input.height, model.input.resize));
      job.targets.push({ frame: i, weight });
    }
  });
  const parts: { prediction: ScalePrediction; weight: number; model: string }[][] = frames.map(() => []);
  // One model at a time: they compete for the same cores anyway.
  for (const job of jobs.values()) {
    const predictions = await job.model.predict(job.inputs);
    predictions.forEach((p, k) => {
      const { frame, weight } = job.targets[k]!;
      parts[frame]!.push({ prediction: refine(p, profiles[frame]!), weight, model: job.model.name });
    });
  }
  return parts.map((list) => fuse(list));
}

/**
 * A picture and its mirror: the mean of their probabilities, the reason of
 * the view that reads the class the mean does (the picture's own when both
 * or neither do), and both views' analyses for calibration.
 */
export function meanOfViews(picture: ScalePrediction, mirror: ScalePrediction): ScalePrediction {
  const probabilities = meanOfTwo(picture.probabilities, mirror.probabilities);
  const top = argmax(probabilities);
  const explains = argmax(picture.probabilities) !== top && argmax(mirror.probabilities) === top ? mirror : picture;
  const mean: ScalePrediction = { ...picture, probabilities };
  // A mirror's cue is the picture's too: where the frame cuts the body does not change.
  if (explains.reason !== undefined) mean.reason = explains.reason;
  if (explains.subjects) mean.subjects = explains.subjects;
  if (picture.analysis && mirror.analysis) mean.analysis = { ...picture.analysis, mirrored: { features: mirror.analysis.features, rules: mirror.analysis.rules } };
  return mean;
}

export function fuse(list: { prediction: ScalePrediction; weight: number; model: string }[]): ScalePrediction {
  if (list.length === 1) return list[0]!.prediction;
  const total = list.reduce((a, p) => a + p.weight, 0);
  const probabilities = new Array<number>(8).fill(0);
  for (const { prediction, weight } of list) prediction.probabilities.forEach((p, c) => (probabilities[c]! += (p * weight) / total));
  const fused: ScalePrediction = { probabilities, reason: list.map((p) => p.prediction.reason ?? p.model).join(' + ') };
  const subjects = list.find((p) => p.prediction.subjects)?.prediction.subjects;
  if (subjects) fused.subjects = subjects;
  return fused;
}
