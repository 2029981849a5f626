/**
 * Dev helper: any labelled set (a labels.csv with file,label) decoded exactly
 * as the pipeline does (ffmpeg letterbox to the model's input, RGB24), run
 * through the detectors once, and cached with everything the framing
 * features are computed from (active picture, detections, pixel cues,
 * spectral descriptor, pooled backbone), so that feature and head
 * experiments across sets take seconds instead of minutes.
 *
 *   [VIEW=mirrored|shrunk|shrunk-mirrored|bright|rot-cw|rot-ccw] npx tsx server/inference/framing/dev/set-cache.ts ../shared/evalset/hoha/labels.csv [...more]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../shared/logger.js';
import { DetectorRunner, type Detections } from '../detector-runner.js';
import { readFramingManifest } from '../framing-manifest.js';
import { findActiveRect, imageCues, type ActiveRect, type ImageCues } from '../image-cues.js';
import { spectralDescriptor } from '../spectral-descriptor.js';
import { NO_ROUND_EYE, roundEye, type RoundEye } from '../round-eye.js';
import { framingFeatures, type FramingFeatures } from '../framing-features.js';
import type { FrameInput } from '../../model.js';
import { mirrorRgb } from '../../mirror-view.js';
import { decodeFrames } from './detect-cache.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const DEFAULT_MANIFEST = path.join(ROOT, 'models', 'framing-default.manifest.json');
export const CACHE_DIR = process.env.SHOTSCALE_DEV_CACHE ?? '/tmp/shotscale-dev';

export interface CachedSetFrame {
  file: string;
  label: string;
  active: ActiveRect;
  cues: ImageCues;
  detections: Detections;
  spectral: number[];
  embedding: number[];
  frameWidth: number;
  frameHeight: number;
  /** The round dark-centred shape (round-eye.ts), found on every frame here; the pipeline looks only where nobody is found. */
  roundEye?: RoundEye;
}

export interface CachedSet {
  name: string;
  labels: string;
  frames: CachedSetFrame[];
}

/** The detectors a framing manifest names, as a short hash: caches of their output are keyed by it. */
export function modelKey(manifestPath: string): string {
  const { posePath, facePath } = readFramingManifest(manifestPath);
  const hash = createHash('sha256');
  for (const file of [posePath, facePath]) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

/** A cached frame's framing features, as the pipeline computes them. */
export function cachedFeatures(frame: CachedSetFrame): FramingFeatures {
  return framingFeatures(frame.detections, frame.active, frame.cues, frame.frameWidth, frame.frameHeight, undefined, () => frame.roundEye ?? NO_ROUND_EYE);
}

export function readLabelsCsv(labelsPath: string): { file: string; label: string }[] {
  const [header, ...rows] = readFileSync(labelsPath, 'utf8').trim().split(/\r?\n/);
  const cols = header!.split(',');
  // CinemaNet's shot-type set names its column `type` (master, over_the_shoulder).
  const fi = cols.indexOf('file'), li = cols.includes('label') ? cols.indexOf('label') : cols.indexOf('type');
  return rows.map((row) => {
    const cells = row.split(',');
    return { file: cells[fi]!, label: cells[li]! };
  });
}

/** The set's name: the folder its labels.csv is in. */
export function setName(labelsPath: string): string {
  return path.basename(path.dirname(path.resolve(labelsPath)));
}

/** The picture shrunk about its centre (black around it): the same framing, smaller to the detectors. */
export function shrunk(frame: FrameInput, factor = 0.8): FrameInput {
  const { width, height, data } = frame;
  const out = new Uint8Array(data.length);
  const w = Math.round(width * factor), h = Math.round(height * factor);
  const x0 = Math.floor((width - w) / 2), y0 = Math.floor((height - h) / 2);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.floor((y + 0.5) / factor));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, Math.floor((x + 0.5) / factor));
      const from = (sy * width + sx) * 3, to = ((y + y0) * width + x + x0) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { width, height, data: out };
}

/** A dark picture lifted (a gamma that takes its mean luminance to 0.4); others as they are. */
export function brightened(frame: FrameInput, darkBelow = 0.3, target = 0.4): FrameInput {
  const { data } = frame;
  let sum = 0;
  for (let i = 0; i < data.length; i += 3) sum += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  const mean = sum / (data.length / 3) / 255;
  if (mean >= darkBelow || mean <= 0.005) return frame;
  const gamma = Math.log(target) / Math.log(mean);
  const table = Uint8Array.from({ length: 256 }, (_, v) => Math.round(255 * (v / 255) ** gamma));
  return { ...frame, data: data.map((v) => table[v]!) };
}

/** A second look at each frame for the dev experiments: mirrored, shrunk, brightened, or combined. */
export type DevView = 'picture' | 'mirrored' | 'shrunk' | 'shrunk-mirrored' | 'bright' | 'bright-mirrored' | 'rot-cw' | 'rot-ccw';

