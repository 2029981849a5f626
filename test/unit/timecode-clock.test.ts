/**
 * Where a camera's sessions start in timecode: from the configured start, or,
 * for a camera whose log already has shots, on after its last one as a
 * free-running camera counts (the time the server was down included), never
 * back; time of day and a source's own timecode as before.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TimecodeRateName } from '../../server/shared/shots.js';
import { TimecodeClock } from '../../server/shots/timecode-clock.js';
import { framesPerDay, framesToTimecode, timeOfDayFrames, timecodeRate, timecodeToFrames } from '../../server/shots/timecode.js';

const W0 = Date.UTC(2025, 8, 9, 8, 0, 0);
const R25 = timecodeRate('25');
const frames = (timecode: string, rate: TimecodeRateName = '25') => timecodeToFrames(timecode, timecodeRate(rate));
const tc = (count: number, rate: TimecodeRateName = '25') => framesToTimecode(count, timecodeRate(rate));
const clock = (start = '01:00:00:00', rate: TimecodeRateName = '25', fromSource = false) => new TimecodeClock(timecodeRate(rate), 'frame-count', frames(start, rate), fromSource);
/** The log of the camera ends at `out` (exclusive), that frame at wall time `wallMs`. */
const logEnd = (out: string, wallMs = W0, rate: TimecodeRateName = '25') => ({ frame: frames(out, rate), wallMs, rate: timecodeRate(rate) });

describe('a frame count resumed after the log', () => {
  test('a camera with no shots starts at the start', () => {
    assert.equal(tc(clock().sessionStart(W0)), '01:00:00:00');
  });

  test('the count goes on after the last out point by the time the server was down (free-run), then by the clock as before', () => {
    const c = clock();
    c.resumeAfter(logEnd('01:00:10:00'));
    // Back 5 s after the last frame written: 5 s of frames later.
    assert.equal(tc(c.sessionStart(W0 + 5000)), '01:00:15:00');
    // A reconnect 60 s later counts on from there, as it always did.
    assert.equal(tc(c.sessionStart(W0 + 65_000)), '01:01:15:00');
  });

  test('never back: a wall clock set back since starts at the last out point', () => {
    const c = clock();
    c.resumeAfter(logEnd('01:00:10:00'));
    assert.equal(tc(c.sessionStart(W0 - 3_600_000)), '01:00:10:00');
  });

  test('a start set later than the log ends is taken', () => {
    const c = clock('02:00:00:00');
    c.resumeAfter(logEnd('01:00:10:00'));
    assert.equal(tc(c.sessionStart(W0 + 5000)), '02:00:00:00');
  });

  test('a log at another rate carries over by its time', () => {
    const at24 = clock('00:00:00:00', '24');
    at24.resumeAfter(logEnd('01:00:10:00'));
    assert.equal(tc(at24.sessionStart(W0 + 2000), '24'), '01:00:12:00');
    const at2997 = clock('00:00:00;00', '29.97DF');
    at2997.resumeAfter(logEnd('01:00:00:00'));
    // 3600 s is 107892.1 frames at 29.97: the next whole frame, so that the count never goes back in time.
    assert.equal(tc(at2997.sessionStart(W0), '29.97DF'), '01:00:00;01');
  });

  test('past 24 hours the count wraps as it does for a run that never stopped', () => {
    const c = clock('23:59:50:00');
    c.resumeAfter(logEnd('23:59:59:20'));
    const resumed = c.sessionStart(W0 + 10_800);
    // A camera counting from 23:59:50:00 without a stop: 9.8 s to the last out point, 10.8 s more.
    const never = clock('23:59:50:00');
    never.sessionStart(W0 - 9800);
    assert.equal(resumed, never.sessionStart(W0 + 10_800));
    assert.equal(tc(resumed), '00:00:10:15');
    // A log that had wrapped already (stored unwrapped) goes on past the day too.
    const long = clock();
    long.resumeAfter({ frame: framesPerDay(R25) + 100, wallMs: W0, rate: R25 });
    assert.equal(tc(long.sessionStart(W0 + 1000)), '00:00:05:00');
  });

  test("time of day, and a source's own start timecode, are not resumed", () => {
    const tod = new TimecodeClock(R25, 'time-of-day', 0);
    tod.resumeAfter(logEnd('23:00:00:00'));
    assert.equal(tod.sessionStart(W0 + 5000), timeOfDayFrames(W0 + 5000, R25));
    const file = clock('00:00:00:00', '25', true);
    file.resumeAfter(logEnd('01:00:10:00'));
    assert.ok(file.useSourceStart('10:00:00:00'));
    assert.equal(tc(file.sessionStart(W0 + 5000)), '10:00:00:00');
  });

  test('a clock that has stamped a frame is not moved by a log end learnt later', () => {
    const c = clock();
    assert.equal(tc(c.sessionStart(W0)), '01:00:00:00');
    c.resumeAfter(logEnd('05:00:00:00'));
    assert.equal(tc(c.sessionStart(W0 + 1000)), '01:00:01:00');
  });
});
