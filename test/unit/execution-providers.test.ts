import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { onnxruntimeBinaryDir, providerSummary, providerSupport } from '../../server/inference/execution-providers.js';
import { tempDir } from '../support/media.js';

const linuxOrWindows = process.platform === 'linux' || process.platform === 'win32';
const lib = (stem: string): string => (process.platform === 'win32' ? `${stem}.dll` : `lib${stem}.so`);

describe('execution providers found by their libraries', () => {
  test('the CPU provider is always there', () => {
    assert.deepEqual(providerSupport('cpu', null), { provider: 'cpu', available: true, reason: '' });
  });

  test('onnxruntime-node from npm has no CUDA binaries: cuda and tensorrt are not asked for, with why and how', () => {
    const dir = onnxruntimeBinaryDir();
    assert.ok(dir && dir.includes(path.join('onnxruntime-node', 'bin', 'napi-v6')), String(dir));
    for (const provider of ['cuda', 'tensorrt'] as const) {
      const support = providerSupport(provider, tempDir());
      assert.equal(support.available, false);
      assert.match(support.reason, linuxOrWindows ? /installed without .* binaries .*README, "GPU"/ : /no .* build/);
    }
  });

  test('with the provider libraries beside the binding, cuda is tried; tensorrt needs its own too', { skip: !linuxOrWindows }, () => {
    const dir = tempDir();
    for (const stem of ['onnxruntime_providers_shared', 'onnxruntime_providers_cuda']) writeFileSync(path.join(dir, lib(stem)), '');
    assert.equal(providerSupport('cuda', dir).available, true);
    assert.equal(providerSupport('tensorrt', dir).available, false);
    writeFileSync(path.join(dir, lib('onnxruntime_providers_tensorrt')), '');
    assert.equal(providerSupport('tensorrt', dir).available, true);
  });

  test('the start line names the provider in use and, only for skipped ones, how to get the GPU', () => {
    assert.equal(providerSummary(['cpu'], 'cpu'), 'execution provider cpu');
    if (providerSupport('cuda').available) return; // a GPU build installed: nothing was skipped
    assert.match(providerSummary(['tensorrt', 'cuda', 'cpu'], 'cpu'), /^execution provider cpu \(tensorrt and cuda not installed here; to use the GPU/);
  });
});
