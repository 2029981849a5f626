/**
 * A production fit on a thread of its own: the base knowledge read and the
 * head fitted (seconds of CPU, and tens of seconds with cross-validation)
 * never hold up the main thread, which keeps analysing every camera.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBaseKnowledge } from './base-knowledge.js';
import { parseHead, type FramingHead } from './framing-head.js';
import { fitProduction, type ProductionFitResult } from './production-fit.js';
import { findTaxonomy } from '../evaluation/taxonomies.js';
import type { LabelledSet } from './multi-set-calibration.js';
import { isShotscaleError, type ErrorCode } from '../errors.js';

export interface FitJob {
  /** Base knowledge file, or null to fit on the production's samples alone. */
  baseFile: string | null;
  /** The head in use (scores "before"), as saved. */
  from: FramingHead | null;
  featureNames: string[];
  modelName: string;
  production: { name: string; taxonomy: string; samples: { features: number[]; rules: number[]; label: number; group?: string }[] }[];
  folds: number;
}

/** A failure carries the error's code where it had one (a base knowledge file that cannot be read: CALIBRATION_BASE_INVALID). */
export type FitReply = { ok: true; result: ProductionFitResult } | { ok: false; message: string; code?: ErrorCode };

export function runFitJob(job: FitJob): ProductionFitResult {
  const base = job.baseFile ? loadBaseKnowledge(job.baseFile, job.featureNames) : [];
  const production: LabelledSet[] = job.production.map((p) => ({ name: p.name, labels: 'operator corrections', taxonomy: findTaxonomy(p.taxonomy)!, samples: p.samples }));
  const from = job.from ? parseHead(job.from, 'the head in use', job.featureNames) : null;
  // The shot each frame belongs to: a fold holds out whole shots.
  const groups = job.production.map((p) => p.samples.map((s, i) => s.group ?? String(i)));
  return fitProduction({ base, production, featureNames: job.featureNames, from, modelName: job.modelName, folds: job.folds, groups });
}

if (parentPort && workerData?.fitJob) {
  let reply: FitReply;
  try {
    reply = { ok: true, result: runFitJob(workerData.fitJob as FitJob) };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error), ...(isShotscaleError(error) ? { code: error.code } : {}) };
  }
  parentPort.postMessage(reply);
}
