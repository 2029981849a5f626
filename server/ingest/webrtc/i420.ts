/**
 * Converts the I420 frames a WebRTC track delivers into what the pipeline
 * reads from ffmpeg for other sources: packed RGB24 at the model's input size
 * (stretched or letterboxed, as `videoFilter` in ../ffmpeg-args.ts does) and
 * the 64x36 grey cut frames (as `cutFrameFilter` in ../../cuts/cut-frames.ts).
 * Pure and synchronous; with a target buffer it allocates nothing per frame
 * (the weight tables and scratch planes are kept between calls, keyed by size).
 *
 * Resize: area averaging (a box filter over the source pixels each output pixel
 * covers, with fractional weights at the edges), separable: rows are summed
 * into one accumulator row per output row, then the accumulator is summed
 * across: about one multiply-add per source sample, 3.5 ms for 720p to
 * 224x224 RGB and 1.1 ms for the 64x36 cut frame on a 2-core dev VM (figures in
 * bench/webrtc-bench.ts's output and the unit test's timing note). Equal to
 * ffmpeg's `scale=...:flags=area+full_chroma_int+accurate_rnd` within one
 * level at 720p; ffmpeg's default for the server (`scale=W:H`: bicubic, chroma
 * at half horizontal resolution in RGB) differs by 2.5-4 levels mean on hard
 * test patterns, as much as ffmpeg's two settings differ from each other.
 *
 * Colour: BT.601 limited range (Y 16-235, chroma 16-240), which is what
 * libwebrtc's encoders and decoders and browsers' camera capture produce and
 * what ffmpeg assumes for untagged yuv420p. Chroma is averaged at its own
 * resolution before the conversion; the conversion is affine, so averaging
 * first and converting after equals converting then averaging (bar clipping).
 */
import { CUT_FRAME } from '../../cuts/cut-frames.js';

export interface I420Frame {
  width: number;
  height: number;
  /** Y (width*height), then U and V (ceil(width/2)*ceil(height/2) each). */
  data: Uint8Array | Uint8ClampedArray;
}

export type I420Resize = 'stretch' | 'letterbox';

export interface RgbOutput {
  width: number;
  height: number;
  resize: I420Resize;
}

const CUT_W = CUT_FRAME.width;
const CUT_H = CUT_FRAME.height;

/** Byte offsets and sizes of the three planes of a width x height I420 frame. */
export function i420Layout(width: number, height: number): { chromaWidth: number; chromaHeight: number; uOffset: number; vOffset: number; bytes: number } {
  const chromaWidth = (width + 1) >> 1;
  const chromaHeight = (height + 1) >> 1;
  const uOffset = width * height;
  const vOffset = uOffset + chromaWidth * chromaHeight;
  return { chromaWidth, chromaHeight, uOffset, vOffset, bytes: vOffset + chromaWidth * chromaHeight };
}

/**
 * Box-filter taps mapping `count` source samples onto `out` samples: output i
 * covers [i*count/out, (i+1)*count/out) and weighs each source sample by the
 * overlap (normalised to sum 1).
 */
interface Taps {
  start: Int32Array;
  /** Offset of output i's first weight in `weights`; length out + 1. */
  offset: Int32Array;
  weights: Float32Array;
}

const tapCache = new Map<string, Taps>();

function boxTaps(count: number, out: number): Taps {
  const key = `${count}:${out}`;
  const cached = tapCache.get(key);
  if (cached) return cached;
  const start = new Int32Array(out);
  const offset = new Int32Array(out + 1);
  const all: number[] = [];
  const step = count / out;
  for (let i = 0; i < out; i++) {
    const a = i * step;
    const b = Math.min((i + 1) * step, count);
    const j0 = Math.min(count - 1, Math.floor(a));
    // Upscaling: an output inside one source sample takes that sample.
    const j1 = Math.max(j0, Math.min(count - 1, Math.ceil(b) - 1));
    start[i] = j0;
    offset[i] = all.length;
    let sum = 0;
    const first = all.length;
    for (let j = j0; j <= j1; j++) {
      const w = Math.max(0, Math.min(j + 1, b) - Math.max(j, a));
      all.push(w);
      sum += w;
    }
    if (sum === 0) {
      all[first] = 1;
      sum = 1;
    }
    for (let k = first; k < all.length; k++) all[k]! /= sum;
  }
  offset[out] = all.length;
  const taps = { start, offset, weights: Float32Array.from(all) };
  // A handful of sizes per process (one per camera resolution and model size); bounded anyway.
  if (tapCache.size > 64) tapCache.clear();
  tapCache.set(key, taps);
  return taps;
}

