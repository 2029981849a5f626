/**
 * The shot tracker on frames made in memory: two random textures (a hard cut
 * between them sits at a known frame), fake readouts with known smoothed
 * probabilities, and a sink that records what it is told. The readouts are
 * played late (after the cut frames, as live) or early (before them, as a file
 * decodes), and every shot must get exactly its own readouts either way.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadoutBuilder } from '../../server/analysis/readout-builder.js';
import { CUT_FRAME, CUT_FRAME_BYTES } from '../../server/cuts/cut-detector.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { ShotBoundary, ShotRecord, TimecodeRateName } from '../../server/shared/shots.js';
import type { Readout, Subjects } from '../../server/shared/socket-events.js';
import type { ThumbnailFrame } from '../../server/shots/shot-accumulator.js';
import { ShotTracker, type ShotSink, type ShotTrackerOptions, type TakeRef } from '../../server/shots/shot-tracker.js';
import { TimecodeClock } from '../../server/shots/timecode-clock.js';
import { framesToTimecode, timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';
import { seededRandom } from '../../server/shared/seeded-random.js';

const { width: W, height: H } = CUT_FRAME;
/** Wall time of frame 0 of the first session. */
const W0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const TC_START_25 = timecodeToFrames('01:00:00:00', timecodeRate('25'));

// ---- pictures ----

const random = seededRandom;

/** A smooth random texture (a few waves, which survive the detector's 16x9 grid) with camera noise. */
function picture(seed: number): (noiseSeed: number) => Uint8Array {
  const rnd = random(seed);
  const waves = Array.from({ length: 6 }, () => ({ fx: (rnd() * 3 + 0.3) / W, fy: (rnd() * 2.5 + 0.3) / H, phase: rnd() * Math.PI * 2, amp: 15 + rnd() * 20 }));
  const base = 90 + rnd() * 70;
  const clean = new Float64Array(CUT_FRAME_BYTES);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) clean[y * W + x] = base + waves.reduce((v, w) => v + w.amp * Math.sin(2 * Math.PI * (w.fx * x + w.fy * y) + w.phase), 0);
  }
  return (noiseSeed) => {
    const noise = random(noiseSeed);
    return Uint8Array.from(clean, (v) => Math.max(0, Math.min(255, Math.round(v + (noise() - 0.5) * 6))));
  };
}

const A = picture(11);
const B = picture(22);

/** Frame i of a clip made of pictures switching (hard cut) at the given frames. */
function clip(length: number, cuts: number[]): Uint8Array[] {
  const pictures = [A, B];
  return Array.from({ length }, (_, i) => pictures[cuts.filter((c) => c <= i).length % 2]!(1000 + i));
}

// ---- readouts ----

type ReadoutLike = Parameters<ShotTracker['readout']>[3];

function probs(weights: Partial<Record<CanonicalScale, number>>): number[] {
  return CANONICAL_SCALES.map((s) => weights[s] ?? 0);
}

const SINGLE: Subjects = { count: 1, kind: 'person', framing: 'single', overTheShoulder: false };
const TWO: Subjects = { count: 2, kind: 'people', framing: 'two-shot', overTheShoulder: false };

/** A readout sure of one scale. */
function sure(label: CanonicalScale, extra: Partial<ReadoutLike> = {}): ReadoutLike {
  return { smoothed: probs({ [label]: 1 }), label, ...extra };
}

// ---- the recording sink and the harness ----

interface SinkEvent {
  kind: 'open' | 'update' | 'close' | 'relabel';
  shot: ShotRecord;
  takeId?: number | null;
  thumbnail?: ThumbnailFrame | null;
  /** Latest cut frame pushed when the sink was called (-1 before any). */
  atFrame: number;
}

class Harness {
  readonly events: SinkEvent[] = [];
  readonly tracker: ShotTracker;
  readonly fps: number;
  /** Latest cut frame index pushed, per the harness. */
  lastPushed = -1;
  private nextId = 1;

  constructor(options: Partial<Omit<ShotTrackerOptions, 'sink'>> & { rate?: TimecodeRateName; start?: string } = {}) {
    const rate = timecodeRate(options.rate ?? '25');
    const sink: ShotSink = {
      open: (shot, takeId) => {
        this.events.push({ kind: 'open', shot, takeId, atFrame: this.lastPushed });
        return this.nextId++;
      },
      relabel: (shot, takeId) => this.events.push({ kind: 'relabel', shot, takeId, atFrame: this.lastPushed }),
      update: (shot) => this.events.push({ kind: 'update', shot, atFrame: this.lastPushed }),
      close: (shot, thumbnail) => this.events.push({ kind: 'close', shot, thumbnail, atFrame: this.lastPushed }),
    };
    this.tracker = new ShotTracker({
      cameraId: 'cam-1',
      timecode: options.timecode ?? new TimecodeClock(rate, 'frame-count', timecodeToFrames(options.start ?? '01:00:00:00', rate)),
      cutSettings: options.cutSettings ?? {},
      maxWaitFrames: options.maxWaitFrames ?? 75,
      maxPendingReadouts: options.maxPendingReadouts ?? 64,
      persistEveryS: options.persistEveryS ?? 1000,
      sink,
      ...(options.firstSession ? { firstSession: options.firstSession } : {}),
    });
    this.fps = this.tracker.fps;
  }

  get closed(): ShotRecord[] {
    return this.events.filter((e) => e.kind === 'close').map((e) => e.shot);
  }

  get opened(): ShotRecord[] {
    return this.events.filter((e) => e.kind === 'open').map((e) => e.shot);
  }

  cut(session: number, index: number, frame: Uint8Array, wallStart = W0): void {
    this.lastPushed = index;
    this.tracker.cutFrame(session, index, frame, wallStart + (index * 1000) / this.fps);
  }

