/**
 * Activation ranges for static quantization: the float graph run on
 * calibration frames with every tensor to be quantized exposed as an output,
 * and each tensor's range taken over all frames (min of the minima, max of
 * the maxima). The frames are the demo reel's (media/demo), decoded as a
 * camera's frames are, so the ranges are those of real footage; its stored
 * rasters are read as square pixels (the selfie squeezed), as when the
 * shipped int8 model was made and measured, so that it regenerates byte for
 * byte. The ranges are of activations over whole frames: a frame widened to
 * its display shape moves them little, and a new calibration would be a new
 * model, to be measured again with `shotscale eval`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeFile } from '../../ingest/file-decoder.js';
import { resolveFfmpeg } from '../../ingest/ffmpeg-binary.js';
import { systemClock } from '../../shared/clock.js';
import { encodeModel, type OnnxGraphBuilder } from '../onnx/onnx-builder.js';
import { OnnxDataType } from '../onnx/onnx-schema.js';
import type { TensorRange } from './qdq-quantize.js';

/** RGB24 frames at width x height (letterboxed), `fps` of every video in `dir`, in name order. */
export async function calibrationFrames(dir: string, width: number, height: number, fps: number): Promise<Uint8Array[]> {
  const ffmpeg = resolveFfmpeg(null);
  const ctx = { ffmpeg, logLevel: 'error', platform: process.platform };
  const frames: Uint8Array[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.(mp4|mkv|mov|webm)$/i.test(f)).sort()) {
    await decodeFile(ffmpeg.path, path.join(dir, file), { width, height, resize: 'letterbox', fps, storedRaster: true }, ctx, systemClock, (f) => frames.push(Uint8Array.from(f.data)));
  }
  if (!frames.length) throw new Error(`no calibration video in ${dir}`);
  return frames;
}

/** Range of each of `tensors` over `frames` (NHWC uint8 in, fed as float 0..255 like the pipeline feeds). */
export async function activationRanges(g: OnnxGraphBuilder, tensors: readonly string[], frames: readonly Uint8Array[], shape: [number, number, number]): Promise<Map<string, TensorRange>> {
  const extra = tensors.filter((t) => !g.outputs.some((o) => o.name === t));
  for (const t of extra) g.addOutput(t, OnnxDataType.FLOAT, null);
  let bytes: Uint8Array;
  try {
    bytes = encodeModel(g);
  } finally {
    g.outputs.splice(g.outputs.length - extra.length, extra.length);
  }
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' });
  const ranges = new Map<string, TensorRange>(tensors.map((t) => [t, { min: Infinity, max: -Infinity }]));
  try {
    const input = g.inputs[0]!.name;
    for (const frame of frames) {
      const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(frame), [1, ...shape]) }, [...tensors]);
      for (const t of tensors) {
        const r = ranges.get(t)!, data = out[t]!.data as Float32Array;
        for (let i = 0; i < data.length; i++) {
          const v = data[i]!;
          if (v < r.min) r.min = v;
          if (v > r.max) r.max = v;
        }
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}
