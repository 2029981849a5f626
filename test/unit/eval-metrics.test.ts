import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { confusionMatrix, scoreMatrix } from '../../server/evaluation/metrics.js';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

describe('metrics on a hand-made confusion matrix', () => {
  // Rows = truth, columns = predicted, classes A < B < C < D.
  const matrix = [
    [5, 2, 1, 0], // A: 8
    [1, 6, 1, 0], // B: 8
    [0, 3, 4, 1], // C: 8
    [2, 0, 0, 0], // D: 2, never predicted right
  ];

  test('exact and within-one accuracy', () => {
    const s = scoreMatrix(matrix);
    assert.equal(s.count, 26);
    close(s.accuracy, 15 / 26, 'accuracy');
    // Diagonal 15, plus one class off: A->B 2, B->A 1, B->C 1, C->B 3, C->D 1 = 8;
    // A->C (1) and D->A (2) are further and do not count.
    close(s.withinOne, 23 / 26, 'withinOne');
  });

  test('precision, recall, F1, support per class', () => {
    const s = scoreMatrix(matrix);
    const expected = [
      { precision: 5 / 8, recall: 5 / 8, support: 8 },
      { precision: 6 / 11, recall: 6 / 8, support: 8 },
      { precision: 4 / 6, recall: 4 / 8, support: 8 },
      { precision: 0, recall: 0, support: 2 },
    ];
    expected.forEach((e, i) => {
      const got = s.perClass[i]!;
      close(got.precision, e.precision, `precision ${i}`);
      close(got.recall, e.recall, `recall ${i}`);
      assert.equal(got.support, e.support);
      close(got.f1, e.precision + e.recall ? (2 * e.precision * e.recall) / (e.precision + e.recall) : 0, `f1 ${i}`);
    });
    close(s.macroF1, s.perClass.reduce((a, c) => a + c.f1, 0) / 4, 'macroF1');
    close(s.meanRecall, s.perClass.reduce((a, c) => a + c.recall, 0) / 4, 'meanRecall');
  });

  test('classes with no images or no predictions score 0, not NaN; macro F1 skips classes without support', () => {
    const s = scoreMatrix([
      [3, 0, 0],
      [0, 0, 0],
      [1, 0, 2],
    ]);
    assert.deepEqual(s.perClass[1], { precision: 0, recall: 0, f1: 0, support: 0 });
    close(s.macroF1, (s.perClass[0]!.f1 + s.perClass[2]!.f1) / 2, 'macroF1');
    close(s.meanRecall, (s.perClass[0]!.recall + s.perClass[2]!.recall) / 2, 'meanRecall skips classes without support too');
    const empty = scoreMatrix([[0, 0], [0, 0]]);
    assert.deepEqual([empty.accuracy, empty.withinOne, empty.count], [0, 0, 0]);
  });

  test('the matrix from (truth, predicted) pairs', () => {
    const pairs = [{ truth: 0, predicted: 0 }, { truth: 0, predicted: 2 }, { truth: 2, predicted: 1 }, { truth: 0, predicted: 2 }];
    assert.deepEqual(confusionMatrix(3, pairs), [[1, 0, 2], [0, 0, 0], [0, 1, 0]]);
  });
});