  readout(session: number, frame: number, readout: ReadoutLike, thumbnail: ThumbnailFrame | null = null, wallStart = W0): void {
    const timeS = frame / this.fps;
    this.tracker.readout(session, timeS, wallStart + timeS * 1000, readout, thumbnail);
  }

  /**
   * Plays a clip and the readouts of some of its frames. lag > 0: the readout
   * of frame f comes right after cut frame f + lag (live: the analysis is
   * behind); lag < 0: right before cut frame f + lag + 1 (file mode: the
   * analysis is ahead). `before(f)` runs before each readout, `hooks[i]`
   * right after cut frame i.
   */
  play(
    frames: Uint8Array[],
    readouts: Map<number, ReadoutLike | (() => ReadoutLike)>,
    lag: number,
    options: { session?: number; wallStart?: number; before?: (frame: number) => void; firstIndex?: number; hooks?: Record<number, () => void> } = {},
  ): void {
    const session = options.session ?? 1;
    const first = options.firstIndex ?? 0;
    const actions: { key: number; run: () => void }[] = [];
    frames.forEach((frame, i) => actions.push({ key: first + i, run: () => this.cut(session, first + i, frame, options.wallStart) }));
    // A hook runs right after its cut frame, before the readouts that come after that frame.
    for (const [i, hook] of Object.entries(options.hooks ?? {})) actions.push({ key: Number(i) + 0.25, run: hook });
    for (const [f, readout] of readouts) {
      actions.push({
        key: f + lag + 0.5,
        run: () => {
          options.before?.(f);
          // A readout made when its turn comes (after `before`), as the server smooths a frame when its inference is done.
          this.readout(session, f, typeof readout === 'function' ? readout() : readout, null, options.wallStart);
        },
      });
    }
    actions.sort((a, b) => a.key - b.key);
    for (const action of actions) action.run();
  }
}

/** Readouts of every `step`-th frame from..to-1, each made by `make`. */
function readoutsOf(from: number, to: number, step: number, make: (frame: number) => ReadoutLike): Map<number, ReadoutLike> {
  const map = new Map<number, ReadoutLike>();
  for (let f = from; f < to; f += step) map.set(f, make(f));
  return map;
}

function merge(...maps: Map<number, ReadoutLike>[]): Map<number, ReadoutLike> {
  return new Map(maps.flatMap((m) => [...m]));
}

/** The frame fields of a shot, as [inFrame, outFrame, cutIn, cutOut]. */
const span = (s: ShotRecord): [number, number, ShotBoundary, ShotBoundary | null] => [s.inFrame, s.outFrame, s.cutIn, s.cutOut];

// ---- tests ----

