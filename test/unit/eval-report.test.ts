import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScalePrediction } from '../../server/inference/model.js';
import { renderConfusionSvg } from '../../server/evaluation/confusion-svg.js';
import { parseCsv } from '../../server/evaluation/csv-table.js';
import { buildReport, matrixTitle, predictionsCsv, type ImageResult } from '../../server/evaluation/eval-report.js';
import { formatReportText } from '../../server/evaluation/report-text.js';
import { evaluateImages, type EvalItem } from '../../server/evaluation/run-evaluation.js';
import { findTaxonomy } from '../../server/evaluation/taxonomies.js';
import { CANONICAL_SCALES } from '../../server/shared/scale.js';
import { checkWellFormedXml } from '../support/xml-check.js';

const three = findTaxonomy('three')!;
const at = (i: number) => CANONICAL_SCALES.map((_, k) => (k === i ? 1 : 0));

describe('evaluation loop (fake decoder and model)', () => {
  // "Images" are canonical class indices; the fake model is certain of them.
  const items: EvalItem[] = [0, 3, 7, 99, 1, 5, 6].map((canonical, i) => ({ file: `f${i}.jpg`, path: String(canonical), truth: i % 3 }));
  const source = (batches: number[][]) => ({
    decode: async (p: string) => {
      if (p === '99') throw new Error('cannot decode');
      return Number(p);
    },
    predict: async (frames: readonly number[]): Promise<ScalePrediction[]> => {
      batches.push([...frames]);
      return frames.map((c) => ({ probabilities: at(c), reason: `class ${c}` }));
    },
  });

  test('batches of --batch, results in file order, unreadable skipped and listed', async () => {
    const batches: number[][] = [];
    const events: string[] = [];
    const outcome = await evaluateImages(items, three, source(batches), {
      batchSize: 3,
      progress: { batchStarted: (f) => events.push(`batch ${f}`), imageDone: () => events.push('done'), unreadable: (f) => events.push(`unreadable ${f}`) },
    });
    assert.deepEqual(batches, [[0, 3, 7], [1, 5], [6]]);
    assert.deepEqual(outcome.results.map((r) => [r.file, r.predicted]), [['f0.jpg', 0], ['f1.jpg', 1], ['f2.jpg', 2], ['f4.jpg', 0], ['f5.jpg', 2], ['f6.jpg', 2]]);
    assert.deepEqual(outcome.unreadable, [{ file: 'f3.jpg', error: 'cannot decode' }]);
    assert.equal(events.filter((e) => e === 'done').length, 7);
    assert.deepEqual(events.filter((e) => e !== 'done'), ['batch f0.jpg', 'batch f3.jpg', 'unreadable f3.jpg', 'batch f6.jpg']);
    assert.equal(outcome.results[0]!.reason, 'class 0');
  });

  test('a model failure stops the evaluation with its error', async () => {
    const failing = { ...source([]), predict: () => Promise.reject(new Error('session lost')) };
    await assert.rejects(evaluateImages(items, three, failing, { batchSize: 2 }), /session lost/);
  });
});

describe('report, predictions CSV, text and SVG', () => {
  const results: ImageResult[] = [
    { file: 'a.jpg', truth: 0, predicted: 0, confidence: 0.9, probabilities: at(0) },
    { file: 'b, "quoted".jpg', truth: 0, predicted: 2, confidence: 0.8, probabilities: at(7), reason: 'feet in frame, tiny' },
    { file: 'c.jpg', truth: 1, predicted: 2, confidence: 0.7, probabilities: at(5) },
    { file: 'd.jpg', truth: 2, predicted: 2, confidence: 0.6, probabilities: at(6) },
  ];
  const report = buildReport({
    taxonomy: three, taxonomyReason: 'test', labelsFile: '/x/labels.csv', model: 'm<&>', executionProvider: 'cpu', views: 'both',
    results, unreadable: [{ file: 'e.jpg', error: 'no such file' }], inferenceMs: 8, wallMs: 20,
  });

  test('JSON report fields', () => {
    assert.equal(report.count, 4);
    assert.equal(report.accuracy, 0.5);
    assert.equal(report.withinOne, 0.75);
    assert.equal(report.meanRecall, 0.5, 'close 1 of 2, medium 0 of 1, long 1 of 1');
    assert.deepEqual(report.classes, ['close', 'medium', 'long']);
    assert.deepEqual(report.confusionMatrix, [[1, 0, 1], [0, 0, 1], [0, 0, 1]]);
    assert.deepEqual(report.perClass.long, { precision: 0.3333, recall: 1, f1: 0.5, support: 1 });
    assert.equal(report.msPerImage, 2);
    assert.equal(report.wallMsPerImage, 5);
    assert.deepEqual(report.unreadable, [{ file: 'e.jpg', error: 'no such file' }]);
    assert.equal(report.views, 'both');
  });

  test('predictions CSV: one row per image, canonical probabilities, reason; quoting survives', () => {
    const rows = parseCsv(predictionsCsv(three, results)).map((r) => r.fields);
    assert.deepEqual(rows[0], ['file', 'truth', 'predicted', 'correct', 'withinOne', 'confidence', ...CANONICAL_SCALES, 'reason']);
    assert.equal(rows.length, 5);
    assert.deepEqual(rows[2], ['b, "quoted".jpg', 'close', 'long', '0', '0', '0.8', '0', '0', '0', '0', '0', '0', '0', '1', 'feet in frame, tiny']);
    assert.deepEqual(rows[3]!.slice(1, 5), ['medium', 'long', '0', '1']);
  });

  test('text: summary, matrix with totals, per-class table', () => {
    const text = formatReportText(report);
    assert.match(text, /taxonomy three, 4 images, 1 unreadable/);
    assert.match(text, /^model m<&> \(cpu, each image as the mean of it and its mirror\)/);
    assert.doesNotMatch(formatReportText({ ...report, views: 'as-is' }), /mirror/);
    assert.match(text, /accuracy 50\.0%\s+within one 75\.0%/);
    assert.match(text, /mean recall 50\.0%/);
    assert.match(text, /^close\s+1\s+0\s+1\s+2$/m);
    assert.match(text, /^total\s+1\s+0\s+3\s+4$/m);
    assert.match(text, /^long\s+0\.333\s+1\.000\s+0\.500\s+1$/m);
  });

  test('SVG: well-formed, every class and count, title escaped', () => {
    const svg = renderConfusionSvg({ classes: report.classes, matrix: report.confusionMatrix, ...matrixTitle(report) });
    const { root, text } = checkWellFormedXml(svg);
    assert.equal(root, 'svg');
    for (const c of report.classes) assert.ok(text.includes(c), c);
    assert.ok(text.includes('m&lt;&amp;&gt;: three taxonomy'));
    assert.match(text, /accuracy 50\.0%/);
    assert.equal((svg.match(/<rect x=[^>]*fill="rgb/g) ?? []).length, 9, "one cell per pair");
  });

  test('the XML check itself rejects what it should', () => {
    for (const bad of ['<a><b></a></b>', '<a x="1" x="2"/>', '<a>&nope;</a>', '<a x=1/>', '<a/><b/>', '<a>']) {
      assert.throws(() => checkWellFormedXml(bad), Error, bad);
    }
  });
});
