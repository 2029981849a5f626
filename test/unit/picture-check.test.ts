import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activePicture, FLAT_LUMA_STD, noPictureIn } from '../../server/analysis/picture-check.js';

const W = 320, H = 192;

/** A model-size frame whose pixel (x, y) is rgb(x, y). */
function picture(rgb: (x: number, y: number) => [number, number, number]): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(rgb(x, y), (y * W + x) * 3);
  return { data, width: W, height: H };
}

/** Deterministic noise in [-amplitude, amplitude], as a sensor and a codec leave on a flat frame. */
const noise = (x: number, y: number, amplitude: number) => Math.round((((x * 7919 + y * 104729) % 1000) / 1000 - 0.5) * 2 * amplitude);
const clamp = (v: number) => Math.max(0, Math.min(255, v));

describe('no picture', () => {
  test('black, white and one plain colour, with a little noise, are no picture', () => {
    assert.equal(noPictureIn(picture(() => [0, 0, 0])), 'black');
    assert.equal(noPictureIn(picture((x, y) => { const v = clamp(16 + noise(x, y, 3)); return [v, v, v]; })), 'black', 'video black (16) with noise');
    assert.equal(noPictureIn(picture((x, y) => { const v = clamp(235 + noise(x, y, 3)); return [v, v, v]; })), 'white');
    assert.equal(noPictureIn(picture(() => [16, 16, 180])), 'plain', "a converter's blue screen");
    assert.equal(noPictureIn(picture(() => [128, 128, 128])), 'plain');
  });

  test('dark, misty and plain-looking pictures are pictures', () => {
    // A night scene: black but for one small light (a window, a torch).
    assert.equal(noPictureIn(picture((x, y) => (Math.hypot(x - 200, y - 60) < 14 ? [230, 210, 160] : [4, 4, 6]))), null);
    // A dark scene, luma 2-30 across the frame (the flattest film frames of the shared sets have a spread of about 9).
    assert.equal(noPictureIn(picture((x, y) => { const v = 2 + Math.round((28 * (x + y)) / (W + H)); return [v, v, v]; })), null);
    // Fog or an overcast sky: a soft gradient from top to bottom.
    assert.equal(noPictureIn(picture((_x, y) => { const v = 170 + Math.round((30 * y) / H); return [v, v, v + 5]; })), null);
    // A test pattern is a picture (of bars).
    assert.equal(noPictureIn(picture((x) => { const bar = Math.floor((x * 7) / W); return [bar & 1 ? 0 : 191, bar & 2 ? 0 : 191, bar & 4 ? 0 : 191]; })), null);
  });

  test('the line sits between a codec\'s noise and the flattest real picture', () => {
    assert.ok(FLAT_LUMA_STD > 2 && FLAT_LUMA_STD < 8.9);
    // Noise of +-5 levels (a spread of about 3) on black is still black; a spread over the line is a picture.
    assert.equal(noPictureIn(picture((x, y) => { const v = clamp(12 + noise(x, y, 5)); return [v, v, v]; })), 'black');
    assert.equal(noPictureIn(picture((x, y) => { const v = clamp(40 + noise(x, y, 12)); return [v, v, v]; })), null);
  });

  test("one flat colour inside the letterbox's black bars is no picture, whatever the colour and the shape", () => {
    // 16:9 at 320x192: 6 padded rows above and below (videoFilter's pad writes 0); 4:3: 32 padded columns each side.
    const letterboxed = (rgb: [number, number, number]) => picture((_x, y) => (y < 6 || y >= H - 6 ? [0, 0, 0] : rgb));
    const pillarboxed = (rgb: [number, number, number]) => picture((x) => (x < 32 || x >= W - 32 ? [0, 0, 0] : rgb));
    assert.deepEqual(activePicture(letterboxed([126, 126, 126])), { x0: 0, y0: 6, x1: W, y1: H - 6 });
    assert.deepEqual(activePicture(pillarboxed([0, 0, 253])), { x0: 32, y0: 0, x1: W - 32, y1: H });
    assert.equal(noPictureIn(letterboxed([126, 126, 126])), 'plain', 'grey 640x360');
    assert.equal(noPictureIn(letterboxed([0, 0, 253])), 'plain', 'blue 1280x720');
    assert.equal(noPictureIn(pillarboxed([0, 0, 253])), 'plain', 'blue 640x480');
    assert.equal(noPictureIn(letterboxed([235, 235, 235])), 'white');
    assert.equal(noPictureIn(letterboxed([0, 0, 0])), 'black');
  });

  test('a picture inside bars is still a picture, and black at its own edge is picture, not bar', () => {
    const barred = (rgb: (x: number, y: number) => [number, number, number]) => picture((x, y) => (y < 6 || y >= H - 6 ? [0, 0, 0] : rgb(x, y)));
    assert.equal(noPictureIn(barred((x) => { const v = 60 + Math.round((120 * x) / W); return [v, v, v]; })), null);
    // A night sky of pure black over a lit street: the bars stay 6 rows, the sky is picture.
    const sky = picture((_x, y) => (y < 6 || y >= H - 6 ? [0, 0, 0] : y < 80 ? [0, 0, 0] : [120, 110, 90]));
    assert.deepEqual(activePicture(sky), { x0: 0, y0: 6, x1: W, y1: H - 6 });
    assert.equal(noPictureIn(sky), null);
  });

  test('an empty frame is no frame to judge', () => {
    assert.equal(noPictureIn({ data: new Uint8Array(0), width: 0, height: 0 }), null);
  });
});
