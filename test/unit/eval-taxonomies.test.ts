import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EvalInputError } from '../../server/evaluation/eval-error.js';
import { TAXONOMIES, classIndexOf, defineTaxonomy, findTaxonomy, normaliseLabel, predictClass, taxonomyProbabilities, type Taxonomy } from '../../server/evaluation/taxonomies.js';
import { checkLabels, distinctLabels, inferTaxonomy } from '../../server/evaluation/taxonomy-inference.js';
import { CANONICAL_SCALES, type CanonicalScale } from '../../server/shared/scale.js';

const taxonomy = (name: string): Taxonomy => findTaxonomy(name)!;

/** Name of the taxonomy class a canonical class maps to. */
const mapped = (t: Taxonomy, scale: CanonicalScale) => t.classes[t.classOfCanonical[CANONICAL_SCALES.indexOf(scale)]!]!.name;

const oneHot = (scale: CanonicalScale) => CANONICAL_SCALES.map((s) => (s === scale ? 1 : 0));

describe('taxonomies: mapping canonical classes', () => {
  test('all six are defined, each maps all 8 canonical classes in tight-to-wide order', () => {
    assert.deepEqual(TAXONOMIES.map((t) => [t.name, t.classes.length]), [
      ['canonical', 8], ['six', 6], ['movieshots', 5], ['three', 3], ['cinescale', 7], ['cinemanet', 5],
    ]);
    for (const t of TAXONOMIES) {
      assert.equal(t.classOfCanonical.length, 8, t.name);
      for (let i = 1; i < 8; i++) assert.ok(t.classOfCanonical[i]! >= t.classOfCanonical[i - 1]!, t.name);
    }
  });

  test('canonical is the identity', () => {
    for (const s of CANONICAL_SCALES) assert.equal(mapped(taxonomy('canonical'), s), s);
  });

  test('the mappings the sources ask for', () => {
    const row = (name: string) => CANONICAL_SCALES.map((s) => mapped(taxonomy(name), s));
    assert.deepEqual(row('six'), ['ECU', 'CU', 'MCU', 'MS', 'MS', 'LS', 'LS', 'EWS']);
    assert.deepEqual(row('movieshots'), ['ECS', 'CS', 'CS', 'MS', 'MS', 'FS', 'LS', 'LS']);
    assert.deepEqual(row('three'), ['close', 'close', 'close', 'medium', 'medium', 'long', 'long', 'long']);
    assert.deepEqual(row('cinescale'), ['ECU', 'CU', 'MCU', 'MS', 'MLS', 'LS', 'LS', 'ELS']);
    // shared/evalset/README.md: MCU and MS are Medium; MWS, FS, WS Long Shot; EWS Extreme Long Shot.
    assert.deepEqual(row('cinemanet'), ['ECU', 'CU', 'MS', 'MS', 'LS', 'LS', 'LS', 'ELS']);
  });

  test('labels match case-, space- and hyphen-insensitively, with aliases', () => {
    assert.equal(normaliseLabel(' Extreme Close-Up '), 'extremecloseup');
    const cinemanet = taxonomy('cinemanet');
    const name = (label: string) => cinemanet.classes[classIndexOf(cinemanet, label)!]?.name;
    assert.equal(name('Medium'), 'MS');
    assert.equal(name('ms'), 'MS');
    assert.equal(name('Long Shot'), 'LS');
    assert.equal(name('extreme_long_shot'), 'ELS');
    assert.equal(name('Extreme Close Up'), 'ECU');
    assert.equal(classIndexOf(cinemanet, 'MCU'), undefined);
    assert.equal(classIndexOf(taxonomy('three'), 'Close'), 0);
  });

  test('a prediction is the argmax of canonical probabilities summed per class', () => {
    const cinemanet = taxonomy('cinemanet');
    // MS alone (0.3) loses to EWS (0.35), but MCU + MS (0.5) wins in cinemanet.
    const p = [0, 0, 0.2, 0.3, 0.05, 0.05, 0.05, 0.35];
    assert.deepEqual(taxonomyProbabilities(cinemanet, p).map((x) => Math.round(x * 100) / 100), [0, 0, 0.5, 0.15, 0.35]);
    assert.deepEqual(predictClass(cinemanet, p), { index: 2, confidence: 0.5 });
    assert.equal(predictClass(taxonomy('canonical'), p).index, 7);
    assert.equal(predictClass(taxonomy('three'), oneHot('MWS')).index, 1);
    // A tie goes to the tighter class, as the canonical argmax does.
    assert.equal(predictClass(taxonomy('three'), [0.5, 0, 0, 0, 0, 0, 0, 0.5]).index, 0);
  });

  test('definitions that would make scores meaningless are refused', () => {
    const base = (over: Partial<Record<string, unknown>> = {}) => [
      { name: 'tight', aliases: [], canonical: ['ECU', 'CU', 'MCU', 'MS'] as CanonicalScale[], ...over },
      { name: 'wide', aliases: [], canonical: ['MWS', 'FS', 'WS', 'EWS'] as CanonicalScale[] },
    ];
    assert.doesNotThrow(() => defineTaxonomy('ok', '', base()));
    assert.throws(() => defineTaxonomy('t', '', base({ aliases: ['Wide'] })), /"wide" is ambiguous \(tight and wide\)/);
    assert.throws(() => defineTaxonomy('t', '', base({ canonical: ['ECU', 'CU', 'MCU'] })), /canonical MS maps to 0 classes/);
    assert.throws(() => defineTaxonomy('t', '', base({ canonical: ['ECU', 'CU', 'MCU', 'MS', 'FS'] })), /canonical FS maps to 2 classes/);
    assert.throws(
      () => defineTaxonomy('t', '', [{ name: 'a', aliases: [], canonical: ['MWS', 'FS', 'WS', 'EWS'] }, { name: 'b', aliases: [], canonical: ['ECU', 'CU', 'MCU', 'MS'] }]),
      /not in tight-to-wide canonical order/,
    );
  });
});

