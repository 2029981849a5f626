/**
 * A labelled folder as eval, calibrate and samples import read it:
 * - --limit N reads N rows spread over the file: the first N were taken, and
 *   the shipped evalset files are sorted by class, so `calibrate --limit 60`
 *   read 60 frames of one class and was refused;
 * - each progress line counts the images done before its batch: batches are
 *   pipelined, and away from a terminal the lines read "0/12 images" at the
 *   first batch and at the second.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { labelledImagesFromArgs, progressReporter, spreadRows, type LabelledImages } from '../../server/cli/labelled-images.js';
import { evaluateImages } from '../../server/evaluation/run-evaluation.js';
import { findTaxonomy } from '../../server/evaluation/taxonomies.js';
import type { ScalePrediction } from '../../server/inference/model.js';
import { tempDir } from '../support/media.js';

/** A labels file sorted by class, as the shipped evalset ones are: `perClass` rows of each label, and an empty file for each image. */
function sortedLabels(labels: readonly string[], perClass: number): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'img'));
  const rows = labels.flatMap((label, k) => Array.from({ length: perClass }, (_, i) => `img/f${k}-${i}.jpg,${label}`));
  for (const row of rows) writeFileSync(path.join(dir, row.split(',')[0]!), '');
  writeFileSync(path.join(dir, 'labels.csv'), ['file,label', ...rows].join('\n') + '\n');
  return path.join(dir, 'labels.csv');
}

describe('--limit N', () => {
  test('takes N rows spread evenly over the file, in file order, the first among them', () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(spreadRows(rows, 4), [0, 25, 50, 75]);
    assert.deepEqual(spreadRows(rows, 3), [0, 33, 66]);
    assert.deepEqual(spreadRows([1, 2, 3], 5), [1, 2, 3], 'a limit above the rows: every row');
    assert.deepEqual(spreadRows([1, 2, 3], null), [1, 2, 3]);
  });

  test('on a file sorted by class, 10 rows hold every class, in the file\'s proportions', () => {
    const labels = sortedLabels(['CU', 'MS', 'WS', 'EWS', 'ECU'], 40);
    const read = labelledImagesFromArgs({ labels, taxonomy: 'canonical', limit: '10' });
    assert.equal(read.items.length, 10);
    const names = read.items.map((item) => read.taxonomy.classes[item.truth]!.name);
    assert.deepEqual(names, ['CU', 'CU', 'MS', 'MS', 'WS', 'WS', 'EWS', 'EWS', 'ECU', 'ECU']);
    assert.deepEqual(read.limited, { limit: 10, rows: 200, classes: 5 });
  });

  test('a limit at or above the rows leaves nothing out', () => {
    const labels = sortedLabels(['CU', 'MS'], 3);
    assert.equal(labelledImagesFromArgs({ labels, limit: '6' }).limited, null);
    assert.equal(labelledImagesFromArgs({ labels }).limited, null);
  });
});

describe('progress lines', () => {
  const taxonomy = findTaxonomy('canonical')!;
  const items = Array.from({ length: 12 }, (_, i) => ({ file: `img/sample-${String(i + 1).padStart(5, '0')}.jpg`, path: `/x/img/${i}.jpg`, truth: 1 }));
  const labelled: LabelledImages = { taxonomy, reason: '', items, labels: 'labels.csv', lineOf: new Map(items.map((item, i) => [item.path, i + 2])), limited: null };
  const prediction: ScalePrediction = { probabilities: [0, 1, 0, 0, 0, 0, 0, 0] as unknown as ScalePrediction['probabilities'] };

  /** The lines as a non-terminal gets them: the images done, and the batch's first file. */
  async function lines(unreadable: ReadonlySet<string> = new Set()): Promise<string[]> {
    const out: string[] = [];
    let done = 0;
    const progress = { update: (file: string) => out.push(`${done}/12 ${file}`), tick: () => (done += 1), note: (message: string) => out.push(message) };
    // Predictions take a while, as a model's do: the next batch is decoded meanwhile.
    const source = {
      decode: async (file: string) => {
        if (unreadable.has(file)) throw new Error('not a picture');
        return file;
      },
      predict: async (frames: readonly string[]) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return frames.map(() => prediction);
      },
    };
    await evaluateImages(items, taxonomy, source, { batchSize: 8, progress: progressReporter(progress, labelled) });
    return out;
  }

  test('each batch\'s line counts the images done before it', async () => {
    assert.deepEqual(await lines(), ['0/12 img/sample-00001.jpg', '8/12 img/sample-00009.jpg']);
  });

  test('an unreadable image counts as done, and is noted with its line', async () => {
    const out = await lines(new Set(['/x/img/2.jpg']));
    assert.equal(out[0], '0/12 img/sample-00001.jpg');
    assert.match(out[1]!, /^unreadable, skipped: labels\.csv:4: img\/sample-00003\.jpg: not a picture$/);
    assert.equal(out[2], '8/12 img/sample-00009.jpg');
  });
});
