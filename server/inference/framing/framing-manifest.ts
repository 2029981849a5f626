/**
 * The `framing-geometry` manifest: which detector manifests the framing model
 * runs, the frame size the pipeline must deliver, and rule thresholds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ShotscaleError } from '../../errors.js';

export interface FramingManifest {
  kind: 'framing-geometry';
  name: string;
  description?: string;
  input: { width: number; height: number; resize: 'letterbox' };
  detectors: { pose: string; face: string };
  /** Overrides of the rule thresholds (see framing-rules.ts DEFAULT_THRESHOLDS). */
  thresholds?: Record<string, number>;
  /** Learned over-the-shoulder hint (dev/fit-ots.ts), relative to the manifest. */
  overTheShoulder?: string;
}

export function readFramingManifest(manifestPath: string): { manifest: FramingManifest; posePath: string; facePath: string; otsPath: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new ShotscaleError('MODEL_MANIFEST_INVALID', `${manifestPath}: cannot read manifest`, { cause: error });
  }
  const m = raw as Partial<FramingManifest>;
  const problems: string[] = [];
  if (m.kind !== 'framing-geometry') problems.push('kind must be "framing-geometry"');
  if (typeof m.name !== 'string' || !m.name) problems.push('name missing');
  if (!m.input || !Number.isInteger(m.input.width) || !Number.isInteger(m.input.height)) problems.push('input.width/height must be integers');
  else if (m.input.resize !== 'letterbox') problems.push('input.resize must be "letterbox" (detectors need undistorted people)');
  if (typeof m.detectors?.pose !== 'string' || typeof m.detectors.face !== 'string') problems.push('detectors.pose and detectors.face must name detector manifests');
  if (m.thresholds !== undefined && (typeof m.thresholds !== 'object' || Object.values(m.thresholds).some((v) => typeof v !== 'number'))) problems.push('thresholds must map names to numbers');
  if (m.overTheShoulder !== undefined && typeof m.overTheShoulder !== 'string') problems.push('overTheShoulder must name a head file');
  if (problems.length) throw new ShotscaleError('MODEL_MANIFEST_INVALID', `${manifestPath}: ${problems.join('; ')}`);
  const dir = path.dirname(manifestPath);
  const manifest = m as FramingManifest;
  return {
    manifest,
    posePath: path.resolve(dir, manifest.detectors.pose),
    facePath: path.resolve(dir, manifest.detectors.face),
    otsPath: manifest.overTheShoulder ? path.resolve(dir, manifest.overTheShoulder) : null,
  };
}
