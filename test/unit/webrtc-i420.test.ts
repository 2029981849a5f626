/**
 * The I420 conversions for WebRTC cameras against ffmpeg converting the same
 * raw yuv420p frame with the filters the server gives ffmpeg cameras, so a
 * picture reaches the model (and the cut detector) alike whichever way it came.
 *
 * Tolerances, and why they are not 0:
 * - Against the server's own filter (`scale=W:H`, swscale's default bicubic),
 *   mean |diff| <= 5 levels. Two choices of ffmpeg's differ from ours: bicubic
 *   instead of an area average (sharper, with ringing at edges), and for packed
 *   RGB output swscale computes chroma at half the horizontal resolution unless
 *   asked for full_chroma_int. Measured 2.5 to 4.0 on these test patterns,
 *   whose hard colour edges are the worst case; ffmpeg's default and ffmpeg's
 *   own area+full_chroma_int differ by as much (4.0 mean on testsrc2 720p).
 * - Against ffmpeg doing what we do (`flags=area+full_chroma_int+accurate_rnd`):
 *   mean <= 0.05 and max <= 1 at 720p (rounding only), mean <= 0.5 at odd sizes
 *   (swscale's 14-bit filter coefficients and its taps at a ragged last
 *   source pixel; measured 0.03 to 0.16).
 * - Cut frames against `scale=64:36:flags=area,format=gray`: max <= 1 level
 *   (fixed-point against floating-point rounding), mean <= 0.6.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { CUT_FRAME, CUT_FRAME_BYTES, cutFrameFilter } from '../../server/cuts/cut-frames.js';
import { videoFilter } from '../../server/ingest/ffmpeg-args.js';
import { i420Layout, i420ToCutFrame, i420ToRgb, letterboxRect, type I420Frame } from '../../server/ingest/webrtc/i420.js';
import { tempDir } from '../support/media.js';

const MODEL = { width: 224, height: 224 };

interface RawFrame extends I420Frame {
  file: string;
  name: string;
}

function ffmpeg(args: string[]): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** One frame of an ffmpeg pattern, resized (lanczos) to an exact size, as raw yuv420p. */
function rawFrame(dir: string, pattern: string, width: number, height: number): RawFrame {
  const data = ffmpeg(['-f', 'lavfi', '-i', `${pattern}=size=1280x720:rate=25`, '-frames:v', '1', '-vf', `scale=${width}:${height}:flags=lanczos,format=yuv420p`, '-f', 'rawvideo', 'pipe:1']);
  const file = path.join(dir, `${pattern}-${width}x${height}.yuv`);
  writeFileSync(file, data);
  return { name: `${pattern} ${width}x${height}`, file, width, height, data: new Uint8Array(data) };
}

