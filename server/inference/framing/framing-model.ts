/**
 * The default shot-scale classifier: pretrained detectors (MoveNet multipose,
 * BlazeFace) + framing geometry -> probabilities over the 8 canonical classes,
 * a reason and the subjects. A calibration head (server/calibration), applied
 * by the inference runner per camera, refines the rules'
 * probabilities from the same feature vector.
 */
import type { Logger } from '../../shared/logger.js';
import type { FrameInput, ScalePrediction, ShotScaleModel, Subjects } from '../model.js';
import type { SessionOptions } from '../onnx-session.js';
import { DetectorRunner } from './detector-runner.js';
import { activeFrame, DEFAULT_FEATURE_THRESHOLDS, FRAMING_FEATURE_NAMES, featureVector, framingFeatures, type FeatureThresholds } from './framing-features.js';
import { readFramingManifest, type FramingManifest } from './framing-manifest.js';
import { DEFAULT_RULE_THRESHOLDS, framingRules, type RuleThresholds } from './framing-rules.js';
import { findActiveRect, imageCues } from './image-cues.js';
import { roundEye } from './round-eye.js';
import { loadOtsHead, overTheShoulder, type OtsHead } from './ots-hint.js';
import { subjectsOf } from './subjects.js';

import { EMBEDDING_FEATURE_NAMES } from './backbone-embedding.js';
import { SPECTRAL_FEATURE_NAMES, spectralDescriptor } from './spectral-descriptor.js';

/**
 * The framing geometry, then two scene descriptions for the calibration head:
 * the spectral descriptor and the pose model's pooled backbone features.
 * Frames without anyone in them (44% of the dev set) depend on these.
 */
export const MODEL_FEATURE_NAMES: readonly string[] = [...FRAMING_FEATURE_NAMES, ...SPECTRAL_FEATURE_NAMES, ...EMBEDDING_FEATURE_NAMES];

export interface FramingAnalysis {
  features: Float32Array;
  /** The rules' probabilities, canonical order. */
  probabilities: number[];
  reason: string;
  subjects: Subjects;
}

export class FramingModel implements ShotScaleModel {
  readonly input: ShotScaleModel['input'];
  readonly featureNames = MODEL_FEATURE_NAMES;
  private readonly featureThresholds: FeatureThresholds;
  private readonly ruleThresholds: RuleThresholds;

  private constructor(
    private readonly manifest: FramingManifest,
    private readonly detectors: DetectorRunner,
    private readonly ots: OtsHead | null,
  ) {
    this.input = { width: manifest.input.width, height: manifest.input.height, resize: 'letterbox' };
    const overrides = manifest.thresholds ?? {};
    this.featureThresholds = pick(DEFAULT_FEATURE_THRESHOLDS, overrides);
    this.ruleThresholds = pick(DEFAULT_RULE_THRESHOLDS, overrides);
  }

  get name(): string {
    return this.manifest.name;
  }

  get executionProvider(): string {
    return this.detectors.executionProvider;
  }

  get maxBatch(): number | undefined {
    return Number.isFinite(this.detectors.runBatch) ? this.detectors.runBatch : undefined;
  }

  static async load(manifestPath: string, options: SessionOptions, log: Logger): Promise<FramingModel> {
    const { manifest, posePath, facePath, otsPath } = readFramingManifest(manifestPath);
    const ots = otsPath ? loadOtsHead(otsPath, MODEL_FEATURE_NAMES) : null;
    const detectors = await DetectorRunner.open(posePath, facePath, manifest.input.width, manifest.input.height, options, log);
    const model = new FramingModel(manifest, detectors, ots);
    // Warm-up: the first runs allocate and plan; do it before a camera waits on it.
    const blank = { width: manifest.input.width, height: manifest.input.height, data: new Uint8Array(manifest.input.width * manifest.input.height * 3) };
    await model.analyse([blank]);
    await model.analyse([blank, blank]);
    return model;
  }

  async analyse(frames: readonly FrameInput[]): Promise<FramingAnalysis[]> {
    if (!frames.length) return [];
    const rects = frames.map(findActiveRect);
    const detections = await this.detectors.detect(frames, rects);
    return frames.map((frame, b) => {
      const rect = rects[b]!, d = detections[b]!;
      const f = framingFeatures(d, rect, imageCues(frame, rect), frame.width, frame.height, this.featureThresholds, () => roundEye(frame, rect));
      const rules = framingRules(f, this.ruleThresholds);
      const subjects = subjectsOf(d, activeFrame(rect, frame.width, frame.height), this.featureThresholds);
      const geometry = featureVector(f);
      const features = new Float32Array(MODEL_FEATURE_NAMES.length);
      features.set(geometry, 0);
      const spectral = spectralDescriptor(frame, rect);
      features.set(spectral, geometry.length);
      features.set(d.embedding, geometry.length + spectral.length);
      if (this.ots) subjects.overTheShoulder = overTheShoulder(this.ots, features);
      return { features, probabilities: rules.probabilities, reason: rules.reason, subjects };
    });
  }

  async predict(frames: readonly FrameInput[]): Promise<ScalePrediction[]> {
    const analyses = await this.analyse(frames);
    return analyses.map((a) => {
      return { probabilities: a.probabilities, reason: a.reason, subjects: a.subjects, analysis: { features: a.features, rules: a.probabilities } };
    });
  }

  async dispose(): Promise<void> {
    await this.detectors.dispose();
  }
}

/** Defaults overridden by the manifest's thresholds of the same names. */
function pick<T extends object>(defaults: T, overrides: Record<string, number>): T {
  const out = { ...defaults } as Record<string, number>;
  for (const key of Object.keys(out)) if (typeof overrides[key] === 'number') out[key] = overrides[key];
  return out as T;
}