describe('taxonomies: inferring one from the labels', () => {
  test('the evalset spelling (ECU, CU, MS, LS, ELS) is CinemaNet, the fewest classes that name all', () => {
    const choice = inferTaxonomy(['ECU', 'CU', 'MS', 'LS', 'ELS', 'CU']);
    assert.equal(choice.taxonomy.name, 'cinemanet');
    assert.deepEqual(choice.alternatives.map((t) => t.name), ['six', 'cinescale']);
    assert.match(choice.reason, /cinemanet .* fewest classes; also covering: six \(6\), cinescale \(7\)/);
  });

  test('each taxonomy is found from its own class names', () => {
    const cases: [string[], string][] = [
      [['ECU', 'CU', 'MCU', 'MS', 'MWS', 'FS', 'WS', 'EWS'], 'canonical'],
      [['ECU', 'CU', 'MCU', 'MS', 'LS', 'EWS'], 'six'],
      [['ECS', 'CS', 'MS', 'FS', 'LS'], 'movieshots'],
      [['close', 'Medium', 'LONG'], 'three'],
      [['ECU', 'CU', 'MCU', 'MS', 'MLS', 'LS', 'ELS'], 'cinescale'],
      [['Extreme Close Up', 'Close Up', 'Medium', 'Long Shot', 'Extreme Long Shot'], 'cinemanet'],
    ];
    for (const [labels, expected] of cases) assert.equal(inferTaxonomy(labels).taxonomy.name, expected, labels.join(','));
  });

  test('an ambiguous label set: "MS" and "LS" mean different things across taxonomies; the coarsest that names them wins, and the others are listed', () => {
    const choice = inferTaxonomy(['MS', 'LS']);
    assert.equal(choice.taxonomy.name, 'movieshots');
    assert.deepEqual(choice.alternatives.map((t) => t.name), ['cinemanet', 'six', 'cinescale']);
  });

  test('on a tie in class count, exact class names beat aliases', () => {
    // "medium" is a class of three only by name; "Medium" is an alias in cinemanet and six.
    assert.equal(inferTaxonomy(['medium']).taxonomy.name, 'three');
    // cinemanet and movieshots both have 5 classes and both name "MS"; "LS" by name in both: order decides.
    assert.equal(inferTaxonomy(['MS']).taxonomy.name, 'movieshots');
  });

  test('unknown labels: an error naming them', () => {
    assert.throws(() => inferTaxonomy(['CU', 'Dutch angle', 'MS', 'insert']), (error: unknown) => {
      assert.ok(error instanceof EvalInputError);
      assert.match(error.message, /unknown labels "Dutch angle", "insert": no taxonomy/);
      return true;
    });
  });

  test('known labels that no single taxonomy holds together', () => {
    assert.throws(() => inferTaxonomy(['close', 'ECU']), /no single taxonomy names every label: "close" in three; "ECU" in canonical\/six\/cinescale\/cinemanet/);
  });

  test('with a chosen taxonomy, labels outside it are named with where they belong', () => {
    assert.doesNotThrow(() => checkLabels(taxonomy('cinemanet'), ['ecu', 'Medium', 'ELS']));
    assert.throws(() => checkLabels(taxonomy('cinemanet'), ['CU', 'MCU', 'zoom']), /labels "MCU", "zoom" not in taxonomy cinemanet .*"MCU" is in canonical\/six\/cinescale; "zoom" is in no taxonomy/);
  });

  test('each label named in an error says where it is used, when told; and the error has a hint', () => {
    const where = (label: string) => ({ zoom: 'line 7', mcu: 'line 3', close: 'line 2', ecu: 'line 4' })[label.toLowerCase()];
    assert.throws(() => checkLabels(taxonomy('cinemanet'), ['CU', 'MCU', 'zoom'], undefined, where), (error: unknown) => {
      assert.ok(error instanceof EvalInputError);
      assert.match(error.message, /^labels "MCU" \(line 3\), "zoom" \(line 7\) not in taxonomy cinemanet/);
      assert.match(error.hint ?? '', /--taxonomy/);
      return true;
    });
    assert.throws(() => inferTaxonomy(['CU', 'zoom'], undefined, where), (error: unknown) => error instanceof EvalInputError && /^unknown label "zoom" \(line 7\): no taxonomy/.test(error.message) && /cinemanet ECU\/CU\/MS\/LS\/ELS/.test(error.hint ?? ''));
    assert.throws(() => inferTaxonomy(['close', 'ECU'], undefined, where), /"close" \(line 2\) in three; "ECU" \(line 4\) in canonical/);
  });

  test('distinct labels ignore case and spacing, keep first spelling', () => {
    assert.deepEqual(distinctLabels(['Close Up', 'close-up', 'MS', ' ms ']), ['Close Up', 'MS']);
  });
});
