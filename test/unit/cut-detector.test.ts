/**
 * The cut detector on frames made in memory, so every cut, dissolve, fade,
 * flash and gap sits at a known frame: smooth random textures (a few random
 * waves, which survive the detector's 16x9 grid), camera noise, pans.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CUT_FRAME, CUT_FRAME_BYTES, CutDetector, DEFAULT_CUT_SETTINGS, cutFrameFilter, type CutDetectorSettings, type CutEvent } from '../../server/cuts/cut-detector.js';
import { describeFrame } from '../../server/cuts/frame-features.js';
import { seededRandom } from '../../server/shared/seeded-random.js';

const { width: W, height: H } = CUT_FRAME;
const FPS = 25;

const random = seededRandom;

/** A picture as a function of position, so it can be shifted by fractions of a pixel (pans). */
type Picture = (x: number, y: number) => number;

function texture(seed: number): Picture {
  const rnd = random(seed);
  const waves = Array.from({ length: 6 }, () => ({
    fx: (rnd() * 3 + 0.3) / W,
    fy: (rnd() * 2.5 + 0.3) / H,
    phase: rnd() * Math.PI * 2,
    amp: 15 + rnd() * 20,
  }));
  const base = 90 + rnd() * 70;
  return (x, y) => base + waves.reduce((v, w) => v + w.amp * Math.sin(2 * Math.PI * (w.fx * x + w.fy * y) + w.phase), 0);
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** Renders a picture into a cut frame with camera noise (about +-3 levels). */
function render(picture: Picture, options: { shiftX?: number; noiseSeed?: number; map?: (v: number) => number } = {}): Uint8Array {
  const frame = new Uint8Array(CUT_FRAME_BYTES);
  const rnd = random(options.noiseSeed ?? 1);
  const map = options.map ?? ((v: number) => v);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) frame[y * W + x] = clamp(map(picture(x + (options.shiftX ?? 0), y)) + (rnd() - 0.5) * 6);
  }
  return frame;
}

const mix = (a: Picture, b: Picture, alpha: number): Picture => (x, y) => (1 - alpha) * a(x, y) + alpha * b(x, y);
const scaled = (a: Picture, gain: number): Picture => (x, y) => 16 + (a(x, y) - 16) * gain;

/** A stream of frames: one entry per frame, index = position unless given. */
interface Clip {
  frames: Uint8Array[];
  indices?: number[];
}

/** `length` frames of a picture panning `pan` pixels a frame, starting `start` frames into the pan. */
function shot(picture: Picture, length: number, seed: number, pan = 0, start = 0): Uint8Array[] {
  return Array.from({ length }, (_, i) => render(picture, { shiftX: (start + i) * pan, noiseSeed: seed * 1000 + i }));
}

interface Run {
  events: CutEvent[];
  /** Largest distance between the newest frame and decidedThrough. */
  maxLag: number;
}

/** Pushes a clip through a detector, checking the streaming contract on the way. */
function run(clip: Clip, settings: Partial<CutDetectorSettings> = {}, detector = new CutDetector(FPS, settings)): Run {
  const events: CutEvent[] = [];
  let decided = detector.decidedThrough;
  let maxLag = 0;
  const check = (found: CutEvent[]) => {
    for (const e of found) {
      assert.ok(e.frame > decided, `cut at ${e.frame} reported after decidedThrough had reached ${decided}`);
      assert.ok(e.frame <= detector.decidedThrough, `cut at ${e.frame} reported before decidedThrough reached it`);
      assert.ok(e.frame > (events.at(-1)?.frame ?? -1), 'cuts come in frame order');
      assert.ok(e.startFrame <= e.frame && e.frame <= e.endFrame, `frame ${e.frame} outside its transition ${e.startFrame}..${e.endFrame}`);
      if (e.kind === 'hard') assert.ok(e.startFrame === e.frame && e.endFrame === e.frame);
    }
    events.push(...found);
  };
  clip.frames.forEach((frame, i) => {
    const index = clip.indices?.[i] ?? i;
    check(detector.push(frame, index));
    assert.ok(detector.decidedThrough >= decided, 'decidedThrough went back');
    assert.ok(detector.decidedThrough < index + 1);
    decided = detector.decidedThrough;
    maxLag = Math.max(maxLag, index - decided);
  });
  check(detector.flush());
  assert.equal(detector.decidedThrough, clip.indices?.at(-1) ?? clip.frames.length - 1, 'after flush everything is decided');
  return { events, maxLag };
}