describe('shot boundaries', () => {
  test('a hard cut splits the shot at its first frame: frames, timecode, times and durations', () => {
    const h = new Harness();
    h.play(clip(100, [50]), readoutsOf(0, 100, 5, (f) => sure(f < 50 ? 'CU' : 'WS')), 8);
    assert.equal(h.closed.length, 1, 'the first shot closes once the readouts before the cut are in');
    h.tracker.endSession('end');
    const [first, second] = h.closed;
    assert.equal(h.closed.length, 2);
    assert.deepEqual(
      { ...first!, probabilities: undefined },
      {
        id: 1,
        cameraId: 'cam-1',
        status: 'closed',
        inTime: W0,
        outTime: W0 + 2000,
        rate: '25',
        inFrame: TC_START_25,
        outFrame: TC_START_25 + 50,
        tcIn: '01:00:00:00',
        tcOut: '01:00:02:00',
        durationS: 2,
        startS: 0,
        scale: 'CU',
        scaleStart: 'CU',
        scaleEnd: 'CU',
        confidence: 1,
        probabilities: undefined,
        readouts: 10,
        subjects: null,
        reason: null,
        cutIn: 'start',
        cutOut: 'hard',
        scene: null,
        take: null,
        tags: [],
        note: null,
        hasThumbnail: false,
      },
    );
    assert.deepEqual(first!.probabilities, probs({ CU: 1 }));
    assert.deepEqual(
      [second!.id, second!.inTime, second!.outTime, second!.tcIn, second!.tcOut, second!.durationS, second!.startS, second!.scale, second!.readouts],
      [2, W0 + 2000, W0 + 4000, '01:00:02:00', '01:00:04:00', 2, 2, 'WS', 10],
    );
    assert.deepEqual(span(second!), [TC_START_25 + 50, TC_START_25 + 100, 'hard', 'end']);
    // Open, close, open, close: the next shot opens only once the first one closed.
    assert.deepEqual(
      h.events.map((e) => [e.kind, e.shot.id, e.shot.status]),
      [
        ['open', 0, 'open'],
        ['close', 1, 'closed'],
        ['open', 0, 'open'],
        ['close', 2, 'closed'],
      ],
    );
    // A shot opens empty (out = in) and grows through updates.
    assert.deepEqual([h.opened[0]!.inFrame, h.opened[0]!.outFrame, h.opened[0]!.durationS, h.opened[1]!.inFrame, h.opened[1]!.tcIn], [TC_START_25, TC_START_25, 0, TC_START_25 + 50, '01:00:02:00']);
    assert.equal(h.tracker.shotsClosed, 2);
  });

  for (const lag of [1, 8, 30, 60, -1, -8, -30]) {
    test(`readouts ${lag > 0 ? `${lag} frames late (live)` : `${-lag} frames early (file mode)`} go to their own shot`, () => {
      const offline = lag < 0;
      const h = new Harness(offline ? { maxWaitFrames: Infinity, maxPendingReadouts: Infinity } : {});
      // Every frame analysed, so a single readout on the wrong side of a cut shows.
      h.play(clip(150, [50, 100]), readoutsOf(0, 150, 1, (f) => sure(f < 50 ? 'CU' : f < 100 ? 'WS' : 'MS')), lag);
      h.tracker.endSession('end');
      assert.deepEqual(
        h.closed.map((s) => [...span(s), s.readouts, s.scale, s.confidence]),
        [
          [TC_START_25, TC_START_25 + 50, 'start', 'hard', 50, 'CU', 1],
          [TC_START_25 + 50, TC_START_25 + 100, 'hard', 'hard', 50, 'WS', 1],
          [TC_START_25 + 100, TC_START_25 + 150, 'hard', 'end', 50, 'MS', 1],
        ],
      );
    });
  }

  test('readouts at the frames either side of a cut, 5 a second, live and file mode', () => {
    for (const lag of [3, -12]) {
      const h = new Harness(lag < 0 ? { maxWaitFrames: Infinity, maxPendingReadouts: Infinity } : {});
      const readouts = merge(readoutsOf(1, 100, 5, (f) => sure(f < 50 ? 'ECU' : 'EWS')), new Map([[49, sure('ECU')], [50, sure('EWS')]]));
      h.play(clip(100, [50]), readouts, lag);
      h.tracker.endSession('end');
      assert.deepEqual(
        h.closed.map((s) => [s.inFrame - TC_START_25, s.outFrame - TC_START_25, s.readouts, s.scale, s.confidence]),
        [
          [0, 50, 11, 'ECU', 1],
          [50, 100, 11, 'EWS', 1],
        ],
        `lag ${lag}`,
      );
    }
  });

  test('maxWaitFrames: a cut closes its shot anyway when the analysis stops; later readouts of it are left out', () => {
    const h = new Harness({ maxWaitFrames: 10 });
    const frames = clip(100, [50]);
    h.play(frames.slice(0, 70), readoutsOf(0, 31, 5, () => sure('MCU')), 2);
    const close = h.events.find((e) => e.kind === 'close')!;
    assert.equal(close.atFrame, 61, 'closed by the first frame more than 10 frames after the cut');
    assert.deepEqual([...span(close.shot), close.shot.readouts, close.shot.scale], [TC_START_25, TC_START_25 + 50, 'start', 'hard', 7, 'MCU']);
    // The analysis catches up: frames of the closed shot are of no shot now, later ones go to the open one.
    for (const f of [35, 40, 45]) h.readout(1, f, sure('EWS'));
    h.readout(1, 55, sure('FS'));
    h.play(frames.slice(70), new Map(), 0, { firstIndex: 70 });
    h.tracker.endSession('end');
    assert.equal(h.closed.length, 2);
    assert.deepEqual([...span(h.closed[1]!), h.closed[1]!.readouts, h.closed[1]!.scale], [TC_START_25 + 50, TC_START_25 + 100, 'hard', 'end', 1, 'FS']);
  });

  test('without maxWaitFrames (offline) a cut waits for the analysis however long it takes', () => {
    const h = new Harness({ maxWaitFrames: Infinity, maxPendingReadouts: Infinity });
    h.play(clip(300, [50]), new Map(), 0);
    assert.equal(h.closed.length, 0);
    assert.equal(h.tracker.openRecord()!.outFrame, TC_START_25 + 50, 'the open shot ends at the pending cut');
    h.readout(1, 50, sure('CU'));
    assert.deepEqual(h.closed.map(span), [[TC_START_25, TC_START_25 + 50, 'start', 'hard']]);
    assert.equal(h.tracker.openRecord()!.outFrame, TC_START_25 + 300);
  });
});

