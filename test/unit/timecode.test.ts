import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isShotscaleError } from '../../server/errors.js';
import type { TimecodeRateName } from '../../server/shared/shots.js';
import {
  TIMECODE_RATE_NAMES,
  framesPerDay,
  framesToSeconds,
  framesToTimecode,
  isTimecodeRateName,
  rateFromFps,
  secondsToFrames,
  timecodeRate,
  timecodeToFrames,
} from '../../server/shots/timecode.js';

const tc = (frames: number, rate: TimecodeRateName) => framesToTimecode(frames, timecodeRate(rate));
const frames = (timecode: string, rate: TimecodeRateName) => timecodeToFrames(timecode, timecodeRate(rate));

/** Known pairs, worked out by hand from the SMPTE 12M counting rules. */
const KNOWN: [TimecodeRateName, number, string][] = [
  ['29.97DF', 0, '00:00:00;00'],
  ['29.97DF', 1799, '00:00:59;29'],
  ['29.97DF', 1800, '00:01:00;02'],
  ['29.97DF', 3597, '00:01:59;29'],
  ['29.97DF', 3598, '00:02:00;02'],
  ['29.97DF', 17981, '00:09:59;29'],
  ['29.97DF', 17982, '00:10:00;00'],
  ['29.97DF', 17982 + 1800, '00:11:00;02'],
  ['29.97DF', 107892, '01:00:00;00'],
  ['29.97DF', 2589407, '23:59:59;29'],
  ['59.94DF', 3599, '00:00:59;59'],
  ['59.94DF', 3600, '00:01:00;04'],
  ['59.94DF', 35964, '00:10:00;00'],
  ['59.94DF', 215784, '01:00:00;00'],
  ['23.976', 24, '00:00:01:00'],
  ['23.976', 86400, '01:00:00:00'],
  ['24', 86399, '00:59:59:23'],
  ['25', 90000, '01:00:00:00'],
  ['25', 90000 * 10 + 25 * 4 + 12, '10:00:04:12'],
  ['29.97', 1800, '00:01:00:00'],
  ['29.97', 107892, '00:59:56:12'],
  ['30', 108000, '01:00:00:00'],
  ['50', 180000 + 49, '01:00:00:49'],
  ['59.94', 216000, '01:00:00:00'],
  ['60', 3600, '00:01:00:00'],
];

describe('timecode: known values', () => {
  for (const [rate, count, timecode] of KNOWN) {
    test(`${rate}: frame ${count} = ${timecode}`, () => {
      assert.equal(tc(count, rate), timecode);
      assert.equal(frames(timecode, rate), count);
    });
  }

  test('frames in a day: 24 h at the nominal rate less the skipped numbers', () => {
    assert.equal(framesPerDay(timecodeRate('29.97DF')), 2589408);
    assert.equal(framesPerDay(timecodeRate('59.94DF')), 5178816);
    assert.equal(framesPerDay(timecodeRate('29.97')), 2592000);
    assert.equal(framesPerDay(timecodeRate('23.976')), 2073600);
    assert.equal(framesPerDay(timecodeRate('25')), 2160000);
  });

  test('drop-frame uses ";" before the frames, every other rate ":"', () => {
    for (const rate of TIMECODE_RATE_NAMES) {
      const text = tc(123456, rate);
      assert.match(text, timecodeRate(rate).dropFrame ? /^\d\d:\d\d:\d\d;\d\d$/ : /^\d\d:\d\d:\d\d:\d\d$/, rate);
    }
  });
});

describe('timecode: round trips at every rate', () => {
  for (const rate of TIMECODE_RATE_NAMES) {
    test(`${rate}: frames -> timecode -> frames across minutes, ten minutes, hours and midnight`, () => {
      const r = timecodeRate(rate);
      const day = framesPerDay(r);
      const perMinute = 60 * r.nominal;
      const checked = new Set<number>();
      const ranges: [number, number][] = [[0, 3 * r.nominal]];
      // Around the first eleven minute marks (drop and no-drop minutes), each hour mark, and the wrap.
      for (let minute = 1; minute <= 11; minute++) {
        const at = frames(`00:${String(minute).padStart(2, '0')}:00${r.dropFrame ? ';' : ':'}${r.dropFrame && minute % 10 ? String(Math.round(r.nominal / 15)).padStart(2, '0') : '00'}`, rate);
        ranges.push([at - 2 * r.nominal, at + 2 * r.nominal]);
      }
      for (const hour of [1, 10, 23]) ranges.push([hour * (day / 24) - perMinute, hour * (day / 24) + perMinute]);
      ranges.push([day - 3 * r.nominal, day - 1]);

      let previous: string | undefined;
      for (const [from, to] of ranges) {
        previous = undefined;
        for (let n = from; n <= to; n++) {
          const text = tc(n, rate);
          assert.equal(frames(text, rate), n, `${rate} frame ${n} -> ${text}`);
          if (previous !== undefined) assert.ok(text > previous, `${rate}: ${text} follows ${previous}`);
          previous = text;
          checked.add(n);
        }
      }
      assert.ok(checked.size > 10 * r.nominal);
    });

    test(`${rate}: wraps at 24 hours, both ways`, () => {
      const r = timecodeRate(rate);
      const day = framesPerDay(r);
      const sep = r.dropFrame ? ';' : ':';
      assert.equal(tc(day, rate), `00:00:00${sep}00`);
      assert.equal(tc(day + 5, rate), `00:00:00${sep}05`);
      assert.equal(tc(-1, rate), `23:59:59${sep}${String(r.nominal - 1).padStart(2, '0')}`);
      assert.equal(frames(tc(-1, rate), rate), day - 1);
    });
  }

  test('every 29.97DF frame of the first hour maps to a distinct timecode and back', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 107892; n++) {
      const text = tc(n, '29.97DF');
      assert.equal(frames(text, '29.97DF'), n);
      seen.add(text);
    }
    assert.equal(seen.size, 107892);
  });
});

