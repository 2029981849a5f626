/**
 * When a production's corrections are enough to fit a head: the server
 * refuses a fit below this (live-calibration.ts), and the Calibration view
 * offers none, saying why (web/src/lib/calibration.ts).
 */
export const MIN_FIT_SAMPLES = 6;
/** A fit needs corrections of at least this many labels: one label teaches no line between classes. */
export const MIN_FIT_LABELS = 2;

/** Whether a fit may start on `samples` corrections of `labels` distinct labels. */
export function fitCanStart(samples: number, labels: number): boolean {
  return samples >= MIN_FIT_SAMPLES && labels >= MIN_FIT_LABELS;
}
