/**
 * The over-the-shoulder hint: a small logistic model on the framing features
 * (dev/fit-ots.ts), because the geometry alone rarely sees the foreground
 * shoulder: MoveNet finds no keypoints on the back of a head, so a rule on
 * detections fired on none of 199 CinemaNet test frames.
 */
import { readFileSync } from 'node:fs';
import { predictProbabilities, type SoftmaxModel } from '../../calibration/softmax-regression.js';
import { ShotscaleError } from '../../errors.js';

export interface OtsHead {
  kind: 'ots-head';
  featureNames: string[];
  model: SoftmaxModel;
  /** Probability at or above which the hint is on. */
  threshold: number;
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
  if (head.featureNames.join(',') !== featureNames.join(',')) {
    throw new ShotscaleError('MODEL_MISMATCH', `over-the-shoulder head ${file} was fitted on other features; refit it with server/inference/framing/dev/fit-ots.ts`);
  }
  return head;
}

export function overTheShoulder(head: OtsHead, features: Float32Array): boolean {
  return predictProbabilities(head.model, features)[1]! >= head.threshold;
}
