/** The spectral scene descriptor on synthetic frames: shape, determinism, frequency content, bar invariance. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SPECTRAL_FEATURE_NAMES, spectralDescriptor } from '../../server/inference/framing/spectral-descriptor.js';

type Frame = { width: number; height: number; data: Uint8Array };
type Fill = (x: number, y: number) => [number, number, number];

function frameWith(width: number, height: number, fill: Fill): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(fill(x, y), (y * width + x) * 3);
  return { width, height, data };
}

/** Deterministic pseudo-random noise (a hash, no state), so tests repeat exactly. */
const noise = (x: number, y: number): number => {
  let h = Math.imul(x * 374761393 + y * 668265263, 1274126177);
  h ^= h >>> 13;
  return (Math.imul(h, 1103515245) >>> 0) / 4294967296;
};

const checker: Fill = (x, y) => (((x >> 1) + (y >> 1)) % 2 ? [200, 190, 180] : [60, 70, 80]);
const noisy: Fill = (x, y) => { const v = 40 + Math.round(noise(x, y) * 180); return [v, v, v]; };
const gradient: Fill = (x, y) => [60 + Math.round(x / 2), 80 + Math.round(y / 2), 120];
/** A scene with some structure at every scale: a smooth ramp, a few blobs and fine noise. */
const scene: Fill = (x, y) => {
  const v = 50 + x * 0.3 + 40 * Math.sin(x / 17) * Math.cos(y / 11) + 30 * noise(x, y);
  return [Math.round(v), Math.round(v * 0.9 + 10), Math.round(v * 0.7 + 20)];
};

const feature = (d: Float32Array, name: string): number => d[SPECTRAL_FEATURE_NAMES.indexOf(name)]!;
/** Share of spectral energy in the two finest octave bands, all orientations. */
const highFrequency = (d: Float32Array): number =>
  SPECTRAL_FEATURE_NAMES.reduce((s, n, i) => (/^spec_b[34]_/.test(n) ? s + Math.exp(d[i]!) : s), 0);

describe('spectral descriptor', () => {
  test('has a fixed length, unique names and finite values, even for a flat or tiny frame', () => {
    assert.equal(new Set(SPECTRAL_FEATURE_NAMES).size, SPECTRAL_FEATURE_NAMES.length);
    assert.ok(SPECTRAL_FEATURE_NAMES.length <= 120);
    for (const frame of [frameWith(320, 192, scene), frameWith(320, 192, () => [0, 0, 0]), frameWith(320, 192, () => [128, 128, 128]), frameWith(5, 4, scene)]) {
      const d = spectralDescriptor(frame);
      assert.equal(d.length, SPECTRAL_FEATURE_NAMES.length);
      assert.ok(d.every(Number.isFinite), `non-finite value in ${Array.from(d)}`);
    }
  });

  test('is deterministic', () => {
    const frame = frameWith(320, 192, scene);
    assert.deepEqual(Array.from(spectralDescriptor(frame)), Array.from(spectralDescriptor(frame)));
  });

  test('fine texture has far more high-frequency energy and a flatter spectrum than a smooth gradient', () => {
    const smooth = spectralDescriptor(frameWith(320, 192, gradient));
    for (const fine of [spectralDescriptor(frameWith(320, 192, checker)), spectralDescriptor(frameWith(320, 192, noisy))]) {
      assert.ok(highFrequency(fine) > 10 * highFrequency(smooth), `high-frequency share ${highFrequency(fine)} vs ${highFrequency(smooth)}`);
      assert.ok(feature(fine, 'spec_slope') < feature(smooth, 'spec_slope') - 1, `slope ${feature(fine, 'spec_slope')} vs ${feature(smooth, 'spec_slope')}`);
    }
    // Not the 2-pixel checker: at the Nyquist limit the 2x2-binned image aliases it.
    assert.ok(feature(spectralDescriptor(frameWith(320, 192, noisy)), 'blur_global') > feature(smooth, 'blur_global') + 0.3);
  });

  test('a sharp centre on a blurred surround reads as shallow depth of field', () => {
    const soft: Fill = (x, y) => { const v = 100 + Math.round(30 * Math.sin(x / 20) * Math.sin(y / 15)); return [v, v, v]; };
    const centred: Fill = (x, y) => (x > 100 && x < 220 && y > 60 && y < 132 ? noisy(x, y) : soft(x, y));
    assert.ok(feature(spectralDescriptor(frameWith(320, 192, centred)), 'blur_centre_surround') > 0.5);
  });

  test('letterbox and pillarbox bars do not change the descriptor of the active picture', () => {
    const content = frameWith(320, 144, scene);
    const letterboxed = frameWith(320, 192, (x, y) => (y < 24 || y >= 168 ? [0, 0, 0] : scene(x, y - 24)));
    const pillared = frameWith(400, 144, (x, y) => (x < 40 || x >= 360 ? [(x + y) % 3 * 6, 0, 0] : scene(x - 40, y)));
    const bare = spectralDescriptor(content);
    for (const framed of [letterboxed, pillared]) {
      const d = spectralDescriptor(framed);
      d.forEach((v, i) => assert.ok(Math.abs(v - bare[i]!) < 1e-5, `${SPECTRAL_FEATURE_NAMES[i]}: ${v} vs ${bare[i]}`));
    }
  });

  test('an explicit active rectangle is honoured', () => {
    const letterboxed = frameWith(320, 192, (x, y) => (y < 24 || y >= 168 ? [0, 0, 0] : scene(x, y - 24)));
    const given = spectralDescriptor(letterboxed, { x0: 0, y0: 24 / 192, x1: 1, y1: 168 / 192 });
    assert.deepEqual(Array.from(given), Array.from(spectralDescriptor(frameWith(320, 144, scene))));
  });
});
