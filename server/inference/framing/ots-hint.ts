/**
 * The over-the-shoulder hint: a small logistic model on the framing features
 * (dev/fit-ots.ts), because the geometry alone rarely sees the foreground
 * shoulder: MoveNet finds no keypoints on the back of a head, so a rule on
 * detections fired on none of 199 CinemaNet test frames.
 */
import { readFileSync } from 'node:fs';
import { pickIndices } from '../../calibration/framing-head.js';
import { predictProbabilities, type SoftmaxModel } from '../../calibration/softmax-regression.js';
import { ShotscaleError } from '../../errors.js';

export interface OtsHead {
  kind: 'ots-head';
  featureNames: string[];
  model: SoftmaxModel;
  /** Probability at or above which the hint is on. */
  threshold: number;
  /** Runtime only: where the head's features are in the model's feature vector. */
  pick?: number[];
}

export function loadOtsHead(file: string, featureNames: readonly string[]): OtsHead {
  let head: OtsHead;
  try {
    head = JSON.parse(readFileSync(file, 'utf8')) as OtsHead;
  } catch (error) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `over-the-shoulder head ${file}: ${(error as Error).message}`);
  }
  if (head.kind !== 'ots-head' || !Array.isArray(head.model?.layers) || typeof head.threshold !== 'number') {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `over-the-shoulder head ${file}: not an ots-head`);
  }
  const unknown = head.featureNames.filter((n) => !featureNames.includes(n));
  if (unknown.length) {
    throw new ShotscaleError('MODEL_MISMATCH', `over-the-shoulder head ${file} was fitted on features this model does not have (${unknown.slice(0, 5).join(', ')}); refit it with server/inference/framing/dev/fit-ots.ts`);
  }
  // Picked by name: a model that gains features keeps its hint.
  head.pick = pickIndices(head.featureNames, featureNames);
  return head;
}

export function overTheShoulder(head: OtsHead, features: Float32Array): boolean {
  const picked = head.pick ? head.pick.map((i) => features[i]!) : features;
  return predictProbabilities(head.model, picked)[1]! >= head.threshold;
}