// Scratch buffers, grown on demand and reused: the functions run synchronously,
// so one set serves every camera.
let rowAcc: Float32Array = new Float32Array(0);
let planeY: Float32Array = new Float32Array(0);
let planeU: Float32Array = new Float32Array(0);
let planeV: Float32Array = new Float32Array(0);

function ensure(buf: Float32Array, n: number): Float32Array {
  return buf.length >= n ? buf : new Float32Array(Math.max(n, buf.length * 2));
}

/**
 * Area-averages one plane (stride = srcW) into `dst` (outW x outH, stride outW).
 * Vertical pass first, so the inner loop runs along contiguous source rows.
 */
function resizePlane(src: Uint8Array | Uint8ClampedArray, srcOffset: number, srcW: number, srcH: number, dst: Float32Array, outW: number, outH: number): void {
  const tx = boxTaps(srcW, outW);
  const ty = boxTaps(srcH, outH);
  rowAcc = ensure(rowAcc, srcW);
  const acc = rowAcc;
  const { start: xs, offset: xo, weights: xw } = tx;
  const { start: ys, offset: yo, weights: yw } = ty;
  for (let oy = 0; oy < outH; oy++) {
    const k0 = yo[oy]!;
    const k1 = yo[oy + 1]!;
    let row = srcOffset + ys[oy]! * srcW;
    let w = yw[k0]!;
    for (let x = 0; x < srcW; x++) acc[x] = src[row + x]! * w;
    for (let k = k0 + 1; k < k1; k++) {
      row += srcW;
      w = yw[k]!;
      for (let x = 0; x < srcW; x++) acc[x]! += src[row + x]! * w;
    }
    const o = oy * outW;
    for (let ox = 0; ox < outW; ox++) {
      const j0 = xo[ox]!;
      const j1 = xo[ox + 1]!;
      let s = 0;
      for (let j = j0, x = xs[ox]!; j < j1; j++, x++) s += acc[x]! * xw[j]!;
      dst[o + ox] = s;
    }
  }
}

function checkFrame(frame: I420Frame): ReturnType<typeof i420Layout> {
  const { width, height, data } = frame;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new RangeError(`bad I420 frame size ${width}x${height}`);
  const layout = i420Layout(width, height);
  if (data.length < layout.bytes) throw new RangeError(`I420 frame ${width}x${height} needs ${layout.bytes} bytes, got ${data.length}`);
  return layout;
}

/** The target itself when it has the exact size (no allocation); a view on its start when larger. */
function targetFor(target: Uint8Array | undefined, bytes: number): Uint8Array {
  if (!target) return new Uint8Array(bytes);
  if (target.length < bytes) throw new RangeError(`target buffer holds ${target.length} bytes, needs ${bytes}`);
  return target.length === bytes ? target : target.subarray(0, bytes);
}

/**
 * The picture's size inside the output, as ffmpeg's
 * `scale=W:H:force_original_aspect_ratio=decrease,pad=W:H:(ow-iw)/2:(oh-ih)/2`
 * places it: the other side is rescaled with rounding to nearest
 * (av_rescale), the offsets are the halves rounded down.
 */
export function letterboxRect(srcW: number, srcH: number, outW: number, outH: number): { x: number; y: number; width: number; height: number } {
  const width = Math.max(1, Math.min(outW, Math.round((outH * srcW) / srcH)));
  const height = Math.max(1, Math.min(outH, Math.round((outW * srcH) / srcW)));
  return { x: Math.floor((outW - width) / 2), y: Math.floor((outH - height) / 2), width, height };
}

