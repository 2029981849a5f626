import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { resolveFfmpeg } from '../../server/ingest/ffmpeg-binary.js';
import { JpegEncoder } from '../../server/shared/jpeg-encoder.js';

/** A picture with smooth gradients, an edge and fine texture. */
function picture(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 255) / Math.max(1, w - 1);
      data[i + 1] = x > w / 2 ? 200 : 40;
      data[i + 2] = 128 + 60 * Math.sin(x / 3 + y / 4);
    }
  }
  return data;
}

function psnr(a: Uint8Array, rgba: Uint8Array): number {
  let se = 0;
  for (let i = 0, j = 0; i < a.length; i += 3, j += 4) for (let c = 0; c < 3; c++) se += (a[i + c]! - rgba[j + c]!) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / a.length));
}

test('JPEG encoder: any size decodes to the same picture, in jpeg-js and in ffmpeg', () => {
  const encoder = new JpegEncoder(80);
  const ffmpeg = resolveFfmpeg(null).path;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shotscale-jpeg-'));
  for (const [w, h] of [[320, 192], [33, 17], [1, 1], [16, 16], [640, 360]] as const) {
    const data = picture(w, h);
    const bytes = encoder.encode(data, w, h);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], 'SOI');
    assert.deepEqual([...bytes.subarray(-2)], [0xff, 0xd9], 'EOI');
    const decoded = jpeg.decode(bytes, { useTArray: true });
    assert.equal(decoded.width, w);
    assert.equal(decoded.height, h);
    // Strong colour detail at 4:2:0 chroma: the worst case for any camera JPEG.
    assert.ok(psnr(data, decoded.data) > 22, `${w}x${h}: PSNR ${psnr(data, decoded.data).toFixed(1)} dB`);
    const file = path.join(dir, `${w}x${h}.jpg`);
    writeFileSync(file, bytes);
    // ffmpeg's own decoder, strict about markers and entropy coding.
    const raw = execFileSync(ffmpeg, ['-v', 'error', '-xerror', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    assert.equal(raw.length, w * h * 3, `${w}x${h} through ffmpeg`);
  }
});

test('JPEG encoder: a grey picture comes back as faithfully as from jpeg-js at the same quality, and smaller', () => {
  const w = 320, h = 192;
  const grey = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) grey.fill(Math.round(128 + 60 * Math.sin(x / 3 + y / 4) + (x > 100 ? 40 : -40)), (y * w + x) * 3, (y * w + x) * 3 + 3);
  const rgba = new Uint8Array(w * h * 4).fill(255);
  for (let i = 0, j = 0; i < grey.length; i += 3, j += 4) rgba.set(grey.subarray(i, i + 3), j);
  const ours = new JpegEncoder(80).encode(grey, w, h);
  const reference = jpeg.encode({ data: rgba, width: w, height: h }, 80).data;
  const oursPsnr = psnr(grey, jpeg.decode(ours, { useTArray: true }).data), referencePsnr = psnr(grey, jpeg.decode(reference, { useTArray: true }).data);
  assert.ok(oursPsnr > referencePsnr - 1, `${oursPsnr.toFixed(1)} dB vs jpeg-js ${referencePsnr.toFixed(1)} dB`);
  assert.ok(ours.length <= reference.length, `${ours.length} bytes vs jpeg-js ${reference.length}`);
});

test('JPEG encoder: quality trades size for fidelity; the buffer is reused, the output is not', () => {
  const data = picture(320, 192);
  const low = new JpegEncoder(30).encode(data, 320, 192);
  const encoder = new JpegEncoder(90);
  const high = encoder.encode(data, 320, 192);
  assert.ok(high.length > low.length * 1.5, `${high.length} vs ${low.length}`);
  assert.ok(psnr(data, jpeg.decode(high, { useTArray: true }).data) > psnr(data, jpeg.decode(low, { useTArray: true }).data) + 3);
  const copy = Uint8Array.from(high);
  encoder.encode(new Uint8Array(320 * 192 * 3), 320, 192);
  assert.deepEqual(high, copy, 'an earlier result is not overwritten by the next encode');
  assert.throws(() => encoder.encode(new Uint8Array(10), 320, 192), RangeError);
});