describe('what a shot says', () => {
  test('scale: argmax of the averaged smoothed probabilities; confidence; subjects by majority; the reason of the winning label nearest mid-shot; the mid-shot thumbnail', () => {
    const h = new Harness();
    const thumb = (f: number): ThumbnailFrame => ({ timeS: f / 25, width: 2, height: 1, data: new Uint8Array(6).fill(f) });
    const thumbs = new Map([5, 25, 30, 45].map((f) => [f, thumb(f)]));
    const given = new Map<number, ReadoutLike>([
      // Most labels say MS, but the average is CU.
      [5, { smoothed: probs({ CU: 0.75, MS: 0.25 }), label: 'CU', reason: 'cu early', subjects: SINGLE }],
      [25, { smoothed: probs({ CU: 0.25, MS: 0.75 }), label: 'MS', reason: 'ms at mid-shot', subjects: TWO }],
      [30, { smoothed: probs({ CU: 1 }), label: 'CU', reason: 'cu near mid-shot', subjects: SINGLE }],
      [45, { smoothed: probs({ CU: 0.5, MS: 0.5 }), label: 'MS' }],
    ]);
    const frames = clip(100, [50]);
    // Live: each readout three frames after its frame, with its analysis frame.
    for (let i = 0; i < 100; i++) {
      h.cut(1, i, frames[i]!);
      const f = i - 3;
      if (given.has(f)) h.readout(1, f, given.get(f)!, thumbs.get(f)!);
    }
    h.readout(1, 60, { smoothed: probs({ FS: 0.5, WS: 0.25, EWS: 0.25 }), label: 'FS', reason: 'feet in frame', subjects: TWO }, thumb(60));
    h.tracker.endSession('end');
    const [first, second] = h.closed;
    assert.deepEqual(
      [first!.scale, first!.confidence, first!.probabilities, first!.readouts, first!.subjects, first!.reason],
      ['CU', 0.625, probs({ CU: 0.625, MS: 0.375 }), 4, SINGLE, 'cu near mid-shot'],
    );
    assert.deepEqual([second!.scale, second!.confidence, second!.readouts, second!.subjects, second!.reason], ['FS', 0.5, 1, TWO, 'feet in frame']);
    const closes = h.events.filter((e) => e.kind === 'close');
    assert.equal(closes[0]!.thumbnail, thumbs.get(25), 'the frame nearest mid-shot (frame 25 of 0..50)');
    assert.equal(closes[1]!.thumbnail!.data[0], 60);
  });

  test('a reason is only taken from readouts of the winning label; none without one', () => {
    const h = new Harness();
    const given = new Map<number, ReadoutLike>([
      [20, { smoothed: probs({ WS: 0.75, FS: 0.25 }), label: 'FS', reason: 'fs reason' }],
      [25, { smoothed: probs({ WS: 0.75, FS: 0.25 }), label: 'WS' }],
    ]);
    h.play(clip(50, []), given, 2);
    h.tracker.endSession('end');
    assert.deepEqual([h.closed[0]!.scale, h.closed[0]!.reason, h.closed[0]!.subjects], ['WS', null, null]);
  });

  test('with raw probabilities, a reason belongs to its own frame’s prediction, not the smoothed label', () => {
    const h = new Harness();
    const given = new Map<number, ReadoutLike>([
      // The smoothed label still says FS, but this frame itself was WS: its reason explains WS.
      [10, { smoothed: probs({ WS: 0.75, FS: 0.25 }), raw: probs({ WS: 0.9, FS: 0.1 }), label: 'FS', reason: 'horizon low' }],
      [25, { smoothed: probs({ WS: 0.75, FS: 0.25 }), raw: probs({ FS: 0.9, WS: 0.1 }), label: 'WS', reason: 'feet in frame' }],
    ]);
    h.play(clip(50, []), given, 2);
    h.tracker.endSession('end');
    assert.deepEqual([h.closed[0]!.scale, h.closed[0]!.reason], ['WS', 'horizon low']);
  });

  test('a shot without readouts takes the previous shot’s probabilities at half confidence, readouts 0', () => {
    const h = new Harness({ maxWaitFrames: 10 });
    // Analysis only in the first shot (frames 0..45); shots at 50 and 80 get none.
    h.play(clip(120, [50, 80]), readoutsOf(0, 50, 5, () => ({ smoothed: probs({ CU: 0.75, MS: 0.25 }), label: 'CU', reason: 'face', subjects: SINGLE })), 1);
    h.tracker.endSession('end');
    assert.deepEqual(
      h.closed.map((s) => [s.inFrame - TC_START_25, s.outFrame - TC_START_25, s.scale, s.confidence, s.probabilities, s.readouts, s.subjects, s.reason]),
      [
        [0, 50, 'CU', 0.75, probs({ CU: 0.75, MS: 0.25 }), 10, SINGLE, 'face'],
        [50, 80, 'CU', 0.375, probs({ CU: 0.75, MS: 0.25 }), 0, null, null],
        [80, 120, 'CU', 0.375, probs({ CU: 0.75, MS: 0.25 }), 0, null, null],
      ],
    );
    assert.equal(h.events.filter((e) => e.kind === 'close')[1]!.thumbnail, null);
  });

  test('the first shot without any readout: even probabilities, half of 1/8 confidence', () => {
    const h = new Harness();
    h.play(clip(30, []), new Map(), 0);
    h.tracker.endSession('end');
    assert.deepEqual([h.closed[0]!.scale, h.closed[0]!.confidence, h.closed[0]!.probabilities, h.closed[0]!.readouts], ['ECU', 1 / 16, new Array(8).fill(1 / 8), 0]);
  });

  test('no picture: a shot black from cut to cut is black for all its length; a black spell inside a shot is timed', () => {
    const h = new Harness();
    const black = (label: CanonicalScale) => sure(label, { noPicture: 'black', reason: 'no picture (black)' });
    // First shot: CU, then black from frame 30 to its cut at 50. Second shot: black throughout (the cut at 50 is a take mark).
    h.play(clip(100, [50]), readoutsOf(0, 100, 5, (f) => (f < 30 ? sure('CU') : black('ECU'))), 8, { hooks: { 50: () => h.tracker.setTake({ id: 1, scene: '1', take: '1' }) } });
    h.tracker.endSession('end');
    const [first, second] = h.closed;
    assert.deepEqual([first!.scale, first!.noPicture, first!.noPictureS], ['CU', undefined, 0.8]);
    assert.deepEqual([second!.scale, second!.noPicture, second!.noPictureS, second!.readouts, second!.reason], ['CU', 'black', second!.durationS, 0, 'no picture (black) throughout']);
  });

  test('thumbnails: of many analysed frames the one nearest mid-shot is kept', () => {
    const h = new Harness();
    const frames = clip(200, []);
    for (let i = 0; i < 200; i++) {
      h.cut(1, i, frames[i]!);
      // Every analysed frame of an 8 s shot, 5 a second: 40 candidates, thinned on the way.
      if (i >= 2 && (i - 2) % 5 === 0) h.readout(1, i - 2, sure('MS'), { timeS: (i - 2) / 25, width: 1, height: 1, data: new Uint8Array([i - 2, 0, 0]) });
    }
    h.tracker.endSession('end');
    const close = h.events.find((e) => e.kind === 'close')!;
    assert.equal(close.shot.outFrame - close.shot.inFrame, 200);
    // Kept after thinning: frames 0, 20, ..., 180; mid-shot is frame 100.
    assert.equal(close.thumbnail!.data[0], 100);
    assert.equal(close.thumbnail!.timeS, 4);
  });
});

