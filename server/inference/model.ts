/**
 * The contract every shot-scale model plugs in behind: frames in (RGB24 at
 * the model's input size), canonical probabilities out. The pipeline knows
 * nothing else about a model.
 */
import type { ResizeMode } from '../ingest/ffmpeg-args.js';
import type { ScaleProbabilities } from '../shared/scale.js';
import type { Subjects } from '../shared/socket-events.js';

export type { Subjects };

export interface ModelInputSpec {
  /** Frame size ffmpeg must produce for this model. */
  width: number;
  height: number;
  resize: ResizeMode;
}

export interface FrameInput {
  width: number;
  height: number;
  /** RGB24, row-major, width * height * 3 bytes. */
  data: Uint8Array;
}

/** What a calibration head reads of one view of a frame. */
export interface ViewAnalysis {
  features: Float32Array;
  rules: number[];
}

export interface ScalePrediction {
  /** Canonical order, sums to 1. */
  probabilities: ScaleProbabilities;
  /** The model's own labels with their probabilities, when it has its own taxonomy. */
  labelProbabilities?: Record<string, number>;
  /** Why, in a few words, when the model can say. */
  reason?: string;
  /** Who is in the shot, when the model can say. */
  subjects?: Subjects;
  /** Framing features and the rules' own probabilities, for a calibration head; a picture looked at both ways carries its mirror's too. */
  analysis?: ViewAnalysis & { mirrored?: ViewAnalysis };
}

export interface ShotScaleModel {
  readonly name: string;
  readonly input: ModelInputSpec;
  /** Execution provider actually in use (e.g. "cpu", "cuda"). */
  readonly executionProvider: string;
  /** Names of the framing features in `analysis.features`, for models that produce them. */
  readonly featureNames?: readonly string[];
  /** Batches it can run at once (its threads); 1 when absent. */
  readonly lanes?: number;
  /**
   * Most frames worth sending in one batch; absent: any. A model that runs
   * frame by frame anyway (the framing model on a CPU) says 1, so that each
   * readout leaves as soon as its frame is done instead of waiting for the
   * rest of a batch.
   */
  readonly maxBatch?: number;
  predict(frames: readonly FrameInput[]): Promise<ScalePrediction[]>;
  dispose(): Promise<void>;
}
