import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scaleChange, shotComment } from '../../server/exports/shot-description.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';
import type { ShotRecord } from '../../server/shared/shots.js';
import type { Subjects } from '../../server/shared/socket-events.js';
import { ShotAccumulator } from '../../server/shots/shot-accumulator.js';

const onehot = (scale: CanonicalScale, p = 0.8) => CANONICAL_SCALES.map((s) => (s === scale ? p : (1 - p) / 7));

/** Readouts 5 a second: each [label, seconds] run after the other. */
function play(runs: [CanonicalScale, number][]): { acc: ShotAccumulator; endS: number } {
  const acc = new ShotAccumulator(null);
  let t = 0;
  for (const [label, seconds] of runs) {
    for (let i = 0; i < seconds * 5; i++, t += 0.2) acc.add({ label, smoothed: onehot(label), reason: `${label} reason` }, t, null);
  }
  return { acc, endS: t };
}

describe('the scale of a shot', () => {
  test('a push-in: the scale held longest, and the scales it opens and closes on', () => {
    // MS for 2 s, MCU for 1 s on the way in, then CU for 3 s.
    const { acc, endS } = play([['MS', 2], ['MCU', 1], ['CU', 3]]);
    const summary = acc.summary(endS / 2, endS);
    assert.equal(summary.scale, 'CU');
    assert.equal(summary.scaleStart, 'MS');
    assert.equal(summary.scaleEnd, 'CU');
    assert.equal(summary.reason, 'CU reason', 'the reason is one given for the scale');
  });

  test('never a class the shot did not have: an even MS / CU mix is one of them, not MCU by the average', () => {
    const { acc, endS } = play([['MS', 3], ['CU', 3]]);
    const summary = acc.summary(endS / 2, endS);
    assert.ok(['MS', 'CU'].includes(summary.scale), summary.scale);
    assert.notEqual(summary.scale, 'MCU');
  });

  test('a steady shot opens and closes on its scale', () => {
    const { acc, endS } = play([['WS', 4]]);
    const summary = acc.summary(endS / 2, endS);
    assert.deepEqual([summary.scale, summary.scaleStart, summary.scaleEnd], ['WS', 'WS', 'WS']);
  });

  test('the subjects are those seen in the frames that read the shot\'s scale, so they and the reason describe the same frames', () => {
    const one: Subjects = { count: 1, kind: 'person', framing: 'single', overTheShoulder: false };
    const none: Subjects = { count: 0, kind: 'none', framing: 'none', overTheShoulder: false };
    // A held MCU: the person found in 2 frames, lost in the 5 after (their own reading EWS).
    const acc = new ShotAccumulator(null);
    const frames: [CanonicalScale, Subjects][] = [['MCU', one], ['MCU', one], ...Array.from({ length: 5 }, (): [CanonicalScale, Subjects] => ['EWS', none])];
    frames.forEach(([own, subjects], i) => acc.add({ label: 'MCU', smoothed: onehot('MCU'), raw: onehot(own), reason: `${own} reason`, subjects }, i * 0.2, null));
    const summary = acc.summary(0.7, 1.4);
    assert.equal(summary.scale, 'MCU');
    assert.deepEqual([summary.subjects, summary.reason], [one, 'MCU reason'], 'not "no one in frame" beside a reason about a body');
    // No frame of its own reads the held scale: the shot is what they read, with their subjects and reason.
    const held = new ShotAccumulator(null);
    for (let i = 0; i < 3; i++) held.add({ label: 'MS', smoothed: onehot('MS'), raw: onehot('FS'), reason: 'FS reason', subjects: none }, i * 0.2, null);
    const own = held.summary(0.2, 0.6);
    assert.deepEqual([own.scale, own.subjects, own.reason], ['FS', none, 'FS reason']);
  });

  test('the reason is one given by a frame with the subjects the shot says, where one gave it', () => {
    const two: Subjects = { count: 2, kind: 'people', framing: 'two-shot', overTheShoulder: false };
    const three: Subjects = { count: 3, kind: 'people', framing: 'group', overTheShoulder: false };
    const acc = new ShotAccumulator(null);
    const frames: [Subjects, string][] = [[two, '2 people, feet in'], [two, '2 people, feet in'], [three, '3 people, feet in'], [two, '2 people, feet in, later']];
    frames.forEach(([subjects, reason], i) => acc.add({ label: 'FS', smoothed: onehot('FS'), reason, subjects }, i, null));
    // Mid-shot (2.2 s) is nearest the 3-people frame (2 s); the shot is a two-shot, whose frame nearest it is at 3 s.
    const summary = acc.summary(2.2, 4);
    assert.deepEqual([summary.subjects, summary.reason], [two, '2 people, feet in, later']);
  });

  test('no frame analysed: the scale is carried over, start and end unknown', () => {
    const acc = new ShotAccumulator(onehot('FS'));
    const summary = acc.summary(1, 2);
    assert.deepEqual([summary.scale, summary.scaleStart, summary.scaleEnd, summary.readouts], ['FS', null, null, 0]);
  });

  test('only a label its frames read: a stable label none of them read gives its time to what each read', () => {
    // The sky after a face: the wall held the face's ECU over the first 0.6 s (hysteresis), every frame read EWS.
    const acc = new ShotAccumulator(null);
    const sky = { raw: onehot('EWS', 0.5), reason: 'no person or face found -> EWS' };
    for (let t = 0; t < 0.6; t += 0.2) acc.add({ ...sky, label: 'ECU', smoothed: onehot('ECU', 0.4) }, t, null);
    for (let t = 0.6; t < 0.88; t += 0.2) acc.add({ ...sky, label: 'EWS', smoothed: onehot('EWS', 0.5) }, t, null);
    const summary = acc.summary(0.44, 0.88);
    assert.deepEqual([summary.scale, summary.scaleStart, summary.scaleEnd, summary.reason], ['EWS', 'EWS', 'EWS', 'no person or face found -> EWS']);
    // A label the average reached between two read ones (MCU between an MS and a CU frame) is no label a frame read either.
    const between = new ShotAccumulator(null);
    for (let t = 0; t < 2; t += 0.2) between.add({ label: 'MCU', raw: onehot(t < 0.6 ? 'MS' : 'CU'), smoothed: onehot('MCU', 0.4), reason: t < 0.6 ? 'hips -> MS' : 'face -> CU' }, t, null);
    assert.deepEqual([between.summary(1, 2).scale, between.summary(1, 2).reason], ['CU', 'face -> CU']);
  });

  test('a readout smoothed again (its cut found after it was read) counts as relabelled', () => {
    const acc = new ShotAccumulator(null);
    const places = [0, 0.2, 0.4, 0.6].map((t) => acc.add({ label: 'ECU', raw: onehot('EWS'), smoothed: onehot('ECU'), reason: 'sky -> EWS' }, t, null));
    assert.equal(acc.add({ label: 'ECU', smoothed: onehot('ECU'), noPicture: 'black' }, 0.8, null), null, 'a frame with no picture has no place');
    for (const place of places.slice(0, 3)) acc.relabel(place!, { label: 'EWS', smoothed: onehot('EWS') });
    const summary = acc.summary(0.5, 1);
    assert.equal(summary.scale, 'EWS');
    const expected = CANONICAL_SCALES.map((_s, i) => (3 * onehot('EWS')[i]! + onehot('ECU')[i]!) / 4);
    assert.ok(
      summary.probabilities.every((p, i) => Math.abs(p - expected[i]!) < 1e-12),
      summary.probabilities.join(' '),
    );
  });

  test('exports say a change of scale in words', () => {
    const shot = { scale: 'CU', scaleStart: 'MS', scaleEnd: 'CU', confidence: 0.8, subjects: null, reason: null } as unknown as ShotRecord;
    assert.equal(scaleChange(shot), 'MS to CU');
    assert.match(shotComment(shot), /^CU 0\.80 \(MS to CU\)/);
    assert.equal(scaleChange({ scaleStart: 'WS', scaleEnd: 'WS' }), '');
  });
});