describe('smoothing resets', () => {
  /** A restart that only resets, and labels no frame read since the cut. */
  const noReadings = (): [] => [];

  test('takeSmoothingReset is true once, for the first analysed frame at or after each cut (live)', () => {
    for (const lag of [8, 40]) {
      const h = new Harness();
      const resets: number[] = [];
      h.play(clip(130, [50, 80]), readoutsOf(0, 130, 5, () => sure('MS')), lag, {
        before: (f) => {
          if (h.tracker.takeSmoothingReset(1, f / 25, noReadings)) resets.push(f);
          assert.equal(h.tracker.takeSmoothingReset(2, f / 25, noReadings), false, 'another session: never');
        },
      });
      assert.deepEqual(resets, [50, 80], `lag ${lag}`);
    }
  });

  test('two cuts before one analysed frame reset once', () => {
    const h = new Harness({ maxWaitFrames: 10 });
    const resets: number[] = [];
    h.play(clip(130, [50, 80]), new Map([0, 45, 85, 90, 95].map((f) => [f, sure('MS')])), 50, {
      before: (f) => {
        if (h.tracker.takeSmoothingReset(1, f / 25, noReadings)) resets.push(f);
      },
    });
    assert.deepEqual(resets, [85]);
  });

  test('a cut not reported yet does not reset', () => {
    const h = new Harness();
    const frames = clip(60, [50]);
    for (let i = 0; i <= 52; i++) h.cut(1, i, frames[i]!);
    assert.equal(h.tracker.takeSmoothingReset(1, 51 / 25, noReadings), false, 'reported 5 frames after the cut');
    for (let i = 53; i < 60; i++) h.cut(1, i, frames[i]!);
    assert.equal(h.tracker.takeSmoothingReset(1, 49 / 25, noReadings), false, 'before the cut');
    assert.equal(h.tracker.takeSmoothingReset(1, 51 / 25, noReadings), true);
    assert.equal(h.tracker.takeSmoothingReset(1, 52 / 25, noReadings), false);
  });
});

describe('a cut found after frames of its shot were read', () => {
  /** Two pixels, one dark and one light: a picture (one flat colour would be no picture). */
  const PICTURE = new Uint8Array([20, 30, 40, 200, 190, 180]);
  const reading = (weights: Partial<Record<CanonicalScale, number>>): number[] => probs(weights);
  /** A face filling the frame, then the sky (Tears of Steel at its loop point), then a figure to the knees. */
  const FACE = reading({ ECU: 0.55, CU: 0.3, MCU: 0.05, MS: 0.02, MWS: 0.02, FS: 0.02, WS: 0.02, EWS: 0.02 });
  const SKY = reading({ ECU: 0.03, CU: 0.03, MCU: 0.02, MS: 0.02, MWS: 0.05, FS: 0.25, WS: 0.1, EWS: 0.5 });
  const KNEES = reading({ MS: 0.3, MWS: 0.6, FS: 0.1 });
  const REASONS = new Map([
    [FACE, 'frame cuts at the neck -> ECU'],
    [SKY, 'no person or face found -> EWS'],
    [KNEES, 'frame cuts at the knees -> MWS'],
  ]);

  /**
   * Plays a clip with hard cuts at 50 (face to sky) and 72 (sky to knees),
   * analysed every 5th frame and smoothed as the server does: the camera's
   * smoothing (the shipped settings, alternating views) is restarted through
   * the tracker before each frame is smoothed.
   */
  function playSmoothed(lag: number): { h: Harness; wall: Map<number, Readout> } {
    const h = new Harness();
    const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5, pairViews: true }, () => 0);
    const wall = new Map<number, Readout>();
    const readouts = new Map<number, () => ReadoutLike>();
    for (let f = 0; f < 120; f += 5) {
      const probabilities = f < 50 ? FACE : f < 72 ? SKY : KNEES;
      readouts.set(f, () => {
        h.tracker.takeSmoothingReset(1, f / 25, (since) => builder.restart('cam-1', since));
        const frame = { cameraId: 'cam-1', seq: f, session: 1, timeS: f / 25, captureTime: W0 + f * 40, width: 2, height: 1, data: PICTURE };
        const readout = builder.build(frame, { probabilities, reason: REASONS.get(probabilities)! }, 'm');
        wall.set(f, readout);
        return readout;
      });
    }
    h.play(clip(120, [50, 72]), readouts, lag);
    h.tracker.endSession('end');
    return { h, wall };
  }

  const near = (actual: readonly number[], expected: readonly number[]) => actual.every((p, i) => Math.abs(p - expected[i]!) < 1e-9);

  test('as a file decodes (the analysis ahead): the shot after the cut is the sky, not the face before it', () => {
    // Frames 50, 55 and 60 of the sky are read before the cut at 50 is found: smoothed with the face, they held ECU.
    const { h } = playSmoothed(-10);
    assert.deepEqual(h.closed.map(span), [
      [TC_START_25, TC_START_25 + 50, 'start', 'hard'],
      [TC_START_25 + 50, TC_START_25 + 72, 'hard', 'hard'],
      [TC_START_25 + 72, TC_START_25 + 120, 'hard', 'end'],
    ]);
    const sky = h.closed[1]!;
    assert.deepEqual([sky.scale, sky.scaleStart, sky.scaleEnd, sky.reason], ['EWS', 'EWS', 'EWS', 'no person or face found -> EWS']);
    assert.ok(near(sky.probabilities, SKY), `the sky's own probabilities, none of the face's: ${sky.probabilities.map((p) => p.toFixed(3)).join(' ')}`);
    assert.equal(sky.confidence, SKY[7]);
    assert.deepEqual(
      h.closed.map((s) => [s.scale, s.reason]),
      [
        ['ECU', 'frame cuts at the neck -> ECU'],
        ['EWS', 'no person or face found -> EWS'],
        ['MWS', 'frame cuts at the knees -> MWS'],
      ],
    );
    assert.ok(near(h.closed[2]!.probabilities, KNEES));
  });

  test('live (the analysis a little behind, the cut found 5 frames late): the new shot and the wall go on from its own frames', () => {
    // Frame 50 is read before the cut at 50 is found (after frame 55), frame 55 after.
    const { h, wall } = playSmoothed(2);
    const sky = h.closed[1]!;
    assert.deepEqual([sky.scale, sky.scaleStart, sky.scaleEnd], ['EWS', 'EWS', 'EWS']);
    assert.ok(near(sky.probabilities, SKY), `the sky's own probabilities: ${sky.probabilities.map((p) => p.toFixed(3)).join(' ')}`);
    // The wall showed frame 50 as it was read; from frame 55 on it goes on from the sky's frames alone.
    assert.equal(wall.get(50)!.label, 'ECU', 'frame 50 was smoothed before the cut was known');
    assert.equal(wall.get(55)!.label, 'EWS');
    assert.ok(near(wall.get(55)!.smoothed, SKY));
    assert.ok(near(h.closed[2]!.probabilities, KNEES));
  });
});