// BT.601 limited range to full-range RGB (the coefficients ffmpeg's swscale and
// libyuv's I420ToARGB use, to about 1/1000).
const KY = 255 / 219;
const KR_V = (255 / 224) * 1.402;
const KG_U = (255 / 224) * 1.772 * (0.114 / 0.587);
const KG_V = (255 / 224) * 1.402 * (0.299 / 0.587);
const KB_U = (255 / 224) * 1.772;

/**
 * I420 to packed RGB24 at the model input size (out.width*out.height*3 bytes),
 * written into `target` when given (no allocation), else into a new array.
 */
export function i420ToRgb(frame: I420Frame, out: RgbOutput, target?: Uint8Array): Uint8Array {
  const layout = checkFrame(frame);
  const { width: W, height: H } = out;
  if (!(Number.isInteger(W) && Number.isInteger(H) && W > 0 && H > 0)) throw new RangeError(`bad output size ${W}x${H}`);
  const rgb = targetFor(target, W * H * 3);
  const rect = out.resize === 'letterbox' ? letterboxRect(frame.width, frame.height, W, H) : { x: 0, y: 0, width: W, height: H };
  const n = rect.width * rect.height;
  planeY = ensure(planeY, n);
  planeU = ensure(planeU, n);
  planeV = ensure(planeV, n);
  const py = planeY;
  const pu = planeU;
  const pv = planeV;
  const { data, width: sw, height: sh } = frame;
  resizePlane(data, 0, sw, sh, py, rect.width, rect.height);
  // The chroma planes span the whole picture, also when an odd size leaves the
  // last sample half used: what swscale and libyuv assume (checked against ffmpeg).
  resizePlane(data, layout.uOffset, layout.chromaWidth, layout.chromaHeight, pu, rect.width, rect.height);
  resizePlane(data, layout.vOffset, layout.chromaWidth, layout.chromaHeight, pv, rect.width, rect.height);
  if (rect.width !== W || rect.height !== H) rgb.fill(0, 0, W * H * 3);
  for (let y = 0; y < rect.height; y++) {
    let o = ((y + rect.y) * W + rect.x) * 3;
    const p0 = y * rect.width;
    for (let x = 0; x < rect.width; x++) {
      const p = p0 + x;
      const yy = (py[p]! - 16) * KY;
      const u = pu[p]! - 128;
      const v = pv[p]! - 128;
      // Uint8Array stores truncate, so + 0.5 and a clamp round to nearest.
      const r = yy + KR_V * v + 0.5;
      const g = yy - KG_U * u - KG_V * v + 0.5;
      const b = yy + KB_U * u + 0.5;
      rgb[o++] = r < 0 ? 0 : r > 255 ? 255 : r;
      rgb[o++] = g < 0 ? 0 : g > 255 ? 255 : g;
      rgb[o++] = b < 0 ? 0 : b > 255 ? 255 : b;
    }
  }
  return rgb;
}

/**
 * I420 to the 64x36 grey cut frame: the Y plane area-averaged and stretched,
 * then expanded from limited to full range, as ffmpeg's
 * `scale=64:36:flags=area,format=gray` does (its gray8 is full range: Y 16
 * becomes 0 and Y 235 becomes 255, checked against ffmpeg 5.1).
 */
export function i420ToCutFrame(frame: I420Frame, target?: Uint8Array): Uint8Array {
  checkFrame(frame);
  const out = targetFor(target, CUT_W * CUT_H);
  planeY = ensure(planeY, CUT_W * CUT_H);
  const py = planeY;
  resizePlane(frame.data, 0, frame.width, frame.height, py, CUT_W, CUT_H);
  for (let i = 0; i < CUT_W * CUT_H; i++) {
    const g = (py[i]! - 16) * KY + 0.5;
    out[i] = g < 0 ? 0 : g > 255 ? 255 : g;
  }
  return out;
}