describe('frames with no picture in a shot', () => {
  test('they count towards nothing: not the scale, the probabilities, the reason or the thumbnail', () => {
    const acc = new ShotAccumulator(null);
    const thumb = (timeS: number) => ({ timeS, width: 2, height: 1, data: new Uint8Array(6) });
    for (let i = 0; i < 10; i++) acc.add({ label: 'MS', smoothed: onehot('MS'), reason: 'hips -> MS' }, i / 5, thumb(i / 5));
    // Three seconds of black mid-shot (the feed lost its signal), read as ECU by the model, held as MS by the wall.
    for (let i = 10; i < 25; i++) acc.add({ label: 'MS', smoothed: onehot('MS'), raw: onehot('ECU', 0.9), reason: 'no picture (black)', noPicture: 'black' }, i / 5, thumb(i / 5));
    const summary = acc.summary(2.5, 5);
    assert.deepEqual([summary.scale, summary.reason, summary.readouts, summary.noPicture], ['MS', 'hips -> MS', 10, undefined]);
    // From the first black readout (2 s) to the shot's end (5 s): every black readout holds until the next.
    assert.ok(Math.abs(summary.noPictureS! - 3) < 1e-9, String(summary.noPictureS));
    assert.ok(acc.thumbnail(4.8)!.timeS < 2, 'the thumbnail is a frame with a picture');
  });

  test('a spell of black credits no scale with its time: the scale held longest is the one read longest', () => {
    const black = { label: 'MS' as const, smoothed: onehot('MS'), raw: onehot('ECU', 0.9), reason: 'no picture (black)', noPicture: 'black' as const };
    // 1 s of MS, 8 s of black (the wall holding MS), 2 s of CU.
    const acc = new ShotAccumulator(null);
    for (let t = 0; t < 1; t += 0.2) acc.add({ label: 'MS', smoothed: onehot('MS'), reason: 'hips -> MS' }, t, null);
    for (let t = 1; t < 9; t += 0.2) acc.add(black, t, null);
    for (let t = 9; t < 11; t += 0.2) acc.add({ label: 'CU', smoothed: onehot('CU'), reason: 'face -> CU' }, t, null);
    const summary = acc.summary(5.5, 11);
    assert.deepEqual([summary.scale, summary.scaleStart, summary.scaleEnd, summary.reason], ['CU', 'MS', 'CU', 'face -> CU']);
    // 2 s of MS, 1 s of CU, then black to the shot's end: the black is no CU either.
    const fading = new ShotAccumulator(null);
    for (let t = 0; t < 2; t += 0.2) fading.add({ label: 'MS', smoothed: onehot('MS'), reason: 'hips -> MS' }, t, null);
    for (let t = 2; t < 3; t += 0.2) fading.add({ label: 'CU', smoothed: onehot('CU'), reason: 'face -> CU' }, t, null);
    for (let t = 3; t < 8; t += 0.2) fading.add({ ...black, label: 'CU', smoothed: onehot('CU') }, t, null);
    assert.equal(fading.summary(4, 8).scale, 'MS');
  });

  test('a shot with no picture from cut to cut says so, with the scale carried over at half confidence', () => {
    const acc = new ShotAccumulator(onehot('WS'));
    for (let t = 0; t < 3; t += 0.2) acc.add({ label: 'ECU', smoothed: onehot('ECU'), reason: 'no picture (black)', noPicture: 'black' }, t, null);
    const summary = acc.summary(1.5, 3);
    assert.deepEqual([summary.scale, summary.reason, summary.readouts, summary.noPicture], ['WS', 'no picture (black) throughout', 0, 'black']);
    assert.ok(Math.abs(summary.noPictureS! - 3) < 1e-9, String(summary.noPictureS));
    assert.ok(summary.confidence <= 0.4);
  });

  test('a shot too short to analyse is no shot without a picture: nothing was seen either way', () => {
    const summary = new ShotAccumulator(onehot('WS')).summary(0.1, 0.2);
    assert.deepEqual([summary.scale, summary.readouts, summary.noPicture, summary.noPictureS], ['WS', 0, undefined, undefined]);
  });
});

