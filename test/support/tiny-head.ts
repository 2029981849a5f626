/**
 * A calibration head of two coarse classes over two features, the smallest
 * file loadHead() accepts: for tests of where heads come from (files,
 * cameras), not of what a head reads.
 */
import type { FramingHead } from '../../server/calibration/framing-head.js';

/** The features a tiny head expects. */
export const TINY_HEAD_FEATURES = ['a', 'b'];

export function tinyHead(): FramingHead {
  return {
    schemaVersion: 1,
    kind: 'framing-head',
    taxonomy: 'two',
    classes: ['close', 'far'],
    groups: [
      ['ECU', 'CU', 'MCU', 'MS'],
      ['MWS', 'FS', 'WS', 'EWS'],
    ],
    featureNames: TINY_HEAD_FEATURES,
    model: { mean: Array<number>(10).fill(0), std: Array<number>(10).fill(1), layers: [{ weights: [Array<number>(10).fill(0), Array<number>(10).fill(0)], bias: [0, 0] }] },
    provenance: { labels: 'test', count: 2, trainedAt: new Date(0).toISOString(), options: {} },
  };
}
