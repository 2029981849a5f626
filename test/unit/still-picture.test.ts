import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StillPictureWatch } from '../../server/analysis/still-picture.js';

const W = 320, H = 192;
/** A model-size frame: a gradient, moved along by `shift`, with `noise` flipping one pixel in a hundred by one level (a live sensor on a still scene). */
function frame(captureTime: number, options: { cameraId?: string; noise?: number; shift?: number; session?: number } = {}) {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = (((i / 3) | 0) % W + (options.shift ?? 0)) % 256;
  if (options.noise !== undefined) for (let p = options.noise % 100; p < W * H; p += 100) data[p * 3]! ^= 1;
  return { cameraId: options.cameraId ?? 'a', session: options.session ?? 1, data, width: W, height: H, captureTime };
}

describe('still picture', () => {
  test('identical frames: unchanged since the first of them; a moving picture starts again', () => {
    const watch = new StillPictureWatch();
    assert.equal(watch.observe(frame(0)), null, 'a first frame has nothing to match');
    assert.equal(watch.observe(frame(200)), 0);
    assert.equal(watch.observe(frame(400)), 0);
    assert.equal(watch.observe(frame(600)), 0);
    assert.equal(watch.observe(frame(800, { shift: 60 })), 800, 'a moving picture');
    assert.equal(watch.observe(frame(1000, { shift: 60 })), 800);
    assert.equal(watch.observe(frame(1200, { shift: 60 })), 800);
  });

  test('a live sensor on a still scene changes from frame to frame, through a stutter too; cameras are apart', () => {
    const watch = new StillPictureWatch();
    const seen: (number | null)[] = [];
    for (let t = 0; t < 10; t++) seen.push(watch.observe(frame(t * 200, { noise: t === 5 ? 4 * 7 : t * 7 })));
    // Frame 5 repeats frame 4 (the source stuttered): that pair is unchanged, and no more.
    assert.deepEqual(seen, [null, 200, 400, 600, 800, 800, 1200, 1400, 1600, 1800]);
    assert.equal(watch.observe(frame(0, { cameraId: 'b' })), null, 'camera b starts afresh');
    watch.forget('a');
    assert.equal(watch.observe(frame(2000, { noise: 63 })), null, 'forgotten');
  });

  test('a restarted source starts a new run: the same frame before and after an outage is not one still picture', () => {
    const watch = new StillPictureWatch();
    watch.observe(frame(0));
    watch.observe(frame(200));
    assert.equal(watch.observe(frame(400)), 0);
    // ffmpeg restarted (session 2) 30 s later, the capture card still holding the same frame.
    assert.equal(watch.observe(frame(30_000, { session: 2 })), null, 'the first frame of the new session');
    assert.equal(watch.observe(frame(30_200, { session: 2 })), 30_000);
  });

  test('a clock set back: the run counts from the earlier time, never from one still to come', () => {
    const watch = new StillPictureWatch();
    watch.observe(frame(3_600_000));
    watch.observe(frame(3_600_200));
    assert.equal(watch.observe(frame(3_600_400)), 3_600_000);
    // NTP steps the clock back an hour.
    assert.equal(watch.observe(frame(400)), 400);
    assert.equal(watch.observe(frame(600)), 400);
  });

  test('a frame of another size starts a new run', () => {
    const watch = new StillPictureWatch();
    for (const t of [0, 200, 400]) watch.observe(frame(t));
    const small = { cameraId: 'a', session: 1, data: new Uint8Array(160 * 96 * 3), width: 160, height: 96, captureTime: 600 };
    assert.equal(watch.observe(small), 600);
  });
});

describe('still picture, a run that rests only once', () => {
  test('a live picture that stutters after a long unmoved stretch is unchanged since the repeated frame, not since the stretch began', () => {
    const watch = new StillPictureWatch();
    // A minute of a still scene with a live sensor (unmoved, never at rest), then one repeated frame.
    for (let t = 0; t < 300; t++) watch.observe(frame(t * 200, { noise: t * 7 }));
    assert.equal(watch.observe(frame(60_000, { noise: 299 * 7 })), 59_800);
    assert.equal(watch.observe(frame(60_200, { noise: 301 * 7 })), 60_200);
  });
});
