/**
 * Dev helper: decodes the cinemanet eval images through ffmpeg exactly as the
 * pipeline does (letterbox to the model's frame size, RGB24), runs the
 * detectors and caches detections + pixel cues as JSON, so that rule
 * iterations take seconds.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeFile } from '../../../ingest/file-decoder.js';
import { resolveFfmpeg } from '../../../ingest/ffmpeg-binary.js';
import { systemClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/logger.js';
import type { FrameInput } from '../../model.js';
import { DetectorRunner, type Detections } from '../detector-runner.js';
import { readFramingManifest } from '../framing-manifest.js';
import { findActiveRect, imageCues, type ActiveRect, type ImageCues } from '../image-cues.js';

export const EVAL_ROOT = '/work/shared/evalset/cinemanet';

export interface CachedFrame { file: string; label: string; vetted: boolean; active: ActiveRect; cues: ImageCues; detections: Detections }

export function readLabels(): { file: string; label: string; vetted: boolean }[] {
  return readFileSync(path.join(EVAL_ROOT, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((line) => {
    const [file, label, , vetted] = line.split(',');
    return { file: file!, label: label!, vetted: vetted === '1' };
  });
}

export async function decodeFrames(files: string[], width: number, height: number): Promise<FrameInput[]> {
  const ffmpeg = resolveFfmpeg(null);
  const ctx = { ffmpeg, logLevel: 'error', platform: process.platform };
  const out: FrameInput[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      await decodeFile(ffmpeg.path, files[i]!, { width, height, resize: 'letterbox', fps: 1 }, ctx, systemClock, (f) => {
        out[i] = { width, height, data: f.data };
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

/**
 * Eval frames packed one after another, cached in `cachePath` so that the
 * dev scripts' iterations skip decoding (about 30 s for the whole set).
 */
export async function packedFrames(files: string[], width: number, height: number, cachePath: string, refresh = false): Promise<Uint8Array> {
  const bytes = width * height * 3;
  if (!refresh && existsSync(cachePath)) {
    const buf = readFileSync(cachePath);
    if (buf.length === files.length * bytes) return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  }
  const t0 = performance.now();
  const frames = await decodeFrames(files.map((f) => path.join(EVAL_ROOT, f)), width, height);
  const all = new Uint8Array(files.length * bytes);
  frames.forEach((f, i) => all.set(f.data, i * bytes));
  process.stderr.write(`decoded ${files.length} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  writeFileSync(cachePath, all);
  return all;
}

export async function loadCache(manifestPath: string, cachePath: string, refresh: boolean): Promise<CachedFrame[]> {
  if (!refresh && existsSync(cachePath)) return JSON.parse(readFileSync(cachePath, 'utf8')) as CachedFrame[];
  const { manifest, posePath, facePath } = readFramingManifest(manifestPath);
  const { width, height } = manifest.input;
  const labels = readLabels();
  const t0 = performance.now();
  const frames = await decodeFrames(labels.map((l) => path.join(EVAL_ROOT, l.file)), width, height);
  process.stderr.write(`decoded ${frames.length} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const runner = await DetectorRunner.open(posePath, facePath, width, height, { executionProviders: ['cpu'], intraOpThreads: 2 }, silentLogger);
  const out: CachedFrame[] = [];
  const t1 = performance.now();
  for (let s = 0; s < frames.length; s += 16) {
    const batch = frames.slice(s, s + 16);
    const active = batch.map(findActiveRect);
    const dets = await runner.detect(batch, active);
    batch.forEach((f, b) => out.push({ ...labels[s + b]!, active: active[b]!, cues: imageCues(f, active[b]!), detections: dets[b]! }));
  }
  process.stderr.write(`detected in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`);
  await runner.dispose();
  writeFileSync(cachePath, JSON.stringify(out));
  return out;
}