describe('takes', () => {
  const T1: TakeRef = { id: 7, scene: '12', take: '3' };

  test('setTake splits the open shot with boundary "take"; new shots carry scene and take; a cut keeps the take', () => {
    const h = new Harness();
    const frames = clip(120, [60]);
    const readouts = readoutsOf(0, 120, 5, (f) => sure(f < 60 ? 'CU' : 'WS'));
    h.play(frames, readouts, 3, {
      hooks: {
        29: () => {
          h.tracker.setTake(T1);
          assert.deepEqual(h.tracker.currentTake, T1);
        },
        89: () => h.tracker.setTake(null),
      },
    });
    h.tracker.endSession('end');
    assert.deepEqual(
      h.closed.map((s) => [s.inFrame - TC_START_25, s.outFrame - TC_START_25, s.cutIn, s.cutOut, s.scene, s.take, s.scale]),
      [
        [0, 30, 'start', 'take', null, null, 'CU'],
        [30, 60, 'take', 'hard', '12', '3', 'CU'],
        [60, 90, 'hard', 'take', '12', '3', 'WS'],
        [90, 120, 'take', 'end', null, null, 'WS'],
      ],
    );
    assert.deepEqual(
      h.opened.map((s) => [s.inFrame - TC_START_25, s.scene, s.take]),
      [
        [0, null, null],
        [30, '12', '3'],
        [60, '12', '3'],
        [90, null, null],
      ],
    );
  });

  test('a take set before the first frame labels the first shot without splitting it', () => {
    const h = new Harness();
    h.tracker.setTake(T1);
    h.play(clip(40, []), new Map(), 0);
    h.tracker.endSession('end');
    assert.deepEqual(h.closed.map((s) => [...span(s), s.scene, s.take]), [[TC_START_25, TC_START_25 + 40, 'start', 'end', '12', '3']]);
  });

  test('a take started while a cut waits for the analysis: the shot between cut and take mark has no take', () => {
    const h = new Harness();
    const frames = clip(120, [50]);
    // Live, the analysis 20 frames behind: the cut at 50 (reported at 55) waits for it.
    // The take mark lands at frame 61, after the cut.
    h.play(frames, readoutsOf(0, 120, 5, () => sure('MS')), 20, { hooks: { 60: () => h.tracker.setTake(T1) } });
    h.tracker.endSession('end');
    assert.deepEqual(
      h.closed.map((s) => [s.inFrame - TC_START_25, s.outFrame - TC_START_25, s.cutIn, s.cutOut, s.scene, s.take]),
      [
        [0, 50, 'start', 'hard', null, null],
        [50, 61, 'hard', 'take', null, null],
        [61, 120, 'take', 'end', '12', '3'],
      ],
    );
  });

  test('a take mark just after a cut not yet reported does not swallow the cut (file mode)', () => {
    const h = new Harness({ maxWaitFrames: Infinity, maxPendingReadouts: Infinity });
    const frames = clip(100, [50]);
    const readouts = readoutsOf(0, 100, 5, (f) => sure(f < 50 ? 'CU' : 'WS'));
    // The analysis runs 20 frames ahead; the operator marks a take when frame 52 is the latest.
    h.play(frames, readouts, -20, { hooks: { 52: () => h.tracker.setTake(T1) } });
    h.tracker.endSession('end');
    assert.deepEqual(
      h.closed.map((s) => [s.inFrame - TC_START_25, s.outFrame - TC_START_25, s.cutIn, s.cutOut, s.scale]),
      [
        [0, 50, 'start', 'hard', 'CU'],
        [50, 53, 'hard', 'take', 'WS'],
        [53, 100, 'take', 'end', 'WS'],
      ],
    );
  });

  test('a take mark just after a cut not yet reported leaves the readouts after the cut in the new shot (live)', () => {
    const h = new Harness();
    const frames = clip(100, [50]);
    const readouts = readoutsOf(0, 100, 1, (f) => sure(f < 50 ? 'CU' : 'WS'));
    // The take mark lands at frame 53; readouts through frame 50 are in, the cut at 50 is reported at 55.
    h.play(frames, readouts, 2, { hooks: { 52: () => h.tracker.setTake(T1) } });
    h.tracker.endSession('end');
    assert.deepEqual(
      h.closed.map((s) => [s.inFrame - TC_START_25, s.outFrame - TC_START_25, s.readouts, s.confidence]),
      [
        [0, 50, 50, 1],
        [50, 53, 3, 1],
        [53, 100, 47, 1],
      ],
    );
  });
});

