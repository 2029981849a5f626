/**
 * Which onnxruntime execution providers this install can load, found by
 * looking for their libraries beside onnxruntime-node's binding instead of by
 * asking onnxruntime: asking for a provider whose library is absent makes
 * onnxruntime print a red native error per session, on every CPU machine.
 * The CPU provider is built in; CUDA and TensorRT come as shared libraries
 * that onnxruntime-node's installer downloads only when asked (README, "GPU").
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExecutionProviderName } from '../config/schema.js';

export interface ProviderSupport {
  provider: ExecutionProviderName;
  available: boolean;
  /** Why not, in words, with what to do; empty when available. */
  reason: string;
}

export const GPU_HOW_TO = 'to use the GPU, install onnxruntime-node with its CUDA binaries (README, "GPU")';

/** Where onnxruntime-node keeps its native binding and the provider libraries beside it. */
export function onnxruntimeBinaryDir(): string | null {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    // dist/index.js -> the package root
    return path.join(path.dirname(path.dirname(main)), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

function libraryName(stem: string): string {
  return process.platform === 'win32' ? `${stem}.dll` : `lib${stem}.so`;
}

const LIBRARIES: Record<Exclude<ExecutionProviderName, 'cpu'>, string[]> = {
  cuda: ['onnxruntime_providers_shared', 'onnxruntime_providers_cuda'],
  tensorrt: ['onnxruntime_providers_shared', 'onnxruntime_providers_cuda', 'onnxruntime_providers_tensorrt'],
};

export function providerSupport(provider: ExecutionProviderName, dir: string | null = onnxruntimeBinaryDir()): ProviderSupport {
  if (provider === 'cpu') return { provider, available: true, reason: '' };
  if (process.platform !== 'linux' && process.platform !== 'win32') {
    return { provider, available: false, reason: `onnxruntime has no ${provider} build for ${process.platform}` };
  }
  if (!dir) return { provider, available: false, reason: 'onnxruntime-node is not installed' };
  const missing = LIBRARIES[provider].map(libraryName).filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length) return { provider, available: false, reason: `onnxruntime-node was installed without ${provider} binaries (${missing.join(', ')} not in ${dir}); ${GPU_HOW_TO}` };
  return { provider, available: true, reason: '' };
}

/**
 * One line for the start log: the provider that runs and, when preferred
 * ones were skipped for missing libraries, why, and how to get them.
 */
export function providerSummary(configured: readonly ExecutionProviderName[], inUse: string): string {
  const skipped = configured.slice(0, Math.max(0, configured.indexOf(inUse as ExecutionProviderName))).map((p) => providerSupport(p)).filter((s) => !s.available);
  if (!skipped.length) return `execution provider ${inUse}`;
  return `execution provider ${inUse} (${skipped.map((s) => s.provider).join(' and ')} not installed here; ${GPU_HOW_TO})`;
}
