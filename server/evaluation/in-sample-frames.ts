/**
 * A head fitted on some of a labels file's images records how many, not
 * which (in-sample.ts bounds how many of the frames scored are among them:
 * `eval --limit 8` of HOHA, through a head fitted on 16 of its 555, could
 * only say "from none to 8"; all 8 were). Its base knowledge, beside it,
 * holds the analysed frames it was fitted on: a frame scored whose features
 * are those of a row of its set there is one of them. So they are counted,
 * where that base knowledge is there and the count agrees with the bounds.
 */
import type { InSample } from './in-sample.js';

/** A set of analysed frames, as the base knowledge holds them. */
export interface FramesOfSet {
  name: string;
  samples: readonly { features: ArrayLike<number> }[];
}

/**
 * The same frame analysed twice, in other batches: its features agree to
 * the five significant digits the base knowledge keeps (base-knowledge.ts);
 * a margin of ten times that for the decoder and runtime, and none between
 * two different frames, which differ in many of their features by far more.
 */
const RELATIVE = 1e-4;
const ABSOLUTE = 1e-6;

function sameFeatures(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Math.abs(x - y) > RELATIVE * Math.max(Math.abs(x), Math.abs(y)) + ABSOLUTE) return false;
  }
  return true;
}

/**
 * `r` with the frames scored that the head was fitted on counted in its base
 * knowledge's set (`fitted` exact; `inSample` false where none is), where it
 * was fitted on some of their labels file and could only be bounded; else
 * `r` as it is (no such set there, or a count outside the bounds: the frames
 * analysed here are not those it holds, and the bounds stand).
 */
export function countFittedFrames(r: InSample, baseSets: readonly FramesOfSet[], scored: readonly ArrayLike<number>[]): InSample {
  if (!r.fileImages || !r.fitted || r.fitted.least === r.fitted.most) return r;
  const set = baseSets.find((s) => s.name === r.set);
  // Not the set it was fitted on: another number of frames (a later refit wrote the base knowledge over).
  if (!set || set.samples.length !== r.fileImages.fitted) return r;
  const count = scored.filter((features) => set.samples.some((row) => sameFeatures(row.features, features))).length;
  if (count < r.fitted.least || count > r.fitted.most) return r;
  return { ...r, inSample: count > 0, fitted: { least: count, most: count, of: r.fitted.of }, countedIn: 'base-knowledge' };
}
