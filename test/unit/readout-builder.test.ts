import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadoutBuilder } from '../../server/analysis/readout-builder.js';
import type { Frame } from '../../server/shared/frame.js';

/** Two pixels, one dark and one light: a picture (one flat colour would be no picture). */
const PICTURE = new Uint8Array([20, 30, 40, 200, 190, 180]);
const frame = (captureTime: number, cameraId = 'a', data = PICTURE): Frame => ({ cameraId, seq: 0, session: 1, timeS: captureTime / 1000, captureTime, width: 2, height: 1, data });
const reads = (cls: number, reason: string) => ({ probabilities: [0, 1, 2, 3, 4, 5, 6, 7].map((c) => (c === cls ? 0.65 : 0.05)), reason });

describe('readout builder', () => {
  test('a held label keeps the reason of the frame that last read it; the frame\'s own reason stays beside it', () => {
    const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5 }, () => 0);
    const first = builder.build(frame(0), reads(2, 'chest -> MCU'), 'm');
    assert.deepEqual([first.label, first.reason, first.labelReason], ['MCU', 'chest -> MCU', 'chest -> MCU']);
    // The next frame (say, the mirror) reads MS; the label holds MCU by hysteresis.
    const held = builder.build(frame(200), reads(3, 'hips -> MS'), 'm');
    assert.deepEqual([held.label, held.reason, held.labelReason], ['MCU', 'hips -> MS', 'chest -> MCU']);
    const again = builder.build(frame(400), reads(2, 'chest (2.1 heads) -> MCU'), 'm');
    assert.equal(again.labelReason, 'chest (2.1 heads) -> MCU', 'the latest frame that read the label');
    // MS for long enough takes over, with its own reason.
    let last = again;
    for (let t = 600; t <= 3000; t += 200) last = builder.build(frame(t), reads(3, `hips at ${t}`), 'm');
    assert.deepEqual([last.label, last.labelReason], ['MS', 'hips at 3000']);
    // Cameras are apart, and a cut forgets the reasons with the smoothing.
    assert.equal(builder.build(frame(0, 'b'), { probabilities: reads(5, '').probabilities }, 'm').labelReason, undefined, 'camera b has no reasons of a');
    builder.reset('a');
    const cut = builder.build(frame(3200), reads(6, 'wide -> WS'), 'm');
    assert.deepEqual([cut.label, cut.labelReason], ['WS', 'wide -> WS']);
  });

  test('a held label shows who was in the frame that read it, not who the latest frame found', () => {
    const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5 }, () => 0);
    const person = { count: 1, kind: 'person', framing: 'single', overTheShoulder: false } as const;
    const nobody = { count: 0, kind: 'none', framing: 'none', overTheShoulder: false } as const;
    const first = builder.build(frame(0), { ...reads(4, 'mid-thigh -> MWS'), subjects: person }, 'm');
    assert.deepEqual([first.labelReason, first.labelSubjects], ['mid-thigh -> MWS', person]);
    // A blurred frame finds nobody and reads EWS; MWS holds, with the person of the frame that read it.
    const held = builder.build(frame(200), { ...reads(7, 'no person or face found -> EWS'), subjects: nobody }, 'm');
    assert.deepEqual([held.label, held.subjects, held.labelReason, held.labelSubjects], ['MWS', nobody, 'mid-thigh -> MWS', person]);
  });

  test('frames in which nobody was found weigh less: a few detector misses in a shot of people do not flip the label, an empty shot still takes over', () => {
    const person = { count: 1, kind: 'person', framing: 'single', overTheShoulder: false } as const;
    const nobody = { count: 0, kind: 'none', framing: 'none', overTheShoulder: false } as const;
    // At 5 fps: MCU with someone in frame, then five frames (a second) that find nobody and read EWS (a blurred, windswept selfie), then MCU again.
    const run = (emptyFrameWeight: number, subjects: typeof nobody | undefined) => {
      const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight }, () => 0);
      const labels: string[] = [];
      for (let t = 0; t <= 1000; t += 200) labels.push(builder.build(frame(t), { ...reads(2, 'chest -> MCU'), subjects: person }, 'm').label);
      for (let t = 1200; t <= 2000; t += 200) labels.push(builder.build(frame(t), { ...reads(7, 'no person or face found -> EWS'), ...(subjects ? { subjects } : {}) }, 'm').label);
      for (let t = 2200; t <= 2800; t += 200) labels.push(builder.build(frame(t), { ...reads(2, 'chest -> MCU'), subjects: person }, 'm').label);
      return labels;
    };
    assert.ok(run(1, nobody).includes('EWS'), 'counted fully, the misses flip the wall');
    assert.ok(!run(0.5, nobody).includes('EWS'), 'weighed down, they do not');
    assert.ok(run(0.5, undefined).includes('EWS'), 'a model that does not say who it found counts fully');
    // A shot that empties for good is followed, later.
    const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5 }, () => 0);
    builder.build(frame(0), { ...reads(2, 'chest -> MCU'), subjects: person }, 'm');
    let t = 0, last = 'MCU';
    while (last !== 'EWS' && t < 10_000) last = builder.build(frame((t += 200)), { ...reads(7, 'no person or face found -> EWS'), subjects: nobody }, 'm').label;
    assert.equal(last, 'EWS');
    assert.ok(t <= 2000, `EWS after ${t} ms`);
  });

  test('a frame with no picture (one flat colour) holds the label and its reason, says so, and is no first reading', () => {
    const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5 }, () => 0);
    const black = new Uint8Array(6).fill(3);
    // A camera that starts black (its cap on): the model names a scale anyway (black reads ECU); the readout says no picture.
    const capped = builder.build(frame(0, 'a', black), reads(0, 'little detail, soft texture -> ECU'), 'm');
    assert.deepEqual([capped.noPicture, capped.reason, capped.labelReason, capped.labelUnread], ['black', 'no picture (black)', undefined, true], 'its label is its own reading: nothing is held');
    // The first frame with a picture sets the label at once, as the first frame of a camera does.
    assert.equal(builder.build(frame(200), reads(3, 'hips -> MS'), 'm').label, 'MS');
    // Seconds of black (a converter losing its signal) neither move the label nor its reason.
    let last = builder.build(frame(400), reads(3, 'hips -> MS'), 'm');
    for (let t = 600; t <= 5000; t += 200) {
      last = builder.build(frame(t, 'a', black), reads(0, 'little detail, soft texture -> ECU'), 'm');
      assert.deepEqual([last.label, last.noPicture, last.labelReason, last.labelUnread], ['MS', 'black', 'hips -> MS', undefined], `at ${t} ms`);
    }
    assert.deepEqual(last.smoothed.map((p) => p.toFixed(3)), reads(3, '').probabilities.map((p) => p.toFixed(3)), 'the average is untouched');
    // White and a plain colour are no picture too; a picture again clears it.
    assert.equal(builder.build(frame(5200, 'a', new Uint8Array(6).fill(250)), reads(7, 'sky -> EWS'), 'm').noPicture, 'white');
    assert.equal(builder.build(frame(5400, 'a', new Uint8Array([20, 40, 200, 21, 41, 201])), reads(7, 'sky -> EWS'), 'm').noPicture, 'plain');
    assert.equal(builder.build(frame(5600), reads(3, 'hips -> MS'), 'm').noPicture, undefined);
    // After a cut the label is read afresh: a black frame first has nothing to hold.
    builder.reset('a');
    assert.equal(builder.build(frame(5800, 'a', black), reads(0, 'little detail, soft texture -> ECU'), 'm').labelUnread, true);
  });

  test('a frame identical to the one before says since when the picture has not changed', () => {
    const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5 }, () => 0);
    const other = new Uint8Array([200, 190, 180, 20, 30, 40]);
    assert.equal(builder.build(frame(0), reads(3, 'hips -> MS'), 'm').stillSince, undefined);
    assert.equal(builder.build(frame(200), reads(3, 'hips -> MS'), 'm').stillSince, 0);
    assert.equal(builder.build(frame(400), reads(3, 'hips -> MS'), 'm').stillSince, 0);
    assert.equal(builder.build(frame(600, 'a', other), reads(3, 'hips -> MS'), 'm').stillSince, undefined);
    builder.forget('a');
    assert.equal(builder.build(frame(800, 'a', other), reads(3, 'hips -> MS'), 'm').stillSince, undefined, 'a forgotten camera starts afresh');
  });

  test('no picture holds the label even when a change was pending: the change must lead again on frames with a picture', () => {
    const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5 }, () => 0);
    const black = new Uint8Array(6).fill(3);
    for (let t = 0; t <= 1000; t += 200) builder.build(frame(t), reads(3, 'hips -> MS'), 'm');
    // WS leads MS by the margin from 1600 ms: it would take over 400 ms later.
    for (let t = 1200; t <= 1600; t += 200) assert.equal(builder.build(frame(t), reads(6, 'wide -> WS'), 'm').label, 'MS');
    for (let t = 1800; t <= 4000; t += 200) assert.equal(builder.build(frame(t, 'a', black), reads(0, 'little detail -> ECU'), 'm').label, 'MS', `black at ${t} ms`);
    assert.equal(builder.build(frame(4200), reads(6, 'wide -> WS'), 'm').label, 'MS', 'the first frame with a picture again');
    let last = '';
    for (let t = 4400; t <= 4600; t += 200) last = builder.build(frame(t), reads(6, 'wide -> WS'), 'm').label;
    assert.equal(last, 'WS', 'after leading for the hold again');
  });

  test('a cut found after frames of the new shot were read: restart smooths them again from the cut, and the next frame goes on from them', () => {
    for (const pairViews of [false, true]) {
      const builder = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5, pairViews }, () => 0);
      for (let t = 0; t <= 1000; t += 200) builder.build(frame(t), reads(0, 'neck -> ECU'), 'm');
      // The cut is at 1200 ms; the detector says so after the frames at 1200 and 1400 were read: they held ECU.
      const read = [1200, 1400].map((t) => builder.build(frame(t), reads(7, 'sky -> EWS'), 'm'));
      assert.deepEqual(read.map((r) => r.label), ['ECU', 'ECU'], `pairViews ${pairViews}: smoothed with the shot before`);
      const again = builder.restart('a', read);
      assert.deepEqual(again.map((r) => r.label), ['EWS', 'EWS'], `pairViews ${pairViews}`);
      assert.deepEqual(again[1]!.smoothed, reads(7, '').probabilities, 'the sky alone');
      const next = builder.build(frame(1600), reads(7, 'sky -> EWS'), 'm');
      assert.deepEqual([next.label, next.labelReason], ['EWS', 'sky -> EWS'], 'the reasons start again from the cut too');
      assert.deepEqual(next.smoothed, reads(7, '').probabilities);
      // Frames that read differently: as a camera whose smoothing was reset at the cut reads them.
      const frames = [2000, 2200, 2400, 2600, 2800].map((t, i) => ({ t, prediction: reads(i % 2 ? 6 : 5, i % 2 ? 'wide -> WS' : 'feet in -> FS') }));
      const asRead = frames.map(({ t, prediction }) => builder.build(frame(t), prediction, 'm'));
      const fresh = new ReadoutBuilder({ timeConstantS: 0.6, hysteresisMargin: 0.08, hysteresisHoldS: 0.4, emptyFrameWeight: 0.5, pairViews }, () => 0);
      const expected = frames.map(({ t, prediction }) => fresh.build(frame(t), prediction, 'm'));
      assert.deepEqual(
        builder.restart('a', asRead).map((r) => [r.label, r.smoothed]),
        expected.map((r) => [r.label, r.smoothed]),
        `pairViews ${pairViews}: each frame at its own time after the cut`,
      );
      // None read since the cut: a reset, the next frame sets the label.
      assert.deepEqual(builder.restart('a', []), []);
      assert.equal(builder.build(frame(1800), reads(3, 'hips -> MS'), 'm').label, 'MS');
    }
  });
});
