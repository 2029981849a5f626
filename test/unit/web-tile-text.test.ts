/**
 * Words and ink on the dashboard's scale chips and tiles: the MCU chip's
 * text in Shots and Coverage read at 4.32:1 on its teal (under WCAG's 4.5:1
 * at 12 px), and a tile of two people read "2 people · two-shot · 2 people,
 * feet in ...", the count twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCALE_COLOURS, textOn, whyLine } from '../../web/src/lib/format.js';
import { contrastRatio } from '../../web/src/lib/palette.js';

test('the text on every scale chip reaches 4.5:1', () => {
  for (const [scale, colour] of Object.entries(SCALE_COLOURS)) {
    const ratio = contrastRatio(colour, textOn(colour));
    assert.ok(ratio >= 4.5, `${scale} ${colour}: ${textOn(colour)} at ${ratio.toFixed(2)}:1`);
  }
  // Where the soft inks reach it, they stay.
  assert.equal(textOn(SCALE_COLOURS.EWS), '#0b0d12');
  assert.equal(textOn(SCALE_COLOURS.ECU), '#f2f4f8');
});

test('a tile says the count of people once', () => {
  const two = { kind: 'people', count: 2, framing: 'two-shot', overTheShoulder: false } as const;
  assert.equal(whyLine(two, '2 people, knees in, feet out'), '2 people · two-shot · knees in, feet out');
  const one = { kind: 'person', count: 1, framing: 'single', overTheShoulder: false } as const;
  assert.equal(whyLine(one, 'knees in, feet out'), '1 person · knees in, feet out');
  // A reason that does not start with the same count keeps its words.
  assert.equal(whyLine(two, '3 people, knees in'), '2 people · two-shot · 3 people, knees in');
  assert.equal(whyLine(undefined, 'hips in, knees out'), 'hips in, knees out');
  assert.equal(whyLine(undefined, undefined), '');
});