/** ffmpeg converting the raw frame with a video filter, as the server runs it for ffmpeg cameras. */
function ffmpegConvert(frame: RawFrame, filter: string, pixFmt: 'rgb24' | 'gray'): Uint8Array {
  return new Uint8Array(ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${frame.width}x${frame.height}`, '-i', frame.file, '-vf', filter, '-pix_fmt', pixFmt, '-f', 'rawvideo', 'pipe:1']));
}

function diff(a: Uint8Array, b: Uint8Array, pick: (i: number) => boolean = () => true): { mean: number; max: number } {
  assert.equal(a.length, b.length, 'sizes differ');
  let sum = 0;
  let n = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    if (!pick(i)) continue;
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    n++;
    if (d > max) max = d;
  }
  return { mean: sum / n, max };
}

const fmt = (d: { mean: number; max: number }) => `mean ${d.mean.toFixed(2)}, max ${d.max}`;

/** The picture's rectangle in a letterboxed RGB frame whose bars are magenta. */
function barsRect(rgb: Uint8Array, width: number, height: number): { x: number; y: number; width: number; height: number } {
  const isBar = (x: number, y: number) => rgb[(y * width + x) * 3] === 255 && rgb[(y * width + x) * 3 + 1] === 0 && rgb[(y * width + x) * 3 + 2] === 255;
  const rowIsBar = (y: number) => Array.from({ length: width }, (_, x) => x).every((x) => isBar(x, y));
  const colIsBar = (x: number) => Array.from({ length: height }, (_, y) => y).every((y) => isBar(x, y));
  let y0 = 0;
  while (y0 < height && rowIsBar(y0)) y0++;
  let y1 = height;
  while (y1 > y0 && rowIsBar(y1 - 1)) y1--;
  let x0 = 0;
  while (x0 < width && colIsBar(x0)) x0++;
  let x1 = width;
  while (x1 > x0 && colIsBar(x1 - 1)) x1--;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function i420Uniform(width: number, height: number, y: number, u: number, v: number): I420Frame {
  const layout = i420Layout(width, height);
  const data = new Uint8Array(layout.bytes);
  data.fill(y, 0, layout.uOffset);
  data.fill(u, layout.uOffset, layout.vOffset);
  data.fill(v, layout.vOffset);
  return { width, height, data };
}

describe('I420 conversion for WebRTC frames', () => {
  let frames: RawFrame[];

  before(() => {
    const dir = tempDir('shotscale-i420-');
    frames = [rawFrame(dir, 'testsrc2', 1280, 720), rawFrame(dir, 'mandelbrot', 1280, 720), rawFrame(dir, 'testsrc2', 641, 359), rawFrame(dir, 'mandelbrot', 641, 359), rawFrame(dir, 'testsrc2', 359, 641)];
  });

  test('plane layout follows WebRTC and ffmpeg for odd sizes (chroma rounded up)', () => {
    assert.deepEqual(i420Layout(641, 359), { chromaWidth: 321, chromaHeight: 180, uOffset: 641 * 359, vOffset: 641 * 359 + 321 * 180, bytes: 641 * 359 + 2 * 321 * 180 });
    for (const f of frames) assert.equal(f.data.length, i420Layout(f.width, f.height).bytes, `${f.name}: ffmpeg's raw frame size`);
  });

  test('BT.601 limited range: black, white, red and grey come out as ffmpeg and browsers show them', () => {
    const rgb = (y: number, u: number, v: number) => Array.from(i420ToRgb(i420Uniform(8, 8, y, u, v), { width: 2, height: 2, resize: 'stretch' }).subarray(0, 3));
    assert.deepEqual(rgb(16, 128, 128), [0, 0, 0]);
    assert.deepEqual(rgb(235, 128, 128), [255, 255, 255]);
    assert.deepEqual(rgb(126, 128, 128), [128, 128, 128]);
    const red = rgb(81, 90, 240);
    assert.ok(red[0]! >= 253 && red[1]! <= 2 && red[2]! <= 2, `red: ${red.join(',')}`);
    assert.deepEqual(Array.from(i420ToCutFrame(i420Uniform(64, 36, 16, 128, 128)).subarray(0, 2)), [0, 0], 'gray8 is full range: Y 16 is 0');
    assert.deepEqual(Array.from(i420ToCutFrame(i420Uniform(64, 36, 235, 128, 128)).subarray(0, 2)), [255, 255], 'Y 235 is 255');
  });

  test('stretch: RGB24 at the model size, close to the ffmpeg filter the server uses', () => {
    const filter = videoFilter({ ...MODEL, fps: null, resize: 'stretch' });
    for (const f of frames) {
      const ours = i420ToRgb(f, { ...MODEL, resize: 'stretch' });
      assert.equal(ours.length, MODEL.width * MODEL.height * 3);
      const d = diff(ours, ffmpegConvert(f, filter, 'rgb24'));
      assert.ok(d.mean <= 5, `${f.name} vs "${filter}": ${fmt(d)}`);
    }
  });

  test('stretch: equal to ffmpeg doing an area average with full-resolution chroma, bar rounding', () => {
    const filter = `scale=${MODEL.width}:${MODEL.height}:flags=area+full_chroma_int+accurate_rnd`;
    for (const f of frames) {
      const d = diff(i420ToRgb(f, { ...MODEL, resize: 'stretch' }), ffmpegConvert(f, filter, 'rgb24'));
      const exactRatio = f.width % 2 === 0 && f.height % 2 === 0;
      if (exactRatio) assert.ok(d.mean <= 0.05 && d.max <= 1, `${f.name}: ${fmt(d)}`);
      else assert.ok(d.mean <= 0.5, `${f.name}: ${fmt(d)}`);
    }
  });

  test('letterbox: the picture where ffmpeg scale+pad puts it, black bars, close to ffmpeg', () => {
    const filter = videoFilter({ ...MODEL, fps: null, resize: 'letterbox' });
    assert.match(filter, /:black$/);
    for (const f of frames) {
      const rect = letterboxRect(f.width, f.height, MODEL.width, MODEL.height);
      assert.deepEqual(barsRect(ffmpegConvert(f, filter.replace(/:black$/, ':0xFF00FF'), 'rgb24'), MODEL.width, MODEL.height), rect, `${f.name}: the picture's place`);
      const ours = i420ToRgb(f, { ...MODEL, resize: 'letterbox' });
      const ref = ffmpegConvert(f, filter, 'rgb24');
      const inside = (i: number) => {
        const p = Math.floor(i / 3);
        const x = p % MODEL.width;
        const y = Math.floor(p / MODEL.width);
        return x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
      };
      assert.ok(ours.every((v, i) => inside(i) || v === 0), `${f.name}: bars are black`);
      assert.ok(ref.every((v, i) => inside(i) || v === 0), `${f.name}: ffmpeg's bars are black too`);
      const d = diff(ours, ref, inside);
      assert.ok(d.mean <= 5, `${f.name} vs "${filter}": ${fmt(d)}`);
    }
    // 16:9 into a square: a band across the middle; 9:16: a band down the middle.
    assert.deepEqual(letterboxRect(1280, 720, 224, 224), { x: 0, y: 49, width: 224, height: 126 });
    assert.deepEqual(letterboxRect(359, 641, 224, 224), { x: 49, y: 0, width: 125, height: 224 });
  });

  test('cut frames: 64x36 grey, equal to ffmpeg scale=64:36:flags=area,format=gray within a level', () => {
    const filter = cutFrameFilter(null);
    for (const f of frames) {
      const ours = i420ToCutFrame(f);
      assert.equal(ours.length, CUT_FRAME_BYTES);
      assert.equal(CUT_FRAME_BYTES, CUT_FRAME.width * CUT_FRAME.height);
      const d = diff(ours, ffmpegConvert(f, filter, 'gray'));
      assert.ok(d.max <= 1 && d.mean <= 0.6, `${f.name} vs "${filter}": ${fmt(d)}`);
    }
  });

  test('target buffers are filled in place; WebRTC Uint8ClampedArray frames convert the same', () => {
    const f = frames[0]!;
    const clamped: I420Frame = { width: f.width, height: f.height, data: new Uint8ClampedArray(f.data) };
    const rgbTarget = new Uint8Array(MODEL.width * MODEL.height * 3).fill(7);
    assert.equal(i420ToRgb(clamped, { ...MODEL, resize: 'letterbox' }, rgbTarget), rgbTarget);
    assert.deepEqual(rgbTarget, i420ToRgb(f, { ...MODEL, resize: 'letterbox' }), 'bars overwritten, picture equal');
    const cutTarget = new Uint8Array(CUT_FRAME_BYTES);
    assert.equal(i420ToCutFrame(clamped, cutTarget), cutTarget);
    assert.deepEqual(cutTarget, i420ToCutFrame(f));
    const roomy = new Uint8Array(CUT_FRAME_BYTES + 100);
    assert.equal(i420ToCutFrame(f, roomy).length, CUT_FRAME_BYTES, 'a larger target: its start, at the exact size');
    assert.throws(() => i420ToRgb(f, { ...MODEL, resize: 'stretch' }, new Uint8Array(10)), RangeError);
    assert.throws(() => i420ToCutFrame({ width: 64, height: 36, data: new Uint8Array(100) }), RangeError);
    assert.throws(() => i420ToRgb({ width: 0, height: 36, data: new Uint8Array(100) }, { ...MODEL, resize: 'stretch' }), RangeError);
  });

  test('timing note (not asserted): ms per 720p frame', (t) => {
    const f = frames[0]!;
    const rgb = new Uint8Array(MODEL.width * MODEL.height * 3);
    const cut = new Uint8Array(CUT_FRAME_BYTES);
    const time = (fn: () => void) => {
      for (let i = 0; i < 20; i++) fn();
      const n = 100;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      return ((performance.now() - t0) / n).toFixed(2);
    };
    const stretch = time(() => i420ToRgb(f, { ...MODEL, resize: 'stretch' }, rgb));
    const letterbox = time(() => i420ToRgb(f, { ...MODEL, resize: 'letterbox' }, rgb));
    const cutMs = time(() => i420ToCutFrame(f, cut));
    t.diagnostic(`1280x720 -> 224x224 RGB stretch ${stretch} ms, letterbox ${letterbox} ms; -> 64x36 cut frame ${cutMs} ms`);
  });
});