const A = texture(11);
const B = texture(22);
const C = texture(33);
/** Hard cuts are reported within the flash filter's lookahead: 0.2 s, 5 frames at 25 fps. */
const HARD_LAG = 5;

describe('cut frames', () => {
  test('64x36 grey, and the ffmpeg filter that makes them', () => {
    assert.equal(CUT_FRAME_BYTES, CUT_FRAME.width * CUT_FRAME.height);
    assert.equal(cutFrameFilter(25), 'fps=25,scale=64:36:flags=area,format=gray');
    assert.equal(cutFrameFilter(null), 'scale=64:36:flags=area,format=gray');
    assert.equal(cutFrameFilter(29.97), 'fps=29.970,scale=64:36:flags=area,format=gray');
    assert.throws(() => cutFrameFilter(0), RangeError);
  });

  test('a frame of the wrong size is refused', () => {
    assert.throws(() => new CutDetector(FPS).push(new Uint8Array(CUT_FRAME_BYTES - 1), 0), RangeError);
  });
});

describe('hard cuts', () => {
  test('a cut between two textures is reported at its first frame, within the lookahead', () => {
    const { events, maxLag } = run({ frames: [...shot(A, 40, 1), ...shot(B, 40, 2)] });
    assert.deepEqual(events.map((e) => [e.kind, e.frame, e.startFrame, e.endFrame]), [['hard', 40, 40, 40]]);
    assert.ok(events[0]!.score >= DEFAULT_CUT_SETTINGS.adaptiveRatio);
    assert.ok(maxLag <= HARD_LAG, `lag ${maxLag}`);
  });

  test('the cut is reported by the push of the frame one lookahead after it', () => {
    const detector = new CutDetector(FPS);
    const frames = [...shot(A, 30, 1), ...shot(B, 20, 2)];
    const reportedAt = frames.findIndex((f, i) => detector.push(f, i).length > 0);
    assert.equal(reportedAt, 30 + HARD_LAG);
  });

  test('a still picture and a slow pan have no cut', () => {
    assert.deepEqual(run({ frames: shot(A, 120, 1) }).events, []);
    assert.deepEqual(run({ frames: shot(B, 150, 3, 0.4) }).events, []);
  });

  test('a whip pan (3 px a frame) has no cut; a cut between panning shots is found', () => {
    assert.deepEqual(run({ frames: shot(A, 100, 1, 3) }).events, []);
    const { events } = run({ frames: [...shot(A, 40, 1, 1), ...shot(C, 40, 2, 1, 40)] });
    assert.deepEqual(events.map((e) => [e.kind, e.frame]), [['hard', 40]]);
  });

  test('a slow zoom and a person walking through a fixed shot have no cut', () => {
    const zoom = Array.from({ length: 100 }, (_, i) => {
      const s = 1 - i * 0.004; // 40 % closer after 4 s
      return render((x, y) => A(W / 2 + (x - W / 2) * s, H / 2 + (y - H / 2) * s), { noiseSeed: 100 + i });
    });
    assert.deepEqual(run({ frames: zoom }).events, []);
    const walker = Array.from({ length: 100 }, (_, i) => {
      const left = i * 0.7 - 14;
      return render((x, y) => (x >= left && x < left + 14 && y > 4 ? 30 + (y % 5) * 8 : B(x, y)), { noiseSeed: 200 + i });
    });
    assert.deepEqual(run({ frames: walker }).events, []);
  });

  test('a brightness step (lights up by 40 %) is no cut', () => {
    const frames = [...shot(A, 40, 1), ...shot(scaled(A, 1.4), 40, 2)];
    assert.deepEqual(run({ frames }).events, []);
  });

  test('cuts closer than the minimum shot length: the first is kept', () => {
    const frames = [...shot(A, 30, 1), ...shot(B, 6, 2), ...shot(C, 30, 3)];
    assert.deepEqual(run({ frames }).events.map((e) => e.frame), [30]);
    assert.deepEqual(run({ frames }, { minShotS: 0.2 }).events.map((e) => e.frame), [30, 36]);
  });

  test('sensitivity scales the thresholds', () => {
    // A cut to a picture half of which is new: weaker than a full cut.
    const half: Picture = (x, y) => (x < W / 2 ? A(x, y) : B(x, y));
    const frames = [...shot(A, 30, 1, 0.5), ...shot(half, 30, 2, 0.5)];
    assert.deepEqual(run({ frames }).events.map((e) => e.frame), [30]);
    assert.deepEqual(run({ frames }, { sensitivity: 0.1 }).events, []);
  });
});

