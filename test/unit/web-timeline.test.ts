import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ShotRecord } from '../../server/shared/shots.js';
import {
  buildTimeline,
  cutStyle,
  cutWords,
  formatShotLength,
  formatSlate,
  minuteMarks,
  axisStepMs,
  nearestSegment,
  segmentAt,
  shotEnd,
  WALL_TIMELINE_MS,
} from '../../web/src/lib/timeline.js';

const NOW = 1_700_000_000_000;
const MIN = 60_000;

let nextId = 1;
function shot(inTime: number, outTime: number, extra: Partial<ShotRecord> = {}): ShotRecord {
  return {
    id: nextId++,
    cameraId: 'cam-1',
    status: 'closed',
    inTime,
    outTime,
    rate: '25',
    inFrame: 0,
    outFrame: 0,
    tcIn: '00:00:00:00',
    tcOut: '00:00:00:00',
    durationS: (outTime - inTime) / 1000,
    startS: 0,
    scale: 'MS',
    scaleStart: null,
    scaleEnd: null,
    confidence: 0.8,
    probabilities: [0, 0, 0, 0.8, 0.2, 0, 0, 0],
    readouts: 10,
    subjects: null,
    reason: null,
    cutIn: 'hard',
    cutOut: 'hard',
    scene: null,
    take: null,
    tags: [],
    note: null,
    hasThumbnail: false,
    ...extra,
  };
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

test('segments are fractions of the window; an open shot runs to now', () => {
  const shots = [shot(NOW - 4 * MIN, NOW - 2 * MIN), shot(NOW - 2 * MIN, NOW - MIN, { status: 'open', cutIn: 'dissolve', cutOut: null })];
  const t = buildTimeline(shots, NOW, 5 * MIN);
  assert.equal(t.from, NOW - 5 * MIN);
  assert.equal(t.to, NOW);
  assert.equal(t.segments.length, 2);
  assert.ok(close(t.segments[0]!.start, 0.2) && close(t.segments[0]!.end, 0.6));
  assert.ok(close(t.segments[1]!.start, 0.6) && close(t.segments[1]!.end, 1));
  assert.equal(t.segments[1]!.open, true);
  assert.equal(t.segments[0]!.open, false);
  // Before the first shot: a gap; no gap after the open shot.
  assert.deepEqual(t.gaps.length, 1);
  assert.ok(close(t.gaps[0]!.start, 0) && close(t.gaps[0]!.end, 0.2));
  // Cuts: the first shot's start (hard) and the dissolve into the open one.
  assert.deepEqual(
    t.cuts.map((c) => [c.kind, c.style]),
    [
      ['hard', 'hard'],
      ['dissolve', 'gradual'],
    ],
  );
  assert.ok(close(t.cuts[1]!.at, 0.6));
});

test('shots are clipped to the window; those outside are dropped', () => {
  const shots = [shot(NOW - 9 * MIN, NOW - 6 * MIN), shot(NOW - 6 * MIN, NOW - 3 * MIN), shot(NOW - 3 * MIN, NOW + MIN)];
  const t = buildTimeline(shots, NOW, 5 * MIN);
  assert.equal(t.segments.length, 2);
  const [a, b] = t.segments;
  assert.equal(a!.start, 0, 'clipped at the window start');
  assert.equal(a!.startTime, NOW - 5 * MIN);
  assert.ok(close(a!.end, 0.4));
  assert.equal(b!.end, 1, 'clipped at now');
  assert.equal(t.gaps.length, 0);
  // No cut at the clipped start; one at the boundary between the two.
  assert.equal(t.cuts.length, 1);
  assert.ok(close(t.cuts[0]!.at, 0.4));
});

test('gaps where no shot was logged, with the source boundaries marked', () => {
  const shots = [
    shot(NOW - 5 * MIN, NOW - 4 * MIN, { cutIn: 'start', cutOut: 'restart' }),
    shot(NOW - 3 * MIN, NOW - 2 * MIN, { cutIn: 'start', cutOut: 'take' }),
    shot(NOW - 2 * MIN, NOW - MIN, { cutIn: 'take', cutOut: null, status: 'closed' }),
  ];
  const t = buildTimeline(shots, NOW, 5 * MIN);
  assert.equal(t.gaps.length, 2);
  assert.ok(close(t.gaps[0]!.start, 0.2) && close(t.gaps[0]!.end, 0.4));
  assert.ok(close(t.gaps[1]!.start, 0.8) && close(t.gaps[1]!.end, 1));
  assert.deepEqual(
    t.cuts.map((c) => [c.kind, c.style]),
    [
      ['restart', 'source'],
      ['start', 'source'],
      ['take', 'take'],
      ['end', 'source'],
    ],
  );
});

test('a hairline between two shots is closed, a real gap is kept', () => {
  const shots = [shot(NOW - 4 * MIN, NOW - 3 * MIN - 200), shot(NOW - 3 * MIN, NOW - 2 * MIN), shot(NOW - 2 * MIN + 5000, NOW - MIN)];
  const t = buildTimeline(shots, NOW, 5 * MIN);
  assert.equal(t.segments[0]!.endTime, t.segments[1]!.startTime);
  assert.equal(t.gaps.length, 3, 'before, the 5 s hole, after');
  assert.ok(close(t.gaps[1]!.end - t.gaps[1]!.start, 5000 / (5 * MIN)));
  const custom = buildTimeline(shots, NOW, 5 * MIN, { minGapMs: 0 });
  assert.equal(custom.gaps.length, 4);
});

test('an overlapping stale open shot ends where the next begins; order of input does not matter', () => {
  const stale = shot(NOW - 4 * MIN, NOW - 3 * MIN, { status: 'open' });
  const later = shot(NOW - 2 * MIN, NOW - MIN, { status: 'open' });
  const t = buildTimeline([later, stale], NOW, 5 * MIN);
  assert.equal(t.segments.length, 2);
  assert.equal(t.segments[0]!.shot, stale);
  assert.equal(t.segments[0]!.endTime, NOW - 2 * MIN);
  assert.equal(t.segments[0]!.open, false);
  assert.equal(t.segments[1]!.endTime, NOW);
  assert.equal(t.segments[1]!.open, true);
  for (let i = 1; i < t.segments.length; i++) assert.ok(t.segments[i]!.start >= t.segments[i - 1]!.end);
});

test('keys are unique even for shots that are not stored (id 0)', () => {
  const t = buildTimeline([shot(NOW - 3 * MIN, NOW - 2 * MIN, { id: 0 }), shot(NOW - 2 * MIN, NOW - MIN, { id: 0 })], NOW, 5 * MIN);
  assert.equal(new Set(t.segments.map((s) => s.key)).size, 2);
});

test('empty input, an empty window and a bad clock give an empty timeline', () => {
  const empty = buildTimeline([], NOW, WALL_TIMELINE_MS);
  assert.deepEqual(empty.segments, []);
  assert.deepEqual(empty.gaps, [{ start: 0, end: 1 }]);
  assert.equal(buildTimeline([shot(NOW - MIN, NOW)], NOW, 0).segments.length, 0);
  assert.equal(buildTimeline([shot(NOW - MIN, NOW)], Number.NaN, MIN).segments.length, 0);
});

test('shotEnd: open shots end now (or later), closed ones at outTime', () => {
  assert.equal(shotEnd(shot(NOW - MIN, NOW - 1000, { status: 'open' }), NOW), NOW);
  assert.equal(shotEnd(shot(NOW - MIN, NOW + 1000, { status: 'open' }), NOW), NOW + 1000);
  assert.equal(shotEnd(shot(NOW - MIN, NOW - 1000), NOW), NOW - 1000);
});

test('segmentAt finds the segment under a fraction, -1 in gaps; nearestSegment snaps', () => {
  const t = buildTimeline([shot(NOW - 4 * MIN, NOW - 3 * MIN), shot(NOW - 2 * MIN, NOW)], NOW, 5 * MIN);
  assert.equal(segmentAt(t, 0.1), -1);
  assert.equal(segmentAt(t, 0.2), 0);
  assert.equal(segmentAt(t, 0.39), 0);
  assert.equal(segmentAt(t, 0.5), -1);
  assert.equal(segmentAt(t, 0.6), 1);
  assert.equal(segmentAt(t, 1), 1);
  assert.equal(segmentAt(t, 1.5), -1);
  assert.equal(nearestSegment(t, 0.05), 0);
  assert.equal(nearestSegment(t, 0.55), 1);
  assert.equal(nearestSegment(buildTimeline([], NOW, MIN), 0.5), -1);
});

test('cut kinds: styles and words', () => {
  assert.equal(cutStyle('hard'), 'hard');
  assert.equal(cutStyle('fade'), 'gradual');
  assert.equal(cutStyle('dissolve'), 'gradual');
  assert.equal(cutStyle('take'), 'take');
  for (const k of ['start', 'restart', 'end'] as const) assert.equal(cutStyle(k), 'source');
  assert.equal(cutWords('hard'), 'hard cut');
  assert.equal(cutWords(null), 'running');
});

test('formatShotLength, formatSlate, minuteMarks', () => {
  assert.equal(formatShotLength(0.84), '0.8 s');
  assert.equal(formatShotLength(12.44), '12.4 s');
  assert.equal(formatShotLength(65), '1:05');
  assert.equal(formatShotLength(3723), '1:02:03');
  assert.equal(formatShotLength(-1), '—');
  assert.equal(formatShotLength(Number.NaN), '—');
  assert.equal(formatSlate('12', '3'), 'Sc 12 / Tk 3');
  assert.equal(formatSlate('12', null), 'Sc 12');
  assert.equal(formatSlate(null, null), null);
  // A name that starts with the word itself is not prefixed with it again.
  assert.equal(formatSlate('Scene of the crime', '3'), 'Scene of the crime / Tk 3');
  assert.equal(formatSlate('SC 4A', null), 'SC 4A');
  assert.equal(formatSlate('Scenery', '1'), 'Sc Scenery / Tk 1');
  const marks = minuteMarks(5 * MIN);
  assert.equal(marks.length, 6);
  assert.deepEqual(marks[0], { at: 0, label: '−5 min' });
  assert.deepEqual(marks.at(-1), { at: 1, label: 'now' });
  assert.deepEqual(minuteMarks(0), []);
  // The marks' step fits the strip's width: each minute or two on a wide screen, fewer on a phone.
  assert.equal(axisStepMs(5 * MIN, null), MIN);
  assert.equal(axisStepMs(10 * MIN, null), 2 * MIN);
  assert.equal(axisStepMs(10 * MIN, 1200), 2 * MIN);
  assert.equal(axisStepMs(10 * MIN, 340), 5 * MIN, 'a phone: −10, −5 and now');
  assert.equal(axisStepMs(10 * MIN, 150), 10 * MIN);
  assert.equal(axisStepMs(10 * MIN, 60), 10 * MIN, 'narrower still: the window and now');
  assert.equal(axisStepMs(5 * MIN, 300), 2 * MIN);
});