describe('sessions', () => {
  test("an RTSP stream's first second, held while ffmpeg probed it, decoded in a run: the session is anchored where the run ends, no frame timed after it came", () => {
    const h = new Harness();
    const frames = clip(120, [80]);
    // Frames 0-34 arrive 1.2 s late, 5 ms apart (the held second decoded at once); from frame 35 on, 50 ms after their time.
    const arrival = (i: number) => W0 + (i < 35 ? 1200 + 5 * i : (i * 1000) / h.fps + 50);
    frames.forEach((frame, i) => {
      h.lastPushed = i;
      h.tracker.cutFrame(1, i, frame, arrival(i));
      // The first readouts come in the run too (the analysis keeps up with it).
      if (i % 5 === 0) h.tracker.readout(1, i / h.fps, arrival(i) + 2, sure('CU'), null);
      const open = h.tracker.openRecord();
      if (open) assert.ok(open.outTime <= arrival(i) + 1000 / h.fps + 1, `frame ${i}: the open shot ends at ${open.outTime - W0}, after the frame came at ${arrival(i) - W0}`);
    });
    h.tracker.endSession('end');
    const [first] = h.closed;
    // Frame 34 came 10 ms after its time, the earliest of any: anchored on the first frames, it read about 1.2 s.
    assert.ok(first!.inTime - W0 <= 50, `the first shot's in is ${first!.inTime - W0} ms after frame 0's time`);
  });

  test('a source read four times faster than real time (a file camera, realtime false): every shot ends after it starts, its times as long as its frames', () => {
    const h = new Harness();
    const frames = clip(300, [40, 120, 200]);
    frames.forEach((frame, i) => {
      h.lastPushed = i;
      // Frame i arrives at a quarter of its place on the grid: each later frame "earlier" than the one before.
      h.tracker.cutFrame(1, i, frame, W0 + (i * 1000) / h.fps / 4);
      if (i % 5 === 0) h.tracker.readout(1, i / h.fps, W0 + (i * 1000) / h.fps / 4 + 3, sure(i < 120 ? 'CU' : 'WS'), null);
    });
    h.tracker.endSession('end');
    assert.equal(h.closed.length, 4);
    for (const shot of h.closed) {
      assert.ok(shot.outTime > shot.inTime, `shot ${shot.id}: out ${shot.outTime} after in ${shot.inTime}`);
      assert.equal(Math.round((shot.outTime - shot.inTime) / 1000 * h.fps), shot.outFrame - shot.inFrame, `shot ${shot.id}`);
    }
    // Shots abut: each starts where the one before ended.
    for (let i = 1; i < h.closed.length; i++) assert.equal(h.closed[i]!.inTime, h.closed[i - 1]!.outTime);
  });

  test('endSession closes the open shot after the last frame with the reason given; another session’s end is ignored', () => {
    const h = new Harness();
    h.play(clip(37, []), readoutsOf(0, 37, 5, () => sure('MWS')), 4, { session: 3 });
    h.tracker.endSession('end', 2);
    assert.equal(h.closed.length, 0, 'session 2 is not the one running');
    assert.equal(h.tracker.openRecord()!.outFrame, TC_START_25 + 37);
    h.tracker.endSession('restart', 3);
    assert.deepEqual(h.closed.map((s) => [...span(s), s.readouts, s.durationS, s.outTime]), [[TC_START_25, TC_START_25 + 37, 'start', 'restart', 8, 1.48, W0 + 1480]]);
    assert.equal(h.tracker.openRecord(), null);
    h.tracker.endSession('end');
    assert.equal(h.closed.length, 1, 'nothing left to close');
  });

  test('a new session number closes the old session’s shot with "restart"; timecode goes on from the wall clock; late readouts of the old session are ignored', () => {
    const h = new Harness();
    // Session 1: 50 frames, every one analysed, 8 frames behind: 8 readouts still pending when it stops.
    h.play(clip(50, []), readoutsOf(0, 42, 1, () => sure('CU')), 8);
    const wall2 = W0 + 10_000;
    const rest = clip(40, []);
    h.cut(2, 0, rest[0]!, wall2);
    assert.deepEqual(h.closed.map((s) => [...span(s), s.readouts, s.outTime]), [[TC_START_25, TC_START_25 + 50, 'start', 'restart', 42, W0 + 2000]]);
    // The rest of session 1's analysis arrives late: no shot of session 2 takes it.
    for (let f = 42; f < 50; f++) h.readout(1, f, sure('EWS'));
    for (let i = 1; i < 40; i++) h.cut(2, i, rest[i]!, wall2);
    for (let f = 0; f < 40; f += 5) h.readout(2, f, sure('WS'), null, wall2);
    h.tracker.endSession('end');
    const second = h.closed[1]!;
    // 10 s after session 1 started: 01:00:10:00; cut in by the restart that cut the shot before it out.
    assert.deepEqual(
      [second.inFrame, second.outFrame, second.tcIn, second.tcOut, second.inTime, second.outTime, second.startS, second.cutIn, second.cutOut, second.readouts, second.scale],
      [TC_START_25 + 250, TC_START_25 + 290, '01:00:10:00', '01:00:11:15', wall2, wall2 + 1600, 0, 'restart', 'end', 8, 'WS'],
    );
    assert.equal(h.closed[0]!.readouts, 42, 'the old shot is not reopened');
  });

  test('readouts of a session that has ended (the analysis behind its end) open and change no shot', () => {
    const h = new Harness();
    h.play(clip(30, []), readoutsOf(0, 15, 5, () => sure('CU')), 2);
    h.tracker.endSession('end', 1);
    const before = h.events.length;
    for (const f of [15, 20, 25]) h.readout(1, f, sure('EWS'));
    assert.equal(h.events.length, before);
    assert.equal(h.tracker.openRecord(), null);
    h.play(clip(20, []), new Map(), 0, { session: 2, wallStart: W0 + 5000 });
    h.tracker.endSession('end');
    assert.deepEqual(
      h.closed.map((s) => [s.tcIn, s.tcOut, s.readouts, s.cutOut]),
      [
        ['01:00:00:00', '01:00:01:05', 3, 'end'],
        ['01:00:05:00', '01:00:05:20', 0, 'end'],
      ],
    );
  });

  test("a tracker made for an edited camera takes no frame of the camera's earlier source: no shot in the past, none of its own frames dropped", () => {
    // The earlier source reached session 3; the edited camera's first is 4. Its late readouts come first.
    const h = new Harness({ firstSession: 4 });
    for (const f of [0, 5, 10]) h.readout(3, f, sure('EWS'), null, W0 - 120_000);
    assert.equal(h.events.length, 0, 'a late readout of session 3 opens nothing');
    h.play(clip(30, []), readoutsOf(0, 30, 5, () => sure('CU')), 2, { session: 4 });
    h.tracker.endSession('end');
    assert.deepEqual(h.closed.map((s) => [s.inTime, s.readouts, s.scale]), [[W0, 6, 'CU']]);
  });

  test('a session that starts with a readout (file mode) ends the old one too', () => {
    const h = new Harness();
    h.play(clip(30, []), new Map(), 0);
    h.readout(2, 0, sure('MS'), null, W0 + 60_000);
    assert.deepEqual(h.closed.map(span), [[TC_START_25, TC_START_25 + 30, 'start', 'restart']]);
    h.play(clip(20, []), new Map(), 0, { session: 2, wallStart: W0 + 60_000 });
    h.tracker.endSession('end');
    assert.deepEqual([h.closed[1]!.tcIn, h.closed[1]!.readouts, h.closed[1]!.scale], ['01:01:00:00', 1, 'MS']);
  });
});