describe('flashes', () => {
  test('a 2-frame flash (picture lifted towards white) is no cut', () => {
    const frames = shot(A, 60, 1);
    for (const i of [30, 31]) frames[i] = render(A, { noiseSeed: 500 + i, map: (v) => v * 0.6 + 110 });
    assert.deepEqual(run({ frames }).events, []);
  });

  test('a 2-frame white-out (flat white) is no cut, nor a fade', () => {
    const frames = shot(A, 60, 1);
    for (const i of [30, 31]) frames[i] = render(A, { noiseSeed: 500 + i, map: (v) => 235 + v * 0.05 });
    assert.deepEqual(run({ frames }).events, []);
    // Without the filter it is a dip to white like any other.
    assert.deepEqual(run({ frames }, { flashFilter: false }).events.map((e) => e.kind), ['fade']);
  });

  test('a 2-frame glitch to another picture is filtered, and reported without the filter', () => {
    const frames = shot(A, 60, 1);
    frames[30] = render(C, { noiseSeed: 7 });
    frames[31] = render(C, { noiseSeed: 8 });
    assert.deepEqual(run({ frames }).events, []);
    assert.deepEqual(run({ frames }, { flashFilter: false }).events.map((e) => [e.kind, e.frame]), [['hard', 30]]);
  });

  test('a flicker between two looks of one shot, then staying on the second, is no cut', () => {
    // The montage's VFX flicker: two looks alternate every two frames.
    const look = (x: number, y: number) => 255 - A(x, y) * 0.5 + C(x, y) * 0.3;
    const frames = shot(A, 80, 1);
    for (let i = 30; i < 80; i++) if (i >= 42 || Math.floor((i - 30) / 2) % 2 === 0) frames[i] = render(look, { noiseSeed: 900 + i });
    assert.deepEqual(run({ frames }).events, []);
    assert.ok(run({ frames }, { flashFilter: false }).events.length > 0, 'each step of the flicker is a jump');
  });
});

