/**
 * SourcePace on frames made in memory: ffmpeg's repeats of a slow source's
 * pictures (the same bytes, in one burst) are told apart from pictures the
 * source sent, and a source that kept up once is not called slower when it
 * falls behind (a degraded camera, which Health must go on flagging).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameRateMeter } from '../../server/ingest/frame-rate-meter.js';
import { isRepeat, SourcePace } from '../../server/ingest/source-pace.js';

const picture = (n: number) => new Uint8Array(64).fill(n);

/** Plays one second of a source sending `perSecond` pictures, each repeated by ffmpeg to fill 5 fps in a burst at the next one. */
function playSecond(pace: SourcePace, rate: FrameRateMeter, startMs: number, perSecond: number, first: number, liveAt: number): number {
  const frames: { data: Uint8Array; at: number }[] = [];
  for (let k = 0; k < perSecond; k++) {
    const at = startMs + (k * 1000) / perSecond;
    // A picture, then its repeats written 2 ms apart (the burst), as the fps filter hands them on.
    const repeats = Math.max(0, Math.round(5 / perSecond) - 1);
    frames.push({ data: picture(first + k), at });
    for (let r = 1; r <= repeats; r++) frames.push({ data: picture(first + k), at: at + 2 * r });
  }
  let passed = 0;
  for (const { data, at } of frames) {
    if (!pace.frame(data, at)) continue;
    passed += 1;
    rate.frame(at);
    pace.counted(rate, at, liveAt);
  }
  return passed;
}

describe('SourcePace', () => {
  test('isRepeat: the same bytes within half an interval; a frozen picture an interval apart is news', () => {
    const a = picture(1);
    assert.equal(isRepeat({ data: a, at: 0 }, picture(1), 10, 5), true);
    assert.equal(isRepeat({ data: a, at: 0 }, picture(2), 10, 5), false);
    assert.equal(isRepeat({ data: a, at: 0 }, picture(1), 200, 5), false);
  });

  test('a 1 fps source analysed at 5: one picture a second passed on, called slower', () => {
    const pace = new SourcePace(() => 5);
    const rate = new FrameRateMeter();
    let passed = 0;
    for (let s = 0; s < 10; s++) passed += playSecond(pace, rate, s * 1000, 1, s, 0);
    assert.equal(passed, 10);
    assert.equal(pace.sourceSlower, true);
  });

  test('a source that kept up, then falls to a picture a second, is not called slower (Health says it receives less)', () => {
    const pace = new SourcePace(() => 5);
    const rate = new FrameRateMeter();
    for (let s = 0; s < 8; s++) playSecond(pace, rate, s * 1000, 5, s * 5, 0);
    assert.equal(pace.sourceSlower, false);
    for (let s = 8; s < 16; s++) playSecond(pace, rate, s * 1000, 1, 100 + s, 0);
    assert.equal(pace.sourceSlower, false, 'degraded, not slow by nature');
    // A reconnect of the degraded camera is still no slow source.
    pace.restart();
    for (let s = 16; s < 20; s++) playSecond(pace, rate, s * 1000, 1, 200 + s, 16_000);
    assert.equal(pace.sourceSlower, false);
  });
});
