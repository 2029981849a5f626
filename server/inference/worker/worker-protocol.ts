/** Messages between the main thread and the inference thread. */
import type { ModelInputSpec, ScalePrediction } from '../model.js';

export type MainToWorker =
  | { type: 'predict'; id: number; frames: { width: number; height: number; data: Uint8Array }[] }
  | { type: 'dispose' };

export type WorkerToMain =
  | { type: 'ready'; name: string; input: ModelInputSpec; executionProvider: string; featureNames: string[] | null; maxBatch: number | null }
  | { type: 'load-error'; message: string; code?: string; hint?: string }
  | { type: 'result'; id: number; predictions: ScalePrediction[] }
  | { type: 'error'; id: number; message: string; code?: string; hint?: string }
  | { type: 'disposed' };