describe('persistence of the open shot', () => {
  test('sink.update every persistEveryS with the open shot up to the latest frame + 1', () => {
    const h = new Harness({ persistEveryS: 0.4 });
    h.play(clip(100, [50]), new Map(), 0);
    const updates = h.events.filter((e) => e.kind === 'update');
    assert.deepEqual(
      updates.map((e) => [e.atFrame, e.shot.id, e.shot.status, e.shot.cutOut, e.shot.outFrame - TC_START_25, e.shot.durationS]),
      [
        [10, 1, 'open', null, 11, 0.44],
        [20, 1, 'open', null, 21, 0.84],
        [30, 1, 'open', null, 31, 1.24],
        [40, 1, 'open', null, 41, 1.64],
        [50, 1, 'open', null, 51, 2.04],
        // The cut at 50 is known but waits for the analysis: the open shot ends there.
        [60, 1, 'open', null, 50, 2],
        [70, 1, 'open', null, 50, 2],
        [80, 1, 'open', null, 50, 2],
        [90, 1, 'open', null, 50, 2],
      ],
    );
    assert.deepEqual([updates[0]!.shot.tcOut, updates[0]!.shot.outTime], [framesToTimecode(TC_START_25 + 11, timecodeRate('25')), W0 + 440]);
  });

  test('openRecord is the open shot as it stands', () => {
    const h = new Harness();
    assert.equal(h.tracker.openRecord(), null);
    h.play(clip(20, []), readoutsOf(0, 20, 5, () => sure('FS')), 1);
    const open = h.tracker.openRecord()!;
    // Frame 15's readout waits until the detector has decided frame 15 (5 frames on).
    assert.deepEqual([open.id, open.status, open.inFrame, open.outFrame, open.cutOut, open.scale, open.readouts], [1, 'open', TC_START_25, TC_START_25 + 20, null, 'FS', 3]);
  });
});

describe('timecode', () => {
  test('29.97 drop-frame: ";" timecodes, frames skipped at the minute, times at 30000/1001', () => {
    const h = new Harness({ rate: '29.97DF', start: '00:00:59;00' });
    assert.equal(h.fps, 30000 / 1001);
    const frames = clip(90, [45]);
    for (let i = 0; i < 90; i++) h.cut(1, i, frames[i]!);
    h.tracker.endSession('end');
    const [first, second] = h.closed;
    assert.deepEqual(
      [first!.rate, first!.inFrame, first!.tcIn, first!.tcOut, second!.tcIn, second!.tcOut],
      ['29.97DF', 1770, '00:00:59;00', '00:01:00;17', '00:01:00;17', '00:01:02;02'],
    );
    assert.ok(Math.abs(first!.durationS - 1.5015) < 1e-9, `duration ${first!.durationS}`);
    assert.ok(Math.abs(first!.outTime - (W0 + 1501.5)) < 1e-6, `outTime ${first!.outTime - W0}`);
    assert.ok(Math.abs(second!.startS - 1.5015) < 1e-9);
  });

  test('the source’s own start timecode, when allowed and known before the first frame', () => {
    const rate = timecodeRate('25');
    const h = new Harness({ timecode: new TimecodeClock(rate, 'frame-count', 0, true) });
    assert.equal(h.tracker.useSourceTimecode('25:00:00:00'), false, 'not a timecode');
    assert.equal(h.tracker.useSourceTimecode('10:00:00:00'), true);
    h.play(clip(10, []), new Map(), 0);
    assert.equal(h.tracker.useSourceTimecode('11:00:00:00'), false, 'too late: frames are stamped');
    h.tracker.endSession('end');
    assert.deepEqual([h.closed[0]!.tcIn, h.closed[0]!.tcOut], ['10:00:00:00', '10:00:00:10']);
  });
});
