/**
 * What a manifest says about its model file, checked before onnxruntime opens
 * it: a truncated or damaged file then fails at start with a code and both
 * paths. Without the check, a file cut short failed as "Protobuf parsing
 * failed", and one damaged inside its weights loaded and classified garbage.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ShotscaleError } from '../errors.js';

export function checkModelFile(modelPath: string, manifestPath: string, expected: { sizeBytes?: number | undefined; sha256?: string | undefined }): void {
  if (!existsSync(modelPath)) {
    throw new ShotscaleError('MODEL_FILE_NOT_FOUND', `model file not found: ${modelPath} (named by ${manifestPath})`, { hint: 'npm run models regenerates the shipped models' });
  }
  const hint = 'the model file was replaced or damaged; regenerate it (npm run models for the shipped ones) or update the manifest';
  const size = statSync(modelPath).size;
  if (expected.sizeBytes !== undefined && size !== expected.sizeBytes) {
    throw new ShotscaleError('MODEL_MISMATCH', `${modelPath}: ${size} bytes, ${manifestPath} expects ${expected.sizeBytes}${size < expected.sizeBytes ? ' (truncated?)' : ''}`, { hint });
  }
  if (expected.sha256 !== undefined) {
    const actual = createHash('sha256').update(readFileSync(modelPath)).digest('hex');
    if (actual !== expected.sha256) throw new ShotscaleError('MODEL_MISMATCH', `${modelPath}: sha256 is ${actual}, ${manifestPath} expects ${expected.sha256}`, { hint });
  }
}