describe('dissolves and fades', () => {
  /** A linear crossfade; with a pan, both pictures keep panning through it. */
  const crossfade = (from: Picture, to: Picture, length: number, seed: number, pan = 0, start = 0) =>
    Array.from({ length }, (_, i) => render(mix(from, to, (i + 1) / (length + 1)), { shiftX: (start + i) * pan, noiseSeed: seed * 1000 + i }));

  test('a 12-frame crossfade is one dissolve at its middle, not a hard cut', () => {
    const frames = [...shot(A, 50, 1), ...crossfade(A, B, 12, 2), ...shot(B, 60, 3)];
    const { events } = run({ frames });
    assert.equal(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.equal(e!.kind, 'dissolve');
    assert.ok(Math.abs(e!.frame - 56) <= 2, `middle ${e!.frame}`);
    assert.ok(e!.startFrame >= 47 && e!.startFrame <= 52 && e!.endFrame >= 59 && e!.endFrame <= 64, `range ${e!.startFrame}..${e!.endFrame}`);
  });

  test('a 25-frame crossfade between drifting shots (0.1 px a frame) is one dissolve', () => {
    const frames = [...shot(A, 50, 1, 0.1), ...crossfade(A, C, 25, 2, 0.1, 50), ...shot(C, 60, 3, 0.1, 75)];
    const { events } = run({ frames });
    assert.deepEqual(events.map((e) => e.kind), ['dissolve']);
    assert.ok(Math.abs(events[0]!.frame - 62) <= 3, `middle ${events[0]!.frame}`);
  });

  test('a dissolve and a hard cut one second later come out in frame order', () => {
    const frames = [...shot(A, 50, 1), ...crossfade(A, B, 12, 2), ...shot(B, 25, 3), ...shot(C, 60, 4)];
    assert.deepEqual(run({ frames }).events.map((e) => e.kind), ['dissolve', 'hard']);
  });

  test('a long black pause (20 s) between two shots is one fade, after it', () => {
    const black = Array.from({ length: 500 }, (_, i) => render(() => 16, { noiseSeed: 400 + i }));
    const { events, maxLag } = run({ frames: [...shot(A, 40, 1), ...black, ...shot(B, 40, 2)] });
    assert.deepEqual(events.map((e) => [e.kind, e.startFrame, e.endFrame]), [['fade', 40, 540]]);
    assert.ok(events[0]!.frame >= 40 && events[0]!.frame <= 540, `frame ${events[0]!.frame}`);
    assert.ok(maxLag < 50, `decisions held back ${maxLag} frames`);
  });

  test('with gradual detection off a crossfade reports nothing', () => {
    const frames = [...shot(A, 50, 1), ...crossfade(A, B, 12, 2), ...shot(B, 60, 3)];
    assert.deepEqual(run({ frames }, { gradual: false }).events, []);
  });

  test('a fade to black and up into another shot is one fade after the darkest frame', () => {
    const out = Array.from({ length: 10 }, (_, i) => render(scaled(A, 1 - (i + 1) / 10), { noiseSeed: 300 + i }));
    const black = Array.from({ length: 3 }, (_, i) => render(() => 16, { noiseSeed: 400 + i }));
    const into = Array.from({ length: 10 }, (_, i) => render(scaled(B, (i + 1) / 10), { noiseSeed: 500 + i }));
    const frames = [...shot(A, 40, 1), ...out, ...black, ...into, ...shot(B, 40, 2)];
    const { events } = run({ frames });
    assert.equal(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.equal(e!.kind, 'fade');
    // Darkest frames 49-52 (the last of the fade out and the black ones): the new shot starts at 53.
    assert.ok(e!.frame >= 52 && e!.frame <= 54, `frame ${e!.frame}`);
    assert.ok(Math.abs(e!.startFrame - 40) <= 2 && Math.abs(e!.endFrame - 62) <= 2, `range ${e!.startFrame}..${e!.endFrame}`);
  });

  test('a dip to black and back to the same shot is no cut with the flash filter', () => {
    const out = Array.from({ length: 4 }, (_, i) => render(scaled(A, 1 - (i + 1) / 4), { noiseSeed: 300 + i }));
    const back = Array.from({ length: 4 }, (_, i) => render(scaled(A, (i + 1) / 4), { noiseSeed: 500 + i }));
    const frames = [...shot(A, 40, 1), ...out, ...back, ...shot(A, 40, 2)];
    assert.deepEqual(run({ frames }).events, []);
    assert.deepEqual(run({ frames }, { flashFilter: false }).events.map((e) => e.kind), ['fade']);
  });

  test('a dark shot with detail left (a night exterior) between two shots is a shot: two hard cuts, not one fade', () => {
    const cells = Array.from({ length: W * H }, (_, k) => A(k % W, Math.floor(k / W)));
    const meanA = cells.reduce((a, b) => a + b, 0) / cells.length;
    const night: Picture = (x, y) => 13 + 0.22 * (A(x, y) - meanA);
    const dark = shot(night, 150, 7);
    // As dark as video black's ceiling (24) and with the contrast of a HOHA night frame (std 11 at 64x36): no fade's flat bottom.
    const { mean, std } = describeFrame(dark[0]!, 0);
    assert.ok(mean <= DEFAULT_CUT_SETTINGS.blackLevel && std > 6 && std <= 12, `mean ${mean.toFixed(1)}, std ${std.toFixed(1)}`);
    const { events } = run({ frames: [...shot(B, 50, 1), ...dark, ...shot(C, 50, 2)] });
    assert.deepEqual(events.map((e) => [e.kind, e.frame]), [['hard', 50], ['hard', 200]]);
  });

  test('a stream that starts black and fades in has no cut', () => {
    const black = Array.from({ length: 10 }, (_, i) => render(() => 16, { noiseSeed: 400 + i }));
    const into = Array.from({ length: 10 }, (_, i) => render(scaled(B, (i + 1) / 10), { noiseSeed: 500 + i }));
    assert.deepEqual(run({ frames: [...black, ...into, ...shot(B, 40, 2)] }).events, []);
  });
});

describe('gaps and restarts', () => {
  test('dropped frames: a cut across a gap is reported at the first frame after it', () => {
    const frames = [...shot(A, 30, 1), ...shot(B, 30, 2)];
    const indices = frames.map((_, i) => (i < 30 ? i : i + 10));
    const { events } = run({ frames, indices });
    assert.deepEqual(events.map((e) => [e.kind, e.frame]), [['hard', 40]]);
  });

  test('a gap inside a still shot is no cut', () => {
    const frames = shot(A, 60, 1);
    const indices = frames.map((_, i) => (i < 30 ? i : i + 25));
    assert.deepEqual(run({ frames, indices }).events, []);
  });

  test('the minimum shot length counts frame indices, gaps included', () => {
    // Cuts at positions 30 and 36, but 20 frames were dropped between them.
    const frames = [...shot(A, 30, 1), ...shot(B, 6, 2), ...shot(C, 30, 3)];
    const indices = frames.map((_, i) => (i < 33 ? i : i + 20));
    assert.deepEqual(run({ frames, indices }).events.map((e) => e.frame), [30, 56]);
  });

  test('frames from the past are ignored', () => {
    const detector = new CutDetector(FPS);
    shot(A, 10, 1).forEach((f, i) => detector.push(f, i));
    const before = detector.decidedThrough;
    assert.deepEqual(detector.push(render(B), 3), []);
    assert.equal(detector.decidedThrough, before);
  });

  test('reset forgets the stream: no cut between the old and the new source', () => {
    const detector = new CutDetector(FPS);
    const first = run({ frames: shot(A, 30, 1) }, {}, detector);
    assert.deepEqual(first.events, []);
    detector.reset();
    assert.equal(detector.decidedThrough, -1);
    const second = run({ frames: [...shot(B, 30, 2), ...shot(C, 30, 3)] }, {}, detector);
    assert.deepEqual(second.events.map((e) => e.frame), [30]);
  });

  test('flush reports a cut in the last frames', () => {
    const detector = new CutDetector(FPS);
    const frames = [...shot(A, 30, 1), ...shot(B, 2, 2)];
    const early = frames.flatMap((f, i) => detector.push(f, i));
    assert.deepEqual(early, []);
    assert.deepEqual(detector.flush().map((e) => e.frame), [30]);
    assert.equal(detector.decidedThrough, 31);
  });

  test('settings are validated', () => {
    assert.throws(() => new CutDetector(0), RangeError);
    assert.throws(() => new CutDetector(FPS, { sensitivity: 0 }), RangeError);
  });
});
