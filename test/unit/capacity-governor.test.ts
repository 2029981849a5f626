import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CapacityGovernor, DEFAULT_GOVERNOR_OPTIONS, fairShares, type CapacityState } from '../../server/scheduling/capacity-governor.js';

test('fair shares: max-min, in the order given', () => {
  assert.deepEqual(fairShares([5, 5, 5, 5], 40), [5, 5, 5, 5]);
  assert.deepEqual(fairShares([5, 5, 5, 5], 10), [2.5, 2.5, 2.5, 2.5]);
  // A camera asking for less than the even split keeps its rate; the others share the rest.
  assert.deepEqual(fairShares([10, 1, 10], 9), [4, 1, 4]);
  assert.deepEqual(fairShares([], 10), []);
  assert.deepEqual(fairShares([5, 5], 0), [0, 0]);
});

/**
 * Simulates cameras at `fps` each in front of a model that takes `msPerFrame`
 * per frame, one batch at a time (the scheduler's own discipline), with a
 * virtual clock. Returns what each camera had analysed and each frame's wait.
 */
function simulate(governor: CapacityGovernor, cameras: string[], fps: number, msPerFrame: number, fromMs: number, toMs: number, queue: { id: string; at: number }[] = []) {
  const analysed = new Map(cameras.map((c) => [c, 0]));
  const waits: number[] = [];
  let busyUntil = fromMs;
  const interval = 1000 / fps;
  for (let t = fromMs; t < toMs; t += 1) {
    // Frames arrive, cameras staggered across the interval.
    cameras.forEach((id, i) => {
      const phase = (i * interval) / cameras.length;
      if (Math.floor((t - phase) / interval) !== Math.floor((t - 1 - phase) / interval)) {
        if (!governor.admit(id, t)) return;
        // The newest frame of a camera replaces an older one still waiting (the ring).
        const waiting = queue.findIndex((q) => q.id === id);
        if (waiting >= 0) queue.splice(waiting, 1);
        queue.push({ id, at: t });
      }
    });
    if (t >= busyUntil && queue.length) {
      const batch = queue.splice(0, queue.length);
      const took = batch.length * msPerFrame;
      busyUntil = t + took;
      for (const f of batch) {
        analysed.set(f.id, analysed.get(f.id)! + 1);
        waits.push(busyUntil - f.at);
      }
      governor.batch(busyUntil, took, batch.length);
    }
  }
  return { analysed, waits };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

test('within capacity every frame is analysed and nothing is reported', () => {
  const changes: CapacityState[] = [];
  const governor = new CapacityGovernor(DEFAULT_GOVERNOR_OPTIONS, (s) => changes.push(s));
  const cams = ['a', 'b', 'c', 'd'];
  cams.forEach((c) => governor.addCamera(c));
  // 4 x 5 fps at 20 ms a frame: the model is busy 40% of the time.
  const { analysed } = simulate(governor, cams, 5, 20, 0, 20_000);
  for (const c of cams) assert.ok(analysed.get(c)! >= 98, `${c} analysed ${analysed.get(c)}`);
  const state = governor.snapshot();
  assert.equal(state.overCapacity, false);
  assert.ok(Math.abs(state.demandFps - 20) < 1, `demand ${state.demandFps}`);
  assert.ok(state.capacityFps !== null && Math.abs(state.capacityFps - 50) < 5, `capacity ${state.capacityFps}`);
  assert.ok(changes.every((s) => !s.overCapacity));
});

test('over capacity every camera gets an even share, latency stays bounded, and the rates climb back when load falls', () => {
  const governor = new CapacityGovernor();
  const cams = Array.from({ length: 16 }, (_, i) => `cam-${i + 1}`);
  cams.forEach((c) => governor.addCamera(c));
  // 16 x 5 fps = 80 frames/s asked of a model that does 40 (25 ms a frame).
  const first = simulate(governor, cams, 5, 25, 0, 10_000);
  const state = governor.snapshot();
  assert.equal(state.overCapacity, true);
  const shares = Object.values(state.cameras).map((c) => c.allowedFps);
  assert.ok(Math.max(...shares) - Math.min(...shares) < 0.2, `uneven shares ${shares.join(', ')}`);
  // 0.85 of 40 frames/s split 16 ways.
  assert.ok(Math.abs(shares[0]! - (0.85 * 40) / 16) < 0.4, `share ${shares[0]}`);
  // After the first seconds, frames wait about one batch, not a growing queue.
  const steady = simulate(governor, cams, 5, 25, 10_000, 30_000);
  const counts = [...steady.analysed.values()];
  assert.ok(Math.min(...counts) >= 0.8 * Math.max(...counts), `unfair: ${counts.join(', ')}`);
  const total = counts.reduce((a, b) => a + b, 0) / 20;
  assert.ok(total > 0.75 * 40 && total <= 40, `analysed ${total} frames/s`);
  assert.ok(p95(steady.waits) < 300, `p95 wait ${p95(steady.waits)} ms`);
  assert.ok(first.waits.length > 0);

  // Twelve cameras go: the four left (20 frames/s) climb back to their full rate, a step at a time.
  for (const c of cams.slice(4)) governor.removeCamera(c);
  const rates: number[] = [];
  for (let s = 30; s < 45; s++) {
    simulate(governor, cams.slice(0, 4), 5, 25, s * 1000, (s + 1) * 1000);
    rates.push(governor.snapshot().cameras['cam-1']!.allowedFps);
  }
  assert.equal(governor.snapshot().overCapacity, false, JSON.stringify(governor.snapshot()));
  assert.ok(rates.at(-1)! > 4.7, `rates ${rates.join(', ')}`);
  assert.ok(rates[0]! < 4, `climbed at once: ${rates.join(', ')}`);
  rates.slice(1).forEach((r, i) => assert.ok(r <= Math.max(rates[i]! * 1.25, rates[i]! + 0.5) + 0.1, `jumped: ${rates.join(', ')}`));
});

test('skipped frames are spread evenly, never saved up into a burst', () => {
  const governor = new CapacityGovernor({ ...DEFAULT_GOVERNOR_OPTIONS, targetUtilisation: 0.5 });
  const cams = ['a', 'b'];
  cams.forEach((c) => governor.addCamera(c));
  simulate(governor, cams, 10, 40, 0, 8000);
  // Now ~0.5 * 25 = 12.5 frames/s between two cameras asking 10 each: 6.25 each.
  const kept: number[] = [];
  for (let i = 0; i < 40; i++) if (governor.admit('a', 8000 + i * 100)) kept.push(i);
  const gaps = kept.slice(1).map((k, i) => k - kept[i]!);
  assert.ok(gaps.every((g) => g >= 1 && g <= 2), `gaps ${gaps.join(',')}`);
});

test('a camera that stops delivering frees its share; an unknown camera is refused', () => {
  const governor = new CapacityGovernor();
  ['a', 'b', 'c'].forEach((c) => governor.addCamera(c));
  simulate(governor, ['a', 'b', 'c'], 10, 50, 0, 8000);
  assert.equal(governor.snapshot().overCapacity, true);
  // b and c stall: a alone asks 10 of ~17.
  simulate(governor, ['a'], 10, 50, 8000, 20_000);
  const state = governor.snapshot();
  assert.equal(state.cameras['b']!.arrivingFps, 0);
  assert.equal(state.overCapacity, false, JSON.stringify(state));
  assert.equal(governor.admit('nope', 20_000), false);
});

test('a camera that starts (its rate measured low at first) is not read as over capacity', () => {
  const changes: CapacityState[] = [];
  const governor = new CapacityGovernor(DEFAULT_GOVERNOR_OPTIONS, (s) => changes.push(s));
  governor.addCamera('a');
  // Two frames in its first second: read as about 1 fps; then 5 fps, well within what the model does.
  governor.admit('a', 0);
  governor.admit('a', 900);
  simulate(governor, ['a'], 5, 10, 1000, 8000);
  assert.ok(changes.every((s) => !s.overCapacity), JSON.stringify(changes.find((s) => s.overCapacity)));
});

test('shares held for a moment (a model warming up) are applied but not reported as over capacity', () => {
  const changes: CapacityState[] = [];
  const governor = new CapacityGovernor(DEFAULT_GOVERNOR_OPTIONS, (s) => changes.push(s));
  const cams = ['a', 'b', 'c', 'd'];
  cams.forEach((c) => governor.addCamera(c));
  // 60 ms a frame for the first 2.5 s (20 frames/s asked of ~17), then 10 ms.
  const slow = simulate(governor, cams, 5, 60, 0, 2500);
  simulate(governor, cams, 5, 10, 2500, 14_000);
  assert.ok(slow.analysed.get('a')! > 0);
  assert.ok(changes.some((s) => Object.values(s.cameras).some((c) => c.allowedFps < c.arrivingFps)), 'shares were applied');
  assert.ok(changes.every((s) => !s.overCapacity), JSON.stringify(changes.find((s) => s.overCapacity)));
  assert.equal(governor.snapshot().overCapacity, false);
});

test('every camera stops sending: read against the clock, the demand and the shares fall to nothing', () => {
  const governor = new CapacityGovernor();
  ['stallcam', 'b'].forEach((c) => governor.addCamera(c));
  // 2 x 10 fps asked of a model that does ~13: both held to a share.
  simulate(governor, ['stallcam', 'b'], 10, 75, 0, 8000);
  const held = governor.snapshot(8000);
  assert.ok(held.cameras['stallcam']!.allowedFps < held.cameras['stallcam']!.arrivingFps, JSON.stringify(held));
  // Then no frame and no batch at all (the publishers stopped): the state froze
  // at "stallcam 4.1 fps arriving, 2.7 allowed" for good.
  const later = governor.snapshot(8000 + DEFAULT_GOVERNOR_OPTIONS.windowMs + DEFAULT_GOVERNOR_OPTIONS.updateMs);
  assert.equal(later.demandFps, 0, JSON.stringify(later));
  assert.equal(later.overCapacity, false);
  for (const [id, share] of Object.entries(later.cameras)) {
    assert.equal(share.arrivingFps, 0, `${id}: ${JSON.stringify(share)}`);
    assert.equal(share.allowedFps, 0, `${id}: ${JSON.stringify(share)}`);
  }
  // Half-way there, the stopped camera's rate is already falling.
  const governor2 = new CapacityGovernor();
  governor2.addCamera('a');
  simulate(governor2, ['a'], 10, 10, 0, 8000);
  const before = governor2.snapshot(8000).cameras['a']!.arrivingFps;
  const falling = governor2.snapshot(10_000).cameras['a']!.arrivingFps;
  assert.ok(falling < before * 0.75, `${before} then ${falling}`);
});

/** The end of the spell at full speed: long enough for the shares to come off, shorter than reportAfterMs past that. */
const FAST_UNTIL = 11_500;

test('reported over capacity, it is taken back only after the shares have been off for a while: a model whose speed swings does not flap', () => {
  const changes: CapacityState[] = [];
  const governor = new CapacityGovernor(DEFAULT_GOVERNOR_OPTIONS, (s) => changes.push(s));
  const cams = ['a', 'b'];
  cams.forEach((c) => governor.addCamera(c));
  // 2 x 10 fps of a model that does ~13 (other work on the machine), then a few seconds at full speed, then slow again.
  simulate(governor, cams, 10, 75, 0, 8000);
  assert.equal(governor.snapshot().overCapacity, true);
  const reported = changes.length;
  simulate(governor, cams, 10, 10, 8000, FAST_UNTIL);
  assert.ok(changes.slice(reported).some((s) => Object.values(s.cameras).every((c) => c.allowedFps >= c.arrivingFps)), 'the shares came off meanwhile');
  simulate(governor, cams, 10, 75, FAST_UNTIL, 16_000);
  assert.ok(changes.slice(reported).every((s) => s.overCapacity), `reported back while the model was slow again: ${changes.slice(reported).map((s) => (s.overCapacity ? 'over' : 'back')).join(' ')}`);
  // Off for good: back once the shares have been off for reportAfterMs.
  simulate(governor, cams, 10, 10, 16_000, 26_000);
  assert.equal(governor.snapshot().overCapacity, false);
  const back = changes.findIndex((s, i) => i > reported && !s.overCapacity);
  const held = changes.map((s) => Object.values(s.cameras).some((c) => c.allowedFps < c.arrivingFps));
  const lastHeld = held.lastIndexOf(true);
  assert.ok(back > lastHeld, 'not before the shares came off');
});

test('held over capacity while the cameras climb back, the state says the model has room (recovering); short of it, not', () => {
  const changes: CapacityState[] = [];
  const governor = new CapacityGovernor(DEFAULT_GOVERNOR_OPTIONS, (s) => changes.push(s));
  const cams = ['a', 'b'];
  cams.forEach((c) => governor.addCamera(c));
  // 2 x 10 fps of a model that does ~13: over, and short of room.
  simulate(governor, cams, 10, 75, 0, 8000);
  assert.equal(governor.snapshot().overCapacity, true);
  assert.equal(governor.snapshot().recovering, false);
  const reported = changes.length;
  // The model at full speed: the shares climb back while "over capacity" is still held.
  simulate(governor, cams, 10, 10, 8000, FAST_UNTIL);
  const holdOver = changes.slice(reported).filter((s) => s.overCapacity);
  // Once the measured capacity (over its window) leaves room for both, every held-over state says so.
  const roomy = holdOver.filter((s) => s.capacityFps !== null && s.capacityFps * DEFAULT_GOVERNOR_OPTIONS.targetUtilisation >= s.demandFps);
  assert.ok(roomy.some((s) => Object.values(s.cameras).some((c) => c.allowedFps < c.arrivingFps)), 'some camera still climbing back with room to spare');
  assert.ok(roomy.every((s) => s.recovering === true), JSON.stringify(roomy.find((s) => !s.recovering)));
  assert.ok(holdOver.filter((s) => !roomy.includes(s)).every((s) => s.recovering === false), 'short of room: not recovering');
  simulate(governor, cams, 10, 10, FAST_UNTIL, 26_000);
  assert.equal(governor.snapshot().overCapacity, false);
  assert.equal(governor.snapshot().recovering, false);
});

test('reported over capacity with the model unmeasured (no batch in the window): not said to be recovering', () => {
  const governor = new CapacityGovernor();
  ['a', 'b'].forEach((c) => governor.addCamera(c));
  simulate(governor, ['a', 'b'], 10, 75, 0, 8000);
  assert.equal(governor.snapshot().overCapacity, true);
  // Frames keep arriving, the model runs no batch (stuck): its speed is unknown once the window has passed.
  for (let t = 8000; t < 13_000; t += 100) ['a', 'b'].forEach((id) => governor.admit(id, t));
  const state = governor.snapshot(13_000);
  assert.equal(state.capacityFps, null, JSON.stringify(state));
  assert.equal(state.overCapacity, true, JSON.stringify(state));
  assert.equal(state.recovering, false, JSON.stringify(state));
});
