/**
 * What a frame shows besides its scale: who is in it, or that it has no
 * picture at all. Readouts, shots and exports carry these.
 */

/** Who is in the shot, when the model can tell (the framing model does). */
export interface Subjects {
  /** People seen (bodies, plus faces without a body). */
  count: number;
  kind: 'face' | 'faces' | 'person' | 'people' | 'none';
  framing: 'single' | 'two-shot' | 'group' | 'none';
  /** A large cropped person with their back to camera at a side edge, facing a smaller subject. */
  overTheShoulder: boolean;
}

/** A frame of one flat colour (no signal, a cap on the lens, a fade's end): nothing to read a scale from. */
export const NO_PICTURE_KINDS = ['black', 'white', 'plain'] as const;
export type NoPicture = (typeof NO_PICTURE_KINDS)[number];
