import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import { TAXONOMIES, taxonomyProbabilities } from '../../server/evaluation/taxonomies.js';
import { SCALE_COLOURS } from '../../web/src/lib/format.js';
import { contrastRatio, colourOfMembers, paletteAt, relativeLuminance, SCALE_PALETTE, textOn } from '../../web/src/lib/palette.js';
import {
  DISPLAY_TAXONOMIES,
  TAXONOMY_TITLES,
  displayClassOf,
  displayProbabilities,
  displayReadout,
  displayScale,
  isDisplayTaxonomy,
  nameWidthEm,
  nextTaxonomy,
} from '../../web/src/lib/display-scale.js';

const PROBS = [0.02, 0.05, 0.1, 0.5, 0.2, 0.08, 0.03, 0.02];

test('the palette is format.ts\'s scale colours: distinct, lightness rising tight to wide', () => {
  assert.deepEqual(
    SCALE_PALETTE,
    CANONICAL_SCALES.map((s) => SCALE_COLOURS[s]),
  );
  const lum = SCALE_PALETTE.map(relativeLuminance);
  for (let i = 1; i < lum.length; i++) assert.ok(lum[i]! > lum[i - 1]!);
  assert.equal(paletteAt(0), SCALE_PALETTE[0]!.toLowerCase());
  assert.equal(paletteAt(7), SCALE_PALETTE[7]!.toLowerCase());
  assert.equal(paletteAt(99), SCALE_PALETTE[7]!.toLowerCase());
  assert.equal(paletteAt(-1), SCALE_PALETTE[0]!.toLowerCase());
  // Between two stops, the luminance lies between theirs.
  const mid = relativeLuminance(paletteAt(3.5));
  assert.ok(mid > lum[3]! && mid < lum[4]!);
  assert.equal(colourOfMembers([2]), SCALE_PALETTE[2]!.toLowerCase());
  assert.equal(colourOfMembers([1, 3]), SCALE_PALETTE[2]!.toLowerCase());
});

test('text on every scale colour, and every taxonomy class colour, reaches 4.5:1', () => {
  for (const c of SCALE_PALETTE) assert.ok(contrastRatio(c, textOn(c)) >= 4.5, `${c}: ${contrastRatio(c, textOn(c)).toFixed(2)}`);
  for (const name of DISPLAY_TAXONOMIES) {
    for (const cls of displayScale(name).classes) {
      assert.ok(contrastRatio(cls.colour, cls.text) >= 4.5, `${name} ${cls.name}`);
    }
  }
  assert.equal(textOn('#ffffff'), '#000000');
  assert.equal(textOn('#000000'), '#ffffff');
});

test('the display taxonomies exist, in cycle order, with titles', () => {
  for (const name of DISPLAY_TAXONOMIES) {
    assert.ok(TAXONOMIES.some((t) => t.name === name), name);
    assert.ok(TAXONOMY_TITLES[name]);
  }
  assert.equal(nextTaxonomy('canonical'), 'six');
  assert.equal(nextTaxonomy('three'), 'canonical');
  assert.equal(nextTaxonomy('bogus'), 'canonical');
  assert.ok(isDisplayTaxonomy('movieshots'));
  assert.ok(!isDisplayTaxonomy('cinescale'));
});

test('canonical: the class is the label itself, with its long name', () => {
  const scale = displayScale('canonical');
  assert.deepEqual(
    scale.classes.map((c) => c.name),
    [...CANONICAL_SCALES],
  );
  const mcu = displayClassOf(scale, 'MCU')!;
  assert.equal(mcu.name, 'MCU');
  assert.equal(mcu.longName, 'medium close-up');
  assert.equal(mcu.span, null);
  assert.equal(mcu.colour, SCALE_COLOURS.MCU.toLowerCase());
  const r = displayReadout(scale, 'MS', PROBS)!;
  assert.equal(r.cls.name, 'MS');
  assert.equal(r.confidence, 0.5);
  assert.deepEqual(r.probabilities, PROBS);
  // Unknown names fall back to canonical; unknown labels give null.
  assert.equal(displayScale('nope'), scale);
  assert.equal(displayClassOf(scale, 'XXL'), null);
  assert.equal(displayReadout(scale, 'XXL', PROBS), null);
});

test('other taxonomies: class of the stable label, summed probabilities as the evaluation sums them', () => {
  for (const name of ['six', 'movieshots', 'three'] as const) {
    const taxonomy = TAXONOMIES.find((t) => t.name === name)!;
    const scale = displayScale(name);
    assert.equal(scale.classes.length, taxonomy.classes.length);
    const got = displayProbabilities(scale, PROBS)!;
    const want = taxonomyProbabilities(taxonomy, PROBS);
    got.forEach((p, i) => assert.ok(Math.abs(p - want[i]!) < 1e-12, `${name} ${i}`));
    // Colours rise with the classes too.
    const lum = scale.classes.map((c) => relativeLuminance(c.colour));
    for (let i = 1; i < lum.length; i++) assert.ok(lum[i]! > lum[i - 1]!, `${name}: luminance rises at ${scale.classes[i]!.name}`);
  }
  const six = displayScale('six');
  const ls = displayClassOf(six, 'WS')!;
  assert.equal(ls.name, 'LS');
  assert.equal(ls.longName, 'long shot');
  assert.equal(ls.span, 'FS–WS');
  const three = displayScale('three');
  const r = displayReadout(three, 'MWS', PROBS)!;
  assert.equal(r.cls.name, 'medium');
  assert.ok(Math.abs(r.confidence - 0.7) < 1e-12);
  assert.equal(displayClassOf(three, 'ECU')!.name, 'close');
  assert.equal(displayClassOf(three, 'ECU')!.span, 'ECU–MCU');
  assert.equal(displayClassOf(displayScale('movieshots'), 'MCU')!.name, 'CS');
});

test('displayProbabilities: null stays null; gaps count as 0; sums are clamped', () => {
  const three = displayScale('three');
  assert.equal(displayProbabilities(three, null), null);
  assert.deepEqual(displayProbabilities(three, [Number.NaN, 0.5, 0.9, -1]), [1, 0, 0]);
  const r = displayReadout(three, 'CU', null, 0.42)!;
  assert.equal(r.probabilities, null);
  assert.equal(r.confidence, 0.42);
});

test('name widths: wide letters count more than narrow ones, so the wall sizes "MWS" below "ECU"', () => {
  assert.ok(nameWidthEm('MWS') > nameWidthEm('ECU'));
  assert.ok(nameWidthEm('ECU') > nameWidthEm('FS'));
  assert.ok(nameWidthEm('medium') > nameWidthEm('close'));
  assert.ok(nameWidthEm('close') > nameWidthEm('long'));
  assert.equal(nameWidthEm(''), 1);
  // Every class of every taxonomy has a finite, positive width.
  for (const name of DISPLAY_TAXONOMIES) {
    for (const cls of displayScale(name).classes) {
      const em = nameWidthEm(cls.name);
      assert.ok(Number.isFinite(em) && em > 0, `${name} ${cls.name}`);
    }
  }
});
