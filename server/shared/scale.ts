/**
 * The canonical shot-scale taxonomy: 8 ordered classes, tightest to widest.
 * Every classifier reports a probability per canonical class, in this order;
 * published taxonomies are mappings of these (see server/inference/taxonomies).
 */
export const CANONICAL_SCALES = ['ECU', 'CU', 'MCU', 'MS', 'MWS', 'FS', 'WS', 'EWS'] as const;

export type CanonicalScale = (typeof CANONICAL_SCALES)[number];

/** Probabilities over CANONICAL_SCALES, same order, summing to 1. */
export type ScaleProbabilities = number[];

export const SCALE_COUNT = CANONICAL_SCALES.length;

export const SCALE_NAMES: Readonly<Record<CanonicalScale, string>> = {
  ECU: 'extreme close-up',
  CU: 'close-up',
  MCU: 'medium close-up',
  MS: 'medium shot',
  MWS: 'medium wide shot',
  FS: 'full shot',
  WS: 'wide shot',
  EWS: 'extreme wide shot',
};

export function isCanonicalScale(value: string): value is CanonicalScale {
  return (CANONICAL_SCALES as readonly string[]).includes(value);
}

/** Index of the largest probability (ties go to the tighter class). */
export function argmax(probabilities: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) {
    if (probabilities[i]! > probabilities[best]!) best = i;
  }
  return best;
}
