/** What the cut detector reports: one per new shot. */

export type CutKind = 'hard' | 'dissolve' | 'fade';

export interface CutEvent {
  /**
   * Index of the first frame of the new shot: for a dissolve its middle frame
   * (the first at least half new), for a fade out and in the first frame after
   * the darkest (or brightest) point.
   */
  frame: number;
  kind: CutKind;
  /**
   * The detector's strength, for logs: for a hard cut the change over the median
   * change around it; for a dissolve the change across it over the change in
   * as long a stretch before it; for a fade the difference (0-255) between the
   * pictures either side.
   */
  score: number;
  /** First frame of the transition (== frame for hard cuts). */
  startFrame: number;
  /** Last frame of the transition (== frame for hard cuts). */
  endFrame: number;
}

/** An event with the arrival position of its frame, which the detector's bookkeeping counts in. */
export interface PositionedCut extends CutEvent {
  position: number;
}
