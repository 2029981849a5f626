/**
 * A production fit's folds: 0 asks for the head alone (no cross-validated
 * figure), as bench:conventions asks (it crashed on every run: groupedFolds
 * was handed 0 folds); fewer than 2 folds is refused with a code, never a
 * TypeError from inside the fold assignment.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupedFolds } from '../../server/calibration/cross-validation.js';
import { CALIBRATION_TRAIN_OPTIONS, residualHead, rowsOf } from '../../server/calibration/multi-set-calibration.js';
import { fitProduction } from '../../server/calibration/production-fit.js';
import { trainSetHead } from '../../server/calibration/set-label-training.js';
import { isShotscaleError } from '../../server/errors.js';
import { CUE_NAMES as NAMES, cueSet as set } from '../support/cue-sets.js';


describe('a production fit asked for no folds', () => {
  const base = [set('base-a', 120, 0, 3)];
  const head = residualHead(trainSetHead(base.flatMap((s) => rowsOf(s)), CALIBRATION_TRAIN_OPTIONS), NAMES, { labels: 'base', count: 120, trainedAt: '', options: {} });
  const production = set('production', 12, 1, 5);
  const fit = (folds: number) => fitProduction({ base, production: [production], featureNames: NAMES, from: head, modelName: 'model-x', folds, options: { epochs: 40 } });

  test('folds 0: the head, with no cross-validated figure and why', () => {
    const result = fit(0);
    assert.equal(result.head.output, 'rules-residual');
    const [report] = result.reports;
    assert.equal(report!.after, null);
    assert.equal(report!.folds, 0);
    assert.match(report!.why!, /folds 0/);
    assert.equal(report!.count, 12);
    assert.ok(!('crossValidated' in result.head.provenance.sets!.find((s) => s.name === 'production')!));
  });

  test('folds 1 is refused with a code (one fold has nothing to fit on that never saw it)', () => {
    assert.throws(() => fit(1), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && /1 folds/.test(e.message));
  });

  test('folds 2 still cross-validates', () => {
    const [report] = fit(2).reports;
    assert.ok(report!.after);
    assert.equal(report!.folds, 2);
  });
});

describe('groupedFolds', () => {
  const labels = [0, 0, 1, 1];
  const groups = ['a', 'b', 'c', 'd'];
  for (const folds of [0, 1, -1, 2.5]) {
    test(`refuses ${folds} folds with a code`, () => {
      assert.throws(() => groupedFolds(labels, groups, folds, 1), (e) => isShotscaleError(e, 'CALIBRATION_INVALID') && e.message.includes(`${folds} folds`));
    });
  }

  test('puts whole groups in 2 folds', () => {
    const fold = groupedFolds(labels, groups, 2, 1);
    assert.deepEqual(new Set(fold), new Set([0, 1]));
  });
});