describe('timecode: rejection', () => {
  const rejects = (text: string, rate: TimecodeRateName) =>
    assert.throws(() => frames(text, rate), (error: unknown) => isShotscaleError(error, 'BAD_REQUEST'), `${text} at ${rate}`);

  test('skipped drop-frame numbers do not exist', () => {
    rejects('00:01:00;00', '29.97DF');
    rejects('00:01:00;01', '29.97DF');
    rejects('00:09:00;01', '29.97DF');
    rejects('01:01:00;00', '29.97DF');
    rejects('00:01:00;03', '59.94DF');
    assert.equal(frames('00:01:00;02', '29.97DF'), 1800);
    assert.equal(frames('00:10:00;00', '29.97DF'), 17982, 'every tenth minute keeps its first numbers');
    assert.equal(frames('00:10:00;01', '29.97DF'), 17983);
    assert.equal(frames('00:01:00;04', '59.94DF'), 3600);
    assert.equal(frames('00:01:00:00', '29.97'), 1800, 'non-drop 29.97 has every number');
  });

  test('malformed and out-of-range timecodes', () => {
    for (const text of ['', 'aa:bb:cc:dd', '00:00:00', '00:00:00:00:00', '0:0:0:0', '00-00-00-00', '24:00:00:00', '00:60:00:00', '00:00:60:00', '00:00:00:25']) {
      rejects(text, '25');
    }
    rejects('00:00:00:24', '24');
    rejects('00:00:00;30', '29.97DF');
    rejects('00:00:00:60', '59.94');
  });

  test('a fractional frame count is refused', () => {
    assert.throws(() => tc(1.5, '25'), RangeError);
  });
});

describe('timecode: rates', () => {
  test('rateFromFps snaps measured rates to the standard ones', () => {
    const snap = (fps: number, dropFrame?: boolean) => rateFromFps(fps, dropFrame)?.name ?? null;
    assert.equal(snap(29.97), '29.97DF');
    assert.equal(snap(29.97, false), '29.97');
    assert.equal(snap(59.94), '59.94DF');
    assert.equal(snap(59.94, false), '59.94');
    assert.equal(snap(23.976), '23.976');
    assert.equal(snap(24), '24');
    assert.equal(snap(25.01), '25');
    assert.equal(snap(24.99), '25');
    assert.equal(snap(30), '30');
    assert.equal(snap(30, false), '30');
    assert.equal(snap(50), '50');
    assert.equal(snap(60), '60');
    assert.equal(snap(12), null);
    assert.equal(snap(26), null);
    assert.equal(snap(48), null);
  });

  test('rateFromFps: exact NTSC rates (ffprobe r_frame_rate) snap to the NTSC timecode rates', () => {
    assert.equal(rateFromFps(30000 / 1001)?.name, '29.97DF');
    assert.equal(rateFromFps(30000 / 1001, false)?.name, '29.97');
    assert.equal(rateFromFps(60000 / 1001)?.name, '59.94DF');
    assert.equal(rateFromFps(24000 / 1001)?.name, '23.976');
    assert.equal(rateFromFps(23.98)?.name, '23.976');
  });

  test('rateFromFps picks the nearest rate when two are within 0.1%', () => {
    assert.equal(rateFromFps(59.95)?.name, '59.94DF');
    assert.equal(rateFromFps(29.975)?.name, '29.97DF');
    assert.equal(rateFromFps(23.99)?.name, '24');
  });

  test('seconds and frames', () => {
    assert.equal(secondsToFrames(3600, timecodeRate('29.97DF')), 107892);
    assert.equal(secondsToFrames(1, timecodeRate('25')), 25);
    assert.equal(framesToSeconds(1001, timecodeRate('23.976')), 1001 / (24000 / 1001));
  });

  test('rate names', () => {
    assert.equal(TIMECODE_RATE_NAMES.length, 10);
    for (const name of TIMECODE_RATE_NAMES) {
      assert.ok(isTimecodeRateName(name));
      assert.equal(timecodeRate(name).name, name);
    }
    assert.equal(isTimecodeRateName('29.97NDF'), false);
    assert.equal(isTimecodeRateName('toString'), false);
  });
});