/** The picture turned a quarter (clockwise or not) and pillarboxed back into the frame size: a face lying on its side stands up. */
export function quarterTurned(frame: FrameInput, clockwise: boolean): FrameInput {
  const { width: W, height: H, data } = frame;
  // Turned, the picture is H wide and W tall; fit it into W x H.
  const scale = H / W;
  const w = Math.round(H * scale), x0 = Math.floor((W - w) / 2);
  const out = new Uint8Array(data.length);
  for (let y = 0; y < H; y++) {
    const ty = Math.min(W - 1, Math.floor((y + 0.5) / scale)); // row in the turned picture (0..W-1)
    for (let x = 0; x < w; x++) {
      const tx = Math.min(H - 1, Math.floor((x + 0.5) / scale)); // column in the turned picture (0..H-1)
      const sx = clockwise ? ty : W - 1 - ty;
      const sy = clockwise ? H - 1 - tx : tx;
      const from = (sy * W + sx) * 3, to = (y * W + x + x0) * 3;
      out[to] = data[from]!; out[to + 1] = data[from + 1]!; out[to + 2] = data[from + 2]!;
    }
  }
  return { width: W, height: H, data: out };
}
const VIEW_TRANSFORMS: Record<DevView, (f: FrameInput) => FrameInput> = {
  picture: (f) => f,
  mirrored: mirrorRgb,
  shrunk: (f) => shrunk(f),
  'shrunk-mirrored': (f) => mirrorRgb(shrunk(f)),
  bright: (f) => brightened(f),
  'bright-mirrored': (f) => mirrorRgb(brightened(f)),
  'rot-cw': (f) => quarterTurned(f, true),
  'rot-ccw': (f) => quarterTurned(f, false),
};

export async function loadSet(labelsPath: string, manifestPath = DEFAULT_MANIFEST, refresh = false, view: DevView = 'picture'): Promise<CachedSet> {
  const name = setName(labelsPath);
  const cacheFile = path.join(CACHE_DIR, `${name}-${modelKey(manifestPath)}${view === 'picture' ? '' : `-${view}`}.json`);
  if (!refresh && existsSync(cacheFile)) {
    const set = JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedSet;
    if (set.frames.every((f) => f.roundEye)) return set;
    // A cache from before the round-eye cue: add it (decoding only; the detectors' output stands).
    const { manifest } = readFramingManifest(manifestPath);
    const decoded = await decodeFrames(set.frames.map((f) => path.join(path.dirname(path.resolve(labelsPath)), f.file)), manifest.input.width, manifest.input.height);
    decoded.map(VIEW_TRANSFORMS[view]).forEach((frame, i) => { set.frames[i]!.roundEye = roundEye(frame, set.frames[i]!.active); });
    writeFileSync(cacheFile, JSON.stringify(set));
    return set;
  }
  const { manifest, posePath, facePath } = readFramingManifest(manifestPath);
  const { width, height } = manifest.input;
  const labels = readLabelsCsv(labelsPath);
  const base = path.dirname(path.resolve(labelsPath));
  const t0 = performance.now();
  const decoded = await decodeFrames(labels.map((l) => path.join(base, l.file)), width, height);
  const frames = decoded.map(VIEW_TRANSFORMS[view]);
  process.stderr.write(`${name}: decoded ${frames.length} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const runner = await DetectorRunner.open(posePath, facePath, width, height, { executionProviders: ['cpu'], intraOpThreads: 2 }, silentLogger);
  const out: CachedSetFrame[] = [];
  const t1 = performance.now();
  for (let s = 0; s < frames.length; s += 16) {
    const batch = frames.slice(s, s + 16);
    const active = batch.map(findActiveRect);
    const dets = await runner.detect(batch, active);
    batch.forEach((f, b) => {
      const d = dets[b]!;
      out.push({
        ...labels[s + b]!,
        active: active[b]!,
        cues: imageCues(f, active[b]!),
        detections: { people: d.people, faces: d.faces },
        spectral: Array.from(spectralDescriptor(f, active[b]!)),
        embedding: Array.from(d.embedding),
        frameWidth: width,
        frameHeight: height,
        roundEye: roundEye(f, active[b]!),
      });
    });
  }
  process.stderr.write(`${name}: detected in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`);
  await runner.dispose();
  const set: CachedSet = { name, labels: path.resolve(labelsPath), frames: out };
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(set));
  return set;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const labels of process.argv.slice(2)) {
    const view = (process.env.VIEW ?? 'picture') as DevView;
    if (!(view in VIEW_TRANSFORMS)) throw new Error(`VIEW must be one of ${Object.keys(VIEW_TRANSFORMS).join(', ')}`);
    const set = await loadSet(labels, DEFAULT_MANIFEST, process.env.REFRESH === '1', view);
    process.stderr.write(`${set.name}: ${set.frames.length} frames cached\n`);
  }
}
