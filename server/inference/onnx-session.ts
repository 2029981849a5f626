/**
 * The onnxruntime-node adapter: opens a session on the first execution
 * provider that loads (TensorRT, CUDA, CPU in the configured order) and says
 * which one it got and why the others failed.
 */
// Before onnxruntime-node: it reads ORT_DISABLE_TELEMETRY when it starts.
import './onnx-telemetry-off.js';
import * as ort from 'onnxruntime-node';
import { statSync } from 'node:fs';
import os from 'node:os';
import { ShotscaleError, errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import type { ExecutionProviderName } from '../config/schema.js';
import { GPU_HOW_TO, providerSupport } from './execution-providers.js';

export interface SessionOptions {
  executionProviders: readonly ExecutionProviderName[];
  /** Threads per operator; 0 = one per core Node sees (see intraOpThreadCount). */
  intraOpThreads: number;
}

/**
 * onnxruntime's own default is one thread per physical core as it counts
 * them, which on many virtual machines is one, whatever the cores: on the
 * 2-core reference machine MoveNet then ran on one core (17 ms a frame at
 * batch 8 instead of 9). So 0 asks for every core Node sees.
 */
export function intraOpThreadCount(configured: number): number {
  return configured > 0 ? configured : os.availableParallelism();
}

/**
 * Idle intra-op threads sleep instead of spinning. onnxruntime spins them
 * after each run, waiting for the next: for a server that runs a batch and
 * then waits for frames, that spinning was pure waste (a batch of 2 every
 * 40 ms: 69 ms of CPU per run with it, 41 without, the same run time) and it
 * took cores from ffmpeg and the main thread.
 */
const SESSION_CONFIG = { session: { intra_op: { allow_spinning: '0' } } };

export interface OpenedSession {
  session: ort.InferenceSession;
  executionProvider: ExecutionProviderName;
  /** Providers tried before the one in use, with why each failed. */
  fallbacks: { provider: ExecutionProviderName; reason: string }[];
}


export async function openSession(modelPath: string, options: SessionOptions, log: Logger): Promise<OpenedSession> {
  // onnxruntime's words for an empty file are a line of its C++ source.
  if (statSync(modelPath, { throwIfNoEntry: false })?.size === 0) {
    throw new ShotscaleError('MODEL_LOAD_FAILED', `${modelPath} is empty (0 bytes)`, { hint: 'the file was cut short or never written; regenerate it or copy it again' });
  }
  const fallbacks: OpenedSession['fallbacks'] = [];
  /** Installed but failed to load (no driver, another CUDA): those are worth a warning. */
  const failed: OpenedSession['fallbacks'] = [];
  for (const provider of options.executionProviders) {
    // A provider whose library is not installed is not asked for: onnxruntime
    // would print a red native error for it on every CPU machine.
    const support = providerSupport(provider);
    if (!support.available) {
      fallbacks.push({ provider, reason: support.reason });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: intraOpThreadCount(options.intraOpThreads),
        extra: SESSION_CONFIG,
        // onnxruntime's own warnings (e.g. the missing CUDA library) at error level only.
        logSeverityLevel: 3,
      });
      if (failed.length) {
        log.warn(`execution provider ${provider} in use; ${failed.map((f) => `${f.provider} unavailable (${f.reason})`).join('; ')}. ${GPU_HOW_TO}`);
      } else {
        // Not installed is the normal CPU machine: the model's start line says so once.
        log.debug(`execution provider ${provider} in use${fallbacks.length ? `; ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}` : ''}`);
      }
      return { session, executionProvider: provider, fallbacks };
    } catch (error) {
      const fallback = { provider, reason: errorMessage(error).split('\n')[0]!.slice(0, 200) };
      fallbacks.push(fallback);
      failed.push(fallback);
    }
  }
  throw new ShotscaleError('MODEL_LOAD_FAILED', `onnxruntime could not load ${modelPath} with ${options.executionProviders.join(', ')}: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`, {
    hint: options.executionProviders.includes('cpu') ? 'the file may be corrupt or not an ONNX model' : 'add "cpu" to model.executionProviders',
  });
}

/** Static size of a dimension, or null when symbolic (e.g. "batch"). */
export function staticDim(dim: unknown): number | null {
  return typeof dim === 'number' && dim > 0 ? dim : null;
}

export { ort };
